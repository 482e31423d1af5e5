/**
 * The query planner: AST query → plan tree (plan.ts) with compiled expressions, result columns
 * and the scope of its output. PostgreSQL's order of clauses:
 *
 * ```
 *   FROM (scan | join | generate_series | subquery) → WHERE (index spans + filter)
 *     → GROUP BY / aggregates → HAVING → targets (+ hidden sort keys) → DISTINCT
 *     → ORDER BY (sort) → LIMIT/OFFSET → trim the hidden sort keys
 * ```
 */
import { assert } from '../../src/base/assert.js';
import * as ast from '../parser/ast.js';
import { shiftRelations, type FromRelation, type FromResult, type PlanContext } from './context.js';
import { SqlError } from '../catalog/errors.js';
import type { TableDesc } from '../catalog/descriptors.js';
import type { ResultColumn } from '../exec/contract.js';
import { RowCodec } from '../rowcodec/row-codec.js';
import { formatType, int4Type, int8Type, type SqlType } from '../types/sql-type.js';
import { coerce, commonType } from './expr/coerce.js';
import { containsAggregate, type AggregateCall } from './expr/aggregates.js';
import { claimSetReturning, exprKey, ExprCompiler, inOrder, unclaimedSetReturning, type GroupingContext } from './expr/compile.js';
import { containsOwnAggregate, OuterAggregateFound } from './expr/outer-aggregates.js';
import type { CompiledExpr, Evaluator } from './expr/compiled.js';
import { binaryOperator } from './expr/operators.js';
import type { JoinNode, LimitNode, LockTarget, PlanNode, ScanNode, SortKey, WorkTable } from './plan.js';
import { locksAtScan, lockingClauseName, lockTargets, resolveLocking, scanLockingBelowLockRows, scanLockingOf, singleScan, type LockedRelation } from './locking.js';
import { GroupedScope, Scope, type ScopeColumn } from './scope.js';
import { chooseIndex } from './spans.js';
import { equalityKeys, planJoinStrategies, planJoinTree } from './join-planning.js';
import { planGenerateSeries } from './table-functions.js';
import { virtualTable } from './virtual.js';
import { containsWindow, windowNotAllowed, type WindowingContext } from './expr/window-functions.js';
import { compileWindows, namedWindows, windowNodes } from './window.js';
import { resolveFromRelation } from './views.js';
import { applyNode, planBesideLeft, type LateralUse } from './lateral.js';
import { requireEqualityOperator, requireOrderingOperator } from './expr/operator-class.js';

export type { FromResult, PlanContext } from './context.js';

export interface PlannedQuery {
  readonly node: PlanNode;
  readonly columns: readonly ResultColumn[];
}

const codecs = new WeakMap<TableDesc, RowCodec>();

/** The row codec of a table descriptor, built once per descriptor object. */
export function codecOf(table: TableDesc): RowCodec {
  let codec = codecs.get(table);
  if (codec === undefined) codecs.set(table, (codec = new RowCodec(table)));
  return codec;
}

export function tableScope(table: TableDesc, alias: string): Scope {
  return new Scope(table.columns.map((column, index) => ({ name: column.name, table: alias, type: column.type, hidden: column.hidden, tableOid: table.id, columnNumber: index + 1 })));
}

export function scanNode(table: TableDesc, choice: { index: ScanNode['index']; spans: ScanNode['spans'] } | null, locking: ScanNode['locking'] = null): ScanNode {
  return { kind: 'scan', table, codec: codecOf(table), index: choice?.index ?? table.primaryIndex, spans: choice?.spans ?? { kind: 'full' }, reverse: false, locking, width: table.columns.length };
}

export async function planQuery(outer: PlanContext, query: ast.Query): Promise<PlannedQuery> {
  const ctx = query.with === null ? outer : await planWith(outer, query.with);
  switch (query.kind) {
    case 'Select':
      return planSelect(ctx, query);
    case 'Values':
      return planValuesQuery(ctx, query);
    case 'SetOperation':
      return planSetOperation(ctx, query);
    default:
      return assertNeverQuery(query);
  }
}

export type CteEntry = NonNullable<PlanContext['ctes']> extends ReadonlyMap<string, infer E> ? E : never;

/**
 * Plans a data-modifying WITH query (sql/exec/modifying-ctes.ts): its RETURNING rows as the CTE's
 * columns and a node that reads them once the statement ran it. Only a statement's own WITH has one.
 */
export type PlanModifyingCte = (ctx: PlanContext, name: string, statement: ast.DataModifyingStatement) => Promise<PlannedQuery & { readonly withoutReturning?: boolean }>;

/**
 * `WITH [RECURSIVE] a AS (…), b AS (…)`: each query planned in the scope of the ones before it.
 * A data-modifying one (`d AS (DELETE … RETURNING …)`) is planned by `modifying`, given only for
 * the WITH of the statement itself: anywhere else it is PostgreSQL's 0A000.
 */
export async function planWith(outer: PlanContext, with_: ast.With, modifying?: PlanModifyingCte): Promise<PlanContext> {
  const ctes = new Map(outer.ctes ?? []);
  for (const cte of with_.ctes) {
    if (with_.ctes.filter((other) => other.name === cte.name).length > 1) throw new SqlError('42712', `WITH query name "${cte.name}" specified more than once`);
    const body = cte.query;
    let planned: PlannedQuery & { readonly withoutReturning?: boolean };
    if (ast.isDataModifying(body)) {
      if (modifying === undefined) throw new SqlError('0A000', 'WITH clause containing a data-modifying statement must be at the top level');
      planned = await modifying(withCtes(outer, ctes), cte.name, body);
    } else {
      const recursive = with_.recursive ? await planRecursiveCte(outer, ctes, cte, body) : undefined;
      planned = recursive ?? (await planQuery(withCtes(outer, ctes), body));
    }
    ctes.set(cte.name, { node: planned.node, columns: cteColumns(cte, planned.columns), ...(planned.withoutReturning === true ? { withoutReturning: true } : {}) });
  }
  return withCtes(outer, ctes);
}

/** `outer` with the WITH queries `ctes` in scope, for its FROM items and its expressions' subqueries. */
function withCtes(outer: PlanContext, ctes: ReadonlyMap<string, CteEntry>): PlanContext {
  return { ...outer, ctes, compiler: outer.compiler.withCtes(ctes) };
}

/** A CTE's columns: its query's, renamed by its column list (`WITH r(a, b) AS …`). */
function cteColumns(cte: ast.CommonTableExpr, columns: readonly ResultColumn[]): ResultColumn[] {
  if (cte.columns.length > columns.length) throw new SqlError('42P10', `WITH query "${cte.name}" has ${columns.length} columns available but ${cte.columns.length} columns specified`);
  return columns.map((column, index) => ({ ...column, name: cte.columns[index] ?? column.name }));
}

