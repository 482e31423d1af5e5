/**
 * `Numeric`: PostgreSQL's exact arbitrary-precision decimal, with no floating point anywhere.
 *
 * A finite value is `unscaled × 10^-scale` with `unscaled` a bigint (its sign is the value's
 * sign) and `scale ≥ 0` the display scale (PostgreSQL's `dscale`): `1.50` is (150n, 2) and
 * prints with its trailing zero, `1.5` is (15n, 1); the two compare equal. NaN and ±Infinity
 * are values too (PostgreSQL ≥ 14): NaN equals NaN and sorts above everything, as in PostgreSQL.
 *
 * Result scales follow PostgreSQL's `numeric.c`:
 *
 * | operation | result scale                                                        |
 * |-----------|---------------------------------------------------------------------|
 * | + −       | max(s1, s2)                                                         |
 * | ×         | s1 + s2                                                             |
 * | ÷         | `select_div_scale`: enough for 16 significant digits, ≥ s1, ≥ s2, ≤ 1000 |
 * | %         | max(s1, s2) (x − trunc(x/y)·y)                                      |
 * | round(x,s)| s, rounding half away from zero                                     |
 */
import { assert } from '../../src/base/assert.js';
import { DivisionByZeroError, NumericValueOutOfRangeError, invalidSyntax } from './errors.js';

export type NumericForm = 'finite' | 'nan' | 'infinity' | '-infinity';

/** PostgreSQL's limits on digits before and after the point of an unconstrained numeric. */
export const numericWeightDigitsMax = 131072;
export const numericDisplayScaleMax = 16383;
/** NUMERIC_MIN_SIG_DIGITS and NUMERIC_MAX_DISPLAY_SCALE of select_div_scale. */
const minSignificantDigits = 16;
const maxDivisionDisplayScale = 1000;

/** Powers of ten kept: the small ones every operation uses (caching all would cost gigabytes). */
const cachedPowersMax = 64;
const powersOfTen: readonly bigint[] = Array.from({ length: cachedPowersMax + 1 }, (_, n) => 10n ** BigInt(n));

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  assert(Number.isInteger(n) && n >= 0, 'bad power of ten');
  return n <= cachedPowersMax ? powersOfTen[n]! : 10n ** BigInt(n);
}

/**
 * PostgreSQL's numeric limits: at most 131072 digits before the point and 16383 after; beyond
 * them 22003 `value overflows numeric format`. Cheap for ordinary values: the exact digit count
 * is taken only when a bound from the bit length says it might be near the limit.
 */
