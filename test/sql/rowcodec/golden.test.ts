/**
 * Golden row encodings (testdata/rows): for each row of a fixed table, the primary and secondary
 * index entries as keys pretty-printed by kv/api and values in hex, then the row decoded back
 * from every entry. Review byte changes here as format changes: stored data depends on them.
 * `REWRITE=1 npx vitest run test/sql/rowcodec/golden.test.ts` regenerates the file.
 */
import { describe, expect, it } from 'vitest';
import { prettyKey } from '../../../kv/api/index.js';
import { RowCodec, type TableDescriptor } from '../../../sql/rowcodec/index.js';
import { RangedbError } from '../../../src/base/errors.js';
import { formatText, parseText, parseTypeName, timeZoneFromSetting, type Datum } from '../../../sql/types/index.js';
import { parseCommand, runDataDrivenFile } from '../../support/datadriven.js';

const column = (id: number, name: string, type: string, nullable = true) => ({ id, name, type: parseTypeName(type).type, nullable });

export const accounts: TableDescriptor = {
  id: 52,
  name: 'accounts',
  columns: [
    column(1, 'id', 'bigint', false),
    column(2, 'name', 'text', false),
    column(3, 'balance', 'numeric(10,2)'),
    column(4, 'email', 'varchar(20)'),
    column(5, 'created', 'timestamptz'),
    column(6, 'score', 'float8'),
    column(7, 'tag', 'uuid'),
    column(8, 'flags', 'int4[]'),
  ],
  primaryIndex: { id: 1, name: 'accounts_pkey', unique: true, columns: [{ columnId: 1, direction: 'ascending' }] },
  secondaryIndexes: [
    { id: 2, name: 'by_name', unique: false, columns: [{ columnId: 2, direction: 'ascending' }, { columnId: 5, direction: 'descending' }] },
    { id: 3, name: 'by_email', unique: true, columns: [{ columnId: 4, direction: 'ascending' }] },
    { id: 4, name: 'by_balance', unique: false, columns: [{ columnId: 3, direction: 'ascending' }] },
  ],
};

const context = { timeZone: timeZoneFromSetting('UTC') };
const codec = new RowCodec(accounts);

function parseRow(line: string): Datum[] {
  const args = parseCommand(`row ${line}`).args;
  return accounts.columns.map((c) => {
    const text = args.get(c.name);
    return text === undefined || text === 'NULL' ? null : parseText(c.type, text, context);
  });
}

function showRow(row: readonly Datum[]): string {
  return accounts.columns.map((c, position) => `${c.name}=${row[position] === undefined || row[position] === null ? 'NULL' : formatText(c.type, row[position], context)}`).join(' ');
}

const hex = (bytes: Uint8Array): string => (bytes.length === 0 ? '""' : Buffer.from(bytes).toString('hex'));

function encodeCase(line: string): string {
  const row = parseRow(line);
  const out: string[] = [];
  const primary = codec.encodePrimary(row);
  out.push(`primary ${prettyKey(primary.key)} -> ${hex(primary.value)}`);
  out.push(`  decoded: ${showRow(codec.decodePrimary(primary.key, primary.value))}`);
  for (const entry of codec.indexEntries(row)) {
    const index = accounts.secondaryIndexes.find((i) => i.id === entry.indexId)!;
    out.push(`${index.name}${entry.unique ? ' (unique, cput)' : ''} ${prettyKey(entry.key)} -> ${hex(entry.value)}`);
    const decoded = codec.decodeIndexEntry(entry.indexId, entry.key, entry.value);
    const shown = [1, ...index.columns.map((c) => c.columnId)].map((id) => {
      const position = accounts.columns.findIndex((c) => c.id === id);
      const value = decoded[position] ?? null;
      return `${accounts.columns[position]!.name}=${value === null ? 'NULL' : formatText(accounts.columns[position]!.type, value, context)}`;
    });
    out.push(`  decoded: ${[...new Set(shown)].join(' ')}`);
  }
  return out.join('\n');
}

describe('row codec golden encodings', () => {
  it('testdata/rows', async () => {
    const results = await runDataDrivenFile(new URL('./testdata/rows', import.meta.url).pathname, async (testCase) => {
      try {
        return testCase.input.map(encodeCase).join('\n');
      } catch (error) {
        if (error instanceof RangedbError) return `error ${error.sqlState}: ${error.message}`;
        throw error;
      }
    });
    for (const { testCase, actual } of results) expect(actual, `case at line ${testCase.line}`).toBe(testCase.expected);
  });
});
