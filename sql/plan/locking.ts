/**
 * SELECT's locking clauses (`FOR UPDATE [OF t, …] [NOWAIT | SKIP LOCKED]`, FOR NO KEY UPDATE,
 * FOR SHARE, FOR KEY SHARE) planned as PostgreSQL plans them: each clause applies to the tables
 * it names (`OF`), or to every table of the FROM list — joined ones too — without `OF`; a table
 * named by several gets the strongest strength and the strictest wait policy (PostgreSQL's
 * applyLockingClause). Through LockRows the rows locked are the rows the query returns: a node above the
 * filter, joins and sort and below the LIMIT locks them (sql/exec/lock-rows.ts), one table row
 * per locked table per result row.
 *
 * A single table is locked at its scan instead, as CockroachDB does under SERIALIZABLE (its
 * default, `optimizer_use_lock_op_for_serializable` off): the scan's reads are locking reads. A
 * second transaction then queues at the read and, once the holder commits, reads the holder's
 * committed value; with a plain read and a lock afterwards (LockRows) it would read the old value,
 * queue at the lock, meet the holder's newer write (WriteTooOld) and fail to refresh the read it
 * already made — a 40001 where FOR UPDATE exists precisely to avoid retries (read-lock-modify-write
 * under contention). The price is CockroachDB's too: the scan locks every row it reads, including
 * rows the rest of the WHERE then drops and, under LIMIT, rows of the last page read past the
 * LIMIT (test/logic/README.md, known differences). So the scan locks for a waiting FOR UPDATE /
 * FOR SHARE of one table with any WHERE, unless a sort sits between the scan and a LIMIT / OFFSET
 * over a scan that is not a primary-key point lookup (it would lock every row it reads to find
 * the first few: LockRows locks only the rows returned). NOWAIT does not wait, so it has no retry
 * storm to avoid: it is locked at the scan only when every row read is returned (a WHERE entirely
 * the primary-key point lookup, or none, and no LIMIT or OFFSET), and otherwise reads past a
 * locked row its WHERE drops, as PostgreSQL does. SKIP LOCKED always goes through LockRows (its
 * scan probes locks and leaves out locked rows; LockRows locks those returned, and LIMIT counts
 * only them). Joins, and OF over several tables, go through LockRows.
 *
 * PostgreSQL's errors (0A000 unless said): OF a join, a function or a WITH query; OF a name not
 * in FROM (42P01); a qualified name in OF (42601); a locked table on the nullable side of an
 * outer join. Subqueries and views in FROM are not locked through (PostgreSQL locks the rows of
 * their tables): a locking clause that would reach one is 0A000 rather than a silent no-lock.
 */
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import type { TableDesc } from '../catalog/descriptors.js';
import type { FromRelation } from './context.js';
import type { CompiledExpr } from './expr/compiled.js';
import type { LockTarget, PlanNode, ScanLocking, ScanNode } from './plan.js';
import type { RowCodec } from '../rowcodec/row-codec.js';

/** PostgreSQL's four strengths, weakest first (its LockClauseStrength order). */
const strengthOrder: readonly ast.LockingClause['strength'][] = ['key share', 'share', 'no key update', 'update'];
/** PostgreSQL's wait policies, weakest first (LockWaitBlock < LockWaitSkip < LockWaitError). */
const waitOrder: readonly ast.LockingClause['wait'][] = ['block', 'skip locked', 'nowait'];

/** A table of the FROM list a locking clause applies to, with the strongest clause's terms. */
export interface LockedRelation {
  readonly relation: FromRelation & { readonly table: TableDesc };
  readonly strength: ast.LockingClause['strength'];
  readonly wait: ast.LockingClause['wait'];
}

/** `FOR UPDATE`, `FOR NO KEY UPDATE`, … as PostgreSQL's messages name a strength. */
export function lockingClauseName(strength: ast.LockingClause['strength']): string {
  return `FOR ${strength.toUpperCase()}`;
}

