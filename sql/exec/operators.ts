/**
 * Plan node → pulled operator (`RowSource`). Each operator pulls batches from its input and
 * passes batches up; only Sort, Distinct's seen-set, Aggregate, the inner side of a Join and
 * set operations hold rows in memory.
 */
import { assert } from '../../src/base/assert.js';
import { sortComparator } from '../types/compare.js';
import type { Datum } from '../types/datum.js';
import { SqlError } from '../catalog/errors.js';
import { newAccumulator } from '../plan/expr/aggregates.js';
import { seriesStepper, seriesValues } from '../plan/expr/series.js';
import type { CompiledExpr, EvalContext } from '../plan/expr/compiled.js';
import type { AggregateNode, FilterNode, LimitNode, PlanNode, RecursiveCteNode, SeriesNode, SetOpNode, SortNode } from '../plan/plan.js';
import { datumsKey } from '../rowcodec/datum-key.js';
import { MemoryAccount, estimateBytes, inputGrowthFactor } from './memory.js';
import { statsOf } from './exec-stats.js';
import { rowsSource, type RowBatch, type RowSource, type Runtime } from './runtime.js';
import { applyJoinSource } from './apply-join.js';
import { hashJoinSource } from './hash-join.js';
import { lockRowsSource } from './lock-rows.js';
import { lookupJoinSource } from './lookup-join.js';
import { mergeJoinSource } from './merge-join.js';
import { ScanSource } from './scan.js';
import { projectSetSource } from './project-set.js';
import { windowSource } from './window.js';

/** The rows of `batch` a filter keeps (its correlated slots, if it has any, filled for each row first). */
export function filterRows(node: FilterNode, batch: RowBatch, ctx: EvalContext): RowBatch {
  const predicate = node.predicate.eval;
  return batch.filter((row) => predicate(row, ctx) === true);
}

/** A project's output row for `row` (its per-row and correlated slots filled first, if it has any). */
function projectRow(evals: readonly CompiledExpr['eval'][], row: readonly Datum[], ctx: EvalContext): Datum[] {
  return evals.map((e) => e(row, ctx));
}

/** A project's output rows for `batch`, of a project with no per-row or correlated slot. */
export function projectRows(evals: readonly CompiledExpr['eval'][], batch: RowBatch, ctx: EvalContext): RowBatch {
  return batch.map((row) => projectRow(evals, row, ctx));
}

/** The operator of `node`; counted for EXPLAIN ANALYZE when its run gathers statistics (exec-stats.ts). */
export function buildSource(node: PlanNode, rt: Runtime): RowSource {
  const source = buildOperator(node, rt);
  const stats = statsOf(rt.ctx);
  return stats === undefined ? source : stats.instrument(node, source);
}

