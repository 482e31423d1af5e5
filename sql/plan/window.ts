/**
 * Planning window functions: a SELECT's WINDOW clause and OVER clauses resolved as PostgreSQL's
 * transformWindowDefinitions does, its window calls grouped by window (PARTITION BY and ORDER BY),
 * and one Window node per window stacked on the grouped (or filtered) input:
 *
 * ```
 *   FROM → WHERE → GROUP BY → HAVING → window(w1) → window(w2) → targets → DISTINCT → ORDER BY → LIMIT
 *                                      sorts by w1's keys, appends
 *                                      the results of w1's calls
 * ```
 *
 * Calls over the same window share a node (one sort), whatever their frames; each call's result
 * column is the input's width plus its position among the calls of the nodes below it and its own.
 */
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import { formatType, int8Type } from '../types/sql-type.js';
import { canCoerce, coerce, isOpen } from './expr/coerce.js';
import type { ExprCompiler } from './expr/compile.js';
import type { CompiledExpr } from './expr/compiled.js';
import { containsWindow, type WindowCall } from './expr/window-functions.js';
import type { PlanNode } from './plan.js';
import { defaultWindowFrame, type FrameBoundPlan, type WindowFramePlan, type WindowFunctionPlan, type WindowOrderKey } from './window-plan.js';
import { rangeOffset } from './window-range.js';
import { requireEqualityOperator, requireOrderingOperator } from './expr/operator-class.js';

/** A window with PARTITION BY, ORDER BY and frame after copying what it refers to. */
interface ResolvedWindow {
  readonly partitionBy: readonly ast.Expr[];
  readonly orderBy: readonly ast.SortBy[];
  readonly frame: ast.WindowFrame | null;
}

/**
 * The WINDOW clause's windows by name, each resolved against the ones before it; 42P20 for a
 * name defined twice or a copy PostgreSQL refuses, 42704 for a window that does not exist.
 */
export function namedWindows(definitions: readonly ast.WindowSpec[]): ReadonlyMap<string, ResolvedWindow> {
  const named = new Map<string, ResolvedWindow>();
  for (const definition of definitions) {
    const name = definition.name!;
    if (named.has(name)) throw new SqlError('42P20', `window "${name}" is already defined`);
    named.set(name, copyWindow(definition, named));
  }
  return named;
}

/** An OVER clause as the window it means: `OVER w` is w itself, `OVER (w …)` a copy of w extended. */
export function resolveWindow(over: ast.WindowSpec, named: ReadonlyMap<string, ResolvedWindow>): ResolvedWindow {
  if (over.name === null) return copyWindow(over, named);
  const window = named.get(over.name);
  if (window === undefined) throw new SqlError('42704', `window "${over.name}" does not exist`);
  return window;
}

/** PostgreSQL's rules for `(w …)`: w's PARTITION BY is kept, its ORDER BY may be added once, and a framed w cannot be copied. */
function copyWindow(spec: ast.WindowSpec, named: ReadonlyMap<string, ResolvedWindow>): ResolvedWindow {
  if (spec.refName === null) return { partitionBy: spec.partitionBy, orderBy: spec.orderBy, frame: spec.frame };
  const reference = named.get(spec.refName);
  if (reference === undefined) throw new SqlError('42704', `window "${spec.refName}" does not exist`);
  if (spec.partitionBy.length > 0) throw new SqlError('42P20', `cannot override PARTITION BY clause of window "${spec.refName}"`);
  if (spec.orderBy.length > 0 && reference.orderBy.length > 0) throw new SqlError('42P20', `cannot override ORDER BY clause of window "${spec.refName}"`);
  if (reference.frame !== null) {
    const bareCopy = spec.name === null && spec.orderBy.length === 0 && spec.frame === null;
    throw new SqlError('42P20', `cannot copy window "${spec.refName}" because it has a frame clause`, bareCopy ? { hint: 'Omit the parentheses in this OVER clause.' } : {});
  }
  return { partitionBy: reference.partitionBy, orderBy: spec.orderBy.length > 0 ? spec.orderBy : reference.orderBy, frame: spec.frame };
}