/** The tables `clauses` lock among `relations` (the FROM list's), PostgreSQL's checks applied. */
export function resolveLocking(clauses: readonly ast.LockingClause[], relations: readonly FromRelation[]): LockedRelation[] {
  const locked = new Map<FromRelation, LockedRelation>();
  const apply = (relation: FromRelation, clause: ast.LockingClause): void => {
    if (relation.kind === 'subquery') throw new SqlError('0A000', `${lockingClauseName(clause.strength)} on a subquery or view in FROM is not supported`, { hint: 'Name the tables to lock with FOR UPDATE OF, or lock inside the subquery.' });
    if (relation.kind !== 'table' || relation.table === undefined) return; // a function, VALUES, a WITH query, a virtual table: no rows to lock
    const before = locked.get(relation);
    const strength = before === undefined || strengthOrder.indexOf(clause.strength) > strengthOrder.indexOf(before.strength) ? clause.strength : before.strength;
    const wait = before === undefined || waitOrder.indexOf(clause.wait) > waitOrder.indexOf(before.wait) ? clause.wait : before.wait;
    locked.set(relation, { relation: relation as LockedRelation['relation'], strength, wait });
  };
  for (const clause of clauses) {
    const what = lockingClauseName(clause.strength);
    if (clause.tables.length === 0) {
      for (const relation of relations) apply(relation, clause);
      continue;
    }
    for (const name of clause.tables) {
      if (name.schema !== null || name.catalog !== null) throw new SqlError('42601', `${what} must specify unqualified relation names`);
      const relation = relations.find((candidate) => candidate.alias === name.name);
      if (relation === undefined) throw new SqlError('42P01', `relation "${name.name}" in ${what} clause not found in FROM clause`);
      if (relation.kind === 'join') throw new SqlError('0A000', `${what} cannot be applied to a join`);
      if (relation.kind === 'function') throw new SqlError('0A000', `${what} cannot be applied to a function`);
      if (relation.kind === 'cte') throw new SqlError('0A000', `${what} cannot be applied to a WITH query`);
      apply(relation, clause);
    }
  }
  const result = [...locked.values()];
  for (const lock of result) {
    if (lock.relation.nullable) throw new SqlError('0A000', `${lockingClauseName(lock.strength)} cannot be applied to the nullable side of an outer join`);
  }
  return result;
}

/** The kv strength of a PostgreSQL strength: FOR [NO KEY] UPDATE exclusive, FOR [KEY] SHARE shared. */
function kvStrength(strength: ast.LockingClause['strength']): 'shared' | 'exclusive' {
  return strength === 'update' || strength === 'no key update' ? 'exclusive' : 'shared';
}

function kvWaitPolicy(wait: ast.LockingClause['wait']): ScanLocking['waitPolicy'] {
  return wait === 'nowait' ? 'error' : wait === 'skip locked' ? 'skipLocked' : 'block';
}

/** The locking of a scan that locks the rows it reads (see the module comment). */
export function scanLockingOf(lock: LockedRelation): ScanLocking {
  return Object.freeze({ strength: kvStrength(lock.strength), waitPolicy: kvWaitPolicy(lock.wait) });
}

/**
 * The locking of a scan below a LockRows node: under SKIP LOCKED, lock probes (they leave out the
 * rows others lock, acquiring nothing); under NOWAIT a plain read that fails rather than wait for
 * an intent; otherwise none.
 */
export function scanLockingBelowLockRows(lock: LockedRelation): ScanLocking | null {
  if (lock.wait === 'skip locked') return scanLockingOf(lock);
  if (lock.wait === 'nowait') return Object.freeze({ strength: 'none', waitPolicy: 'error' });
  return null;
}

/**
 * Whether the one table of a query is locked at its scan (see the module comment): under the
 * waiting policy, unless ORDER BY sorts below a LIMIT / OFFSET over a scan that is not a
 * primary-key point lookup; under NOWAIT, when no LIMIT or OFFSET and no WHERE, or a WHERE of
 * `pk = const` / `pk IN (const, …)` conjuncts, one per primary-key column, that the scan's chosen
 * spans (a primary-index point lookup) implement; never under SKIP LOCKED.
 */
