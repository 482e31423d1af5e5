/**
 * `RANGE BETWEEN n PRECEDING AND m FOLLOWING`: PostgreSQL's in_range support functions. A RANGE
 * frame with an offset holds the rows whose one ORDER BY value lies within the offset of the
 * current row's; which values an offset may have depends on the column's type (btree opfamily
 * support procedure 3, `in_range(val, base, offset, sub, less)`):
 *
 * | ORDER BY column                | offset                                    |
 * |--------------------------------|-------------------------------------------|
 * | smallint, integer              | smallint, integer, bigint                 |
 * | bigint                         | bigint                                    |
 * | numeric                        | numeric                                   |
 * | real, double precision         | double precision                          |
 * | date, timestamp, timestamptz   | interval                                  |
 * | interval                       | interval                                  |
 *
 * and no other type has one (0A000). The offset's type is chosen as transformFrameOffset does: the
 * candidate the offset can be implicitly coerced to, preferring its own type (or, for an untyped
 * literal, the column's).
 */
import { SqlError } from '../catalog/errors.js';
import { compareOperator } from '../types/compare.js';
import { interval, type Datum, type Interval } from '../types/datum.js';
import type { Numeric } from '../types/numeric.js';
import { compareDatums } from '../types/compare.js';
import { float8Type, formatType, int2Type, int4Type, int8Type, intervalType, numericType, type SqlType } from '../types/sql-type.js';
import { canCoerce, coerce, isOpen } from './expr/coerce.js';
import type { CompiledExpr, EvalContext } from './expr/compiled.js';
import { binaryOperator } from './expr/operators.js';

/** A RANGE frame's offset test for one ORDER BY type. */
export interface InRange {
  /** 22013 unless `offset` is a valid size (not negative, not NaN). */
  checkOffset(offset: Datum): void;
  /**
   * PostgreSQL's in_range: `val <= base ± offset` when `less`, else `val >= base ± offset`
   * (minus when `sub`). Neither `val` nor `base` is NULL; `offset` has been checked.
   */
  test(val: Datum, base: Datum, offset: Datum, sub: boolean, less: boolean, ctx: EvalContext): boolean;
}

/** The offset types PostgreSQL's in_range functions take for an ORDER BY column of `type`, in pg_amproc's order. */
function offsetCandidates(type: SqlType): SqlType[] {
  switch (type.kind) {
    case 'int2':
    case 'int4':
      return [int8Type, int4Type, int2Type];
    case 'int8':
      return [int8Type];
    case 'numeric':
      return [numericType()];
    case 'float4':
    case 'float8':
      return [float8Type];
    case 'date':
    case 'timestamp':
    case 'timestamptz':
    case 'interval':
      return [intervalType];
    default:
      return [];
  }
}

/**
 * The offset coerced to the in_range type chosen for an ORDER BY column of `columnType`, and the
 * test: 0A000 when the column has no in_range function or none takes the offset's type.
 */
export function rangeOffset(columnType: SqlType, offset: CompiledExpr, paramTypes: (SqlType | undefined)[]): { offset: CompiledExpr; inRange: InRange } {
  const candidates = offsetCandidates(columnType);
  if (candidates.length === 0) throw new SqlError('0A000', `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatType(columnType)}`);
  const preferred = isOpen(offset) ? columnType : offset.type;
  const matches = candidates.filter((candidate) => isOpen(offset) || canCoerce(offset.type, candidate, 'implicit'));
  const offsetTypeName = isOpen(offset) ? 'unknown' : formatType(offset.type);
  if (matches.length === 0) {
    throw new SqlError('0A000', `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatType(columnType)} and offset type ${offsetTypeName}`, { hint: 'Cast the offset value to an appropriate type.' });
  }
  const selected = matches.find((candidate) => candidate.kind === preferred.kind) ?? (matches.length === 1 ? matches[0]! : undefined);
  if (selected === undefined) {
    throw new SqlError('0A000', `RANGE with offset PRECEDING/FOLLOWING has multiple interpretations for column type ${formatType(columnType)} and offset type ${offsetTypeName}`, { hint: 'Cast the offset value to the exact intended type.' });
  }
  return { offset: coerce(offset, selected, 'implicit', paramTypes), inRange: inRangeFor(columnType, paramTypes) };
}

