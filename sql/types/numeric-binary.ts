/**
 * numeric's pgwire binary format (`numeric_send`/`numeric_recv`): int16 ndigits, int16 weight,
 * uint16 sign (0x0000 +, 0x4000 −, 0xC000 NaN, 0xD000 +Infinity, 0xF000 −Infinity), int16
 * dscale, then ndigits base-10000 digits (int16 each), most significant first; the value is
 * Σ digit[i] · 10000^(weight − i). Leading and trailing zero digits are stripped, as PostgreSQL
 * does, so equal values with equal scales have equal bytes.
 */
import { InvalidBinaryRepresentationError } from './errors.js';
import { Numeric, pow10 } from './numeric.js';

const signPositive = 0x0000;
const signNegative = 0x4000;
const signNaN = 0xc000;
const signInfinity = 0xd000;
const signNegativeInfinity = 0xf000;

function header(ndigits: number, weight: number, sign: number, dscale: number): Buffer {
  const out = Buffer.alloc(8 + ndigits * 2);
  out.writeInt16BE(ndigits, 0);
  out.writeInt16BE(weight, 2);
  out.writeUInt16BE(sign, 4);
  out.writeInt16BE(dscale, 6);
  return out;
}

export function encodeNumericBinary(value: Numeric): Uint8Array {
  if (value.form === 'nan') return header(0, 0, signNaN, 0);
  // PostgreSQL 15 sends the infinities with dscale 32: `numeric_send` reads the dscale bits of
  // the special value's short header (0xD000/0xF000 & 0x1F80 >> 7). Clients ignore it; we match.
  if (value.form === 'infinity') return header(0, 0, signInfinity, 32);
  if (value.form === '-infinity') return header(0, 0, signNegativeInfinity, 32);
  const magnitude = value.unscaled < 0n ? -value.unscaled : value.unscaled;
  const sign = value.unscaled < 0n ? signNegative : signPositive;
  if (magnitude === 0n) return header(0, 0, sign, value.scale);
  // Align the fraction to whole base-10000 digits: pad the scale up to a multiple of 4.
  const paddedScale = Math.ceil(value.scale / 4) * 4;
  let aligned = magnitude * pow10(paddedScale - value.scale);
  const digits: number[] = [];
  while (aligned > 0n) {
    digits.push(Number(aligned % 10000n));
    aligned /= 10000n;
  }
  digits.reverse();
  const weight = digits.length - 1 - paddedScale / 4;
  let end = digits.length;
  while (end > 0 && digits[end - 1] === 0) end--;
  const out = header(end, weight, sign, value.scale);
  for (let index = 0; index < end; index++) out.writeInt16BE(digits[index]!, 8 + index * 2);
  return out;
}

export function decodeNumericBinary(bytes: Uint8Array): Numeric {
  if (bytes.length < 8) throw new InvalidBinaryRepresentationError('insufficient data left in message');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const ndigits = view.readInt16BE(0);
  const weight = view.readInt16BE(2);
  const sign = view.readUInt16BE(4);
  const dscale = view.readInt16BE(6);
  if (ndigits < 0 || bytes.length !== 8 + ndigits * 2) throw new InvalidBinaryRepresentationError('invalid length in external "numeric" value');
  if (sign === signNaN) return Numeric.nan;
  if (sign === signInfinity) return Numeric.infinity;
  if (sign === signNegativeInfinity) return Numeric.negativeInfinity;
  if (sign !== signPositive && sign !== signNegative) throw new InvalidBinaryRepresentationError('invalid sign in external "numeric" value');
  if (dscale < 0 || dscale > 0x3fff) throw new InvalidBinaryRepresentationError('invalid scale in external "numeric" value');
  let magnitude = 0n;
  for (let index = 0; index < ndigits; index++) {
    const digit = view.readInt16BE(8 + index * 2);
    if (digit < 0 || digit >= 10000) throw new InvalidBinaryRepresentationError('invalid digit in external "numeric" value');
    magnitude = magnitude * 10000n + BigInt(digit);
  }
  // magnitude · 10000^(weight − ndigits + 1) at scale dscale; digits the scale hides are truncated
  // away, as numeric_recv's trunc_var does.
  const exponent = 4 * (weight - ndigits + 1);
  const value = exponent >= 0 ? Numeric.of(magnitude * pow10(exponent), 0) : Numeric.of(magnitude, -exponent);
  const scaled = value.trunc(dscale);
  return sign === signNegative ? scaled.negate() : scaled;
}