export function locksAtScan(select: ast.Select, scan: ScanNode, lock: LockedRelation): boolean {
  if (lock.wait === 'skip locked') return false;
  const limited = select.limit !== null || select.offset !== null;
  if (lock.wait === 'block') return !limited || select.orderBy.length === 0 || isPrimaryPointLookup(scan);
  if (limited) return false;
  const where = select.where;
  if (where === null) return scan.spans.kind === 'full';
  if (scan.spans.kind !== 'prefixes' || !scan.spans.exact || scan.index.id !== scan.table.primaryIndex.id) return false;
  const keyNames = new Set(scan.table.primaryIndex.columns.map((key) => scan.table.columns.find((column) => column.id === key.columnId)!.name));
  const seen = new Set<string>();
  for (const conjunct of conjuncts(where)) {
    const column = keyEquality(conjunct, lock.relation.alias);
    if (column === undefined || !keyNames.has(column) || seen.has(column)) return false;
    seen.add(column);
  }
  return seen.size === keyNames.size;
}

/** Whether `scan` reads primary-index points only (a value for every key column): it reads a bounded few rows. */
function isPrimaryPointLookup(scan: ScanNode): boolean {
  if (scan.spans.kind !== 'prefixes' || scan.index.id !== scan.table.primaryIndex.id) return false;
  const keyCount = scan.table.primaryIndex.columns.length;
  return scan.spans.prefixes.every((prefix) => prefix.length === keyCount);
}

function conjuncts(expr: ast.Expr): ast.Expr[] {
  return expr.kind === 'And' ? expr.args.flatMap(conjuncts) : [expr];
}

/** The column of `col = const`, `const = col` or `col IN (const, …)`; undefined for anything else. */
function keyEquality(expr: ast.Expr, alias: string | null): string | undefined {
  const columnName = (side: ast.Expr): string | undefined => {
    if (side.kind !== 'ColumnRef') return undefined;
    if (side.path.length === 1) return side.path[0];
    return side.path.length === 2 && side.path[0] === alias ? side.path[1] : undefined;
  };
  if (expr.kind === 'BinaryOp' && expr.operator === '=' && expr.operatorSchema === null) {
    if (isConstant(expr.right)) return columnName(expr.left);
    if (isConstant(expr.left)) return columnName(expr.right);
    return undefined;
  }
  if (expr.kind === 'InList' && !expr.negated && expr.list.every(isConstant)) return columnName(expr.arg);
  return undefined;
}

function isConstant(expr: ast.Expr): boolean {
  switch (expr.kind) {
    case 'Literal':
    case 'TypedLiteral':
    case 'Parameter':
      return true;
    case 'Cast':
      return isConstant(expr.arg);
    case 'UnaryOp':
      return isConstant(expr.operand);
    default:
      return false;
  }
}

/**
 * The LockRows node's targets for `locks`: each table's primary-key columns are appended to the
 * projection `exprs` as hidden columns, read from the FROM row at the table's offset.
 */
export function lockTargets(locks: readonly LockedRelation[], exprs: CompiledExpr[], codecOf: (table: TableDesc) => RowCodec): LockTarget[] {
  return locks.map((lock) => {
    const { table, offset } = lock.relation;
    const positions = new Map(table.columns.map((column, position) => [column.id, position]));
    const keyColumns = table.primaryIndex.columns.map((key) => {
      const position = offset + positions.get(key.columnId)!;
      const column: CompiledExpr = { type: table.columns[position - offset]!.type, eval: (row) => row[position] ?? null, rowIndependent: false, columnIndex: position };
      return exprs.push(column) - 1;
    });
    return { table, codec: codecOf(table), strength: kvStrength(lock.strength), waitPolicy: kvWaitPolicy(lock.wait), keyColumns };
  });
}

/** The scan at the bottom of `node` if it is a scan or a filter over one (a single-table FROM). */
export function singleScan(node: PlanNode): ScanNode | undefined {
  const scan = node.kind === 'filter' ? node.input : node;
  return scan.kind === 'scan' ? scan : undefined;
}
