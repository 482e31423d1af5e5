/**
 * Arithmetic with PostgreSQL's results and errors. Operands share one type (the planner inserts
 * the implicit casts first: `int4 + int8` is `int8 + int8`); NULL in gives NULL out.
 *
 * - int2/int4/int8: exact, 22003 `smallint|integer|bigint out of range` on overflow, division
 *   truncates toward zero, `%` takes the dividend's sign, 22012 `division by zero`.
 * - float4/float8: IEEE (float4 rounded to single), 22003 `value out of range: overflow` when
 *   finite operands give an infinity (`underflow` when nonzero operands give zero in × and ÷),
 *   22012 on a zero divisor (except NaN / 0 = NaN).
 * - numeric: exact, with the scales of numeric.ts.
 * - interval: `+`, `-` field by field, 22008 `interval out of range`.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { int16Max, int16Min, int32Max, int32Min, int64Max, int64Min, interval, type Datum, type Interval } from './datum.js';
import { DatetimeFieldOverflowError, DivisionByZeroError, NumericValueOutOfRangeError, UndefinedFunctionError } from './errors.js';
import type { Numeric } from './numeric.js';
import { formatType, type SqlType } from './sql-type.js';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

function intRange(kind: 'int2' | 'int4'): { min: number; max: number; message: string } {
  return kind === 'int2' ? { min: int16Min, max: int16Max, message: 'smallint out of range' } : { min: int32Min, max: int32Max, message: 'integer out of range' };
}

function smallInt(kind: 'int2' | 'int4', operator: ArithmeticOperator, left: number, right: number): number {
  const range = intRange(kind);
  let result: number;
  switch (operator) {
    case '+':
      result = left + right;
      break;
    case '-':
      result = left - right;
      break;
    case '*':
      // A product outside the range may be inexact in a double, but it is outside either way.
      result = left * right;
      break;
    case '/':
      if (right === 0) throw new DivisionByZeroError();
      result = Math.trunc(left / right);
      break;
    case '%':
      if (right === 0) throw new DivisionByZeroError();
      return (left % right) + 0;
    default:
      return assertNever(operator, 'operator');
  }
  if (result < range.min || result > range.max) throw new NumericValueOutOfRangeError(range.message);
  return result + 0;
}

function bigInt(operator: ArithmeticOperator, left: bigint, right: bigint): bigint {
  let result: bigint;
  switch (operator) {
    case '+':
      result = left + right;
      break;
    case '-':
      result = left - right;
      break;
    case '*':
      result = left * right;
      break;
    case '/':
      if (right === 0n) throw new DivisionByZeroError();
      result = left / right;
      break;
    case '%':
      if (right === 0n) throw new DivisionByZeroError();
      return left % right;
    default:
      return assertNever(operator, 'operator');
  }
  if (result < int64Min || result > int64Max) throw new NumericValueOutOfRangeError('bigint out of range');
  return result;
}

function float(single: boolean, operator: ArithmeticOperator, left: number, right: number, type: SqlType): number {
  const round = single ? Math.fround : (value: number): number => value;
  let result: number;
  switch (operator) {
    case '+':
      result = round(left + right);
      break;
    case '-':
      result = round(left - right);
      break;
    case '*':
      result = round(left * right);
      if (result === 0 && left !== 0 && right !== 0) throw new NumericValueOutOfRangeError('value out of range: underflow');
      break;
    case '/':
      if (right === 0 && !Number.isNaN(left)) throw new DivisionByZeroError();
      result = round(left / right);
      if (result === 0 && left !== 0 && Number.isFinite(right)) throw new NumericValueOutOfRangeError('value out of range: underflow');
      break;
    case '%':
      throw new UndefinedFunctionError(`operator does not exist: ${formatType(type)} % ${formatType(type)}`);
    default:
      return assertNever(operator, 'operator');
  }
  if (!Number.isFinite(result) && !Number.isNaN(result) && Number.isFinite(left) && Number.isFinite(right)) {
    throw new NumericValueOutOfRangeError('value out of range: overflow');
  }
  return result;
}

/** `left operator right` in exact numeric arithmetic (SQL's numeric; jsonpath's numbers too). */
export function numericArithmetic(operator: ArithmeticOperator, left: Numeric, right: Numeric): Numeric {
  switch (operator) {
    case '+':
      return left.add(right);
    case '-':
      return left.sub(right);
    case '*':
      return left.mul(right);
    case '/':
      return left.div(right);
    case '%':
      return left.mod(right);
    default:
      return assertNever(operator, 'operator');
  }
}

/** `left operator right`, both of `type`. 42883 if PostgreSQL has no such operator. */
export function arithmetic(operator: ArithmeticOperator, type: SqlType, left: Datum, right: Datum): Datum {
  if (left === null || right === null) return null;
  switch (type.kind) {
    case 'int2':
    case 'int4':
      return smallInt(type.kind, operator, left as number, right as number);
    case 'int8':
      return bigInt(operator, left as bigint, right as bigint);
    case 'float4':
    case 'float8':
      return float(type.kind === 'float4', operator, left as number, right as number, type);
    case 'numeric':
      return numericArithmetic(operator, left as Numeric, right as Numeric);
    case 'interval':
      if (operator === '+' || operator === '-') return addIntervals(left as Interval, right as Interval, operator === '-');
      break;
    default:
      break;
  }
  throw new UndefinedFunctionError(`operator does not exist: ${formatType(type)} ${operator} ${formatType(type)}`);
}

/** Unary minus: `-x`, 22003 for the most negative integer. */
export function negate(type: SqlType, value: Datum): Datum {
  if (value === null) return null;
  switch (type.kind) {
    case 'int2':
    case 'int4':
      return smallInt(type.kind, '-', 0, value as number);
    case 'int8':
      return bigInt('-', 0n, value as bigint);
    case 'float4':
    case 'float8':
      return -(value as number);
    case 'numeric':
      return (value as Numeric).negate();
    case 'interval': {
      const { months, days, micros } = value as Interval;
      return checkInterval(-months, -days, -micros);
    }
    default:
      throw new UndefinedFunctionError(`operator does not exist: - ${formatType(type)}`);
  }
}

function addIntervals(left: Interval, right: Interval, subtract: boolean): Interval {
  const sign = subtract ? -1 : 1;
  return checkInterval(left.months + sign * right.months, left.days + sign * right.days, left.micros + BigInt(sign) * right.micros);
}

/** An interval from fields, 22008 `interval out of range` if one overflows. */
export function checkInterval(months: number, days: number, micros: bigint): Interval {
  if (months < int32Min || months > int32Max || days < int32Min || days > int32Max || micros < int64Min || micros > int64Max) {
    throw new DatetimeFieldOverflowError('interval out of range');
  }
  return interval(months + 0, days + 0, micros);
}

/** `text || text`: NULL if either side is NULL. */
export function concat(left: string | null, right: string | null): string | null {
  if (left === null || right === null) return null;
  return left + right;
}

/** `abs(x)` for the numeric types. */
export function absolute(type: SqlType, value: Datum): Datum {
  if (value === null) return null;
  if (type.kind === 'numeric') return (value as Numeric).abs();
  if (type.kind === 'float4' || type.kind === 'float8') return Math.abs(value as number);
  if (type.kind === 'int8') return (value as bigint) < 0n ? negate(type, value) : value;
  assert(type.kind === 'int2' || type.kind === 'int4', () => `abs of ${type.kind}`);
  return (value as number) < 0 ? negate(type, value) : value;
}
