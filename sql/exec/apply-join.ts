/**
 * The apply join of a LATERAL FROM item (plan.ts `ApplyNode`): a correlated nested loop. The
 * right side's plan is built once by the planner but run once per left row, with that row as the
 * outer row its outer references read (`EvalContext.outer`, the context correlated subqueries
 * already run in: runtime.ts `fillCorrelated`). Its key spans are computed when its scan starts,
 * so `WHERE t2.id = t.id + 1` on the right is a point lookup per left row, not a full scan.
 *
 * The right rows of one left row are drained before any is joined: the outer row must stay set
 * while the right side runs, and must be the enclosing query's again whenever the left side or
 * the operators above run (they may read it too, inside a correlated subquery). A right side is
 * one left row's worth of rows — a LATERAL item is typically a top-N or an aggregate per row.
 */
import type { Datum } from '../types/datum.js';
import type { ApplyNode, PlanNode } from '../plan/plan.js';
import { drain, type RowBatch, type RowSource, type Runtime } from './runtime.js';

/** `build` makes a fresh source for a plan node (operators.ts `buildSource`, passed in to keep the modules acyclic). */
export function applyJoinSource(node: ApplyNode, rt: Runtime, left: RowSource, build: (node: PlanNode) => RowSource): RowSource {
  const on = node.on?.eval;
  const nulls: Datum[] = new Array<Datum>(node.right.width).fill(null);
  const outer = rt.ctx.outer;

  async function rightRows(leftRow: readonly Datum[]): Promise<Datum[][]> {
    const saved = outer.row;
    outer.row = node.keepsOuter ? [...leftRow, ...saved] : leftRow;
    try {
      return await drain(build(node.right));
    } finally {
      outer.row = saved;
    }
  }

  return {
    async next() {
      for (let batch = await left.next(); batch !== null; batch = await left.next()) {
        const out: RowBatch = [];
        for (const leftRow of batch) {
          rt.cancel.throwIfCancelled();
          let matched = false;
          for (const rightRow of await rightRows(leftRow)) {
            const joined = [...leftRow, ...rightRow];
            if (on !== undefined && on(joined, rt.ctx) !== true) continue;
            matched = true;
            out.push(joined);
          }
          if (!matched && node.joinType === 'left') out.push([...leftRow, ...nulls]);
        }
        if (out.length > 0) return out;
      }
      return null;
    },
  };
}
