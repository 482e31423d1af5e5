/**
 * PostgreSQL's date-time functions over periods (timestamp.c), beside datetime-functions.ts:
 *
 * - `date_bin(stride, source, origin)` — the start of the stride-wide bin, counted from origin,
 *   that holds source (timestamp and timestamptz; a stride of days and time only).
 * - `date_trunc(unit, interval)` — an interval's fields below the unit zeroed (PostgreSQL's
 *   interval_trunc over interval2itm: years and months split from the months, hours to
 *   microseconds from the time, each truncated toward zero).
 * - `date_trunc(unit, timestamptz, zone)` — date_trunc in a named zone instead of the session's.
 * - `overlaps(s1, e1, s2, e2)`, which the parser makes of `(s1, e1) OVERLAPS (s2, e2)` — the SQL
 *   standard's rule with PostgreSQL's NULL cases (overlaps_timestamp): each period put in order,
 *   then whether either starts inside the other; an end may be an interval after the start.
 *   Dates take the timestamp overloads (date → timestamp is implicit).
 */
import { SqlError } from '../../catalog/errors.js';
import { isFiniteTimestamp, microsPerDay, type Datum, type Interval, interval } from '../../types/datum.js';
import { timestampAddInterval, timestamptzAddInterval } from '../../types/datetime-arithmetic.js';
import { checkTimestamp } from '../../types/datetime-text.js';
import { boolType, intervalType, textType, timestampType, timestamptzType, type SqlType } from '../../types/sql-type.js';
import type { EvalContext } from './compiled.js';
import { dateTruncTimestamptz, decodeUnit, namedZone } from './datetime-functions.js';
import type { FunctionOverload } from './function-overload.js';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const intervalOutOfRange = (): SqlError => new SqlError('22008', 'interval out of range');

/** PostgreSQL 15's timestamp_bin / timestamptz_bin (the same arithmetic on the instant's microseconds). */
export function dateBin(stride: Interval, source: bigint, origin: bigint): bigint {
  if (!isFiniteTimestamp(source)) return source;
  if (!isFiniteTimestamp(origin)) throw new SqlError('22008', 'origin out of range');
  if (stride.months !== 0) throw new SqlError('0A000', 'timestamps cannot be binned into intervals containing months or years');
  const strideMicros = BigInt(stride.days) * microsPerDay + stride.micros;
  if (strideMicros > int64Max || strideMicros < int64Min) throw intervalOutOfRange();
  if (strideMicros <= 0n) throw new SqlError('22008', 'stride must be greater than zero');
  const difference = source - origin;
  if (difference > int64Max || difference < int64Min) throw intervalOutOfRange();
  const modulo = difference % strideMicros; // C's remainder: the sign of the difference
  // Round toward −∞: a source before the origin and not on a bin edge belongs to the bin below.
  const start = origin + difference - modulo - (modulo < 0n ? strideMicros : 0n);
  return checkTimestamp(start);
}

/** The units date_trunc(unit, interval) takes, finest first: truncating to one zeroes every field below it. */
const intervalTruncUnits = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'month', 'quarter', 'year', 'decade', 'century', 'millennium'] as const;

/** Units PostgreSQL's DecodeUnits knows as units but interval_trunc refuses (0A000); the others not in the list are 22023. */
const intervalUnsupportedUnits: ReadonlySet<string> = new Set(['week', 'timezone', 'timezone_hour', 'timezone_minute']);

/** PostgreSQL's interval_trunc. */
export function dateTruncInterval(unit: string, span: Interval): Interval {
  const field = decodeUnit(unit, intervalType);
  const rank = (intervalTruncUnits as readonly string[]).indexOf(field);
  if (rank < 0 && intervalUnsupportedUnits.has(field)) {
    const detail = field === 'week' ? { detail: 'Months usually have fractional weeks.' } : {};
    throw new SqlError('0A000', `unit "${unit.toLowerCase()}" not supported for type interval`, detail);
  }
  if (rank < 0) throw new SqlError('22023', `unit "${unit}" not recognized for type interval`);
  const at = (name: (typeof intervalTruncUnits)[number]): boolean => rank >= intervalTruncUnits.indexOf(name);
  const toward0 = (value: number, step: number): number => Math.trunc(value / step) * step;
  let year = Math.trunc(span.months / 12);
  let month = span.months % 12;
  let days = span.days;
  const hourMicros = 3_600_000_000n;
  let hours = span.micros / hourMicros;
  let minutes = (span.micros % hourMicros) / 60_000_000n;
  let seconds = (span.micros % 60_000_000n) / 1_000_000n;
  let micros = span.micros % 1_000_000n;
  if (at('millennium')) year = toward0(year, 1000);
  if (at('century')) year = toward0(year, 100);
  if (at('decade')) year = toward0(year, 10);
  if (at('year')) month = 0;
  if (at('quarter')) month = toward0(month, 3);
  if (at('month')) days = 0;
  if (at('day')) hours = 0n;
  if (at('hour')) minutes = 0n;
  if (at('minute')) seconds = 0n;
  if (at('second')) micros = 0n;
  if (field === 'milliseconds') micros = (micros / 1000n) * 1000n;
  return interval(year * 12 + month, days, ((hours * 60n + minutes) * 60n + seconds) * 1_000_000n + micros);
}

