// The json type over the wire with the real engine and node-postgres: its OID (114) in
// RowDescription, its text kept as written (blanks, key order, duplicate keys) in text and in
// binary format (json's binary form is its text, with no version byte, unlike jsonb's), a json
// parameter sent in binary format (a Buffer) validated as json_recv does, and a json column
// returning what was stored.
import { describe, expect, it } from 'vitest';
import { rawTypes, textAndBinaryClients } from './sql-support.js';

const nodes = textAndBinaryClients();

const document = '{"b": 1,  "a": [1,2], "b": 2}';
const raw = rawTypes;

describe('json over pgwire', () => {
  it('is OID 114 and keeps its text in text format', async () => {
    const result = await nodes.client.query({ text: `SELECT $1::json AS j, ARRAY[$1::json] AS a`, values: [document], types: raw });
    expect(result.fields.map((field) => [field.name, field.dataTypeID])).toEqual([
      ['j', 114],
      ['a', 199],
    ]);
    expect(result.rows[0]).toEqual({ j: document, a: `{"{\\"b\\": 1,  \\"a\\": [1,2], \\"b\\": 2}"}` });
  });

  it('is its UTF-8 text in binary format', async () => {
    const result = await nodes.binaryClient.query({ text: `SELECT '{"é":  1}'::json AS j, '{"é":  1}'::jsonb AS jb, $1::int AS x`, values: [1], types: raw });
    const row = result.rows[0] as { j: Buffer; jb: Buffer };
    expect(Buffer.from(row.j)).toEqual(Buffer.from('{"é":  1}', 'utf8'));
    // jsonb's binary form starts with its version byte, 1.
    expect(Buffer.from(row.jb)).toEqual(Buffer.concat([Buffer.of(1), Buffer.from('{"é": 1}', 'utf8')]));
  });

  it('takes a binary parameter as json_recv: validated, kept as sent', async () => {
    const result = await nodes.client.query({ text: 'SELECT $1::json::text AS t', values: [Buffer.from(document, 'utf8')], types: raw });
    expect(result.rows[0]).toEqual({ t: document });
    await expect(nodes.client.query({ text: 'SELECT $1::json AS j', values: [Buffer.from('{"a":', 'utf8')] })).rejects.toMatchObject({ code: '22P02' });
    expect((await nodes.client.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });

  it('stores a json column and returns it as written', async () => {
    await nodes.client.query('CREATE TABLE json_wire (k int PRIMARY KEY, d json)');
    await nodes.client.query('INSERT INTO json_wire VALUES (1, $1), (2, NULL)', [document]);
    const text = await nodes.client.query({ text: 'SELECT d FROM json_wire ORDER BY k', types: raw });
    expect(text.rows).toEqual([{ d: document }, { d: null }]);
    const binary = await nodes.binaryClient.query({ text: 'SELECT d FROM json_wire WHERE k = $1', values: [1], types: raw });
    expect(Buffer.from((binary.rows[0] as { d: Buffer }).d).toString('utf8')).toBe(document);
    // node-postgres's own json parser reads it (the last duplicate key wins in JSON.parse).
    expect((await nodes.client.query('SELECT d FROM json_wire WHERE k = 1')).rows[0]).toEqual({ d: { b: 2, a: [1, 2] } });
  });
});
