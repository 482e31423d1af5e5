/**
 * Decimal text ↔ `NormalDecimal`, the one normal form of a decimal value that the key encoding
 * and the reference comparator work on. Exact: no floating point anywhere.
 *
 * A finite nonzero decimal is `±d1.d2d3…dn × 10^exponent` with `d1 ≠ 0` and `dn ≠ 0`, so every
 * value has exactly one normal form: `-123.4500`, `-123.45` and `-1.2345e2` all become
 * `{ negative: true, digits: '12345', exponent: 2n }`. The scale (trailing zeros) is not part
 * of the value and is not kept (PostgreSQL's `numeric` equality ignores it too).
 *
 * Accepted text (PostgreSQL's `numeric` input, without surrounding blanks): an optional sign,
 * digits with an optional point (`12`, `12.`, `.5`, `1.25`), an optional exponent (`e-7`,
 * `E+1000`); `NaN`, `Infinity`, `inf` (case-insensitive, the infinities with an optional sign).
 * The exponent of the normal form must fit in int64.
 */
import { assert } from '../../../src/base/assert.js';

export type NormalDecimal =
  | { readonly form: 'nan' }
  | { readonly form: 'infinity'; readonly negative: boolean }
  | { readonly form: 'zero' }
  | { readonly form: 'finite'; readonly negative: boolean; readonly digits: string; readonly exponent: bigint };

export const decimalExponentMin = -(1n << 63n);
export const decimalExponentMax = (1n << 63n) - 1n;

const numberPattern = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const infinityPattern = /^([+-]?)inf(?:inity)?$/i;
const nanPattern = /^nan$/i;

const nanDecimal: NormalDecimal = Object.freeze({ form: 'nan' });
const zeroDecimal: NormalDecimal = Object.freeze({ form: 'zero' });
const positiveInfinity: NormalDecimal = Object.freeze({ form: 'infinity', negative: false });
const negativeInfinity: NormalDecimal = Object.freeze({ form: 'infinity', negative: true });

/** The normal form of decimal `text`, or undefined if it is not decimal text (see above). */
export function parseDecimal(text: string): NormalDecimal | undefined {
  if (nanPattern.test(text)) return nanDecimal;
  const infinity = infinityPattern.exec(text);
  if (infinity !== null) return infinity[1] === '-' ? negativeInfinity : positiveInfinity;
  const match = numberPattern.exec(text);
  if (match === null) return undefined;
  const integerPart = match[2] ?? '';
  const fractionPart = match[3] ?? '';
  if (integerPart.length + fractionPart.length === 0) return undefined;
  return normalize(match[1] === '-', integerPart + fractionPart, integerPart.length, BigInt(match[4] ?? '0'));
}

/** Normalizes `±0.allDigits × 10^(pointPosition + writtenExponent)`-style input. */
function normalize(negative: boolean, allDigits: string, pointPosition: number, writtenExponent: bigint): NormalDecimal | undefined {
  const first = firstNonZero(allDigits);
  if (first === -1) return zeroDecimal;
  const last = lastNonZero(allDigits);
  const exponent = writtenExponent + BigInt(pointPosition - 1 - first);
  if (exponent < decimalExponentMin || exponent > decimalExponentMax) return undefined;
  return finiteDecimal(negative, allDigits.slice(first, last + 1), exponent);
}

function firstNonZero(digits: string): number {
  for (let index = 0; index < digits.length; index++) if (digits.charCodeAt(index) !== 0x30) return index;
  return -1;
}

function lastNonZero(digits: string): number {
  for (let index = digits.length - 1; index >= 0; index--) if (digits.charCodeAt(index) !== 0x30) return index;
  return -1;
}

/** A finite nonzero normal form; asserts `digits` has no leading or trailing zero. */
export function finiteDecimal(negative: boolean, digits: string, exponent: bigint): NormalDecimal {
  assert(/^[1-9](\d*[1-9])?$/.test(digits), () => `decimal digits not normal: ${digits}`);
  assert(exponent >= decimalExponentMin && exponent <= decimalExponentMax, 'decimal exponent out of range');
  return Object.freeze({ form: 'finite', negative, digits, exponent });
}

export function specialDecimal(form: 'nan' | 'zero' | 'positive-infinity' | 'negative-infinity'): NormalDecimal {
  switch (form) {
    case 'nan':
      return nanDecimal;
    case 'zero':
      return zeroDecimal;
    case 'positive-infinity':
      return positiveInfinity;
    case 'negative-infinity':
      return negativeInfinity;
  }
}

/** Plain notation while the number has at most this many leading or trailing filler zeros. */
const plainExponentMax = 20n;
const plainExponentMin = -7n;

/**
 * The canonical text of a normal form: `NaN`, `Infinity`, `-Infinity`, `0`, plain notation for
 * moderate exponents (`-123.45`, `0.000001`), scientific beyond them (`1e+1000`, `-1e-1000`),
 * so the text stays short whatever the exponent. `parseDecimal` reads it back exactly.
 */
export function formatDecimal(decimal: NormalDecimal): string {
  switch (decimal.form) {
    case 'nan':
      return 'NaN';
    case 'zero':
      return '0';
    case 'infinity':
      return decimal.negative ? '-Infinity' : 'Infinity';
    case 'finite':
      return (decimal.negative ? '-' : '') + formatMagnitude(decimal.digits, decimal.exponent);
  }
}

function formatMagnitude(digits: string, exponent: bigint): string {
  if (exponent > plainExponentMax || exponent <= plainExponentMin) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${digits[0]}${fraction}e${exponent >= 0n ? '+' : ''}${exponent}`;
  }
  const integerDigits = Number(exponent) + 1;
  if (integerDigits <= 0) return `0.${'0'.repeat(-integerDigits)}${digits}`;
  if (integerDigits >= digits.length) return digits + '0'.repeat(integerDigits - digits.length);
  return `${digits.slice(0, integerDigits)}.${digits.slice(integerDigits)}`;
}

/** PostgreSQL's `numeric` order: -Infinity < negatives < 0 < positives < Infinity < NaN. */
export function compareDecimals(left: NormalDecimal, right: NormalDecimal): number {
  const rankDifference = rank(left) - rank(right);
  if (rankDifference !== 0) return Math.sign(rankDifference);
  if (left.form !== 'finite' || right.form !== 'finite') return 0;
  const magnitude = compareMagnitudes(left.digits, left.exponent, right.digits, right.exponent);
  return left.negative && magnitude !== 0 ? -magnitude : magnitude;
}

function rank(decimal: NormalDecimal): number {
  switch (decimal.form) {
    case 'infinity':
      return decimal.negative ? 0 : 4;
    case 'finite':
      return decimal.negative ? 1 : 3;
    case 'zero':
      return 2;
    case 'nan':
      return 5;
  }
}

function compareMagnitudes(leftDigits: string, leftExponent: bigint, rightDigits: string, rightExponent: bigint): number {
  if (leftExponent !== rightExponent) return leftExponent < rightExponent ? -1 : 1;
  // Both digit strings start at the same power of ten and have no trailing zeros, so the plain
  // string order (a proper prefix sorts first) is the value order.
  if (leftDigits === rightDigits) return 0;
  return leftDigits < rightDigits ? -1 : 1;
}
