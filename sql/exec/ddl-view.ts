/**
 * CREATE [OR REPLACE] VIEW and DROP VIEW, and the dependencies between views and what they read.
 *
 * A view's descriptor keeps its CREATE VIEW text (planned again at each use, sql/plan/views.ts)
 * and its output columns, fixed here. Each table or view it reads records it in `dependedOnBy`
 * (CockroachDB's back-references; PostgreSQL's pg_depend rows of the view's rule), with the
 * columns the query may use — every column a `*` reaches, else those its column names match —
 * so that DROP TABLE / VIEW (2BP01 unless CASCADE), DROP COLUMN and ALTER COLUMN TYPE find the
 * views they would break, and RENAME and SET SCHEMA the views whose text they rewrite
 * (ddl-view-rename.ts), without reading every descriptor.
 */
import type * as ast from '../parser/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DependentView, TableDesc, ViewColumn, ViewDependency, ViewDesc } from '../catalog/descriptors.js';
import { duplicateColumn, duplicateTable, invalidTableDefinition, SqlError, wrongObjectType } from '../catalog/errors.js';
import { creationSchema, lookupRelation } from '../catalog/resolve.js';
import { planQuery, type PlanContext } from '../plan/planner.js';
import { hasUpdatableColumn, noUpdatableColumnsDetail, viewUpdatability } from '../plan/view-updatable.js';
import { formatType } from '../types/sql-type.js';
import { parseBool } from '../types/scalar-text.js';
import type { Notice, SessionSettings } from './contract.js';
import { notice } from './ddl-common.js';
import type { StatementPlan } from './statement.js';

/** A relation a view can read (and so carry `dependedOnBy`). */
type ReadRelation = TableDesc | ViewDesc;

export async function prepareCreateView(pctx: PlanContext, statement: ast.CreateView): Promise<StatementPlan> {
  const planned = await planQuery(pctx, statement.query);
  if (statement.columns.length > planned.columns.length) throw new SqlError('42601', 'CREATE VIEW specifies more column names than columns');
  const columns: ViewColumn[] = planned.columns.map((column, index) => Object.freeze({ name: statement.columns[index] ?? column.name, type: column.type }));
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) throw duplicateColumn(column.name);
    seen.add(column.name);
  }
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(_rt, exec) {
      const notices = await createView(exec.catalog, exec.settings, statement, columns);
      return { rows: null, tag: () => 'CREATE VIEW', notices };
    },
  };
}

async function createView(catalog: Catalog, settings: SessionSettings, statement: ast.CreateView, columns: readonly ViewColumn[]): Promise<Notice[]> {
  const { database, schema } = await creationSchema(catalog, settings, statement.name);
  const existing = await catalog.lookup(database.id, schema.id, statement.name.name);
  let previous: ViewDesc | undefined;
  if (existing !== undefined) {
    if (!statement.orReplace) throw duplicateTable(statement.name.name);
    const descriptor = await catalog.descriptor(existing.id);
    if (existing.kind !== 'view' || descriptor?.kind !== 'view') throw wrongObjectType(`"${statement.name.name}" is not a view`);
    checkReplacement(descriptor, columns);
    previous = descriptor;
  }
  const reads = await readRelations(catalog, settings, statement.query);
  // PostgreSQL's DefineView: any check_option (even an invalid one) needs an updatable view, then the reloptions are validated.
  if (statement.checkOption !== undefined || statement.options?.some((option) => option.name === 'check_option') === true) checkOptionAllowed(statement.query, columns.length, reads);
  validateViewOptions(statement.options ?? []);
  const id = previous?.id ?? (await catalog.allocateId());
  if (reads.some((relation) => relation.id === id)) throw new SqlError('42P17', `infinite recursion detected in rules for relation "${statement.name.name}"`);
  const view: ViewDesc = {
    kind: 'view',
    id,
    name: statement.name.name,
    parentId: database.id,
    schemaId: schema.id,
    version: (previous?.version ?? 0) + 1,
    definition: statement.text,
    searchPath: settings.searchPath,
    columns: columns.map((column, index) => (previous?.columns[index]?.comment === undefined ? column : { ...column, comment: previous.columns[index]!.comment! })),
    dependsOn: reads.map((relation): ViewDependency => ({ id: relation.id, nextColumnId: relation.kind === 'table' ? relation.nextColumnId : relation.columns.length + 1 })),
    ...(previous?.dependedOnBy === undefined ? {} : { dependedOnBy: previous.dependedOnBy }),
    ...(previous?.comment === undefined ? {} : { comment: previous.comment }),
  };
  if (previous !== undefined) await forgetDependencies(catalog, previous);
  await catalog.writeDescriptor(view);
  if (previous === undefined) await catalog.writeName(database.id, schema.id, view.name, id, 'view');
  const used = usedNames(statement.query);
  for (const relation of reads) {
    const current = await catalog.descriptor(relation.id);
    if (current?.kind !== 'table' && current?.kind !== 'view') continue;
    await addDependent(catalog, current, { viewId: id, columnIds: usedColumnIds(current, used) });
  }
  return [];
}

