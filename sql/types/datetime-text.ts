/**
 * date, timestamp and timestamptz text I/O as PostgreSQL 15 with `DateStyle = 'ISO, MDY'`.
 *
 * Output: `2000-01-31`, `2000-01-31 13:45:00.25`, `2000-01-31 13:45:00.25+05:30`, `0044-03-15 BC`,
 * `infinity`, `-infinity` — years at least 4 digits, fractional seconds without trailing zeros,
 * the offset as short as it can be (`+00`, `+05:30`, `+00:19:32`).
 *
 * Input (the common part of PostgreSQL's liberal grammar): ISO `Y-M-D` (`M-D-Y` when the first
 * field has one or two digits: DateStyle MDY), `M/D/Y`, compact `YYYYMMDD`, month names
 * (`Jan 8, 1999`, `8 January 1999`, `1999-Jan-08`, `Sat Jan 08 12:00:00 1999`), an optional
 * time `H:M[:S[.frac]]` after a blank or `T` with `AM`/`PM`, an optional zone (`Z`, `UTC`,
 * `+05`, `-08:00`, `+0530`, an IANA name) and `BC`/`AD`; the special words `infinity`,
 * `-infinity`, `epoch`, and — given `now` — `now`, `today`, `tomorrow`, `yesterday`. Time zone
 * abbreviations other than UTC/GMT/Z (`PST`, `CET`) are not read yet.
 */
import { daysFromCivil, daysInMonth, civilFromDays, splitMicros, timestampFields } from './calendar.js';
import {
  dateEndDays,
  dateMinDays,
  dateNegativeInfinity,
  datePositiveInfinity,
  microsPerDay,
  timestampEndMicros,
  timestampMinMicros,
  timestampNegativeInfinity,
  timestampPositiveInfinity,
  unixEpochDaysBefore2000,
  unixEpochMicrosBefore2000,
} from './datum.js';
import { DatetimeFieldOverflowError, FeatureNotSupportedError, InvalidDatetimeFormatError, InvalidTimeZoneDisplacementError } from './errors.js';
import { formatOffset, ianaTimeZone, localToUtcMicros, offsetSecondsAt, utcTimeZone, type TimeZone } from './timezone.js';

/** What date/time input and output depend on beyond the text: the session's zone and clock. */
export interface DatetimeContext {
  readonly timeZone: TimeZone;
  /** The transaction timestamp (µs since 2000 UTC), for `now`/`today`; absent, those words fail. */
  readonly nowMicros?: bigint;
}

export const defaultDatetimeContext: DatetimeContext = Object.freeze({ timeZone: utcTimeZone });

type DatetimeTypeName = 'date' | 'timestamp' | 'timestamp with time zone';

// ─── output ──────────────────────────────────────────────────────────────────────────────────

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatYearMonthDay(year: number, month: number, day: number): { text: string; bc: boolean } {
  const bc = year <= 0;
  return { text: `${pad(bc ? 1 - year : year, 4)}-${pad(month, 2)}-${pad(day, 2)}`, bc };
}

/** PostgreSQL's `date_out`. */
export function formatDate(days: number): string {
  if (days === datePositiveInfinity) return 'infinity';
  if (days === dateNegativeInfinity) return '-infinity';
  const { year, month, day } = civilFromDays(days);
  const { text, bc } = formatYearMonthDay(year, month, day);
  return bc ? `${text} BC` : text;
}

function formatFraction(micros: number): string {
  if (micros === 0) return '';
  return `.${pad(micros, 6).replace(/0+$/, '')}`;
}

function formatLocal(localMicros: bigint, offsetSeconds: number | undefined): string {
  const fields = timestampFields(localMicros);
  const { text, bc } = formatYearMonthDay(fields.year, fields.month, fields.day);
  const time = `${pad(fields.hour, 2)}:${pad(fields.minute, 2)}:${pad(fields.second, 2)}${formatFraction(fields.micros)}`;
  const zone = offsetSeconds === undefined ? '' : formatOffset(offsetSeconds);
  return `${text} ${time}${zone}${bc ? ' BC' : ''}`;
}