/**
 * A CTE of `WITH RECURSIVE` that reads itself, planned as a `RecursiveCteNode`; undefined for one
 * that does not (planned as any CTE). PostgreSQL's rules (its parse_cte.c): the query must be
 * `initial UNION [ALL] recursive` with no ORDER BY, LIMIT or WITH of its own; the initial term
 * must not read the CTE, and the recursive term must read it exactly once; the CTE's column
 * types are the initial term's, and the recursive term's must convert to them (42804 otherwise,
 * with PostgreSQL's hint).
 */
async function planRecursiveCte(outer: PlanContext, ctes: ReadonlyMap<string, CteEntry>, cte: ast.CommonTableExpr, query: ast.Query): Promise<PlannedQuery | undefined> {
  const misplaced = (message: string): CteEntry => ({
    get node(): PlanNode {
      throw new SqlError('42P19', message);
    },
    get columns(): readonly ResultColumn[] {
      throw new SqlError('42P19', message);
    },
  });
  const withSelf = (entry: CteEntry): PlanContext => withCtes(outer, new Map(ctes).set(cte.name, entry));
  const unionShaped = query.kind === 'SetOperation' && query.op === 'union' && query.with === null && query.orderBy.length === 0 && query.limit === null && query.offset === null;
  if (!unionShaped) {
    // Planned with a reference to itself refused; a CTE that does not read itself plans as usual.
    await planQuery(withSelf(misplaced(`recursive query "${cte.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`)), query);
    return undefined;
  }
  const initial = await planQuery(withSelf(misplaced(`recursive reference to query "${cte.name}" must not appear within its non-recursive term`)), query.left);
  const columns = cteColumns(cte, initial.columns);
  const table: WorkTable = { name: cte.name };
  const workTable: PlanNode = { kind: 'workTable', table, width: columns.length };
  let reads = 0;
  const self: CteEntry = {
    get node(): PlanNode {
      reads++;
      return workTable;
    },
    columns,
  };
  const recursive = await planQuery(withSelf(self), query.right);
  if (reads === 0) return undefined;
  if (reads > 1) throw new SqlError('42P19', `recursive reference to query "${cte.name}" must not appear more than once`);
  if (recursive.columns.length !== columns.length) throw new SqlError('42601', 'each UNION query must have the same number of columns');
  const types = initial.columns.map((column) => column.type);
  const exprs = recursive.columns.map((column, index) => {
    const type = types[index]!;
    const asExpr = (of: SqlType): CompiledExpr => ({ type: of, eval: () => null, rowIndependent: false });
    const overall = commonType([asExpr(type), asExpr(column.type)], 'UNION');
    if (overall.oid !== type.oid) {
      throw new SqlError('42804', `recursive query "${cte.name}" column ${index + 1} has type ${formatType(type)} in non-recursive term but type ${formatType(overall)} overall`, {
        hint: 'Cast the output of the non-recursive term to the correct type.',
      });
    }
    return coerce({ type: column.type, eval: (row) => row[index] ?? null, rowIndependent: false }, type, 'implicit', outer.compiler.paramTypes);
  });
  const converted = recursive.columns.every((column, index) => column.type.oid === types[index]!.oid);
  const recursiveNode: PlanNode = converted ? recursive.node : { kind: 'project', input: recursive.node, exprs, rowSlots: false, width: exprs.length };
  const node: PlanNode = { kind: 'recursiveCte', table, initial: initial.node, recursive: recursiveNode, all: query.all, types, width: types.length };
  return { node, columns: initial.columns };
}

function assertNeverQuery(query: never): never {
  assert(false, () => `unknown query ${JSON.stringify(query)}`);
}

function resultColumns(names: readonly string[], exprs: readonly CompiledExpr[], scope: Scope): ResultColumn[] {
  return exprs.map((expr, index) => {
    const source = expr.columnIndex === undefined ? undefined : scope.columns[expr.columnIndex];
    return { name: names[index]!, type: expr.type, tableOid: source?.tableOid ?? 0, columnNumber: source?.columnNumber ?? 0 };
  });
}

// ─── VALUES ────────────────────────────────────────────────────────────────────────────────

export async function planValuesRows(compiler: ExprCompiler, rows: readonly (readonly ast.Expr[])[], targetTypes?: readonly SqlType[]): Promise<{ rows: CompiledExpr[][]; types: SqlType[] }> {
  const width = rows[0]?.length ?? 0;
  for (const row of rows) if (row.length !== width) throw new SqlError('42601', 'VALUES lists must all be the same length');
  if (containsWindow(rows)) throw windowNotAllowed('VALUES');
  const compiled = await inOrder(rows, (row) => inOrder(row, (expr) => compiler.compile(expr)));
  const types: SqlType[] = [];
  for (let column = 0; column < width; column++) {
    types.push(targetTypes?.[column] ?? commonType(compiled.map((row) => row[column]!), 'VALUES'));
  }
  const context = targetTypes === undefined ? 'implicit' : 'assignment';
  return { rows: compiled.map((row) => row.map((expr, column) => coerce(expr, types[column]!, context, compiler.paramTypes))), types };
}

async function planValuesQuery(ctx: PlanContext, query: ast.Values): Promise<PlannedQuery> {
  const { rows, types } = await planValuesRows(ctx.compiler, query.rows);
  const names = types.map((_type, index) => `column${index + 1}`);
  let node: PlanNode = { kind: 'values', rows, width: types.length };
  const scope = new Scope(names.map((name, index) => ({ name, table: null, type: types[index]!, hidden: false, tableOid: 0, columnNumber: 0 })));
  node = await applyTail(ctx, query, node, scope, names.map((name, index) => ({ name, index })));
  return { node, columns: names.map((name, index) => ({ name, type: types[index]!, tableOid: 0, columnNumber: 0 })) };
}

// ─── set operations ────────────────────────────────────────────────────────────────────────

