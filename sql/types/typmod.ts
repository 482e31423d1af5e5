/**
 * Type modifiers applied to values, as PostgreSQL's length-coercion functions do: `varchar(n)`
 * and `char(n)` (an assignment fails with 22001 unless only blanks are cut; an explicit cast
 * truncates; `char(n)` pads with blanks), `numeric(p, s)` (round to s, then 22003 `numeric field
 * overflow` if more than p − s integer digits remain), `timestamp(p)` (round to p fractional
 * digits, half away from zero).
 */
import { assert } from '../../src/base/assert.js';
import { isFiniteTimestamp, type Datum } from './datum.js';
import { NumericValueOutOfRangeError, StringDataRightTruncationError } from './errors.js';
import { Numeric, pow10 } from './numeric.js';
import { formatType, type NumericType, type SqlType } from './sql-type.js';

/** `22003 numeric field overflow`, with PostgreSQL's detail line in `detail`. */
export class NumericFieldOverflowError extends NumericValueOutOfRangeError {
  constructor(readonly detail: string) {
    super('numeric field overflow');
  }
}

/** Applies `type`'s modifier to `datum` (null passes); `explicit` is true for a CAST. */
export function applyTypmod(type: SqlType, datum: Datum, explicit: boolean): Datum {
  if (datum === null || type.typmod === -1) return datum;
  switch (type.kind) {
    case 'varchar':
      return fitString(datum as string, type.length!, false, explicit, formatType(type));
    case 'bpchar':
      return fitString(datum as string, type.length!, true, explicit, formatType(type));
    case 'numeric':
      return fitNumeric(datum as Numeric, type);
    case 'timestamp':
    case 'timestamptz':
      return type.precision === undefined ? datum : roundTimestamp(datum as bigint, type.precision);
    case 'array':
      return (datum as readonly Datum[]).map((element) => applyTypmod(type.element, element, explicit));
    default:
      return datum;
  }
}

function fitString(value: string, length: number, pad: boolean, explicit: boolean, typeText: string): string {
  const chars = [...value];
  if (chars.length <= length) return pad ? value + ' '.repeat(length - chars.length) : value;
  if (!explicit && chars.slice(length).some((char) => char !== ' ')) {
    throw new StringDataRightTruncationError(`value too long for type ${typeText}`);
  }
  return chars.slice(0, length).join('');
}

function fitNumeric(value: Numeric, type: NumericType): Numeric {
  assert(type.precision !== undefined && type.scale !== undefined, 'numeric typmod');
  if (value.isNaN) return value;
  if (!value.isFinite) {
    throw new NumericFieldOverflowError(`A field with precision ${type.precision}, scale ${type.scale} cannot hold an infinite value.`);
  }
  const rounded = value.round(type.scale);
  const integerDigitsMax = type.precision - type.scale;
  if (rounded.integerDigits() > integerDigitsMax) {
    const bound = integerDigitsMax > 0 ? `10^${integerDigitsMax}` : integerDigitsMax === 0 ? '1' : `10^${integerDigitsMax}`;
    throw new NumericFieldOverflowError(`A field with precision ${type.precision}, scale ${type.scale} must round to an absolute value less than ${bound}.`);
  }
  return rounded;
}

/** Rounds to `precision` fractional digits, half away from zero (PostgreSQL's AdjustTimestampForTypmod). */
export function roundTimestamp(micros: bigint, precision: number): bigint {
  if (!isFiniteTimestamp(micros) || precision >= 6) return micros;
  const unit = pow10(6 - precision);
  const half = unit / 2n;
  return micros >= 0n ? ((micros + half) / unit) * unit : -(((-micros + half) / unit) * unit);
}