/** PostgreSQL's `timestamp_out`. */
export function formatTimestamp(micros: bigint): string {
  if (micros === timestampPositiveInfinity) return 'infinity';
  if (micros === timestampNegativeInfinity) return '-infinity';
  return formatLocal(micros, undefined);
}

/** PostgreSQL's `timestamptz_out` in the session's time zone. */
export function formatTimestamptz(micros: bigint, timeZone: TimeZone): string {
  if (micros === timestampPositiveInfinity) return 'infinity';
  if (micros === timestampNegativeInfinity) return '-infinity';
  const offsetSeconds = offsetSecondsAt(timeZone, micros);
  return formatLocal(micros + BigInt(offsetSeconds) * 1_000_000n, offsetSeconds);
}

// ─── input ───────────────────────────────────────────────────────────────────────────────────

interface ParsedDatetime {
  readonly special: 'infinity' | '-infinity' | undefined;
  /** Local days since 2000 and µs into the day, when not special. */
  readonly days: number;
  readonly timeMicros: bigint;
  /** The zone written in the text, if any. */
  readonly zone: TimeZone | undefined;
}

const datePart = String.raw`(?:(\d{1,8})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{1,8})|(\d{8}))`;
const timePart = String.raw`(?:(?:\s+|T)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?)?`;
const zonePart = String.raw`(?:\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?|\s[A-Za-z_]+(?:/[A-Za-z_+-]+)+))?`;
const eraPart = String.raw`(?:\s+(BC|AD))?`;
const datetimePattern = new RegExp(`^\\s*${datePart}${timePart}${zonePart}${eraPart}\\s*$`, 'i');

function syntaxError(typeName: DatetimeTypeName, text: string): InvalidDatetimeFormatError {
  return new InvalidDatetimeFormatError(`invalid input syntax for type ${typeName}: "${text}"`);
}

function fieldOverflow(text: string): DatetimeFieldOverflowError {
  return new DatetimeFieldOverflowError(`date/time field value out of range: "${text}"`);
}

function parseSpecial(word: string, typeName: DatetimeTypeName, text: string, context: DatetimeContext): ParsedDatetime | undefined {
  const special = (value: 'infinity' | '-infinity'): ParsedDatetime => ({ special: value, days: 0, timeMicros: 0n, zone: undefined });
  const at = (days: number, timeMicros: bigint, zone: TimeZone | undefined): ParsedDatetime => ({ special: undefined, days, timeMicros, zone });
  switch (word) {
    case 'infinity':
    case '+infinity':
      return special('infinity');
    case '-infinity':
      return special('-infinity');
    case 'epoch':
      return at(-unixEpochDaysBefore2000, 0n, utcTimeZone);
    case 'now':
    case 'today':
    case 'tomorrow':
    case 'yesterday': {
      if (context.nowMicros === undefined) throw new FeatureNotSupportedError(`"${word}" needs the transaction timestamp (input of type ${typeName}: "${text}")`);
      if (word === 'now') {
        const { days, timeMicros } = splitMicros(context.nowMicros);
        return at(days, timeMicros, utcTimeZone);
      }
      const local = context.nowMicros + BigInt(offsetSecondsAt(context.timeZone, context.nowMicros)) * 1_000_000n;
      const shift = word === 'today' ? 0 : word === 'tomorrow' ? 1 : -1;
      return at(splitMicros(local).days + shift, 0n, undefined);
    }
    default:
      return undefined;
  }
}

function parseYear(digits: string): number {
  const year = Number(digits);
  // PostgreSQL reads a two-digit year as the nearest one to 2020 (70..99 → 19xx).
  if (digits.length <= 2) return year < 70 ? 2000 + year : 1900 + year;
  return year;
}

/** Fractional seconds rounded half-even to µs (PostgreSQL rounds with `rint`). */
function fractionMicros(fraction: string): bigint {
  if (fraction.length <= 6) return BigInt(fraction.padEnd(6, '0'));
  const kept = BigInt(fraction.slice(0, 6));
  const rest = fraction.slice(6);
  const half = '5'.padEnd(rest.length, '0');
  if (rest > half || (rest === half && kept % 2n === 1n)) return kept + 1n;
  return kept;
}

