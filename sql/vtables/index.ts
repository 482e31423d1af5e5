/**
 * # sql/vtables: virtual tables
 *
 * The start of `pg_catalog`: `pg_namespace`, `pg_class`, `pg_attribute`, `pg_type`,
 * `pg_database` and `pg_index`, computed from the catalog descriptors when a query reads them
 * (nothing is stored). They answer the simple introspection queries drivers and tools send; the
 * psql `\d` family needs more (regclass, `pg_get_*` functions, `pg_attrdef`, …).
 *
 * ```
 *   FROM pg_class ──(planner: sql/plan/virtual.ts resolver)──► VirtualNode ──run──► rows(txn)
 *                                                                  │ Catalog.open(txn) → descriptors
 * ```
 *
 * OIDs: a descriptor's id is its OID (databases, schemas, tables, sequences); an index's OID is
 * `indexOidBase + tableId × 256 + indexId`; `pg_catalog` is 11 as in PostgreSQL; type OIDs are
 * PostgreSQL's. Unqualified names find these tables first, as PostgreSQL's implicit
 * `pg_catalog`-first search path does.
 *
 * `installVirtualTables()` registers the resolver with the planner (the engine calls it once).
 */
import type * as ast from '../parser/ast.js';
import { Catalog, DescriptorCache } from '../catalog/catalog.js';
import { allIndexes, type Descriptor, type TableDesc } from '../catalog/descriptors.js';
import type { FromResult, PlanContext } from '../plan/context.js';
import { Scope } from '../plan/scope.js';
import { setVirtualTableResolver } from '../plan/virtual.js';
import type { Txn } from '../../txn/index.js';
import type { Datum } from '../types/datum.js';
import { boolType, float4Type, formatType, int2Type, int4Type, nameType, oidType, textType, typeCategory, typeInfo, type ScalarKind, type SqlType } from '../types/sql-type.js';
import type { EvalContext } from '../plan/expr/compiled.js';

export const pgCatalogOid = 11;
export const indexOidBase = 1 << 24;
const indexOid = (tableId: number, indexId: number): number => indexOidBase + tableId * 256 + indexId;

interface VirtualTable {
  readonly columns: readonly (readonly [string, SqlType])[];
  rows(objects: CatalogObjects, ctx: EvalContext): Datum[][];
}

interface CatalogObjects {
  readonly databases: Descriptor[];
  readonly schemas: Descriptor[];
  readonly relations: Descriptor[];
  readonly databaseId: number;
}

async function readObjects(txn: Txn, ctx: EvalContext): Promise<CatalogObjects> {
  const catalog = await Catalog.open(txn, new DescriptorCache());
  const databases: Descriptor[] = [];
  for (const entry of await catalog.listNames(0, 0)) {
    const descriptor = await catalog.descriptor(entry.id);
    if (descriptor !== undefined) databases.push(descriptor);
  }
  const database = await catalog.database(ctx.database);
  const schemas: Descriptor[] = [];
  const relations: Descriptor[] = [];
  if (database !== undefined) {
    for (const entry of await catalog.listNames(database.id, 0)) {
      const schema = await catalog.descriptor(entry.id);
      if (schema === undefined) continue;
      schemas.push(schema);
      for (const relation of await catalog.listNames(database.id, schema.id)) {
        if (relation.kind === 'index') continue;
        const descriptor = await catalog.descriptor(relation.id);
        if (descriptor !== undefined) relations.push(descriptor);
      }
    }
  }
  return { databases, schemas, relations, databaseId: database?.id ?? 0 };
}

