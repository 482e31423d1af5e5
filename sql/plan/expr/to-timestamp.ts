/**
 * `to_timestamp(text, text)` and `to_date(text, text)`: PostgreSQL 15's from_char (formatting.c)
 * for the common fields, over the same templates as to_char (to-char.ts parses them). Outside
 * FX mode, as PostgreSQL: blanks before a field and after it are skipped, a separator or blank
 * in the template matches one separator or blank in the input (or none), any other template
 * character consumes one input character. A numeric field takes exactly its width when the next
 * template item is a digit field, else as many digits as there are (`FM` too).
 *
 * Read: YYYY, YYY, YY, Y (two- and three-digit years near 2020, as PostgreSQL), Y,YYY, MM,
 * month names, DD, DDD, day names (checked, then ignored), HH, HH12, HH24, MI, SS, MS, US,
 * FF1–FF6, AM/PM, TZH, TZM. Fields absent default to year 0 (1 BC), January, the 1st, midnight,
 * as PostgreSQL's. Other fields are 0A000 for now (ISO weeks, Julian days, Roman months, TZ).
 */
import { SqlError } from '../../catalog/errors.js';
import { civilFromDays, daysFromCivil, daysInMonth, splitMicros } from '../../types/calendar.js';
import { checkTimestamp } from '../../types/datetime-text.js';
import { microsPerDay } from '../../types/datum.js';
import { localToUtcMicros, type TimeZone } from '../../types/timezone.js';
import { parseTemplate, type Node } from './to-char.js';

interface Fields {
  year?: number;
  yearDigits?: number;
  month?: number;
  day?: number;
  yearDay?: number;
  hour?: number;
  twelveHour?: boolean;
  pm?: boolean;
  minute?: number;
  second?: number;
  micros?: number;
  tzh?: number;
  tzm?: number;
}

const monthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const dayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const invalidValue = (value: string, key: string, detail: string): SqlError => new SqlError('22007', `invalid value "${value}" for "${key}"`, { detail });
const isSeparator = (char: string): boolean => /^[\x21-\x7e]$/.test(char) && !/^[A-Za-z0-9]$/.test(char);
const isSpace = (char: string | undefined): boolean => char !== undefined && /^\s$/.test(char);

/** The width of a numeric field (DCH_keywords' len), or undefined for a field that is not numeric. */
const numericWidths: ReadonlyMap<string, number> = new Map([
  ['YYYY', 4], ['YYY', 3], ['YY', 2], ['Y', 1], ['MM', 2], ['DD', 2], ['DDD', 3], ['HH', 2], ['HH12', 2], ['HH24', 2], ['MI', 2], ['SS', 2],
  ['MS', 3], ['US', 6], ['FF1', 1], ['FF2', 2], ['FF3', 3], ['FF4', 4], ['FF5', 5], ['FF6', 6], ['TZM', 2],
]);

