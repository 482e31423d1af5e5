/**
 * Memory accounting for the operators that hold rows: Sort, the Aggregate's groups, Distinct's
 * seen-set, the build side of a hash join, set operations and Window (CockroachDB's
 * `BoundAccount` under `distsql_workmem`).
 *
 * rangedb streams rows wherever it can (scans page through KV, DataRows go out as they come, the
 * socket's back-pressure pauses the statement). An operator that must hold rows counts an
 * estimate of what it holds against the session's `distsql_workmem` (default 64 MiB per operator);
 * past it the statement fails with 53200 `out of memory`, naming the operator and the setting,
 * instead of growing the process's heap until Node aborts — which would take every other session
 * down with it. rangedb does not spill to disk (PostgreSQL does, past `work_mem`): a query over
 * the budget fails cleanly and can be given more with `SET distsql_workmem = '256MiB'`.
 *
 * The estimate is of V8's heap: a slot per datum, strings at two bytes a character, headers for
 * arrays, bigints and objects. It errs high rather than low; it is a guard, not a measurement.
 */
import { parseByteSize } from '../../src/base/byte-size.js';
import { SqlError } from '../catalog/errors.js';
import type { Datum } from '../types/datum.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { AggregateCall } from '../plan/expr/aggregates.js';
import { statsOf, type ExecStats } from './exec-stats.js';

/** The default of `distsql_workmem`: 64 MiB, as CockroachDB's. */
export const workMemDefault = '64MiB';

const budgetBySettings = new WeakMap<object, number>();

/** The session's `distsql_workmem` in bytes (parsed once per settings object). */
export function workMemBytes(ctx: EvalContext): number {
  const settings = ctx.settings;
  let bytes = budgetBySettings.get(settings);
  if (bytes === undefined) {
    bytes = parseByteSize(settings.all.get('distsql_workmem') ?? workMemDefault) ?? parseByteSize(workMemDefault)!;
    budgetBySettings.set(settings, bytes);
  }
  return bytes;
}

/**
 * What one operator holds, counted against the budget. `grow` before keeping rows; `shrink` when
 * an operator lets rows go (a Sort that has streamed its output keeps them until it is done, so
 * most never shrink).
 */
export class MemoryAccount {
  private used = 0;

  constructor(
    /** The operator, as the error names it: `sort`, `hash join`, `aggregate`, … */
    private readonly operator: string,
    private readonly budgetBytes: number,
    /** EXPLAIN ANALYZE's statistics, told each new total (its maximum memory usage). */
    private readonly stats?: ExecStats,
  ) {}

  static forOperator(operator: string, ctx: EvalContext): MemoryAccount {
    return new MemoryAccount(operator, workMemBytes(ctx), statsOf(ctx));
  }

  get bytes(): number {
    return this.used;
  }

  /** Counts `bytes` more; throws 53200 if the operator's total passes the budget. */
  grow(bytes: number): void {
    this.used += bytes;
    this.stats?.recordMemory(this.used);
    if (this.used > this.budgetBytes) {
      throw new SqlError('53200', 'out of memory', {
        detail: `The ${this.operator} of this statement needs more than distsql_workmem (${this.budgetBytes} bytes) to hold its rows; rangedb does not spill to disk.`,
        hint: "Make the query hold fewer rows (a more selective WHERE, a LIMIT), or raise the budget with SET distsql_workmem = '256MiB'.",
      });
    }
  }

  /** Counts a row about to be held. */
  growRow(row: readonly Datum[]): void {
    this.grow(estimateBytes(row));
  }

  shrink(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/**
 * How much an aggregate's state grows per input, as a multiple of the input's estimated size; 0
 * for a constant state (count, sum, min, …: counted with the group). string_agg and array_agg keep
 * every value (string_agg its text and delimiter); DISTINCT keeps the values seen, an ordered
 * aggregate (`ORDER BY` inside the call) the rows until it sorts them; jsonb_agg / json_agg and
 * the object aggregates keep each value as a parsed JSON tree — an object per node, several
 * times its text — so they count three times the input (an object's later duplicate key
 * replaces the earlier value: counted anyway, the estimate errs high).
 */
export function inputGrowthFactor(call: AggregateCall): number {
  if (jsonAggregates.has(call.name)) return 3;
  return call.name === 'string_agg' || call.name === 'array_agg' || call.distinct || (call.orderBy?.length ?? 0) > 0 ? 1 : 0;
}

const jsonAggregates: ReadonlySet<string> = new Set(['jsonb_agg', 'json_agg', 'jsonb_object_agg', 'json_object_agg']);

/** A rough size of datums in V8's heap: a slot per datum plus strings, byte arrays, numbers. */
export function estimateBytes(datums: readonly Datum[]): number {
  let bytes = 16 + 8 * datums.length;
  for (const datum of datums) bytes += estimateDatumBytes(datum);
  return bytes;
}

function estimateDatumBytes(datum: Datum): number {
  if (datum === null || typeof datum === 'boolean' || typeof datum === 'number') return 0;
  if (typeof datum === 'string') return 16 + datum.length * 2;
  if (typeof datum === 'bigint') return 16;
  if (datum instanceof Uint8Array) return 64 + datum.length;
  if (Array.isArray(datum)) return estimateBytes(datum as readonly Datum[]);
  return 48; // numeric, interval, date-times, json: small objects
}
