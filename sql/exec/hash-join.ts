/**
 * Joins over the materialized right side (plan.ts's `JoinNode` without `lookup` or `merge`): a
 * hash join on the equality keys when the planner found some — the right side is read once into
 * buckets by key, then each left row probes its bucket — else nested loops over every right row.
 * The full condition (`on`) is still checked on each candidate pair; outer joins pad with NULLs
 * (a LEFT/FULL join a left row no pair passed, a RIGHT/FULL join, after the left side, every right
 * row none matched). The right side is counted against `distsql_workmem` (53200 past it).
 *
 * Per row, the cost is the key and the joined row (join-rows.ts): one key evaluated without an
 * array for a single key, a primitive hash key where the type allows, one pre-sized output array.
 */
import type { JoinNode } from '../plan/plan.js';
import type { Datum } from '../types/datum.js';
import { concatRows, hashKeyFunction, type HashKey } from './join-rows.js';
import { MemoryAccount } from './memory.js';
import type { RowBatch, RowSource, Runtime } from './runtime.js';

/** Most rows one next() of a join returns (a left batch's pairs may be many more: they come in several). */
export const joinOutputRowsMax = 1024;

export function hashJoinSource(node: JoinNode, rt: Runtime, left: RowSource, rightSource: RowSource): RowSource {
  let right: Datum[][] | undefined;
  let matchedRight: Uint8Array = new Uint8Array(0);
  let leftDone = false;
  let tailDone = false;
  const leftPadding = new Array<Datum>(node.left.width).fill(null);
  const rightPadding = new Array<Datum>(node.right.width).fill(null);
  const leftOuter = node.joinType === 'left' || node.joinType === 'full';
  const rightOuter = node.joinType === 'right' || node.joinType === 'full';
  const on = node.on?.eval;
  const hashKeys = node.hashKeys;
  /** Per key, the right rows' indexes (a single index unboxed: most keys of a join are unique). */
  const buckets = new Map<HashKey, number | number[]>();
  const hashKey = hashKeys === undefined ? undefined : hashKeyFunction(hashKeys.types);
  const keyCount = hashKeys?.types.length ?? 0;
  const values = new Array<Datum>(keyCount);
  /** The hash key of `row` by `exprs`, or undefined when a key is NULL (NULL equals nothing). */
  const keyOf = (exprs: NonNullable<JoinNode['hashKeys']>['left'], row: readonly Datum[]): HashKey | undefined => {
    for (let index = 0; index < keyCount; index++) {
      const value = exprs[index]!.eval(row, rt.ctx);
      if (value === null) return undefined;
      values[index] = value;
    }
    return hashKey!(values);
  };
  let allRight: number[] | undefined;

  const build = async (): Promise<Datum[][]> => {
    const memory = MemoryAccount.forOperator(hashKeys === undefined ? 'nested loop join' : 'hash join', rt.ctx);
    const rows: Datum[][] = [];
    for (let batch = await rightSource.next(); batch !== null; batch = await rightSource.next()) {
      for (const row of batch) {
        memory.growRow(row);
        const index = rows.length;
        rows.push(row);
        if (hashKeys === undefined) continue;
        const key = keyOf(hashKeys.right, row);
        if (key === undefined) continue;
        const bucket = buckets.get(key);
        if (bucket === undefined) buckets.set(key, index);
        else if (typeof bucket === 'number') buckets.set(key, [bucket, index]);
        else bucket.push(index);
      }
    }
    matchedRight = new Uint8Array(rows.length);
    return rows;
  };

  // Where the probe stopped: the left batch, the left row in it, that row's candidate right rows
  // and the next candidate. A next() returns at most `joinOutputRowsMax` rows and resumes here,
  // so a join that multiplies rows (a cross join, a many-to-many key) streams its output in
  // bounded batches instead of returning every pair of a left batch at once.
  let batch: RowBatch | null = null;
  let leftIndex = 0;
  let candidates: readonly number[] | undefined;
  let candidateIndex = 0;
  let matched = false;
  const noCandidates: readonly number[] = [];
  const candidatesOf = (leftRow: readonly Datum[], rows: readonly Datum[][]): readonly number[] => {
    if (hashKeys === undefined) return (allRight ??= rows.map((_row, index) => index));
    const key = keyOf(hashKeys.left, leftRow);
    const bucket = key === undefined ? undefined : buckets.get(key);
    return typeof bucket === 'number' ? [bucket] : (bucket ?? noCandidates);
  };

  return {
    async next() {
      right ??= await build();
      const rows = right;
      const out: RowBatch = [];
      while (out.length < joinOutputRowsMax) {
        if (batch === null || leftIndex >= batch.length) {
          if (leftDone) break;
          const nextBatch = await left.next();
          if (nextBatch === null) {
            leftDone = true;
            break;
          }
          batch = nextBatch;
          leftIndex = 0;
          continue;
        }
        const leftRow = batch[leftIndex]!;
        if (candidates === undefined) {
          candidates = candidatesOf(leftRow, rows);
          candidateIndex = 0;
          matched = false;
        }
        while (candidateIndex < candidates.length && out.length < joinOutputRowsMax) {
          const index = candidates[candidateIndex++]!;
          const row = concatRows(leftRow, rows[index]!);
          if (on !== undefined && on(row, rt.ctx) !== true) continue;
          matched = true;
          matchedRight[index] = 1;
          out.push(row);
        }
        if (candidateIndex >= candidates.length) {
          if (!matched && leftOuter) out.push(concatRows(leftRow, rightPadding));
          candidates = undefined;
          leftIndex++;
        }
      }
      if (out.length > 0) return out;
      if (!tailDone && rightOuter) {
        tailDone = true;
        const out: RowBatch = [];
        for (let index = 0; index < rows.length; index++) if (matchedRight[index] === 0) out.push(concatRows(leftPadding, rows[index]!));
        if (out.length > 0) return out;
      }
      return null;
    },
  };
}
