/**
 * Join planning over a FROM tree, after its items are planned (planner.ts's planSelect):
 *
 * 1. **Spans into the join's inputs.** WHERE's conjuncts that constrain one table's indexed
 *    columns (`o.id < 100`, `c.region IN (…)`) narrow that table's scan, as they do a one-table
 *    SELECT (spans.ts). Safe under every join type: a span only comes from a comparison, which no
 *    NULL-padded row satisfies, and WHERE still runs as a filter above the join.
 * 2. **Hash keys from WHERE.** A comma join (`FROM a, b WHERE a.x = b.y`) is a cross join; its
 *    `a.x = b.y` conjuncts become hash keys, so it is a hash join, not nested loops over both.
 * 3. **Lookup joins.** When the right side is a table whose index's leading columns are all bound
 *    by the join's equalities, the join can look its rows up by key, one batch of left rows at a
 *    time, instead of reading the whole right table (CockroachDB's lookup join). It is chosen from
 *    simple statistics: the left side's estimated rows (exact point spans count their keys;
 *    a full scan, the table's rows) against the right table's rows (`TableStatistics`, from the
 *    ranges' MVCC stats). A point lookup costs a few scanned rows and a prefix or secondary-index
 *    lookup a score of them, so a lookup join wins when the left side is a small fraction of the
 *    right table; otherwise the hash join reads the right side once.
 *
 * ```
 *   hash join:    left ──probe──▶ buckets ◀──build── whole right table
 *   lookup join:  left batch ──keys──▶ point gets / prefix scans of the right index ──▶ buckets ──▶ probe
 * ```
 *
 * Only inner and left joins (and comma joins) look up: a right or full join must see every right
 * row.
 * 4. **Merge joins.** Otherwise, when both inputs arrive ordered on the equality keys (orderings
 *    derived through the plan: ordering.ts), a merge join replaces the hash join — any join type,
 *    no sort ever added for it (`chooseMerge`).
 * 5. **Filters into the join's inputs.** WHERE's one-table conjuncts also filter that table's scan
 *    on the sides the joins preserve (`pushFilters`).
 *
 * EXPLAIN names the choice (`inner join (lookup)`, `(merge)`, `(hash)`, `(nested loop)`).
 */
import type { IndexDesc } from '../catalog/descriptors.js';
import { allIndexes } from '../catalog/descriptors.js';
import type * as ast from '../parser/ast.js';
import { keyEncodable } from '../rowcodec/key-datum.js';
import type { SqlType } from '../types/sql-type.js';
import type { PlanContext } from './context.js';
export type { TableStatistics } from './context.js';
import { coerce, commonType } from './expr/coerce.js';
import type { CompiledExpr } from './expr/compiled.js';
import type { FilterNode, JoinNode, PlanNode, ScanNode } from './plan.js';
import { orderCompatible, outputOrdering } from './ordering.js';
import { Scope } from './scope.js';
import { chooseIndex, narrowedInteger } from './spans.js';

/** Rows assumed for a table without statistics. */
const unknownTableRows = 1000;
/**
 * What one left row's lookup costs, in rows a scan reads: a point get of a whole primary key about
 * 3 (one KV get in a batch); a prefix scan, or a secondary index's entries and then their rows,
 * about 20 (a scan request of its own, plus an index join).
 */
const pointLookupCostRows = 3;
const prefixLookupCostRows = 20;
/** Rows a prefix or secondary-index lookup is assumed to find per left row. */
const prefixLookupFanout = 10;
/** Past this many estimated left rows a lookup join is never chosen (the hash join's one read wins). */
const lookupLeftRowsMax = 100_000;

type HashKeys = NonNullable<JoinNode['hashKeys']>;

