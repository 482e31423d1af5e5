/**
 * Text I/O of every type: `formatText(type, datum, context)` is PostgreSQL's output function
 * (`typoutput`), `parseText(type, text, context)` its input function (`typinput`) followed by
 * the column's type modifier (so `'abcd'` into `varchar(3)` fails with 22001 as an INSERT does).
 * Both are exactly PostgreSQL 15's with DateStyle ISO, MDY, IntervalStyle postgres,
 * extra_float_digits 1 and bytea_output hex; the session time zone comes in `context`.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { parseArrayText, formatArrayText } from './array-text.js';
import { checkJsonPath, formatJsonPath } from './jsonpath-parse.js';
import { arrayShape, isPlainArray, shapedArray } from './array-shape.js';
import { applyTypmod } from './typmod.js';
import { isInterval, type Datum } from './datum.js';
import { defaultDatetimeContext, formatDate, formatTimestamp, formatTimestamptz, parseDate, parseTimestamp, parseTimestamptz, type DatetimeContext } from './datetime-text.js';
import { formatFloat4, formatFloat8, parseFloat4, parseFloat8 } from './float-text.js';
import { parseInt2, parseInt4, parseInt8, parseOid } from './int-text.js';
import { formatInterval, parseInterval } from './interval-text.js';
import { validateJson } from './json-text.js';
import { normalizeJsonb } from './jsonb-text.js';
import { Numeric } from './numeric.js';
import { formatBool, formatBytea, parseBool, parseBytea, parseUuid } from './scalar-text.js';
import { isInt2vector, type RecordType, type ScalarType, type SqlType } from './sql-type.js';
import { FeatureNotSupportedError } from './errors.js';

/** What text I/O depends on besides the value: the session's time zone and extra_float_digits. */
export interface TextContext extends DatetimeContext {
  /** The session's extra_float_digits (-15…3); absent or above 0, floats print in shortest form. */
  readonly extraFloatDigits?: number;
}
export const defaultTextContext: TextContext = defaultDatetimeContext;

/** PostgreSQL's output function of `type`; `datum` must not be null (NULL has no text). */
export function formatText(type: SqlType, datum: Datum, context: TextContext = defaultTextContext): string {
  assert(datum !== null, 'NULL has no text form');
  if (isInt2vector(type)) return (datum as readonly Datum[]).map((element) => String(element as number)).join(' ');
  if (type.kind === 'record') return formatRecordText(type, datum as readonly Datum[], context);
  if (type.kind === 'array') {
    assert(Array.isArray(datum), 'array datum');
    const elements = datum as readonly Datum[];
    return formatArrayText(elements.map((element) => (element === null ? undefined : formatText(type.element, element, context))), isPlainArray(elements) ? undefined : arrayShape(elements));
  }
  return formatScalar(type, datum, context);
}

/**
 * PostgreSQL's `record_out`: `(a,b)`, a NULL field empty, a field quoted when it is empty or holds
 * a quote, backslash, parenthesis, comma or white space (quotes and backslashes doubled inside).
 */
function formatRecordText(type: RecordType, values: readonly Datum[], context: TextContext): string {
  assert(values.length === type.fields.length, 'record datum has one value per field');
  const fields = type.fields.map((field, index) => {
    const value = values[index] ?? null;
    if (value === null) return '';
    const text = formatText(field.type, value, context);
    if (text !== '' && !/["\\(),\s]/.test(text)) return text;
    return `"${text.replace(/["\\]/g, (c) => c + c)}"`;
  });
  return `(${fields.join(',')})`;
}

function formatScalar(type: ScalarType, datum: Datum, context: TextContext): string {
  switch (type.kind) {
    case 'bool':
      return formatBool(datum as boolean);
    case 'int2':
    case 'int4':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
      return String(datum as number);
    case 'int8':
      return (datum as bigint).toString();
    case 'float4':
      return formatFloat4(datum as number, context.extraFloatDigits);
    case 'float8':
      return formatFloat8(datum as number, context.extraFloatDigits);
    case 'numeric':
      return (datum as Numeric).toString();
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'uuid':
    case 'json':
    case 'jsonb':
    case 'unknown':
      return datum as string;
    case 'jsonpath':
      return formatJsonPath(datum as string);
    case 'bytea':
      return formatBytea(datum as Uint8Array);
    case 'date':
      return formatDate(datum as number);
    case 'timestamp':
      return formatTimestamp(datum as bigint);
    case 'timestamptz':
      return formatTimestamptz(datum as bigint, context.timeZone);
    case 'interval':
      assert(isInterval(datum), 'interval datum');
      return formatInterval(datum);
    default:
      return assertNever(type, 'type');
  }
}

/**
 * PostgreSQL's input function of `type` and then its modifier (an assignment: too-long strings
 * fail). Throws the SQL data errors of errors.ts with PostgreSQL's messages.
 */
export function parseText(type: SqlType, text: string, context: TextContext = defaultTextContext): Datum {
  if (isInt2vector(type)) return parseInt2vector(text);
  if (type.kind === 'record') throw new FeatureNotSupportedError('input of anonymous composite types is not implemented');
  if (type.kind === 'array') {
    const parsed = parseArrayText(text);
    return shapedArray(parsed.elements.map((element) => (element === undefined ? null : parseText(type.element, element, context))), parsed.shape);
  }
  return applyTypmod(type, parseScalar(type, text, context), false);
}

function parseScalar(type: ScalarType, text: string, context: TextContext): Datum {
  switch (type.kind) {
    case 'bool':
      return parseBool(text);
    case 'int2':
      return parseInt2(text);
    case 'int4':
      return parseInt4(text);
    case 'int8':
      return parseInt8(text);
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
      return parseOid(text);
    case 'float4':
      return parseFloat4(text);
    case 'float8':
      return parseFloat8(text);
    case 'numeric':
      return Numeric.parse(text);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'unknown':
      return text;
    case 'name':
      return truncateName(text);
    case 'uuid':
      return parseUuid(text);
    case 'json':
      return validateJson(text);
    case 'jsonb':
      return normalizeJsonb(text);
    case 'jsonpath':
      return checkJsonPath(text);
    case 'bytea':
      return parseBytea(text);
    case 'date':
      return parseDate(text, context);
    case 'timestamp':
      return parseTimestamp(text, context);
    case 'timestamptz':
      return parseTimestamptz(text, context);
    case 'interval':
      return parseInterval(text);
    default:
      return assertNever(type, 'type');
  }
}

/** `int2vector`'s input: integers separated by spaces (PostgreSQL's `int2vectorin`). */
function parseInt2vector(text: string): Datum {
  const items = text.trim();
  return items === '' ? [] : items.split(/\s+/).map((item) => parseInt2(item));
}

/** NAMEDATALEN − 1 = 63 bytes, cut at a character boundary, as PostgreSQL's `namein`. */
export function truncateName(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 63) return text;
  let length = 63;
  while (length > 0 && (bytes[length]! & 0xc0) === 0x80) length--;
  return bytes.subarray(0, length).toString('utf8');
}
