/**
 * Plans as data: readonly, `kind`-tagged nodes (toyDB's and kysely's habit). The planner
 * (planner.ts) builds them from the AST with every expression already compiled; the executor
 * (sql/exec/operators) turns each node into an operator; EXPLAIN (explain.ts) prints them.
 *
 * Every node produces rows of `width` datums. A Scan produces the table's columns in descriptor
 * order (hidden ones included); the nodes above refer to columns by position.
 */
import type { IndexDesc, TableDesc } from '../catalog/descriptors.js';
import type { RowCodec } from '../rowcodec/row-codec.js';
import type { SqlType } from '../types/sql-type.js';
import type { AggregateCall } from './expr/aggregates.js';
import type { CompiledExpr, EvalContext } from './expr/compiled.js';
import type { SetReturningCall } from './expr/set-returning.js';
import type { Txn } from '../../txn/index.js';
import type { Datum } from '../types/datum.js';
import type { WindowFunctionPlan, WindowOrderKey } from './window-plan.js';

/** Which keys of an index a scan reads, computed at run time from the compiled values. */
export type SpanSpec =
  /** The whole index. */
  | { readonly kind: 'full' }
  /** One or more key prefixes, each a list of values for the index's leading columns (IN lists give several). */
  | { readonly kind: 'prefixes'; readonly prefixes: readonly (readonly CompiledExpr[])[]; readonly exact: boolean }
  /** A prefix of equalities, then a range on the next (ascending) column. */
  | {
      readonly kind: 'range';
      readonly prefix: readonly CompiledExpr[];
      readonly lower: { readonly value: CompiledExpr; readonly inclusive: boolean } | null;
      readonly upper: { readonly value: CompiledExpr; readonly inclusive: boolean } | null;
    };

/**
 * How a scan locks the rows it reads (CockroachDB's locking reads): `exclusive` for FOR UPDATE /
 * FOR NO KEY UPDATE and the implicit locking of UPDATE and DELETE, `shared` for FOR SHARE /
 * FOR KEY SHARE; `error` is NOWAIT (55P03 on a locked row instead of waiting). `none` is a plain
 * read under NOWAIT below a LockRows node: it locks nothing, and fails with 55P03 instead of
 * waiting for another transaction's intent.
 */
export interface ScanLocking {
  readonly strength: 'none' | 'shared' | 'exclusive';
  /**
   * `skipLocked` is SKIP LOCKED: the scan itself locks nothing — it reads around the rows other
   * transactions lock (a plain read under the `skipLocked` wait policy) — and a LockRows node
   * above the filter and sort locks the rows the query really returns (see `LockRowsNode`).
   */
  readonly waitPolicy: 'block' | 'error' | 'skipLocked';
}

/** The exclusive, waiting locking of UPDATE's and DELETE's reads (`enable_implicit_select_for_update`). */
export const implicitUpdateLocking: ScanLocking = Object.freeze({ strength: 'exclusive', waitPolicy: 'block' });

export interface ScanNode {
  readonly kind: 'scan';
  readonly table: TableDesc;
  readonly codec: RowCodec;
  readonly index: IndexDesc;
  readonly spans: SpanSpec;
  readonly reverse: boolean;
  /** Lock the rows read (SELECT … FOR UPDATE/SHARE, and the reads of UPDATE/DELETE); null for a plain read. */
  readonly locking: ScanLocking | null;
  readonly width: number;
}

export interface ValuesNode {
  readonly kind: 'values';
  readonly rows: readonly (readonly CompiledExpr[])[];
  readonly width: number;
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly input: PlanNode;
  readonly predicate: CompiledExpr;
  /** Slots of correlated subqueries in the predicate: run for each input row before it is tested. */
  readonly correlatedSlots?: readonly number[];
  readonly width: number;
}

export interface ProjectNode {
  readonly kind: 'project';
  readonly input: PlanNode;
  readonly exprs: readonly CompiledExpr[];
  /** Whether an expression reads a slot filled per row (nextval): the executor fills it first. */
  readonly rowSlots: boolean;
  /** Slots of correlated subqueries in the expressions: run for each input row first. */
  readonly correlatedSlots?: readonly number[];
  /**
   * Set-returning calls of a SELECT list (PostgreSQL's ProjectSet; expr/set-returning.ts): each
   * input row gives as many rows as its longest call, the slot of each call set per row.
   */
  readonly setReturning?: readonly { readonly slot: number; readonly call: SetReturningCall }[];
  readonly width: number;
}

