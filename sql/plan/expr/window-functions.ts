/**
 * Window function calls, `f(…) OVER (…)`: the compiler's side. A call is type-checked here and
 * registered in the query's `WindowingContext`; the expression it compiles to reads the call's
 * result column, which the Window plan node (sql/plan/window.ts, sql/exec/window.ts) appends to
 * each row — the same trick as aggregates in a grouping context. PostgreSQL's order of clauses
 * puts windows after GROUP BY and HAVING and before DISTINCT, ORDER BY and LIMIT, so a window
 * call's arguments are compiled in the scope a SELECT target sees (group columns and aggregates
 * in a grouped query), and its result column is known only once the whole SELECT is compiled:
 * the column's position (`output.index`) is filled in when the node is planned.
 *
 * The functions: PostgreSQL's built-in window functions (row_number, rank, dense_rank,
 * percent_rank, cume_dist, ntile, lag, lead, first_value, last_value, nth_value) and every
 * aggregate of aggregates.ts as a window aggregate (over the frame).
 */
import { orderedSetAggregateNames } from './ordered-set.js';
import { assert } from '../../../src/base/assert.js';
import type * as ast from '../../parser/ast.js';
import { SqlError, undefinedFunction } from '../../catalog/errors.js';
import { float8Type, formatType, int4Type, int8Type, type SqlType } from '../../types/sql-type.js';
import { aggregateNames, aggregateResultType, type AggregateCall } from './aggregates.js';
import { coerce, commonType, isOpen } from './coerce.js';
import type { CompiledExpr } from './compiled.js';

/** The built-in window functions (not aggregates), by name: how many arguments each takes. */
const windowFunctionArity: ReadonlyMap<string, { readonly min: number; readonly max: number }> = new Map([
  ['row_number', { min: 0, max: 0 }],
  ['rank', { min: 0, max: 0 }],
  ['dense_rank', { min: 0, max: 0 }],
  ['percent_rank', { min: 0, max: 0 }],
  ['cume_dist', { min: 0, max: 0 }],
  ['ntile', { min: 1, max: 1 }],
  ['lag', { min: 1, max: 3 }],
  ['lead', { min: 1, max: 3 }],
  ['first_value', { min: 1, max: 1 }],
  ['last_value', { min: 1, max: 1 }],
  ['nth_value', { min: 2, max: 2 }],
]);

/** Names of the built-in window functions that are not aggregates. */
export function isWindowFunctionName(name: string): boolean {
  return windowFunctionArity.has(name);
}

/** The hypothetical-set aggregates that share a window function's name (`rank(x) WITHIN GROUP …`). */
const hypotheticalSetNames: ReadonlySet<string> = new Set(['rank', 'dense_rank', 'percent_rank', 'cume_dist']);

/** One window call of a query: what its Window node computes into result column `output.index`. */
export interface WindowCall {
  /** The function's name: a built-in window function or an aggregate. */
  readonly name: string;
  /** Arguments, compiled over the Window node's input row (coerced to the function's types). */
  readonly args: readonly CompiledExpr[];
  /** A window aggregate's FILTER (WHERE …), else null. */
  readonly filter: CompiledExpr | null;
  readonly type: SqlType;
  /** For a window aggregate: the call its accumulators are made from (aggregates.ts); else null. */
  readonly aggregate: AggregateCall | null;
  /** The window as written; resolved against the WINDOW clause by the planner. */
  readonly over: ast.WindowSpec;
  /** The result's position in the Window node's output row, set when the node is planned (-1 until then). */
  readonly output: { index: number };
}

/** The window calls a SELECT's targets and ORDER BY made, in the order they were compiled. */
export interface WindowingContext {
  readonly calls: WindowCall[];
}

/**
 * What compiling a window call's arguments needs of the expression compiler (compile.ts, which
 * imports this file: a structural type keeps the import one-way). Its scope is the SELECT's
 * output scope, without a windowing context (window calls cannot nest).
 */
export interface WindowArgCompiler {
  readonly paramTypes: (SqlType | undefined)[];
  readonly slots: readonly { readonly kind: string; readonly correlated?: boolean }[];
  compile(expr: ast.Expr): Promise<CompiledExpr>;
  compileValue(expr: ast.Expr): Promise<CompiledExpr>;
  compilePredicate(expr: ast.Expr, clause: string): Promise<CompiledExpr>;
}

