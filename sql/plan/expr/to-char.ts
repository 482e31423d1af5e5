/**
 * `to_char` for date-times and intervals: PostgreSQL 15's formatting.c template language
 * (DCH_to_char), in the C locale. A template is parsed once per call into fields and literal
 * text; each field prints one part of the value's broken-down time:
 *
 * - years `YYYY`, `YYY`, `YY`, `Y`, `Y,YYY`, ISO years `IYYY`…`I`, century `CC`, era `AD`/`BC`
 *   (and `A.D.`, `ad`, …);
 * - months `MM`, `Mon`, `MON`, `mon`, `Month`, `MONTH`, `month`, Roman `RM`/`rm`, quarter `Q`;
 * - days `DD`, `DDD` (of year), `D` (of week, Sunday 1), `ID` (ISO, Monday 1), `IDDD`, `J`
 *   (Julian day), names `Day`, `DAY`, `day`, `Dy`, `DY`, `dy`; weeks `W`, `WW`, `IW`;
 * - time `HH`, `HH12`, `HH24`, `MI`, `SS`, `MS`, `US`, `FF1`…`FF6`, `SSSS`/`SSSSS` (seconds past
 *   midnight), `AM`/`PM` (and `A.M.`, `am`, …);
 * - zone `TZ`/`tz` (abbreviation), `TZH`, `TZM`, `OF`.
 *
 * Modifiers: `FM` before a field drops its padding (leading zeros, the blanks after a name);
 * `TH`/`th` after a numeric field appends its English ordinal suffix; `TM`, `FX` and `SP` are
 * accepted and, in the C locale, change nothing. Text in double quotes is copied (a backslash
 * escapes the next character); `\"` outside quotes is a quote; anything else is copied as is.
 *
 * Keywords are case-sensitive where PostgreSQL's are: `Month` capitalises, `MONTH` shouts,
 * `month` whispers; a keyword not in the table is literal text (`Q` is a field, `q` too).
 *
 * For numbers (NUM_processor): `9` a digit or blank, `0` a digit or zero, `.`/`D` the point,
 * `,`/`G` a group separator (blank before the first digit), `S`/`MI`/`PL`/`SG` the sign where
 * written, `PR` angle brackets around a negative, `L` the currency symbol (blank in the C
 * locale), `V` shifts by ten per `9` after it, `EEEE` scientific notation, `RN` Roman numerals,
 * `TH` an ordinal suffix, `FM` no padding. A value with more integer digits than the template
 * has prints `#` in every digit position, as PostgreSQL does.
 */
import { SqlError } from '../../catalog/errors.js';
import { civilFromDays, date2j, daysFromCivil, splitMicros, timestampFields } from '../../types/calendar.js';
import { isFiniteDate, isFiniteTimestamp, microsPerDay, postgresEpochJulianDay, type Datum, type Interval } from '../../types/datum.js';
import { Numeric } from '../../types/numeric.js';
import { dateType, float4Type, float8Type, int4Type, int8Type, intervalType, numericType, textType, timestampType, timestamptzType, type SqlType } from '../../types/sql-type.js';
import { formatOffset, localToUtcMicros, offsetSecondsAt, type TimeZone } from '../../types/timezone.js';
import type { FunctionOverload } from './function-overload.js';

/** PostgreSQL's `struct pg_tm` plus what to_char needs: the broken-down value to print. */
export interface BrokenDownTime {
  /** Astronomical year for a date-time (1 BC is 0); whole years for an interval. */
  readonly year: number;
  /** 1–12 for a date-time; 0–11 (the months beyond whole years) for an interval. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly micros: number;
  /** Day of the year (1-based); an interval's days counting 30 per month. */
  readonly yearDay: number;
  /** Day of the week, Sunday 0. */
  readonly weekDay: number;
  /** Days since 2000-01-01 (ISO weeks and Julian days); an interval's as if its fields were a date. */
  readonly days: number;
  /** Seconds east of UTC, and the zone's abbreviation (`null`: no zone, a timestamp without one). */
  readonly offsetSeconds: number;
  readonly zoneName: string | null;
  readonly isInterval: boolean;
}

// ─── template parsing ──────────────────────────────────────────────────────────────────────────

/** A parsed template: literal text and fields, with their FM and TH modifiers (to-timestamp.ts reads it too). */
export type Node = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'field'; readonly key: string; readonly fm: boolean; readonly th: 'TH' | 'th' | null };

const keywords: readonly string[] = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'FX',
  'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I', 'J', 'MI', 'MM', 'MONTH', 'MON', 'MS', 'Month', 'Mon', 'OF', 'P.M.', 'PM',
  'Q', 'RM', 'SSSSS', 'SSSS', 'SS', 'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
  'a.d.', 'a.m.', 'ad', 'am', 'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd', 'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6', 'fx',
  'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw', 'iyyy', 'iyy', 'iy', 'i', 'j', 'mi', 'mm', 'month', 'mon', 'ms', 'of', 'p.m.', 'pm',
  'q', 'rm', 'sssss', 'ssss', 'ss', 'tzh', 'tzm', 'tz', 'us', 'ww', 'w', 'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
];
/** Longest first: the first keyword that prefixes the template wins, as PostgreSQL's index does. */
const keywordsByLength = [...keywords].sort((a, b) => b.length - a.length);

