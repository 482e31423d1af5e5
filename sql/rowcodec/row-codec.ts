/**
 * `RowCodec`: one table's rows ↔ key-value pairs (DESIGN §6 "Row codec"). Built once per table
 * descriptor (it precomputes key prefixes, column positions and the value layout), then used for
 * every row; it reuses one key builder and one value writer, so encoding a row allocates only
 * the keys and values it returns. Not reentrant (JS is single-threaded; don't share one across
 * an `await` in the middle of an encode — there is none).
 *
 * ```
 *   primary     /Table/<id>/<pk index id>/<pk columns…>             → 0x01 ∥ non-key column entries
 *                                                                      (+ exact composite pk datums)
 *   secondary   /Table/<id>/<index id>/<index columns…>/<pk suffix…> → ""  (or 0x01 ∥ composite datums)
 *   unique      /Table/<id>/<index id>/<index columns…>              → 0x01 ∥ pk suffix datums (∥ composites)
 *     …with a NULL index column: keyed like a non-unique index (every NULL is distinct)
 * ```
 *
 * The pk suffix is the primary key columns not already among the index's columns. A unique
 * entry (`IndexEntry.unique`) must be written with a conditional put that fails if the key
 * exists: that is how uniqueness is enforced.
 */
import { KeyBuilder, indexPrefix, readKeyValue, type Direction } from '../../kv/api/index.js';
import { assert, defined } from '../../src/base/assert.js';
import type { Datum } from '../types/datum.js';
import type { SqlType } from '../types/sql-type.js';
import { RowDecodeError } from './errors.js';
import { appendDatumKey, assertKeyEncodable, datumFromKeyValue, keyLosesInformation } from './key-datum.js';
import { checkTableDescriptor, type IndexDescriptor, type TableDescriptor } from './table.js';
import { ValueWriter } from './value-buffer.js';
import { openRowValue, readColumnEntries, rowValueVersion, writeColumnEntries, type ValueColumn } from './value-codec.js';

/** One key column: where its datum sits in a row, its type and direction. */
interface KeyColumn {
  readonly id: number;
  readonly position: number;
  readonly type: SqlType;
  readonly direction: Direction;
}

/** A key-value pair to write. */
export interface KeyValuePair {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** A secondary index entry; `unique` entries are keyed without the pk and need a conditional put. */
export interface IndexEntry extends KeyValuePair {
  readonly indexId: number;
  readonly unique: boolean;
}

interface IndexLayout {
  readonly descriptor: IndexDescriptor;
  readonly prefix: Uint8Array;
  readonly columns: readonly KeyColumn[];
  /** Primary key columns not among `columns`, appended to non-unique keys. */
  readonly suffix: readonly KeyColumn[];
  /** `suffix` as value columns (a unique entry's value), ascending by id. */
  readonly suffixValueColumns: readonly ValueColumn[];
  readonly suffixIds: ReadonlySet<number>;
  /** Key and suffix columns whose key form may lose information, ascending by id. */
  readonly compositeColumns: readonly ValueColumn[];
  /** A unique entry's value columns: the pk suffix and the composite columns, ascending by id. */
  readonly uniqueValueColumns: readonly ValueColumn[];
  readonly valueColumnsById: ReadonlyMap<number, ValueColumn>;
}

const byId = (left: { id: number }, right: { id: number }): number => left.id - right.id;

export class RowCodec {
  private readonly builder = new KeyBuilder(128);
  private readonly writer = new ValueWriter();
  private readonly primary: IndexLayout;
  private readonly secondaries: readonly IndexLayout[];
  private readonly secondariesById: ReadonlyMap<number, IndexLayout>;
  /** Non-key columns plus the pk columns (for their composite datums), ascending by id. */
  private readonly primaryValueColumns: readonly ValueColumn[];
  private readonly primaryValueColumnsById: ReadonlyMap<number, ValueColumn>;
  private readonly nonKeyColumns: readonly ValueColumn[];
  private readonly primaryKeyIds: ReadonlySet<number>;