/** One window of the query, compiled: its keys and the calls over it (their frames compiled). */
export interface CompiledWindow {
  readonly partitionBy: readonly CompiledExpr[];
  readonly orderBy: readonly WindowOrderKey[];
  readonly calls: readonly { readonly call: WindowCall; readonly plan: WindowFunctionPlan }[];
}

/**
 * Compiles the windows of `calls`: PARTITION BY and ORDER BY in `compiler` (the scope the SELECT's
 * targets see: in a grouped query, aggregates they name register here, before the Aggregate node
 * is built), frame offsets in `offsetCompiler` (no columns of this query). Calls whose windows
 * have the same keys share one window, in the order the calls were written.
 */
export async function compileWindows(calls: readonly WindowCall[], named: ReadonlyMap<string, ResolvedWindow>, compiler: ExprCompiler, offsetCompiler: ExprCompiler): Promise<CompiledWindow[]> {
  const byKeys = new Map<string, { window: ResolvedWindow; calls: WindowCall[] }>();
  for (const call of calls) {
    const window = resolveWindow(call.over, named);
    const key = windowKey(window);
    const group = byKeys.get(key);
    if (group === undefined) byKeys.set(key, { window, calls: [call] });
    else group.calls.push(call);
  }
  // Every window of the WINDOW clause is compiled, used or not (PostgreSQL checks them all), then the others.
  const keysCompiled = new Map<string, CompiledKeys>();
  for (const window of named.values()) {
    const key = windowKey(window);
    if (!keysCompiled.has(key)) keysCompiled.set(key, await compileKeys(window, compiler));
  }
  const windows: CompiledWindow[] = [];
  for (const [key, { window, calls: windowCalls }] of byKeys) {
    let keys = keysCompiled.get(key);
    if (keys === undefined) keysCompiled.set(key, (keys = await compileKeys(window, compiler)));
    const { partitionBy, orderBy } = keys;
    const compiled: { call: WindowCall; plan: WindowFunctionPlan }[] = [];
    for (const call of windowCalls) {
      const frame = await compileFrame(resolveWindow(call.over, named).frame, orderBy, compiler, offsetCompiler);
      compiled.push({ call, plan: { name: call.name, args: call.args, type: call.type, aggregate: call.aggregate, frame } });
    }
    windows.push({ partitionBy, orderBy, calls: compiled });
  }
  return windows;
}

/** A window's identity for sharing a node: its PARTITION BY and ORDER BY without source positions. */
function windowKey(window: ResolvedWindow): string {
  return JSON.stringify([window.partitionBy, window.orderBy], (name, value: unknown) => (name === 'location' ? undefined : value));
}

interface CompiledKeys {
  readonly partitionBy: CompiledExpr[];
  readonly orderBy: WindowOrderKey[];
}

/** A window's ORDER BY, then its PARTITION BY (transformWindowDefinitions' order, so errors name what PostgreSQL names). */
async function compileKeys(window: ResolvedWindow, compiler: ExprCompiler): Promise<CompiledKeys> {
  if (containsWindow(window.partitionBy) || containsWindow(window.orderBy)) throw new SqlError('42P20', 'window functions are not allowed in window definitions');
  const orderBy: WindowOrderKey[] = [];
  for (const sortBy of window.orderBy) {
    if (sortBy.using !== null) throw new SqlError('0A000', 'ORDER BY … USING is not supported');
    const descending = sortBy.direction === 'desc';
    const expr = await compiler.compileValue(sortBy.expr);
    requireOrderingOperator(expr.type);
    orderBy.push({ expr, descending, nullsFirst: sortBy.nulls === 'default' ? descending : sortBy.nulls === 'first' });
  }
  const partitionBy: CompiledExpr[] = [];
  for (const expr of window.partitionBy) partitionBy.push(await compiler.compileValue(expr));
  for (const expr of partitionBy) requireEqualityOperator(expr.type);
  return { partitionBy, orderBy };
}

