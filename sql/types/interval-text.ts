/**
 * interval text I/O as PostgreSQL 15 with `IntervalStyle = 'postgres'`.
 *
 * Output (`EncodeInterval`): `1 year 2 mons 3 days 04:05:06.5`, `-1 days +02:00:00`,
 * `00:00:00` — years and months from the month count, each nonzero field with its sign (a `+`
 * after a negative field), the time as `[-]HH:MM:SS[.frac]` with hours unbounded.
 *
 * Input (`DecodeInterval`, the common part): `@`, numbers with units (`1 year`, `2 mons`,
 * `3.5 days`, `10s`, `1 week`, `2 decades`, …), a time `[-]H:M[:S[.frac]]`, a lone number as
 * seconds (days before a time: `3 4:05:06`), SQL-standard `1-2` (years-months), `ago`; each field
 * at most once; ISO 8601 designators (`P1Y2M3DT4H5M6.5S`) and its alternative form
 * (`P0001-02-03T04:05:06`). Fractions cascade down as in
 * PostgreSQL: `1.5 years` = 1 year 6 mons, `1.5 mons` = 1 mon 15 days, `1.5 days` = 1 day 12:00:00.
 */
import { int32Max, int32Min, int64Max, int64Min, interval, microsPerDay, microsPerHour, microsPerMinute, microsPerSecond, type Interval } from './datum.js';
import { IntervalFieldOverflowError, InvalidDatetimeFormatError } from './errors.js';

// ─── output ──────────────────────────────────────────────────────────────────────────────────

function pad2(value: bigint): string {
  return value.toString().padStart(2, '0');
}