  constructor(readonly table: TableDescriptor) {
    checkTableDescriptor(table);
    const positions = new Map(table.columns.map((column, position) => [column.id, position]));
    const valueColumn = (id: number): ValueColumn => {
      const position = defined(positions.get(id), 'column position');
      const column = table.columns[position]!;
      return Object.freeze({ id, position, type: column.type, missingValue: column.missingValue });
    };
    const keyColumns = (index: IndexDescriptor): KeyColumn[] =>
      index.columns.map(({ columnId, direction }) => {
        const { position, type } = valueColumn(columnId);
        assertKeyEncodable(type);
        return Object.freeze({ id: columnId, position, type, direction });
      });
    const primaryColumns = keyColumns(table.primaryIndex);
    this.primaryKeyIds = new Set(primaryColumns.map((column) => column.id));
    const layout = (descriptor: IndexDescriptor, isPrimary: boolean): IndexLayout => {
      const columns = isPrimary ? primaryColumns : keyColumns(descriptor);
      const inIndex = new Set(columns.map((column) => column.id));
      const suffix = isPrimary ? [] : primaryColumns.filter((column) => !inIndex.has(column.id));
      const suffixValueColumns = suffix.map((column) => valueColumn(column.id)).sort(byId);
      const compositeColumns = [...columns, ...suffix].map((column) => valueColumn(column.id)).sort(byId);
      const valueColumnsById = new Map([...suffixValueColumns, ...compositeColumns].map((column) => [column.id, column]));
      const suffixIds = new Set(suffix.map((column) => column.id));
      const uniqueValueColumns = [...valueColumnsById.values()].sort(byId);
      return Object.freeze({ descriptor, prefix: indexPrefix(table.id, descriptor.id), columns, suffix, suffixValueColumns, suffixIds, compositeColumns, uniqueValueColumns, valueColumnsById });
    };
    this.primary = layout(table.primaryIndex, true);
    this.secondaries = table.secondaryIndexes.map((index) => layout(index, false));
    this.secondariesById = new Map(this.secondaries.map((index) => [index.descriptor.id, index]));
    this.primaryValueColumns = table.columns.map((column) => valueColumn(column.id)).sort(byId);
    this.primaryValueColumnsById = new Map(this.primaryValueColumns.map((column) => [column.id, column]));
    this.nonKeyColumns = this.primaryValueColumns.filter((column) => !this.primaryKeyIds.has(column.id));
  }

  /** `/Table/<id>/<indexId>`: the prefix of every key of an index (for spans). */
  indexPrefix(indexId: number): Uint8Array {
    if (indexId === this.primary.descriptor.id) return this.primary.prefix;
    return this.layoutOf(indexId).prefix;
  }

  // ─── primary index ─────────────────────────────────────────────────────────────────────────

  /** The primary key of `row` (datums in `table.columns` order). */
  primaryKey(row: readonly Datum[]): Uint8Array {
    return this.key(this.primary, row, false);
  }

  /**
   * The primary key from the primary key datums alone (in primary index column order), for point
   * lookups; a shorter list gives the key prefix of every row starting with those values.
   */
  primaryKeyFromValues(values: readonly Datum[]): Uint8Array {
    assert(values.length <= this.primary.columns.length, 'more values than primary key columns');
    const builder = this.builder;
    builder.reset();
    builder.pushBytes(this.primary.prefix);
    values.forEach((datum, index) => {
      const column = this.primary.columns[index]!;
      assert(datum !== null, 'a primary key value cannot be NULL');
      appendDatumKey(builder, column.type, datum, column.direction);
    });
    return builder.finish();
  }

  /**
   * The key prefix of secondary index `indexId` for leading index column values (in index column
   * order), for point lookups and prefix scans: `[key, prefixEnd(key))` spans exactly the entries
   * whose leading columns equal `values`. NULL is allowed (it is a value of the key order).
   */
  indexKeyFromValues(indexId: number, values: readonly Datum[]): Uint8Array {
    const layout = this.layoutOf(indexId);
    assert(values.length <= layout.columns.length, 'more values than index columns');
    const builder = this.builder;
    builder.reset();
    builder.pushBytes(layout.prefix);
    values.forEach((datum, index) => {
      const column = layout.columns[index]!;
      appendDatumKey(builder, column.type, datum, column.direction);
    });
    return builder.finish();
  }

  /** The primary index value: a version byte, then the non-key columns and composite pk datums. */
  primaryValue(row: readonly Datum[]): Uint8Array {
    assert(row.length === this.table.columns.length, () => `row has ${row.length} datums, table ${this.table.columns.length} columns`);
    const writer = this.writer;
    writer.reset();
    writer.byte(rowValueVersion);
    writeColumnEntries(writer, this.primaryValueColumns, row, (column) => !this.primaryKeyIds.has(column.id) || keyLosesInformation(column.type, row[column.position] ?? null));
    return writer.finish();
  }

