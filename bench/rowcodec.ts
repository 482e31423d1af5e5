/**
 * `npm run bench -- rowcodec [--seconds=N]`: rows/s through `sql/rowcodec` — encoding a row's
 * primary entry and its secondary index entries, and decoding the primary entry — against the
 * same rows through `JSON.stringify` + UTF-8 (and back), a schemaless codec that keeps no key
 * order, as the reference. Two tables: pgbench_accounts (int4 aid, bid, abalance, char(84)
 * filler) and a wider orders row (bigint id, text, numeric(12,2), timestamptz, uuid, varchar)
 * with a non-unique and a unique secondary index.
 */
import { RowCodec, type TableDescriptor } from '../sql/rowcodec/index.js';
import { Numeric, parseTypeName, type Datum } from '../sql/types/index.js';
import { flag, nowMs, progress, report } from './_report.js';

const seconds = flag('seconds', 2);

const column = (id: number, name: string, type: string, nullable = false) => ({ id, name, type: parseTypeName(type).type, nullable });

const accounts: TableDescriptor = {
  id: 100,
  name: 'pgbench_accounts',
  columns: [column(1, 'aid', 'int'), column(2, 'bid', 'int', true), column(3, 'abalance', 'int', true), column(4, 'filler', 'char(84)', true)],
  primaryIndex: { id: 1, name: 'pk', unique: true, columns: [{ columnId: 1, direction: 'ascending' }] },
  secondaryIndexes: [],
};

const orders: TableDescriptor = {
  id: 101,
  name: 'orders',
  columns: [
    column(1, 'id', 'bigint'),
    column(2, 'customer', 'text'),
    column(3, 'total', 'numeric(12,2)', true),
    column(4, 'placed', 'timestamptz', true),
    column(5, 'token', 'uuid', true),
    column(6, 'status', 'varchar(16)', true),
  ],
  primaryIndex: { id: 1, name: 'pk', unique: true, columns: [{ columnId: 1, direction: 'ascending' }] },
  secondaryIndexes: [
    { id: 2, name: 'by_customer', unique: false, columns: [{ columnId: 2, direction: 'ascending' }, { columnId: 4, direction: 'descending' }] },
    { id: 3, name: 'by_token', unique: true, columns: [{ columnId: 5, direction: 'ascending' }] },
  ],
};

const rows: Record<string, { table: TableDescriptor; make: (i: number) => Datum[] }> = {
  pgbench_accounts: { table: accounts, make: (i) => [i, 1 + (i % 10), i % 1000, ' '.repeat(84)] },
  orders: {
    table: orders,
    make: (i) => [BigInt(i), `customer-${i % 997}`, Numeric.of(BigInt(i * 137), 2), 800_000_000_000_000n + BigInt(i) * 1_000_000n, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'shipped'],
  },
};

function rate(fn: (i: number) => void): number {
  for (const measure of [false, true]) {
    let count = 0;
    const start = nowMs();
    while (nowMs() - start < seconds * 1000) {
      for (let i = 0; i < 100; i++) fn(count + i);
      count += 100;
    }
    if (measure) return (count * 1000) / (nowMs() - start);
  }
  return 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const toJson = (row: readonly Datum[]): string => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value instanceof Numeric ? value.toString() : value));

for (const [name, { table, make }] of Object.entries(rows)) {
  const codec = new RowCodec(table);
  const samples = Array.from({ length: 1024 }, (_, i) => make(i + 1));
  progress(`${name}: encode (primary + ${table.secondaryIndexes.length} index entries) then JSON, ${seconds}s each after a warm-up`);
  const encode = rate((i) => {
    const row = samples[i & 1023]!;
    codec.encodePrimary(row);
    codec.indexEntries(row);
  });
  const encodeJson = rate((i) => encoder.encode(toJson(samples[i & 1023]!)));
  report({ bench: 'rowcodec', metric: `${name}_encode_rows_per_second`, unit: 'rows/s', value: encode, reference: encodeJson });
  const encoded = samples.map((row) => codec.encodePrimary(row));
  const json = samples.map((row) => encoder.encode(toJson(row)));
  const out: Datum[] = new Array<Datum>(table.columns.length);
  const decode = rate((i) => {
    const { key, value } = encoded[i & 1023]!;
    codec.decodePrimary(key, value, out);
  });
  const decodeJson = rate((i) => JSON.parse(decoder.decode(json[i & 1023]!)));
  report({ bench: 'rowcodec', metric: `${name}_decode_rows_per_second`, unit: 'rows/s', value: decode, reference: decodeJson });
}