async function planSetOperation(ctx: PlanContext, query: ast.SetOperation): Promise<PlannedQuery> {
  const left = await planQuery(ctx, query.left);
  const right = await planQuery(ctx, query.right);
  const opName = query.op.toUpperCase();
  if (left.columns.length !== right.columns.length) throw new SqlError('42601', `each ${opName} query must have the same number of columns`);
  const types = left.columns.map((column, index) => {
    const other = right.columns[index]!;
    const asExpr = (type: SqlType, unknown: boolean): CompiledExpr => ({ type, eval: () => null, rowIndependent: false, ...(unknown ? { unknownLiteral: { text: null } } : {}) });
    return commonType([asExpr(column.type, unknownOutput(query.left, index)), asExpr(other.type, unknownOutput(query.right, index))], opName);
  });
  const cast = (planned: PlannedQuery, side: ast.Query): PlanNode => {
    if (planned.columns.every((column, index) => column.type.oid === types[index]!.oid)) return planned.node;
    // An unknown output arrives as its literal's text: converted as the literal would have been
    // (text's input conversion, an explicit cast: `SELECT 'a' UNION SELECT 1` is 22P02).
    const exprs = planned.columns.map((column, index) => coerce({ type: column.type, eval: (row) => row[index] ?? null, rowIndependent: false }, types[index]!, unknownOutput(side, index) ? 'explicit' : 'implicit', ctx.compiler.paramTypes));
    return { kind: 'project', input: planned.node, exprs, rowSlots: false, width: exprs.length };
  };
  if (!query.all) assertEquality(types);
  let node: PlanNode = { kind: 'setop', op: query.op, all: query.all, left: cast(left, query.left), right: cast(right, query.right), types, width: types.length };
  const names = left.columns.map((column) => column.name);
  const scope = new Scope(names.map((name, index) => ({ name, table: null, type: types[index]!, hidden: false, tableOid: 0, columnNumber: 0 })));
  node = await applyTail(ctx, query, node, scope, names.map((name, index) => ({ name, index })));
  return { node, columns: names.map((name, index) => ({ name, type: types[index]!, tableOid: 0, columnNumber: 0 })) };
}

/**
 * Whether a set operation's side gives column `index` PostgreSQL's type unknown: a string literal
 * or NULL written directly in a leaf SELECT's list, which the operation types with the other
 * side (transformSetOperationTree's select_common_type), so `SELECT 1 UNION ALL SELECT NULL` is
 * integer. A subquery's, a VALUES list's and a nested operation's columns are already typed
 * (text where unknown), as in PostgreSQL.
 */
function unknownOutput(query: ast.Query, index: number): boolean {
  if (query.kind !== 'Select' || query.targets.some((target) => target.expr.kind === 'Star')) return false;
  const expr = query.targets[index]?.expr;
  return expr?.kind === 'Literal' && (expr.value.type === 'string' || expr.value.type === 'null');
}

/** ORDER BY (by output name or position), LIMIT, OFFSET over an already projected node. */
async function applyTail(ctx: PlanContext, query: ast.Values | ast.SetOperation, input: PlanNode, scope: Scope, outputs: { name: string; index: number }[]): Promise<PlanNode> {
  let node = input;
  if (query.orderBy.length > 0) {
    const compiler = ctx.compiler.withScope(scope);
    const keys: SortKey[] = [];
    for (const sortBy of query.orderBy) {
      const position = outputPosition(sortBy.expr, outputs) ?? (await compiler.compileValue(sortBy.expr)).columnIndex;
      if (position === undefined) throw new SqlError('0A000', 'ORDER BY on a computed expression over a set operation is not supported');
      keys.push(sortKey(position, scope.columns[position]!.type, sortBy));
    }
    node = { kind: 'sort', input: node, keys, width: node.width };
  }
  return applyLimit(ctx, query, node);
}

async function applyLimit(ctx: PlanContext, query: { readonly limit: ast.Expr | null; readonly offset: ast.Expr | null }, node: PlanNode): Promise<PlanNode> {
  if (query.limit === null && query.offset === null) return node;
  if (containsWindow(query.limit)) throw windowNotAllowed('LIMIT');
  if (containsWindow(query.offset)) throw windowNotAllowed('OFFSET');
  const compiler = ctx.compiler.withScope(Scope.empty);
  const limit = query.limit === null ? null : await compiler.compileAs(query.limit, int8Type);
  const offset = query.offset === null ? null : await compiler.compileAs(query.offset, int8Type);
  return { kind: 'limit', input: node, limit, offset, width: node.width };
}

/** DISTINCT, GROUP BY and UNION / INTERSECT / EXCEPT compare rows for equality, which json has not (PostgreSQL: 42883). */
function assertEquality(types: readonly SqlType[]): void {
  for (const type of types) requireEqualityOperator(type);
}

function sortKey(column: number, type: SqlType, sortBy: ast.SortBy): SortKey {
  if (sortBy.using !== null) throw new SqlError('0A000', 'ORDER BY … USING is not supported');
  // PostgreSQL has no btree operator class for json: no order to sort it by.
  requireOrderingOperator(type);
  const descending = sortBy.direction === 'desc';
  const nullsFirst = sortBy.nulls === 'default' ? descending : sortBy.nulls === 'first';
  return { column, type, descending, nullsFirst };
}

/**
 * `ORDER BY 2` or `ORDER BY alias`: the output column it names, if it names one. Any other
 * constant is refused, as PostgreSQL's findTargetlistEntrySQL92 does (`ORDER BY true` would
 * otherwise sort by nothing while reading like a position).
 */
function outputPosition(expr: ast.Expr, outputs: readonly { name: string; index: number }[], clause: 'ORDER BY' | 'DISTINCT ON' = 'ORDER BY'): number | undefined {
  if (expr.kind === 'Literal' && expr.value.type !== 'integer') throw new SqlError('42601', `non-integer constant in ${clause}`);
  if (expr.kind === 'Literal' && expr.value.type === 'integer') {
    const n = Number(expr.value.digits);
    if (n < 1 || n > outputs.length) throw new SqlError('42P10', `${clause} position ${n} is not in select list`);
    return outputs[n - 1]!.index;
  }
  if (expr.kind === 'ColumnRef' && expr.path.length === 1) {
    const matches = outputs.filter((output) => output.name === expr.path[0]);
    if (matches.length === 1) return matches[0]!.index;
  }
  return undefined;
}

// ─── FROM ──────────────────────────────────────────────────────────────────────────────────


export async function planFrom(ctx: PlanContext, items: readonly ast.FromItem[]): Promise<FromResult> {
  if (items.length === 0) return { node: { kind: 'values', rows: [[]], width: 0 }, scope: Scope.empty };
  let result: FromResult = await planFromItem(ctx, items[0]!);
  for (const item of items.slice(1)) {
    const right = await planFromItem(ctx, item, result.scope);
    checkDistinctNames(result.scope, right.scope);
    const node: PlanNode =
      right.apply === undefined ? { kind: 'join', joinType: 'cross', left: result.node, right: right.node, on: null, width: result.node.width + right.node.width } : applyNode(result.node, right.node, 'cross', null, right.apply);
    result = { node, scope: result.scope.concat(right.scope), relations: [...(result.relations ?? []), ...shiftRelations(right.relations, result.scope.columns.length)] };
  }
  return result;
}

/**
 * 42712 when two FROM items go by one name (`FROM t, t`), as PostgreSQL's namespace check — except
 * two different tables of one name (from two schemas, told apart here by table OID), which
 * PostgreSQL allows when neither has an alias.
 */
