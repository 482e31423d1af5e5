/**
 * # sql/vtables: virtual tables
 *
 * `pg_catalog` as PostgreSQL 15 has it, enough for psql's `\d` family (`\d`, `\d NAME`, `\dt`,
 * `\di`, `\dn`, `\l`, `\du`) to print what PostgreSQL prints, and for the drivers' type
 * introspection: tables computed from the catalog descriptors when a query reads them (nothing
 * is stored), and the catalog functions psql calls over them.
 *
 * ```
 *   FROM pg_class ──(planner: sql/plan/virtual.ts resolver)──► VirtualNode ──run──► rows
 *   pg_get_indexdef(oid) ──(compile: catalog slot)──► executor loads the CatalogSnapshot once
 *                                                     into EvalContext.catalog, functions read it
 * ```
 *
 * - snapshot.ts: the descriptors of one transaction with PostgreSQL-style OIDs (the scheme is
 *   there), search-path visibility;
 * - tables.ts: each table's OID, columns and rows; empty tables for objects rangedb lacks;
 * - functions.ts: `pg_get_indexdef`, `pg_get_constraintdef`, `format_type`, `reg*` casts, …;
 * - deparse.ts: DEFAULT and CHECK expressions printed as PostgreSQL's ruleutils prints them;
 * - types.ts: storage facts of the types and the virtual tables' column types;
 * - information-schema.ts: the SQL standard's `information_schema` views (tables, columns,
 *   constraints, key column usage, sequences, schemata) over the same snapshot, for ORMs.
 *
 * Unqualified names find these tables first, as PostgreSQL's implicit `pg_catalog`-first search
 * path does. `installVirtualTables()` registers the resolver and the functions with the planner
 * (the engine calls it once).
 */
import type * as ast from '../parser/ast.js';
import type { FromResult, PlanContext } from '../plan/context.js';
import { setCatalogFunctions } from '../plan/expr/catalog-functions.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import { Scope } from '../plan/scope.js';
import { setVirtualTableResolver } from '../plan/virtual.js';
import type { Txn } from '../../txn/index.js';
import { catalogFunctions } from './functions.js';
import { CatalogSnapshot } from './snapshot.js';
import { informationSchemaOid, informationSchemaTables } from './information-schema.js';
import { registerVirtualSchema, virtualTables } from './tables.js';

export { CatalogSnapshot } from './snapshot.js';

/** The statement's snapshot: the one the executor loaded, else read now and kept for the statement. */
export async function loadCatalogSnapshot(txn: Txn, ctx: EvalContext): Promise<CatalogSnapshot> {
  const loaded = ctx.catalog.snapshot;
  if (loaded instanceof CatalogSnapshot) return loaded;
  const snapshot = await CatalogSnapshot.load(txn, ctx.settings);
  ctx.catalog.snapshot = snapshot;
  return snapshot;
}

async function resolve(_ctx: PlanContext, ref: ast.TableRef): Promise<FromResult | undefined> {
  // `information_schema` is not on the search path (as in PostgreSQL): only a qualified name finds it.
  const schema = ref.name.schema === 'information_schema' ? 'information_schema' : 'pg_catalog';
  if (ref.name.schema !== null && ref.name.schema !== schema) return undefined;
  const tables = schema === 'information_schema' ? informationSchemaTables : virtualTables;
  const table = Object.hasOwn(tables, ref.name.name) ? tables[ref.name.name] : undefined;
  if (table === undefined) return undefined;
  const alias = ref.alias?.name ?? ref.name.name;
  const names = ref.alias?.columns ?? [];
  const scope = new Scope(table.columns.map(([name, type], index) => ({ name: names[index] ?? name, table: alias, type, hidden: false, tableOid: table.oid, columnNumber: index + 1 })));
  return {
    node: { kind: 'virtual', name: `${schema}.${ref.name.name}`, width: table.columns.length, rows: async (txn, ctx) => table.rows(await loadCatalogSnapshot(txn, ctx), ctx) },
    scope,
  };
}

let installed = false;

/** Registers the pg_catalog tables and functions with the planner (idempotent). */
export function installVirtualTables(): void {
  if (installed) return;
  installed = true;
  setVirtualTableResolver(resolve);
  setCatalogFunctions(catalogFunctions);
  registerVirtualSchema(informationSchemaOid, 'information_schema', informationSchemaTables);
}