/** PostgreSQL's `interval_out` (IntervalStyle postgres). */
export function formatInterval(value: Interval): string {
  const parts: string[] = [];
  let isBefore = false;
  const addPart = (count: number, unit: string): void => {
    if (count === 0) return;
    parts.push(`${isBefore && count > 0 ? '+' : ''}${count} ${unit}${count !== 1 ? 's' : ''}`);
    isBefore = count < 0;
  };
  addPart(Math.trunc(value.months / 12), 'year');
  addPart(value.months % 12, 'mon');
  addPart(value.days, 'day');
  if (parts.length === 0 || value.micros !== 0n) {
    const negative = value.micros < 0n;
    const magnitude = negative ? -value.micros : value.micros;
    const hours = magnitude / microsPerHour;
    const minutes = (magnitude / microsPerMinute) % 60n;
    const seconds = (magnitude / microsPerSecond) % 60n;
    const fraction = Number(magnitude % microsPerSecond);
    const fractionText = fraction === 0 ? '' : `.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
    parts.push(`${negative ? '-' : isBefore ? '+' : ''}${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}${fractionText}`);
  }
  return parts.join(' ');
}

// ─── input ───────────────────────────────────────────────────────────────────────────────────

/** Accumulates fields as PostgreSQL's `pg_itm_in` does, with fractions cascading down. */
class IntervalBuilder {
  months = 0;
  days = 0;
  micros = 0n;

  addYears(value: number, scale: number): void {
    const whole = Math.trunc(value);
    this.months += whole * scale * 12 + Math.round(roundHalfEvenSafe((value - whole) * scale * 12));
  }

  addMonths(value: number): void {
    const whole = Math.trunc(value);
    this.months += whole;
    this.addDays((value - whole) * 30);
  }

  addDays(value: number): void {
    const whole = Math.trunc(value);
    this.days += whole;
    this.addMicros(value - whole, microsPerDay);
  }

  addMicros(value: number, unitMicros: bigint): void {
    const whole = Math.trunc(value);
    this.micros += BigInt(whole) * unitMicros + BigInt(roundHalfEvenSafe((value - whole) * Number(unitMicros)));
  }
}

/** C's `rint`: round half to even. */
function roundHalfEvenSafe(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

type UnitAdder = (builder: IntervalBuilder, value: number) => void;

const units: ReadonlyArray<readonly [RegExp, UnitAdder]> = [
  [/^(microseconds?|usecs?|us)$/, (b, v) => b.addMicros(v, 1n)],
  [/^(milliseconds?|msecs?|ms)$/, (b, v) => b.addMicros(v, 1000n)],
  [/^(seconds?|secs?|s)$/, (b, v) => b.addMicros(v, microsPerSecond)],
  [/^(minutes?|mins?|m)$/, (b, v) => b.addMicros(v, microsPerMinute)],
  [/^(hours?|hrs?|h)$/, (b, v) => b.addMicros(v, microsPerHour)],
  [/^(days?|d)$/, (b, v) => b.addDays(v)],
  [/^(weeks?|w)$/, (b, v) => b.addDays(v * 7)],
  [/^(months?|mons?)$/, (b, v) => b.addMonths(v)],
  [/^(years?|yrs?|y)$/, (b, v) => b.addYears(v, 1)],
  [/^(decades?|decs?)$/, (b, v) => b.addYears(v, 10)],
  [/^(century|centuries|cent|c)$/, (b, v) => b.addYears(v, 100)],
  [/^(millenniums?|millennia|mils?)$/, (b, v) => b.addYears(v, 1000)],
];

const tokenPattern = /\s*(?:([+-]?\d+):(\d+)(?::(\d+(?:\.\d*)?))?|([+-]?)(\d+)-(\d+)(?![\d:])|([+-]?(?:\d+\.?\d*|\.\d+))\s*([a-z]+)?|(ago)|(@))/iy;

function syntaxError(text: string): InvalidDatetimeFormatError {
  return new InvalidDatetimeFormatError(`invalid input syntax for type interval: "${text}"`);
}

/** PostgreSQL's `interval_in` (see the header for what is read). */
export function parseInterval(text: string): Interval {
  const trimmed = text.trim();
  if (/^P\d+-/i.test(trimmed)) return parseIsoAlternativeInterval(trimmed, text);
  if (/^P/i.test(trimmed)) return parseIsoInterval(trimmed, text);
  const builder = new IntervalBuilder();
  // Each field may appear once (PostgreSQL's field mask): `1 2` and `1 day 2 days` are errors.
  const seen = new Set<string>();
  const claim = (field: string): void => {
    if (seen.has(field)) throw syntaxError(text);
    seen.add(field);
  };
  let ago = false;
  let tokens = 0;
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < trimmed.length) {
    const match = tokenPattern.exec(trimmed);
    if (match === null) throw syntaxError(text);
    tokens++;
    if (match[10] !== undefined) continue;
    if (match[9] !== undefined) {
      ago = true;
      continue;
    }
    if (match[1] !== undefined) {
      claim('time');
      for (const field of seen) if (/^\^\((seconds|minutes|hours)/.test(field)) throw syntaxError(text);
      addTime(builder, match[1], match[2]!, match[3], text);
      continue;
    }
    if (match[5] !== undefined) {
      claim('year-month');
      // SQL-standard year-month: `1-2` is 1 year 2 months.
      const months = Number(match[5]) * 12 + Number(match[6]);
      builder.months += match[4] === '-' ? -months : months;
      continue;
    }
    const value = Number(match[7]);
    // A bare number before a time field is days (`3 4:05:06`), else seconds (`5`).
    const defaultUnit = /^\s*[+-]?\d+:/.test(trimmed.slice(tokenPattern.lastIndex)) ? 'days' : 'seconds';
    const unitWord = (match[8] ?? defaultUnit).toLowerCase();
    const unit = units.find(([pattern]) => pattern.test(unitWord));
    if (unit === undefined) throw syntaxError(text);
    claim(unit[0].source);
    if (unit[0].source.startsWith('^(seconds') || unit[0].source.startsWith('^(minutes') || unit[0].source.startsWith('^(hours')) {
      if (seen.has('time')) throw syntaxError(text);
    }
    unit[1](builder, value);
  }
  if (tokens === 0) throw syntaxError(text);
  return finish(builder, ago, text);
}

function addTime(builder: IntervalBuilder, hoursText: string, minutesText: string, secondsText: string | undefined, text: string): void {
  const negative = hoursText.startsWith('-');
  const minutes = Number(minutesText);
  const seconds = Number(secondsText ?? 0);
  if (minutes > 59 || seconds >= 60) throw new IntervalFieldOverflowError(`interval field value out of range: "${text}"`);
  const [whole, fraction = ''] = (secondsText ?? '0').split('.') as [string, string?];
  const fractionMicros = BigInt(roundHalfEvenSafe(Number(`0.${fraction || '0'}`) * 1e6));
  const magnitude = BigInt(hoursText.replace(/^[+-]/, '')) * microsPerHour + BigInt(minutes) * microsPerMinute + BigInt(whole) * microsPerSecond + fractionMicros;
  builder.micros += negative ? -magnitude : magnitude;
}

/** ISO 8601's alternative format: `P0001-02-03T04:05:06`. */
function parseIsoAlternativeInterval(trimmed: string, text: string): Interval {
  const match = /^P(\d+)-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d*)?))?$/i.exec(trimmed);
  if (match === null) throw syntaxError(text);
  const builder = new IntervalBuilder();
  builder.addYears(Number(match[1]), 1);
  builder.addMonths(Number(match[2]));
  builder.addDays(Number(match[3]));
  if (match[4] !== undefined) addTime(builder, match[4], match[5]!, match[6], text);
  return finish(builder, false, text);
}

const isoPattern = /^()P(?:([+-]?[\d.]+)Y)?(?:([+-]?[\d.]+)M)?(?:([+-]?[\d.]+)W)?(?:([+-]?[\d.]+)D)?(?:T(?:([+-]?[\d.]+)H)?(?:([+-]?[\d.]+)M)?(?:([+-]?[\d.]+)S)?)?$/i;

function parseIsoInterval(trimmed: string, text: string): Interval {
  const match = isoPattern.exec(trimmed);
  if (match === null || trimmed.length <= 1 || /T$/i.test(trimmed)) throw syntaxError(text);
  const builder = new IntervalBuilder();
  const field = (index: number): number => {
    const value = Number(match[index] ?? 0);
    if (Number.isNaN(value)) throw syntaxError(text);
    return value;
  };
  builder.addYears(field(2), 1);
  builder.addMonths(field(3));
  builder.addDays(field(4) * 7);
  builder.addDays(field(5));
  builder.addMicros(field(6), microsPerHour);
  builder.addMicros(field(7), microsPerMinute);
  builder.addMicros(field(8), microsPerSecond);
  return finish(builder, match[1] === '-', text);
}

function finish(builder: IntervalBuilder, negate: boolean, text: string): Interval {
  const sign = negate ? -1 : 1;
  const months = builder.months * sign;
  const days = builder.days * sign;
  const micros = builder.micros * BigInt(sign);
  if (months < int32Min || months > int32Max || days < int32Min || days > int32Max || micros < int64Min || micros > int64Max) {
    throw new IntervalFieldOverflowError(`interval field value out of range: "${text}"`);
  }
  return interval(months + 0, days + 0, micros);
}
