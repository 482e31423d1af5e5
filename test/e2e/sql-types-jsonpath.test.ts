// The jsonpath type over the wire with the real engine and node-postgres: its OIDs (4072, array
// 4073) in RowDescription, its canonical text (PostgreSQL's jsonpath_out) in text format and in
// binary format (a version byte, 1, then the text, as jsonpath_send), a binary parameter read
// as jsonpath_recv does (version byte checked, text parsed: 42601 on bad syntax), a jsonpath
// column returning what was stored, and the jsonb_path_* functions taking it as a parameter.
import { describe, expect, it } from 'vitest';
import { rawTypes, textAndBinaryClients } from './sql-support.js';

const nodes = textAndBinaryClients();

const written = '$.a[*] ? (@ > 1 && @.b == "é")';
const canonical = '$."a"[*]?(@ > 1 && @."b" == "é")';
const raw = rawTypes;

describe('jsonpath over pgwire', () => {
  it('is OID 4072 (array 4073) and prints its canonical text', async () => {
    const result = await nodes.client.query({ text: 'SELECT $1::jsonpath AS p, ARRAY[$1::jsonpath] AS a', values: [written], types: raw });
    expect(result.fields.map((field) => [field.name, field.dataTypeID])).toEqual([
      ['p', 4072],
      ['a', 4073],
    ]);
    expect(result.rows[0]).toEqual({ p: canonical, a: `{"${canonical.replace(/"/g, '\\"')}"}` });
  });

  it('is a version byte and its text in binary format', async () => {
    const result = await nodes.binaryClient.query({ text: 'SELECT $1::jsonpath AS p', values: [written], types: raw });
    expect(Buffer.from((result.rows[0] as { p: Buffer }).p)).toEqual(Buffer.concat([Buffer.of(1), Buffer.from(canonical, 'utf8')]));
  });

  it('takes a binary parameter as jsonpath_recv: version 1, then text it parses', async () => {
    const sent = Buffer.concat([Buffer.of(1), Buffer.from('strict $.x', 'utf8')]);
    expect((await nodes.client.query({ text: 'SELECT $1::jsonpath::text AS t', values: [sent] })).rows[0]).toEqual({ t: 'strict $."x"' });
    await expect(nodes.client.query({ text: 'SELECT $1::jsonpath AS p', values: [Buffer.concat([Buffer.of(2), Buffer.from('$', 'utf8')])] })).rejects.toThrow(/unsupported jsonpath version number/);
    await expect(nodes.client.query({ text: 'SELECT $1::jsonpath AS p', values: [Buffer.concat([Buffer.of(1), Buffer.from('$.a[', 'utf8')])] })).rejects.toMatchObject({ code: '42601' });
    expect((await nodes.client.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });

  it('stores a jsonpath column and evaluates it against jsonb', async () => {
    await nodes.client.query('CREATE TABLE jsonpath_wire (k int PRIMARY KEY, doc jsonb, p jsonpath)');
    await nodes.client.query('INSERT INTO jsonpath_wire VALUES (1, $1, $2), (2, NULL, NULL)', ['{"a": [1, 2, {"b": "é"}]}', '$.a[*] ? (@ > 1)']);
    const text = await nodes.client.query({ text: 'SELECT p, jsonb_path_query_array(doc, p) AS found, doc @? p AS exists FROM jsonpath_wire ORDER BY k', types: raw });
    expect(text.rows).toEqual([
      { p: '$."a"[*]?(@ > 1)', found: '[2]', exists: 't' },
      { p: null, found: null, exists: null },
    ]);
    const binary = await nodes.binaryClient.query({ text: 'SELECT p FROM jsonpath_wire WHERE k = $1', values: [1], types: raw });
    expect(Buffer.from((binary.rows[0] as { p: Buffer }).p).subarray(1).toString('utf8')).toBe('$."a"[*]?(@ > 1)');
    const matched = await nodes.client.query({ text: 'SELECT jsonb_path_match(doc, $1, $2) AS m FROM jsonpath_wire WHERE k = 1', values: ['exists($.a[*] ? (@.b == $v))', '{"v": "é"}'] });
    expect(matched.rows).toEqual([{ m: true }]);
  });
});