/**
 * PostgreSQL's overlaps_timestamp over two periods whose ends may be NULL: NULL when a period
 * has no end at all, else true when one period starts inside the other, with NULL where an end
 * that would decide it is missing.
 */
export function overlaps(start1: bigint | null, end1: bigint | null, start2: bigint | null, end2: bigint | null): boolean | null {
  const first = orderedPeriod(start1, end1);
  const second = orderedPeriod(start2, end2);
  if (first === null || second === null) return null;
  if (first.start > second.start) return startsInside(first, second);
  if (first.start < second.start) return startsInside(second, first);
  return first.end === null || second.end === null ? null : true;
}

interface Period {
  readonly start: bigint;
  readonly end: bigint | null;
}

/** A period with its lesser end first; one NULL end leaves the other as the start; both NULL is null. */
function orderedPeriod(start: bigint | null, end: bigint | null): Period | null {
  if (start === null) return end === null ? null : { start: end, end: null };
  if (end === null) return { start, end };
  return start <= end ? { start, end } : { start: end, end: start };
}

/** Whether `later` (which starts after `earlier`) starts before `earlier` ends. */
function startsInside(later: Period, earlier: Period): boolean | null {
  if (earlier.end === null) return null;
  if (later.start < earlier.end) return true;
  return later.end === null ? null : false;
}

function nonStrict(args: readonly SqlType[], impl: FunctionOverload['impl'], immutable: boolean): FunctionOverload {
  return { args, result: boolType, strict: false, immutable, impl };
}

/**
 * The four overloads of overlaps over one timestamp type: (start, end | interval) twice. An
 * interval end is `start + interval` (NULL if either is), as PostgreSQL's SQL-language overloads.
 */
function overlapsOverloads(type: SqlType, add: (start: bigint, span: Interval, ctx: EvalContext) => bigint, immutable: boolean): FunctionOverload[] {
  const endOf = (start: Datum, end: Datum, endType: SqlType, ctx: EvalContext): bigint | null => {
    if (endType.kind !== 'interval') return end as bigint | null;
    return start === null || end === null ? null : add(start as bigint, end as Interval, ctx);
  };
  const ends = [type, intervalType];
  return ends.flatMap((firstEnd) =>
    ends.map((secondEnd) =>
      nonStrict([type, firstEnd, type, secondEnd], ([s1, e1, s2, e2], _types, ctx) => overlaps(s1 as bigint | null, endOf(s1!, e1!, firstEnd, ctx), s2 as bigint | null, endOf(s2!, e2!, secondEnd, ctx)), immutable),
    ),
  );
}

/** The functions above, for functions.ts's table (date_trunc's overloads join datetime-functions.ts's). */
export function datetimePeriodFunctions(): [string, readonly FunctionOverload[]][] {
  const ts = timestampType();
  const tz = timestamptzType();
  const strict = (args: readonly SqlType[], result: SqlType, impl: FunctionOverload['impl']): FunctionOverload => ({ args, result, strict: true, immutable: true, impl });
  return [
    [
      'date_bin',
      [
        strict([intervalType, ts, ts], ts, ([stride, source, origin]) => dateBin(stride as Interval, source as bigint, origin as bigint)),
        strict([intervalType, tz, tz], tz, ([stride, source, origin]) => dateBin(stride as Interval, source as bigint, origin as bigint)),
      ],
    ],
    [
      'overlaps',
      [
        ...overlapsOverloads(ts, (start, span) => timestampAddInterval(start, span), true),
        // timestamptz + interval steps days and months in the session's zone: not immutable.
        ...overlapsOverloads(tz, (start, span, ctx) => timestamptzAddInterval(start, span, ctx.textContext.timeZone), false),
      ],
    ],
  ];
}

/** date_trunc's overloads of this file, appended to datetime-functions.ts's. */
export function dateTruncPeriodOverloads(): FunctionOverload[] {
  return [
    { args: [textType, intervalType], result: intervalType, strict: true, immutable: true, impl: ([unit, span]) => dateTruncInterval(unit as string, span as Interval) },
    {
      args: [textType, timestamptzType(), textType],
      result: timestamptzType(),
      strict: true,
      immutable: true,
      impl: ([unit, value, zone]) => dateTruncTimestamptz(unit as string, value as bigint, namedZone(zone as string)),
    },
  ];
}