/** Whether an AST (sub)tree holds a window call of this query level (a subquery's own do not count). */
export function containsWindow(expr: unknown): boolean {
  if (expr === null || typeof expr !== 'object') return false;
  if (Array.isArray(expr)) return expr.some(containsWindow);
  const node = expr as { kind?: string; over?: unknown };
  if (node.kind === 'FuncCall' && node.over !== undefined) return true;
  // A subquery is its own query level: `SubqueryExpr`, `InSubquery`, and the `subquery` right side of `x op ANY|ALL (SELECT …)`.
  if (node.kind === 'SubqueryExpr' || node.kind === 'InSubquery' || node.kind === 'subquery') return false;
  return Object.values(node).some(containsWindow);
}

/** 42P20 for a window call where `clause` may not have one (PostgreSQL's check_agglevels_and_constraints wording). */
export function windowNotAllowed(clause: string): SqlError {
  return new SqlError('42P20', `window functions are not allowed in ${clause}`);
}

/**
 * Compiles `name(args) OVER …` (or a window function called without OVER, which is an error):
 * checks it as PostgreSQL's ParseFuncOrColumn and transformWindowFuncCall do, registers it in
 * `windowing` and returns the expression that reads its result. `isFunction` says whether a plain
 * function of that name exists (`abs(x) OVER ()` is 42809, `nosuch(x) OVER ()` 42883).
 */
export async function compileWindowCall(windowing: WindowingContext | null, compiler: WindowArgCompiler, expr: ast.FuncCall, name: string, isFunction: boolean): Promise<CompiledExpr> {
  const isAggregate = aggregateNames.has(name);
  const isWindowFunction = windowFunctionArity.has(name);
  const over = expr.over;
  if (over === undefined) {
    assert(isWindowFunction, () => `compileWindowCall of ${name} without OVER`);
    throw new SqlError('42809', `window function ${name} requires an OVER clause`);
  }
  if (!isAggregate && !isWindowFunction) {
    if (!isFunction) throw noWindowFunction(name, await Promise.all(expr.args.map((arg) => compiler.compile(arg))));
    throw new SqlError('42809', `OVER specified, but ${name} is not a window function nor an aggregate function`);
  }
  if (isWindowFunction) checkWindowFunctionForm(expr, name);
  else checkWindowAggregateForm(expr);
  if (windowing === null) throw new SqlError('42P20', 'window functions are not allowed here');
  if (containsWindow(expr.args) || containsWindow(expr.filter)) throw new SqlError('42P20', 'window function calls cannot be nested');
  const slotsBefore = compiler.slots.length;
  const { args, type, aggregate, filter } = isAggregate ? await compileAggregate(compiler, expr, name) : await compileWindowFunction(compiler, expr, name);
  for (const slot of compiler.slots.slice(slotsBefore)) {
    if (slot.kind !== 'subquery' && slot.kind !== 'catalog') throw new SqlError('0A000', `${slot.kind}() in a window function's arguments is not supported`);
    if (slot.correlated === true) throw new SqlError('0A000', "correlated subqueries in a window function's arguments are not supported yet");
  }
  const output = { index: -1 };
  windowing.calls.push({ name, args, filter, type, aggregate, over, output });
  return {
    type,
    eval: (row) => {
      const index = output.index;
      return row[index] ?? null;
    },
    rowIndependent: false,
  };
}

/** PostgreSQL's refusals of aggregate-only syntax on a window function. */
function checkWindowFunctionForm(expr: ast.FuncCall, name: string): void {
  const arity = windowFunctionArity.get(name)!;
  if (hypotheticalSetNames.has(name) && expr.args.length > 0) throw new SqlError('42809', `WITHIN GROUP is required for ordered-set aggregate ${name}`);
  if (expr.distinct) throw new SqlError('42809', `DISTINCT specified, but ${name} is not an aggregate function`);
  if (expr.orderBy.length > 0) throw new SqlError('42809', `ORDER BY specified, but ${name} is not an aggregate function`);
  if (expr.filter !== null) throw new SqlError('0A000', 'FILTER is not implemented for non-aggregate window functions');
  if (expr.star && arity.max > 0) throw new SqlError('42809', `* specified, but ${name} is not an aggregate function`);
}