  encodePrimary(row: readonly Datum[]): KeyValuePair {
    return { key: this.primaryKey(row), value: this.primaryValue(row) };
  }

  /**
   * The row stored at `key` with `value`. Columns absent from the value read as their missing
   * value (or NULL); entries of dropped columns are skipped. Fills and returns `out` if given.
   */
  decodePrimary(key: Uint8Array, value: Uint8Array, out: Datum[] = new Array<Datum>(this.table.columns.length)): Datum[] {
    for (const column of this.nonKeyColumns) out[column.position] = column.missingValue ?? null;
    const end = this.decodeKeyColumns(this.primary, this.primary.columns, key, this.primary.prefix.length, out);
    if (end !== key.length) throw new RowDecodeError('primary key has trailing bytes');
    readColumnEntries(openRowValue(value), this.primaryValueColumnsById, out);
    return out;
  }

  // ─── secondary indexes ─────────────────────────────────────────────────────────────────────

  /** The entry of `row` in secondary index `indexId`. */
  indexEntry(indexId: number, row: readonly Datum[]): IndexEntry {
    const layout = this.layoutOf(indexId);
    const hasNull = layout.columns.some((column) => row[column.position] === null);
    const unique = layout.descriptor.unique && !hasNull;
    const key = this.key(layout, row, !unique);
    const writer = this.writer;
    writer.reset();
    writer.byte(rowValueVersion);
    const columns = unique ? layout.uniqueValueColumns : layout.compositeColumns;
    const wrote = writeColumnEntries(writer, columns, row, (column) => (unique && layout.suffixIds.has(column.id)) || keyLosesInformation(column.type, row[column.position] ?? null));
    return { indexId, key, value: wrote ? writer.finish() : new Uint8Array(0), unique };
  }

  /** The entries of `row` in every secondary index, in descriptor order. */
  indexEntries(row: readonly Datum[]): IndexEntry[] {
    return this.secondaries.map((layout) => this.indexEntry(layout.descriptor.id, row));
  }

  /**
   * The index and primary key columns of the entry at `key` with `value`, written into `out`
   * (other positions untouched). A unique entry keyed without the pk takes it from the value.
   */
  decodeIndexEntry(indexId: number, key: Uint8Array, value: Uint8Array, out: Datum[] = new Array<Datum>(this.table.columns.length).fill(null)): Datum[] {
    const layout = this.layoutOf(indexId);
    let offset = this.decodeKeyColumns(layout, layout.columns, key, layout.prefix.length, out);
    if (offset < key.length) offset = this.decodeKeyColumns(layout, layout.suffix, key, offset, out);
    else if (!layout.descriptor.unique && layout.suffix.length > 0) throw new RowDecodeError('index key lacks its primary key suffix');
    if (offset !== key.length) throw new RowDecodeError('index key has trailing bytes');
    if (value.length > 0) readColumnEntries(openRowValue(value), layout.valueColumnsById, out);
    return out;
  }

  // ─── shared ────────────────────────────────────────────────────────────────────────────────

  private layoutOf(indexId: number): IndexLayout {
    return defined(this.secondariesById.get(indexId), `secondary index ${indexId} of table ${this.table.name}`);
  }

  private key(layout: IndexLayout, row: readonly Datum[], withSuffix: boolean): Uint8Array {
    assert(row.length === this.table.columns.length, () => `row has ${row.length} datums, table ${this.table.columns.length} columns`);
    const builder = this.builder;
    builder.reset();
    builder.pushBytes(layout.prefix);
    for (const column of layout.columns) appendDatumKey(builder, column.type, row[column.position] ?? null, column.direction);
    if (withSuffix) for (const column of layout.suffix) appendDatumKey(builder, column.type, row[column.position] ?? null, column.direction);
    return builder.finish();
  }

  private decodeKeyColumns(layout: IndexLayout, columns: readonly KeyColumn[], key: Uint8Array, start: number, out: Datum[]): number {
    if (start === layout.prefix.length && !hasPrefix(key, layout.prefix)) throw new RowDecodeError(`key is not in index ${layout.descriptor.name}`);
    let offset = start;
    for (const column of columns) {
      const element = readKeyValue(key, offset);
      if (element.direction !== column.direction) throw new RowDecodeError(`key column ${column.id} has the wrong direction`);
      out[column.position] = datumFromKeyValue(column.type, element.value);
      offset = element.end;
    }
    return offset;
  }
}

function hasPrefix(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index++) if (key[index] !== prefix[index]) return false;
  return true;
}