const parsedTemplates = new Map<string, readonly Node[]>();
/** Templates are few per application: a small cache of their parses (PostgreSQL keeps one too). */
const templateCacheMax = 256;

export function parseTemplate(template: string): readonly Node[] {
  const cached = parsedTemplates.get(template);
  if (cached !== undefined) return cached;
  const nodes: Node[] = [];
  const literal = (text: string): void => {
    const last = nodes[nodes.length - 1];
    if (last?.kind === 'text') nodes[nodes.length - 1] = { kind: 'text', text: last.text + text };
    else nodes.push({ kind: 'text', text });
  };
  let at = 0;
  while (at < template.length) {
    let fm = false;
    const prefix = template.slice(at, at + 2);
    if (prefix === 'FM' || prefix === 'fm' || prefix === 'TM' || prefix === 'tm') {
      fm = prefix === 'FM' || prefix === 'fm';
      at += 2;
    }
    const key = keywordsByLength.find((candidate) => template.startsWith(candidate, at));
    if (key !== undefined) {
      at += key.length;
      let th: 'TH' | 'th' | null = null;
      const suffix = template.slice(at, at + 2);
      if (suffix === 'TH' || suffix === 'th') {
        th = suffix;
        at += 2;
      } else if (suffix === 'SP') at += 2;
      if (key !== 'FX' && key !== 'fx') nodes.push({ kind: 'field', key, fm, th });
      continue;
    }
    if (at >= template.length) break;
    const char = template[at]!;
    if (char === '"') {
      at++;
      while (at < template.length && template[at] !== '"') {
        if (template[at] === '\\' && at + 1 < template.length) at++;
        literal(template[at]!);
        at++;
      }
      at++;
    } else if (char === '\\' && template[at + 1] === '"') {
      literal('"');
      at += 2;
    } else {
      literal(char);
      at++;
    }
  }
  if (parsedTemplates.size >= templateCacheMax) parsedTemplates.clear();
  parsedTemplates.set(template, nodes);
  return nodes;
}

// ─── the broken-down value ─────────────────────────────────────────────────────────────────────

/** A timestamp's fields; `zone` for a timestamptz (its local time there), null for a timestamp. */
export function timestampParts(micros: bigint, zone: TimeZone | null): BrokenDownTime {
  const offsetSeconds = zone === null ? 0 : offsetSecondsAt(zone, micros);
  const local = micros + BigInt(offsetSeconds) * 1_000_000n;
  const fields = timestampFields(local);
  const { days } = splitMicros(local);
  return {
    ...fields,
    yearDay: days - daysFromCivil(fields.year, 1, 1) + 1,
    weekDay: (((days + postgresEpochJulianDay + 1) % 7) + 7) % 7,
    days,
    offsetSeconds,
    zoneName: zone === null ? null : zoneAbbreviation(zone, micros, offsetSeconds),
    isInterval: false,
  };
}

/** An interval's fields, as PostgreSQL's interval2tm splits it (each part keeps the sign it has). */
export function intervalParts(value: Interval): BrokenDownTime {
  const year = Math.trunc(value.months / 12);
  const month = value.months % 12;
  const totalSeconds = value.micros / 1_000_000n;
  const hour = Number(totalSeconds / 3600n);
  return {
    year,
    month,
    day: value.days,
    hour,
    minute: Number((totalSeconds / 60n) % 60n),
    second: Number(totalSeconds % 60n),
    micros: Number(value.micros % 1_000_000n),
    yearDay: (year * 12 + month) * 30 + value.days,
    weekDay: 0,
    // PostgreSQL reads IW, IDDD and J of an interval as of the date (years, months, days).
    days: date2j(year, month, value.days) - postgresEpochJulianDay,
    offsetSeconds: 0,
    zoneName: null,
    isInterval: true,
  };
}

/** ICU formatters of zone abbreviations, one per zone (building one is slow; zones are few). */
const abbreviationFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's abbreviation at an instant, as `TZ` prints it: `UTC`; an IANA zone's short name
 * where ICU has one (`EST`, `PDT`); otherwise the offset (`+05:30`), as PostgreSQL prints zones
 * whose tzdata abbreviation is numeric.
 */