function checkDistinctNames(left: Scope, right: Scope): void {
  const leftNames = new Map<string, number>();
  for (const column of left.columns) if (column.table !== null) leftNames.set(column.table, column.tableOid);
  for (const column of right.columns) {
    if (column.table === null || !leftNames.has(column.table)) continue;
    const leftOid = leftNames.get(column.table)!;
    if (leftOid === 0 || column.tableOid === 0 || leftOid === column.tableOid) throw new SqlError('42712', `table name "${column.table}" specified more than once`);
  }
}

/** `left`: the scope of the FROM items before this one, which a LATERAL item may read (lateral.ts). */
async function planFromItem(ctx: PlanContext, item: ast.FromItem, left?: Scope): Promise<FromResult & LateralUse> {
  switch (item.kind) {
    case 'TableRef': {
      const cte = item.name.schema === null ? ctx.ctes?.get(item.name.name) : undefined;
      if (cte !== undefined) {
        if (cte.withoutReturning === true) throw new SqlError('0A000', `WITH query "${item.name.name}" does not have a RETURNING clause`);
        const alias = item.alias?.name ?? item.name.name;
        let scope = new Scope(cte.columns.map((column) => ({ name: column.name, table: alias, type: column.type, hidden: false, tableOid: 0, columnNumber: 0 })));
        if (item.alias !== null && item.alias.columns.length > 0) scope = renameColumns(scope, item.alias.columns, alias);
        return { node: cte.node, scope, relations: [{ kind: 'cte', alias, offset: 0, nullable: false }] };
      }
      const virtual = await virtualTable(ctx, item);
      if (virtual !== undefined) return { ...virtual, relations: [{ kind: 'virtual', alias: item.alias?.name ?? item.name.name, offset: 0, nullable: false }] };
      const relation = await resolveFromRelation(ctx, item, planQuery);
      const alias = item.alias?.name ?? item.name.name;
      if (!('kind' in relation)) {
        // A view, expanded into its query's plan (views.ts).
        const columns = item.alias === null ? [] : item.alias.columns;
        const relations: FromRelation[] = [{ kind: 'subquery', alias, offset: 0, nullable: false }];
        return { node: relation.node, scope: columns.length === 0 ? relation.scope : renameColumns(relation.scope, columns, alias), relations };
      }
      const table = relation;
      let scope = tableScope(table, alias);
      if (item.alias !== null && item.alias.columns.length > 0) scope = renameColumns(scope, item.alias.columns, alias);
      return { node: scanNode(table, null), scope, relations: [{ kind: 'table', alias, table, offset: 0, nullable: false }] };
    }
    case 'SubqueryRef': {
      const planned = await planBesideLeft(ctx, left, item.lateral, (inner) => planQuery(inner, item.query));
      const alias = item.alias?.name ?? null;
      let scope = new Scope(planned.columns.map((column) => ({ name: column.name, table: alias, type: column.type, hidden: false, tableOid: 0, columnNumber: 0 })));
      if (item.alias !== null && item.alias.columns.length > 0) scope = renameColumns(scope, item.alias.columns, alias);
      const relations: FromRelation[] = [{ kind: item.query.kind === 'Values' ? 'values' : 'subquery', alias, offset: 0, nullable: false }];
      return { node: planned.node, scope, relations, ...(planned.apply === undefined ? {} : { apply: planned.apply }) };
    }
    case 'FunctionRef': {
      // A function in FROM is implicitly LATERAL (PostgreSQL).
      const planned = await planBesideLeft(ctx, left, true, (inner) => planGenerateSeries(inner.compiler, item));
      return { ...planned, relations: [{ kind: 'function', alias: item.alias?.name ?? (item.call.name.at(-1) ?? null), offset: 0, nullable: false }] };
    }
    case 'Join':
      return planJoin(ctx, item);
    default:
      return assertNeverFrom(item);
  }
}

function assertNeverFrom(item: never): never {
  assert(false, () => `unknown FROM item ${JSON.stringify(item)}`);
}

function renameColumns(scope: Scope, names: readonly string[], table: string | null, what: 'table' | 'join expression' = 'table'): Scope {
  const visible = scope.columns.filter((column) => !column.hidden && column.qualifiedOnly !== true);
  if (names.length > visible.length) throw new SqlError('42P10', `${what} "${table}" has ${visible.length} columns available but ${names.length} columns specified`);
  let next = 0;
  return new Scope(
    scope.columns.map((column) => {
      // An aliased join hides its sides' names: their copies of USING columns can no longer be named.
      if (column.qualifiedOnly === true) return { ...column, table: null };
      return column.hidden || next >= names.length ? { ...column, table } : { ...column, table, name: names[next++]! };
    }),
  );
}

/**
 * A join as a FROM item. `(a JOIN b …) AS j [(c, …)]` names the whole join: its columns are `j.c`
 * (renamed by the list) and the sides' own names are hidden from the rest of the query, as
 * PostgreSQL's join alias (so `(a JOIN b USING (k)) AS j, a` is no duplicate name).
 */
async function planJoin(ctx: PlanContext, join: ast.Join): Promise<FromResult> {
  const planned = await planJoinSides(ctx, join);
  if (join.alias === null) return planned;
  return { ...planned, scope: renameColumns(planned.scope, join.alias.columns, join.alias.name, 'join expression') };
}