/** PostgreSQL's checkViewColumns: OR REPLACE may add columns at the end, and change nothing else (42P16). */
function checkReplacement(previous: ViewDesc, columns: readonly ViewColumn[]): void {
  if (columns.length < previous.columns.length) throw invalidTableDefinition('cannot drop columns from view');
  previous.columns.forEach((old, index) => {
    const next = columns[index]!;
    if (old.name !== next.name) throw invalidTableDefinition(`cannot change name of view column "${old.name}" to "${next.name}"`);
    if (old.type.oid !== next.type.oid || old.type.typmod !== next.type.typmod) {
      throw invalidTableDefinition(`cannot change data type of view column "${old.name}" from ${formatType(old.type)} to ${formatType(next.type)}`);
    }
  });
}

/** The column names a query's column references end in, and whether it has a `*` (which reads every column). */
interface UsedNames {
  readonly names: ReadonlySet<string>;
  readonly star: boolean;
}

/** Calls `fn` on every object node of an AST (arrays walked through), depth first. */
function visitRecords(node: unknown, fn: (record: Record<string, unknown>) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) visitRecords(item, fn);
    return;
  }
  const record = node as Record<string, unknown>;
  fn(record);
  for (const value of Object.values(record)) visitRecords(value, fn);
}

function usedNames(query: ast.Query): UsedNames {
  const names = new Set<string>();
  let star = false;
  visitRecords(query, (record) => {
    if (record['kind'] === 'Star') star = true;
    if (record['kind'] === 'ColumnRef') names.add((record['path'] as readonly string[]).at(-1)!);
    // `USING (k)` and NATURAL joins name columns without a ColumnRef.
    if (record['kind'] === 'Join') {
      for (const name of record['using'] as readonly string[]) names.add(name);
      if (record['natural'] === true) star = true;
    }
  });
  return { names, star };
}

function usedColumnIds(relation: ReadRelation, used: UsedNames): number[] {
  if (relation.kind === 'view') return relation.columns.flatMap((column, index) => (used.star || used.names.has(column.name) ? [index + 1] : []));
  return relation.columns.filter((column) => !column.hidden && (used.star || used.names.has(column.name))).map((column) => column.id);
}

/**
 * WITH CHECK OPTION only on an automatically updatable view (PostgreSQL's DefineView): else
 * 0A000 with the reason it is not as the hint. `reads`: the relations the query reads, its
 * single FROM item's among them (whose columns its `*` stands for).
 */
