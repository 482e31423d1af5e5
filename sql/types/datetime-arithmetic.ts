/**
 * Date and time arithmetic as PostgreSQL: `date ± int4` (days), `date − date` (int4 days),
 * `timestamp[tz] ± interval` (months first, clamping the day to the month's end, then days —
 * in the session zone's local time for timestamptz, across DST — then microseconds),
 * `timestamp[tz] − timestamp[tz]` (an interval with whole 24-hour days moved into days, as
 * `interval_justify_hours`), `interval × float8` and `interval ÷ float8`, `date ± interval` (a
 * timestamp). Infinite dates and timestamps stay infinite.
 */
import { civilFromDays, daysFromCivil, daysInMonth, splitMicros } from './calendar.js';
import { checkTimestamp } from './datetime-text.js';
import {
  dateEndDays,
  dateMinDays,
  isFiniteDate,
  isFiniteTimestamp,
  microsPerDay,
  timestampNegativeInfinity,
  timestampPositiveInfinity,
  type Interval,
} from './datum.js';
import { checkInterval } from './arithmetic.js';
import { DatetimeFieldOverflowError, DivisionByZeroError } from './errors.js';
import { localToUtcMicros, offsetSecondsAt, type TimeZone } from './timezone.js';

/** `date + days` (use a negative count for `-`). */
export function dateAddDays(date: number, days: number): number {
  if (!isFiniteDate(date)) return date;
  const result = date + days;
  if (result < dateMinDays || result >= dateEndDays) throw new DatetimeFieldOverflowError('date out of range');
  return result;
}

/** `date − date`: days between; 22008 for infinite dates. */
export function dateDifference(left: number, right: number): number {
  if (!isFiniteDate(left) || !isFiniteDate(right)) throw new DatetimeFieldOverflowError('cannot subtract infinite dates');
  return left - right;
}

function addMonthsLocal(localMicros: bigint, months: number): bigint {
  const { days, timeMicros } = splitMicros(localMicros);
  const date = civilFromDays(days);
  const monthIndex = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  const day = Math.min(date.day, daysInMonth(year, month));
  return BigInt(daysFromCivil(year, month, day)) * microsPerDay + timeMicros;
}

/** `timestamp + interval` (no time zone). */
export function timestampAddInterval(timestamp: bigint, span: Interval): bigint {
  if (!isFiniteTimestamp(timestamp)) return timestamp;
  let result = timestamp;
  if (span.months !== 0) result = addMonthsLocal(result, span.months);
  result += BigInt(span.days) * microsPerDay + span.micros;
  return checkTimestamp(result);
}

/** `timestamptz + interval`: months and days in `zone`'s local time, then the microseconds. */
export function timestamptzAddInterval(timestamp: bigint, span: Interval, zone: TimeZone): bigint {
  if (!isFiniteTimestamp(timestamp)) return timestamp;
  let result = timestamp;
  if (span.months !== 0 || span.days !== 0) {
    const local = result + BigInt(offsetSecondsAt(zone, result)) * 1_000_000n;
    const shifted = addMonthsLocal(local, span.months) + BigInt(span.days) * microsPerDay;
    result = localToUtcMicros(zone, shifted);
  }
  return checkTimestamp(result + span.micros);
}

/** `timestamp − timestamp` (either flavor): an interval of days and microseconds. */
export function timestampDifference(left: bigint, right: bigint): Interval {
  if (!isFiniteTimestamp(left) || !isFiniteTimestamp(right)) throw new DatetimeFieldOverflowError('cannot subtract infinite timestamps');
  const micros = left - right;
  const days = micros / microsPerDay;
  return checkInterval(0, Number(days), micros - days * microsPerDay);
}

/** PostgreSQL's TSROUND: round to microsecond precision, half to even (`rint`). */
function roundToMicros(value: number): number {
  return roundHalfEven(value * 1e6) / 1e6;
}

/** C's `rint`. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

function fitsInt32(value: number): boolean {
  return Number.isFinite(value) && value >= -2147483648 && value <= 2147483647;
}

/**
 * `interval * float8` and `interval / float8` as PostgreSQL 15's `interval_mul`/`interval_div`:
 * each field scaled in double precision, fractional months cascading into days (30 per month)
 * and fractional days into seconds, rounded to the microsecond. 22008 `interval out of range`
 * on overflow, 22012 for a division by zero.
 */
export function intervalScale(span: Interval, factor: number, divide: boolean): Interval {
  if (divide && factor === 0) throw new DivisionByZeroError();
  const scale = (value: number): number => (divide ? value / factor : value * factor);
  const monthsExact = scale(span.months);
  const daysExact = scale(span.days);
  if (!fitsInt32(monthsExact) || !fitsInt32(daysExact)) throw new DatetimeFieldOverflowError('interval out of range');
  const months = Math.trunc(monthsExact);
  let days = Math.trunc(daysExact);
  const monthRemainderDays = roundToMicros((monthsExact - months) * 30);
  let secondRemainder = roundToMicros((daysExact - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400);
  if (Math.abs(secondRemainder) >= 86400) {
    days += Math.trunc(secondRemainder / 86400);
    secondRemainder -= Math.trunc(secondRemainder / 86400) * 86400;
  }
  days += Math.trunc(monthRemainderDays);
  const micros = roundHalfEven(scale(Number(span.micros)) + secondRemainder * 1e6);
  if (!Number.isFinite(micros) || Math.abs(micros) >= 9.223372036854775807e18) throw new DatetimeFieldOverflowError('interval out of range');
  return checkInterval(months, days, BigInt(micros));
}

/** `date + interval` (and `date - interval` with a negated interval): a timestamp. */
export function dateAddInterval(date: number, span: Interval): bigint {
  if (!isFiniteDate(date)) return date > 0 ? timestampPositiveInfinity : timestampNegativeInfinity;
  return timestampAddInterval(BigInt(date) * microsPerDay, span);
}
