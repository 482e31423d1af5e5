/**
 * The catalog snapshot behind `pg_catalog`: every database, the current database's schemas and
 * relations read once in the statement's transaction, with the OIDs PostgreSQL's catalogs would
 * give them. Virtual tables compute their rows from it and catalog functions look objects up in
 * it, so `pg_class.oid` joins `pg_attribute.attrelid`, `pg_index.indexrelid`,
 * `pg_constraint.conindid`, and `pg_get_indexdef(oid)` finds what `pg_index` listed.
 *
 * OIDs (stable as long as the descriptors are):
 *
 * ```
 *   database, schema, table, sequence   its descriptor id (100 and up)
 *   index                               indexOidBase      + tableId × 256 + slot (indexOidSlot)
 *   constraint backed by an index       constraintOidBase + tableId × 256 + slot
 *   CHECK constraint k (1-based)        checkOidBase      + tableId × 256 + k
 *   column default                      attrdefOidBase    + tableId × 2048 + attnum
 *   FOREIGN KEY k (1-based)             foreignKeyOidBase + tableId × 256 + k
 *   pg_catalog's own tables, types      PostgreSQL's OIDs (pg_class = 1259, int4 = 23, …)
 * ```
 *
 * A snapshot is the read side of a consistent core: it is built from one transaction's view of
 * the descriptors and never changes, so one statement sees one catalog.
 */
import { assert } from '../../src/base/assert.js';
import { Catalog, DescriptorCache } from '../catalog/catalog.js';
import { allIndexes, foreignKeysOf, type Descriptor, type ForeignKeyDesc, type IndexDesc, type SequenceDesc, type TableDesc, type ViewDesc } from '../catalog/descriptors.js';
import type { SessionSettings } from '../exec/contract.js';
import type { Txn } from '../../txn/index.js';

export const pgCatalogOid = 11;
export const publicSchemaOwnerOid = 6171;
export const bootstrapRoleOid = 10;
export const indexOidBase = 1 << 24;
export const constraintOidBase = 2 << 24;
export const checkOidBase = 3 << 24;
export const attrdefOidBase = 4 << 24;
/** Above every attrdef OID (`attrdefOidBase + tableIdOidMax × 2048` ends below 12 << 24). */
export const foreignKeyOidBase = 12 << 24;
/** Tables whose objects fit the OID scheme above (an index id and a CHECK number are below 256). */
export const tableIdOidMax = (1 << 16) - 1;

export const indexOid = (tableId: number, indexId: number): number => indexOidBase + tableId * 256 + indexId;
export const constraintOid = (tableId: number, indexId: number): number => constraintOidBase + tableId * 256 + indexId;

/**
 * The number below 256 an index's OIDs are made from (`indexOid`, `constraintOid`): its
 * `oidSlot` (the id it had before a TRUNCATE renumbered it) or its id — or, for an index whose
 * number is past 255 (a table truncated hundreds of times, then given a new index), the
 * smallest number no other index of the table uses. Index ids are never reused, so they grow
 * with every TRUNCATE; the OIDs must not leave the scheme's range.
 */
export function indexOidSlot(table: TableDesc, index: IndexDesc): number {
  const preferred = (candidate: IndexDesc): number => candidate.oidSlot ?? candidate.id;
  const own = preferred(index);
  if (own < 256) return own;
  const taken = new Set(allIndexes(table).map(preferred).filter((slot) => slot < 256));
  // The overflowing indexes take the free numbers in their id order, so each keeps one while the table's indexes stay the same.
  const overflowing = allIndexes(table).filter((candidate) => preferred(candidate) >= 256).sort((a, b) => a.id - b.id);
  let slot = 1;
  for (const candidate of overflowing) {
    while (taken.has(slot)) slot++;
    if (candidate === index) break;
    slot++;
  }
  assert(slot < 256, () => `table ${table.name} has more indexes than the OID scheme's range`);
  return slot;
}
export const checkOid = (tableId: number, checkNumber: number): number => checkOidBase + tableId * 256 + checkNumber;
export const attrdefOid = (tableId: number, attnum: number): number => attrdefOidBase + tableId * 2048 + attnum;
export const foreignKeyOid = (tableId: number, number: number): number => foreignKeyOidBase + tableId * 256 + number;

/** An index with the table it belongs to. */
export interface IndexEntry {
  readonly oid: number;
  readonly table: TableDesc;
  readonly index: IndexDesc;
}

/** A constraint as `pg_constraint` has it: an index-backed PRIMARY KEY / UNIQUE, a CHECK, or a FOREIGN KEY. */
export type ConstraintEntry =
  | { readonly kind: 'index'; readonly oid: number; readonly table: TableDesc; readonly index: IndexDesc }
  | { readonly kind: 'check'; readonly oid: number; readonly table: TableDesc; readonly number: number }
  | ForeignKeyEntry;

/** A FOREIGN KEY with its referenced table and the PRIMARY KEY / UNIQUE index it references. */
export interface ForeignKeyEntry {
  readonly kind: 'foreign';
  readonly oid: number;
  readonly table: TableDesc;
  readonly fk: ForeignKeyDesc;
  readonly referenced: TableDesc;
  readonly referencedIndex: IndexDesc;
}

export interface SchemaEntry {
  readonly oid: number;
  readonly name: string;
  readonly owner: number;
  /** COMMENT ON SCHEMA (absent: none). */
  readonly comment?: string;
}

