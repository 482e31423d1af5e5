/**
 * PostgreSQL's bucketing and scale functions over numbers (numeric.c, float.c,
 * arrayfuncs.c):
 *
 * - `width_bucket(operand, low, high, count)` — which of `count` equal-width buckets between two
 *   bounds holds the operand: 0 below the range, `count + 1` at or above its end, the bounds
 *   reversed when `low > high` (then the buckets count down). numeric and float8 overloads.
 * - `width_bucket(operand, thresholds)` — the number of thresholds at or below the operand (a
 *   sorted one-dimensional array without NULLs, which PostgreSQL assumes and does not check
 *   beyond the NULLs).
 * - `trim_scale(numeric)` drops trailing fractional zeros; `min_scale(numeric)` is the scale that
 *   would keep (NULL for NaN and the infinities, as `scale`).
 * - `factorial(int8)` is a numeric; a negative argument is 22003, as PostgreSQL 15.
 */
import { assert } from '../../../src/base/assert.js';
import { castDatum } from '../../types/cast.js';
import { compareDatums } from '../../types/compare.js';
import type { Datum } from '../../types/datum.js';
import { NumericValueOutOfRangeError } from '../../types/errors.js';
import { Numeric, numericWeightDigitsMax } from '../../types/numeric.js';
import { arrayType, float8Type, int4Type, formatType, int8Type, numericType, type ScalarType, type SqlType } from '../../types/sql-type.js';
import { parseText } from '../../types/text-io.js';
import { SqlError } from '../../catalog/errors.js';
import type { EvalContext } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';

const int4Max = 2_147_483_647;

/**
 * The largest n whose n! has at most numericWeightDigitsMax digits before the point (32177! has
 * 131,068; 32178! has 131,073): beyond it PostgreSQL's multiplication overflows the numeric
 * format, so the product is not computed at all.
 */
const factorialArgumentMax = 32177n;

const bucketError = (message: string): SqlError => new SqlError('2201G', message);
const integerOutOfRange = (): SqlError => new SqlError('22003', 'integer out of range');

function checkCount(count: number): void {
  if (count <= 0) throw bucketError('count must be greater than zero');
}

/** `count + 1`, the bucket past the range's end; 22003 past int4. */
function pastEnd(count: number): number {
  if (count >= int4Max) throw integerOutOfRange();
  return count + 1;
}

/** PostgreSQL's `width_bucket_float8`. */
export function widthBucketFloat8(operand: number, low: number, high: number, count: number): number {
  checkCount(count);
  if (Number.isNaN(operand) || Number.isNaN(low) || Number.isNaN(high)) throw bucketError('operand, lower bound, and upper bound cannot be NaN');
  if (!Number.isFinite(low) || !Number.isFinite(high)) throw bucketError('lower and upper bounds must be finite');
  if (low === high) throw bucketError('lower bound cannot equal upper bound');
  const ascending = low < high;
  if (ascending ? operand < low : operand > low) return 0;
  if (ascending ? operand >= high : operand <= high) return pastEnd(count);
  const fraction = ascending ? (count * (operand - low)) / (high - low) : (count * (low - operand)) / (low - high);
  const bucket = Math.trunc(fraction) + 1;
  // PostgreSQL converts an out-of-range double to int32 without a check (undefined in C); say so.
  if (!Number.isFinite(bucket) || bucket > int4Max) throw integerOutOfRange();
  return bucket;
}

/** PostgreSQL's `width_bucket_numeric`: exact, the bucket truncated from (operand − low) · count / (high − low). */
export function widthBucketNumeric(operand: Numeric, low: Numeric, high: Numeric, count: number): number {
  checkCount(count);
  if (operand.isNaN || low.isNaN || high.isNaN) throw bucketError('operand, lower bound, and upper bound cannot be NaN');
  if (!low.isFinite || !high.isFinite) throw bucketError('lower and upper bounds must be finite');
  const order = low.compare(high);
  if (order === 0) throw bucketError('lower bound cannot equal upper bound');
  const ascending = order < 0;
  if (ascending ? operand.compare(low) < 0 : operand.compare(low) > 0) return 0;
  if (ascending ? operand.compare(high) >= 0 : operand.compare(high) <= 0) return pastEnd(count);
  assert(operand.isFinite, 'an infinite operand is outside the bounds');
  const scale = Math.max(operand.scale, low.scale, high.scale);
  const offset = ascending ? operand.scaledTo(scale) - low.scaledTo(scale) : low.scaledTo(scale) - operand.scaledTo(scale);
  const width = ascending ? high.scaledTo(scale) - low.scaledTo(scale) : low.scaledTo(scale) - high.scaledTo(scale);
  assert(offset >= 0n && offset < width, 'the operand lies inside the bounds');
  const bucket = (offset * BigInt(count)) / width + 1n;
  if (bucket > BigInt(int4Max)) throw integerOutOfRange();
  return Number(bucket);
}

/**
 * PostgreSQL's `width_bucket_array`: how many thresholds are at or below the operand, by binary
 * search over the (assumed sorted) thresholds.
 */
