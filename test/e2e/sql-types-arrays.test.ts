// Multidimensional arrays over the wire with the real engine and node-postgres: the text form
// (its postgres-array parser) and the binary form (pg-types' array_recv reader: ndim, flags,
// element OID, dimensions and lower bounds) give the same nested JS arrays; a nested JS array
// sent as a parameter arrives with its two dimensions.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPg, startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
let client: pg.Client;
beforeAll(async () => {
  server = await startSqlNode();
  client = await connectPg(server.port);
});
afterAll(async () => {
  await client.end();
  await server.stop();
});

const query = `SELECT ARRAY[[1, 2], [3, 4]] AS ints, '{{a,NULL},{"b c",d}}'::TEXT[] AS words, '[0:1][1:1]={{5},{6}}'::INT8[] AS shifted, '{}'::INT4[] AS empty`;

describe('multidimensional arrays over pgwire', () => {
  it('text and binary format give the same nested arrays', async () => {
    const text = await client.query(query);
    const binary = await client.query({ text: query, binary: true } as pg.QueryConfig);
    for (const result of [text, binary]) {
      const row = result.rows[0] as Record<string, unknown>;
      expect(row.ints).toEqual([[1, 2], [3, 4]]);
      expect(row.words).toEqual([['a', null], ['b c', 'd']]);
      expect((row.shifted as unknown[][]).map((inner) => inner.map(String))).toEqual([['5'], ['6']]);
      expect(row.empty).toEqual([]);
    }
    expect(text.fields.map((field) => field.dataTypeID)).toEqual([1007, 1009, 1016, 1007]);
  });

  it('a nested array parameter keeps its dimensions, and a stored one reads back the same', async () => {
    const result = await client.query('SELECT array_dims($1::INT4[]) AS dims, ($1::INT4[])[2][1] AS cell', [[[1, 2], [3, 4]]]);
    expect(result.rows).toEqual([{ dims: '[1:2][1:2]', cell: 3 }]);
    await client.query('CREATE TABLE grid_wire (id INT PRIMARY KEY, cells INT4[][])');
    await client.query('INSERT INTO grid_wire VALUES (1, $1)', [[[7, 8], [9, null]]]);
    const stored = await client.query({ text: 'SELECT cells, array_dims(cells) AS dims FROM grid_wire', binary: true } as pg.QueryConfig);
    expect(stored.rows).toEqual([{ cells: [[7, 8], [9, null]], dims: '[1:2][1:2]' }]);
  });
});