export class CatalogSnapshot {
  readonly tables: readonly TableDesc[];
  readonly sequences: readonly SequenceDesc[];
  readonly views: readonly ViewDesc[];
  readonly indexes: readonly IndexEntry[];
  readonly constraints: readonly ConstraintEntry[];
  private readonly relationsByOid = new Map<number, TableDesc | SequenceDesc | ViewDesc>();
  private readonly indexesByOid = new Map<number, IndexEntry>();
  private readonly constraintsByOid = new Map<number, ConstraintEntry>();

  constructor(
    readonly databases: readonly Descriptor[],
    /** `pg_catalog` first, then the current database's schemas. */
    readonly schemas: readonly SchemaEntry[],
    relations: readonly Descriptor[],
    readonly settings: SessionSettings,
  ) {
    this.tables = relations.filter((relation): relation is TableDesc => relation.kind === 'table');
    this.sequences = relations.filter((relation): relation is SequenceDesc => relation.kind === 'sequence');
    this.views = relations.filter((relation): relation is ViewDesc => relation.kind === 'view');
    for (const relation of [...this.tables, ...this.sequences, ...this.views]) this.relationsByOid.set(relation.id, relation);
    const indexes: IndexEntry[] = [];
    const constraints: ConstraintEntry[] = [];
    for (const table of this.tables) {
      assert(table.id <= tableIdOidMax, () => `table id ${table.id} is past the OID scheme's range`);
      for (const index of allIndexes(table)) {
        const slot = indexOidSlot(table, index);
        indexes.push({ oid: indexOid(table.id, slot), table, index });
        if (index.constraint !== 'none') constraints.push({ kind: 'index', oid: constraintOid(table.id, slot), table, index });
      }
      table.checks.forEach((_check, position) => constraints.push({ kind: 'check', oid: checkOid(table.id, position + 1), table, number: position + 1 }));
    }
    for (const table of this.tables) {
      foreignKeysOf(table).forEach((fk, position) => {
        const referenced = this.tables.find((candidate) => candidate.id === fk.referencedTableId);
        const referencedIndex = referenced === undefined ? undefined : allIndexes(referenced).find((index) => index.unique && index.columns.length === fk.referencedColumnIds.length && index.columns.every((column) => fk.referencedColumnIds.includes(column.columnId)));
        if (referenced === undefined || referencedIndex === undefined) return;
        constraints.push({ kind: 'foreign', oid: foreignKeyOid(table.id, position + 1), table, fk, referenced, referencedIndex });
      });
    }
    this.indexes = indexes;
    this.constraints = constraints;
    for (const entry of indexes) this.indexesByOid.set(entry.oid, entry);
    for (const entry of constraints) this.constraintsByOid.set(entry.oid, entry);
  }

  /** Reads the catalog in `txn` as the session `settings` sees it. */
  static async load(txn: Txn, settings: SessionSettings): Promise<CatalogSnapshot> {
    const catalog = await Catalog.open(txn, new DescriptorCache());
    const databases: Descriptor[] = [];
    for (const entry of await catalog.listNames(0, 0)) {
      const descriptor = await catalog.descriptor(entry.id);
      if (descriptor !== undefined) databases.push(descriptor);
    }
    const database = await catalog.database(settings.database);
    const schemas: SchemaEntry[] = [{ oid: pgCatalogOid, name: 'pg_catalog', owner: bootstrapRoleOid }];
    const relations: Descriptor[] = [];
    if (database !== undefined) {
      for (const entry of await catalog.listNames(database.id, 0)) {
        const schema = await catalog.descriptor(entry.id);
        if (schema === undefined) continue;
        // PostgreSQL 15: `public` belongs to pg_database_owner (whoever owns the database).
        const comment = schema.kind === 'schema' && schema.comment !== undefined ? { comment: schema.comment } : {};
        schemas.push({ oid: schema.id, name: schema.name, owner: schema.name === 'public' ? publicSchemaOwnerOid : bootstrapRoleOid, ...comment });
        for (const relation of await catalog.listNames(database.id, schema.id)) {
          if (relation.kind === 'index') continue;
          const descriptor = await catalog.descriptor(relation.id);
          if (descriptor !== undefined) relations.push(descriptor);
        }
      }
    }
    return new CatalogSnapshot(databases, schemas, relations, settings);
  }

  relation(oid: number): TableDesc | SequenceDesc | ViewDesc | undefined {
    return this.relationsByOid.get(oid);
  }

  index(oid: number): IndexEntry | undefined {
    return this.indexesByOid.get(oid);
  }

  constraint(oid: number): ConstraintEntry | undefined {
    return this.constraintsByOid.get(oid);
  }

  schema(oid: number): SchemaEntry | undefined {
    return this.schemas.find((schema) => schema.oid === oid);
  }

  schemaNamed(name: string): SchemaEntry | undefined {
    return this.schemas.find((schema) => schema.name === name);
  }

  /** The schemas an unqualified name is looked up in: `pg_catalog` first (implicitly), then `search_path`. */
  searchPath(): SchemaEntry[] {
    const path: SchemaEntry[] = [this.schemas[0]!];
    for (const raw of this.settings.searchPath) {
      const name = raw === '"$user"' || raw === '$user' ? this.settings.user : raw.replace(/^"|"$/g, '');
      const schema = this.schemaNamed(name);
      if (schema !== undefined && !path.includes(schema)) path.push(schema);
    }
    return path;
  }
}