const tables: Readonly<Record<string, VirtualTable>> = {
  pg_namespace: {
    columns: [['oid', oidType], ['nspname', nameType], ['nspowner', oidType]],
    rows: (objects) => [
      [pgCatalogOid, 'pg_catalog', 10],
      ...objects.schemas.map((schema) => [schema.id, schema.name, 10]),
    ],
  },
  pg_database: {
    columns: [['oid', oidType], ['datname', nameType], ['datdba', oidType], ['encoding', int4Type], ['datcollate', nameType], ['datctype', nameType], ['datallowconn', boolType]],
    rows: (objects) => objects.databases.map((database) => [database.id, database.name, 10, 6, 'C', 'C', true]),
  },
  pg_class: {
    columns: [['oid', oidType], ['relname', nameType], ['relnamespace', oidType], ['reltype', oidType], ['relowner', oidType], ['relkind', textType], ['relnatts', int2Type], ['relhasindex', boolType], ['relpersistence', textType], ['reltuples', float4Type], ['relispartition', boolType]],
    rows: (objects) =>
      objects.relations.flatMap((relation): Datum[][] => {
        if (relation.kind === 'sequence') return [[relation.id, relation.name, relation.schemaId, 0, 10, 'S', 3, false, 'p', -1, false]];
        if (relation.kind !== 'table') return [];
        const table = relation;
        const visible = table.columns.filter((column) => !column.hidden).length;
        return [
          [table.id, table.name, table.schemaId, 0, 10, 'r', visible, true, 'p', -1, false],
          ...allIndexes(table).map((index) => [indexOid(table.id, index.id), index.name, table.schemaId, 0, 10, 'i', index.columns.length, false, 'p', -1, false]),
        ];
      }),
  },
  pg_attribute: {
    columns: [['attrelid', oidType], ['attname', nameType], ['atttypid', oidType], ['attnum', int2Type], ['atttypmod', int4Type], ['attnotnull', boolType], ['atthasdef', boolType], ['attisdropped', boolType], ['attlen', int2Type]],
    rows: (objects) =>
      tablesOf(objects).flatMap((table) =>
        table.columns.filter((column) => !column.hidden).map((column, index) => [table.id, column.name, column.type.oid, index + 1, column.type.typmod, !column.nullable, column.defaultExpr !== null, false, -1]),
      ),
  },
  pg_index: {
    columns: [['indexrelid', oidType], ['indrelid', oidType], ['indnatts', int2Type], ['indisunique', boolType], ['indisprimary', boolType], ['indkey', textType]],
    rows: (objects) =>
      tablesOf(objects).flatMap((table) =>
        allIndexes(table).map((index) => {
          const positions = index.columns.map((column) => table.columns.findIndex((candidate) => candidate.id === column.columnId) + 1);
          return [indexOid(table.id, index.id), table.id, index.columns.length, index.unique, index.constraint === 'primary', positions.join(' ')];
        }),
      ),
  },
  pg_type: {
    columns: [['oid', oidType], ['typname', nameType], ['typnamespace', oidType], ['typlen', int2Type], ['typtype', textType], ['typcategory', textType], ['typelem', oidType], ['typarray', oidType], ['format', textType]],
    rows: () =>
      (Object.keys(typeInfo) as ScalarKind[]).flatMap((kind) => {
        const info = typeInfo[kind];
        const type = { kind, oid: info.oid, typmod: -1 } as SqlType;
        const scalar: Datum[] = [info.oid, kind, pgCatalogOid, -1, 'b', typeCategory(type), 0, info.arrayOid ?? 0, formatType(type)];
        if (info.arrayOid === undefined) return [scalar];
        return [scalar, [info.arrayOid, `_${kind}`, pgCatalogOid, -1, 'b', 'A', info.oid, 0, `${formatType(type)}[]`]];
      }),
  },
};

function tablesOf(objects: CatalogObjects): TableDesc[] {
  return objects.relations.filter((relation): relation is TableDesc => relation.kind === 'table');
}

async function resolve(_ctx: PlanContext, ref: ast.TableRef): Promise<FromResult | undefined> {
  if (ref.name.schema !== null && ref.name.schema !== 'pg_catalog') return undefined;
  const table = tables[ref.name.name];
  if (table === undefined) return undefined;
  const alias = ref.alias?.name ?? ref.name.name;
  const scope = new Scope(table.columns.map(([name, type]) => ({ name, table: alias, type, hidden: false, tableOid: 0, columnNumber: 0 })));
  return {
    node: { kind: 'virtual', name: `pg_catalog.${ref.name.name}`, width: table.columns.length, rows: async (txn, ctx) => table.rows(await readObjects(txn, ctx), ctx) },
    scope,
  };
}

let installed = false;

/** Registers the pg_catalog tables with the planner (idempotent). */
export function installVirtualTables(): void {
  if (installed) return;
  installed = true;
  setVirtualTableResolver(resolve);
}
