/**
 * `CAST(value AS type)` with PostgreSQL's conversions, rounding and errors:
 *
 * - to a string type: the output function (`true::text` is `true`, not `t`; `char(n)` loses its
 *   padding); from a string type: the input function;
 * - between integers: range checked (22003 `smallint out of range`);
 * - float → integer rounds half to even (`rint`); numeric → integer rounds half away from zero;
 *   NaN or ±Infinity → integer fails as PostgreSQL does;
 * - float → numeric goes through 15 (float8) or 6 (float4) significant digits, as PostgreSQL 15's
 *   `float8_numeric` (`0.1::float8::numeric` is `0.1`); numeric → float is correctly rounded;
 * - float8 → float4: 22003 `value out of range: overflow` / `underflow`;
 * - int4 ↔ bool; integers → oid;
 * - date ↔ timestamp ↔ timestamptz through the session time zone;
 * - then the target's modifier, as an explicit cast (`'abcd'::varchar(3)` is `abc`) or as an
 *   assignment (`explicit: false`: 22001).
 *
 * Anything else is 42846 `cannot cast type boolean to date`. Which casts may be applied
 * implicitly is the planner's concern (pg_cast's contexts), not this file's.
 */
import { assert } from '../../src/base/assert.js';
import { withShapeOf } from './array-shape.js';
import { splitMicros } from './calendar.js';
import {
  dateEndDays,
  dateNegativeInfinity,
  datePositiveInfinity,
  int16Max,
  int16Min,
  int32Max,
  int32Min,
  int64Max,
  int64Min,
  isFiniteDate,
  isFiniteTimestamp,
  microsPerDay,
  timestampEndMicros,
  timestampMinMicros,
  timestampNegativeInfinity,
  timestampPositiveInfinity,
  uint32Max,
  type Datum,
} from './datum.js';
import { CannotCoerceError, DatetimeFieldOverflowError, FeatureNotSupportedError, InvalidParameterValueError, NumericValueOutOfRangeError } from './errors.js';
import { normalizeJsonb } from './jsonb-text.js';
import { Numeric } from './numeric.js';
import { defaultTextContext, formatText, parseText, truncateName, type TextContext } from './text-io.js';
import { localToUtcMicros, offsetSecondsAt } from './timezone.js';
import { trimTrailingBlanks } from './compare.js';
import { applyTypmod } from './typmod.js';
import { formatType, isStringKind, jsonbType, sameType, typeOfKind, type ScalarKind, type SqlType } from './sql-type.js';

export interface CastOptions {
  /** True for CAST / `::` (strings truncate), false for an assignment (strings too long fail). */
  readonly explicit: boolean;
  readonly context?: TextContext;
}

const textLikeKinds: ReadonlySet<string> = new Set(['text', 'varchar', 'bpchar', 'name', 'unknown']);

/** `value::to`, where `value` is of type `from`. */
export function castDatum(value: Datum, from: SqlType, to: SqlType, options: CastOptions = { explicit: true }): Datum {
  if (value === null) return null;
  const context = options.context ?? defaultTextContext;
  if (from.kind === 'record' || to.kind === 'record') {
    if (from.kind === 'record' && to.kind === 'record' && sameType(from, to)) return value;
    return castFromOrToText(value, from, to, options, context);
  }
  if (from.kind === 'array' || to.kind === 'array') {
    if (from.kind !== 'array' || to.kind !== 'array') return castFromOrToText(value, from, to, options, context);
    return withShapeOf(value as readonly Datum[], (value as readonly Datum[]).map((element) => castDatum(element, from.element, to.element, options)));
  }
  const converted = from.kind === to.kind ? value : convert(value, from.kind, to.kind, from, to, context);
  return applyTypmod(to, converted, options.explicit);
}

function castFromOrToText(value: Datum, from: SqlType, to: SqlType, options: CastOptions, context: TextContext): Datum {
  if (textLikeKinds.has(to.kind)) return applyTypmod(to, formatText(from, value, context), options.explicit);
  if (textLikeKinds.has(from.kind)) return applyTypmod(to, parseText(baseType(to), value as string, context), options.explicit);
  throw cannotCast(from, to);
}

function baseType(type: SqlType): SqlType {
  return type.kind === 'array' || type.kind === 'record' ? type : typeOfKind(type.kind);
}

function cannotCast(from: SqlType, to: SqlType): CannotCoerceError {
  return new CannotCoerceError(`cannot cast type ${formatType(from)} to ${formatType(to)}`);
}

