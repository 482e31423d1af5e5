/**
 * Prefix-free, order-preserving escaping of a byte string (the scheme of CockroachDB's
 * `EncodeBytesAscending` and FoundationDB's tuple layer): every 0x00 byte becomes 0x00 0xFF and
 * the string ends with the terminator 0x00 0x01. Because no escaped string is a prefix of
 * another, anything appended after the terminator (a timestamp suffix, the next tuple element)
 * cannot change the order of two different strings:
 *
 *     "a"      → 61 00 01
 *     "a\x00"  → 61 00 ff 00 01      (sorts after "a", as it must)
 *     "ab"     → 61 62 00 01
 *
 * Used for MVCC keys (`kv/storage/mvcc/keys`) and for the `bytes`/`text` column encodings.
 */
import { assert } from '../../../src/base/assert.js';

export const escapeByte = 0x00;
export const escapedZero = 0xff;
export const terminatorByte = 0x01;

/** The number of bytes `appendEscaped` writes for `bytes`. */
export function escapedLength(bytes: Uint8Array): number {
  let zeros = 0;
  let at = bytes.indexOf(0);
  while (at !== -1) {
    zeros++;
    at = bytes.indexOf(0, at + 1);
  }
  return bytes.length + zeros + 2;
}

/** Writes the escaped form of `bytes` into `out` at `offset`; returns the offset after it. */
export function writeEscaped(bytes: Uint8Array, out: Uint8Array, offset: number): number {
  let at = bytes.indexOf(0);
  if (at === -1) {
    // The common case: nothing to escape, so no subarray views.
    out.set(bytes, offset);
    out[offset + bytes.length] = escapeByte;
    out[offset + bytes.length + 1] = terminatorByte;
    return offset + bytes.length + 2;
  }
  let from = 0;
  while (at !== -1) {
    out.set(bytes.subarray(from, at), offset);
    offset += at - from;
    out[offset++] = escapeByte;
    out[offset++] = escapedZero;
    from = at + 1;
    at = bytes.indexOf(0, from);
  }
  out.set(bytes.subarray(from), offset);
  offset += bytes.length - from;
  out[offset++] = escapeByte;
  out[offset++] = terminatorByte;
  return offset;
}

export function escape(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(escapedLength(bytes));
  const end = writeEscaped(bytes, out, 0);
  assert(end === out.length, 'escaped length mismatch');
  return out;
}

/**
 * Reads an escaped string starting at `offset`. Returns the unescaped bytes and the offset just
 * past the terminator, or undefined if the input is not a well-formed escaped string.
 */
export function readEscaped(input: Uint8Array, offset: number): { readonly bytes: Uint8Array; readonly end: number } | undefined {
  const firstZero = input.indexOf(0, offset);
  if (firstZero === -1 || firstZero + 1 >= input.length) return undefined;
  if (input[firstZero + 1] === terminatorByte) {
    // Fast path: no escaped zeros.
    return { bytes: input.subarray(offset, firstZero), end: firstZero + 2 };
  }
  const parts: number[] = [];
  let i = offset;
  for (;;) {
    if (i >= input.length) return undefined;
    const b = input[i]!;
    if (b !== escapeByte) {
      parts.push(b);
      i++;
      continue;
    }
    const following = input[i + 1];
    if (following === terminatorByte) return { bytes: Uint8Array.from(parts), end: i + 2 };
    if (following !== escapedZero) return undefined;
    parts.push(0);
    i += 2;
  }
}