function zoneAbbreviation(zone: TimeZone, micros: bigint, offsetSeconds: number): string {
  if (zone.kind === 'fixed') return zone.offsetSeconds === 0 && /^(utc|gmt|z|zulu)$/i.test(zone.name) ? 'UTC' : formatOffset(offsetSeconds);
  const millis = Number((micros + 946_684_800_000_000n) / 1000n);
  let formatter = abbreviationFormatters.get(zone.name);
  if (formatter === undefined) abbreviationFormatters.set(zone.name, (formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone.name, timeZoneName: 'short' })));
  const name = formatter.formatToParts(millis).find((part) => part.type === 'timeZoneName')?.value;
  if (name !== undefined && /^[A-Z]{2,5}$/.test(name)) return name;
  return offsetSeconds === 0 ? 'UTC' : formatOffset(offsetSeconds);
}

// ─── printing ──────────────────────────────────────────────────────────────────────────────────

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const romanMonths = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** C's `%0*d`: zero-padded to `width` (a minus sign counts in the width). */
function zeroPad(value: number, width: number): string {
  const digits = String(Math.abs(value));
  if (value < 0) return `-${digits.padStart(width - 1, '0')}`;
  return digits.padStart(width, '0');
}

/** The English ordinal suffix of a number's text (`1st`, `12th`, `23rd`), as PostgreSQL's get_th. */
export function ordinalSuffix(text: string, upper: boolean): string {
  const last = text.charCodeAt(text.length - 1) - 48;
  const teen = text.length > 1 && text[text.length - 2] === '1';
  const suffix = teen || last < 1 || last > 3 ? 'th' : last === 1 ? 'st' : last === 2 ? 'nd' : 'rd';
  return upper ? suffix.toUpperCase() : suffix;
}

/** `Month` / `MONTH` / `month`: the name cased as the keyword is, blank-padded to 9 unless FM. */
function cased(name: string, key: string, fm: boolean, width: number): string {
  const text = key === key.toUpperCase() ? name.toUpperCase() : key === key.toLowerCase() ? name.toLowerCase() : name;
  return fm ? text : text.padEnd(width, ' ');
}

/** PostgreSQL's ADJUST_YEAR: a date-time's astronomical year as written (1 BC, not 0). */
function adjustYear(tm: BrokenDownTime): number {
  return tm.isInterval || tm.year > 0 ? tm.year : -(tm.year - 1);
}

/** ISO 8601 week-numbering: the ISO year, week and day of year of a date (days since 2000). */
function isoWeekDate(days: number): { isoYear: number; week: number; dayOfYear: number } {
  const isoDow = ((((days + postgresEpochJulianDay) % 7) + 7) % 7) + 1; // Monday 1 … Sunday 7
  const thursday = days - isoDow + 4;
  const isoYear = civilFromDays(thursday).year;
  const firstThursday = daysFromCivil(isoYear, 1, 1);
  const week = Math.floor((thursday - firstThursday) / 7) + 1;
  return { isoYear, week, dayOfYear: (week - 1) * 7 + isoDow };
}

/** `%0*d` of a year-like number keeping only its last `keep` digits (`YYY`, `YY`, `Y`). */
function lastDigits(value: number, keep: number, fm: boolean): string {
  const text = zeroPad(value, fm ? 0 : value >= 0 ? keep : keep + 1);
  return text.length > keep ? text.slice(text.length - keep) : text;
}

/** The fields PostgreSQL refuses for an interval (its INVALID_FOR_INTERVAL): they need a calendar date or a zone. */
const calendarOnly: ReadonlySet<string> = new Set(['A.D.', 'B.C.', 'AD', 'BC', 'TZ', 'TZH', 'TZM', 'OF', 'MONTH', 'MON', 'DAY', 'DY', 'D', 'ID']);

