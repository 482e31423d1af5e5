/**
 * The projection of a SELECT list with set-returning calls (PostgreSQL 10+'s ProjectSet; the
 * calls are compiled in sql/plan/expr/set-returning.ts):
 *
 * ```
 *   input row r ──► calls' iterators, started over r ──► row 1: each call's 1st value (NULL once done)
 *                                                        row 2: each call's 2nd value …
 *                                                        until every call is done
 * ```
 *
 * Rows go out in batches of at most `batchRowsMax`, an iterator kept between batches, so a long
 * series under a LIMIT stops being pulled when the limit is met.
 */
import type { Datum } from '../types/datum.js';
import type { ProjectNode } from '../plan/plan.js';
import type { SetReturningCall } from '../plan/expr/set-returning.js';
import type { RowBatch, RowSource, Runtime } from './runtime.js';

const batchRowsMax = 1024;

export function projectSetSource(node: ProjectNode, calls: readonly { readonly slot: number; readonly call: SetReturningCall }[], rt: Runtime, input: RowSource): RowSource {
  const evals = node.exprs.map((expr) => expr.eval);
  let pending: RowBatch = [];
  let pendingIndex = 0;
  /** The input row being expanded and its calls' iterators (undefined once a call is done). */
  let current: { row: readonly Datum[]; iterators: (Iterator<Datum> | undefined)[] } | undefined;
  let inputDone = false;

  /** The next input row with its calls started; false at the end of the input. */
  async function startRow(): Promise<boolean> {
    while (pendingIndex >= pending.length) {
      if (inputDone) return false;
      const batch = await input.next();
      if (batch === null) {
        inputDone = true;
        return false;
      }
      pending = batch;
      pendingIndex = 0;
    }
    const row = pending[pendingIndex++]!;
    if (node.rowSlots) await rt.fillRowSlots(undefined, row);
    if (node.correlatedSlots !== undefined) await rt.fillCorrelated(node.correlatedSlots, row);
    const iterators = calls.map(({ call }) => {
      const args = call.args.map((arg) => arg.eval(row, rt.ctx));
      return args.some((arg) => arg === null) ? undefined : call.expand(args, rt.ctx);
    });
    current = { row, iterators };
    return true;
  }

  /** The next output row of the current input row, or undefined when all its calls are done. */
  function nextOutput(): Datum[] | undefined {
    const state = current!;
    let any = false;
    calls.forEach(({ slot }, index) => {
      const iterator = state.iterators[index];
      const step = iterator?.next();
      if (step === undefined || step.done === true) {
        state.iterators[index] = undefined;
        rt.ctx.slots[slot] = null;
        return;
      }
      any = true;
      rt.ctx.slots[slot] = step.value;
    });
    return any ? evals.map((evaluate) => evaluate(state.row, rt.ctx)) : undefined;
  }

  return {
    async next() {
      const out: RowBatch = [];
      while (out.length < batchRowsMax) {
        if (current === undefined && !(await startRow())) break;
        const row = nextOutput();
        if (row === undefined) {
          current = undefined;
          continue;
        }
        out.push(row);
      }
      if (out.length > 0) rt.cancel.throwIfCancelled();
      return out.length > 0 ? out : null;
    },
  };
}
