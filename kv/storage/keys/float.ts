/**
 * float64: the tag, then the IEEE 754 bits, big-endian, transformed so that unsigned byte order
 * is numeric order — a positive number (sign bit 0) gets its sign bit set, a negative number has
 * every bit complemented (larger magnitudes then sort lower). -0 is written as +0, since SQL
 * compares them equal, and every NaN as the one canonical quiet NaN, whose transformed bits
 * (ff f8 00 …) are above +Infinity's (ff f0 00 …): PostgreSQL's order, NaN above all numbers.
 *
 *     -Infinity  14 00 0f ff ff ff ff ff ff
 *     -1         14 40 0f ff ff ff ff ff ff
 *     0, -0      14 80 00 00 00 00 00 00 00
 *     1          14 bf f0 00 00 00 00 00 00
 *     Infinity   14 ff f0 00 00 00 00 00 00
 *     NaN        14 ff f8 00 00 00 00 00 00
 *
 * The decoder rejects the two byte strings no encoder writes (-0, non-canonical NaNs).
 */
import type { KeyBuilder } from './builder.js';
import { beginElement, endElement } from './element.js';
import type { Direction } from './key-value.js';
import type { KeyReader } from './reader.js';

const floatBytes = 8;
const signBit = 0x80;
const canonicalNaNBits = Uint8Array.of(0x7f, 0xf8, 0, 0, 0, 0, 0, 0);
const scratch = new DataView(new ArrayBuffer(floatBytes));

export function appendFloat(builder: KeyBuilder, value: number, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'float');
  builder.pushBytes(orderedFloatBits(value));
  endElement(builder, start, direction);
}

function orderedFloatBits(value: number): Uint8Array {
  const bits = Number.isNaN(value) ? Uint8Array.from(canonicalNaNBits) : ieeeBits(value === 0 ? 0 : value);
  if ((bits[0]! & signBit) === 0) {
    bits[0] = bits[0]! | signBit;
  } else {
    for (let index = 0; index < floatBytes; index++) bits[index] = ~bits[index]! & 0xff;
  }
  return bits;
}

function ieeeBits(value: number): Uint8Array {
  scratch.setFloat64(0, value, false);
  return new Uint8Array(scratch.buffer.slice(0));
}

export function readFloatPayload(reader: KeyReader): number {
  const offset = reader.offset;
  const bits = reader.readBytes(floatBytes, 'float');
  if ((bits[0]! & signBit) !== 0) {
    bits[0] = bits[0]! & ~signBit;
  } else {
    for (let index = 0; index < floatBytes; index++) bits[index] = ~bits[index]! & 0xff;
  }
  const value = new DataView(bits.buffer, bits.byteOffset, floatBytes).getFloat64(0, false);
  if (Object.is(value, -0)) reader.fail('float -0 is written as 0', offset);
  if (Number.isNaN(value) && !sameBytes(bits, canonicalNaNBits)) reader.fail('non-canonical float NaN', offset);
  return value;
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}