function field(key: string, fm: boolean, tm: BrokenDownTime): { text: string; numeric: boolean } {
  if (tm.isInterval && calendarOnly.has(key.toUpperCase())) {
    throw new SqlError('22007', 'invalid format specification for an interval value', { hint: 'Intervals are not tied to specific calendar dates.' });
  }
  // C's `%0*d` with the width PostgreSQL gives: the fields an interval may make negative widen
  // by one for the sign (`-04`), the others (days) count the sign in their width (`-3`).
  const num = (value: number, width: number, signed = true): { text: string; numeric: boolean } => ({ text: zeroPad(value, fm ? 0 : value >= 0 || !signed ? width : width + 1), numeric: true });
  const word = (text: string): { text: string; numeric: boolean } => ({ text, numeric: false });
  const upper = key.toUpperCase();
  const lowerCase = key === key.toLowerCase();
  switch (upper) {
    case 'A.D.':
    case 'B.C.':
      return word(tm.year <= 0 && !tm.isInterval ? (lowerCase ? 'b.c.' : 'B.C.') : lowerCase ? 'a.d.' : 'A.D.');
    case 'AD':
    case 'BC':
      return word(tm.year <= 0 && !tm.isInterval ? (lowerCase ? 'bc' : 'BC') : lowerCase ? 'ad' : 'AD');
    case 'A.M.':
    case 'P.M.':
      return word(tm.hour % 24 >= 12 ? (lowerCase ? 'p.m.' : 'P.M.') : lowerCase ? 'a.m.' : 'A.M.');
    case 'AM':
    case 'PM':
      return word(tm.hour % 24 >= 12 ? (lowerCase ? 'pm' : 'PM') : lowerCase ? 'am' : 'AM');
    case 'HH':
    case 'HH12': {
      const hour = tm.hour % 12 === 0 ? 12 : tm.hour % 12;
      return num(hour, 2);
    }
    case 'HH24':
      return num(tm.hour, 2);
    case 'MI':
      return num(tm.minute, 2);
    case 'SS':
      return num(tm.second, 2);
    case 'MS':
      return num(Math.trunc(tm.micros / 1000), 3, false);
    case 'US':
      return num(tm.micros, 6, false);
    case 'FF1':
    case 'FF2':
    case 'FF3':
    case 'FF4':
    case 'FF5':
    case 'FF6': {
      const digits = Number(upper[2]);
      return num(Math.trunc(tm.micros / 10 ** (6 - digits)), digits, false);
    }
    case 'SSSS':
    case 'SSSSS':
      return { text: String(tm.hour * 3600 + tm.minute * 60 + tm.second), numeric: true };
    case 'TZ':
      return word(tm.zoneName === null ? '' : lowerCase ? tm.zoneName.toLowerCase() : tm.zoneName);
    case 'TZH':
      return word(`${tm.offsetSeconds < 0 ? '-' : '+'}${zeroPad(Math.floor(Math.abs(tm.offsetSeconds) / 3600), 2)}`);
    case 'TZM':
      return num(Math.floor(Math.abs(tm.offsetSeconds) / 60) % 60, 2);
    case 'OF': {
      const total = Math.abs(tm.offsetSeconds);
      const minutes = Math.floor(total / 60) % 60;
      const hours = `${tm.offsetSeconds < 0 ? '-' : '+'}${zeroPad(Math.floor(total / 3600), fm ? 0 : 2)}`;
      return word(minutes === 0 ? hours : `${hours}:${zeroPad(minutes, 2)}`);
    }
    case 'MONTH':
      return word(cased(monthNames[tm.month - 1]!, key, fm, 9));
    case 'MON':
      return word(cased(monthNames[tm.month - 1]!.slice(0, 3), key, true, 0));
    case 'MM':
      return num(tm.month, 2);
    case 'DAY':
      return word(cased(dayNames[tm.weekDay]!, key, fm, 9));
    case 'DY':
      return word(cased(dayNames[tm.weekDay]!.slice(0, 3), key, true, 0));
    case 'DDD':
      return num(tm.yearDay, 3, false);
    case 'IDDD':
      return num(isoWeekDate(tm.days).dayOfYear, 3, false);
    case 'DD':
      return num(tm.day, 2, false);
    case 'D':
      return { text: String(tm.weekDay + 1), numeric: true };
    case 'ID':
      return { text: String(tm.weekDay === 0 ? 7 : tm.weekDay), numeric: true };
    case 'WW':
      return num(Math.floor((tm.yearDay - 1) / 7) + 1, 2, false);
    case 'IW':
      return num(isoWeekDate(tm.days).week, 2, false);
    case 'Q':
      return tm.month === 0 && tm.isInterval ? word('') : { text: String(Math.floor((tm.month - 1) / 3) + 1), numeric: true };
    case 'CC': {
      const century = tm.isInterval ? Math.trunc(tm.year / 100) : tm.year > 0 ? Math.floor((tm.year - 1) / 100) + 1 : Math.trunc(tm.year / 100) - 1;
      return century <= 99 && century >= -99 ? num(century, 2) : { text: String(century), numeric: true };
    }
    case 'Y,YYY': {
      const year = adjustYear(tm);
      return { text: `${Math.trunc(year / 1000)},${zeroPad(Math.abs(year % 1000), 3)}`, numeric: true };
    }
    case 'YYYY':
      return num(adjustYear(tm), 4);
    case 'IYYY':
      return num(isoYearOf(tm), 4);
    case 'YYY':
    case 'YY':
    case 'Y':
      return { text: lastDigits(adjustYear(tm), upper.length, fm), numeric: true };
    case 'IYY':
    case 'IY':
    case 'I':
      return { text: lastDigits(isoYearOf(tm), upper.length, fm), numeric: true };
    case 'RM': {
      if (tm.month === 0 && tm.isInterval) return word('');
      const roman = romanMonths[tm.month - 1]!;
      const text = lowerCase ? roman.toLowerCase() : roman;
      return word(fm ? text : text.padEnd(4, ' '));
    }
    case 'W':
      return { text: String(Math.floor((tm.day - 1) / 7) + 1), numeric: true };
    case 'J':
      return { text: String(tm.days + postgresEpochJulianDay), numeric: true };
    default:
      return word('');
  }
}