const invalidSize = (): SqlError => new SqlError('22013', 'invalid preceding or following size in window function');

function inRangeFor(columnType: SqlType, paramTypes: (SqlType | undefined)[]): InRange {
  switch (columnType.kind) {
    case 'int2':
    case 'int4':
    case 'int8':
      return integerInRange;
    case 'float4':
    case 'float8':
      return floatInRange;
    case 'numeric':
      return operatorInRange(columnType, numericType(), (offset) => (offset as Numeric).isNaN || (offset as Numeric).sign < 0, paramTypes);
    default: {
      const zero = interval(0, 0, 0n);
      return operatorInRange(columnType, intervalType, (offset) => compareDatums(intervalType, offset as Interval, zero) < 0, paramTypes);
    }
  }
}

/** Integers: exact in bigint, so `base ± offset` never overflows (PostgreSQL treats an overflowing sum as beyond every value, the same answer). */
const integerInRange: InRange = {
  checkOffset(offset) {
    if (BigInt(offset as number | bigint) < 0n) throw invalidSize();
  },
  test(val, base, offset, sub, less) {
    const bound = sub ? BigInt(base as number | bigint) - BigInt(offset as number | bigint) : BigInt(base as number | bigint) + BigInt(offset as number | bigint);
    const value = BigInt(val as number | bigint);
    return less ? value <= bound : value >= bound;
  },
};

/** in_range_float8_float8: NaN sorts above everything, and `±inf ∓ inf` is taken as in range. */
const floatInRange: InRange = {
  checkOffset(offset) {
    const size = offset as number;
    if (Number.isNaN(size) || size < 0) throw invalidSize();
  },
  test(val, base, offset, sub, less) {
    const v = val as number;
    const b = base as number;
    const o = offset as number;
    if (Number.isNaN(v)) return Number.isNaN(b) ? true : !less;
    if (Number.isNaN(b)) return less;
    if (!Number.isFinite(o) && !Number.isFinite(b) && (sub ? b > 0 : b < 0)) return true;
    const bound = sub ? b - o : b + o;
    return less ? v <= bound : v >= bound;
  },
};

/**
 * The other types through the SQL operators themselves (`base + offset`, then `val <= sum`), so
 * date and timestamptz arithmetic (months, days, the session's time zone) is the operators'.
 * Numeric NaN needs no case of its own: NaN sorts above every number, as in_range_numeric says.
 */
function operatorInRange(columnType: SqlType, offsetType: SqlType, negative: (offset: Datum) => boolean, paramTypes: (SqlType | undefined)[]): InRange {
  const column = (index: number, type: SqlType): CompiledExpr => ({ type, eval: (row) => row[index] ?? null, rowIndependent: false });
  const base = column(0, columnType);
  const offset = column(1, offsetType);
  const plus = binaryOperator('+', base, offset, paramTypes);
  const minus = binaryOperator('-', base, offset, paramTypes);
  const sumType = plus.type;
  const value = coerce(column(2, columnType), sumType, 'implicit', paramTypes).eval;
  const scratch: Datum[] = [null, null, null];
  return {
    checkOffset(size) {
      if (negative(size)) throw invalidSize();
    },
    test(val, baseValue, size, sub, less, ctx) {
      scratch[0] = baseValue;
      scratch[1] = size;
      scratch[2] = val;
      const bound = (sub ? minus : plus).eval(scratch, ctx);
      return compareOperator(less ? '<=' : '>=', sumType, value(scratch, ctx), bound) === true;
    },
  };
}
