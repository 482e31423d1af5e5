/**
 * The rows of a query that is a primary-key point lookup (pgbench's `SELECT abalance FROM
 * pgbench_accounts WHERE aid = $1`; engine.ts finds its scan once per plan and reads its keys,
 * computed per run from the parameters, with the catalog version). Once read, they are computed
 * synchronously when the plan above the scan is only filters and projections
 * (`pointLookupChain`, `pointLookupRows`): the operator pipeline — an async operator per node,
 * each pulled twice (a batch, then its end) — cost about 6 KB of promises and suspended frames
 * per query, a sixth of what a select-only query allocated. The rows go through the same
 * functions the operators apply (`decodePrefetched`, `filterRows`, `projectRows`): one
 * implementation of each step, two ways of driving them.
 *
 * ```
 *   project ─┐
 *   filter   ├─ pointLookupChain (bottom up)    ──►  pointLookupRows: decode, filter, project
 *   scan ────┘  prefetched: the keys' values               (no Runtime, no operator objects)
 * ```
 */
import { assert } from '../../src/base/assert.js';
import type { Datum } from '../types/datum.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { FilterNode, PlanNode, ProjectNode, ScanNode } from '../plan/plan.js';
import { filterRows, projectRows } from './operators.js';
import { decodePrefetched } from './scan.js';
import type { PrefetchedReads } from './runtime.js';
import type { StatementPlan } from './statement.js';
import type { ResultRowIterator } from './contract.js';

/** A step of `pointLookupRows`, applied bottom up. */
type ChainStep = { readonly kind: 'filter'; readonly node: FilterNode } | { readonly kind: 'project'; readonly node: ProjectNode; readonly evals: readonly ProjectNode['exprs'][number]['eval'][] };

/** The steps above a point lookup's scan, bottom first, and the scan. */
export interface PointLookupChain {
  readonly scan: ScanNode;
  readonly steps: readonly ChainStep[];
}

/**
 * The chain of a plan whose point lookup (`scan`, engine.ts's `pointLookupScan`) has only
 * filters and projections above it, none with a per-row or correlated slot or a set-returning
 * call, and no data-modifying WITH query before it — what `pointLookupRows` computes without
 * operators; null for any other plan (a sort or a limit runs through the operators).
 */
export function pointLookupChain(plan: StatementPlan, scan: ScanNode | null): PointLookupChain | null {
  if (scan === null || plan.prelude !== undefined) return null;
  const steps: ChainStep[] = [];
  let node: PlanNode | undefined = plan.node;
  for (; node !== scan; node = node.input) {
    if (node === undefined) return null;
    if (node.kind === 'filter' && node.correlatedSlots === undefined) steps.push({ kind: 'filter', node });
    else if (node.kind === 'project' && !node.rowSlots && node.correlatedSlots === undefined && node.setReturning === undefined) {
      steps.push({ kind: 'project', node, evals: node.exprs.map((expr) => expr.eval) });
    } else return null;
  }
  return { scan, steps: steps.reverse() };
}

/** The rows of a point lookup whose keys were read (`prefetched`), through the chain's filters and projections. */
export function pointLookupRows(chain: PointLookupChain, prefetched: PrefetchedReads, ctx: EvalContext): Datum[][] {
  let rows = decodePrefetched(chain.scan, prefetched);
  for (const step of chain.steps) {
    if (rows.length === 0) break;
    rows = step.kind === 'filter' ? filterRows(step.node, rows, ctx) : projectRows(step.evals, rows, ctx);
  }
  return rows;
}

/**
 * Rows already computed, as the session pulls them (`StatementResult.rows`): each answer an
 * already-resolved promise, without an async function's frame — or, through `takeReady`, several
 * at once without a promise (the session's way: a point read's rows then reach the client with no
 * microtask between the read and the DataRow).
 */
export class ReadyRows implements ResultRowIterator {
  private position = 0;

  constructor(private readonly rows: readonly (readonly Datum[])[]) {}

  /** Rows handed out so far (the command tag's count). */
  get count(): number {
    return this.position;
  }

  get readyCount(): number {
    return this.rows.length - this.position;
  }

  takeReady(count: number): readonly (readonly Datum[])[] {
    assert(Number.isSafeInteger(count) && count >= 0, 'takeReady takes a row count');
    const start = this.position;
    this.position = Math.min(this.rows.length, start + count);
    return start === 0 && this.position === this.rows.length ? this.rows : this.rows.slice(start, this.position);
  }

  next(): Promise<IteratorResult<readonly Datum[]>> {
    if (this.position >= this.rows.length) return Promise.resolve({ done: true, value: undefined });
    return Promise.resolve({ done: false, value: this.rows[this.position++]! });
  }
}
