/**
 * PostgreSQL 15's date-time functions (timestamp.c, date.c): `date_trunc`, `extract` /
 * `date_part`, `age`, `make_date`, `make_timestamp`, `make_interval` and `isfinite`.
 *
 * A timestamptz is taken apart in the session's time zone (its local fields), as PostgreSQL does
 * with `session_timezone`; its epoch is the instant's own. `extract` returns numeric (PostgreSQL
 * 14+), `date_part` the same value as float8. Infinite inputs follow PostgreSQL: `date_trunc`
 * returns them unchanged; `extract` gives ±Infinity for the fields that grow with time (year,
 * decade, century, millennium, isoyear, julian, epoch) and NULL for the others.
 * date_bin, date_trunc of an interval or in a named zone, and OVERLAPS are datetime-periods.ts.
 */
import { SqlError } from '../../catalog/errors.js';
import { civilFromDays, daysFromCivil, daysInMonth, splitMicros, timestampFields, type TimestampFields } from '../../types/calendar.js';
import {
  interval,
  isFiniteDate,
  isFiniteTimestamp,
  microsPerDay,
  timestampNegativeInfinity,
  timestampPositiveInfinity,
  unixEpochMicrosBefore2000,
  type Datum,
  type Interval,
} from '../../types/datum.js';
import { checkTimestamp } from '../../types/datetime-text.js';
import { Numeric } from '../../types/numeric.js';
import { fixedTimeZone, localToUtcMicros, offsetSecondsAt, timeZoneFromSetting, type TimeZone } from '../../types/timezone.js';
import {
  boolType,
  dateType,
  float8Type,
  int4Type,
  intervalType,
  numericType,
  textType,
  timestampType,
  timestamptzType,
  type SqlType,
} from '../../types/sql-type.js';
import type { EvalContext } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';
import { toCharFunctions } from './to-char.js';
import { toDate, toTimestamp } from './to-timestamp.js';

type Unit = 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year' | 'decade' | 'century' | 'millennium';
type Field = Unit | 'dow' | 'isodow' | 'doy' | 'epoch' | 'isoyear' | 'julian' | 'timezone' | 'timezone_hour' | 'timezone_minute';