function convert(value: Datum, fromKind: ScalarKind, toKind: ScalarKind, from: SqlType, to: SqlType, context: TextContext): Datum {
  if (textLikeKinds.has(toKind)) return toText(value, from, toKind, context);
  if (textLikeKinds.has(fromKind)) return parseText(baseType(to), value as string, context);
  const numericResult = convertNumber(value, fromKind, toKind);
  if (numericResult !== undefined) return numericResult;
  const temporal = convertTemporal(value, fromKind, toKind, context);
  if (temporal !== undefined) return temporal;
  if (fromKind === 'bool' && toKind === 'int4') return value ? 1 : 0;
  if (fromKind === 'int4' && toKind === 'bool') return value !== 0;
  if (fromKind === 'json' && toKind === 'jsonb') return normalizeJsonb(value as string);
  // jsonb's text (jsonb_out) is JSON: it is the json value as it is.
  if (fromKind === 'jsonb' && toKind === 'json') return value;
  if (fromKind === 'jsonb') return fromJsonb(value as string, to);
  throw cannotCast(from, to);
}

function toText(value: Datum, from: SqlType, toKind: ScalarKind, context: TextContext): string {
  let text: string;
  if (from.kind === 'bool') text = value ? 'true' : 'false';
  else if (from.kind === 'bpchar') text = trimTrailingBlanks(value as string);
  else text = formatText(from, value, context);
  return toKind === 'name' ? truncateName(text) : text;
}

type NumberKind = 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric' | 'oid';
const numberKinds: ReadonlySet<string> = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'regclass', 'regtype', 'regproc']);

function asNumberKind(kind: ScalarKind): NumberKind | undefined {
  if (!numberKinds.has(kind)) return undefined;
  return kind === 'regclass' || kind === 'regtype' || kind === 'regproc' ? 'oid' : (kind as NumberKind);
}

function convertNumber(value: Datum, fromKind: ScalarKind, toKind: ScalarKind): Datum | undefined {
  const from = asNumberKind(fromKind);
  const to = asNumberKind(toKind);
  if (from === undefined || to === undefined) return undefined;
  if (from === to) return value;
  switch (to) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
      return toInteger(value, from, to);
    case 'float4':
    case 'float8':
      return toFloat(value, from, to === 'float4');
    case 'numeric':
      return toNumeric(value, from);
  }
}

const integerLimits = {
  int2: { min: BigInt(int16Min), max: BigInt(int16Max), message: 'smallint out of range' },
  int4: { min: BigInt(int32Min), max: BigInt(int32Max), message: 'integer out of range' },
  int8: { min: int64Min, max: int64Max, message: 'bigint out of range' },
  oid: { min: 0n, max: BigInt(uint32Max), message: 'OID out of range' },
} as const;

/** C's `rint`: half to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

function toInteger(value: Datum, from: NumberKind, to: 'int2' | 'int4' | 'int8' | 'oid'): number | bigint {
  const limits = integerLimits[to];
  let whole: bigint;
  if (from === 'numeric') {
    const numeric = value as Numeric;
    if (numeric.isNaN) throw new FeatureNotSupportedError(`cannot convert NaN to ${to === 'int2' ? 'smallint' : to === 'int8' ? 'bigint' : 'integer'}`);
    if (!numeric.isFinite) throw new FeatureNotSupportedError(`cannot convert infinity to ${to === 'int2' ? 'smallint' : to === 'int8' ? 'bigint' : 'integer'}`);
    whole = numeric.toBigIntRounded();
  } else if (from === 'float4' || from === 'float8') {
    const number = value as number;
    if (!Number.isFinite(number)) throw new NumericValueOutOfRangeError(limits.message);
    whole = BigInt(roundHalfEven(number));
  } else {
    whole = BigInt(value as number | bigint);
  }
  if (to === 'oid' && whole < 0n && whole >= BigInt(int32Min) && from !== 'int8') whole += BigInt(uint32Max) + 1n;
  if (whole < limits.min || whole > limits.max) throw new NumericValueOutOfRangeError(limits.message);
  return to === 'int8' ? whole : Number(whole);
}

function toFloat(value: Datum, from: NumberKind, single: boolean): number {
  let result: number;
  if (from === 'numeric') return numericToFloat(value as Numeric, single);
  else if (from === 'int8') result = Number(value as bigint);
  else result = value as number;
  if (!single) return result;
  const narrowed = Math.fround(result);
  if (from === 'float8') {
    if (!Number.isFinite(narrowed) && Number.isFinite(result)) throw new NumericValueOutOfRangeError('value out of range: overflow');
    if (narrowed === 0 && result !== 0) throw new NumericValueOutOfRangeError('value out of range: underflow');
  }
  return narrowed;
}

/** PostgreSQL's `numeric_float8`/`numeric_float4`: through the text, out of range is 22003. */
function numericToFloat(value: Numeric, single: boolean): number {
  const text = value.toString();
  const wide = Number(text);
  const result = single ? Math.fround(wide) : wide;
  if (value.isFinite && (!Number.isFinite(result) || (result === 0 && value.sign !== 0))) {
    throw new NumericValueOutOfRangeError(`"${text}" is out of range for type ${single ? 'real' : 'double precision'}`);
  }
  return result;
}

