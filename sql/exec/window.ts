/**
 * The Window operator (plan.ts's `WindowNode`): reads its whole input, sorts it by PARTITION BY
 * and the window's ORDER BY (stable: rows tied on every key keep their input order), then, one
 * partition at a time, computes each window function (window-functions.ts) and streams the rows
 * with the results appended.
 *
 * ```
 *   input rows ─▶ [keys per row] ─▶ sort ─▶ partition 1 │ partition 2 │ …
 *                                           peers, frames, functions ─▶ row ++ results
 * ```
 *
 * Memory: the node holds its whole input (a sort must), each row and its keys counted against the
 * session's `distsql_workmem` (memory.ts); past it the statement fails with 53200 rather than
 * exhausting the process's heap. rangedb does not spill to disk. A window aggregate that collects
 * its inputs (array_agg, string_agg, jsonb_agg … OVER a growing frame) gives each row a result as
 * large as its frame — quadratic in the partition — so those results are counted as made.
 */
import type { WindowNode } from '../plan/plan.js';
import { sortComparator } from '../types/compare.js';
import type { Datum } from '../types/datum.js';
import { evaluateFrameOffsets, peerGroups, type FrameOffsets } from './window-frame.js';
import { computeWindowFunction } from './window-functions.js';
import { estimateBytes, inputGrowthFactor, MemoryAccount } from './memory.js';
import { rowsSource, type RowBatch, type RowSource, type Runtime } from './runtime.js';

/** An input row and its sort keys (PARTITION BY values, then ORDER BY values). */
interface Entry {
  readonly row: readonly Datum[];
  readonly keys: readonly Datum[];
}

/** A pulled operator over `node`; `buildInput` builds its input's operator (operators.ts's dispatch). */
export function windowSource(node: WindowNode, rt: Runtime, input: RowSource): RowSource {
  let output: RowSource | undefined;
  return {
    async next() {
      if (output === undefined) {
        const memory = MemoryAccount.forOperator('window', rt.ctx);
        const entries = await readInput(node, rt, input, memory);
        output = rowsSource(computeWindows(node, rt, entries, memory));
      }
      return output.next();
    },
  };
}

async function readInput(node: WindowNode, rt: Runtime, input: RowSource, memory: MemoryAccount): Promise<Entry[]> {
  const keyExprs = [...node.partitionBy, ...node.orderBy.map((key) => key.expr)].map((expr) => expr.eval);
  const entries: Entry[] = [];
  for (let batch: RowBatch | null = await input.next(); batch !== null; batch = await input.next()) {
    for (const row of batch) {
      const keys = keyExprs.map((evaluate) => evaluate(row, rt.ctx));
      // The row, its keys, and (later) its results and output copy: about twice the row.
      memory.grow(2 * estimateBytes(row) + estimateBytes(keys));
      entries.push({ row, keys });
    }
  }
  return entries;
}

function computeWindows(node: WindowNode, rt: Runtime, entries: Entry[], memory: MemoryAccount): Datum[][] {
  const collecting = node.functions.map((fn) => fn.aggregate !== null && inputGrowthFactor(fn.aggregate) > 0);
  const partitionCount = node.partitionBy.length;
  const partitionCompare = node.partitionBy.map((expr) => sortComparator(expr.type, false, false));
  const orderCompare = node.orderBy.map((key) => sortComparator(key.expr.type, key.descending, key.nullsFirst));
  const compare = [...partitionCompare, ...orderCompare];
  entries.sort((left, right) => {
    for (let index = 0; index < compare.length; index++) {
      const order = compare[index]!(left.keys[index] ?? null, right.keys[index] ?? null);
      if (order !== 0) return order;
    }
    return 0;
  });
  // Offsets first, as ExecWindowAgg does: a NULL or negative ROWS offset fails even over no rows.
  const offsets: FrameOffsets[] = node.functions.map((fn) => evaluateFrameOffsets(fn.frame, rt.ctx));
  const out: Datum[][] = new Array<Datum[]>(entries.length);
  const samePartition = (a: Entry, b: Entry): boolean => partitionCompare.every((cmp, index) => cmp(a.keys[index] ?? null, b.keys[index] ?? null) === 0);
  let start = 0;
  while (start < entries.length) {
    let end = start + 1;
    while (end < entries.length && samePartition(entries[start]!, entries[end]!)) end++;
    const partition = entries.slice(start, end);
    const results = computePartition(node, rt, partition, offsets, partitionCount, orderCompare);
    results.forEach((values, index) => {
      if (collecting[index] === true) memory.grow(estimateBytes(values));
    });
    partition.forEach((entry, index) => {
      out[start + index] = [...entry.row, ...results.map((values) => values[index]!)];
    });
    start = end;
  }
  return out;
}

/** Every function's results over one partition (sorted), one array per function. */
function computePartition(node: WindowNode, rt: Runtime, partition: readonly Entry[], offsets: readonly FrameOffsets[], partitionCount: number, orderCompare: readonly ((a: Datum, b: Datum) => number)[]): Datum[][] {
  const peers = peerGroups(partition.length, (row, previous) => orderCompare.every((cmp, index) => cmp(partition[row]!.keys[partitionCount + index] ?? null, partition[previous]!.keys[partitionCount + index] ?? null) === 0));
  const firstOrder = node.orderBy[0];
  const rangeKeys = firstOrder === undefined ? null : { values: partition.map((entry) => entry.keys[partitionCount] ?? null), descending: firstOrder.descending, nullsFirst: firstOrder.nullsFirst };
  return node.functions.map((fn, index) => {
    const args = fn.args.map((arg) => partition.map((entry) => arg.eval(entry.row, rt.ctx)));
    const filterExpr = fn.aggregate?.filter ?? null;
    const filter = filterExpr === null ? null : partition.map((entry) => filterExpr.eval(entry.row, rt.ctx) === true);
    return computeWindowFunction(fn, { peers, args, filter, offsets: offsets[index]!, rangeKeys, ctx: rt.ctx });
  });
}
