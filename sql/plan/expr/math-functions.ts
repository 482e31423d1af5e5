/**
 * PostgreSQL's mathematical functions over float8 and numeric (`sqrt`, `cbrt`, `exp`, `ln`,
 * `log`, `power` / `^`, `trunc`, `sign`), with PostgreSQL's result types, result scales and
 * errors (float.c and numeric.c).
 *
 * float8 follows the C library as PostgreSQL does, then checks the result the way PostgreSQL's
 * `float_overflow_error` / `float_underflow_error` do. numeric stays exact: `sqrt` and integer
 * powers are computed on bigints and rounded once (half away from zero) to the scale PostgreSQL
 * chooses (`numeric_sqrt`'s "NUMERIC_MIN_SIG_DIGITS significant digits, at least the input's
 * display scale"; `power_var`'s 16 digits after the point for an integer exponent). `ln`,
 * `log` and `exp` on numeric are computed in bigint fixed point (square-root argument reduction
 * and an atanh series; halving and a Taylor series) with guard digits past PostgreSQL's result
 * scale, then rounded once; a numeric `power` with a non-integer exponent is exp(y · ln x) in the
 * same fixed point, at the scale PostgreSQL's `power_var` chooses.
 */
import { Numeric, pow10 } from '../../types/numeric.js';
import { SqlError } from '../../catalog/errors.js';

/** PostgreSQL's NUMERIC_MIN_SIG_DIGITS: significant digits a computed numeric result gets at least. */
const numericMinSignificantDigits = 16;
/** PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE: the largest scale a computed result gets. */
const numericMaxDisplayScale = 1000;
/** PostgreSQL's NUMERIC_MAX_RESULT_SCALE: the scale `trunc`/`round` clamp their argument to. */
const numericMaxResultScale = 2000;
/**
 * Most decimal digits of the exact power `|base|^n` rangedb computes before rounding; past it a
 * numeric power is refused (0A000) rather than held as a huge bigint (PostgreSQL instead works
 * to a bounded precision; a limit keeps one expression from taking the node's CPU and memory).
 */
const numericPowerExactDigitsMax = 20_000;

const overflow = (): SqlError => new SqlError('22003', 'value out of range: overflow');
const underflow = (): SqlError => new SqlError('22003', 'value out of range: underflow');

/** Checks a float8 result as PostgreSQL's float.c does: infinite from finite input overflows, zero from non-zero underflows. */
function checkFloat(result: number, inputInfinite: boolean, zeroAllowed: boolean): number {
  if (!Number.isFinite(result) && !Number.isNaN(result) && !inputInfinite) throw overflow();
  if (result === 0 && !zeroAllowed) throw underflow();
  return result;
}

