// Values over the wire with the real engine: each type read by node-postgres in text format and
// in binary format (its own binary parsers for int2/4/8, float4/8, bool, bytea, timestamps,
// numeric as text), and written as parameters; RowDescription's type OIDs and modifiers.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
let client: pg.Client;
beforeAll(async () => {
  server = await startSqlNode();
  client = new pg.Client({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb' });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await server.stop();
});

const query = `SELECT 1::INT2 AS i2, 2::INT4 AS i4, 9007199254740993::INT8 AS i8, 1.5::FLOAT4 AS f4, 0.1::FLOAT8 AS f8,
  TRUE AS b, 'héllo'::TEXT AS t, 'ab'::VARCHAR(5) AS vc, 12.340::NUMERIC(10,3) AS n, '\\x00ff'::BYTEA AS by,
  '2024-02-29'::DATE AS d, '2024-02-29 12:34:56.789'::TIMESTAMP AS ts, NULL::INT4 AS nul`;

describe('types over pgwire', () => {
  it('text format', async () => {
    const result = await client.query(query);
    const row = result.rows[0] as Record<string, unknown>;
    expect(row.i2).toBe(1);
    expect(row.i4).toBe(2);
    expect(row.i8).toBe('9007199254740993');
    expect(row.f4).toBe(1.5);
    expect(row.f8).toBe(0.1);
    expect(row.b).toBe(true);
    expect(row.t).toBe('héllo');
    expect(row.vc).toBe('ab');
    expect(row.n).toBe('12.340');
    expect(row.by).toEqual(Buffer.from([0x00, 0xff]));
    expect(row.nul).toBe(null);
    expect(result.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual([
      ['i2', 21, -1],
      ['i4', 23, -1],
      ['i8', 20, -1],
      ['f4', 700, -1],
      ['f8', 701, -1],
      ['b', 16, -1],
      ['t', 25, -1],
      ['vc', 1043, 9],
      ['n', 1700, (10 << 16) + 3 + 4],
      ['by', 17, -1],
      ['d', 1082, -1],
      ['ts', 1114, -1],
      ['nul', 23, -1],
    ]);
  });

  it('binary format gives the same values', async () => {
    const text = (await client.query(query)).rows[0] as Record<string, unknown>;
    const binary = (await client.query({ text: query, binary: true } as pg.QueryConfig)).rows[0] as Record<string, unknown>;
    for (const name of ['i2', 'i4', 'f4', 'f8', 'b', 't', 'vc', 'by', 'nul']) expect(binary[name], name).toEqual(text[name]);
    expect(String(binary.i8)).toBe('9007199254740993');
    expect((binary.ts as Date).toISOString()).toBe((text.ts as Date).toISOString());
  });

  it('parameters of each type round-trip', async () => {
    const result = await client.query('SELECT $1::INT8 AS a, $2::NUMERIC AS b, $3::BYTEA AS c, $4::BOOL AS d, $5::TEXT AS e, $6::DATE AS f', [
      '-9223372036854775808',
      '-0.000001',
      Buffer.from('xyz'),
      false,
      null,
      '1999-12-31',
    ]);
    const row = result.rows[0] as Record<string, unknown>;
    expect(row.a).toBe('-9223372036854775808');
    expect(row.b).toBe('-0.000001');
    expect(row.c).toEqual(Buffer.from('xyz'));
    expect(row.d).toBe(false);
    expect(row.e).toBe(null);
    expect((row.f as Date).getFullYear()).toBe(1999);
  });

  it('a bad parameter is 22P02 and the connection goes on', async () => {
    await expect(client.query('SELECT $1::INT4 AS x', ['twelve'])).rejects.toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "twelve"' });
    expect((await client.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });
});