/** `%.{digits}g` of a finite float, as C's printf writes it (only the value and scale matter here). */
function toSignificantDigits(value: number, digits: number): string {
  const text = value.toPrecision(digits);
  if (text.includes('e')) {
    const [mantissa, exponent] = text.split('e') as [string, string];
    return `${mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa}e${exponent}`;
  }
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function toNumeric(value: Datum, from: NumberKind): Numeric {
  if (from === 'int8') return Numeric.fromBigInt(value as bigint);
  if (from === 'float4' || from === 'float8') {
    const number = value as number;
    if (Number.isNaN(number)) return Numeric.nan;
    if (!Number.isFinite(number)) return number > 0 ? Numeric.infinity : Numeric.negativeInfinity;
    return Numeric.parse(toSignificantDigits(number, from === 'float4' ? 6 : 15));
  }
  return Numeric.fromBigInt(BigInt(value as number));
}

function convertTemporal(value: Datum, from: ScalarKind, to: ScalarKind, context: TextContext): Datum | undefined {
  const zone = context.timeZone;
  if (from === 'date' && (to === 'timestamp' || to === 'timestamptz')) {
    const days = value as number;
    if (days === datePositiveInfinity) return timestampPositiveInfinity;
    if (days === dateNegativeInfinity) return timestampNegativeInfinity;
    const local = BigInt(days) * microsPerDay;
    const result = to === 'timestamp' ? local : localToUtcMicros(zone, local);
    if (result < timestampMinMicros || result >= timestampEndMicros) throw new DatetimeFieldOverflowError('date out of range for timestamp');
    return result;
  }
  if ((from === 'timestamp' || from === 'timestamptz') && to === 'date') {
    const micros = value as bigint;
    if (micros === timestampPositiveInfinity) return datePositiveInfinity;
    if (micros === timestampNegativeInfinity) return dateNegativeInfinity;
    const local = from === 'timestamp' ? micros : micros + BigInt(offsetSecondsAt(zone, micros)) * 1_000_000n;
    const days = splitMicros(local).days;
    assert(isFiniteDate(days) && days < dateEndDays, 'timestamp date in range');
    return days;
  }
  if (from === 'timestamp' && to === 'timestamptz') {
    const micros = value as bigint;
    return isFiniteTimestamp(micros) ? localToUtcMicros(zone, micros) : micros;
  }
  if (from === 'timestamptz' && to === 'timestamp') {
    const micros = value as bigint;
    return isFiniteTimestamp(micros) ? micros + BigInt(offsetSecondsAt(zone, micros)) * 1_000_000n : micros;
  }
  return undefined;
}

const jsonbTypeNames: Readonly<Record<string, string>> = { int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', numeric: 'numeric', bool: 'boolean' };

/** `jsonb::numeric|int|float|bool`: only a jsonb scalar of the right kind (22023 otherwise). */
function fromJsonb(text: string, to: SqlType): Datum {
  const targetName = jsonbTypeNames[to.kind];
  if (targetName === undefined) throw cannotCast(jsonbType, to);
  const kind = text.startsWith('{') ? 'object' : text.startsWith('[') ? 'array' : text.startsWith('"') ? 'string' : text === 'null' ? 'null' : text === 'true' || text === 'false' ? 'boolean' : 'numeric';
  const wanted = to.kind === 'bool' ? 'boolean' : 'numeric';
  if (kind !== wanted) {
    if (kind === 'null' && to.kind !== 'bool') throw new InvalidParameterValueError(`cannot cast jsonb null to type ${targetName}`);
    throw new InvalidParameterValueError(`cannot cast jsonb ${kind} to type ${targetName}`);
  }
  if (to.kind === 'bool') return text === 'true';
  const numeric = Numeric.parse(text);
  return to.kind === 'numeric' ? numeric : (convertNumber(numeric, 'numeric', to.kind as ScalarKind) as Datum);
}

/** Whether values of `type` are held as JS strings (for callers that build datums from text). */
export function holdsString(type: SqlType): boolean {
  return isStringKind(type.kind);
}