/** Applies the three steps above to the FROM tree `node` (whose columns are `scope`'s). */
export async function planJoinTree(ctx: PlanContext, node: PlanNode, scope: Scope, where: ast.Expr | null): Promise<PlanNode> {
  const conjuncts = where === null ? [] : conjunctsOf(where);
  /** `preserved`: no join above pads this side with NULLs (step 5 may filter it). */
  const walk = async (current: PlanNode, offset: number, preserved: boolean): Promise<PlanNode> => {
    if (current.kind === 'scan') {
      const scan = await narrowScan(ctx, current, scope, offset, where);
      return preserved ? filterScan(ctx, scan, slice(scope, offset, scan.width), conjuncts) : scan;
    }
    if (current.kind === 'project') return planJoinStrategies(ctx, current);
    if (current.kind !== 'join' || current.lookup !== undefined) return current;
    const type = current.joinType;
    const left = await walk(current.left, offset, preserved && (type === 'inner' || type === 'cross' || type === 'left'));
    const right = await walk(current.right, offset + current.left.width, preserved && (type === 'inner' || type === 'cross' || type === 'right'));
    let join: JoinNode = { ...current, left, right };
    if (join.joinType === 'cross' && join.hashKeys === undefined && where !== null) {
      const keys = await equalityKeys(ctx, where, slice(scope, offset, left.width), slice(scope, offset + left.width, right.width));
      if (keys !== undefined) join = { ...join, joinType: 'inner', hashKeys: keys };
    }
    const lookup = await chooseLookup(ctx, join);
    return lookup.lookup === undefined ? chooseMerge(lookup) : lookup;
  };
  return walk(node, 0, true);
}

function conjunctsOf(expr: ast.Expr): ast.Expr[] {
  return expr.kind === 'And' ? expr.args.flatMap(conjunctsOf) : [expr];
}

/**
 * Step 5, **filters into the join's inputs** (predicate pushdown): WHERE's conjuncts that read
 * one table's columns alone (`local` is its scope) also filter that table's scan, so its rows that
 * WHERE rejects anyway never reach a join — a TPC-H-like `o.order_date < …` over a four-way join
 * then joins a sixth of the orders instead of all of them, and the filtered side's smaller
 * estimate can make a lookup join pay. Only into a side whose rows the joins above preserve (both
 * sides of an inner or cross join, the left of a LEFT join, the right of a RIGHT join): on the
 * other side a row filtered out would come back NULL-padded. A lookup join reads its table by key
 * and checks the filter on the rows it finds (`chooseLookup`). WHERE still runs above the join, so a conjunct is only
 * ever checked twice, never skipped; orderings survive a filter, so merge joins stay merge joins.
 */
async function filterScan(ctx: PlanContext, scan: ScanNode, local: Scope, conjuncts: readonly ast.Expr[]): Promise<PlanNode> {
  // Point gets read a few rows whatever WHERE says: no filter worth its evaluations.
  if (scan.spans.kind === 'prefixes' && scan.spans.exact) return scan;
  const mine = conjuncts.filter((conjunct) => readsOnly(conjunct, local));
  if (mine.length === 0) return scan;
  const condition: ast.Expr = mine.length === 1 ? mine[0]! : { kind: 'And', args: mine, location: -1 };
  const predicate = await ctx.compiler.withScope(local).compilePredicate(condition, 'WHERE');
  return { kind: 'filter', input: scan, predicate, width: scan.width };
}

/**
 * Whether `expr` reads only columns of `scope` through plain operators — no function calls (a
 * volatile one would run on rows WHERE never saw), no subqueries or parameters (compiling them has
 * effects on the query: slots, parameter types), nothing that names an outer query.
 */
function readsOnly(expr: ast.Expr, scope: Scope): boolean {
  const local = (e: ast.Expr): boolean => readsOnly(e, scope);
  switch (expr.kind) {
    case 'ColumnRef':
      try {
        scope.resolve(expr.path);
        return true;
      } catch {
        return false; // another table's column, an outer query's, or ambiguous
      }
    case 'Literal':
    case 'TypedLiteral':
      return true;
    case 'UnaryOp':
      return expr.operatorSchema === null && local(expr.operand);
    case 'BinaryOp':
      return expr.operatorSchema === null && local(expr.left) && local(expr.right);
    case 'And':
    case 'Or':
      return expr.args.every(local);
    case 'Not':
    case 'IsNull':
    case 'IsBool':
      return local(expr.arg);
    case 'IsDistinctFrom':
      return local(expr.left) && local(expr.right);
    case 'Between':
      return local(expr.arg) && local(expr.low) && local(expr.high);
    case 'InList':
      return local(expr.arg) && expr.list.every(local);
    case 'Like':
      return local(expr.arg) && local(expr.pattern) && (expr.escape === null || local(expr.escape));
    case 'Cast':
      return local(expr.arg);
    default:
      return false;
  }
}

/**
 * Join strategies for a join tree already planned (a subquery's, or a USING join's under the
 * render that merges its columns): no WHERE to push, the lookup and merge choices only.
 */
