/**
 * A statement's own WITH, and the data-modifying statements in it (PostgreSQL's
 * `WITH moved AS (DELETE FROM a … RETURNING *) INSERT INTO b SELECT * FROM moved`,
 * `WITH u AS (UPDATE t … RETURNING *) SELECT … FROM u`).
 *
 * PostgreSQL's rules, and how they are kept here:
 * - Each data-modifying WITH query runs exactly once, whether or not it is referenced, and its
 *   RETURNING rows are what the rest of the statement reads of it: the statement's prelude
 *   (`StatementPrelude`, run by the engine before the statement's uncorrelated subqueries that
 *   read them and before its plan) runs them in order and holds their rows as working tables
 *   (`WorkTable`, the node recursive CTEs read theirs with) — materialised, as PostgreSQL does.
 * - All parts run in the statement's transaction (rangedb's implicit or explicit one), so the
 *   statement's writes commit or roll back together.
 * - All parts see one snapshot: a WITH query's changes are not visible to the other parts, only
 *   its RETURNING rows are. The engine pins the statement's reads at its start (transaction
 *   stepping, `Txn.step`; engine.ts `execute`): its writes get higher sequence numbers, which
 *   MVCC and the write buffer hide from the pinned reads, so the main query, a later WITH query
 *   or a correlated subquery reads a changed table as it was. The statement's result rows are
 *   read before the pin is released. Writes still see every earlier write (a unique check of a
 *   conditional put), and foreign key checks read past the pin (`Txn.readingLatest`, fk.ts): a
 *   row the statement inserted may be the one referenced.
 * - Changing or locking again rows of a table an earlier part changed (an UPDATE, DELETE or
 *   FOR UPDATE of it) is refused (0A000 at the scan, see `Runtime.modifiedTables`): read at the
 *   snapshot, a row the statement deleted would be found and written back, where PostgreSQL
 *   finds it changed by its own statement and skips it (what it calls unpredictable for rows
 *   changed twice).
 * - Only the statement's own WITH may hold one (0A000 "must be at the top level", planner.ts).
 */
import * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import { resolveWriteTarget } from '../catalog/resolve.js';
import { planWith, type PlanContext, type PlannedQuery } from '../plan/planner.js';
import type { PlanNode, WorkTable } from '../plan/plan.js';
import type { Notice } from './contract.js';
import { prepareDelete, prepareInsert, prepareUpdate } from './dml.js';
import { drain, type Runtime } from './runtime.js';
import type { ExecContext, StatementPlan, StatementPrelude } from './statement.js';

/** One data-modifying WITH query, planned. */
interface ModifyingCte {
  readonly name: string;
  readonly kind: ast.DataModifyingStatement['kind'];
  /** Its RETURNING rows, as the rest of the statement reads them. */
  readonly table: WorkTable;
  readonly plan: StatementPlan;
  /** The descriptor id of the table it writes. */
  readonly target: number;
}

/** The plan of a statement with its own WITH (or of `statement` alone without one): data-modifying queries in it run once, first. */
export async function prepareWithClause<S extends { readonly with: ast.With | null }>(pctx: PlanContext, statement: S, prepare: (ctx: PlanContext, statement: S) => Promise<StatementPlan>): Promise<StatementPlan> {
  if (statement.with === null) return prepare(pctx, statement);
  const modifying: ModifyingCte[] = [];
  const ctx = await planWith(pctx, statement.with, async (inner, name, body) => {
    const planned = await planModifying(inner, name, body);
    modifying.push(planned.cte);
    return planned.query;
  });
  const main = await prepare(ctx, { ...statement, with: null });
  return modifying.length === 0 ? main : { ...main, prelude: prelude(modifying) };
}

async function planModifying(ctx: PlanContext, name: string, statement: ast.DataModifyingStatement): Promise<{ cte: ModifyingCte; query: PlannedQuery }> {
  if (statement.with?.ctes.some((cte) => ast.isDataModifying(cte.query)) === true) throw new SqlError('0A000', 'WITH clause containing a data-modifying statement must be at the top level');
  const action = statement.kind === 'Insert' ? 'insert' : statement.kind === 'Update' ? 'update' : 'delete';
  let target: number;
  try {
    target = (await resolveWriteTarget(ctx.catalog, ctx.settings, statement.table, action)).id;
  } catch (error) {
    // A write through a view: its base table is known only once rewritten (view-write.ts).
    if (error instanceof SqlError && error.sqlState === '55000') throw new SqlError('0A000', `a data-modifying WITH query writing through a view is not supported (WITH query "${name}")`);
    throw error;
  }
  const plan = await prepareWithClause(ctx, statement, prepareModifying);
  const table: WorkTable = { name };
  const columns = plan.columns ?? [];
  const node: PlanNode = { kind: 'workTable', table, width: columns.length };
  return { cte: { name, kind: statement.kind, table, plan, target }, query: { node, columns, ...(plan.columns === undefined ? { withoutReturning: true } : {}) } };
}

function prepareModifying(ctx: PlanContext, statement: ast.DataModifyingStatement): Promise<StatementPlan> {
  switch (statement.kind) {
    case 'Insert':
      return prepareInsert(ctx, statement);
    case 'Update':
      return prepareUpdate(ctx, statement);
    case 'Delete':
      return prepareDelete(ctx, statement);
  }
}

function prelude(ctes: readonly ModifyingCte[]): StatementPrelude {
  return {
    tables: new Set(ctes.map((cte) => cte.table)),
    explain: ctes.map((cte) => ({ title: `with ${cte.name} (${cte.kind.toLowerCase()})`, node: cte.plan.node })),
    async run(rt: Runtime, exec: ExecContext, into): Promise<readonly Notice[]> {
      const notices: Notice[] = [];
      for (const cte of ctes) {
        const outcome = await cte.plan.execute(rt, exec);
        into.workTables.set(cte.table, { rows: outcome.rows === null ? [] : await drain(outcome.rows) });
        // From here on the other parts may not change or lock rows of the table it changed (see the module comment).
        if (!into.modifiedTables.has(cte.target)) into.modifiedTables.set(cte.target, cte.name);
        notices.push(...outcome.notices);
      }
      return notices;
    },
  };
}

/** Whether `node` (a subquery's plan) reads one of `tables`: such a subquery runs after the prelude that fills them. */
export function readsWorkTable(node: PlanNode | undefined, tables: ReadonlySet<WorkTable>): boolean {
  if (node === undefined) return false;
  if (node.kind === 'workTable') return tables.has(node.table);
  return planChildren(node).some((child) => readsWorkTable(child, tables));
}

/** The plan nodes a node holds (its inputs, a join's sides, a lookup join's scan, a recursive CTE's terms). */
function planChildren(node: PlanNode): PlanNode[] {
  const children: PlanNode[] = [];
  for (const value of Object.values(node) as unknown[]) {
    if (isPlanNode(value)) {
      children.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value as unknown[]) if (isPlanNode(item)) children.push(item);
    } else if (typeof value === 'object' && value !== null && 'scan' in value && isPlanNode((value as { scan: unknown }).scan)) {
      children.push((value as { scan: PlanNode }).scan);
    }
  }
  return children;
}

function isPlanNode(value: unknown): value is PlanNode {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string' && typeof (value as { width?: unknown }).width === 'number';
}
