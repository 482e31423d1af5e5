/**
 * Index selection: the WHERE clause's conjuncts that constrain an index's leading columns —
 * `col = v`, `col IN (…)`, `col < v`, `BETWEEN` — with `v` independent of the row (a constant, a
 * parameter, now()) become key spans: all primary key columns equal is a point lookup, a prefix
 * of equalities a prefix scan, a prefix plus a range on the next column a span scan. The chosen
 * index is the one with the most leading equalities (the primary index on a tie, since a
 * secondary index costs a lookup of each row). The WHERE clause still runs as a filter above the
 * scan: spans only narrow what is read, so they never need to be exact.
 *
 * A value takes part only if comparing it to the column needs no cast of the column (`int8col =
 * 1` yes, `int4col = 1.5` no): the key is encoded with the column's type.
 */
import type * as ast from '../parser/ast.js';
import type { IndexDesc, TableDesc } from '../catalog/descriptors.js';
import { allIndexes } from '../catalog/descriptors.js';
import { typeCategory, typeOfKind, type SqlType } from '../types/sql-type.js';
import { coerce, commonType, isOpen } from './expr/coerce.js';
import type { CompiledExpr } from './expr/compiled.js';
import type { ExprCompiler } from './expr/compile.js';
import type { SpanSpec } from './plan.js';
import { keyEncodable } from '../rowcodec/key-datum.js';

interface ColumnConstraint {
  eq: CompiledExpr[] | null;
  lower: { value: CompiledExpr; inclusive: boolean } | null;
  upper: { value: CompiledExpr; inclusive: boolean } | null;
}

const prefixesMax = 1000;

function conjuncts(expr: ast.Expr): ast.Expr[] {
  return expr.kind === 'And' ? expr.args.flatMap(conjuncts) : [expr];
}

const flipped: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const integerRanges: Readonly<Record<string, readonly [bigint, bigint]>> = { int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n], int8: [-(1n << 63n), (1n << 63n) - 1n] };

/**
 * An integer value of a wider type than the column (`int4col = $1::int8`, as JDBC's setLong
 * sends, or a lookup join's wider key): for an equality it is the column's value when in its
 * range, else NULL — no row can equal it, and an equality with NULL selects nothing. Undefined
 * unless both types are integers.
 */
export function narrowedInteger(other: CompiledExpr, columnType: SqlType): CompiledExpr | undefined {
  const range = integerRanges[columnType.kind];
  if (range === undefined || integerRanges[other.type.kind] === undefined) return undefined;
  const [min, max] = range;
  const inner = other.eval;
  const asBigInt = columnType.kind === 'int8';
  return {
    type: columnType,
    eval: (row, ctx) => {
      const value = inner(row, ctx);
      if (value === null) return null;
      const n = BigInt(value as number | bigint);
      if (n < min || n > max) return null;
      return asBigInt ? n : Number(n);
    },
    rowIndependent: other.rowIndependent,
  };
}

/** The value `other` as a key value of `column`'s type, or undefined if it cannot be one. */
function asKeyValue(other: CompiledExpr, columnType: SqlType, compiler: ExprCompiler, equality = false): CompiledExpr | undefined {
  if (!other.rowIndependent) return undefined;
  if (columnType.kind === 'record') return undefined;
  const bare = columnType.kind === 'array' ? columnType : typeOfKind(columnType.kind);
  if (isOpen(other)) return coerce(other, bare, 'implicit', compiler.paramTypes);
  if (other.type.kind === columnType.kind) return other;
  if (equality) {
    const narrowed = narrowedInteger(other, columnType);
    if (narrowed !== undefined) return narrowed;
  }
  if (columnType.kind === 'bpchar') return undefined;
  const common = commonType([other, { ...other, type: columnType, unknownLiteral: undefined, openParam: undefined }], 'operator');
  const sameFamily = common.kind === columnType.kind || (typeCategory(common) === 'S' && typeCategory(columnType) === 'S' && typeCategory(other.type) === 'S');
  if (!sameFamily) return undefined;
  return coerce(other, bare, 'implicit', compiler.paramTypes);
}

/**
 * The constraints WHERE puts on the table's columns (by column position in `scopeOffset…`).
 * Compilation errors are left for the filter's own compilation to report.
 */
async function collectConstraints(where: ast.Expr, table: TableDesc, compiler: ExprCompiler, scopeOffset: number): Promise<Map<number, ColumnConstraint>> {
  const constraints = new Map<number, ColumnConstraint>();
  const get = (position: number): ColumnConstraint => {
    let constraint = constraints.get(position);
    if (constraint === undefined) constraints.set(position, (constraint = { eq: null, lower: null, upper: null }));
    return constraint;
  };
  const columnOf = (expr: ast.Expr): number | undefined => {
    if (expr.kind !== 'ColumnRef') return undefined;
    try {
      const position = compiler.scope.resolve(expr.path) - scopeOffset;
      return position >= 0 && position < table.columns.length ? position : undefined;
    } catch {
      return undefined;
    }
  };
  for (const conjunct of conjuncts(where)) {
    try {
      await addConstraint(conjunct, table, compiler, columnOf, get);
    } catch {
      // Not usable for spans; the filter reports real errors.
    }
  }
  return constraints;
}

