/**
 * Whole keys: a tuple of `KeyValue`s is the concatenation of its elements' encodings, each
 * self-delimiting and led by a tag that names its kind and direction. So a key decodes without
 * a schema, and the encoding of a tuple's first n values is a prefix of the encoding of every
 * longer tuple that starts with them — a prefix scan over `[prefix, prefixEnd(prefix))` finds
 * exactly the keys whose leading columns equal given values.
 */
import { assert, assertNever } from '../../../src/base/assert.js';
import { KeyBuilder } from './builder.js';
import { formatDecimal } from './decimal-text.js';
import { appendDecimal, readDecimalPayload } from './decimal.js';
import { appendFloat, readFloatPayload } from './float.js';
import { appendDate, appendInt, appendTimestamp, appendTimestamptz, readDatePayload } from './integers.js';
import type { Direction, KeyValue } from './key-value.js';
import {
  boolValue,
  bytesValue,
  dateValue,
  decimalValue,
  floatValue,
  intValue,
  nullValue,
  textValue,
  timestampValue,
  timestamptzValue,
} from './key-value.js';
import { readOrderedInt } from './ordered-int.js';
import { KeyReader } from './reader.js';
import { appendBool, appendNull, readBoolPayload } from './scalars.js';
import { appendBytes, appendText, readEscapedPayload, readTextPayload } from './strings.js';
import { directionMask, tagMeaning } from './tags.js';

/** Appends one element: `value` in `direction`. */
export function appendKeyValue(builder: KeyBuilder, value: KeyValue, direction: Direction = 'ascending'): void {
  switch (value.kind) {
    case 'null':
      return appendNull(builder, direction);
    case 'bool':
      return appendBool(builder, value.value, direction);
    case 'int':
      return appendInt(builder, value.value, direction);
    case 'float':
      return appendFloat(builder, value.value, direction);
    case 'decimal':
      return appendDecimal(builder, value.value, direction);
    case 'text':
      return appendText(builder, value.value, direction);
    case 'bytes':
      return appendBytes(builder, value.value, direction);
    case 'date':
      return appendDate(builder, value.value, direction);
    case 'timestamp':
      return appendTimestamp(builder, value.value, direction);
    case 'timestamptz':
      return appendTimestamptz(builder, value.value, direction);
    default:
      return assertNever(value, 'key value');
  }
}

/**
 * The key of `values`, element i in `directions[i]` (all ascending when `directions` is
 * omitted; when given it must have one direction per value).
 */
export function encodeKey(values: readonly KeyValue[], directions?: readonly Direction[]): Uint8Array {
  assert(directions === undefined || directions.length === values.length, 'one direction per key value');
  const builder = new KeyBuilder();
  values.forEach((value, index) => appendKeyValue(builder, value, directions?.[index] ?? 'ascending'));
  return builder.finish();
}

/** One decoded element, its direction and the offset just past it. */
export interface DecodedKeyValue {
  readonly value: KeyValue;
  readonly direction: Direction;
  readonly end: number;
}

/**
 * Decodes the one element starting at `offset` (for callers that skip a prefix, such as a
 * table and index id, or decode column by column). Throws `KeyDecodeError` if it is malformed.
 */
export function readKeyValue(bytes: Uint8Array, offset: number): DecodedKeyValue {
  assert(offset >= 0 && offset <= bytes.length, () => `offset out of range: ${offset}`);
  const tagReader = new KeyReader(bytes, offset, 0x00);
  const tag = tagReader.readByte('tag');
  const meaning = tagMeaning(tag);
  if (meaning === undefined) return tagReader.fail(`unknown tag 0x${tag.toString(16)}`, offset);
  const reader = new KeyReader(bytes, offset + 1, directionMask(meaning.direction));
  const value = readPayload(reader, meaning.kind);
  return { value, direction: meaning.direction, end: reader.offset };
}

function readPayload(reader: KeyReader, kind: KeyValue['kind']): KeyValue {
  switch (kind) {
    case 'null':
      return nullValue;
    case 'bool':
      return boolValue(readBoolPayload(reader));
    case 'int':
      return intValue(readOrderedInt(reader, 'int'));
    case 'float':
      return floatValue(readFloatPayload(reader));
    case 'decimal':
      return decimalValue(formatDecimal(readDecimalPayload(reader)));
    case 'text':
      return textValue(readTextPayload(reader));
    case 'bytes':
      return bytesValue(readEscapedPayload(reader, 'bytes'));
    case 'date':
      return dateValue(readDatePayload(reader));
    case 'timestamp':
      return timestampValue(readOrderedInt(reader, 'timestamp'));
    case 'timestamptz':
      return timestamptzValue(readOrderedInt(reader, 'timestamptz'));
    default:
      return assertNever(kind, 'key value kind');
  }
}

/** Decodes a whole key into its elements with their directions. */
export function decodeKeyElements(bytes: Uint8Array): readonly DecodedKeyValue[] {
  const elements: DecodedKeyValue[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const element = readKeyValue(bytes, offset);
    assert(element.end > offset, 'decoder made no progress');
    elements.push(element);
    offset = element.end;
  }
  return Object.freeze(elements);
}

/**
 * Decodes a whole key into its values. Every byte string either decodes to the values whose
 * encoding it is exactly (re-encoding gives the same bytes) or throws `KeyDecodeError`.
 */
export function decodeKey(bytes: Uint8Array): readonly KeyValue[] {
  return Object.freeze(decodeKeyElements(bytes).map((element) => element.value));
}

/** The directions of a key's elements, read from their tags. */
export function keyDirections(bytes: Uint8Array): readonly Direction[] {
  return Object.freeze(decodeKeyElements(bytes).map((element) => element.direction));
}
