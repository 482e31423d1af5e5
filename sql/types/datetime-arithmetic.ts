/**
 * Date and time arithmetic as PostgreSQL: `date ± int4` (days), `date − date` (int4 days),
 * `timestamp[tz] ± interval` (months first, clamping the day to the month's end, then days —
 * in the session zone's local time for timestamptz, across DST — then microseconds),
 * `timestamp[tz] − timestamp[tz]` (an interval with whole 24-hour days moved into days, as
 * `interval_justify_hours`). Infinite dates and timestamps stay infinite.
 */
import { civilFromDays, daysFromCivil, daysInMonth, splitMicros } from './calendar.js';
import { checkTimestamp } from './datetime-text.js';
import {
  dateEndDays,
  dateMinDays,
  isFiniteDate,
  isFiniteTimestamp,
  microsPerDay,
  type Interval,
} from './datum.js';
import { checkInterval } from './arithmetic.js';
import { DatetimeFieldOverflowError } from './errors.js';
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
