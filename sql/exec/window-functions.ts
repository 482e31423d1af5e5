/**
 * The window functions over one sorted partition: each fills its result for every row of the
 * partition. Ranking functions read the peer groups; lag and lead the partition's rows; the
 * aggregates and first_value / last_value / nth_value the frame (window-frame.ts). Results follow
 * PostgreSQL's windowfuncs.c and nodeWindowAgg.c, including where an argument is read: ntile's at
 * the partition's first row, lag's offset and default and nth_value's n at the current row.
 */
import { assert } from '../../src/base/assert.js';
import { SqlError } from '../catalog/errors.js';
import { newAccumulator, type AggregateCall } from '../plan/expr/aggregates.js';
import type { WindowFunctionPlan } from '../plan/window-plan.js';
import { arithmetic } from '../types/arithmetic.js';
import { int64Max, int64Min, interval, type Datum } from '../types/datum.js';
import { Numeric } from '../types/numeric.js';
import { intervalType } from '../types/sql-type.js';
import { excluded, frameCursor, type FrameOffsets, type Peers, type RangeKeys } from './window-frame.js';
import type { EvalContext } from '../plan/expr/compiled.js';

/** One partition as a function sees it. */
export interface PartitionInput {
  readonly peers: Peers;
  /** `args[k][row]`: argument k of the function, evaluated over the partition's row. */
  readonly args: readonly (readonly Datum[])[];
  /** A window aggregate's FILTER per row (true: the row counts), or null without one. */
  readonly filter: readonly boolean[] | null;
  /** The frame's offsets, evaluated once per statement. */
  readonly offsets: FrameOffsets;
  /** The ORDER BY column, for RANGE frames with offsets; null otherwise. */
  readonly rangeKeys: RangeKeys | null;
  readonly ctx: EvalContext;
}

/** The function's result for each row of the partition, in order. */
export function computeWindowFunction(fn: WindowFunctionPlan, input: PartitionInput): Datum[] {
  const { peers } = input;
  const rows = peers.rows;
  const results: Datum[] = new Array<Datum>(rows);
  switch (fn.name) {
    case 'row_number':
      for (let row = 0; row < rows; row++) results[row] = BigInt(row + 1);
      return results;
    case 'rank':
      for (let row = 0; row < rows; row++) results[row] = BigInt(peers.groupStart[peers.group[row]!]! + 1);
      return results;
    case 'dense_rank':
      for (let row = 0; row < rows; row++) results[row] = BigInt(peers.group[row]! + 1);
      return results;
    case 'percent_rank':
      for (let row = 0; row < rows; row++) results[row] = rows > 1 ? peers.groupStart[peers.group[row]!]! / (rows - 1) : 0;
      return results;
    case 'cume_dist':
      for (let row = 0; row < rows; row++) results[row] = peers.groupEnd[peers.group[row]!]! / rows;
      return results;
    case 'ntile':
      return ntile(input, results);
    case 'lag':
    case 'lead':
      return lagLead(fn.name === 'lag' ? -1 : 1, input, results);
    case 'first_value':
    case 'last_value':
    case 'nth_value':
      return frameValue(fn, input, results);
    default:
      assert(fn.aggregate !== null, () => `unknown window function ${fn.name}`);
      return aggregate(fn, input, results);
  }
}

/**
 * ntile(n): n buckets as equal as can be, the first ones a row larger. n is read at the first row
 * (again at the next while it is NULL, whose rows get NULL), as windowfuncs.c's window_ntile.
 */
function ntile(input: PartitionInput, results: Datum[]): Datum[] {
  const rows = input.peers.rows;
  let bucket = 0;
  let rowsPerBucket = 0;
  let boundary = 0;
  let remainder = 0;
  for (let row = 0; row < rows; row++) {
    if (bucket === 0) {
      const buckets = input.args[0]![row] as number | null;
      if (buckets === null) {
        results[row] = null;
        continue;
      }
      if (buckets <= 0) throw new SqlError('22014', 'argument of ntile must be greater than zero');
      bucket = 1;
      boundary = Math.floor(rows / buckets);
      if (boundary <= 0) boundary = 1;
      else {
        remainder = rows % buckets;
        if (remainder !== 0) boundary++;
      }
    }
    rowsPerBucket++;
    if (boundary < rowsPerBucket) {
      if (remainder !== 0 && bucket === remainder) {
        remainder = 0;
        boundary--;
      }
      bucket++;
      rowsPerBucket = 1;
    }
    results[row] = bucket;
  }
  return results;
}