export interface SortKey {
  readonly column: number;
  readonly type: SqlType;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface SortNode {
  readonly kind: 'sort';
  readonly input: PlanNode;
  readonly keys: readonly SortKey[];
  readonly width: number;
}

/**
 * Row locking of SELECT … FOR UPDATE / FOR SHARE, PostgreSQL's LockRows node (CockroachDB's lock
 * operator): between the sort (or the filter) and the LIMIT, it locks each row it passes up with
 * a locking Get of the row's primary key, for every table the locking clauses name (every table
 * of the FROM list without OF). Rows are locked only as the LIMIT above pulls them — in chunks
 * no bigger than the rows the LIMIT still wants, when it is a constant — so `LIMIT n` locks n
 * rows, and rows the WHERE filter or a join drops are never locked. The input rows carry each
 * table's primary-key columns at its `keyColumns` (hidden ones, trimmed above the limit).
 *
 * Under SKIP LOCKED a row another transaction locked meanwhile is dropped (the Get, under the
 * `skipLocked` wait policy, answers nothing) and does not count against the limit; under NOWAIT
 * the Get fails with 55P03; otherwise it waits. The Gets read at the scan's timestamp: a row
 * another transaction changed since the scan read it fails the refresh of the scan's read, so the
 * transaction restarts (40001) rather than lock a row the filter tested in an older version —
 * PostgreSQL's SERIALIZABLE answer ("could not serialize access due to concurrent update").
 */
export interface LockTarget {
  readonly table: TableDesc;
  readonly codec: RowCodec;
  readonly strength: 'shared' | 'exclusive';
  readonly waitPolicy: 'block' | 'error' | 'skipLocked';
  /** Where the primary key's columns are in the input rows, in the primary index's order. */
  readonly keyColumns: readonly number[];
}

export interface LockRowsNode {
  readonly kind: 'lockRows';
  readonly input: PlanNode;
  /** The tables whose rows are locked, each with its own strength and wait policy (`FOR UPDATE OF a FOR SHARE OF b`). */
  readonly targets: readonly LockTarget[];
  /** The query's LIMIT and OFFSET (null when absent): how many rows to lock per pull. */
  readonly limit: CompiledExpr | null;
  readonly offset: CompiledExpr | null;
  readonly width: number;
}

export interface LimitNode {
  readonly kind: 'limit';
  readonly input: PlanNode;
  readonly limit: CompiledExpr | null;
  readonly offset: CompiledExpr | null;
  readonly width: number;
}

export interface DistinctNode {
  readonly kind: 'distinct';
  readonly input: PlanNode;
  /** The types of the key columns (all columns, or `keyColumns`). */
  readonly types: readonly SqlType[];
  /** DISTINCT ON: the columns that form the key (the first row of each key is kept). */
  readonly keyColumns?: readonly number[];
  readonly width: number;
}

export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: PlanNode;
  readonly groupBy: readonly CompiledExpr[];
  readonly aggregates: readonly AggregateCall[];
  /**
   * GROUP BY ROLLUP / CUBE / GROUPING SETS, aggregated in one pass with a grouping-set id (as
   * CockroachDB's and PostgreSQL's hashed grouping sets): each input row feeds one group per set,
   * keyed by the set's number and its columns' values (the others NULL). A row is the group
   * columns, the set's number, then the aggregates. Absent for a plain GROUP BY.
   */
  readonly groupingSets?: readonly (readonly number[])[];
  readonly width: number;
}

/**
 * Window functions over one window (sql/exec/window.ts): the input sorted by PARTITION BY, then
 * the window's ORDER BY, each function computed per partition, and its result appended to the row
 * (`width` = the input's + one per function). One node per distinct window of the query.
 */
export interface WindowNode {
  readonly kind: 'window';
  readonly input: PlanNode;
  /** The PARTITION BY values: rows equal on all of them (NULLs equal) form a partition. */
  readonly partitionBy: readonly CompiledExpr[];
  readonly orderBy: readonly WindowOrderKey[];
  readonly functions: readonly WindowFunctionPlan[];
  readonly width: number;
}

