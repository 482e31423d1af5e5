/**
 * Calendar arithmetic on PostgreSQL's terms: Julian day numbers (`date2j`/`j2date`, copied in
 * spirit from `datetime.c` so leap years, 1 BC = year 0, and the proleptic Gregorian calendar
 * match exactly), and splitting microsecond timestamps into fields and back.
 */
import { assert } from '../../src/base/assert.js';
import { microsPerDay, postgresEpochJulianDay } from './datum.js';

/** PostgreSQL's `date2j`: the Julian day of year/month/day (year 0 = 1 BC). */
export function date2j(year: number, month: number, day: number): number {
  let y = year;
  let m = month;
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  const century = Math.trunc(y / 100);
  let julian = y * 365 - 32167;
  julian += Math.trunc(y / 4) - century + Math.trunc(century / 4);
  julian += Math.trunc((7834 * m) / 256) + day;
  return julian;
}

/** PostgreSQL's `j2date`. */
export function j2date(julianDay: number): { year: number; month: number; day: number } {
  let julian = julianDay + 32044;
  let quad = Math.trunc(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.trunc(extra / 146097);
  quad = Math.trunc(julian / 1461);
  julian -= quad * 1461;
  let y = Math.trunc((julian * 4) / 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const year = y - 4800;
  quad = Math.trunc((julian * 2141) / 65536);
  const day = julian - Math.trunc((7834 * quad) / 256);
  const month = ((quad + 10) % 12) + 1;
  return { year, month, day };
}

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  assert(month >= 1 && month <= 12, () => `bad month ${month}`);
  return month === 2 && isLeapYear(year) ? 29 : monthDays[month - 1]!;
}

/** Days since 2000-01-01 of a calendar date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  return date2j(year, month, day) - postgresEpochJulianDay;
}

/** The calendar date of days since 2000-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  return j2date(days + postgresEpochJulianDay);
}

/** Floor division of microseconds into whole days and the microseconds into the day (≥ 0). */
export function splitMicros(micros: bigint): { days: number; timeMicros: bigint } {
  let days = micros / microsPerDay;
  let timeMicros = micros - days * microsPerDay;
  if (timeMicros < 0n) {
    days -= 1n;
    timeMicros += microsPerDay;
  }
  return { days: Number(days), timeMicros };
}

export interface TimestampFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly micros: number;
}

/** A timestamp's fields (no time zone applied). */
export function timestampFields(micros: bigint): TimestampFields {
  const { days, timeMicros } = splitMicros(micros);
  const { year, month, day } = civilFromDays(days);
  const time = Number(timeMicros);
  const secondsOfDay = Math.floor(time / 1_000_000);
  return {
    year,
    month,
    day,
    hour: Math.floor(secondsOfDay / 3600),
    minute: Math.floor(secondsOfDay / 60) % 60,
    second: secondsOfDay % 60,
    micros: time % 1_000_000,
  };
}