function parseZone(zoneText: string | undefined, text: string, typeName: DatetimeTypeName): TimeZone | undefined {
  if (zoneText === undefined) return undefined;
  const zone = zoneText.trim();
  if (/^(z|utc|gmt)$/i.test(zone)) return utcTimeZone;
  const offset = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(zone);
  if (offset !== null) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? 0);
    const seconds = Number(offset[4] ?? 0);
    if (hours > 15 || minutes > 59 || seconds > 59) throw new InvalidTimeZoneDisplacementError(`time zone displacement out of range: "${text}"`);
    const total = hours * 3600 + minutes * 60 + seconds;
    return { kind: 'fixed', name: zone, offsetSeconds: offset[1] === '-' ? -total : total };
  }
  const iana = ianaTimeZone(zone);
  if (iana === undefined) throw new InvalidDatetimeFormatError(`time zone "${zone}" not recognized`);
  void typeName;
  return iana;
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const fullMonthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** `date(1)`'s order: `Sat Jan 08 12:00:00 1999`. */
const unixDatePattern = /^\s*(?:(?:sun|mon|tue|wed|thu|fri|sat)[a-z]*\.?,?\s+)?([a-z]+)\s+(\d{1,2})\s+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?)\s+(\d{3,})\s*$/i;
const namedMonthPattern =
  /^\s*(?:(?:sun|mon|tue|wed|thu|fri|sat)[a-z]*\.?,?\s+)?([a-z]+\.?|\d+)[\s,/.-]+([a-z]+\.?|\d+)[\s,/.-]+([a-z]+\.?|\d+)(?=$|\s|T)/i;

/**
 * Rewrites a date with a month name (`Jan 8, 1999`, `8 January 1999`, `1999-Jan-08`,
 * `Sat Jan 08 1999`) to ISO form; of the two numbers, one with three or more digits is the year,
 * else the first is the day. Undefined if `text` has no such date.
 */
function rewriteNamedMonth(text: string): string | undefined {
  const unix = unixDatePattern.exec(text);
  if (unix !== null) return rewriteNamedMonth(`${unix[1]} ${unix[2]} ${unix[4]} ${unix[3]}`);
  const match = namedMonthPattern.exec(text);
  if (match === null) return undefined;
  const fields = [match[1]!, match[2]!, match[3]!];
  const monthIndex = fields.findIndex((field) => /^[a-z]/i.test(field));
  if (monthIndex === -1 || fields.filter((field) => /^[a-z]/i.test(field)).length !== 1) return undefined;
  const word = fields[monthIndex]!.replace('.', '').toLowerCase();
  const month = monthNames.findIndex((name, index) => word === name || word === fullMonthNames[index] || (name === 'sep' && word === 'sept'));
  if (month === -1) return undefined;
  const [first, second] = fields.filter((_, index) => index !== monthIndex) as [string, string];
  const [day, year] = first.length >= 3 ? [second, first] : [first, second];
  return `${year.length <= 2 ? String(parseYear(year)) : year.padStart(4, '0')}-${month + 1}-${day}${text.slice(match[0].length)}`;
}