function checkOptionAllowed(query: ast.Query, columnCount: number, reads: readonly ReadRelation[]): void {
  const from = query.kind === 'Select' && query.from.length === 1 && query.from[0]!.kind === 'TableRef' ? query.from[0] : undefined;
  // The FROM item's relation (a subquery in WHERE may read others).
  const base = from === undefined ? undefined : reads.find((relation) => relation.name === from.name.name);
  const starColumns = (): string[] | undefined => (base === undefined ? undefined : base.kind === 'view' ? base.columns.map((column) => column.name) : base.columns.filter((column) => !column.hidden).map((column) => column.name));
  const shape = viewUpdatability(query, columnCount, starColumns);
  const hint = !shape.updatable ? shape.detail : base === undefined ? 'Views that do not select from a single table or view are not automatically updatable.' : !hasUpdatableColumn(shape) ? noUpdatableColumnsDetail : null;
  if (hint !== null) throw new SqlError('0A000', 'WITH CHECK OPTION is supported only on automatically updatable views', { hint });
}

/**
 * A view's reloptions (PostgreSQL's view_reloptions, through parseRelOptions), each 22023:
 * `check_option` is `local` or `cascaded` (any case), `security_barrier` and `security_invoker`
 * booleans (no value: true), nothing else, each once, no namespace (`toast.*`, which PostgreSQL
 * accepts on a view unchecked and drops, the parser has already dropped).
 *
 * rangedb keeps them in the view's definition and shows them in pg_class.reloptions; the two
 * booleans change nothing here: security_barrier orders a view's quals before the caller's
 * leaky functions, and security_invoker checks the base tables' privileges as the caller —
 * rangedb has neither row-level security nor per-table privileges for them to guard.
 */
function validateViewOptions(options: readonly ast.Option[]): void {
  const invalid = (message: string, detail?: string): SqlError => new SqlError('22023', message, detail === undefined ? undefined : { detail });
  for (const option of options) {
    const dot = option.name.indexOf('.');
    if (dot >= 0) throw invalid(`unrecognized parameter namespace "${option.name.slice(0, dot)}"`);
  }
  const seen = new Set<string>();
  for (const option of options) {
    if (!viewOptionNames.has(option.name)) throw invalid(`unrecognized parameter "${option.name}"`);
    if (seen.has(option.name)) throw invalid(`parameter "${option.name}" specified more than once`);
    seen.add(option.name);
    const value = option.value ?? 'true';
    if (option.name === 'check_option') {
      if (!['local', 'cascaded'].includes(value.toLowerCase())) throw invalid(`invalid value for enum option "check_option": ${value}`, 'Valid values are "local" and "cascaded".');
    } else if (!isBoolText(value)) {
      throw invalid(`invalid value for boolean option "${option.name}": ${value}`);
    }
  }
}

const viewOptionNames: ReadonlySet<string> = new Set(['check_option', 'security_barrier', 'security_invoker']);

function isBoolText(text: string): boolean {
  try {
    parseBool(text);
    return true;
  } catch {
    return false;
  }
}

/** The tables and views a query's FROM items name (WITH names excluded), each once. */
async function readRelations(catalog: Catalog, settings: SessionSettings, query: ast.Query): Promise<ReadRelation[]> {
  const refs: ast.TableRef[] = [];
  const cteNames = new Set<string>();
  visitRecords(query, (record) => {
    if (record['kind'] === 'TableRef') refs.push(record as unknown as ast.TableRef);
    if (typeof record['name'] === 'string' && 'query' in record && 'columns' in record && !('kind' in record)) cteNames.add(record['name']);
  });
  const relations = new Map<number, ReadRelation>();
  for (const ref of refs) {
    if (ref.name.schema === null && cteNames.has(ref.name.name)) continue;
    const resolved = await lookupRelation(catalog, settings, ref.name);
    if (resolved === undefined) continue; // a pg_catalog or information_schema table
    const descriptor = await catalog.descriptor(resolved.entry.id);
    if (descriptor?.kind === 'table' || descriptor?.kind === 'view') relations.set(descriptor.id, descriptor);
  }
  return [...relations.values()];
}

async function addDependent(catalog: Catalog, relation: ReadRelation, dependent: DependentView): Promise<void> {
  const others = (relation.dependedOnBy ?? []).filter((candidate) => candidate.viewId !== dependent.viewId);
  await catalog.writeDescriptor({ ...relation, version: relation.version + 1, dependedOnBy: [...others, dependent] });
}

