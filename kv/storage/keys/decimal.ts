/**
 * Decimals (`numeric`): exact, arbitrary precision, by value (so `-123.4500` and `-123.45`
 * encode identically; a column that must keep its scale stores it in the row value, as
 * CockroachDB does for its "composite" types). The tag, a class byte, and for finite nonzero
 * numbers the magnitude:
 *
 *     class  00 -Infinity   01 negative   02 zero   03 positive   04 Infinity   05 NaN
 *
 *     magnitude = exponent (ordered int, `ordered-int.ts`)
 *               ∥ digit pairs, one byte each: 1 + 10·d(2i) + d(2i+1)   (1…100; an odd last
 *                 digit is paired with 0)
 *               ∥ 00 terminator
 *
 * for the normal form `d1.d2…dn × 10^exponent` (`decimal-text.ts`: d1 and dn nonzero). Among
 * positives a larger exponent is a larger number; with equal exponents the digit strings compare
 * digit by digit, and the terminator (00, below every pair byte) makes a proper prefix — a
 * shorter number like 0.12 against 0.123 — sort first. A negative number stores its magnitude
 * complemented, reversing that order. Examples:
 *
 *     0            16 02
 *     0.000001     16 03 7e fa 0b 00           exponent −6, pairs "10"
 *     123.45       16 03 81 02 0d 23 33 00     exponent 2, pairs "12" "34" "50"
 *     -123.45      16 01 7e fd f2 dc cc ff     the magnitude above, complemented
 *     1e1000       16 03 82 03 e8 0b 00
 *     -1e-1000     16 01 82 03 e7 f4 ff        exponent −1000 (7d fc 18), complemented
 *     NaN          16 05
 *
 * The decoder accepts only normal forms (no leading or trailing zero digit, minimal exponent).
 */
import { assert } from '../../../src/base/assert.js';
import type { KeyBuilder } from './builder.js';
import type { NormalDecimal } from './decimal-text.js';
import { finiteDecimal, parseDecimal, specialDecimal } from './decimal-text.js';
import { beginElement, endElement } from './element.js';
import type { Direction } from './key-value.js';
import { readOrderedInt, writeOrderedInt } from './ordered-int.js';
import type { KeyReader } from './reader.js';

const decimalClass = Object.freeze({
  negativeInfinity: 0x00,
  negative: 0x01,
  zero: 0x02,
  positive: 0x03,
  positiveInfinity: 0x04,
  nan: 0x05,
});

const digitsTerminator = 0x00;
const pairOffset = 1;
const pairByteMax = 99 + pairOffset;
const zeroCharCode = 0x30;

/** Appends the decimal `text` (asserted to be decimal text, see `parseDecimal`). */
export function appendDecimal(builder: KeyBuilder, text: string, direction: Direction = 'ascending'): void {
  const decimal = parseDecimal(text);
  assert(decimal !== undefined, () => `malformed decimal: ${JSON.stringify(text)}`);
  appendNormalDecimal(builder, decimal, direction);
}

export function appendNormalDecimal(builder: KeyBuilder, decimal: NormalDecimal, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'decimal');
  writeDecimalPayload(builder, decimal);
  endElement(builder, start, direction);
}

function writeDecimalPayload(builder: KeyBuilder, decimal: NormalDecimal): void {
  switch (decimal.form) {
    case 'nan':
      return builder.pushByte(decimalClass.nan);
    case 'zero':
      return builder.pushByte(decimalClass.zero);
    case 'infinity':
      return builder.pushByte(decimal.negative ? decimalClass.negativeInfinity : decimalClass.positiveInfinity);
    case 'finite': {
      builder.pushByte(decimal.negative ? decimalClass.negative : decimalClass.positive);
      const magnitudeStart = builder.length;
      writeMagnitude(builder, decimal.digits, decimal.exponent);
      if (decimal.negative) builder.invertFrom(magnitudeStart);
      return;
    }
  }
}

function writeMagnitude(builder: KeyBuilder, digits: string, exponent: bigint): void {
  writeOrderedInt(builder, exponent);
  builder.reserve(Math.ceil(digits.length / 2) + 1);
  for (let index = 0; index < digits.length; index += 2) {
    const high = digits.charCodeAt(index) - zeroCharCode;
    const low = index + 1 < digits.length ? digits.charCodeAt(index + 1) - zeroCharCode : 0;
    builder.pushByte(pairOffset + high * 10 + low);
  }
  builder.pushByte(digitsTerminator);
}

export function readDecimalPayload(reader: KeyReader): NormalDecimal {
  const offset = reader.offset;
  const classByte = reader.readByte('decimal class');
  switch (classByte) {
    case decimalClass.negativeInfinity:
      return specialDecimal('negative-infinity');
    case decimalClass.zero:
      return specialDecimal('zero');
    case decimalClass.positiveInfinity:
      return specialDecimal('positive-infinity');
    case decimalClass.nan:
      return specialDecimal('nan');
    case decimalClass.positive:
      return readMagnitude(reader, false);
    case decimalClass.negative:
      return reader.inverted(() => readMagnitude(reader, true));
    default:
      return reader.fail(`bad decimal class 0x${classByte.toString(16)}`, offset);
  }
}

function readMagnitude(reader: KeyReader, negative: boolean): NormalDecimal {
  const exponent = readOrderedInt(reader, 'decimal exponent');
  const start = reader.offset;
  const pairs = readDigitPairs(reader);
  if (pairs.length === 0) reader.fail('decimal without digits', start);
  if (pairs[0]! < 10) reader.fail('decimal digits with a leading zero', start);
  const lastPair = pairs[pairs.length - 1]!;
  if (lastPair === 0) reader.fail('decimal digits with trailing zeros', reader.offset - 2);
  let digits = pairs.map((pair) => (pair < 10 ? `0${pair}` : `${pair}`)).join('');
  if (lastPair % 10 === 0) digits = digits.slice(0, -1);
  return finiteDecimal(negative, digits, exponent);
}

/** Reads digit-pair bytes up to and including the terminator; returns the pairs (0…99). */
function readDigitPairs(reader: KeyReader): number[] {
  const pairs: number[] = [];
  for (;;) {
    const offset = reader.offset;
    const byte = reader.readByte('decimal digits');
    if (byte === digitsTerminator) return pairs;
    if (byte > pairByteMax) reader.fail(`bad decimal digit pair 0x${byte.toString(16)}`, offset);
    pairs.push(byte - pairOffset);
  }
}