/** The broken-down fields of `input` as `template` reads them. */
function readFields(input: string, template: string): Fields {
  const nodes: ({ kind: 'char'; char: string } | Extract<Node, { kind: 'field' }>)[] = [];
  for (const node of parseTemplate(template)) {
    if (node.kind === 'text') for (const char of node.text) nodes.push({ kind: 'char', char });
    else nodes.push(node);
  }
  const fields: Fields = {};
  let at = 0;
  let extraSkip = 0;
  const skipSpaces = (): number => {
    let count = 0;
    while (isSpace(input[at])) {
      at++;
      count++;
    }
    return count;
  };
  /** Whether what follows node `index` cannot be a digit (PostgreSQL's is_next_separator). */
  const nextIsSeparator = (index: number): boolean => {
    const next = nodes[index + 1];
    if (next === undefined) return true;
    if (next.kind === 'field') return !numericWidths.has(next.key.toUpperCase());
    return !/^[0-9]$/.test(next.char);
  };
  const readInt = (index: number, key: string, width: number, fm: boolean): number => {
    skipSpaces();
    const copy = input.slice(at, at + width);
    let text: string;
    if (fm || nextIsSeparator(index)) {
      text = /^[+-]?\d+/.exec(input.slice(at))?.[0] ?? '';
    } else {
      if (copy.length < width) throw new SqlError('22007', `source string too short for "${key}" formatting field`, { detail: `Field requires ${width} characters, but only ${copy.length} remain.`, hint: 'If your source string is not fixed-width, try using the "FM" modifier.' });
      text = /^[+-]?\d+/.exec(copy)?.[0] ?? '';
      if (text.length > 0 && text.length < width) throw invalidValue(copy, key, `Field requires ${width} characters, but only ${text.length} could be parsed.`);
    }
    if (text === '') throw invalidValue(copy, key, 'Value must be an integer.');
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < -2147483648 || value > 2147483647) throw new SqlError('22008', `value for "${key}" in source string is out of range`);
    at += text.length;
    return value;
  };
  const readName = (key: string, names: readonly string[], length: number | null): number => {
    skipSpaces();
    const rest = input.slice(at).toLowerCase();
    const found = names.findIndex((name) => rest.startsWith(length === null ? name : name.slice(0, length)));
    if (found < 0) throw invalidValue(input.slice(at, at + (length ?? 9)), key, 'The given value did not match any of the allowed values for this field.');
    at += length === null ? names[found]!.length : length;
    return found;
  };
  nodes.forEach((node, index) => {
    if (at >= input.length) return;
    if (node.kind === 'char' || index === 0) extraSkip += skipSpaces();
    if (node.kind === 'char') {
      if (isSpace(node.char) || isSeparator(node.char)) {
        extraSkip--;
        if (isSpace(input[at]) || isSeparator(input[at]!)) {
          at++;
          extraSkip++;
        }
      } else if (extraSkip > 0) extraSkip--;
      else at++;
      return;
    }
    const key = node.key;
    const upper = key.toUpperCase();
    switch (upper) {
      case 'YYYY':
      case 'YYY':
      case 'YY':
      case 'Y': {
        const before = at;
        fields.year = readInt(index, key, numericWidths.get(upper)!, node.fm);
        fields.yearDigits = input.slice(before, at).trim().replace(/^[+-]/, '').length;
        if (upper === 'YYYY') fields.yearDigits = 4;
        break;
      }
      case 'Y,YYY': {
        skipSpaces();
        const match = /^(\d+),(\d{3})/.exec(input.slice(at));
        if (match === null) throw invalidValue(input.slice(at, at + 5), key, 'Value must be in the form Y,YYY.');
        fields.year = Number(match[1]) * 1000 + Number(match[2]);
        fields.yearDigits = 4;
        at += match[0].length;
        break;
      }
      case 'MM':
        fields.month = readInt(index, key, 2, node.fm);
        break;
      case 'MONTH':
        fields.month = readName(key, monthNames, null) + 1;
        break;
      case 'MON':
        fields.month = readName(key, monthNames, 3) + 1;
        break;
      case 'DAY':
        readName(key, dayNames, null);
        break;
      case 'DY':
        readName(key, dayNames, 3);
        break;
      case 'DD':
        fields.day = readInt(index, key, 2, node.fm);
        break;
      case 'DDD':
        fields.yearDay = readInt(index, key, 3, node.fm);
        break;
      case 'HH':
      case 'HH12':
        fields.hour = readInt(index, key, 2, node.fm);
        fields.twelveHour = true;
        break;
      case 'HH24':
        fields.hour = readInt(index, key, 2, node.fm);
        break;
      case 'MI':
        fields.minute = readInt(index, key, 2, node.fm);
        break;
      case 'SS':
        fields.second = readInt(index, key, 2, node.fm);
        break;
      case 'MS':
      case 'US':
      case 'FF1':
      case 'FF2':
      case 'FF3':
      case 'FF4':
      case 'FF5':
      case 'FF6': {
        skipSpaces();
        const before = at;
        const value = readInt(index, key, numericWidths.get(upper)!, node.fm);
        const digits = at - before;
        // A fraction read with fewer digits than the field's width is scaled (".5" of MS is 500 ms).
        const width = upper === 'MS' ? 3 : upper === 'US' ? 6 : Number(upper[2]);
        const scaled = value * 10 ** (width - Math.min(digits, width));
        fields.micros = upper === 'MS' ? scaled * 1000 : scaled * 10 ** (6 - width);
        break;
      }
      case 'AM':
      case 'PM':
      case 'A.M.':
      case 'P.M.': {
        skipSpaces();
        const dotted = upper.length === 4;
        const text = input.slice(at, at + (dotted ? 4 : 2)).toUpperCase();
        const am = dotted ? 'A.M.' : 'AM';
        const pm = dotted ? 'P.M.' : 'PM';
        if (text !== am && text !== pm) throw invalidValue(input.slice(at, at + (dotted ? 4 : 2)), key, 'The given value did not match any of the allowed values for this field.');
        fields.pm = text === pm;
        at += text.length;
        break;
      }
      case 'TZH': {
        skipSpaces();
        const match = /^([+-]?)\s*(\d{1,2})/.exec(input.slice(at));
        if (match === null) throw invalidValue(input.slice(at, at + 2), key, 'Value must be an integer.');
        fields.tzh = (match[1] === '-' ? -1 : 1) * Number(match[2]);
        if (match[1] === '-' && Number(match[2]) === 0) fields.tzh = -0;
        at += match[0].length;
        break;
      }
      case 'TZM':
        fields.tzm = readInt(index, key, 2, node.fm);
        break;
      default:
        throw new SqlError('0A000', `formatting field "${key}" is not supported in to_timestamp and to_date yet`);
    }
    extraSkip = skipSpaces();
  });
  return fields;
}