export function sqrtFloat8(x: number): number {
  if (x < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  return Math.sqrt(x);
}

export function cbrtFloat8(x: number): number {
  return Math.cbrt(x);
}

export function expFloat8(x: number): number {
  if (Number.isNaN(x)) return x;
  return checkFloat(Math.exp(x), !Number.isFinite(x), x === -Infinity);
}

function checkLogArgument(x: number): void {
  if (x === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
}

export function lnFloat8(x: number): number {
  checkLogArgument(x);
  return Math.log(x);
}

export function log10Float8(x: number): number {
  checkLogArgument(x);
  return Math.log10(x);
}

/** PostgreSQL's `dpow`: POSIX pow's NaN and infinity rules, its domain errors, then overflow checks. */
export function powerFloat8(base: number, exponent: number): number {
  if (Number.isNaN(base)) return Number.isNaN(exponent) || exponent !== 0 ? NaN : 1;
  if (Number.isNaN(exponent)) return base === 1 ? 1 : NaN;
  if (base === 0 && exponent < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (base < 0 && Number.isFinite(exponent) && Math.floor(exponent) !== exponent) {
    throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  }
  if (Math.abs(base) === 1 && !Number.isFinite(exponent)) return 1; // POSIX: pow(±1, ±inf) = 1; JavaScript says NaN.
  const result = Math.pow(base, exponent);
  const inputInfinite = !Number.isFinite(base) || !Number.isFinite(exponent);
  return checkFloat(result, inputInfinite, base === 0 || inputInfinite);
}

export function signFloat8(x: number): number {
  if (Number.isNaN(x)) return x;
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

export function signNumeric(x: Numeric): Numeric {
  if (x.isNaN) return x;
  return Numeric.of(BigInt(x.sign));
}

/** `trunc(numeric, scale)`: toward zero; the scale is clamped as PostgreSQL clamps it. */
export function truncNumeric(x: Numeric, scale: number): Numeric {
  return x.trunc(Math.max(-numericMaxResultScale, Math.min(numericMaxResultScale, scale)));
}

/**
 * The weight of a non-zero numeric in PostgreSQL's base-10000 digits (the position of its
 * leading digit group: 0 for 1..9999, -1 for 0.0001..0.9999); 0 for zero, as PostgreSQL stores it.
 */
function base10000Weight(x: Numeric): number {
  if (x.unscaled === 0n) return 0;
  const exponent = (x.unscaled < 0n ? -x.unscaled : x.unscaled).toString().length - 1 - x.scale;
  return Math.floor(exponent / 4);
}

/** `round(numerator / denominator)`, half away from zero, for a positive denominator. */
function divideRound(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (2n * (remainder < 0n ? -remainder : remainder) >= denominator) return quotient + (numerator < 0n ? -1n : 1n);
  return quotient;
}

function integerSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from above the root: a float estimate while n fits a double, else a power of two.
  const estimate = Math.sqrt(Number(n));
  let x = Number.isFinite(estimate) ? BigInt(Math.floor(estimate)) + 1n : 0n;
  if (x * x <= n) x = 1n << BigInt(Math.ceil(n.toString(2).length / 2) + 1);
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

/**
 * PostgreSQL's `numeric_sqrt`: the result scale gives about 16 significant digits and at least
 * the argument's scale; the root is truncated to one digit more and rounded (as `sqrt_var` does),
 * which is the correctly rounded root.
 */
export function sqrtNumeric(x: Numeric): Numeric {
  if (x.isNaN || x.form === 'infinity') return x;
  if (x.sign < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  const sweight = ((base10000Weight(x) + 1) * 4) / 2 - 1;
  const rscale = Math.min(Math.max(numericMinSignificantDigits - sweight, x.scale, 0), numericMaxDisplayScale);
  return sqrtNumericToScale(x, rscale);
}

/**
 * The square root of a non-negative finite `x` rounded to `rscale` digits after the point
 * (PostgreSQL's `sqrt_var`): numeric_sqrt's scale above, or the one stddev's division chose.
 */
export function sqrtNumericToScale(x: Numeric, rscale: number): Numeric {
  // floor(x · 10^(2·(rscale+1))): exact unless the argument's scale is above 2·(rscale+1) (a
  // scale past the 1000 cap), where flooring first still gives the same integer root.
  const shift = 2 * (rscale + 1) - x.scale;
  const scaled = shift >= 0 ? x.unscaled * pow10(shift) : x.unscaled / pow10(-shift);
  const root = integerSqrt(scaled); // floor(√x · 10^(rscale+1))
  return Numeric.of(divideRound(root, 10n), rscale);
}

/** The estimate of `exponent · log10|base|` that `power_var_int` chooses its scale from (up to 4 base-10000 digits). */
function powerWeightEstimate(base: Numeric, exponent: number): number {
  const { digits, weight } = base10000Groups(base);
  let f = digits[0]!;
  let p = weight * 4;
  for (let i = 1; i < digits.length && i * 4 < 16; i++) {
    f = f * 10000 + digits[i]!;
    p -= 4;
  }
  return exponent * (Math.log10(f) + p);
}

/**
 * PostgreSQL's `numeric_power` for an integer exponent (`power_var_int`): the exact power rounded
 * half away from zero to the scale PostgreSQL 15 chooses (16 digits after the point, at least
 * the base's display scale, at most 1000). NaN follows PostgreSQL's rules
 * (`NaN ^ 0` and `1 ^ NaN` are 1); a non-integer exponent goes through `powerNumericReal`;
 * infinities are refused with 0A000.
 */
export function powerNumeric(base: Numeric, exponent: Numeric): Numeric {
  if (base.isNaN || exponent.isNaN) {
    if (base.isNaN && exponent.isFinite && exponent.sign === 0) return Numeric.of(1n);
    if (exponent.isNaN && base.isFinite && base.compare(Numeric.of(1n)) === 0) return Numeric.of(1n);
    return Numeric.nan;
  }
  if (base.isFinite && base.sign === 0 && exponent.sign < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  const integral = exponent.isFinite && exponent.trunc(0).compare(exponent) === 0;
  if (base.isFinite && base.sign < 0 && exponent.isFinite && !integral) {
    throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  }
  if (!base.isFinite || !exponent.isFinite) throw new SqlError('0A000', 'power(numeric, numeric) with an infinite argument is not supported');
  const n = integral ? Number(exponent.trunc(0).unscaled) : NaN;
  // power_var_int takes exponents that fit an int; any other goes the exp(ln) way, as in PostgreSQL.
  if (!integral || !Number.isSafeInteger(n) || Math.abs(n) > 2_147_483_647) return powerNumericReal(base, exponent);
  return powerNumericInteger(base, n);
}

/**
 * PostgreSQL 15's `power_var` for a non-integer exponent: base^y = exp(y · ln base) for base > 0
 * (0 to a positive non-integer power is 0 at scale 16). The result scale is PostgreSQL's: 16 −
 * the estimated decimal weight of the result, at least both arguments' scales, at most 1000; past
 * ±3.01·2000 in the natural logarithm it overflows (22003) or is 0 at scale 1000. The logarithm and
 * the product are carried with guard digits past what the result scale needs (the exponent's
 * integer digits, the result's own integer digits and the exponential's halvings), then rounded
 * once.
 */
function powerNumericReal(base: Numeric, exponent: Numeric): Numeric {
  if (base.sign === 0) return Numeric.of(0n, numericMinSignificantDigits);
  // A first, low-precision ln(base)·y to size the result (power_var's `val`).
  const roughPrecision = Math.max(8 - estimateLnWeight(base), 0) + guardDigits;
  const times = (ln: bigint): bigint => (ln * exponent.unscaled) / pow10(exponent.scale);
  const rough = Number(times(lnOfNumeric(base, roughPrecision))) / 10 ** roughPrecision;
  if (Math.abs(rough) > numericMaxResultScale * 3.01) {
    if (rough > 0) throw new SqlError('22003', 'value overflows numeric format');
    return Numeric.of(0n, numericMaxDisplayScale);
  }
  const decimalWeight = rough * 0.434294481903252;
  const rscale = clampScale(Math.max(numericMinSignificantDigits - Math.trunc(decimalWeight), base.scale, exponent.scale));
  const exponentDigits = (exponent.unscaled < 0n ? -exponent.unscaled : exponent.unscaled).toString().length - exponent.scale;
  const precision = rscale + guardDigits + Math.max(0, Math.ceil(decimalWeight)) + Math.max(0, exponentDigits) + 4 + expHalvings(rough);
  return expToScale(times(lnOfNumeric(base, precision)), precision, rough, decimalWeight, rscale);
}

/**
 * PostgreSQL 15's `power_var` for an integer exponent: scale max(16, the base's scale) (capped
 * at 1000), a crude overflow test and an underflow to zero from the estimated result weight.
 */
function powerNumericInteger(base: Numeric, n: number): Numeric {
  const rscale = Math.min(Math.max(numericMinSignificantDigits, base.scale), numericMaxDisplayScale);
  const f = base.sign === 0 ? 0 : powerWeightEstimate(base, n);
  if (f > 3 * 32767 * 4) throw new SqlError('22003', 'value overflows numeric format');
  if (f + 1 < -rscale) return Numeric.of(0n, rscale);
  if (n === 0) return Numeric.of(pow10(rscale), rscale);
  if (base.sign === 0) return Numeric.of(0n, rscale);
  if (n === 1) return base.round(rscale); // power_var_int's own case: no product, any size of base
  const magnitudeDigits = (base.unscaled < 0n ? -base.unscaled : base.unscaled).toString().length;
  if (magnitudeDigits * Math.abs(n) > numericPowerExactDigitsMax) return powerIntegerByLogarithm(base, n, rscale);
  const k = BigInt(Math.abs(n));
  const power = base.unscaled ** k; // |base|^|n| · 10^(scale·|n|), with the sign of the result
  const powerScale = base.scale * Math.abs(n);
  if (n > 0) {
    return rscale >= powerScale ? Numeric.of(power * pow10(rscale - powerScale), rscale) : Numeric.of(divideRoundSigned(power, pow10(powerScale - rscale)), rscale);
  }
  // base^-|n| = 10^powerScale / power, rounded to rscale digits.
  return Numeric.of(divideRoundSigned(pow10(powerScale + rscale), power), rscale);
}

/**
 * base^n for an integer n whose exact power would have too many digits to hold (`1.000001 ^
 * 100000`): exp(n · ln |base|) in fixed point, rounded to the integer power's scale, negative for
 * a negative base and odd n. A result with more integer digits than the exact limit is refused
 * (0A000) rather than computed for minutes.
 */
function powerIntegerByLogarithm(base: Numeric, n: number, rscale: number): Numeric {
  const magnitude = base.abs();
  const roughPrecision = Math.max(8 - estimateLnWeight(magnitude), 0) + guardDigits;
  const rough = (Number(lnOfNumeric(magnitude, roughPrecision)) / 10 ** roughPrecision) * n;
  const decimalWeight = rough * 0.434294481903252;
  if (decimalWeight > numericPowerExactDigitsMax) throw new SqlError('0A000', `power(numeric, numeric) with exponent ${n} is not supported for this base: the result has about ${Math.round(decimalWeight)} digits`);
  const precision = rscale + guardDigits + Math.max(0, Math.ceil(decimalWeight)) + String(Math.abs(n)).length + 4 + expHalvings(rough);
  const result = expToScale(lnOfNumeric(magnitude, precision) * BigInt(n), precision, rough, decimalWeight, rscale);
  return base.sign < 0 && n % 2 !== 0 ? result.negate() : result;
}

/** `round(numerator / denominator)` half away from zero, for either sign of denominator. */
function divideRoundSigned(numerator: bigint, denominator: bigint): bigint {
  return denominator < 0n ? divideRound(-numerator, -denominator) : divideRound(numerator, denominator);
}

/**
 * Fixed-point arbitrary precision for the numeric transcendental functions: a bigint `v` stands
 * for v · 10^-precision. Each function works `guardDigits` past the scale it rounds to, so the
 * one final rounding (half away from zero, as PostgreSQL's `round_var`) gives PostgreSQL's digits
 * unless the true value lies within 10^-guardDigits of a rounding tie.
 */
const guardDigits = 12;

function fixedOf(x: Numeric, precision: number): bigint {
  return precision >= x.scale ? x.unscaled * pow10(precision - x.scale) : x.unscaled / pow10(x.scale - precision);
}

function fixedSqrt(v: bigint, precision: number): bigint {
  return integerSqrt(v * pow10(precision));
}

/** ln(v · 10^-precision) for v > 0: halve the logarithm by square roots until the argument is near 1, then 2·atanh((y−1)/(y+1)). */
function fixedLn(v: bigint, precision: number): bigint {
  const one = pow10(precision);
  let y = v;
  let halvings = 0;
  const near = one / 100n;
  while ((y > one ? y - one : one - y) > near) {
    y = fixedSqrt(y, precision);
    halvings++;
  }
  const z = ((y - one) * one) / (y + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    sum += term / k;
    term = (term * z2) / one;
  }
  return 2n * sum * (1n << BigInt(halvings));
}

/** PostgreSQL's `estimate_ln_dweight`: the decimal weight of ln(x), from which ln and log choose their scale. */
function estimateLnWeight(x: Numeric): number {
  if (x.sign <= 0) return 0;
  if (x.compare(n09) >= 0 && x.compare(n11) <= 0) {
    const d = x.sub(Numeric.of(1n));
    if (d.unscaled === 0n) return 0;
    const groups = base10000Groups(d);
    return groups.weight * 4 + Math.trunc(Math.log10(groups.digits[0]!));
  }
  const groups = base10000Groups(x);
  let digits = groups.digits[0]!;
  let dweight = groups.weight * 4;
  if (groups.digits.length > 1) {
    digits = digits * 10000 + groups.digits[1]!;
    dweight -= 4;
  }
  const lnValue = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnValue)));
}
const n09 = Numeric.of(9n, 1);
const n11 = Numeric.of(11n, 1);

/**
 * The leading (at most four) base-10000 digit groups of |x| ≠ 0, as PostgreSQL stores them
 * (trailing zero groups stripped), and the leading group's weight. Works on the decimal text:
 * splitting a long bigint by repeated division would be quadratic.
 */
function base10000Groups(x: Numeric): { digits: number[]; weight: number } {
  const magnitude = (x.unscaled < 0n ? -x.unscaled : x.unscaled).toString();
  const alignedScale = Math.ceil(x.scale / 4) * 4;
  const aligned = magnitude + '0'.repeat(alignedScale - x.scale);
  const text = '0'.repeat((4 - (aligned.length % 4)) % 4) + aligned;
  const weight = text.length / 4 - 1 - alignedScale / 4;
  const significant = text.replace(/0+$/, '');
  const groupCount = Math.min(4, Math.ceil(significant.length / 4));
  const digits: number[] = [];
  for (let i = 0; i < groupCount; i++) digits.push(Number(text.slice(i * 4, i * 4 + 4)));
  return { digits, weight };
}

function checkLnArgument(x: Numeric): void {
  if (x.isFinite && x.sign === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x.sign < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
}

const clampScale = (scale: number): number => Math.min(Math.max(scale, 0), numericMaxDisplayScale);

function roundFixed(v: bigint, precision: number, scale: number): Numeric {
  return Numeric.of(divideRoundSigned(v, pow10(precision - scale)), scale);
}

/** PostgreSQL's `numeric_ln`: scale 16 − the estimated weight of the result, at least the argument's. */
export function lnNumeric(x: Numeric): Numeric {
  if (x.isNaN) return x;
  checkLnArgument(x);
  if (x.form === 'infinity') return x;
  const rscale = clampScale(Math.max(numericMinSignificantDigits - estimateLnWeight(x), x.scale));
  const precision = rscale + guardDigits;
  return roundFixed(lnOfNumeric(x, precision), precision, rscale);
}

/** ln(x) at `precision`: ln of the mantissa in [1, 10) plus the decimal exponent times ln 10, so no fixed-point value loses its digits. */
function lnOfNumeric(x: Numeric, precision: number): bigint {
  const digitCount = x.unscaled.toString().length;
  const exponent = digitCount - 1 - x.scale;
  const work = precision + 4 + String(Math.abs(exponent)).length;
  // |x| / 10^exponent in [1, 10): the same digits with the point after the first.
  const mantissaFixed = fixedOf(Numeric.of(x.unscaled, digitCount - 1), work);
  const ln10 = fixedLn(10n * pow10(work), work);
  const total = fixedLn(mantissaFixed, work) + BigInt(exponent) * ln10;
  return divideRoundSigned(total, pow10(work - precision));
}

/** PostgreSQL's `numeric_log(base, x)`: scale 16 − (weight of ln x − weight of ln base), at least both arguments'. */
export function logNumeric(base: Numeric, x: Numeric): Numeric {
  if (base.isNaN || x.isNaN) return Numeric.nan;
  checkLnArgument(base);
  checkLnArgument(x);
  if (!base.isFinite || !x.isFinite) throw new SqlError('0A000', 'log(numeric, numeric) of an infinite argument is not supported');
  if (base.compare(Numeric.of(1n)) === 0) throw new SqlError('22012', 'division by zero');
  const rscale = clampScale(Math.max(numericMinSignificantDigits - (estimateLnWeight(x) - estimateLnWeight(base)), base.scale, x.scale));
  const precision = rscale + guardDigits;
  const lnBase = lnOfNumeric(base, precision + 20);
  const lnX = lnOfNumeric(x, precision + 20);
  return roundFixed((lnX * pow10(precision)) / lnBase, precision, rscale);
}

/** PostgreSQL's `numeric_exp`: scale 16 − the estimated decimal weight of the result, at least the argument's. */
export function expNumeric(x: Numeric): Numeric {
  if (x.isNaN || x.form === 'infinity') return x;
  if (x.form === '-infinity') return Numeric.zero;
  const value = Number(x.toString());
  const decimalWeight = Math.max(-numericMaxResultScale, Math.min(numericMaxResultScale, value * 0.434294481903252));
  const rscale = clampScale(Math.max(numericMinSignificantDigits - Math.trunc(decimalWeight), x.scale));
  if (Math.abs(value) >= numericMaxResultScale * 3) {
    // exp_var's crude range check: overflow, or zero at the result scale.
    if (value > 0) throw new SqlError('22003', 'value overflows numeric format');
    return Numeric.of(0n, rscale);
  }
  return expToScale(x.unscaled, x.scale, value, decimalWeight, rscale);
}

/** How often exp halves its argument first (so the Taylor series starts below 0.01). */
function expHalvings(value: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.abs(value) * 100 + 1)));
}

/**
 * exp(x · 10^-xPrecision) rounded to `rscale`: halve the argument until it is small, sum the
 * Taylor series, square back. `value` is x as a double and `decimalWeight` the result's estimated
 * decimal weight (for the working precision).
 */
function expToScale(x: bigint, xPrecision: number, value: number, decimalWeight: number, rscale: number): Numeric {
  const halvings = expHalvings(value);
  const precision = rscale + guardDigits + Math.max(0, Math.ceil(decimalWeight)) + halvings;
  const one = pow10(precision);
  const scaled = precision >= xPrecision ? x * pow10(precision - xPrecision) : x / pow10(xPrecision - precision);
  const y = scaled / (1n << BigInt(halvings));
  let term = one;
  let sum = 0n;
  for (let k = 1n; term !== 0n; k++) {
    sum += term;
    term = (term * y) / one / k;
  }
  for (let i = 0; i < halvings; i++) sum = (sum * sum) / one;
  return roundFixed(sum, precision, rscale);
}
