/**
 * LATERAL (PostgreSQL's lateral namespace): a FROM item to the right of others that may read
 * their columns — a subquery marked LATERAL, or a function in FROM (implicitly lateral). It is
 * planned as a correlated subquery whose outer scope is the items to its left, and run as an
 * apply join (plan.ts `ApplyNode`, sql/exec/apply-join.ts): once per left row, with that row as
 * its outer row, the way correlated subqueries in SELECT and WHERE run. An item that reads none
 * of the left columns is an ordinary join of an independent input.
 *
 * A subquery not marked LATERAL does not see the items to its left; naming one is PostgreSQL's
 * 42P01 "invalid reference to FROM-clause entry" (42703 for a bare column), with its hint.
 */
import { SqlError } from '../catalog/errors.js';
import type { PlanContext } from './context.js';
import type { OuterScope } from './expr/compile.js';
import type { CompiledExpr } from './expr/compiled.js';
import type { ApplyNode, PlanNode } from './plan.js';
import { Scope } from './scope.js';

/**
 * The outer scope of a lateral item: the left items' columns first, then the enclosing query's
 * (when the FROM clause is itself inside a correlated subquery), resolved in that order — the
 * nearest level first, as PostgreSQL looks a name up. The outer row is laid out the same way
 * (apply-join.ts). Records which of the two a reference reached.
 */
class LateralScope extends Scope {
  readsLeft = false;
  readsEnclosing = false;
  /** The FROM item of the first left column read (for a RIGHT or FULL join's error). */
  leftTable: string | null = null;

  constructor(
    private readonly left: Scope,
    private readonly enclosing: Scope | null,
  ) {
    super(enclosing === null ? left.columns : [...left.columns, ...enclosing.columns]);
  }

  override resolve(path: readonly string[]): number {
    try {
      const index = this.left.resolve(path);
      if (!this.readsLeft) this.leftTable = this.left.columns[index]!.table;
      this.readsLeft = true;
      return index;
    } catch (error) {
      if (this.enclosing === null || !(error instanceof SqlError) || (error.sqlState !== '42703' && error.sqlState !== '42P01')) throw error;
      let index: number;
      try {
        index = this.enclosing.resolve(path);
      } catch {
        throw error;
      }
      this.readsEnclosing = true;
      return this.left.columns.length + index;
    }
  }
}

/** How a planned lateral item runs: as an apply join (it read the left row), and whether it also reads the enclosing query's outer row. */
export interface LateralUse {
  readonly apply?: { readonly keepsOuter: boolean; readonly leftTable: string | null };
}

/**
 * Plans a FROM item that has the items of `left` before it (`plan` plans it in the context it
 * is given). `lateral`: the item may read them (a LATERAL subquery, a function); otherwise a
 * reference to them is PostgreSQL's invalid-reference error.
 */
export async function planBesideLeft<T extends object>(ctx: PlanContext, left: Scope | undefined, lateral: boolean, plan: (ctx: PlanContext) => Promise<T>): Promise<T & LateralUse> {
  // LateralUse's one field is optional: a plain result is a valid one (no apply).
  if (left === undefined || left.columns.length === 0) return (await plan(ctx)) as T & LateralUse;
  if (!lateral) {
    try {
      return (await plan(ctx)) as T & LateralUse;
    } catch (error) {
      throw invalidReference(error, left);
    }
  }
  const enclosing = ctx.compiler.outer;
  const scope = new LateralScope(left, enclosing?.scope ?? null);
  const outer: OuterScope = { scope, used: false };
  const planned = await plan({ ...ctx, compiler: ctx.compiler.forSubquery(outer) });
  // The enclosing subquery is correlated when its lateral item reads its outer query.
  if (scope.readsEnclosing && enclosing !== null) enclosing.used = true;
  if (!scope.readsLeft) {
    // Reads nothing of the left row: an independent input, run once — unless it reads the enclosing query's row, laid out after the left row's.
    if (!scope.readsEnclosing) return planned as T & LateralUse;
    return { ...planned, apply: { keepsOuter: true, leftTable: null } };
  }
  return { ...planned, apply: { keepsOuter: scope.readsEnclosing, leftTable: scope.leftTable } };
}

/**
 * The apply join of `left` and a lateral item planned by `planBesideLeft`. A RIGHT or FULL join
 * would need left rows the right side was never run for: PostgreSQL's 42P10 (its
 * setNamespaceLateralState marks the left side not lateral-ok).
 */
export function applyNode(left: PlanNode, right: PlanNode, joinType: 'inner' | 'cross' | 'left' | 'right' | 'full', on: CompiledExpr | null, apply: NonNullable<LateralUse['apply']>): ApplyNode {
  if ((joinType === 'right' || joinType === 'full') && apply.leftTable !== null) {
    throw new SqlError('42P10', `invalid reference to FROM-clause entry for table "${apply.leftTable}"`, { detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.' });
  }
  if (joinType === 'right' || joinType === 'full') throw new SqlError('0A000', `${joinType.toUpperCase()} JOIN of a LATERAL item is not supported`);
  return { kind: 'apply', joinType: joinType === 'left' ? 'left' : 'inner', left, right, on, keepsOuter: apply.keepsOuter, width: left.width + right.width };
}

/**
 * PostgreSQL's errorMissingRTE / errorMissingColumn for a name that only a FROM item to the left
 * of a non-LATERAL item has: the entry exists "but cannot be referenced from this part of the
 * query". Other errors pass through.
 */
function invalidReference(error: unknown, left: Scope): unknown {
  if (!(error instanceof SqlError)) return error;
  const table = error.sqlState === '42P01' ? /^missing FROM-clause entry for table "(.*)"$/.exec(error.message)?.[1] : undefined;
  if (table !== undefined && left.columns.some((column) => column.table === table)) {
    return new SqlError('42P01', `invalid reference to FROM-clause entry for table "${table}"`, {
      hint: `There is an entry for table "${table}", but it cannot be referenced from this part of the query.`,
    });
  }
  const name = error.sqlState === '42703' ? /^column "(.*)" does not exist$/.exec(error.message)?.[1] : undefined;
  const column = name === undefined ? undefined : left.columns.find((candidate) => candidate.name === name && !candidate.hidden && candidate.table !== null);
  if (column !== undefined) {
    return new SqlError('42703', error.message, { hint: `There is a column named "${name}" in table "${column.table}", but it cannot be referenced from this part of the query.` });
  }
  return error;
}