function isoYearOf(tm: BrokenDownTime): number {
  const year = tm.isInterval ? tm.year : isoWeekDate(tm.days).isoYear;
  return tm.isInterval || year > 0 ? year : -(year - 1);
}

/** to_char(value, template) for a date-time or interval already broken down. */
export function formatDatetime(tm: BrokenDownTime, template: string): string {
  let out = '';
  for (const node of parseTemplate(template)) {
    if (node.kind === 'text') {
      out += node.text;
      continue;
    }
    const { text, numeric } = field(node.key, node.fm, tm);
    out += text;
    if (node.th !== null && numeric && text !== '') out += ordinalSuffix(text, node.th === 'TH');
  }
  return out;
}

// ─── numbers ───────────────────────────────────────────────────────────────────────────────────

/**
 * A parsed number template (PostgreSQL's NUMDesc): digits before (`pre`) and after (`post`) the
 * decimal point, where the zero-padding starts and ends, and the flags of its sign, fill and
 * special patterns.
 */
interface NumberTemplate {
  readonly nodes: readonly NumberNode[];
  pre: number;
  post: number;
  /** 1-based position of the first `0` before the point (0: none), then 0-based once read. */
  zeroStart: number;
  zeroEnd: number;
  multi: number;
  lsign: 'none' | 'pre' | 'post';
  preLsignNum: number;
  decimal: boolean;
  zero: boolean;
  fill: boolean;
  bracket: boolean;
  minus: boolean;
  plus: boolean;
  roman: boolean;
  multiply: boolean;
  eeee: boolean;
  localeSign: boolean;
}

type NumberNode = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'key'; readonly key: string };

const numberKeywords: readonly string[] = [
  ',', '.', '0', '9', 'B', 'C', 'D', 'EEEE', 'FM', 'G', 'L', 'MI', 'PL', 'PR', 'RN', 'SG', 'SP', 'S', 'TH', 'V',
  'b', 'c', 'd', 'eeee', 'fm', 'g', 'l', 'mi', 'pl', 'pr', 'rn', 'sg', 'sp', 's', 'th', 'v',
].sort((a, b) => b.length - a.length);

const badFormat = (message: string, detail?: string): SqlError => new SqlError('42601', message, detail === undefined ? {} : { detail });

