/**
 * `text` and `bytes`: the tag, then the bytes escaped by `escape.ts` (every 00 becomes 00 ff,
 * then the terminator 00 01). Text is its UTF-8, whose byte order is code point order — the "C"
 * collation. A descending element is complemented like every other (CockroachDB's
 * `EncodeBytesDescending`): 00 → ff 00, terminator ff fe.
 *
 *     ""          18 00 01
 *     "a"         18 61 00 01          descending  e7 9e ff fe
 *     "a\0b"      18 61 00 ff 62 00 01
 *     bytes 00    1a 00 ff 00 01
 */
import { assert } from '../../../src/base/assert.js';
import type { KeyBuilder } from './builder.js';
import { beginElement, endElement } from './element.js';
import { escapeByte, escapedLength, escapedZero, readEscaped, terminatorByte, writeEscaped } from './escape.js';
import type { Direction } from './key-value.js';
import { isWellFormedText } from './key-value.js';
import type { KeyReader } from './reader.js';

const utf8Encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is data, not a mark.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function appendText(builder: KeyBuilder, text: string, direction: Direction = 'ascending'): void {
  assert(isWellFormedText(text), 'text has a lone surrogate');
  const start = beginElement(builder, 'text');
  writeEscapedBytes(builder, utf8Encoder.encode(text));
  endElement(builder, start, direction);
}

export function appendBytes(builder: KeyBuilder, bytes: Uint8Array, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'bytes');
  writeEscapedBytes(builder, bytes);
  endElement(builder, start, direction);
}

function writeEscapedBytes(builder: KeyBuilder, bytes: Uint8Array): void {
  builder.write(escapedLength(bytes), (buffer, offset) => writeEscaped(bytes, buffer, offset));
}

export function readTextPayload(reader: KeyReader): string {
  const offset = reader.offset;
  const bytes = readEscapedPayload(reader, 'text');
  try {
    return utf8Decoder.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return reader.fail('text is not valid UTF-8', offset);
    throw error;
  }
}

/** Reads an escaped string in the reader's direction; returns a copy of its unescaped bytes. */
export function readEscapedPayload(reader: KeyReader, what: string): Uint8Array {
  const offset = reader.offset;
  const ascendingForm = reader.mask === 0x00 ? reader.input : complementedEscapedString(reader, what);
  const start = reader.mask === 0x00 ? offset : 0;
  const read = readEscaped(ascendingForm, start);
  if (read === undefined) return reader.fail(`malformed escaped ${what}`, offset);
  reader.skipTo(offset + read.end - start);
  return Uint8Array.from(read.bytes);
}

/**
 * The ascending form of the descending escaped string at the reader's offset: finds its
 * terminator (ff fe), checks each escape on the way, and complements the bytes up to it.
 */
function complementedEscapedString(reader: KeyReader, what: string): Uint8Array {
  const input = reader.input;
  let index = reader.offset;
  for (;;) {
    index = input.indexOf(~escapeByte & 0xff, index);
    if (index === -1 || index + 1 >= input.length) return reader.fail(`unterminated ${what}`);
    const following = ~input[index + 1]! & 0xff;
    if (following === terminatorByte) break;
    if (following !== escapedZero) return reader.fail(`bad escape in ${what}`, index);
    index += 2;
  }
  const copy = input.slice(reader.offset, index + 2);
  for (let position = 0; position < copy.length; position++) copy[position] = ~copy[position]! & 0xff;
  return copy;
}
