/**
 * # sql/rowcodec: rows to key-value pairs
 *
 * A SQL table lives in the sorted key-value store as one entry per row in its primary index and
 * one per row in each secondary index (DESIGN §6 "Row codec", CockroachDB's row encoding).
 * This folder turns a row — datums in the table's column order, typed by `sql/types` — into those
 * entries and back, given a `TableDescriptor` (table.ts), the small interface the catalog fills.
 *
 * ```
 *   row (Datum[]) ──RowCodec.encodePrimary──► /Table/52/1/<pk…>                → 0x01 ∥ columns by id
 *                ──RowCodec.indexEntries───► /Table/52/2/<idx…>/<pk suffix…>  → ""
 *                                            /Table/52/3/<uniq…>              → 0x01 ∥ pk suffix
 *   keys:   tableKey/indexPrefix (kv/api keyspace) ∥ order-preserving elements (key-datum.ts)
 *   values: version byte ∥ column-id-delta tagged entries (value-codec.ts, value-buffer.ts)
 * ```
 *
 * ## Keys sort like SQL
 *
 * Each key column is one element of the order-preserving tuple encoding that kv/api re-exports
 * (kv/storage/keys): a scan of an index in byte order is a scan in `compareDatums` order, with
 * descending columns complemented. `key-datum.ts` maps each SQL type onto a key kind (numeric
 * by value, text by UTF-8 bytes = code point order, uuid by its bytes, dates and timestamps by
 * value, NULL first ascending — the one deliberate difference from PostgreSQL's NULLS LAST,
 * explained in kv/storage/keys). A property test checks byte order against `compareDatums` for
 * every key type.
 *
 * ## Values survive schema changes
 *
 * The value holds the non-key columns as entries tagged with the column id (delta-encoded) and a
 * 4-bit kind, so ADD COLUMN and DROP COLUMN rewrite no row: a column missing from a stored value
 * reads as its `missingValue` (PostgreSQL's `attmissingval`: the DEFAULT at the time it was
 * added) or NULL, and entries of unknown column ids are skipped by their tag alone. NULLs cost
 * nothing (absent), except where a missing value would stand in for them. The first byte is a
 * format version, so the encoding can change without a rewrite too.
 *
 * ## Composite key columns
 *
 * A key element keeps a value's order and equality, not always its exact form: `1.50` and `1.5`
 * are equal numerics and share a key, `-0` and `0` floats too, and an unbounded `bpchar`'s
 * trailing blanks are not compared. For such datums the entry's value also carries the exact
 * datum (CockroachDB's composite encoding), so a row reads back exactly as written — `1.50`
 * stays `1.50`. Secondary index entries then get a value too, holding only those datums.
 *
 * ## Unique indexes and NULL
 *
 * A unique index entry is keyed by the index columns alone, its value holding the primary key,
 * and is written with a conditional put that fails if the key exists — uniqueness enforced by
 * the store. If an index column is NULL the entry is keyed like a non-unique one (index columns
 * then the pk), because in SQL every NULL is distinct: two rows with NULL never conflict.
 *
 * ## Hot path
 *
 * `RowCodec` is built once per table descriptor and precomputes key prefixes, positions and
 * layouts; per row it reuses one key builder and one value writer and allocates only the keys and
 * values it returns. Decoding writes into a caller-provided row array.
 *
 * ## Not yet
 *
 * interval, jsonb and array columns cannot be key columns (0A000); timestamps after 294247 AD
 * cannot be key columns (the key encoding's 1970-based int64 µs overflows); no column families;
 * no partial, expression or covering (STORING) indexes.
 */
export * from './errors.js';
export * from './key-datum.js';
export * from './row-codec.js';
export * from './table.js';
export { ValueReader, ValueWriter } from './value-buffer.js';
export { openRowValue, readColumnEntries, rowValueVersion, valueTags, writeColumnEntries, type ValueColumn } from './value-codec.js';