async function planJoinSides(ctx: PlanContext, join: ast.Join): Promise<FromResult> {
  const left = await planFromItem(ctx, join.left);
  const right = await planFromItem(ctx, join.right, left.scope);
  checkDistinctNames(left.scope, right.scope);
  const scope = left.scope.concat(right.scope);
  const relations = joinRelations(join, left, right);
  if (right.apply !== undefined) {
    if (join.natural || join.using.length > 0) throw new SqlError('0A000', 'NATURAL and USING joins to a LATERAL item are not supported yet');
    if (containsWindow(join.on)) throw windowNotAllowed('JOIN conditions');
    const lateralOn = join.on === null ? null : await ctx.compiler.withScope(scope).compilePredicate(join.on, 'JOIN/ON');
    return { node: applyNode(left.node, right.node, join.joinType, lateralOn, right.apply), scope, relations };
  }
  let on: CompiledExpr | null = null;
  if (join.natural || join.using.length > 0) {
    const visible = (column: ScopeColumn): boolean => !column.hidden && column.qualifiedOnly !== true;
    const names = join.natural ? left.scope.columns.filter((column) => visible(column) && right.scope.columns.some((other) => other.name === column.name && visible(other))).map((column) => column.name) : join.using;
    const conditions: ast.Expr[] = names.map((name) => ({
      kind: 'BinaryOp',
      operator: '=',
      operatorSchema: null,
      left: { kind: 'ColumnRef', path: [name], location: -1 },
      right: { kind: 'ColumnRef', path: [name], location: -1 },
      location: -1,
    }));
    const compiled: CompiledExpr[] = [];
    for (const name of names) {
      const l = left.scope.resolve([name]);
      const r = right.scope.resolve([name]);
      const leftCompiler = ctx.compiler.withScope(left.scope);
      const offset = left.scope.columns.length;
      const lExpr = await leftCompiler.compile({ kind: 'ColumnRef', path: [name], location: -1 });
      const rType = right.scope.columns[r]!.type;
      const rExpr: CompiledExpr = { type: rType, eval: (row) => row[offset + r] ?? null, rowIndependent: false };
      compiled.push(binaryOperator('=', { ...lExpr, eval: (row) => row[l] ?? null }, rExpr, ctx.compiler.paramTypes));
    }
    assert(conditions.length === compiled.length, 'one condition per USING column');
    on = compiled.reduce<CompiledExpr | null>((all, next) => (all === null ? next : andExpr(all, next)), null);
    // The USING columns are the join's equality keys (hash or merge join), as an ON would be.
    const usingKeys = conditions.length === 0 ? undefined : await equalityKeys(ctx, { kind: 'And', args: conditions, location: -1 }, left.scope, right.scope);
    const joinNode: JoinNode = { kind: 'join', joinType: join.joinType, left: left.node, right: right.node, on, ...(usingKeys === undefined ? {} : { hashKeys: usingKeys }), width: left.node.width + right.node.width };
    if (join.usingAlias !== null) checkUsingAlias(join.usingAlias, scope);
    const merged = mergeUsingColumns(ctx, joinNode, left.scope, right.scope, names, join.usingAlias);
    return { ...merged, relations: shiftRelations(relations, names.length) };
  } else if (join.on !== null) {
    if (containsWindow(join.on)) throw windowNotAllowed('JOIN conditions');
    on = await ctx.compiler.withScope(scope).compilePredicate(join.on, 'JOIN/ON');
  }
  const joinType = join.joinType;
  const condition: ast.Expr | null = join.on ?? null;
  const hashKeys = condition === null ? undefined : await equalityKeys(ctx, condition, left.scope, right.scope);
  return { node: { kind: 'join', joinType, left: left.node, right: right.node, on, ...(hashKeys === undefined ? {} : { hashKeys }), width: left.node.width + right.node.width }, scope, relations };
}

/** The FROM relations of a join's two sides (the right's after the left's columns; outer joins' nullable sides marked), and its alias. */
function joinRelations(join: ast.Join, left: FromResult, right: FromResult): FromRelation[] {
  const relations = [
    ...shiftRelations(left.relations, 0, join.joinType === 'right' || join.joinType === 'full'),
    ...shiftRelations(right.relations, left.scope.columns.length, join.joinType === 'left' || join.joinType === 'full'),
  ];
  if (join.usingAlias !== null) relations.push({ kind: 'join', alias: join.usingAlias, offset: 0, nullable: false });
  if (join.alias !== null) relations.push({ kind: 'join', alias: join.alias.name, offset: 0, nullable: false });
  return relations;
}

/** `USING (k) AS j` names a FROM item too: 42712 when a table of either side goes by `j` (PostgreSQL's namespace check). */
function checkUsingAlias(usingAlias: string, sides: Scope): void {
  if (sides.columns.some((column) => column.table === usingAlias)) throw new SqlError('42712', `table name "${usingAlias}" specified more than once`);
}

/**
 * A USING / NATURAL join's output: each USING column once, first, as PostgreSQL's merged column
 * (the left value for INNER and LEFT joins, the right one for RIGHT, COALESCE of both for FULL,
 * in the sides' common type), then every column of both sides, whose copies of the USING
 * columns only a qualified name reaches (`a.k`, `a.*`).
 */
function mergeUsingColumns(ctx: PlanContext, join: JoinNode, left: Scope, right: Scope, names: readonly string[], usingAlias: string | null): FromResult {
  const leftWidth = left.columns.length;
  const column = (index: number, type: SqlType): CompiledExpr => ({ type, eval: (row) => row[index] ?? null, rowIndependent: false });
  const leftUsing = new Set<number>();
  const rightUsing = new Set<number>();
  const merged: { expr: CompiledExpr; column: ScopeColumn }[] = names.map((name) => {
    const l = left.resolve([name]);
    const r = right.resolve([name]);
    leftUsing.add(l);
    rightUsing.add(r);
    const lExpr = column(l, left.columns[l]!.type);
    const rExpr = column(leftWidth + r, right.columns[r]!.type);
    const type = commonType([lExpr, rExpr], 'JOIN/USING');
    const lValue = coerce(lExpr, type, 'implicit', ctx.compiler.paramTypes).eval;
    const rValue = coerce(rExpr, type, 'implicit', ctx.compiler.paramTypes).eval;
    const source = join.joinType === 'right' ? right.columns[r]! : join.joinType === 'full' ? undefined : left.columns[l]!;
    const evaluate: Evaluator = join.joinType === 'right' ? rValue : join.joinType === 'full' ? (row, c) => lValue(row, c) ?? rValue(row, c) : lValue;
    return {
      expr: { type, eval: evaluate, rowIndependent: false },
      // `USING (k) AS j`: the merged column is `j.k` as well as `k`.
      column: { name, table: usingAlias, type, hidden: false, tableOid: source?.tableOid ?? 0, columnNumber: source?.columnNumber ?? 0 },
    };
  });
  const sides = [...left.columns.map((c, i) => ({ c, i, using: leftUsing.has(i) })), ...right.columns.map((c, i) => ({ c, i: leftWidth + i, using: rightUsing.has(i) }))];
  const exprs = [...merged.map((m) => m.expr), ...sides.map(({ c, i }) => column(i, c.type))];
  const scope = new Scope([...merged.map((m) => m.column), ...sides.map(({ c, using }) => (using ? { ...c, qualifiedOnly: true } : c))]);
  return { node: { kind: 'project', input: join, exprs, rowSlots: false, width: exprs.length }, scope };
}

function andExpr(left: CompiledExpr, right: CompiledExpr): CompiledExpr {
  const l = left.eval;
  const r = right.eval;
  return { type: left.type, eval: (row, ctx) => { const a = l(row, ctx); if (a === false) return false; const b = r(row, ctx); if (b === false) return false; return a === null || b === null ? null : true; }, rowIndependent: false };
}

/** The correlated subquery slots added to the statement's slots since `before`. */
export function correlatedSince(compiler: ExprCompiler, before: number): number[] | undefined {
  const slots: number[] = [];
  for (let index = before; index < compiler.slots.length; index++) {
    const slot = compiler.slots[index]!;
    // A nested subquery's slot is filled by the subquery that encloses it, once per row of that one.
    if (slot.kind === 'subquery' && slot.correlated && slot.nested !== true) slots.push(index);
  }
  return slots.length === 0 ? undefined : slots;
}

// ─── SELECT ────────────────────────────────────────────────────────────────────────────────

