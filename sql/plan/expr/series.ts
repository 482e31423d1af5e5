/**
 * `generate_series`'s stepping, shared by its two homes — FROM (sql/exec/operators.ts's series
 * source) and the SELECT list (set-returning.ts): over int4, int8 and numeric with a step of the
 * same type, and over timestamp and timestamptz with an interval step (PostgreSQL 15's
 * generate_series_timestamp[tz]).
 *
 * A date-time series adds the step to the previous value, not `start + n × step`: month
 * arithmetic clamps to the month's end and stays clamped (`2024-01-30` by `1 month` gives
 * 01-30, 02-29, 03-29, …), as PostgreSQL's does. A timestamptz series adds months and days in
 * the session's time zone, so a `1 day` step keeps the local time across a DST change.
 */
import { SqlError } from '../../catalog/errors.js';
import { arithmetic } from '../../types/arithmetic.js';
import { compareDatums, intervalSpan } from '../../types/compare.js';
import { timestampAddInterval, timestamptzAddInterval } from '../../types/datetime-arithmetic.js';
import type { Datum, Interval } from '../../types/datum.js';
import { Numeric } from '../../types/numeric.js';
import { intervalType, timestampType, timestamptzType, type SqlType } from '../../types/sql-type.js';
import type { TimeZone } from '../../types/timezone.js';
import { isOpen } from './coerce.js';
import type { CompiledExpr } from './compiled.js';

/** Whether `type` is one a series runs over with an interval step. */
export function isDatetimeSeries(type: SqlType): boolean {
  return type.kind === 'timestamp' || type.kind === 'timestamptz';
}

/**
 * The date-time overload `generate_series(start, stop, step)` resolves to, as PostgreSQL's
 * candidates (timestamp, timestamp, interval) and (timestamptz, timestamptz, interval) take its
 * arguments: a date or timestamptz bound makes it timestamptz (a date converts to either, and
 * timestamptz is the preferred type of the category), two timestamps make it timestamp.
 * Undefined when the arguments are not a date-time series (the numeric forms then apply).
 */
export function datetimeSeriesType(args: readonly CompiledExpr[]): { readonly type: SqlType; readonly stepType: SqlType } | undefined {
  if (args.length !== 3) return undefined;
  const [start, stop, step] = args as [CompiledExpr, CompiledExpr, CompiledExpr];
  if (!isOpen(step) && step.type.kind !== 'interval') return undefined;
  const kinds = [start, stop].filter((arg) => !isOpen(arg)).map((arg) => arg.type.kind);
  if (kinds.length === 0 || !kinds.every((kind) => kind === 'timestamp' || kind === 'timestamptz' || kind === 'date')) return undefined;
  const type = kinds.every((kind) => kind === 'timestamp') ? timestampType() : timestamptzType();
  return { type, stepType: intervalType };
}

/** The stepping of one series: its direction and how to get from one value to the next. */
export interface SeriesStepper {
  readonly ascending: boolean;
  /** The value after `value`, or undefined when it would overflow (the series ends there, as in PostgreSQL). */
  next(value: Datum): Datum | undefined;
  /** Whether `value` is past `stop` in the series' direction. */
  past(value: Datum, stop: Datum): boolean;
}

/**
 * The stepper of a series of `type` with `step` (null: the default, 1); 22023 for a zero step
 * as PostgreSQL says (an interval step is zero when its 30-day-month span is).
 */
export function seriesStepper(type: SqlType, step: Datum | null, zone: TimeZone): SeriesStepper {
  if (isDatetimeSeries(type)) {
    const span = step as Interval;
    const sign = intervalSpan(span);
    if (sign === 0n) throw new SqlError('22023', 'step size cannot equal zero');
    const ascending = sign > 0n;
    const add = type.kind === 'timestamptz' ? (value: bigint) => timestamptzAddInterval(value, span, zone) : (value: bigint) => timestampAddInterval(value, span);
    return {
      ascending,
      // An infinite value plus any interval is itself: the series would repeat it forever
      // (PostgreSQL 15 does); it ends after that value instead.
      next: (value) => {
        try {
          const next = add(value as bigint);
          return next === value ? undefined : next;
        } catch {
          return undefined;
        }
      },
      past: (value, stop) => (ascending ? (value as bigint) > (stop as bigint) : (value as bigint) < (stop as bigint)),
    };
  }
  const one: Datum = type.kind === 'int8' ? 1n : type.kind === 'numeric' ? Numeric.of(1n) : 1;
  const zero: Datum = type.kind === 'int8' ? 0n : type.kind === 'numeric' ? Numeric.zero : 0;
  const by = step ?? one;
  const sign = compareDatums(type, by, zero);
  if (sign === 0) throw new SqlError('22023', 'step size cannot equal zero');
  const ascending = sign > 0;
  return {
    ascending,
    next: (value) => {
      try {
        return arithmetic('+', type, value, by);
      } catch {
        return undefined;
      }
    },
    past: (value, stop) => (ascending ? compareDatums(type, value, stop) > 0 : compareDatums(type, value, stop) < 0),
  };
}

/** The values of a series from `start` to `stop`, lazily. */
export function* seriesValues(start: Datum, stop: Datum, stepper: SeriesStepper): Iterator<Datum> {
  let current: Datum | undefined = start;
  while (current !== undefined && !stepper.past(current, stop)) {
    yield current;
    current = stepper.next(current);
  }
}