export function widthBucketArray(operand: Datum, thresholds: readonly Datum[], element: SqlType): number {
  assert(operand !== null, 'width_bucket is strict');
  if (thresholds.includes(null)) throw new SqlError('22004', 'thresholds array must not contain NULLs');
  let low = 0;
  let high = thresholds.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareDatums(element, operand, thresholds[middle]!) >= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** trim_scale: the value with its trailing fractional zeros dropped (non-finite values as they are). */
export function trimScale(value: Numeric): Numeric {
  if (!value.isFinite) return value;
  return value.trunc(minScale(value));
}

/** min_scale: the fewest fractional digits that represent the value exactly. */
export function minScale(value: Numeric): number {
  assert(value.isFinite, 'min_scale of a finite value');
  let scale = value.scale;
  let unscaled = value.unscaled;
  while (scale > 0 && unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale -= 1;
  }
  return scale;
}

/** factorial(n) as numeric: 1 for 0, 22003 for a negative n or a product past the numeric format. */
export function factorial(n: bigint): Numeric {
  if (n < 0n) throw new SqlError('22003', 'factorial of a negative number is undefined');
  if (n > factorialArgumentMax) throw new NumericValueOutOfRangeError('value overflows numeric format');
  const product = productOfRange(1n, n);
  assert(product.toString().length <= numericWeightDigitsMax, 'factorialArgumentMax keeps the product in range');
  return Numeric.fromBigInt(product);
}

/** The product of the integers in [from, to], split in halves so the big multiplications are balanced. */
function productOfRange(from: bigint, to: bigint): bigint {
  if (from > to) return 1n;
  if (to - from < 16n) {
    let product = 1n;
    for (let factor = from; factor <= to; factor++) product *= factor;
    return product;
  }
  const middle = (from + to) / 2n;
  return productOfRange(from, middle) * productOfRange(middle + 1n, to);
}

const numberRank: Readonly<Record<string, number>> = { int2: 1, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6 };

/**
 * The array form's operand and thresholds in one type (PostgreSQL's anycompatible): the same
 * type as they are, numbers widened to the wider of the two, an untyped literal read as the
 * element type; otherwise 42883 as PostgreSQL's resolution.
 */
function unifyBucketArgs(operand: Datum, operandType: SqlType, thresholds: readonly Datum[], element: ScalarType, ctx: EvalContext): { operand: Datum; thresholds: readonly Datum[]; type: SqlType } {
  if (operandType.kind === element.kind) return { operand, thresholds, type: element };
  if (operandType.kind === 'text' || operandType.kind === 'unknown') return { operand: parseText(element, operand as string, ctx.textContext), thresholds, type: element };
  const operandRank = numberRank[operandType.kind];
  const elementRank = numberRank[element.kind];
  if (operandRank === undefined || elementRank === undefined) throw noWidthBucket([operandType, arrayType(element)]);
  if (operandRank > elementRank) return { operand, thresholds: thresholds.map((value) => castDatum(value, element, operandType, { explicit: false })), type: operandType };
  return { operand: castDatum(operand, operandType, element, { explicit: false }), thresholds, type: element };
}

function noWidthBucket(types: readonly SqlType[]): SqlError {
  const names = types.map((type) => formatType(type));
  return new SqlError('42883', `function width_bucket(${names.join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
}

function strict(args: readonly (SqlType | 'any')[], result: FunctionOverload['result'], impl: FunctionOverload['impl']): FunctionOverload {
  return { args, result, strict: true, immutable: true, impl };
}

/** The functions above, for functions.ts's table. float8 before numeric: integers take float8, as PostgreSQL. */
export function numericFunctions(): [string, readonly FunctionOverload[]][] {
  const num = [numericType()] as const;
  return [
    [
      'width_bucket',
      [
        strict([float8Type, float8Type, float8Type, int4Type], int4Type, ([x, low, high, count]) => widthBucketFloat8(x as number, low as number, high as number, count as number)),
        strict([numericType(), numericType(), numericType(), int4Type], int4Type, ([x, low, high, count]) => widthBucketNumeric(x as Numeric, low as Numeric, high as Numeric, count as number)),
        strict(['any', 'any'], int4Type, ([x, thresholds], types, ctx) => {
          const arrayType = types[1]!;
          if (arrayType.kind !== 'array') throw noWidthBucket(types);
          const unified = unifyBucketArgs(x!, types[0]!, thresholds as readonly Datum[], arrayType.element, ctx);
          return widthBucketArray(unified.operand, unified.thresholds, unified.type);
        }),
      ],
    ],
    ['trim_scale', [strict(num, numericType(), ([x]) => trimScale(x as Numeric))]],
    ['min_scale', [strict(num, int4Type, ([x]) => ((x as Numeric).isFinite ? minScale(x as Numeric) : null))]],
    ['factorial', [strict([int8Type], numericType(), ([n]) => factorial(n as bigint))]],
  ];
}