/** lag / lead (value [, offset [, default]]): the value `offset` rows before / after, else the default; a NULL offset gives NULL. */
function lagLead(direction: -1 | 1, input: PartitionInput, results: Datum[]): Datum[] {
  const rows = input.peers.rows;
  const [values, offsets, defaults] = input.args;
  for (let row = 0; row < rows; row++) {
    const offset = offsets === undefined ? 1 : (offsets[row] as number | null);
    if (offset === null) {
      results[row] = null;
      continue;
    }
    const target = row + direction * offset;
    results[row] = target >= 0 && target < rows ? values![target]! : (defaults?.[row] ?? null);
  }
  return results;
}

/** first_value, last_value, nth_value: a row of the frame (after EXCLUDE), or NULL when it has none. */
function frameValue(fn: WindowFunctionPlan, input: PartitionInput, results: Datum[]): Datum[] {
  const { peers } = input;
  const cursor = frameCursor(fn.frame, peers, input.offsets, input.rangeKeys, input.ctx);
  const values = input.args[0]!;
  const exclude = fn.frame.exclude;
  for (let row = 0; row < peers.rows; row++) {
    const { start, end } = cursor.bounds(row);
    let wanted: number;
    if (fn.name === 'nth_value') {
      const nth = input.args[1]![row] as number | null;
      if (nth === null) {
        results[row] = null;
        continue;
      }
      if (nth <= 0) throw new SqlError('22016', 'argument of nth_value must be greater than zero');
      wanted = nth;
    } else wanted = 1;
    let found: number | undefined;
    if (fn.name === 'last_value') {
      for (let candidate = end - 1; candidate >= start && found === undefined; candidate--) if (!excluded(exclude, peers, row, candidate)) found = candidate;
    } else {
      let seen = 0;
      for (let candidate = start; candidate < end && found === undefined; candidate++) {
        if (!excluded(exclude, peers, row, candidate) && ++seen === wanted) found = candidate;
      }
    }
    results[row] = found === undefined ? null : values[found]!;
  }
  return results;
}

/**
 * A window aggregate: each row's result over its frame, by the cheapest way that gives the same
 * answer as aggregating the frame afresh (the fallback, and what an EXCLUDE clause always takes):
 *
 * - a frame from the partition's first row only grows: one accumulator takes the rows its end
 *   passes (the default frame, running totals);
 * - count, and sum / avg over integers and intervals, whose sums are exact, let rows leave as well
 *   (PostgreSQL's moving aggregates with an inverse transition): any sliding frame in one pass;
 * - min, max, bool_and / bool_or over a frame to the partition's last row: the frame only grows
 *   when walked backwards, and these do not care in which order they see their rows;
 * - otherwise a frame equal to the previous row's (peers) reuses its result.
 */