export async function planJoinStrategies(ctx: PlanContext, node: PlanNode): Promise<PlanNode> {
  if (node.kind === 'project' && (node.input.kind === 'join' || node.input.kind === 'project')) return { ...node, input: await planJoinStrategies(ctx, node.input) };
  if (node.kind !== 'join' || node.lookup !== undefined || node.merge !== undefined) return node;
  const join: JoinNode = { ...node, left: await planJoinStrategies(ctx, node.left), right: await planJoinStrategies(ctx, node.right) };
  const lookup = await chooseLookup(ctx, join);
  return lookup.lookup === undefined ? chooseMerge(lookup) : lookup;
}

async function narrowScan(ctx: PlanContext, scan: ScanNode, scope: Scope, offset: number, where: ast.Expr | null): Promise<ScanNode> {
  if (where === null || scan.spans.kind !== 'full' || scan.locking !== null) return scan;
  const choice = await chooseIndex(scan.table, where, ctx.compiler.withScope(scope), offset);
  return choice.spans.kind === 'full' ? scan : { ...scan, index: choice.index, spans: choice.spans };
}

function slice(scope: Scope, offset: number, width: number): Scope {
  return new Scope(scope.columns.slice(offset, offset + width));
}

/**
 * The `l.x = r.y` conjuncts of `condition` as hash keys: each side a column of its own side
 * (resolved in that side's scope alone, so an outer query's column never passes for one), compared
 * in their common type. Undefined when there is none.
 */
export async function equalityKeys(ctx: PlanContext, condition: ast.Expr, leftScope: Scope, rightScope: Scope): Promise<HashKeys | undefined> {
  const conjuncts = (expr: ast.Expr): ast.Expr[] => (expr.kind === 'And' ? expr.args.flatMap(conjuncts) : [expr]);
  const column = async (scope: Scope, expr: ast.Expr): Promise<{ expr: CompiledExpr; position: number } | undefined> => {
    if (expr.kind !== 'ColumnRef') return undefined;
    try {
      const position = scope.resolve(expr.path);
      return { expr: await ctx.compiler.withScope(scope).compile(expr), position };
    } catch {
      return undefined; // not a column of this side (or ambiguous): not a key
    }
  };
  const keys: { left: CompiledExpr[]; right: CompiledExpr[]; types: SqlType[]; rightColumns: (number | undefined)[]; leftColumns: (number | undefined)[] } = {
    left: [],
    right: [],
    types: [],
    rightColumns: [],
    leftColumns: [],
  };
  for (const conjunct of conjuncts(condition)) {
    if (conjunct.kind !== 'BinaryOp' || conjunct.operator !== '=' || conjunct.operatorSchema !== null) continue;
    let l = await column(leftScope, conjunct.left);
    let r = await column(rightScope, conjunct.right);
    if (l === undefined || r === undefined) {
      l = await column(leftScope, conjunct.right);
      r = await column(rightScope, conjunct.left);
    }
    if (l === undefined || r === undefined) continue;
    let type: SqlType;
    try {
      type = commonType([l.expr, r.expr], 'JOIN');
    } catch {
      continue; // incomparable: the condition itself reports it
    }
    keys.left.push(coerce(l.expr, type, 'implicit', ctx.compiler.paramTypes));
    keys.right.push(coerce(r.expr, type, 'implicit', ctx.compiler.paramTypes));
    keys.types.push(type);
    keys.rightColumns.push(r.position);
    keys.leftColumns.push(l.position);
  }
  return keys.types.length === 0 ? undefined : keys;
}

/**
 * The left key `key` (in the comparison's type) as a value of the index column's type `column`,
 * or undefined when the key encoding could differ. An integer of a wider type than the column is
 * narrowed: out of the column's range it is NULL, which matches nothing (as `=` would not).
 */
function asColumnValue(key: CompiledExpr, column: SqlType): CompiledExpr | undefined {
  if (!keyEncodable(column)) return undefined;
  if (key.type.kind === column.kind && column.kind !== 'array') return key;
  return narrowedInteger(key, column);
}