async function addConstraint(
  conjunct: ast.Expr,
  table: TableDesc,
  compiler: ExprCompiler,
  columnOf: (expr: ast.Expr) => number | undefined,
  get: (position: number) => ColumnConstraint,
): Promise<void> {
  if (conjunct.kind === 'BinaryOp' && flipped[conjunct.operator] !== undefined) {
    let position = columnOf(conjunct.left);
    let otherAst = conjunct.right;
    let operator = conjunct.operator;
    if (position === undefined) {
      position = columnOf(conjunct.right);
      otherAst = conjunct.left;
      operator = flipped[operator]!;
    }
    if (position === undefined) return;
    const value = asKeyValue(await compiler.compile(otherAst), table.columns[position]!.type, compiler, operator === '=');
    if (value === undefined) return;
    const constraint = get(position);
    if (operator === '=') constraint.eq = [value];
    else if (operator === '>' || operator === '>=') constraint.lower = { value, inclusive: operator === '>=' };
    else constraint.upper = { value, inclusive: operator === '<=' };
    return;
  }
  if (conjunct.kind === 'InList' && !conjunct.negated) {
    const position = columnOf(conjunct.arg);
    if (position === undefined) return;
    const values: CompiledExpr[] = [];
    for (const item of conjunct.list) {
      const value = asKeyValue(await compiler.compile(item), table.columns[position]!.type, compiler, true);
      if (value === undefined) return;
      values.push(value);
    }
    get(position).eq = values;
    return;
  }
  if (conjunct.kind === 'Between' && !conjunct.negated && !conjunct.symmetric) {
    const position = columnOf(conjunct.arg);
    if (position === undefined) return;
    const type = table.columns[position]!.type;
    const low = asKeyValue(await compiler.compile(conjunct.low), type, compiler);
    const high = asKeyValue(await compiler.compile(conjunct.high), type, compiler);
    if (low === undefined || high === undefined) return;
    const constraint = get(position);
    constraint.lower = { value: low, inclusive: true };
    constraint.upper = { value: high, inclusive: true };
  }
}

export interface IndexChoice {
  readonly index: IndexDesc;
  readonly spans: SpanSpec;
}

/** The best index and spans for `where` over `table` (whose columns start at `scopeOffset` in the compiler's scope). */
export async function chooseIndex(table: TableDesc, where: ast.Expr | null, compiler: ExprCompiler, scopeOffset = 0): Promise<IndexChoice> {
  const full: IndexChoice = { index: table.primaryIndex, spans: { kind: 'full' } };
  if (where === null) return full;
  const constraints = await collectConstraints(where, table, compiler, scopeOffset);
  if (constraints.size === 0) return full;
  const positionOf = new Map(table.columns.map((column, position) => [column.id, position]));
  let best: { choice: IndexChoice; score: number } | undefined;
  for (const index of allIndexes(table)) {
    const choice = spansFor(table, index, constraints, positionOf);
    if (choice === undefined) continue;
    const score = choice.score * 2 + (index.id === table.primaryIndex.id ? 1 : 0);
    if (best === undefined || score > best.score) best = { choice: choice.choice, score };
  }
  return best?.choice ?? full;
}

function spansFor(table: TableDesc, index: IndexDesc, constraints: Map<number, ColumnConstraint>, positionOf: Map<number, number>): { choice: IndexChoice; score: number } | undefined {
  const prefix: CompiledExpr[][] = [];
  let combinations = 1;
  for (const column of index.columns) {
    const position = positionOf.get(column.columnId)!;
    if (!keyEncodable(table.columns[position]!.type)) break;
    const eq = constraints.get(position)?.eq;
    if (eq === null || eq === undefined) break;
    if (combinations * eq.length > prefixesMax) break;
    combinations *= eq.length;
    prefix.push(eq);
  }
  const next = index.columns[prefix.length];
  if (prefix.length === 0) {
    if (next === undefined || next.direction !== 'ascending') return undefined;
    const range = constraints.get(positionOf.get(next.columnId)!);
    if (range === undefined || (range.lower === null && range.upper === null) || !keyEncodable(table.columns[positionOf.get(next.columnId)!]!.type)) return undefined;
    return { choice: { index, spans: { kind: 'range', prefix: [], lower: range.lower, upper: range.upper } }, score: 1 };
  }
  const exact = prefix.length === index.columns.length && (index.id === table.primaryIndex.id || index.unique);
  if (next !== undefined && next.direction === 'ascending' && combinations === 1) {
    const range = constraints.get(positionOf.get(next.columnId)!);
    if (range !== undefined && (range.lower !== null || range.upper !== null)) {
      return { choice: { index, spans: { kind: 'range', prefix: prefix.map((values) => values[0]!), lower: range.lower, upper: range.upper } }, score: prefix.length * 2 + 1 };
    }
  }
  const prefixes = cartesian(prefix);
  return { choice: { index, spans: { kind: 'prefixes', prefixes, exact } }, score: prefix.length * 2 + (exact ? 2 : 0) };
}

function cartesian(lists: readonly CompiledExpr[][]): CompiledExpr[][] {
  let result: CompiledExpr[][] = [[]];
  for (const list of lists) result = result.flatMap((partial) => list.map((value) => [...partial, value]));
  return result;
}