function parseDatetime(text: string, typeName: DatetimeTypeName, context: DatetimeContext): ParsedDatetime {
  const special = parseSpecial(text.trim().toLowerCase(), typeName, text, context);
  if (special !== undefined) return special;
  const meridiem = /\s*\b(am|pm)\s*$/i.exec(text);
  const withoutMeridiem = meridiem === null ? text : text.slice(0, meridiem.index);
  const rewritten = /[a-z]{3}/i.test(withoutMeridiem) ? rewriteNamedMonth(withoutMeridiem) : undefined;
  const match = datetimePattern.exec(rewritten ?? withoutMeridiem);
  if (match === null) throw syntaxError(typeName, text);
  const [, isoYear, isoMonth, isoDay, mdyMonth, mdyDay, mdyYear, compact] = match;
  let year: number;
  let month: number;
  let day: number;
  if (isoYear !== undefined && isoYear.length >= 3) [year, month, day] = [Number(isoYear), Number(isoMonth), Number(isoDay)];
  // With DateStyle MDY, `a-b-c` whose first field has one or two digits is month-day-year.
  else if (isoYear !== undefined) [year, month, day] = [parseYear(isoDay!), Number(isoYear), Number(isoMonth)];
  else if (mdyYear !== undefined) [year, month, day] = [parseYear(mdyYear), Number(mdyMonth), Number(mdyDay)];
  else [year, month, day] = [Number(compact!.slice(0, 4)), Number(compact!.slice(4, 6)), Number(compact!.slice(6, 8))];
  const era = match[13]?.toUpperCase();
  if (era === 'BC') {
    if (year <= 0) throw fieldOverflow(text);
    year = 1 - year;
  } else if (year === 0) {
    throw new DatetimeFieldOverflowError(`date/time field value out of range: "${text}"`);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw fieldOverflow(text);
  let hour = Number(match[8] ?? 0);
  if (meridiem !== null) {
    if (match[8] !== undefined && (hour > 12 || hour === 0)) throw fieldOverflow(text);
    const pm = meridiem[1]!.toLowerCase() === 'pm';
    hour = pm ? (hour === 12 ? 12 : hour + 12) : hour === 12 ? 0 : hour;
  }
  const minute = Number(match[9] ?? 0);
  const second = Number(match[10] ?? 0);
  const fraction = fractionMicros(match[11] ?? '');
  if (hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0 || fraction > 0n))) throw fieldOverflow(text);
  const timeMicros = ((BigInt(hour) * 60n + BigInt(minute)) * 60n + BigInt(second)) * 1_000_000n + fraction;
  return { special: undefined, days: daysFromCivil(year, month, day), timeMicros, zone: parseZone(match[12], text, typeName) };
}

/** PostgreSQL's `date_in`; a time part is read and dropped, as in PostgreSQL. */
export function parseDate(text: string, context: DatetimeContext = defaultDatetimeContext): number {
  const parsed = parseDatetime(text, 'date', context);
  if (parsed.special === 'infinity') return datePositiveInfinity;
  if (parsed.special === '-infinity') return dateNegativeInfinity;
  if (parsed.days < dateMinDays || parsed.days >= dateEndDays) throw new DatetimeFieldOverflowError(`date out of range: "${text}"`);
  return parsed.days;
}

/** PostgreSQL's `timestamp_in`; a zone in the text is ignored, as in PostgreSQL. */
export function parseTimestamp(text: string, context: DatetimeContext = defaultDatetimeContext): bigint {
  const parsed = parseDatetime(text, 'timestamp', context);
  if (parsed.special === 'infinity') return timestampPositiveInfinity;
  if (parsed.special === '-infinity') return timestampNegativeInfinity;
  const micros = BigInt(parsed.days) * microsPerDay + parsed.timeMicros;
  return checkTimestamp(micros, text);
}

/** PostgreSQL's `timestamptz_in`: local time in the text's zone, else the session's. */
export function parseTimestamptz(text: string, context: DatetimeContext = defaultDatetimeContext): bigint {
  const parsed = parseDatetime(text, 'timestamp with time zone', context);
  if (parsed.special === 'infinity') return timestampPositiveInfinity;
  if (parsed.special === '-infinity') return timestampNegativeInfinity;
  const local = BigInt(parsed.days) * microsPerDay + parsed.timeMicros;
  return checkTimestamp(localToUtcMicros(parsed.zone ?? context.timeZone, local), text);
}

/** Asserts a finite timestamp is in PostgreSQL's range: 22008 `timestamp out of range: "…"`. */
export function checkTimestamp(micros: bigint, text?: string): bigint {
  if (micros < timestampMinMicros || micros >= timestampEndMicros) {
    throw new DatetimeFieldOverflowError(text === undefined ? 'timestamp out of range' : `timestamp out of range: "${text}"`);
  }
  return micros;
}

/** µs since 1970-01-01 of a finite timestamp (for JS interop and the key encoding). */
export function toUnixMicros(micros: bigint): bigint {
  return micros + unixEpochMicrosBefore2000;
}