function buildOperator(node: PlanNode, rt: Runtime): RowSource {
  switch (node.kind) {
    case 'scan':
      return new ScanSource(node, rt);
    case 'values': {
      let done = false;
      return {
        next: () => {
          if (done) return Promise.resolve(null);
          done = true;
          return Promise.resolve(node.rows.map((row) => row.map((expr) => expr.eval([], rt.ctx))));
        },
      };
    }
    case 'filter': {
      const input = buildSource(node.input, rt);
      const predicate = node.predicate.eval;
      return {
        async next() {
          const correlated = node.correlatedSlots;
          for (let batch = await input.next(); batch !== null; batch = await input.next()) {
            let kept: RowBatch;
            if (correlated === undefined) kept = filterRows(node, batch, rt.ctx);
            else {
              kept = [];
              for (const row of batch) {
                await rt.fillCorrelated(correlated, row);
                if (predicate(row, rt.ctx) === true) kept.push(row);
              }
            }
            if (kept.length > 0) return kept;
          }
          return null;
        },
      };
    }
    case 'project': {
      if (node.setReturning !== undefined) return projectSetSource(node, node.setReturning, rt, buildSource(node.input, rt));
      const input = buildSource(node.input, rt);
      const evals = node.exprs.map((expr) => expr.eval);
      return {
        async next() {
          const batch = await input.next();
          if (batch === null) return null;
          if (!node.rowSlots && node.correlatedSlots === undefined) return projectRows(evals, batch, rt.ctx);
          const out: RowBatch = [];
          for (const row of batch) {
            if (node.rowSlots) await rt.fillRowSlots(undefined, row);
            if (node.correlatedSlots !== undefined) await rt.fillCorrelated(node.correlatedSlots, row);
            out.push(projectRow(evals, row, rt.ctx));
          }
          return out;
        },
      };
    }
    case 'sort':
      return sortSource(node, rt);
    case 'limit':
      return limitSource(node, rt);
    case 'lockRows':
      return lockRowsSource(node, rt, buildSource(node.input, rt));
    case 'distinct': {
      const input = buildSource(node.input, rt);
      const seen = new Set<string>();
      const memory = MemoryAccount.forOperator('distinct', rt.ctx);
      return {
        async next() {
          for (let batch = await input.next(); batch !== null; batch = await input.next()) {
            const keyColumns = node.keyColumns;
            const kept = batch.filter((row) => {
              const key = datumsKey(node.types, keyColumns === undefined ? row : keyColumns.map((column) => row[column] ?? null));
              if (seen.has(key)) return false;
              memory.grow(keyBytes(key));
              seen.add(key);
              return true;
            });
            if (kept.length > 0) return kept;
          }
          return null;
        },
      };
    }
    case 'aggregate':
      return aggregateSource(node, rt);
    case 'window':
      return windowSource(node, rt, buildSource(node.input, rt));
    case 'join':
      if (node.lookup !== undefined) return lookupJoinSource(node, rt, buildSource(node.left, rt));
      if (node.merge !== undefined) return mergeJoinSource(node, rt, buildSource(node.left, rt), buildSource(node.right, rt));
      return hashJoinSource(node, rt, buildSource(node.left, rt), buildSource(node.right, rt));
    case 'apply':
      return applyJoinSource(node, rt, buildSource(node.left, rt), (right) => buildSource(right, rt));
    case 'series':
      return seriesSource(node, rt);
    case 'ordinality': {
      const input = buildSource(node.input, rt);
      let ordinal = 0n;
      return {
        async next() {
          const batch = await input.next();
          if (batch === null) return null;
          for (const row of batch) row.push(++ordinal);
          return batch;
        },
      };
    }
    case 'setop':
      return setOpSource(node, rt);
    case 'recursiveCte':
      return recursiveCteSource(node, rt);
    case 'workTable': {
      const table = rt.workTables?.get(node.table);
      // The planner allows the reference only in its CTE's recursive term, which runs with it.
      if (table === undefined) throw new SqlError('0A000', `recursive reference to query "${node.table.name}" is not supported here`);
      return rowsSource(table.rows.map((row) => [...row]));
    }
    case 'virtual': {
      let done = false;
      return {
        async next() {
          if (done) return null;
          done = true;
          return (await node.rows(rt.txn, rt.ctx)).map((row) => [...row]);
        },
      };
    }
    default:
      return assertNeverNode(node);
  }
}

function assertNeverNode(node: never): never {
  assert(false, () => `unknown plan node ${JSON.stringify(node)}`);
}

/** Materializes, sorts (stable: ties keep input order), then streams. */
function sortSource(node: SortNode, rt: Runtime): RowSource {
  let sorted: RowSource | undefined;
  return {
    async next() {
      if (sorted === undefined) {
        const rows = await drainCounted(buildSource(node.input, rt), MemoryAccount.forOperator('sort', rt.ctx));
        const comparators = node.keys.map((key) => ({ column: key.column, compare: sortComparator(key.type, key.descending, key.nullsFirst) }));
        rows.sort((left, right) => {
          for (const { column, compare } of comparators) {
            const order = compare(left[column] ?? null, right[column] ?? null);
            if (order !== 0) return order;
          }
          return 0;
        });
        sorted = rowsSource(rows);
      }
      return sorted.next();
    },
  };
}

function limitSource(node: LimitNode, rt: Runtime): RowSource {
  const input = buildSource(node.input, rt);
  let remaining: bigint | undefined;
  let skip = 0n;
  let started = false;
  return {
    async next() {
      if (!started) {
        started = true;
        const limit = node.limit?.eval([], rt.ctx) ?? null;
        const offset = node.offset?.eval([], rt.ctx) ?? null;
        if (limit !== null && (limit as bigint) < 0n) throw new SqlError('2201W', 'LIMIT must not be negative');
        if (offset !== null && (offset as bigint) < 0n) throw new SqlError('2201X', 'OFFSET must not be negative');
        remaining = limit === null ? undefined : (limit as bigint);
        skip = offset === null ? 0n : (offset as bigint);
      }
      while (remaining === undefined || remaining > 0n) {
        const batch = await input.next();
        if (batch === null) return null;
        let rows = batch;
        if (skip > 0n) {
          const dropped = skip >= BigInt(rows.length) ? rows.length : Number(skip);
          rows = rows.slice(dropped);
          skip -= BigInt(dropped);
        }
        if (remaining !== undefined && BigInt(rows.length) > remaining) rows = rows.slice(0, Number(remaining));
        if (remaining !== undefined) remaining -= BigInt(rows.length);
        if (rows.length > 0) return rows;
      }
      return null;
    },
  };
}