/** PostgreSQL's name for an output column without an alias. */
export function targetName(expr: ast.Expr): string {
  switch (expr.kind) {
    case 'ColumnRef':
      return expr.path[expr.path.length - 1]!;
    case 'FuncCall':
      return expr.name[expr.name.length - 1]!;
    case 'GroupingFunc':
      return 'grouping';
    case 'Cast':
      return expr.arg.kind === 'ColumnRef' || expr.arg.kind === 'FuncCall' || expr.arg.kind === 'Cast' ? targetName(expr.arg) : castTypeName(expr.type);
    case 'TypedLiteral':
      return castTypeName(expr.type);
    case 'Case':
      return 'case';
    case 'Coalesce':
      return 'coalesce';
    case 'NullIf':
      return 'nullif';
    case 'MinMax':
      return expr.op;
    case 'SqlValueFunction':
      return expr.name;
    case 'SubqueryExpr':
      return expr.mode === 'exists' ? 'exists' : expr.mode === 'array' ? 'array' : subqueryColumnName(expr.query);
    case 'ArrayConstructor':
      return 'array';
    case 'RowConstructor':
      return 'row';
    case 'Indirection': {
      // The last field name (`(keys).x` is x), else the subscripted expression's (`indkey[0]`).
      const field = expr.steps.findLast((step) => step.kind === 'field');
      return field?.kind === 'field' ? field.name : targetName(expr.arg);
    }
    default:
      return '?column?';
  }
}

/** A scalar subquery is named after its first output column, as PostgreSQL's FigureColname names an EXPR_SUBLINK (`(SELECT max(x) …)` is `max`). */
function subqueryColumnName(query: ast.Query): string {
  if (query.kind === 'SetOperation') return subqueryColumnName(query.left);
  if (query.kind === 'Values') return 'column1';
  const first = query.targets[0];
  // `SELECT *` would be named after the first column it expands to, which is not known here.
  if (first === undefined || first.expr.kind === 'Star') return first?.alias ?? '?column?';
  return first.alias ?? targetName(first.expr);
}

function castTypeName(type: ast.TypeName): string {
  const name = type.names[type.names.length - 1]!;
  return ({ int: 'int4', integer: 'int4', bigint: 'int8', smallint: 'int2', boolean: 'bool', real: 'float4', 'double precision': 'float8', decimal: 'numeric' } as Record<string, string>)[name] ?? name;
}

interface Target {
  readonly name: string;
  readonly expr: ast.Expr;
}

function expandTargets(targets: readonly ast.Target[], scope: Scope): Target[] {
  const expanded: Target[] = [];
  for (const target of targets) {
    if (target.expr.kind === 'Star') {
      for (const position of scope.star(target.expr.qualifier)) {
        const column = scope.columns[position]!;
        const path = column.table === null ? [column.name] : [column.table, column.name];
        const byName = reachesByName(scope, path, position);
        expanded.push({ name: column.name, expr: byName ? { kind: 'ColumnRef', path, location: -1 } : { kind: 'ColumnRef', path, location: -1, position } });
      }
      if (scope.columns.length === 0 && target.expr.qualifier.length === 0) throw new SqlError('42601', 'SELECT * with no tables specified is not valid');
      continue;
    }
    const fields = recordStarFields(target.expr, scope);
    if (fields !== undefined) {
      expanded.push(...fields);
      continue;
    }
    expanded.push({ name: target.alias ?? targetName(target.expr), expr: target.expr });
  }
  return expanded;
}

/**
 * Whether `path` names the column at `position` of `scope`. Two columns of one FROM item may share
 * a name (`unnest(a, b)`'s two `unnest` columns, `(SELECT 1 AS a, 2 AS a) s`): PostgreSQL's `*`
 * expands them by position, so such a column's reference carries its position (ast.ColumnRef).
 */
function reachesByName(scope: Scope, path: readonly string[], position: number): boolean {
  try {
    return scope.resolve(path) === position;
  } catch (error) {
    if (error instanceof SqlError && error.sqlState === '42702') return false;
    throw error;
  }
}

/**
 * `(rec).*` in a SELECT list: one target per field of the record, `(rec).field` each — as
 * PostgreSQL expands it (so `(f(x)).*` calls f once per field, PostgreSQL's own behaviour). The
 * fields are known for a column of a record type and for a call of a function with OUT
 * parameters (`information_schema._pg_expandarray`: x, n); undefined for anything else, which
 * the expression compiler then refuses.
 */
function recordStarFields(expr: ast.Expr, scope: Scope): Target[] | undefined {
  if (expr.kind !== 'Indirection' || expr.steps.length !== 1 || expr.steps[0]!.kind !== 'star') return undefined;
  let names: readonly string[] | undefined;
  if (expr.arg.kind === 'FuncCall' && expr.arg.name.length === 2 && expr.arg.name[0] === 'information_schema' && expr.arg.name[1] === '_pg_expandarray') names = ['x', 'n'];
  else if (expr.arg.kind === 'ColumnRef') {
    const type = scope.columns[scope.resolve(expr.arg.path)]!.type;
    if (type.kind === 'record') names = type.fields.map((field) => field.name);
  }
  return names?.map((name) => ({ name, expr: { kind: 'Indirection', arg: expr.arg, steps: [{ kind: 'field', name }], location: expr.location } }));
}