/** What PostgreSQL does not implement for aggregates used as window functions. */
function checkWindowAggregateForm(expr: ast.FuncCall): void {
  // PostgreSQL's ParseFuncOrColumn: an ordered-set aggregate has no window form.
  if (expr.withinGroup === true || orderedSetAggregateNames.has(expr.name[expr.name.length - 1]!)) throw new SqlError('0A000', `OVER is not supported for ordered-set aggregate ${expr.name[expr.name.length - 1]!}`);
  if (expr.distinct) throw new SqlError('0A000', 'DISTINCT is not implemented for window functions');
  if (expr.orderBy.length > 0) throw new SqlError('0A000', 'aggregate ORDER BY is not implemented for window functions');
}

interface CompiledCall {
  readonly args: CompiledExpr[];
  readonly type: SqlType;
  readonly aggregate: AggregateCall | null;
  readonly filter: CompiledExpr | null;
}

async function compileAggregate(compiler: WindowArgCompiler, expr: ast.FuncCall, name: string): Promise<CompiledCall> {
  const args: CompiledExpr[] = [];
  for (const arg of expr.args) args.push(await compiler.compileValue(arg));
  const filter = expr.filter === null ? null : await compiler.compilePredicate(expr.filter, 'FILTER');
  const type = aggregateResultType(name, expr.star, args.map((arg) => arg.type));
  const aggregate: AggregateCall = { name, star: expr.star, distinct: false, args, filter, type };
  return { args, type, aggregate, filter };
}

/**
 * The built-in window functions' signatures (pg_proc): row_number, rank, dense_rank → bigint;
 * percent_rank, cume_dist → double precision; ntile(integer) → integer; lag and lead
 * (anycompatible [, integer [, anycompatible]]) → the value's and default's common type;
 * first_value, last_value (anyelement), nth_value(anyelement, integer) → the value's type.
 */
async function compileWindowFunction(compiler: WindowArgCompiler, expr: ast.FuncCall, name: string): Promise<CompiledCall> {
  const arity = windowFunctionArity.get(name)!;
  const compiled: CompiledExpr[] = [];
  for (const arg of expr.args) compiled.push(await compiler.compile(arg));
  if (compiled.length < arity.min || compiled.length > arity.max) throw noWindowFunction(name, compiled);
  const integer = (arg: CompiledExpr): CompiledExpr => {
    if (!isOpen(arg) && arg.type.kind !== 'int2' && arg.type.kind !== 'int4') throw noWindowFunction(name, compiled);
    return coerce(arg, int4Type, 'implicit', compiler.paramTypes);
  };
  const value = (arg: CompiledExpr): CompiledExpr => (isOpen(arg) ? coerce(arg, commonType([arg], name), 'implicit', compiler.paramTypes) : arg);
  switch (name) {
    case 'row_number':
    case 'rank':
    case 'dense_rank':
      return { args: [], type: int8Type, aggregate: null, filter: null };
    case 'percent_rank':
    case 'cume_dist':
      return { args: [], type: float8Type, aggregate: null, filter: null };
    case 'ntile':
      return { args: [integer(compiled[0]!)], type: int4Type, aggregate: null, filter: null };
    case 'lag':
    case 'lead': {
      const offset = compiled[1] === undefined ? [] : [integer(compiled[1])];
      const defaultValue = compiled[2];
      if (defaultValue === undefined) {
        const arg = value(compiled[0]!);
        return { args: [arg, ...offset], type: arg.type, aggregate: null, filter: null };
      }
      const type = commonType([compiled[0]!, defaultValue], name);
      const args = [coerce(compiled[0]!, type, 'implicit', compiler.paramTypes), ...offset, coerce(defaultValue, type, 'implicit', compiler.paramTypes)];
      return { args, type, aggregate: null, filter: null };
    }
    case 'first_value':
    case 'last_value': {
      const arg = value(compiled[0]!);
      return { args: [arg], type: arg.type, aggregate: null, filter: null };
    }
    case 'nth_value': {
      const arg = value(compiled[0]!);
      return { args: [arg, integer(compiled[1]!)], type: arg.type, aggregate: null, filter: null };
    }
    default:
      assert(false, () => `unknown window function ${name}`);
  }
}

function noWindowFunction(name: string, args: readonly CompiledExpr[]): SqlError {
  const types = args.map((arg) => (isOpen(arg) ? 'unknown' : formatType(arg.type))).join(', ');
  return undefinedFunction(`function ${name}(${types}) does not exist`, 'No function matches the given name and argument types. You might need to add explicit type casts.');
}
