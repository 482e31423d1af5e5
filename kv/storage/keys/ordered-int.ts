/**
 * Order-preserving, prefix-free, variable-length encoding of a signed 64-bit integer: a header
 * byte that fixes sign and length, then the big-endian magnitude bytes, minimal length.
 *
 *     value ≥ 0:  0x80 + k,  then value in k bytes              (k = 0…8; 0 is just 0x80)
 *     value < 0:  0x7f - k,  then ~(−value−1) in k bytes         (k = 0…8; −1 is just 0x7f)
 *
 * Larger non-negative values need more bytes and get larger headers; more negative values get
 * smaller headers, and within one length the complemented magnitude falls as the value falls.
 * Small numbers (table and index ids, most counters) take one or two bytes instead of eight.
 * Examples: 0 → 80, 1 → 81 01, 256 → 82 01 00, −1 → 7f, −2 → 7e fe, −256 → 7e 00,
 * −257 → 7d fe ff. The decoder accepts only the minimal form, so each value has one encoding.
 */
import { assert } from '../../../src/base/assert.js';
import type { KeyBuilder } from './builder.js';
import { int64Max, int64Min, isInt64 } from './key-value.js';
import type { KeyReader } from './reader.js';

const nonNegativeHeaderBase = 0x80;
const negativeHeaderBase = 0x7f;
const int64BytesMax = 8;

/** The number of bytes `magnitude` (≥ 0) needs: 0 for 0. */
function byteLength(magnitude: bigint): number {
  let length = 0;
  for (let rest = magnitude; rest > 0n; rest >>= 8n) length++;
  return length;
}

export function writeOrderedInt(builder: KeyBuilder, value: bigint): void {
  assert(isInt64(value), () => `int out of int64 range: ${value}`);
  const negative = value < 0n;
  const magnitude = negative ? -value - 1n : value;
  const length = byteLength(magnitude);
  assert(length <= int64BytesMax, 'int64 magnitude longer than 8 bytes');
  builder.pushByte(negative ? negativeHeaderBase - length : nonNegativeHeaderBase + length);
  const mask = negative ? 0xff : 0x00;
  for (let index = length - 1; index >= 0; index--) {
    builder.pushByte(Number((magnitude >> BigInt(8 * index)) & 0xffn) ^ mask);
  }
}

export function readOrderedInt(reader: KeyReader, what: string): bigint {
  const headerOffset = reader.offset;
  const header = reader.readByte(what);
  const negative = header < nonNegativeHeaderBase;
  const length = negative ? negativeHeaderBase - header : header - nonNegativeHeaderBase;
  if (length > int64BytesMax) reader.fail(`bad ${what} header 0x${header.toString(16)}`, headerOffset);
  const bytes = reader.readBytes(length, what);
  const mask = negative ? 0xff : 0x00;
  let magnitude = 0n;
  for (const byte of bytes) magnitude = (magnitude << 8n) | BigInt(byte ^ mask);
  if (length > 0 && (bytes[0]! ^ mask) === 0) reader.fail(`non-minimal ${what}`, headerOffset);
  if (magnitude > int64Max) reader.fail(`${what} overflows int64`, headerOffset);
  const value = negative ? -magnitude - 1n : magnitude;
  assert(value >= int64Min, 'decoded int below int64 range');
  return value;
}
