/**
 * Type modifiers applied to values, as PostgreSQL's length-coercion functions do: `varchar(n)`
 * and `char(n)` (an assignment fails with 22001 unless only blanks are cut; an explicit cast
 * truncates; `char(n)` pads with blanks), `numeric(p, s)` (round to s, then 22003 `numeric field
 * overflow` if more than p − s integer digits remain), `timestamp(p)` (round to p fractional
 * digits, half away from zero), `interval [fields] (p)` (drop the excluded fields, round the
 * seconds).
 */
import { assert } from '../../src/base/assert.js';
import { withShapeOf } from './array-shape.js';
import { interval, isFiniteTimestamp, type Datum, type Interval } from './datum.js';
import { NumericValueOutOfRangeError, StringDataRightTruncationError } from './errors.js';
import { Numeric, pow10 } from './numeric.js';
import { formatType, intervalFieldMasks, intervalFullPrecision, intervalFullRange, intervalTypmodParts, type IntervalType, type NumericType, type SqlType } from './sql-type.js';

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
    case 'interval':
      return fitInterval(datum as Interval, type);
    case 'array':
      return withShapeOf(datum as readonly Datum[], (datum as readonly Datum[]).map((element) => applyTypmod(type.element, element, explicit)));
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

/** PostgreSQL's AdjustIntervalForTypmod: drop the fields the range excludes, round the seconds. */
function fitInterval(value: Interval, type: IntervalType): Interval {
  const { range, precision } = intervalTypmodParts(type);
  const masks = intervalFieldMasks;
  let { months, days, micros } = value;
  if (range !== intervalFullRange) {
    const hasDay = (range & masks.day) !== 0;
    const hasHour = (range & masks.hour) !== 0;
    const hasMinute = (range & masks.minute) !== 0;
    const hasSecond = (range & masks.second) !== 0;
    if (range === masks.year) months = Math.trunc(months / 12) * 12;
    if (!hasDay && !hasHour && !hasMinute && !hasSecond) {
      days = 0;
      micros = 0n;
    } else if (!hasHour && !hasMinute && !hasSecond) micros = 0n;
    else if (!hasMinute && !hasSecond) micros = (micros / 3_600_000_000n) * 3_600_000_000n;
    else if (!hasSecond) micros = (micros / 60_000_000n) * 60_000_000n;
  }
  if (precision !== intervalFullPrecision && precision < 6) micros = roundTimestamp(micros, precision, true);
  return months === value.months && days === value.days && micros === value.micros ? value : interval(months + 0, days + 0, micros);
}

/** Rounds to `precision` fractional digits, half away from zero (PostgreSQL's AdjustTimestampForTypmod). */
export function roundTimestamp(micros: bigint, precision: number, finite = false): bigint {
  if ((!finite && !isFiniteTimestamp(micros)) || precision >= 6) return micros;
  const unit = pow10(6 - precision);
  const half = unit / 2n;
  return micros >= 0n ? ((micros + half) / unit) * unit : -(((-micros + half) / unit) * unit);
}
