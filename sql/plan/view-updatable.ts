/**
 * Automatically updatable views (PostgreSQL's `view_query_is_auto_updatable` and
 * `view_cols_are_auto_updatable`, rewriteHandler.c): a view whose query is one SELECT over a
 * single table or view — no DISTINCT, GROUP BY, HAVING, WITH, LIMIT / OFFSET, set operation,
 * aggregate, window or set-returning function in its list — can take INSERT, UPDATE and DELETE,
 * which write its base relation instead (view-write.ts does that rewrite). A view column that is
 * a plain column of the base relation is updatable; any other (an expression, a constant) reads
 * only. This module only judges a view's query; it reads no catalog, so information_schema
 * (is_updatable, is_insertable_into) and the write path agree by construction.
 */
import type * as ast from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { containsAggregate } from './expr/aggregates.js';
import { setReturningNames } from './expr/set-returning.js';
import { containsWindow } from './expr/window-functions.js';

/** One view column: its expression over the base relation, and the base column it is (null: not updatable). */
export interface ViewColumnSource {
  readonly expr: ast.Expr;
  readonly baseColumn: string | null;
}

/** An automatically updatable view's query, taken apart. */
export interface UpdatableView {
  readonly updatable: true;
  /** The one FROM item: the base table or view, as the view's query names it. */
  readonly base: ast.TableRef;
  /** The view's WHERE (UPDATE and DELETE see only the rows it passes), null without one. */
  readonly where: ast.Expr | null;
  readonly columns: readonly ViewColumnSource[];
}

export type ViewUpdatability = UpdatableView | { readonly updatable: false; readonly detail: string };

/** PostgreSQL's detail for a view no column of which is a base column. */
export const noUpdatableColumnsDetail = 'Views that have no updatable columns are not automatically updatable.';
/** PostgreSQL's detail for a write naming a view column that is not a base column. */
export const columnNotUpdatableDetail = 'View columns that are not columns of their base relation are not updatable.';

const notUpdatable = (detail: string): ViewUpdatability => ({ updatable: false, detail });

/** The query of a view's CREATE VIEW text (its descriptor's `definition`). */
export function viewDefinitionQuery(definition: string): ast.Query {
  return viewDefinition(definition).query;
}

/** A view's CREATE VIEW statement, parsed from its descriptor's `definition` (its query, its WITH CHECK OPTION). */
export function viewDefinition(definition: string): ast.CreateView {
  const statement = parse(definition)[0];
  if (statement?.kind !== 'CreateView') throw new Error('a view definition is not a CREATE VIEW statement');
  return statement;
}

/**
 * Whether `query` (a view's, with `columnCount` output columns) is automatically updatable, and
 * if so its base relation and columns; otherwise PostgreSQL's detail, checked in PostgreSQL's
 * order. `starColumns` gives the base relation's column names as the view's `*` expanded them
 * (at creation). Whether any column is updatable is the caller's question (INSERT and UPDATE need
 * one, DELETE none): see `hasUpdatableColumn`.
 */
export function viewUpdatability(query: ast.Query, columnCount: number, starColumns: (base: ast.TableRef) => readonly string[] | undefined): ViewUpdatability {
  if (query.kind === 'SetOperation') return notUpdatable('Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.');
  if (query.kind === 'Values') return notUpdatable('Views that do not select from a single table or view are not automatically updatable.');
  if (query.distinct !== null) return notUpdatable('Views containing DISTINCT are not automatically updatable.');
  if (query.groupBy.length > 0 || query.groupingSets !== undefined) return notUpdatable('Views containing GROUP BY are not automatically updatable.');
  if (query.having !== null) return notUpdatable('Views containing HAVING are not automatically updatable.');
  if (query.with !== null) return notUpdatable('Views containing WITH are not automatically updatable.');
  if (query.limit !== null || query.offset !== null) return notUpdatable('Views containing LIMIT or OFFSET are not automatically updatable.');
  const exprs = query.targets.map((target) => target.expr);
  if (containsAggregate(exprs)) return notUpdatable('Views that return aggregate functions are not automatically updatable.');
  if (containsWindow(exprs)) return notUpdatable('Views that return window functions are not automatically updatable.');
  if (exprs.some(returnsSet)) return notUpdatable('Views that return set-returning functions are not automatically updatable.');
  const base = query.from.length === 1 ? query.from[0]! : undefined;
  if (base?.kind !== 'TableRef') return notUpdatable('Views that do not select from a single table or view are not automatically updatable.');
  const columns = viewColumns(query.targets, base, columnCount, starColumns);
  if (columns === undefined) return notUpdatable('Views that do not select from a single table or view are not automatically updatable.');
  return { updatable: true, base, where: query.where, columns };
}

/** Whether the view has a column INSERT or UPDATE could write. */
export function hasUpdatableColumn(view: UpdatableView): boolean {
  return view.columns.some((column) => column.baseColumn !== null);
}

/** A set-returning call at the top of a target (where PostgreSQL's hasTargetSRFs sees it), or inside an expression. */
function returnsSet(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(returnsSet);
  const record = node as { kind?: string; name?: unknown };
  if (record.kind === 'SubqueryExpr' || record.kind === 'InSubquery') return false;
  if (record.kind === 'FuncCall' && Array.isArray(record.name)) {
    const name = record.name as readonly string[];
    if (setReturningNames.has(name[name.length - 1]!) || (name.length === 2 && name[0] === 'information_schema')) return true;
  }
  return Object.values(record).some(returnsSet);
}

/** The base relation's name inside the view's query: its alias, else its own name. */
export function baseReferenceName(base: ast.TableRef): string {
  return base.alias?.name ?? base.name.name;
}

/**
 * Each view column's source. A plain column reference (`c`, `t.c` with t the base's name) is
 * updatable; a `*` stands for the base's columns at creation, each updatable.
 */
function viewColumns(targets: readonly ast.Target[], base: ast.TableRef, columnCount: number, starColumns: (base: ast.TableRef) => readonly string[] | undefined): ViewColumnSource[] | undefined {
  const reference = baseReferenceName(base);
  const columns: ViewColumnSource[] = [];
  for (const target of targets) {
    const expr = target.expr;
    if (expr.kind === 'Star') {
      const names = starColumns(base);
      if (names === undefined) return undefined;
      for (const name of names) columns.push({ expr: { kind: 'ColumnRef', path: [reference, name], location: -1 }, baseColumn: name });
      continue;
    }
    const plain = expr.kind === 'ColumnRef' && (expr.path.length === 1 || (expr.path.length === 2 && expr.path[0] === reference));
    columns.push({ expr, baseColumn: plain ? expr.path[expr.path.length - 1]! : null });
  }
  // A `*` whose base gained columns after the view was created: the view keeps its own width.
  return columns.length >= columnCount ? columns.slice(0, columnCount) : undefined;
}