function aggregateSource(node: AggregateNode, rt: Runtime): RowSource {
  let result: RowSource | undefined;
  return {
    async next() {
      if (result === undefined) {
        const input = buildSource(node.input, rt);
        const groupTypes = node.groupBy.map((expr) => expr.type);
        const groups = new Map<string, { keys: Datum[]; accumulators: ReturnType<typeof newAccumulator>[] }>();
        const memory = MemoryAccount.forOperator('aggregate', rt.ctx);
        // A group holds its keys, its id and its accumulators (counted at their start); one that
        // collects its inputs — string_agg, array_agg, jsonb_agg, DISTINCT, … — grows with each.
        const groupBytes = 64 + 48 * node.aggregates.length;
        const growth = node.aggregates.map(inputGrowthFactor);
        const fresh = (keys: Datum[]): { keys: Datum[]; accumulators: ReturnType<typeof newAccumulator>[] } => ({ keys, accumulators: node.aggregates.map((call) => newAccumulator(call, rt.ctx)) });
        // Grouping sets: one pass, each row feeding one group per set, keyed by the set's number and
        // its columns (the others NULL); the set's number follows the group columns in the row.
        const sets = node.groupingSets;
        const included = sets?.map((set) => node.groupBy.map((_, column) => set.includes(column)));
        const feed = (group: { accumulators: ReturnType<typeof newAccumulator>[] }, inputs: readonly (readonly Datum[] | null)[]): void => {
          inputs.forEach((values, index) => {
            if (values === null) return;
            if (growth[index]! > 0) memory.grow(growth[index]! * estimateBytes(values));
            group.accumulators[index]!.add(values);
          });
        };
        for (let batch = await input.next(); batch !== null; batch = await input.next()) {
          for (const row of batch) {
            const keys = node.groupBy.map((expr) => expr.eval(row, rt.ctx));
            // Each aggregate's arguments (null where its FILTER drops the row), evaluated once for every set.
            const inputs = node.aggregates.map((call) => (call.filter !== null && call.filter.eval(row, rt.ctx) !== true ? null : call.args.map((arg) => arg.eval(row, rt.ctx))));
            if (included === undefined) {
              const id = datumsKey(groupTypes, keys);
              let group = groups.get(id);
              if (group === undefined) {
                memory.grow(groupBytes + keyBytes(id) + estimateBytes(keys));
                groups.set(id, (group = fresh(keys)));
              }
              feed(group, inputs);
              continue;
            }
            included.forEach((columns, set) => {
              const setKeys: Datum[] = keys.map((key, column) => (columns[column] === true ? key : null));
              const id = `${set}:${datumsKey(groupTypes, setKeys)}`;
              let group = groups.get(id);
              if (group === undefined) {
                memory.grow(groupBytes + keyBytes(id) + estimateBytes(setKeys));
                groups.set(id, (group = fresh([...setKeys, set])));
              }
              feed(group, inputs);
            });
          }
        }
        if (groups.size === 0 && node.groupBy.length === 0 && sets === undefined) groups.set('', fresh([]));
        // An empty grouping set is one group of every row: it has its row even over no input.
        sets?.forEach((set, number) => {
          if (set.length === 0 && !groups.has(`${number}:${datumsKey(groupTypes, node.groupBy.map(() => null))}`)) groups.set(`${number}:`, fresh([...node.groupBy.map(() => null), number]));
        });
        // The results are made while the states are still held: a collecting aggregate's result
        // (a jsonb_agg's text, an array) is about its state's size again, counted too.
        result = rowsSource(
          [...groups.values()].map((group) => {
            const row = [...group.keys, ...group.accumulators.map((accumulator) => accumulator.result())];
            if (growth.some((factor) => factor > 0)) memory.grow(estimateBytes(row));
            return row;
          }),
        );
      }
      return result.next();
    },
  };
}