/** PostgreSQL's NUMDesc_prepare over the template's keywords, refusing the combinations it refuses. */
function parseNumberTemplate(template: string): NumberTemplate {
  const nodes: NumberNode[] = [];
  const t: NumberTemplate = { nodes, pre: 0, post: 0, zeroStart: 0, zeroEnd: 0, multi: 0, lsign: 'none', preLsignNum: 0, decimal: false, zero: false, fill: false, bracket: false, minus: false, plus: false, roman: false, multiply: false, eeee: false, localeSign: false };
  let at = 0;
  while (at < template.length) {
    const key = numberKeywords.find((candidate) => template.startsWith(candidate, at));
    if (key !== undefined) {
      at += key.length;
      const upper = key.toUpperCase();
      nodes.push({ kind: 'key', key: upper === 'RN' || upper === 'TH' ? key : upper });
      if (t.eeee && upper !== '9' && upper !== '0' && upper !== '.' && upper !== 'D') throw eeeeIncompatible();
      switch (upper) {
        case '9':
          if (t.bracket) throw badFormat('"9" must be ahead of "PR"');
          if (t.multiply) t.multi++;
          else if (t.decimal) t.post++;
          else t.pre++;
          break;
        case '0':
          if (t.bracket) throw badFormat('"0" must be ahead of "PR"');
          if (!t.zero && !t.decimal) {
            t.zero = true;
            t.zeroStart = t.pre + 1;
          }
          if (t.decimal) t.post++;
          else t.pre++;
          t.zeroEnd = t.pre + t.post;
          break;
        case 'D':
        case '.':
          if (t.decimal) throw badFormat('multiple decimal points');
          if (t.multiply) throw badFormat('cannot use "V" and decimal point together');
          t.decimal = true;
          break;
        case 'FM':
          t.fill = true;
          break;
        case 'S':
          if (t.localeSign) throw badFormat('cannot use "S" twice');
          if (t.plus || t.minus || t.bracket) throw badFormat('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
          if (!t.decimal) {
            t.lsign = 'pre';
            t.preLsignNum = t.pre;
            t.localeSign = true;
          } else if (t.lsign === 'none') {
            t.lsign = 'post';
            t.localeSign = true;
          }
          break;
        case 'MI':
          if (t.localeSign) throw badFormat('cannot use "S" and "MI" together');
          t.minus = true;
          break;
        case 'PL':
          if (t.localeSign) throw badFormat('cannot use "S" and "PL" together');
          t.plus = true;
          break;
        case 'SG':
          if (t.localeSign) throw badFormat('cannot use "S" and "SG" together');
          t.minus = true;
          t.plus = true;
          break;
        case 'PR':
          if (t.localeSign || t.plus || t.minus) throw badFormat('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
          t.bracket = true;
          break;
        case 'RN':
          t.roman = true;
          break;
        case 'V':
          if (t.decimal) throw badFormat('cannot use "V" and decimal point together');
          t.multiply = true;
          break;
        case 'EEEE':
          if (t.eeee) throw badFormat('cannot use "EEEE" twice');
          if (t.fill || t.localeSign || t.bracket || t.minus || t.plus || t.roman || t.multiply) throw eeeeIncompatible();
          t.eeee = true;
          break;
        default:
          break; // B, C, G, L, SP, TH: printing only
      }
      continue;
    }
    const char = template[at]!;
    if (char === '"') {
      at++;
      while (at < template.length && template[at] !== '"') {
        if (template[at] === '\\' && at + 1 < template.length) at++;
        nodes.push({ kind: 'text', text: template[at]! });
        at++;
      }
      at++;
    } else if (char === '\\' && template[at + 1] === '"') {
      nodes.push({ kind: 'text', text: '"' });
      at += 2;
    } else {
      nodes.push({ kind: 'text', text: char });
      at++;
    }
  }
  return t;
}

function eeeeIncompatible(): SqlError {
  return badFormat('"EEEE" is incompatible with other formats', '"EEEE" may only be used together with digit and decimal point patterns.');
}

/** A number to print: its digits as text without sign (`"12.50"`), and its sign. */
interface NumberDigits {
  readonly digits: string;
  readonly negative: boolean;
}

const romanOnes = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'];
const romanTens = ['', 'X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC'];
const romanHundreds = ['', 'C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM'];

/** PostgreSQL's int_to_roman: 1–3999, else fifteen `#`. */
function toRoman(value: number): string {
  if (!(value >= 1 && value <= 3999)) return '#'.repeat(15);
  return 'M'.repeat(Math.floor(value / 1000)) + romanHundreds[Math.floor(value / 100) % 10]! + romanTens[Math.floor(value / 10) % 10]! + romanOnes[value % 10]!;
}

/**
 * C's `%.*f` of a double: the exact binary value rounded to `places` decimals, an exact tie to
 * even (glibc's rounding; JavaScript's toFixed would round a tie up).
 */
function fixedDouble(value: number, places: number): string {
  const magnitude = Math.abs(value);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (magnitude >= 1e21) return sign + BigInt(magnitude).toString() + (places > 0 ? `.${'0'.repeat(places)}` : '');
  const wide = magnitude.toFixed(Math.min(100, places + 30));
  const point = wide.indexOf('.');
  const kept = wide.slice(0, point + 1 + places).replace(/\.$/, '');
  const rest = wide.slice(point + 1 + places);
  if (/^50*$/.test(rest)) {
    const lastDigit = Number(kept.replace('.', '').slice(-1));
    if (lastDigit % 2 === 0) return sign + kept;
  }
  return sign + magnitude.toFixed(places);
}

/** C's `%+.*e` with a positive sign swapped for a space: ` 1.23e+03`. */
function scientificDouble(value: number, places: number): string {
  const text = value.toExponential(places).replace(/e([+-])(\d)$/, 'e$10$2');
  return value < 0 ? text : ` ${text}`;
}

/** PostgreSQL's numeric_out_sci: `places` digits after the point, rounded half away from zero. */
function scientificNumeric(value: Numeric, places: number): string {
  if (value.sign === 0) return ` ${(0).toFixed(places)}e+00`;
  const text = value.abs().toString().replace('.', '');
  const firstDigit = text.search(/[1-9]/);
  const integerDigits = value.abs().integerDigits();
  const exponent = integerDigits > 0 ? integerDigits - 1 : -(firstDigit - (text.length - value.abs().scale) + 1);
  // value / 10^exponent rounded to `places` decimals. A carry is not renormalised: 9.999 with
  // two places is `10.00e+00`, as PostgreSQL 15's numeric_out_sci prints it.
  const mantissa = shiftNumeric(value.abs(), -exponent).round(places);
  const exponentText = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${value.sign < 0 ? '-' : ' '}${mantissa.toString()}e${exponentText}`;
}

/** value × 10^by, exactly. */
function shiftNumeric(value: Numeric, by: number): Numeric {
  if (by >= 0) return value.mul(Numeric.of(10n ** BigInt(by)));
  return Numeric.parse(`${value.toString()}e${by}`);
}

/**
 * NUM_processor's to_char half: walks the template writing digits, blanks, zeros, the sign
 * and the decimal point of `number` (already rounded to the template's `post` digits) with
 * `preSpaces` digit positions to blank before its first digit.
 */
function printNumber(t: NumberTemplate, numberText: string, preSpaces: number, sign: '+' | '-'): string {
  let out = '';
  const number = numberText;
  let numberAt = 0;
  let zeroStart = t.zeroStart > 0 ? t.zeroStart - 1 : 0;
  let bracket = t.bracket;
  let lsign = t.lsign;
  let signWrote: boolean;
  if (t.roman) {
    return t.nodes.map((node) => (node.kind === 'text' ? node.text : node.key === 'RN' || node.key === 'rn' ? (t.fill ? number : number.padStart(15, ' ')) : '')).join('');
  }
  if (t.plus || t.minus) signWrote = !(t.plus && !t.minus);
  else {
    if (sign !== '-' && t.fill) bracket = false;
    signWrote = sign === '+' && t.fill && !t.localeSign;
    if (lsign === 'pre' && t.pre === t.preLsignNum) lsign = 'post';
  }
  let numCount = t.post + t.pre - 1;
  let lastRelevant: number | null = null;
  if (t.fill && t.decimal) {
    const point = number.indexOf('.');
    let relevant = point === -1 ? 0 : point;
    for (let index = relevant + 1; index < number.length; index++) if (number[index] !== '0') relevant = index;
    lastRelevant = relevant;
    if (t.zeroEnd > preSpaces) {
      const lastZero = Math.min(number.length - 1, t.zeroEnd - preSpaces);
      if (lastRelevant < lastZero) lastRelevant = lastZero;
    }
  }
  if (!signWrote && preSpaces === 0) numCount++;
  let numIn = false;
  let numCurr = 0;
  const predecSpace = (): boolean => !t.zero && numberAt === 0 && number[0] === '0' && t.post !== 0;
  const digitPart = (key: string): void => {
    numIn = false;
    if (!signWrote && (numCurr >= preSpaces || (t.zero && zeroStart === numCurr)) && (!predecSpace() || (lastRelevant !== null && number[lastRelevant] === '.'))) {
      if (t.localeSign) {
        if (lsign === 'pre') {
          out += sign;
          signWrote = true;
        }
      } else if (bracket) {
        out += sign === '+' ? ' ' : '<';
        signWrote = true;
      } else if (sign === '+') {
        if (!t.fill) out += ' ';
        signWrote = true;
      } else {
        out += '-';
        signWrote = true;
      }
    }
    if (numCurr < preSpaces && (zeroStart > numCurr || !t.zero)) {
      if (!t.fill) out += ' ';
    } else if (t.zero && numCurr < preSpaces && zeroStart <= numCurr) {
      out += '0';
      numIn = true;
    } else {
      if (number[numberAt] === '.') {
        if (lastRelevant === null || number[lastRelevant] !== '.') out += '.';
        else if (t.fill && lastRelevant !== null && number[lastRelevant] === '.') out += '.';
      } else if (lastRelevant !== null && numberAt > lastRelevant && key !== '0') {
        // FM: trailing zeros after the last relevant digit are dropped
      } else if (predecSpace()) {
        if (!t.fill) out += ' ';
        else if (lastRelevant !== null && number[lastRelevant] === '.') out += '0';
      } else {
        out += number[numberAt] ?? '';
        numIn = true;
      }
      if (numberAt < number.length) numberAt++;
    }
    let end = numCount + (preSpaces > 0 ? 1 : 0) + (t.decimal ? 1 : 0);
    if (lastRelevant !== null && lastRelevant === numberAt) end = numCurr;
    if (numCurr + 1 === end) {
      if (signWrote && bracket) out += sign === '+' ? ' ' : '>';
      else if (t.localeSign && lsign === 'post') out += sign;
    }
    numCurr++;
  };
  for (const node of t.nodes) {
    if (node.kind === 'text') {
      out += node.text;
      continue;
    }
    switch (node.key) {
      case '9':
      case '0':
      case '.':
      case 'D':
        digitPart(node.key);
        break;
      case ',':
      case 'G':
        if (numIn) out += ',';
        else if (!t.fill) out += ' ';
        break;
      case 'L':
        out += ' ';
        break;
      case 'TH':
      case 'th':
        if (number[0] === '#' || sign === '-' || t.decimal) break;
        out += ordinalSuffix(number, node.key === 'TH');
        break;
      case 'MI':
        if (sign === '-') out += '-';
        else if (!t.fill) out += ' ';
        break;
      case 'PL':
        if (sign === '+') out += '+';
        else if (!t.fill) out += ' ';
        break;
      case 'SG':
        out += sign;
        break;
      default:
        break;
    }
  }
  return out;
}

/** The digits of a number too wide for the template: `#` for every digit position, and the point. */
function overflow(t: NumberTemplate): string {
  return `${'#'.repeat(t.pre)}.${'#'.repeat(t.post)}`;
}

/** to_char(number, template) for numeric, int4/int8 (as bigint or number) and float4/float8. */
export function formatNumber(kind: 'numeric' | 'int' | 'float4' | 'float8', value: Numeric | bigint | number, template: string): string {
  if (template === '') return '';
  const t = parseNumberTemplate(template);
  if (t.roman) {
    const rounded = kind === 'numeric' ? Number((value as Numeric).round(0).toString()) : kind === 'int' ? Number(value) : roundHalfEven(value as number);
    const roman = toRoman(rounded);
    const lower = t.nodes.some((node) => node.kind === 'key' && node.key === 'rn');
    return printNumber(t, lower ? roman.toLowerCase() : roman, 0, '+');
  }
  if (t.eeee) {
    if (kind === 'numeric') {
      const numeric = value as Numeric;
      if (!numeric.isFinite) return ` ${'#'.repeat(t.pre)}.${'#'.repeat(t.post + 4)}`.slice(0, t.pre + t.post + 6).padEnd(t.pre + t.post + 6, '#');
      return scientificNumeric(numeric, t.post);
    }
    const float = Number(value);
    if (!Number.isFinite(float)) return ` ${'#'.repeat(t.pre)}.${'#'.repeat(t.post + 4)}`;
    return scientificDouble(float, t.post);
  }
  let digits: NumberDigits;
  let post = t.post;
  const pre = t.pre + (t.multiply ? t.multi : 0);
  if (kind === 'numeric') {
    let numeric = value as Numeric;
    if (t.multiply) numeric = numeric.mul(Numeric.of(10n ** BigInt(t.multi)));
    const text = numeric.round(post).toString();
    digits = { digits: text.replace(/^-/, ''), negative: text.startsWith('-') };
  } else if (kind === 'int') {
    let integer = BigInt(value as bigint | number);
    if (t.multiply) integer *= 10n ** BigInt(t.multi);
    const text = integer.toString();
    const unsigned = text.replace(/^-/, '');
    digits = { digits: post > 0 ? `${unsigned}.${'0'.repeat(post)}` : unsigned, negative: integer < 0n };
  } else {
    let float = value as number;
    if (t.multiply) float *= 10 ** t.multi;
    const precision = kind === 'float4' ? 6 : 15;
    const integerLength = fixedDouble(Math.abs(float), 0).length;
    if (integerLength >= precision) post = 0;
    else if (integerLength + post > precision) post = precision - integerLength;
    const text = fixedDouble(float, post);
    digits = { digits: text.replace(/^-/, ''), negative: text.startsWith('-') };
  }
  const point = digits.digits.indexOf('.');
  const preLength = point === -1 ? digits.digits.length : point;
  let preSpaces = 0;
  let numberText = digits.digits;
  if (preLength < pre) preSpaces = pre - preLength;
  else if (preLength > pre) numberText = overflow({ ...t, post });
  return printNumber({ ...t, pre, post }, numberText, preSpaces, digits.negative ? '-' : '+');
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

// ─── the function table's entries ──────────────────────────────────────────────────────────────

function strictOverload(args: readonly SqlType[], impl: FunctionOverload['impl'], immutable: boolean): FunctionOverload {
  return { args, result: textType, strict: true, immutable, impl };
}

/**
 * to_char's overloads, for the function table. A timestamptz (and a date, which PostgreSQL
 * resolves to the timestamptz form: its local midnight) prints in the session's time zone, so
 * those depend on the session and are not constant-folded. An empty template or an infinite
 * date-time gives NULL, as in PostgreSQL.
 */
export function toCharFunctions(): [string, readonly FunctionOverload[]][] {
  const datetime = (tm: BrokenDownTime | null, template: string): Datum => (tm === null || template === '' ? null : formatDatetime(tm, template));
  return [
    [
      'to_char',
      [
        strictOverload([timestamptzType(), textType], ([value, template], _t, ctx) => datetime(isFiniteTimestamp(value as bigint) ? timestampParts(value as bigint, ctx.textContext.timeZone) : null, template as string), false),
        strictOverload([timestampType(), textType], ([value, template]) => datetime(isFiniteTimestamp(value as bigint) ? timestampParts(value as bigint, null) : null, template as string), true),
        strictOverload(
          [dateType, textType],
          ([value, template], _t, ctx) => {
            if (!isFiniteDate(value as number)) return null;
            const zone = ctx.textContext.timeZone;
            return datetime(timestampParts(localToUtcMicros(zone, BigInt(value as number) * microsPerDay), zone), template as string);
          },
          false,
        ),
        strictOverload([intervalType, textType], ([value, template]) => datetime(intervalParts(value as Interval), template as string), true),
        strictOverload([int4Type, textType], ([value, template]) => formatNumber('int', value as number, template as string), true),
        strictOverload([int8Type, textType], ([value, template]) => formatNumber('int', value as bigint, template as string), true),
        strictOverload([numericType(), textType], ([value, template]) => formatNumber('numeric', value as Numeric, template as string), true),
        strictOverload([float4Type, textType], ([value, template]) => formatNumber('float4', value as number, template as string), true),
        strictOverload([float8Type, textType], ([value, template]) => formatNumber('float8', value as number, template as string), true),
      ],
    ],
  ];
}