async function planSelect(ctx: PlanContext, select: ast.Select): Promise<PlannedQuery> {
  const from = await planFrom(ctx, select.from);
  let node = from.node;
  const inputCompiler = ctx.compiler.withScope(from.scope);
  if (node.kind === 'join') node = await planJoinTree(ctx, node, from.scope, select.where);
  else if (node.kind === 'project') node = await planJoinStrategies(ctx, node); // a USING join's render
  if (select.where !== null) {
    if (containsOwnAggregate(select.where, from.scope, ctx.compiler.outer !== null)) throw new SqlError('42803', 'aggregate functions are not allowed in WHERE');
    if (containsWindow(select.where)) throw windowNotAllowed('WHERE');
    const slotsBefore = ctx.compiler.slots.length;
    const predicate = await inputCompiler.compilePredicate(select.where, 'WHERE');
    if (unclaimedSetReturning(ctx.compiler.slots, slotsBefore)) throw new SqlError('0A000', 'set-returning functions are not allowed in WHERE');
    const correlatedSlots = correlatedSince(ctx.compiler, slotsBefore);
    if (node.kind === 'scan') {
      const choice = await chooseIndex(node.table, select.where, inputCompiler);
      node = { ...node, index: choice.index, spans: choice.spans };
    }
    node = { kind: 'filter', input: node, predicate, ...(correlatedSlots === undefined ? {} : { correlatedSlots }), width: node.width };
  }
  const targets = expandTargets(select.targets, from.scope);
  if (containsWindow(select.groupBy)) throw windowNotAllowed('GROUP BY');
  if (containsWindow(select.having)) throw windowNotAllowed('HAVING');
  // Window calls in the targets and ORDER BY register here; their Window nodes go above GROUP BY and HAVING (window.ts).
  const named = namedWindows(select.window);
  const offsetCompiler = ctx.compiler.withScope(Scope.empty);
  // An aggregate over an outer query's columns only is that query's (outer-aggregates.ts).
  const ownAggregate = (expr: unknown): boolean => containsOwnAggregate(expr, from.scope, ctx.compiler.outer !== null);
  const grouped = select.groupBy.length > 0 || select.groupingSets !== undefined || select.having !== null || targets.some((target) => ownAggregate(target.expr)) || select.orderBy.some((sortBy) => ownAggregate(sortBy.expr)) || containsAggregate(select.window);
  checkGroupedLocking(select, targets);
  const locking = planLocking(select, node, from);
  node = locking.node;
  const planGrouped = async (): Promise<PlannedQuery> => {
    const windowing: WindowingContext = { calls: [] };
    const groupExprs = await inOrder(select.groupBy, (expr) => groupByExpr(expr, targets, inputCompiler));
    const grouping: GroupingContext = {
      groupKeys: groupExprs.map((group) => exprKey(group.ast)),
      groupTypes: groupExprs.map((group) => group.compiled.type),
      aggregates: [] as AggregateCall[],
      inputCompiler,
      ...(select.groupingSets === undefined ? {} : { groupingSets: select.groupingSets }),
    };
    const groupColumns: ScopeColumn[] = groupExprs.map((group) => {
      const source = group.compiled.columnIndex === undefined ? undefined : from.scope.columns[group.compiled.columnIndex];
      return { name: source?.name ?? '?column?', table: source?.table ?? null, type: group.compiled.type, hidden: false, tableOid: source?.tableOid ?? 0, columnNumber: source?.columnNumber ?? 0 } satisfies ScopeColumn;
    });
    // Over grouping sets the set's number follows the group columns (GROUPING(…) reads it): a hidden column no name reaches.
    if (select.groupingSets !== undefined) groupColumns.push({ name: '', table: null, type: int4Type, hidden: true, tableOid: 0, columnNumber: 0 });
    const groupScope = new GroupedScope(from.scope, groupColumns);
    const outputCompiler = ctx.compiler.withScope(groupScope, grouping);
    const outputScope = groupScope;
    // Compile targets, HAVING and ORDER BY first (they register the aggregates), then build the node.
    const slotsBefore = ctx.compiler.slots.length;
    const having = select.having === null ? null : await outputCompiler.compilePredicate(select.having, 'HAVING');
    // Its correlated subqueries read the aggregate's output row (group columns first: groupScope's layout) and run per group.
    const havingSlots = correlatedSince(ctx.compiler, slotsBefore);
    const projected = await projectTargets(ctx, select, targets, outputCompiler.withWindowing(windowing), outputScope);
    const windows = await compileWindows(windowing.calls, named, outputCompiler, offsetCompiler);
    const groupingSets = select.groupingSets === undefined ? {} : { groupingSets: select.groupingSets };
    assertEquality(groupExprs.map((group) => group.compiled.type));
    let aggregated: PlanNode = { kind: 'aggregate', input: node, groupBy: groupExprs.map((group) => group.compiled), aggregates: grouping.aggregates, ...groupingSets, width: groupColumns.length + grouping.aggregates.length };
    if (having !== null) aggregated = { kind: 'filter', input: aggregated, predicate: having, ...(havingSlots === undefined ? {} : { correlatedSlots: havingSlots }), width: aggregated.width };
    checkWindowLocking(select, windowing);
    return finishSelect(ctx, select, windowNodes(windows, aggregated), projected);
  };
  if (grouped) return planGrouped();
  const slotsBefore = ctx.compiler.slots.length;
  try {
    const windowing: WindowingContext = { calls: [] };
    const projected = await projectTargets(ctx, select, targets, inputCompiler.withWindowing(windowing), from.scope);
    const windows = await compileWindows(windowing.calls, named, inputCompiler, offsetCompiler);
    checkWindowLocking(select, windowing);
    const lockRows = locking.rowLocks.length === 0 ? undefined : lockTargets(locking.rowLocks, projected.exprs, codecOf);
    return await finishSelect(ctx, select, windowNodes(windows, node), projected, lockRows);
  } catch (error) {
    // A subquery in the SELECT list or ORDER BY holds an aggregate of this query: plan it again, grouped.
    if (!(error instanceof OuterAggregateFound) || error.scope !== from.scope) throw error;
    ctx.compiler.slots.length = slotsBefore;
    return planGrouped();
  }
}

/**
 * The locking clauses of `select` over its FROM list (plan/locking.ts): `node` with its scan's
 * locking set — locking reads when the one table is locked at the scan, else the reads below a
 * LockRows node — and the tables the LockRows node locks (none without clauses).
 */
function planLocking(select: ast.Select, node: PlanNode, from: FromResult): { node: PlanNode; rowLocks: readonly LockedRelation[] } {
  if (select.locking.length === 0) return { node, rowLocks: [] };
  const locks = resolveLocking(select.locking, from.relations ?? []);
  const scan = singleScan(node);
  const lock = locks[0];
  if (locks.length !== 1 || lock === undefined || scan === undefined || lock.relation.offset !== 0) return { node, rowLocks: locks };
  const atScan = locksAtScan(select, scan, lock);
  const locked: ScanNode = { ...scan, locking: atScan ? scanLockingOf(lock) : scanLockingBelowLockRows(lock) };
  return { node: node.kind === 'filter' ? { ...node, input: locked } : locked, rowLocks: atScan ? [] : locks };
}

/**
 * PostgreSQL's CheckSelectLocking: a locking clause needs result rows that are table rows, so
 * FOR UPDATE / FOR SHARE with DISTINCT, GROUP BY, HAVING or aggregates is 0A000 (checked in
 * PostgreSQL's order; window functions below).
 */
function checkGroupedLocking(select: ast.Select, targets: readonly Target[]): void {
  const clause = select.locking[0];
  if (clause === undefined) return;
  const what = `FOR ${clause.strength.toUpperCase()}`;
  if (select.distinct !== null) throw new SqlError('0A000', `${what} is not allowed with DISTINCT clause`);
  if (select.groupBy.length > 0 || select.groupingSets !== undefined) throw new SqlError('0A000', `${what} is not allowed with GROUP BY clause`);
  if (select.having !== null) throw new SqlError('0A000', `${what} is not allowed with HAVING clause`);
  if (targets.some((target) => containsAggregate(target.expr)) || select.orderBy.some((sortBy) => containsAggregate(sortBy.expr))) throw new SqlError('0A000', `${what} is not allowed with aggregate functions`);
}