/** Removes `view` from the `dependedOnBy` of everything it reads (that still exists). */
async function forgetDependencies(catalog: Catalog, view: ViewDesc): Promise<void> {
  for (const dependency of view.dependsOn) {
    const relation = await catalog.descriptor(dependency.id);
    if (relation?.kind !== 'table' && relation?.kind !== 'view') continue;
    const remaining = (relation.dependedOnBy ?? []).filter((candidate) => candidate.viewId !== view.id);
    const { dependedOnBy: _dropped, ...rest } = relation;
    await catalog.writeDescriptor({ ...rest, version: relation.version + 1, ...(remaining.length === 0 ? {} : { dependedOnBy: remaining }) } as ReadRelation);
  }
}

/** `kind name` as PostgreSQL's dependency messages name an object (`view v`, `table s.t` outside the search path). */
function objectName(relation: { readonly kind: string; readonly name: string }): string {
  return `${relation.kind} ${relation.name}`;
}

/**
 * 2BP01 when views read `relation` (and, with `columnIds`, one of those columns) and the
 * statement did not say CASCADE: `what` is the object as the message names it (`table t`,
 * `column a of table t`).
 */
export async function refuseDependents(catalog: Catalog, relation: ReadRelation, what: string, columnIds?: readonly number[]): Promise<void> {
  const dependents = (relation.dependedOnBy ?? []).filter((dependent) => columnIds === undefined || dependent.columnIds.some((id) => columnIds.includes(id)));
  if (dependents.length === 0) return;
  const views: string[] = [];
  for (const dependent of dependents) {
    const view = await catalog.descriptor(dependent.viewId);
    if (view?.kind === 'view') views.push(`${objectName(view)} depends on ${what}`);
  }
  if (views.length === 0) return;
  throw new SqlError('2BP01', `cannot drop ${what} because other objects depend on it`, { detail: views.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
}

/**
 * Drops the views that read `relation` (or, with `columnIds`, those columns of it), and the views
 * that read them, recursively (DROP … CASCADE). Appends `view name` of each dropped view to `dropped`.
 */
export async function dropDependentViews(catalog: Catalog, relation: ReadRelation, dropped: string[], columnIds?: readonly number[]): Promise<void> {
  for (const dependent of relation.dependedOnBy ?? []) {
    if (columnIds !== undefined && !dependent.columnIds.some((id) => columnIds.includes(id))) continue;
    const view = await catalog.descriptor(dependent.viewId);
    if (view?.kind === 'view') await dropViewObjects(catalog, view, dropped);
  }
}

/** Removes a view, the views that read it, and its entries in what it read. */
export async function dropViewObjects(catalog: Catalog, view: ViewDesc, dropped: string[]): Promise<void> {
  dropped.push(objectName(view));
  await dropDependentViews(catalog, view, dropped);
  await forgetDependencies(catalog, view);
  await catalog.deleteName(view.parentId, view.schemaId, view.name);
  await catalog.deleteDescriptor(view.id);
}

/** DROP VIEW of one name. */
export async function dropView(catalog: Catalog, settings: SessionSettings, name: ast.QualifiedName, statement: ast.Drop, dropped: string[]): Promise<Notice | undefined> {
  const resolved = await lookupRelation(catalog, settings, name);
  const display = name.schema === null ? name.name : `${name.schema}.${name.name}`;
  if (resolved === undefined) {
    if (statement.ifExists) return notice(`view "${display}" does not exist, skipping`);
    throw new SqlError('42P01', `view "${display}" does not exist`);
  }
  const view = await catalog.descriptor(resolved.entry.id);
  if (resolved.entry.kind !== 'view' || view?.kind !== 'view') throw new SqlError('42809', `"${name.name}" is not a view`, resolved.entry.kind === 'table' ? { hint: 'Use DROP TABLE to remove a table.' } : {});
  if (!statement.cascade) await refuseDependents(catalog, view, `view ${view.name}`);
  await dropViewObjects(catalog, view, dropped);
  return undefined;
}