/** One Window node per window over `input`, each call's result column fixed as the nodes stack up. */
export function windowNodes(windows: readonly CompiledWindow[], input: PlanNode): PlanNode {
  let node = input;
  for (const window of windows) {
    const base = node.width;
    window.calls.forEach(({ call }, index) => {
      call.output.index = base + index;
    });
    const functions = window.calls.map(({ plan }) => plan);
    node = { kind: 'window', input: node, partitionBy: window.partitionBy, orderBy: window.orderBy, functions, width: base + functions.length };
  }
  return node;
}

/**
 * A frame clause as transformWindowDefinitions and transformFrameOffset check it: GROUPS needs an
 * ORDER BY, a RANGE offset exactly one ORDER BY column of a type with an in_range function
 * (window-range.ts); ROWS and GROUPS offsets are bigint. No offset may read the row (42P10).
 */
async function compileFrame(frame: ast.WindowFrame | null, orderBy: readonly WindowOrderKey[], compiler: ExprCompiler, offsetCompiler: ExprCompiler): Promise<WindowFramePlan> {
  if (frame === null) return defaultWindowFrame;
  const hasOffset = frame.start.kind === 'preceding' || frame.start.kind === 'following' || frame.end.kind === 'preceding' || frame.end.kind === 'following';
  if (frame.mode === 'range' && hasOffset && orderBy.length !== 1) throw new SqlError('42P20', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column');
  if (frame.mode === 'groups' && orderBy.length === 0) throw new SqlError('42P20', 'GROUPS mode requires an ORDER BY clause');
  const bound = async (bound: ast.FrameBound): Promise<FrameBoundPlan> => {
    if (bound.kind !== 'preceding' && bound.kind !== 'following') return { kind: bound.kind };
    const mode = frame.mode.toUpperCase();
    if (containsWindow(bound.offset)) throw new SqlError('42P20', 'window functions are not allowed in window definitions');
    if (readsColumns(bound.offset, compiler)) throw new SqlError('42P10', `argument of ${mode} must not contain variables`);
    const offset = await offsetCompiler.compile(bound.offset);
    if (frame.mode === 'range') {
      const chosen = rangeOffset(orderBy[0]!.expr.type, offset, compiler.paramTypes);
      return { kind: bound.kind, offset: chosen.offset, inRange: chosen.inRange };
    }
    // coerce_to_specific_type: an assignment cast, so ROWS 1.5 PRECEDING rounds to 2.
    if (!isOpen(offset) && !canCoerce(offset.type, int8Type, 'assignment')) throw new SqlError('42804', `argument of ${mode} must be type bigint, not type ${formatType(offset.type)}`);
    return { kind: bound.kind, offset: coerce(offset, int8Type, 'assignment', compiler.paramTypes), inRange: null };
  };
  return { mode: frame.mode, start: await bound(frame.start), end: await bound(frame.end), exclude: frame.exclude };
}

/** Whether `expr` names a column of the query's own scope (outside subqueries). */
function readsColumns(expr: unknown, compiler: ExprCompiler): boolean {
  if (expr === null || typeof expr !== 'object') return false;
  if (Array.isArray(expr)) return expr.some((item) => readsColumns(item, compiler));
  const node = expr as { kind?: string; path?: readonly string[] };
  if (node.kind === 'SubqueryExpr' || node.kind === 'InSubquery' || node.kind === 'subquery') return false;
  if (node.kind === 'ColumnRef') {
    const grouping = compiler.grouping;
    const scope = grouping === null ? compiler.scope : grouping.inputCompiler.scope;
    try {
      scope.resolve(node.path!);
      return true;
    } catch {
      return false;
    }
  }
  return Object.values(node).some((value) => readsColumns(value, compiler));
}