/** The lookup for `join` if its right side can be looked up and statistics say it should be. */
async function chooseLookup(ctx: PlanContext, join: JoinNode): Promise<JoinNode> {
  const keys = join.hashKeys;
  // A pushed-down filter (step 5) over the right table checks the rows the lookup finds.
  const filter = join.right.kind === 'filter' && join.right.input.kind === 'scan' ? join.right.predicate : undefined;
  const scan = filter === undefined ? join.right : (join.right as FilterNode).input;
  if (keys?.rightColumns === undefined || scan.kind !== 'scan' || scan.locking !== null) return join;
  if (join.joinType !== 'inner' && join.joinType !== 'left' && join.joinType !== 'cross') return join;
  const lookup = lookupIndex(scan, keys);
  if (lookup === undefined) return join;
  const rightRows = (await ctx.statistics?.rowCount(scan.table)) ?? unknownTableRows;
  const leftRows = await estimateRows(ctx, join.left);
  const costRows = lookup.exact && lookup.index.id === scan.table.primaryIndex.id ? pointLookupCostRows : prefixLookupCostRows;
  if (leftRows > lookupLeftRowsMax || leftRows * costRows >= rightRows) return join;
  return { ...join, lookup: { scan, ...lookup, ...(filter === undefined ? {} : { filter }) } };
}

/**
 * A merge join for `join` if both inputs arrive ordered on some of its equality keys: the longest
 * run of keys that is a prefix of both sides' orderings (same columns pairwise, same direction, in
 * a type whose order the column's order implies). Chosen over the hash join whenever it exists —
 * CockroachDB's and PostgreSQL's planners weigh an explicit sort against hashing; here no sort is
 * ever added for it, so the merge join only replaces a hash join by something strictly cheaper:
 * it streams both sides (a LIMIT above stops both reads early), builds no hash table and holds one
 * key's right rows at a time instead of the whole right side.
 */
function chooseMerge(join: JoinNode): JoinNode {
  const keys = join.hashKeys;
  if (keys?.leftColumns === undefined || keys.rightColumns === undefined || join.lookup !== undefined) return join;
  const left = outputOrdering(join.left);
  const right = outputOrdering(join.right);
  const merge = { left: [] as CompiledExpr[], right: [] as CompiledExpr[], types: [] as SqlType[], descending: [] as boolean[], leftColumns: [] as number[], rightColumns: [] as number[] };
  const used = new Set<number>();
  for (let position = 0; position < Math.min(left.length, right.length); position++) {
    const l = left[position]!;
    const r = right[position]!;
    if (l.descending !== r.descending) break;
    const key = keys.types.findIndex(
      (type, index) => !used.has(index) && keys.leftColumns![index] === l.column && keys.rightColumns![index] === r.column && orderCompatible(l.type, type) && orderCompatible(r.type, type),
    );
    if (key === -1) break;
    used.add(key);
    merge.left.push(keys.left[key]!);
    merge.right.push(keys.right[key]!);
    merge.types.push(keys.types[key]!);
    merge.descending.push(l.descending);
    merge.leftColumns.push(l.column);
    merge.rightColumns.push(r.column);
  }
  return merge.types.length === 0 ? join : { ...join, merge };
}

/** The index of the right table with the most leading columns bound by the keys (the primary on a tie). */
function lookupIndex(scan: ScanNode, keys: HashKeys): { index: IndexDesc; keys: CompiledExpr[]; exact: boolean } | undefined {
  const table = scan.table;
  const positionOf = new Map(table.columns.map((column, position) => [column.id, position]));
  let best: { index: IndexDesc; keys: CompiledExpr[]; exact: boolean; score: number } | undefined;
  for (const index of allIndexes(table)) {
    const bound: CompiledExpr[] = [];
    for (const column of index.columns) {
      const position = positionOf.get(column.columnId)!;
      const key = keys.rightColumns!.findIndex((rightColumn) => rightColumn === position);
      if (key === -1) break;
      const value = asColumnValue(keys.left[key]!, table.columns[position]!.type);
      if (value === undefined) break;
      bound.push(value);
    }
    if (bound.length === 0) continue;
    const exact = bound.length === index.columns.length && (index.id === table.primaryIndex.id || index.unique);
    const score = bound.length * 4 + (exact ? 2 : 0) + (index.id === table.primaryIndex.id ? 1 : 0);
    if (best === undefined || score > best.score) best = { index, keys: bound, exact, score };
  }
  return best === undefined ? undefined : { index: best.index, keys: best.keys, exact: best.exact };
}

/**
 * The rows of an equality join whose keys cover a unique key of one side's table (a foreign key
 * into a primary key, most often): each row of the other side matches at most one row, and only
 * if that row survived its side's filters — so the other side's rows times the fraction of the
 * unique side's table that is left (TPC-H's customers of one segment joined to their orders: a
 * fifth of the orders, not all of them). Without a unique side, the larger input's rows. An outer
 * join keeps at least its preserved sides' rows.
 */
