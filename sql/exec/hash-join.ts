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

  return {
    async next() {
      right ??= await build();
      const rows = right;
      while (!leftDone) {
        const batch = await left.next();
        if (batch === null) {
          leftDone = true;
          break;
        }
        const out: RowBatch = [];
        for (const leftRow of batch) {
          let matched = false;
          const join = (index: number): void => {
            const row = concatRows(leftRow, rows[index]!);
            if (on !== undefined && on(row, rt.ctx) !== true) return;
            matched = true;
            matchedRight[index] = 1;
            out.push(row);
          };
          if (hashKeys === undefined) {
            allRight ??= rows.map((_row, index) => index);
            for (const index of allRight) join(index);
          } else {
            const key = keyOf(hashKeys.left, leftRow);
            const bucket = key === undefined ? undefined : buckets.get(key);
            if (typeof bucket === 'number') join(bucket);
            else if (bucket !== undefined) for (const index of bucket) join(index);
          }
          if (!matched && leftOuter) out.push(concatRows(leftRow, rightPadding));
        }
        if (out.length > 0) return out;
      }
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