export interface JoinNode {
  readonly kind: 'join';
  readonly joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
  readonly left: PlanNode;
  readonly right: PlanNode;
  /** The whole join condition over the joined row (checked on every candidate pair). */
  readonly on: CompiledExpr | null;
  /**
   * Equality keys (`l.a = r.b` conjuncts of ON): a hash join on them — left keys over the left
   * row, right keys over the right row, compared in `types`. Absent: nested loops.
   */
  readonly hashKeys?: {
    readonly left: readonly CompiledExpr[];
    readonly right: readonly CompiledExpr[];
    readonly types: readonly SqlType[];
    /** Per key, the right row's column it reads when it is a bare column (a lookup join needs them). */
    readonly rightColumns?: readonly (number | undefined)[];
    /** Per key, the left row's column it reads when it is a bare column (a merge join needs them). */
    readonly leftColumns?: readonly (number | undefined)[];
  };
  /**
   * A merge join (join-planning.ts, sql/exec/merge-join.ts): both inputs arrive ordered on these
   * keys (sql/plan/ordering.ts), so the join walks them side by side, holding only the right
   * rows of one key at a time — no hash table. `left[i]` and `right[i]` are equality keys of
   * `hashKeys` in the order both inputs are sorted by, compared in `types[i]`, descending where
   * the inputs are; `leftColumns`/`rightColumns` are the columns they read (for EXPLAIN). Any
   * other key and the rest of the condition are checked by `on` on each candidate pair.
   */
  readonly merge?: {
    readonly left: readonly CompiledExpr[];
    readonly right: readonly CompiledExpr[];
    readonly types: readonly SqlType[];
    readonly descending: readonly boolean[];
    readonly leftColumns: readonly number[];
    readonly rightColumns: readonly number[];
  };
  /**
   * A lookup join (join-planning.ts): instead of reading the whole right side, each batch of left
   * rows looks up its matching right rows by key in `index` of the right side's table (point gets
   * for a whole primary or unique key, prefix scans otherwise). The right side is then `scan`
   * (kept for its table, codec and locking); `keys[i]` is the left value for the index's i-th
   * column, in the column's type (NULL: no match).
   */
  readonly lookup?: {
    readonly scan: ScanNode;
    readonly index: IndexDesc;
    readonly keys: readonly CompiledExpr[];
    readonly exact: boolean;
    /** WHERE's conjuncts on the right table alone (pushed down, join-planning.ts): checked on each row looked up. */
    readonly filter?: CompiledExpr;
  };
  readonly width: number;
}

export interface SeriesNode {
  readonly kind: 'series';
  readonly type: SqlType;
  readonly start: CompiledExpr;
  readonly stop: CompiledExpr;
  readonly step: CompiledExpr | null;
  readonly width: 1;
}

/**
 * `… WITH ORDINALITY` of a set-returning function in FROM: its rows, each with one more column,
 * a bigint counting them from 1 in the order the function returns them.
 */
export interface OrdinalityNode {
  readonly kind: 'ordinality';
  readonly input: PlanNode;
  readonly width: number;
}

export interface SetOpNode {
  readonly kind: 'setop';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly types: readonly SqlType[];
  readonly width: number;
}

/**
 * A LATERAL join, run as an apply join (a correlated nested loop: SQL Server's APPLY,
 * CockroachDB's apply join): `right` reads the left row's columns as outer references, so it is
 * run again for each left row with that row as `EvalContext.outer` (followed by the enclosing
 * query's outer row when `keepsOuter`: the join is inside a correlated subquery whose right side
 * also reads that query), and each of its rows is joined to the left row. LEFT keeps a left row
 * no right row matches, padded with NULLs; `on` is checked on the joined row.
 */
export interface ApplyNode {
  readonly kind: 'apply';
  readonly joinType: 'inner' | 'left';
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly on: CompiledExpr | null;
  readonly keepsOuter: boolean;
  readonly width: number;
}

/**
 * The identity of a recursive CTE's working table: the `RecursiveCteNode` that fills it and the
 * `WorkTableNode`s of its recursive term that read it share this object (a run finds the rows by
 * it, so two runs of one cached plan never see each other's).
 */
export interface WorkTable {
  readonly name: string;
}

/**
 * `WITH RECURSIVE name AS (initial UNION [ALL] recursive)`: the initial term's rows, then the
 * recursive term run again and again over the rows the previous run produced (the working
 * table), until a run produces none. UNION (not ALL) drops every row seen before, which is also
 * what ends a cycle. Streams: each iteration's rows go up as they are made.
 */
export interface RecursiveCteNode {
  readonly kind: 'recursiveCte';
  readonly table: WorkTable;
  readonly initial: PlanNode;
  /** Reads `table` through one `WorkTableNode`; its columns already have the initial term's types. */
  readonly recursive: PlanNode;
  readonly all: boolean;
  readonly types: readonly SqlType[];
  readonly width: number;
}

/** The recursive term's reference to its CTE: the previous iteration's rows. */
export interface WorkTableNode {
  readonly kind: 'workTable';
  readonly table: WorkTable;
  readonly width: number;
}

/** Rows computed by a function of the run (virtual tables: pg_catalog, SHOW RANGES). */
export interface VirtualNode {
  readonly kind: 'virtual';
  readonly name: string;
  readonly width: number;
  readonly rows: (txn: Txn, ctx: EvalContext) => Promise<readonly (readonly Datum[])[]>;
}

export type PlanNode = ScanNode | ValuesNode | FilterNode | ProjectNode | SortNode | LockRowsNode | LimitNode | DistinctNode | AggregateNode | WindowNode | JoinNode | SeriesNode | OrdinalityNode | SetOpNode | RecursiveCteNode | WorkTableNode | VirtualNode | ApplyNode;