async function equiJoinRows(ctx: PlanContext, node: JoinNode, left: number, right: number): Promise<number> {
  const keys = node.hashKeys!;
  const rightFraction = keys.rightColumns === undefined ? undefined : await uniqueFraction(ctx, node.right, keys.rightColumns, right);
  const leftFraction = keys.leftColumns === undefined ? undefined : await uniqueFraction(ctx, node.left, keys.leftColumns, left);
  let rows = Math.max(left, right);
  if (rightFraction !== undefined) rows = Math.min(rows, Math.ceil(left * rightFraction));
  if (leftFraction !== undefined) rows = Math.min(rows, Math.ceil(right * leftFraction));
  if (node.joinType === 'left' || node.joinType === 'full') rows = Math.max(rows, left);
  if (node.joinType === 'right' || node.joinType === 'full') rows = Math.max(rows, right);
  return Math.max(1, rows);
}

/**
 * When `node` is a table's scan (under filters) and `columns` (its key columns) cover a primary or
 * unique key of the table: the fraction of the table's rows `rows` is. Undefined otherwise.
 */
async function uniqueFraction(ctx: PlanContext, node: PlanNode, columns: readonly (number | undefined)[], rows: number): Promise<number | undefined> {
  let scan = node;
  while (scan.kind === 'filter') scan = scan.input;
  if (scan.kind !== 'scan') return undefined;
  const table = scan.table;
  const positionOf = new Map(table.columns.map((column, position) => [column.id, position]));
  const covered = allIndexes(table).some((index) => index.constraint !== 'none' && index.columns.every((column) => columns.includes(positionOf.get(column.columnId))));
  if (!covered) return undefined;
  const tableRows = (await ctx.statistics?.rowCount(table)) ?? unknownTableRows;
  return Math.min(1, rows / Math.max(1, tableRows));
}

/**
 * A rough row count of `node`'s output: exact point spans count their keys, a full scan is the
 * table's rows, a selective span a fraction of them; filters keep a third.
 */
export async function estimateRows(ctx: PlanContext, node: PlanNode): Promise<number> {
  switch (node.kind) {
    case 'scan': {
      const tableRows = (await ctx.statistics?.rowCount(node.table)) ?? unknownTableRows;
      switch (node.spans.kind) {
        case 'full':
          return tableRows;
        case 'prefixes':
          return Math.min(tableRows, node.spans.exact ? node.spans.prefixes.length : node.spans.prefixes.length * 10);
        case 'range':
          return Math.max(1, Math.ceil(tableRows / 4));
      }
      break;
    }
    case 'values':
      return node.rows.length;
    case 'filter':
      return Math.max(1, Math.ceil((await estimateRows(ctx, node.input)) / 3));
    case 'project':
    case 'sort':
    case 'lockRows':
    case 'limit':
    case 'distinct':
      return estimateRows(ctx, node.input);
    case 'aggregate':
      return node.groupBy.length === 0 ? 1 : Math.max(1, Math.ceil((await estimateRows(ctx, node.input)) / 10));
    case 'join': {
      const left = await estimateRows(ctx, node.left);
      // A lookup of a whole key finds a row or none; a prefix lookup a few (a guess: ten) each.
      if (node.lookup?.exact === true) return node.lookup.filter === undefined ? left : Math.max(1, Math.ceil(left / 3));
      const right = await estimateRows(ctx, node.right);
      if (node.lookup !== undefined) return Math.min(right, left * prefixLookupFanout * (node.lookup.filter === undefined ? 1 : 1 / 3));
      if (node.hashKeys === undefined) return node.on === null ? left * right : Math.max(left, right);
      return equiJoinRows(ctx, node, left, right);
    }
    case 'setop':
      return (await estimateRows(ctx, node.left)) + (await estimateRows(ctx, node.right));
    case 'apply':
      return (await estimateRows(ctx, node.left)) * Math.max(1, Math.ceil((await estimateRows(ctx, node.right)) / 10));
    case 'series':
    case 'virtual':
    case 'recursiveCte':
    case 'workTable':
      return unknownTableRows;
  }
  // Any other node with one input (a Window) keeps its input's rows.
  return 'input' in node ? estimateRows(ctx, (node as { readonly input: PlanNode }).input) : unknownTableRows;
}