/** The unit spellings PostgreSQL's DecodeUnits accepts (datetktbl's deltatktbl, the common ones). */
const unitAliases: ReadonlyMap<string, Field> = new Map<string, Field>([
  ...['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'useconds'].map((a) => [a, 'microseconds'] as const),
  ...['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'mseconds'].map((a) => [a, 'milliseconds'] as const),
  ...['second', 'seconds', 's', 'sec', 'secs'].map((a) => [a, 'second'] as const),
  ...['minute', 'minutes', 'm', 'min', 'mins'].map((a) => [a, 'minute'] as const),
  ...['hour', 'hours', 'h', 'hr', 'hrs'].map((a) => [a, 'hour'] as const),
  ...['day', 'days', 'd'].map((a) => [a, 'day'] as const),
  ...['week', 'weeks', 'w'].map((a) => [a, 'week'] as const),
  ...['month', 'months', 'mon', 'mons'].map((a) => [a, 'month'] as const),
  ...['quarter', 'qtr'].map((a) => [a, 'quarter'] as const),
  ...['year', 'years', 'y', 'yr', 'yrs'].map((a) => [a, 'year'] as const),
  ...['decade', 'decades', 'dec', 'decs'].map((a) => [a, 'decade'] as const),
  ...['century', 'centuries', 'c', 'cent'].map((a) => [a, 'century'] as const),
  ...['millennium', 'millennia', 'mil', 'mils'].map((a) => [a, 'millennium'] as const),
  ['dow', 'dow'],
  ['isodow', 'isodow'],
  ['doy', 'doy'],
  ['epoch', 'epoch'],
  ['isoyear', 'isoyear'],
  ['julian', 'julian'],
  ['j', 'julian'],
  ['timezone', 'timezone'],
  ['timezone_h', 'timezone_hour'],
  ['timezone_hour', 'timezone_hour'],
  ['timezone_m', 'timezone_minute'],
  ['timezone_minute', 'timezone_minute'],
]);

const truncUnits: ReadonlySet<Field> = new Set<Field>(['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium']);

function typeWords(type: SqlType): string {
  switch (type.kind) {
    case 'timestamp':
      return 'timestamp without time zone';
    case 'timestamptz':
      return 'timestamp with time zone';
    default:
      return type.kind;
  }
}

/** The field a unit's text names, or 22023 as PostgreSQL (`unit "x" not recognized for type …`). */
export function decodeUnit(text: string, type: SqlType): Field {
  const field = unitAliases.get(text.toLowerCase());
  if (field === undefined) throw new SqlError('22023', `unit "${text}" not recognized for type ${typeWords(type)}`);
  return field;
}

function unsupported(text: string, type: SqlType): SqlError {
  return new SqlError('0A000', `unit "${text}" not supported for type ${typeWords(type)}`);
}

function zoneOf(ctx: EvalContext): TimeZone {
  return ctx.textContext.timeZone;
}

function toLocal(utc: bigint, zone: TimeZone): bigint {
  return utc + BigInt(offsetSecondsAt(zone, utc)) * 1_000_000n;
}

/** ISO 8601 week-numbering year and week of a date (days since 2000-01-01). */
function isoWeek(days: number): { isoYear: number; week: number } {
  const { year } = civilFromDays(days);
  const weekOneMonday = (y: number): number => {
    const jan4 = daysFromCivil(y, 1, 4);
    return jan4 - isoDayOfWeek(jan4) + 1;
  };
  let isoYear = year + 1;
  let start = weekOneMonday(isoYear);
  if (days < start) {
    isoYear = year;
    start = weekOneMonday(isoYear);
    if (days < start) {
      isoYear = year - 1;
      start = weekOneMonday(isoYear);
    }
  }
  return { isoYear, week: Math.floor((days - start) / 7) + 1 };
}

/** C's integer division (toward zero), as PostgreSQL's year arithmetic uses it. */
const cdiv = (a: number, b: number): number => Math.trunc(a / b);

/** 1 (Monday) … 7 (Sunday); 2000-01-01 was a Saturday. */
function isoDayOfWeek(days: number): number {
  return ((((days + 5) % 7) + 7) % 7) + 1;
}

/** `date_trunc(unit, timestamp)` over local microseconds. */
function truncLocal(field: Field, local: bigint, text: string, type: SqlType): bigint {
  if (!truncUnits.has(field)) throw unsupported(text, type);
  const { days, timeMicros } = splitMicros(local);
  const f = timestampFields(local);
  const at = (year: number, month: number, day: number): bigint => BigInt(daysFromCivil(year, month, day)) * microsPerDay;
  const dayStart = BigInt(days) * microsPerDay;
  switch (field) {
    case 'microseconds':
      return local;
    case 'milliseconds':
      return dayStart + (timeMicros / 1000n) * 1000n;
    case 'second':
      return dayStart + (timeMicros / 1_000_000n) * 1_000_000n;
    case 'minute':
      return dayStart + (timeMicros / 60_000_000n) * 60_000_000n;
    case 'hour':
      return dayStart + (timeMicros / 3_600_000_000n) * 3_600_000_000n;
    case 'day':
      return dayStart;
    case 'week':
      return BigInt(days - isoDayOfWeek(days) + 1) * microsPerDay;
    case 'month':
      return at(f.year, f.month, 1);
    case 'quarter':
      return at(f.year, 3 * Math.floor((f.month - 1) / 3) + 1, 1);
    case 'year':
      return at(f.year, 1, 1);
    case 'decade':
      return at(f.year > 0 ? cdiv(f.year, 10) * 10 : -cdiv(8 - (f.year - 1), 10) * 10, 1, 1);
    case 'century':
      return at(f.year > 0 ? cdiv(f.year + 99, 100) * 100 - 99 : -cdiv(99 - (f.year - 1), 100) * 100 + 1, 1, 1);
    case 'millennium':
      return at(f.year > 0 ? cdiv(f.year + 999, 1000) * 1000 - 999 : -cdiv(999 - (f.year - 1), 1000) * 1000 + 1, 1, 1);
    default:
      throw unsupported(text, type);
  }
}

function dateTruncTimestamp(unit: string, value: bigint): bigint {
  const field = decodeUnit(unit, timestampType());
  if (!isFiniteTimestamp(value)) return value;
  return truncLocal(field, value, unit, timestampType());
}

export function dateTruncTimestamptz(unit: string, value: bigint, zone: TimeZone): bigint {
  const field = decodeUnit(unit, timestamptzType());
  if (!isFiniteTimestamp(value)) return value;
  const local = truncLocal(field, toLocal(value, zone), unit, timestamptzType());
  // Units of a day or longer land on a local midnight: back to an instant in the zone; shorter
  // units keep the instant's offset (PostgreSQL re-resolves only when it truncated to a day or more).
  return ['microseconds', 'milliseconds', 'second', 'minute', 'hour'].includes(field) ? value - (toLocal(value, zone) - local) : localToUtcMicros(zone, local);
}

const num = (value: bigint | number, scale = 0): Numeric => Numeric.of(typeof value === 'bigint' ? value : BigInt(value), scale);

/** `micros / 10^6` as numeric with scale 6: PostgreSQL's seconds and epochs. */
const seconds6 = (micros: bigint): Numeric => Numeric.of(micros, 6);

/** extract(field FROM timestamp), from local fields; `epochMicros` is the instant's µs since 1970. */
function extractFields(field: Field, local: bigint, epochMicros: bigint, text: string, type: SqlType, zoneOffset: number | undefined): Numeric {
  const f: TimestampFields = timestampFields(local);
  const { days } = splitMicros(local);
  const secMicros = BigInt(f.second) * 1_000_000n + BigInt(f.micros);
  switch (field) {
    case 'microseconds':
      return num(secMicros);
    case 'milliseconds':
      return Numeric.of(secMicros, 3);
    case 'second':
      return seconds6(secMicros);
    case 'minute':
      return num(f.minute);
    case 'hour':
      return num(f.hour);
    case 'day':
      return num(f.day);
    case 'month':
      return num(f.month);
    case 'quarter':
      return num(Math.floor((f.month - 1) / 3) + 1);
    case 'week':
      return num(isoWeek(days).week);
    case 'year':
      return num(f.year > 0 ? f.year : f.year - 1);
    case 'decade':
      return num(f.year >= 0 ? cdiv(f.year, 10) : -cdiv(8 - (f.year - 1), 10));
    case 'century':
      return num(f.year > 0 ? cdiv(f.year + 99, 100) : -cdiv(99 - (f.year - 1), 100));
    case 'millennium':
      return num(f.year > 0 ? cdiv(f.year + 999, 1000) : -cdiv(999 - (f.year - 1), 1000));
    case 'dow':
      return num(isoDayOfWeek(days) % 7);
    case 'isodow':
      return num(isoDayOfWeek(days));
    case 'doy':
      return num(days - daysFromCivil(f.year, 1, 1) + 1);
    case 'isoyear':
      return num(isoWeek(days).isoYear);
    case 'epoch':
      return seconds6(epochMicros);
    case 'julian': {
      // Julian day plus the fraction of the day, scale 0 when the time is midnight (numeric division as PostgreSQL's).
      const timeMicros = local - BigInt(days) * microsPerDay;
      const julian = num(days + 2451545);
      return timeMicros === 0n ? julian : julian.add(Numeric.of(timeMicros, 0).div(Numeric.of(microsPerDay, 0)));
    }
    case 'timezone':
    case 'timezone_hour':
    case 'timezone_minute': {
      if (zoneOffset === undefined) throw unsupported(text, type);
      if (field === 'timezone') return num(zoneOffset);
      return num(field === 'timezone_hour' ? Math.trunc(zoneOffset / 3600) : Math.trunc((zoneOffset % 3600) / 60));
    }
    default:
      throw unsupported(text, type);
  }
}

const growing: ReadonlySet<Field> = new Set<Field>(['year', 'decade', 'century', 'millennium', 'isoyear', 'julian', 'epoch']);

function infiniteField(field: Field, positive: boolean): Numeric | null {
  if (!growing.has(field)) return null;
  return positive ? Numeric.infinity : Numeric.negativeInfinity;
}

function extractTimestamp(unit: string, value: bigint): Numeric | null {
  const field = decodeUnit(unit, timestampType());
  if (!isFiniteTimestamp(value)) return infiniteField(field, value === timestampPositiveInfinity);
  return extractFields(field, value, value + unixEpochMicrosBefore2000, unit, timestampType(), undefined);
}

function extractTimestamptz(unit: string, value: bigint, zone: TimeZone): Numeric | null {
  const field = decodeUnit(unit, timestamptzType());
  if (!isFiniteTimestamp(value)) return infiniteField(field, value === timestampPositiveInfinity);
  const offset = offsetSecondsAt(zone, value);
  return extractFields(field, value + BigInt(offset) * 1_000_000n, value + unixEpochMicrosBefore2000, unit, timestamptzType(), offset);
}

const dateFields: ReadonlySet<Field> = new Set<Field>(['day', 'month', 'quarter', 'week', 'year', 'decade', 'century', 'millennium', 'dow', 'isodow', 'doy', 'isoyear', 'epoch', 'julian']);

/** extract(field FROM date): PostgreSQL 14+'s extract_date (integer answers; no time-of-day fields). */
function extractDate(unit: string, value: number): Numeric | null {
  const field = decodeUnit(unit, dateType);
  if (!dateFields.has(field)) throw unsupported(unit, dateType);
  if (!isFiniteDate(value)) return infiniteField(field, value > 0);
  const local = BigInt(value) * microsPerDay;
  if (field === 'epoch') return num((local + unixEpochMicrosBefore2000) / 1_000_000n);
  return extractFields(field, local, 0n, unit, dateType, undefined);
}

/** extract(field FROM interval): PostgreSQL's interval_part (epoch counts a year as 365.25 days, a month as 30). */
function extractInterval(unit: string, value: Interval): Numeric {
  const field = decodeUnit(unit, intervalType);
  const years = Math.trunc(value.months / 12);
  const months = value.months % 12;
  const micros = value.micros;
  const hourMicros = 3_600_000_000n;
  switch (field) {
    case 'microseconds':
      return num(micros % 60_000_000n);
    case 'milliseconds':
      return Numeric.of(micros % 60_000_000n, 3);
    case 'second':
      return seconds6(micros % 60_000_000n);
    case 'minute':
      return num((micros % hourMicros) / 60_000_000n);
    case 'hour':
      return num(micros / hourMicros);
    case 'day':
      return num(value.days);
    case 'month':
      return num(months);
    case 'quarter':
      return num(Math.trunc(months / 3) + 1);
    case 'year':
      return num(years);
    case 'decade':
      return num(Math.trunc(years / 10));
    case 'century':
      return num(Math.trunc(years / 100));
    case 'millennium':
      return num(Math.trunc(years / 1000));
    case 'epoch': {
      // (years · 365.25 + months · 30 + days) days, in µs: 365.25 days is 31,557,600 s.
      const total = BigInt(years) * 31_557_600_000_000n + BigInt(months) * 30n * microsPerDay + BigInt(value.days) * microsPerDay + micros;
      return seconds6(total);
    }
    default:
      throw unsupported(unit, intervalType);
  }
}

function toFloat8(value: Numeric | null): number | null {
  return value === null ? null : Number(value.toString());
}

/**
 * `age(a, b)`: PostgreSQL's timestamp_age — the field-by-field difference of the two local
 * times, negative fields borrowed from the next larger one (a day borrows the length of the
 * month it falls in), in years, months, days and time.
 */
function age(left: bigint, right: bigint): Interval {
  if (!isFiniteTimestamp(left) || !isFiniteTimestamp(right)) throw new SqlError('22008', 'timestamp out of range');
  const a = timestampFields(left);
  const b = timestampFields(right);
  const flip = left < right;
  const sign = flip ? -1 : 1;
  let fsec = (a.micros - b.micros) * sign;
  let sec = (a.second - b.second) * sign;
  let min = (a.minute - b.minute) * sign;
  let hour = (a.hour - b.hour) * sign;
  let mday = (a.day - b.day) * sign;
  let mon = (a.month - b.month) * sign;
  let year = (a.year - b.year) * sign;
  while (fsec < 0) {
    fsec += 1_000_000;
    sec--;
  }
  while (sec < 0) {
    sec += 60;
    min--;
  }
  while (min < 0) {
    min += 60;
    hour--;
  }
  while (hour < 0) {
    hour += 24;
    mday--;
  }
  const borrowFrom = flip ? a : b;
  while (mday < 0) {
    mday += daysInMonth(borrowFrom.year, borrowFrom.month);
    mon--;
  }
  while (mon < 0) {
    mon += 12;
    year--;
  }
  const micros = BigInt(((hour * 60 + min) * 60 + sec) * sign) * 1_000_000n + BigInt(fsec * sign);
  return interval((year * 12 + mon) * sign, mday * sign, micros);
}

function makeDate(year: number, month: number, day: number): number {
  const bad = (): SqlError => new SqlError('22008', `date field value out of range: ${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  if (year === 0 || month < 1 || month > 12 || day < 1) throw bad();
  const civilYear = year < 0 ? year + 1 : year; // 1 BC is year 0 of the proleptic calendar
  if (day > daysInMonth(civilYear, month)) throw bad();
  return daysFromCivil(civilYear, month, day);
}

function makeTimestamp(year: number, month: number, day: number, hour: number, minute: number, second: number): bigint {
  const days = makeDate(year, month, day);
  if (hour < 0 || hour > 24 || minute < 0 || minute > 59 || !(second >= 0) || second > 60 || (hour === 24 && (minute > 0 || second > 0))) {
    throw new SqlError('22008', `time field value out of range: ${hour}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`);
  }
  const micros = BigInt(Math.round(second * 1e6)) + BigInt(minute) * 60_000_000n + BigInt(hour) * 3_600_000_000n;
  return checkTimestamp(BigInt(days) * microsPerDay + micros);
}

/**
 * The zone `AT TIME ZONE 'name'` / timezone(name, …) names: a zone name or a POSIX-style offset,
 * as SET TimeZone reads it; 22023 `time zone "…" not recognized` otherwise (PostgreSQL's).
 */
export function namedZone(name: string): TimeZone {
  // A bare number is a POSIX offset here (west positive: '+05' is UTC−5), not SET's hours east.
  const posixHours = /^\s*([+-]?)(\d{1,2})\s*$/.exec(name);
  if (posixHours !== null) return fixedTimeZone((posixHours[1] === '-' ? 1 : -1) * Number(posixHours[2]) * 3600, name.trim());
  try {
    return timeZoneFromSetting(name);
  } catch {
    throw new SqlError('22023', `time zone "${name}" not recognized`);
  }
}

/** `AT TIME ZONE interval`: the interval is the offset east of UTC, and may hold only a time. */
function intervalZoneMicros(zone: Interval): bigint {
  if (zone.months !== 0 || zone.days !== 0) throw new SqlError('22023', 'interval time zone must not include months or days');
  return zone.micros;
}

/** A timestamp's infinities stay infinite through a zone conversion. */
function finiteOr(value: bigint, convert: (finite: bigint) => bigint): bigint {
  return isFiniteTimestamp(value) ? checkTimestamp(convert(value)) : value;
}

/** to_timestamp(seconds since 1970-01-01 UTC): PostgreSQL's float8_timestamptz (rint to µs; NaN 22008; ±Infinity infinite). */
function timestamptzFromEpoch(seconds: number): bigint {
  if (Number.isNaN(seconds)) throw new SqlError('22008', 'timestamp cannot be NaN');
  if (seconds === Infinity) return timestampPositiveInfinity;
  if (seconds === -Infinity) return timestampNegativeInfinity;
  const micros = (seconds - Number(unixEpochMicrosBefore2000 / 1_000_000n)) * 1e6;
  if (!Number.isFinite(micros) || Math.abs(micros) > 9.3e18) throw new SqlError('22008', `timestamp out of range: "${seconds}"`);
  let rounded = Math.round(micros);
  if (Math.abs(micros % 1) === 0.5 && rounded % 2 !== 0) rounded -= 1; // rint: half to even
  try {
    return checkTimestamp(BigInt(rounded));
  } catch {
    throw new SqlError('22008', `timestamp out of range: "${seconds}"`);
  }
}

const daysPerMonth = 30;

/** justify_hours: whole 24-hour spans of the time become days, the signs of days and time agreeing. */
function justifyHours(span: Interval): Interval {
  let days = span.days;
  let time = span.micros;
  const wholeDays = time / microsPerDay;
  time -= wholeDays * microsPerDay;
  days += Number(wholeDays);
  if (days > 0 && time < 0n) {
    time += microsPerDay;
    days--;
  } else if (days < 0 && time > 0n) {
    time -= microsPerDay;
    days++;
  }
  return interval(span.months, days, time);
}

/** justify_days: whole 30-day spans become months, the signs of months and days agreeing. */
function justifyDays(span: Interval): Interval {
  let months = span.months;
  let days = span.days;
  const wholeMonths = Math.trunc(days / daysPerMonth);
  days -= wholeMonths * daysPerMonth;
  months += wholeMonths;
  if (months > 0 && days < 0) {
    days += daysPerMonth;
    months--;
  } else if (months < 0 && days > 0) {
    days -= daysPerMonth;
    months++;
  }
  return interval(months, days, span.micros);
}

/** justify_interval: both, with every part's sign agreeing (PostgreSQL's interval_justify_interval). */
function justifyInterval(span: Interval): Interval {
  let months = span.months;
  let days = span.days;
  let time = span.micros;
  if ((days > 0 && time > 0n) || (days < 0 && time < 0n)) {
    const wholeMonths = Math.trunc(days / daysPerMonth);
    days -= wholeMonths * daysPerMonth;
    months += wholeMonths;
  }
  const wholeDays = time / microsPerDay;
  time -= wholeDays * microsPerDay;
  days += Number(wholeDays);
  const wholeMonths = Math.trunc(days / daysPerMonth);
  days -= wholeMonths * daysPerMonth;
  months += wholeMonths;
  if (months > 0 && (days < 0 || (days === 0 && time < 0n))) {
    days += daysPerMonth;
    months--;
  } else if (months < 0 && (days > 0 || (days === 0 && time > 0n))) {
    days -= daysPerMonth;
    months++;
  }
  if (days > 0 && time < 0n) {
    time += microsPerDay;
    days--;
  } else if (days < 0 && time > 0n) {
    time -= microsPerDay;
    days++;
  }
  return interval(months, days, time);
}

/** make_interval(years, months, weeks, days, hours, mins, secs), every argument defaulting to 0. */
function makeInterval(args: readonly Datum[]): Interval {
  const [years = 0, months = 0, weeks = 0, days = 0, hours = 0, mins = 0] = args.slice(0, 6) as number[];
  const secs = (args[6] as number | undefined) ?? 0;
  if (!Number.isFinite(secs)) throw new SqlError('22008', 'interval out of range');
  const micros = BigInt(hours) * 3_600_000_000n + BigInt(mins) * 60_000_000n + BigInt(Math.round(secs * 1e6));
  return interval(years * 12 + months, weeks * 7 + days, micros);
}

function strict(args: readonly SqlType[], result: SqlType, impl: FunctionOverload['impl'], immutable = true): FunctionOverload {
  return { args, result, strict: true, immutable, impl };
}

/** `overload` with PostgreSQL's parameter names (and the defaults of its last parameters), for named calls. */
function named(overload: FunctionOverload, names: readonly string[], defaults: readonly Datum[] = []): FunctionOverload {
  return { ...overload, params: { names, defaults } };
}

/** The date-time functions, for functions.ts's table. */
export function datetimeFunctions(): [string, readonly FunctionOverload[]][] {
  const ts = timestampType();
  const tz = timestamptzType();
  const extractOverloads = (wrap: (value: Numeric | null) => Datum, result: SqlType): FunctionOverload[] => [
    strict([textType, tz], result, ([u, v], _t, ctx) => wrap(extractTimestamptz(u as string, v as bigint, zoneOf(ctx))), false),
    strict([textType, ts], result, ([u, v]) => wrap(extractTimestamp(u as string, v as bigint))),
    strict([textType, dateType], result, ([u, v]) => wrap(extractDate(u as string, v as number))),
    strict([textType, intervalType], result, ([u, v]) => wrap(extractInterval(u as string, v as Interval))),
  ];
  const intervalArgs = [int4Type, int4Type, int4Type, int4Type, int4Type, int4Type, float8Type];
  return [
    [
      'date_trunc',
      [
        strict([textType, tz], tz, ([u, v], _t, ctx) => dateTruncTimestamptz(u as string, v as bigint, zoneOf(ctx)), false),
        strict([textType, ts], ts, ([u, v]) => dateTruncTimestamp(u as string, v as bigint)),
      ],
    ],
    ['extract', extractOverloads((value) => value, numericType())],
    ['date_part', extractOverloads(toFloat8, float8Type)],
    ['age', [strict([tz, tz], intervalType, ([a, b], _t, ctx) => age(toLocal(a as bigint, zoneOf(ctx)), toLocal(b as bigint, zoneOf(ctx))), false), strict([ts, ts], intervalType, ([a, b]) => age(a as bigint, b as bigint))]],
    ['make_date', [named(strict([int4Type, int4Type, int4Type], dateType, ([y, m, d]) => makeDate(y as number, m as number, d as number)), ['year', 'month', 'day'])]],
    [
      'make_timestamp',
      [
        named(
          strict([int4Type, int4Type, int4Type, int4Type, int4Type, float8Type], ts, ([y, mo, d, h, mi, s]) => makeTimestamp(y as number, mo as number, d as number, h as number, mi as number, s as number)),
          ['year', 'month', 'mday', 'hour', 'min', 'sec'],
        ),
      ],
    ],
    [
      'make_timestamptz',
      [
        named(
          strict([int4Type, int4Type, int4Type, int4Type, int4Type, float8Type], tz, ([y, mo, d, h, mi, s], _t, ctx) => checkTimestamp(localToUtcMicros(zoneOf(ctx), makeTimestamp(y as number, mo as number, d as number, h as number, mi as number, s as number))), false),
          ['year', 'month', 'mday', 'hour', 'min', 'sec'],
        ),
        named(
          strict([int4Type, int4Type, int4Type, int4Type, int4Type, float8Type, textType], tz, ([y, mo, d, h, mi, s, zone]) => checkTimestamp(localToUtcMicros(namedZone(zone as string), makeTimestamp(y as number, mo as number, d as number, h as number, mi as number, s as number)))),
          ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'],
        ),
      ],
    ],
    [
      // `ts AT TIME ZONE zone`: a timestamptz as the zone's wall clock reads it (a timestamp), a
      // timestamp read as the zone's wall clock (a timestamptz).
      'timezone',
      [
        strict([textType, tz], ts, ([zone, v]) => finiteOr(v as bigint, (utc) => toLocal(utc, namedZone(zone as string)))),
        strict([textType, ts], tz, ([zone, v]) => finiteOr(v as bigint, (local) => localToUtcMicros(namedZone(zone as string), local))),
        strict([intervalType, tz], ts, ([zone, v]) => finiteOr(v as bigint, (utc) => utc + intervalZoneMicros(zone as Interval))),
        strict([intervalType, ts], tz, ([zone, v]) => finiteOr(v as bigint, (local) => local - intervalZoneMicros(zone as Interval))),
      ],
    ],
    ['justify_hours', [strict([intervalType], intervalType, ([v]) => justifyHours(v as Interval))]],
    ['justify_days', [strict([intervalType], intervalType, ([v]) => justifyDays(v as Interval))]],
    ['justify_interval', [strict([intervalType], intervalType, ([v]) => justifyInterval(v as Interval))]],
    [
      'make_interval',
      // One overload per prefix for positional calls; the full one carries PostgreSQL's names
      // and defaults (every field 0) for named calls: make_interval(days => 10).
      intervalArgs
        .map((_, index) => strict(intervalArgs.slice(0, index + 1), intervalType, (args) => makeInterval(args)))
        .map((overload, index) => (index === intervalArgs.length - 1 ? named(overload, ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'], [0, 0, 0, 0, 0, 0, 0]) : overload))
        .concat([strict([], intervalType, () => makeInterval([]))]),
    ],
    [
      'isfinite',
      [
        strict([tz], boolType, ([v]) => isFiniteTimestamp(v as bigint)),
        strict([ts], boolType, ([v]) => isFiniteTimestamp(v as bigint)),
        strict([dateType], boolType, ([v]) => isFiniteDate(v as number)),
        strict([intervalType], boolType, () => true),
      ],
    ],
    ...toCharFunctions(),
    // to_char's inverses (to-timestamp.ts): to_timestamp reads in the session's zone, so not immutable.
    [
      'to_timestamp',
      [
        strict([textType, textType], tz, ([input, template], _t, ctx) => toTimestamp(input as string, template as string, zoneOf(ctx)), false),
        strict([float8Type], tz, ([seconds]) => timestamptzFromEpoch(seconds as number)),
      ],
    ],
    ['to_date', [strict([textType, textType], dateType, ([input, template]) => toDate(input as string, template as string))]],
  ];
}