function aggregate(fn: WindowFunctionPlan, input: PartitionInput, results: Datum[]): Datum[] {
  const { peers, filter } = input;
  const call = fn.aggregate!;
  const cursor = frameCursor(fn.frame, peers, input.offsets, input.rangeKeys, input.ctx);
  const rows = peers.rows;
  const exclude = fn.frame.exclude;
  const argRow = (row: number): Datum[] => input.args.map((values) => values[row]!);
  const counts = (row: number): boolean => filter === null || filter[row] === true;
  const frames = Array.from({ length: rows }, (_unused, row) => {
    const { start, end } = cursor.bounds(row);
    return { start, end: Math.max(start, end) };
  });
  if (exclude === 'no others' && fn.frame.start.kind === 'unbounded preceding') {
    const accumulator = newAccumulator(call, input.ctx);
    let added = 0;
    frames.forEach(({ end }, row) => {
      assert(end >= added, 'a frame from the partition start never shrinks');
      for (; added < end; added++) if (counts(added)) accumulator.add(argRow(added));
      results[row] = accumulator.result();
    });
    return results;
  }
  const moving = exclude === 'no others' ? movingAccumulator(call) : null;
  if (moving !== null) {
    // The accumulator holds the counted rows of [low, high); a frame's bounds only move forward.
    let low = 0;
    let high = 0;
    frames.forEach(({ start, end }, row) => {
      assert(start >= low && end >= high, 'frame bounds move forward');
      if (start >= high) {
        for (; low < high; low++) if (counts(low)) moving.remove(argRow(low));
        low = high = start;
      }
      for (; high < end; high++) if (counts(high)) moving.add(argRow(high));
      for (; low < start; low++) if (counts(low)) moving.remove(argRow(low));
      results[row] = moving.result();
    });
    return results;
  }
  if (exclude === 'no others' && fn.frame.end.kind === 'unbounded following' && orderInsensitive.has(call.name)) {
    const accumulator = newAccumulator(call, input.ctx);
    let from = rows;
    for (let row = rows - 1; row >= 0; row--) {
      const { start } = frames[row]!;
      for (; from > start; from--) if (counts(from - 1)) accumulator.add(argRow(from - 1));
      results[row] = accumulator.result();
    }
    return results;
  }
  let previous: { start: number; end: number; result: Datum } | undefined;
  frames.forEach(({ start, end }, row) => {
    if (exclude === 'no others' && previous !== undefined && previous.start === start && previous.end === end) {
      results[row] = previous.result;
      return;
    }
    const fresh = newAccumulator(call, input.ctx);
    for (let candidate = start; candidate < end; candidate++) {
      if (counts(candidate) && !excluded(exclude, peers, row, candidate)) fresh.add(argRow(candidate));
    }
    results[row] = fresh.result();
    previous = { start, end, result: results[row]! };
  });
  return results;
}

/** The aggregates whose result does not depend on the order they see their rows in. */
const orderInsensitive: ReadonlySet<string> = new Set(['min', 'max', 'bool_and', 'bool_or', 'every', 'count']);

/** An accumulator rows can leave again. */
interface MovingAccumulator {
  add(values: readonly Datum[]): void;
  remove(values: readonly Datum[]): void;
  result(): Datum;
}

/**
 * count, and sum / avg over smallint, integer, bigint and interval, with an inverse: their sums are
 * exact (integers in bigint, intervals field by field), so removing a row gives what aggregating
 * the rest would. Null for the others: numeric (a sum's scale is that of the values in it, which
 * a removal cannot tell), floats (rounding depends on the order), min, max, string_agg, bool_*.
 */
function movingAccumulator(call: AggregateCall): MovingAccumulator | null {
  const argType = call.args[0]?.type;
  let count = 0n;
  if (call.name === 'count') {
    const star = call.star;
    const counted = (values: readonly Datum[]): boolean => star || (values[0] ?? null) !== null;
    return {
      add: (values) => {
        if (counted(values)) count++;
      },
      remove: (values) => {
        if (counted(values)) count--;
      },
      result: () => count,
    };
  }
  if ((call.name !== 'sum' && call.name !== 'avg') || argType === undefined) return null;
  if (argType.kind === 'interval') {
    let total: Datum = interval(0, 0, 0n);
    return {
      add: (values) => {
        if ((values[0] ?? null) === null) return;
        count++;
        total = arithmetic('+', intervalType, total, values[0]!);
      },
      remove: (values) => {
        if ((values[0] ?? null) === null) return;
        count--;
        total = arithmetic('-', intervalType, total, values[0]!);
      },
      result: () => (count === 0n ? null : call.name === 'sum' ? total : arithmetic('/', intervalType, total, Number(count))),
    };
  }
  if (argType.kind !== 'int2' && argType.kind !== 'int4' && argType.kind !== 'int8') return null;
  let sum = 0n;
  const resultKind = call.type.kind;
  return {
    add: (values) => {
      const value = values[0] ?? null;
      if (value === null) return;
      count++;
      sum += BigInt(value as number | bigint);
    },
    remove: (values) => {
      const value = values[0] ?? null;
      if (value === null) return;
      count--;
      sum -= BigInt(value as number | bigint);
    },
    result: () => {
      if (count === 0n) return null;
      if (call.name === 'avg') return Numeric.fromBigInt(sum).div(Numeric.fromBigInt(count));
      if (resultKind === 'int8') return checkedInt8(sum);
      return Numeric.fromBigInt(sum);
    },
  };
}

/** sum(int2 | int4) is bigint: 22003 past its range, as int8pl would say. */
function checkedInt8(value: bigint): bigint {
  if (value < int64Min || value > int64Max) throw new SqlError('22003', 'bigint out of range');
  return value;
}
