/**
 * A relation named in FROM: a table, or a view expanded in place — PostgreSQL's rewriter
 * replacing a view's range-table entry by its `_RETURN` rule's query. The view's query is parsed
 * again from the CREATE VIEW text its descriptor keeps (parsed once per text and remembered) and
 * planned as a subquery, outside the referencing query's WITH names, with the output columns the
 * view was created with.
 *
 * A `*` in the view's query is expanded when it is planned, so columns added to a table after the
 * view was created would widen it; they are cut out again by their column ids (each dependency
 * records the table's `nextColumnId` at creation), as PostgreSQL's rule, expanded at creation,
 * never sees them.
 */
import type * as ast from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { SqlError, undefinedTable, wrongObjectType } from '../catalog/errors.js';
import type { TableDesc, ViewDesc } from '../catalog/descriptors.js';
import { displayName, lookupRelation } from '../catalog/resolve.js';
import type { ResultColumn } from '../exec/contract.js';
import type { FromResult, PlanContext } from './context.js';
import { coerce } from './expr/coerce.js';
import type { CompiledExpr } from './expr/compiled.js';
import type { PlanNode } from './plan.js';
import { Scope } from './scope.js';

type PlanQuery = (ctx: PlanContext, query: ast.Query) => Promise<{ readonly node: PlanNode; readonly columns: readonly ResultColumn[] }>;

/** How deeply views may read views: past it a view reads itself (42P17, as PostgreSQL's rewriter). */
const viewNestingMax = 32;

/** Parsed view queries by their CREATE VIEW text (bounded; a text always parses to the same query). */
const parsedQueries = new Map<string, ast.Query>();
const parsedQueriesMax = 1000;

/** The query of a view's CREATE VIEW text. */
export function viewQuery(definition: string): ast.Query {
  let query = parsedQueries.get(definition);
  if (query === undefined) {
    const statement = parse(definition)[0];
    if (statement?.kind !== 'CreateView') throw new SqlError('XX000', 'a view definition is not a CREATE VIEW statement');
    query = statement.query;
    if (parsedQueries.size >= parsedQueriesMax) parsedQueries.clear();
    parsedQueries.set(definition, query);
  }
  return query;
}

/**
 * The table `item` names, or the plan of the view it names; 42P01 when there is neither, 42809
 * for another kind of relation (a sequence, an index).
 */
export async function resolveFromRelation(ctx: PlanContext, item: ast.TableRef, planQuery: PlanQuery): Promise<TableDesc | FromResult> {
  const resolved = await lookupRelation(ctx.catalog, ctx.settings, item.name);
  if (resolved === undefined) throw undefinedTable(displayName(item.name));
  if (resolved.entry.kind !== 'table' && resolved.entry.kind !== 'view') throw wrongObjectType(`"${item.name.name}" is not a table`);
  const descriptor = await ctx.catalog.descriptor(resolved.entry.id);
  if (descriptor?.kind === 'table') return descriptor;
  if (descriptor?.kind !== 'view') throw undefinedTable(displayName(item.name));
  return expandView(ctx, descriptor, item.alias?.name ?? item.name.name, planQuery);
}

async function expandView(ctx: PlanContext, view: ViewDesc, alias: string, planQuery: PlanQuery): Promise<FromResult> {
  const expanding = ctx.views ?? [];
  if (expanding.includes(view.id) || expanding.length >= viewNestingMax) throw new SqlError('42P17', `infinite recursion detected in rules for relation "${view.name}"`);
  // The names in the view's query resolve as they did when it was created, not through the caller's search_path.
  const settings = view.searchPath === undefined ? ctx.settings : { ...ctx.settings, searchPath: view.searchPath };
  const planned = await planQuery({ catalog: ctx.catalog, settings, compiler: ctx.compiler, views: [...expanding, view.id] }, viewQuery(view.definition));
  const node = await keepCreatedColumns(ctx, view, planned);
  const scope = new Scope(view.columns.map((column, index) => ({ name: column.name, table: alias, type: column.type, hidden: false, tableOid: view.id, columnNumber: index + 1 })));
  return { node, scope };
}

/**
 * The planned query cut to the view's columns: as it is when the widths agree, else without the
 * columns a `*` picked up from columns added after the view was created.
 */
async function keepCreatedColumns(ctx: PlanContext, view: ViewDesc, planned: { readonly node: PlanNode; readonly columns: readonly ResultColumn[] }): Promise<PlanNode> {
  const columnOf = (index: number): CompiledExpr => ({ type: planned.columns[index]!.type, eval: (row) => row[index] ?? null, rowIndependent: false });
  let kept = planned.columns.map((_column, index) => index);
  if (planned.columns.length !== view.columns.length) {
    const added = new Set<string>();
    for (const dependency of view.dependsOn) {
      const relation = await ctx.catalog.descriptor(dependency.id);
      if (relation?.kind !== 'table') continue;
      relation.columns.forEach((column, position) => {
        if (column.id >= dependency.nextColumnId) added.add(`${relation.id}/${position + 1}`);
      });
    }
    kept = kept.filter((index) => !added.has(`${planned.columns[index]!.tableOid}/${planned.columns[index]!.columnNumber}`));
  }
  if (kept.length !== view.columns.length) throw new SqlError('XX000', `view "${view.name}" has ${kept.length} columns where it was created with ${view.columns.length}`);
  const sameTypes = kept.every((index, position) => planned.columns[index]!.type.oid === view.columns[position]!.type.oid);
  if (kept.length === planned.columns.length && sameTypes) return planned.node;
  const exprs = kept.map((index, position) => coerce(columnOf(index), view.columns[position]!.type, 'assignment', ctx.compiler.paramTypes));
  return { kind: 'project', input: planned.node, exprs, rowSlots: false, width: exprs.length };
}
