/**
 * # sql/catalog: what exists
 *
 * Databases, schemas, tables (columns, primary and secondary indexes, constraints) and sequences,
 * as versioned descriptors in the system keyspace, read and written in the caller's transaction
 * so that DDL is transactional (DESIGN §6 "Catalog").
 *
 * ```
 *   /System/Descriptor/0                     catalog version token  ─┐ read once per statement;
 *   /System/Descriptor/<id>                  descriptor (JSON)       │ the DescriptorCache serves
 *   /System/Namespace/<parent>/<schema>/name {id, kind}             ─┘ the rest while it is unchanged
 *   /System/Generator/"descriptor-id"        id counter (ids from 100)
 *   /System/Generator/<sequence id>          a sequence's call count (non-transactional)
 *
 *   defaultdb (100) ── public (101)          postgres (102) ── public (103)      (bootstrap)
 * ```
 *
 * - `descriptors.ts`: the descriptor types — `TableDesc` extends the row codec's
 *   `TableDescriptor` with SQL's extras (hidden `rowid`, DEFAULT and CHECK expressions as AST,
 *   constraint kinds of indexes, never-reused column and index ids) — and their JSON encoding.
 * - `catalog.ts`: `Catalog`, one transaction's view, and the `DescriptorCache` keyed by the
 *   catalog version token (a new, unique token per DDL write, so no transaction can see another
 *   one's uncommitted descriptors through the cache).
 * - `version-fence.ts`: `CatalogVersionFence`, one non-transactional read of the token that
 *   confirms the catalog for a group of concurrent point lookups (a read index for the catalog),
 *   so that they need not read the token each in its own transaction.
 * - `resolve.ts`: PostgreSQL's name resolution (search_path, `schema.table`).
 * - `errors.ts`: `SqlError` with PostgreSQL's SQLSTATEs and wording, used by the whole SQL layer.
 *
 * - Views (`ViewDesc`) keep their CREATE VIEW text and fixed output columns; what a view reads
 *   carries it in `dependedOnBy` (back-references, so DROP and ALTER find the views they would
 *   break). Comments (COMMENT ON) are a `comment` field on the descriptor they describe.
 *
 * Not yet: users and privileges, descriptor leases across nodes (today every
 * statement reads the version token, which also orders it after any concurrent DDL — or, for a
 * prepared point lookup, has a fence read it for its group).
 */
export * from './catalog.js';
export * from './descriptors.js';
export * from './errors.js';
export * from './resolve.js';
export * from './version-fence.js';