/** PostgreSQL's adjust_partial_year_to_2020: a year of fewer digits is the nearest to 2020 (`24` 2024, `70` 1970). */
function fullYear(fields: Fields): number {
  const year = fields.year ?? 0;
  if (fields.yearDigits === 2 && year < 100) return year < 70 ? year + 2000 : year + 1900;
  if (fields.yearDigits === 3 && year < 1000) return year < 100 ? year + 2000 : year + 1000;
  if (fields.yearDigits === 1 && year < 10) return year + 2020 > 2029 ? year + 2010 : year + 2020;
  return year;
}

/** The local date-time (µs since 2000) the fields name, checked as PostgreSQL's ValidateDate does. */
function localMicros(fields: Fields, input: string): bigint {
  const year = fullYear(fields);
  let month = fields.month ?? 1;
  let day = fields.day ?? 1;
  const civilYear = year; // 0 is 1 BC
  if (fields.yearDay !== undefined && fields.month === undefined && fields.day === undefined) {
    const date = civilFromDays(daysFromCivil(civilYear, 1, 1) + fields.yearDay - 1);
    if (date.year !== civilYear) throw new SqlError('22008', `date/time field value out of range: "${input}"`);
    month = date.month;
    day = date.day;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(civilYear, month)) {
    throw new SqlError('22008', `date/time field value out of range: "${input}"`);
  }
  let hour = fields.hour ?? 0;
  if (fields.twelveHour === true && (hour < 1 || hour > 12)) {
    throw new SqlError('22007', `hour "${hour}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
  }
  if (fields.pm === true && hour < 12) hour += 12;
  else if (fields.pm === false && hour === 12) hour = 0;
  const minute = fields.minute ?? 0;
  const second = fields.second ?? 0;
  if (hour > 24 || minute > 59 || second > 60 || hour < 0 || minute < 0 || second < 0) throw new SqlError('22008', `date/time field value out of range: "${input}"`);
  const days = daysFromCivil(civilYear, month, day);
  return BigInt(days) * microsPerDay + BigInt(hour) * 3_600_000_000n + BigInt(minute) * 60_000_000n + BigInt(second) * 1_000_000n + BigInt(fields.micros ?? 0);
}

/** to_timestamp(text, text): the fields in the session's zone, or at the TZH:TZM offset given. */
export function toTimestamp(input: string, template: string, zone: TimeZone): bigint {
  const fields = readFields(input, template);
  const local = localMicros(fields, input);
  if (fields.tzh !== undefined || fields.tzm !== undefined) {
    const hours = fields.tzh ?? 0;
    const negative = hours < 0 || Object.is(hours, -0);
    const offsetSeconds = (negative ? -1 : 1) * (Math.abs(hours) * 3600 + (fields.tzm ?? 0) * 60);
    return checkTimestamp(local - BigInt(offsetSeconds) * 1_000_000n);
  }
  return checkTimestamp(localToUtcMicros(zone, local));
}

/** to_date(text, text): the date the fields name (time fields are read and dropped). */
export function toDate(input: string, template: string): number {
  const fields = readFields(input, template);
  return splitMicros(localMicros(fields, input)).days;
}
