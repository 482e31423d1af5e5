/**
 * Aggregates that belong to an outer query (SQL's rule; PostgreSQL's `agglevelsup`): an
 * aggregate call whose arguments read columns of an outer query only is evaluated by that outer
 * query, once per group of it, and reads as a constant inside the subquery:
 *
 * ```
 *   SELECT (SELECT min(o.a) FROM fz AS i WHERE i.a = 1) FROM fz AS o
 *                  └─ min over o: the outer query becomes grouped (one group), and the
 *                     subquery, run once for that group, reads min(o.a) from its row
 * ```
 *
 * How: a query's compiler records itself as the host of the outer scope it hands to a subquery
 * (`noteAggregateHost`). A subquery's aggregate over that scope's columns only is then compiled
 * by the host: registered in the host's grouping (its value is a column of the host's aggregate
 * row, which is the row a correlated subquery of a grouped query runs with). A host whose SELECT
 * list is not grouped yet must be: the call throws `OuterAggregateFound`, which the host's
 * `planSelect` catches, and it plans the SELECT again, grouped. Anywhere else (the host's WHERE,
 * a JOIN condition) it is PostgreSQL's 42803 for an aggregate there. An aggregate over columns
 * of a query two or more levels out stays 0A000.
 *
 * Mixed levels follow PostgreSQL: an aggregate that reads a column of its own query is its own
 * query's (the outer columns are then constants per outer row).
 */
import type * as ast from '../../parser/ast.js';
import { SqlError } from '../../catalog/errors.js';
import type { SqlType } from '../../types/sql-type.js';
import type { Scope } from '../scope.js';
import { aggregateNames } from './aggregates.js';

/** Thrown by a subquery's aggregate to make the SELECT whose input scope is `scope` grouped (see the module comment). */
export class OuterAggregateFound extends Error {
  constructor(readonly scope: Scope) {
    super('an aggregate of an outer query makes it grouped');
  }
}

/** What a subquery's outer-level aggregate needs of the query that compiles it: see `ExprCompiler.outerAggregate`. */
export interface AggregateHost {
  /** Compiles the aggregate call at the host's level; its value is `columnIndex` of the host's row. */
  compileAggregate(expr: ast.FuncCall, name: string): Promise<{ readonly columnIndex: number; readonly type: SqlType }>;
  /** The host's own input columns (a grouped host: its FROM scope, not the group columns). */
  readonly levelScope: Scope;
}

/** The host of each outer scope handed to a subquery (keyed by that scope object). */
const hosts = new WeakMap<Scope, AggregateHost>();

export function noteAggregateHost(outerScope: Scope, host: AggregateHost): void {
  hosts.set(outerScope, host);
}

export function aggregateHostOf(outerScope: Scope): AggregateHost | undefined {
  return hosts.get(outerScope);
}

/** The column references of `exprs`, not looking into subqueries (their own level). */
function columnRefs(exprs: unknown): (readonly string[])[] {
  const refs: (readonly string[])[] = [];
  const collect = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(collect);
    const kind = (node as { kind?: string }).kind;
    if (kind === 'ColumnRef') refs.push((node as ast.ColumnRef).path);
    else if (kind === 'InSubquery') collect((node as ast.InSubquery).arg);
    else if (kind !== 'SubqueryExpr') Object.values(node).forEach(collect);
  };
  collect(exprs);
  return refs;
}

/** Whether `path` resolves in `scope`; false for an unknown column or table, other errors thrown. */
function resolves(scope: Scope, path: readonly string[]): boolean {
  try {
    scope.resolve(path);
    return true;
  } catch (error) {
    if (error instanceof SqlError && (error.sqlState === '42703' || error.sqlState === '42P01')) return false;
    throw error;
  }
}

/**
 * Whether `exprs` name at least one column and every column they name is missing from `scope`
 * (so it is an outer query's); a subquery's own references are not looked into.
 */
export function readsOnlyOuterColumns(exprs: unknown, scope: Scope): boolean {
  const refs = columnRefs(exprs);
  return refs.length > 0 && refs.every((path) => !resolves(scope, path));
}

/** What an aggregate call reads: its arguments, FILTER and ORDER BY (WITHIN GROUP's too). */
export function aggregateInputs(call: ast.FuncCall): unknown[] {
  return [call.args, call.filter, call.orderBy];
}

/** Whether every column `exprs` name is a column of `scope`. */
export function readsOnlyColumnsOf(exprs: unknown, scope: Scope): boolean {
  return columnRefs(exprs).every((path) => resolves(scope, path));
}

/**
 * `containsAggregate` for the query whose input scope is `scope`: aggregate calls that read only
 * an outer query's columns (`hasOuter`) are that query's, not this one's.
 */
export function containsOwnAggregate(expr: unknown, scope: Scope, hasOuter: boolean): boolean {
  if (expr === null || typeof expr !== 'object') return false;
  if (Array.isArray(expr)) return expr.some((item) => containsOwnAggregate(item, scope, hasOuter));
  const node = expr as { kind?: string; name?: unknown; over?: unknown; args?: unknown; filter?: unknown; orderBy?: unknown };
  if (node.kind === 'FuncCall' && node.over === undefined && Array.isArray(node.name) && aggregateNames.has(node.name[node.name.length - 1] as string)) {
    return !hasOuter || !readsOnlyOuterColumns(aggregateInputs(node as ast.FuncCall), scope);
  }
  if (node.kind === 'SubqueryExpr' || node.kind === 'InSubquery' || node.kind === 'subquery') return false;
  return Object.values(node).some((value) => containsOwnAggregate(value, scope, hasOuter));
}
