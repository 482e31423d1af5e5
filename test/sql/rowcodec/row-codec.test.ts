/**
 * RowCodec behaviour: random rows of a table with every value type round-trip through the
 * primary index and each secondary index; primary keys sort in the SQL order of their columns
 * (directions included); unique indexes conflict on equal values but never on NULLs; ADD and
 * DROP COLUMN need no rewrite; corrupt bytes are RowDecodeErrors, never wrong rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowCodec, RowDecodeError, type ColumnDescriptor, type TableDescriptor } from '../../../sql/rowcodec/index.js';
import { FeatureNotSupportedError, Numeric, compareDatums, parseTypeName, type Datum } from '../../../sql/types/index.js';
import { datumArbitrary, sameDatum } from '../types/arbitrary.js';

const column = (id: number, name: string, type: string, nullable = true): ColumnDescriptor => ({ id, name, type: parseTypeName(type).type, nullable });

const wide: TableDescriptor = {
  id: 60,
  name: 'wide',
  columns: [
    column(1, 'k_num', 'numeric', false),
    column(2, 'k_text', 'text', false),
    column(3, 'b', 'boolean'),
    column(4, 'i2', 'smallint'),
    column(5, 'i8', 'bigint'),
    column(6, 'f4', 'real'),
    column(7, 'f8', 'double precision'),
    column(8, 'bytes', 'bytea'),
    column(9, 'd', 'date'),
    column(10, 'ts', 'timestamp'),
    column(11, 'span', 'interval'),
    column(12, 'doc', 'jsonb'),
    column(13, 'u', 'uuid'),
    column(14, 'c', 'bpchar'),
    column(15, 'arr', 'text[]'),
    column(16, 'o', 'oid'),
  ],
  primaryIndex: { id: 1, name: 'pk', unique: true, columns: [{ columnId: 1, direction: 'ascending' }, { columnId: 2, direction: 'descending' }] },
  secondaryIndexes: [
    { id: 2, name: 'by_f8_ts', unique: false, columns: [{ columnId: 7, direction: 'descending' }, { columnId: 10, direction: 'ascending' }] },
    { id: 3, name: 'uniq_u', unique: true, columns: [{ columnId: 13, direction: 'ascending' }] },
    { id: 4, name: 'by_c_num', unique: false, columns: [{ columnId: 14, direction: 'ascending' }, { columnId: 1, direction: 'ascending' }] },
  ],
};

const rowArbitrary: fc.Arbitrary<Datum[]> = fc.tuple(
  ...wide.columns.map((c) => {
    const arbitrary = c.type.kind === 'array' ? fc.array(fc.option(fc.string(), { nil: null }), { maxLength: 3 }) : datumArbitrary(c.type, { forKey: true });
    return c.nullable ? fc.option(arbitrary as fc.Arbitrary<Datum>, { nil: null }) : (arbitrary as fc.Arbitrary<Datum>);
  }),
);

describe('RowCodec round trips', () => {
  const codec = new RowCodec(wide);

  it('primary entries decode to the row exactly, secondary entries to their columns', () => {
    fc.assert(
      fc.property(rowArbitrary, (row) => {
        const { key, value } = codec.encodePrimary(row);
        const decoded = codec.decodePrimary(key, value);
        wide.columns.forEach((c, position) => expect(sameDatum(decoded[position]!, row[position]!), c.name).toBe(true));
        for (const entry of codec.indexEntries(row)) {
          const index = wide.secondaryIndexes.find((i) => i.id === entry.indexId)!;
          const fromIndex = codec.decodeIndexEntry(entry.indexId, entry.key, entry.value);
          for (const id of [1, 2, ...index.columns.map((c) => c.columnId)]) {
            const position = wide.columns.findIndex((c) => c.id === id);
            expect(sameDatum(fromIndex[position]!, row[position]!), `${index.name}.${wide.columns[position]!.name}`).toBe(true);
          }
        }
      }),
      { seed: 777, numRuns: 300 },
    );
  });

  it('primary keys sort as (k_num ASC, k_text DESC)', () => {
    const keyArbitrary = fc.tuple(datumArbitrary(wide.columns[0]!.type), datumArbitrary(wide.columns[1]!.type));
    fc.assert(
      fc.property(keyArbitrary, keyArbitrary, ([n1, t1], [n2, t2]) => {
        const expected = compareDatums(wide.columns[0]!.type, n1, n2) || -compareDatums(wide.columns[1]!.type, t1, t2);
        const actual = Buffer.compare(codec.primaryKeyFromValues([n1, t1]), codec.primaryKeyFromValues([n2, t2]));
        expect(Math.sign(actual)).toBe(Math.sign(expected));
        // A prefix of the key columns gives a key prefix.
        const prefix = codec.primaryKeyFromValues([n1]);
        expect(Buffer.from(codec.primaryKeyFromValues([n1, t1]).subarray(0, prefix.length)).equals(prefix)).toBe(true);
      }),
      { seed: 778, numRuns: 300 },
    );
  });
});

describe('unique indexes', () => {
  const codec = new RowCodec(wide);
  const row = (k: number, u: string | null): Datum[] => {
    const out: Datum[] = wide.columns.map(() => null);
    out[0] = Numeric.of(BigInt(k));
    out[1] = 'x';
    out[12] = u;
    return out;
  };

  it('equal values collide on the key (the conditional put fails); the pk is in the value', () => {
    const first = codec.indexEntry(3, row(1, '00000000-0000-0000-0000-000000000001'));
    const second = codec.indexEntry(3, row(2, '00000000-0000-0000-0000-000000000001'));
    expect(first.unique).toBe(true);
    expect(Buffer.from(first.key).equals(second.key)).toBe(true);
    expect(Buffer.from(first.value).equals(second.value)).toBe(false);
  });

  it('NULLs never collide: a NULL entry is keyed with the pk', () => {
    const first = codec.indexEntry(3, row(1, null));
    const second = codec.indexEntry(3, row(2, null));
    expect(first.unique).toBe(false);
    expect(Buffer.from(first.key).equals(second.key)).toBe(false);
  });
});

describe('schema changes rewrite no row', () => {
  const v1: TableDescriptor = {
    id: 61,
    name: 't',
    columns: [column(1, 'id', 'int', false), column(2, 'a', 'text'), column(3, 'gone', 'numeric')],
    primaryIndex: { id: 1, name: 'pk', unique: true, columns: [{ columnId: 1, direction: 'ascending' }] },
    secondaryIndexes: [],
  };
  // DROP COLUMN gone; ADD COLUMN added int DEFAULT 42; ADD COLUMN plain text.
  const v2: TableDescriptor = {
    ...v1,
    columns: [v1.columns[0]!, v1.columns[1]!, { ...column(4, 'added', 'int'), missingValue: 42 }, column(5, 'plain', 'text')],
  };

  it('an old row reads the added columns as their missing values and skips the dropped one', () => {
    const old = new RowCodec(v1).encodePrimary([1, 'a', Numeric.parse('1.25')]);
    expect(new RowCodec(v2).decodePrimary(old.key, old.value)).toEqual([1, 'a', 42, null]);
  });

  it('a new row with NULL in a column that has a missing value reads NULL, not the missing value', () => {
    const fresh = new RowCodec(v2).encodePrimary([2, null, null, 'p']);
    expect(new RowCodec(v2).decodePrimary(fresh.key, fresh.value)).toEqual([2, null, null, 'p']);
    // And the old schema skips the entries it does not know.
    expect(new RowCodec(v1).decodePrimary(fresh.key, fresh.value)).toEqual([2, null, null]);
  });
});

describe('corrupt bytes and unsupported keys', () => {
  const codec = new RowCodec(wide);
  const row = wide.columns.map((): Datum => null);
  row[0] = Numeric.of(15n, 1);
  row[1] = 'k';
  row[6] = 2.5;
  const { key, value } = codec.encodePrimary(row);

  it('rejects a wrong version, truncation and a key of another index', () => {
    expect(() => codec.decodePrimary(key, Uint8Array.of(2))).toThrow(RowDecodeError);
    expect(() => codec.decodePrimary(key, value.subarray(0, value.length - 1))).toThrow(RowDecodeError);
    expect(() => codec.decodePrimary(codec.indexEntry(2, row).key, value)).toThrow(RowDecodeError);
  });

  it('decodes a value handed out as a view into a larger buffer (floats and text at an offset)', () => {
    const withText = [...row];
    withText[5] = 1.25;
    withText[13] = 'padded text';
    const encoded = codec.encodePrimary(withText).value;
    const larger = new Uint8Array(encoded.length + 7).fill(0xee);
    larger.set(encoded, 3);
    const decoded = codec.decodePrimary(key, larger.subarray(3, 3 + encoded.length));
    expect([decoded[5], decoded[6], decoded[13]]).toEqual([1.25, 2.5, 'padded text']);
  });

  it('rejects text that is not UTF-8', () => {
    const withText = [...row];
    withText[13] = 'abc';
    const encoded = codec.encodePrimary(withText).value;
    const at = Buffer.from(encoded).indexOf('abc');
    expect(at).toBeGreaterThan(0);
    const corrupt = Uint8Array.from(encoded);
    corrupt[at + 1] = 0xff;
    expect(() => codec.decodePrimary(key, corrupt)).toThrow(/invalid UTF-8/);
  });

  it('never crashes or returns garbage on random value bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          codec.decodePrimary(key, Uint8Array.from([1, ...bytes]));
        } catch (error) {
          expect(error).toBeInstanceOf(RowDecodeError);
        }
      }),
      { seed: 779, numRuns: 500 },
    );
  });

  it('refuses interval, jsonb and array key columns', () => {
    for (const type of ['interval', 'jsonb', 'int[]']) {
      const table: TableDescriptor = {
        id: 62,
        name: 'bad',
        columns: [column(1, 'k', type, false)],
        primaryIndex: { id: 1, name: 'pk', unique: true, columns: [{ columnId: 1, direction: 'ascending' }] },
        secondaryIndexes: [],
      };
      expect(() => new RowCodec(table)).toThrow(FeatureNotSupportedError);
    }
  });
});

describe('index key prefixes for lookups', () => {
  const codec = new RowCodec(wide);
  it('a secondary index key starts with the prefix of its leading values', () => {
    fc.assert(
      fc.property(rowArbitrary, (row) => {
        const entry = codec.indexEntry(2, row);
        const prefix = codec.indexKeyFromValues(2, [row[6]!]);
        expect(Buffer.from(entry.key.subarray(0, prefix.length)).equals(prefix)).toBe(true);
        const both = codec.indexKeyFromValues(2, [row[6]!, row[9]!]);
        expect(Buffer.from(entry.key.subarray(0, both.length)).equals(both)).toBe(true);
      }),
      { seed: 780, numRuns: 200 },
    );
  });
});