/** PostgreSQL's 0A000 for FOR UPDATE / FOR SHARE over window functions (a result row is no single table row). */
function checkWindowLocking(select: ast.Select, windowing: WindowingContext): void {
  const clause = select.locking[0];
  if (clause === undefined || windowing.calls.length === 0) return;
  throw new SqlError('0A000', `FOR ${clause.strength.toUpperCase()} is not allowed with window functions`);
}

async function groupByExpr(expr: ast.Expr, targets: readonly Target[], compiler: ExprCompiler): Promise<{ ast: ast.Expr; compiled: CompiledExpr }> {
  let resolved = expr;
  // A constant other than a position is an error, not a one-group key (PostgreSQL's findTargetlistEntrySQL92).
  if (expr.kind === 'Literal' && expr.value.type !== 'integer') throw new SqlError('42601', 'non-integer constant in GROUP BY');
  if (expr.kind === 'Literal' && expr.value.type === 'integer') {
    const target = targets[Number(expr.value.digits) - 1];
    if (target === undefined) throw new SqlError('42P10', `GROUP BY position ${expr.value.digits} is not in select list`);
    resolved = target.expr;
  } else if (expr.kind === 'ColumnRef' && expr.path.length === 1) {
    try {
      compiler.scope.resolve(expr.path);
    } catch (error) {
      const target = targets.find((candidate) => candidate.name === expr.path[0]);
      if (target === undefined) throw error;
      resolved = target.expr;
    }
  }
  return { ast: resolved, compiled: await compiler.compileValue(resolved) };
}

interface Projected {
  readonly exprs: CompiledExpr[];
  readonly names: string[];
  readonly visible: number;
  readonly sortKeys: SortKey[];
  readonly columns: ResultColumn[];
  readonly correlatedSlots?: readonly number[];
  /** DISTINCT ON: the positions of its expressions among `exprs`. */
  readonly distinctOn: readonly number[];
}

async function projectTargets(ctx: PlanContext, select: ast.Select, targets: readonly Target[], compiler: ExprCompiler, scope: Scope): Promise<Projected> {
  const slotsBefore = ctx.compiler.slots.length;
  const exprs: CompiledExpr[] = [];
  for (const target of targets) exprs.push(await compiler.compileValue(target.expr));
  const names = targets.map((target) => target.name);
  const columns = resultColumns(names, exprs, scope);
  const visible = exprs.length;
  const sortKeys: SortKey[] = [];
  const outputs = names.map((name, index) => ({ name, index }));
  for (const sortBy of select.orderBy) {
    let position = outputPosition(sortBy.expr, outputs);
    if (position === undefined) {
      const key = exprKey(sortBy.expr);
      const same = targets.findIndex((target) => exprKey(target.expr) === key);
      if (same !== -1) position = same;
    }
    if (position === undefined) {
      if (select.distinct !== null && select.distinct.length === 0) throw new SqlError('42P10', 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
      exprs.push(await compiler.compileValue(sortBy.expr));
      position = exprs.length - 1;
    }
    sortKeys.push(sortKey(position, exprs[position]!.type, sortBy));
  }
  const distinctOn: number[] = [];
  for (const expr of select.distinct ?? []) {
    let position = outputPosition(expr, outputs, 'DISTINCT ON');
    if (position === undefined) {
      const key = exprKey(expr);
      const same = targets.findIndex((target) => exprKey(target.expr) === key);
      position = same === -1 ? undefined : same;
    }
    if (position === undefined) {
      exprs.push(await compiler.compileValue(expr));
      position = exprs.length - 1;
    }
    requireEqualityOperator(exprs[position]!.type);
    distinctOn.push(position);
  }
  if (distinctOn.length > 0 && sortKeys.length > 0) {
    const leading = sortKeys.slice(0, distinctOn.length).map((key) => key.column);
    if (!distinctOn.every((position) => leading.includes(position)) || leading.length < Math.min(distinctOn.length, sortKeys.length)) {
      throw new SqlError('42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
    }
  }
  const correlatedSlots = correlatedSince(ctx.compiler, slotsBefore);
  return { exprs, names, visible, sortKeys, columns, distinctOn, ...(correlatedSlots === undefined ? {} : { correlatedSlots }) };
}

async function finishSelect(ctx: PlanContext, select: ast.Select, input: PlanNode, projected: Projected, lockRows?: readonly LockTarget[]): Promise<PlannedQuery> {
  const rowSlots = ctx.compiler.slots.some((slot) => slot.kind === 'nextval' || slot.kind === 'currval' || slot.kind === 'setval' || slot.kind === 'session');
  const correlated = projected.correlatedSlots === undefined ? {} : { correlatedSlots: projected.correlatedSlots };
  const setReturning = claimSetReturning(ctx.compiler.slots);
  const clause = select.locking[0];
  if (clause !== undefined && setReturning.length > 0) throw new SqlError('0A000', `${lockingClauseName(clause.strength)} is not allowed with set-returning functions in the target list`);
  const expands = setReturning.length === 0 ? {} : { setReturning };
  let node: PlanNode = { kind: 'project', input, exprs: projected.exprs, rowSlots, ...correlated, ...expands, width: projected.exprs.length };
  if (select.distinct !== null && select.distinct.length === 0) {
    assertEquality(projected.exprs.map((expr) => expr.type));
    node = { kind: 'distinct', input: node, types: projected.exprs.map((expr) => expr.type), width: node.width };
  }
  if (projected.sortKeys.length > 0) node = { kind: 'sort', input: node, keys: projected.sortKeys, width: node.width };
  if (projected.distinctOn.length > 0) {
    // After the sort: the first row of each DISTINCT ON group in ORDER BY order is kept.
    const keyColumns = projected.distinctOn;
    node = { kind: 'distinct', input: node, types: keyColumns.map((position) => projected.exprs[position]!.type), keyColumns, width: node.width };
  }
  if (lockRows !== undefined) {
    // PostgreSQL's place for LockRows: above the sort, below the LIMIT (which then counts only
    // the rows locked), with the LIMIT's own expressions to size its chunks.
    const lock = (below: PlanNode, limit: LimitNode | undefined): PlanNode => ({ kind: 'lockRows', input: below, targets: lockRows, limit: limit?.limit ?? null, offset: limit?.offset ?? null, width: below.width });
    const limited = await applyLimit(ctx, select, node);
    node = limited.kind === 'limit' ? { ...limited, input: lock(node, limited) } : lock(node, undefined);
  } else node = await applyLimit(ctx, select, node);
  if (projected.exprs.length > projected.visible) {
    const exprs = projected.columns.map((column, index): CompiledExpr => ({ type: column.type, eval: (row) => row[index] ?? null, rowIndependent: false }));
    node = { kind: 'project', input: node, exprs, rowSlots: false, width: exprs.length };
  }
  return { node, columns: projected.columns };
}