/** generate_series in FROM: its values in batches, computed as they are read (sql/plan/expr/series.ts steps them). */
function seriesSource(node: SeriesNode, rt: Runtime): RowSource {
  let values: Iterator<Datum> | undefined;
  let done = false;
  return {
    next() {
      if (done) return Promise.resolve(null);
      if (values === undefined) {
        const start = node.start.eval([], rt.ctx);
        const stop = node.stop.eval([], rt.ctx);
        const step = node.step === null ? null : node.step.eval([], rt.ctx);
        if (start === null || stop === null || (node.step !== null && step === null)) {
          done = true;
          return Promise.resolve(null);
        }
        values = seriesValues(start, stop, seriesStepper(node.type, step, rt.ctx.textContext.timeZone));
      }
      const rows: RowBatch = [];
      while (rows.length < 1024) {
        const item = values.next();
        if (item.done === true) {
          done = true;
          break;
        }
        rows.push([item.value]);
      }
      return Promise.resolve(rows.length > 0 ? rows : null);
    },
  };
}

function setOpSource(node: SetOpNode, rt: Runtime): RowSource {
  let result: RowSource | undefined;
  return {
    async next() {
      if (result === undefined) {
        const memory = MemoryAccount.forOperator(node.op, rt.ctx);
        const left = await drainCounted(buildSource(node.left, rt), memory);
        const right = await drainCounted(buildSource(node.right, rt), memory);
        const key = (row: readonly Datum[]): string => datumsKey(node.types, row);
        let rows: Datum[][];
        if (node.op === 'union') {
          rows = node.all ? [...left, ...right] : dedupe([...left, ...right], key);
        } else {
          const counts = new Map<string, number>();
          for (const row of right) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
          const wantPresent = node.op === 'intersect';
          rows = [];
          for (const row of node.all ? left : dedupe(left, key)) {
            const id = key(row);
            const count = counts.get(id) ?? 0;
            if ((count > 0) === wantPresent) rows.push(row);
            if (node.all && count > 0) counts.set(id, count - 1);
          }
        }
        result = rowsSource(rows);
      }
      return result.next();
    },
  };
}

/**
 * WITH RECURSIVE (see `RecursiveCteNode`): the initial term's rows, then the recursive term over
 * the working table — the rows the previous iteration produced — until an iteration produces
 * none. Rows stream up as they are made. Held, and counted against distsql_workmem: the working
 * table being built and the one being read, and under UNION the key of every row seen (which is
 * what stops a cycle). A recursion that never ends is stopped by statement_timeout or cancel, or
 * by the memory limit.
 */
function recursiveCteSource(node: RecursiveCteNode, rt: Runtime): RowSource {
  const memory = MemoryAccount.forOperator('recursive query', rt.ctx);
  const seen = node.all ? undefined : new Set<string>();
  const table = { rows: [] as Datum[][], bytes: 0 };
  const recursiveRt: Runtime = { ...rt, workTables: new Map(rt.workTables ?? []).set(node.table, table) };
  let current = buildSource(node.initial, rt);
  let produced: Datum[][] = [];
  let producedBytes = 0;
  return {
    async next() {
      for (;;) {
        const batch = await current.next();
        if (batch === null) {
          if (produced.length === 0) return null;
          memory.shrink(table.bytes);
          table.rows = produced;
          table.bytes = producedBytes;
          produced = [];
          producedBytes = 0;
          current = buildSource(node.recursive, recursiveRt);
          continue;
        }
        const kept: RowBatch = [];
        for (const row of batch) {
          if (seen !== undefined) {
            const key = datumsKey(node.types, row);
            if (seen.has(key)) continue;
            memory.grow(keyBytes(key));
            seen.add(key);
          }
          const bytes = estimateBytes(row);
          memory.grow(bytes);
          producedBytes += bytes;
          produced.push(row);
          kept.push(row);
        }
        if (kept.length > 0) return kept;
      }
    },
  };
}

function dedupe(rows: Datum[][], key: (row: readonly Datum[]) => string): Datum[][] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const id = key(row);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Every row of `source`, each counted against `memory` before it is kept. */
async function drainCounted(source: RowSource, memory: MemoryAccount): Promise<Datum[][]> {
  const rows: Datum[][] = [];
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    for (const row of batch) {
      memory.growRow(row);
      rows.push(row);
    }
  }
  return rows;
}

/** A seen-set or group-map key string in V8's heap (one byte a character: latin1). */
function keyBytes(key: string): number {
  return 24 + key.length;
}