function checkRange(value: Numeric): Numeric {
  if (!value.isFinite || value.unscaled === 0n) return value;
  const magnitude = abs(value.unscaled);
  const digitsBound = Math.ceil(magnitude.toString(16).length * 4 * 0.30103) + 1;
  if (digitsBound - value.scale <= numericWeightDigitsMax && value.scale <= numericDisplayScaleMax) return value;
  if (value.scale > numericDisplayScaleMax || magnitude.toString().length - value.scale > numericWeightDigitsMax) {
    throw new NumericValueOutOfRangeError('value overflows numeric format');
  }
  return value;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** `numerator / denominator` rounded half away from zero (PostgreSQL's `round_var`). */
function divideRound(numerator: bigint, denominator: bigint): bigint {
  assert(denominator !== 0n, 'divide by zero');
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (2n * abs(remainder) >= abs(denominator)) return quotient + ((numerator < 0n) !== (denominator < 0n) ? -1n : 1n);
  return quotient;
}

export class Numeric {
  private constructor(
    readonly form: NumericForm,
    /** The digits with the value's sign; 0n unless finite. */
    readonly unscaled: bigint,
    /** Digits after the point (display scale); 0 unless finite. */
    readonly scale: number,
  ) {
    assert(Number.isInteger(scale) && scale >= 0, () => `bad numeric scale ${scale}`);
    Object.freeze(this);
  }

  static readonly nan: Numeric = new Numeric('nan', 0n, 0);
  static readonly infinity: Numeric = new Numeric('infinity', 0n, 0);
  static readonly negativeInfinity: Numeric = new Numeric('-infinity', 0n, 0);
  static readonly zero: Numeric = new Numeric('finite', 0n, 0);

  /** `unscaled × 10^-scale`. */
  static of(unscaled: bigint, scale = 0): Numeric {
    return new Numeric('finite', unscaled, scale);
  }

  static fromBigInt(value: bigint): Numeric {
    return new Numeric('finite', value, 0);
  }

  /**
   * PostgreSQL's `numeric_in`: blanks around, a sign, digits with a point, an exponent; `NaN`,
   * `Infinity`, `inf` (any case). Throws 22P02 with PostgreSQL's message otherwise.
   */
  static parse(text: string): Numeric {
    const trimmed = text.trim();
    const special = parseSpecial(trimmed);
    if (special !== undefined) return special;
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(trimmed);
    if (match === null || (match[2] ?? '').length + (match[3] ?? '').length === 0) throw invalidSyntax('numeric', text);
    const integerDigits = match[2] ?? '';
    const fractionDigits = match[3] ?? '';
    const exponentText = match[4];
    const exponent = exponentText === undefined ? 0 : Number(exponentText);
    if (Math.abs(exponent) > numericWeightDigitsMax + numericDisplayScaleMax) throw new NumericValueOutOfRangeError('value overflows numeric format');
    let unscaled = BigInt(integerDigits + fractionDigits || '0');
    let scale = fractionDigits.length - exponent;
    if (scale < 0) {
      unscaled *= pow10(-scale);
      scale = 0;
    }
    return checkRange(new Numeric('finite', match[1] === '-' ? -unscaled : unscaled, scale));
  }

  get isNaN(): boolean {
    return this.form === 'nan';
  }

  get isFinite(): boolean {
    return this.form === 'finite';
  }

  /** -1, 0 or 1; NaN has sign 0 here (callers check `isNaN` first). */
  get sign(): number {
    if (this.form === 'infinity') return 1;
    if (this.form === '-infinity') return -1;
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  /** PostgreSQL's `numeric_out`: every digit of the scale, `NaN`, `Infinity`, `-Infinity`. */
  toString(): string {
    if (this.form === 'nan') return 'NaN';
    if (this.form === 'infinity') return 'Infinity';
    if (this.form === '-infinity') return '-Infinity';
    const digits = abs(this.unscaled).toString();
    const sign = this.unscaled < 0n ? '-' : '';
    if (this.scale === 0) return sign + digits;
    const padded = digits.padStart(this.scale + 1, '0');
    return `${sign}${padded.slice(0, padded.length - this.scale)}.${padded.slice(padded.length - this.scale)}`;
  }

  /** This value with `scale` digits after the point, rounded half away from zero (PostgreSQL's `round`). */
  round(scale: number): Numeric {
    if (!this.isFinite) return this;
    const target = Math.max(scale, 0);
    if (scale >= this.scale) return new Numeric('finite', this.unscaled * pow10(scale - this.scale), target);
    const rounded = divideRound(this.unscaled, pow10(this.scale - scale));
    return scale >= 0 ? new Numeric('finite', rounded, scale) : new Numeric('finite', rounded * pow10(-scale), 0);
  }

  /** Truncates toward zero to `scale` digits (PostgreSQL's `trunc`). */
  trunc(scale: number): Numeric {
    if (!this.isFinite) return this;
    if (scale >= this.scale) return new Numeric('finite', this.unscaled * pow10(scale - this.scale), Math.max(scale, 0));
    const truncated = this.unscaled / pow10(this.scale - scale);
    return scale >= 0 ? new Numeric('finite', truncated, scale) : new Numeric('finite', truncated * pow10(-scale), 0);
  }

  negate(): Numeric {
    if (this.form === 'infinity') return Numeric.negativeInfinity;
    if (this.form === '-infinity') return Numeric.infinity;
    if (this.form === 'nan') return this;
    return new Numeric('finite', -this.unscaled, this.scale);
  }

  abs(): Numeric {
    return this.sign < 0 ? this.negate() : this;
  }

  add(other: Numeric): Numeric {
    const special = addSpecial(this, other);
    if (special !== undefined) return special;
    const scale = Math.max(this.scale, other.scale);
    return checkRange(new Numeric('finite', this.scaledTo(scale) + other.scaledTo(scale), scale));
  }

  sub(other: Numeric): Numeric {
    return this.add(other.negate());
  }

  mul(other: Numeric): Numeric {
    if (this.isNaN || other.isNaN) return Numeric.nan;
    if (!this.isFinite || !other.isFinite) {
      const sign = this.sign * other.sign;
      if (sign === 0) return Numeric.nan;
      return sign > 0 ? Numeric.infinity : Numeric.negativeInfinity;
    }
    const scale = Math.min(this.scale + other.scale, numericDisplayScaleMax);
    const product = Numeric.of(this.unscaled * other.unscaled, this.scale + other.scale);
    return checkRange(scale === product.scale ? product : product.round(scale));
  }

  /** PostgreSQL's `numeric_div`: rounded to `select_div_scale`; 22012 on a zero divisor. */
  div(other: Numeric): Numeric {
    const special = divSpecial(this, other);
    if (special !== undefined) return special;
    return checkRange(divideToScale(this, other, divisionScale(this, other)));
  }

  /** Truncated division (`div(x, y)`): the integer quotient, scale 0. */
  divTrunc(other: Numeric): Numeric {
    const special = divSpecial(this, other);
    if (special !== undefined) return special.isFinite ? special.trunc(0) : special;
    const common = Math.max(this.scale, other.scale);
    return Numeric.of(this.scaledTo(common) / other.scaledTo(common), 0);
  }

  /** PostgreSQL's `numeric_mod`: x − trunc(x / y) · y, scale max(s1, s2); 22012 on a zero divisor. */
  mod(other: Numeric): Numeric {
    if (this.isNaN || other.isNaN) return Numeric.nan;
    if (other.sign === 0 && other.isFinite) throw new DivisionByZeroError();
    if (!this.isFinite) return Numeric.nan;
    if (!other.isFinite) return this;
    const scale = Math.max(this.scale, other.scale);
    return Numeric.of(this.scaledTo(scale) % other.scaledTo(scale), scale);
  }

  /** PostgreSQL's order: -Infinity < finite < Infinity < NaN, NaN = NaN; scale ignored. */
  compare(other: Numeric): number {
    const leftRank = rank(this);
    const rightRank = rank(other);
    if (leftRank !== rightRank || leftRank !== 1) return Math.sign(leftRank - rightRank);
    const scale = Math.max(this.scale, other.scale);
    const left = this.scaledTo(scale);
    const right = other.scaledTo(scale);
    return left === right ? 0 : left < right ? -1 : 1;
  }

  equals(other: Numeric): boolean {
    return this.compare(other) === 0;
  }

  /** The unscaled digits at a larger or equal `scale`. */
  scaledTo(scale: number): bigint {
    assert(this.isFinite && scale >= this.scale, 'scaledTo needs a finite value and a larger scale');
    return this.unscaled * pow10(scale - this.scale);
  }

  /** Digits before the point (0 for |x| < 1): what a numeric(p, s) column limits to p − s. */
  integerDigits(): number {
    if (!this.isFinite) return 0;
    const whole = abs(this.unscaled) / pow10(this.scale);
    return whole === 0n ? 0 : whole.toString().length;
  }

  /** The value rounded to an integer (half away from zero), for casts to integer types. */
  toBigIntRounded(): bigint {
    assert(this.isFinite, 'toBigIntRounded of a non-finite numeric');
    return this.round(0).unscaled;
  }
}

function parseSpecial(text: string): Numeric | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Numeric.nan;
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return Numeric.infinity;
  if (lower === '-infinity' || lower === '-inf') return Numeric.negativeInfinity;
  return undefined;
}

function rank(value: Numeric): number {
  switch (value.form) {
    case '-infinity':
      return 0;
    case 'finite':
      return 1;
    case 'infinity':
      return 2;
    case 'nan':
      return 3;
  }
}

function addSpecial(left: Numeric, right: Numeric): Numeric | undefined {
  if (left.isNaN || right.isNaN) return Numeric.nan;
  if (left.isFinite && right.isFinite) return undefined;
  if (!left.isFinite && !right.isFinite) return left.form === right.form ? left : Numeric.nan;
  return left.isFinite ? right : left;
}

function divSpecial(left: Numeric, right: Numeric): Numeric | undefined {
  if (left.isNaN || right.isNaN) return Numeric.nan;
  if (right.isFinite && right.sign === 0) throw new DivisionByZeroError();
  if (!left.isFinite) {
    if (!right.isFinite) return Numeric.nan;
    return left.sign * right.sign > 0 ? Numeric.infinity : Numeric.negativeInfinity;
  }
  if (!right.isFinite) return Numeric.zero;
  return undefined;
}

/** The weight (power of 10000) of the leading base-10000 digit, and that digit (PostgreSQL's NBASE layout). */
function leadingBase10000Digit(value: Numeric): { weight: number; digit: bigint } {
  const magnitude = abs(value.unscaled);
  if (magnitude === 0n) return { weight: 0, digit: 0n };
  const decimalExponent = magnitude.toString().length - 1 - value.scale;
  const weight = Math.floor(decimalExponent / 4);
  const shift = value.scale + 4 * weight;
  const digit = shift >= 0 ? magnitude / pow10(shift) : magnitude * pow10(-shift);
  return { weight, digit };
}

/** PostgreSQL's `select_div_scale`. */
function divisionScale(left: Numeric, right: Numeric): number {
  const l = leadingBase10000Digit(left);
  const r = leadingBase10000Digit(right);
  let quotientWeight = l.weight - r.weight;
  if (l.digit <= r.digit) quotientWeight--;
  let scale = minSignificantDigits - quotientWeight * 4;
  scale = Math.max(scale, left.scale, right.scale, 0);
  return Math.min(scale, maxDivisionDisplayScale);
}

/** left / right rounded half away from zero to `scale` digits. */
function divideToScale(left: Numeric, right: Numeric, scale: number): Numeric {
  // left.u·10^-ls / (right.u·10^-rs) = left.u·10^(rs − ls) / right.u; scale it by 10^scale.
  const exponent = scale + right.scale - left.scale;
  const numerator = exponent >= 0 ? left.unscaled * pow10(exponent) : left.unscaled;
  const denominator = exponent >= 0 ? right.unscaled : right.unscaled * pow10(-exponent);
  return Numeric.of(divideRound(numerator, denominator), scale);
}
