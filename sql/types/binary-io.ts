/**
 * Binary I/O of every type: the pgwire binary format (`typsend`/`typreceive`), which clients
 * ask for with format code 1. Integers are big-endian two's complement, floats IEEE 754
 * big-endian, bool one byte, text, json and jsonb UTF-8 (jsonb after a version byte 1), bytea raw,
 * uuid 16 bytes, date int32 days and timestamp int64 µs (both from 2000-01-01, so the datum is
 * the wire value), interval int64 µs + int32 days + int32 months, numeric in numeric-binary.ts,
 * arrays as `array_send` (ndim, has-null flag, element OID, dimension and lower bound, then each
 * element length-prefixed, −1 for NULL; int2vector's lower bound is 0), a record as `record_send`.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { interval, isInterval, type Datum } from './datum.js';
import { FeatureNotSupportedError, InvalidBinaryRepresentationError } from './errors.js';
import { validateJson } from './json-text.js';
import { checkJsonPath, formatJsonPath } from './jsonpath-parse.js';
import { normalizeJsonb } from './jsonb-text.js';
import { decodeNumericBinary, encodeNumericBinary } from './numeric-binary.js';
import type { Numeric } from './numeric.js';
import { uuidBytes, uuidFromBytes } from './scalar-text.js';
import { applyTypmod } from './typmod.js';
import { arrayShape, checkArrayDimensions, elementCount, shapedArray } from './array-shape.js';
import { arrayLowerBound, type RecordType, type ScalarType, type SqlType } from './sql-type.js';

function fixed(length: number, write: (buffer: Buffer) => void): Uint8Array {
  const buffer = Buffer.alloc(length);
  write(buffer);
  return buffer;
}

/** PostgreSQL's send function of `type`; `datum` must not be null. */
export function encodeBinary(type: SqlType, datum: Datum): Uint8Array {
  assert(datum !== null, 'NULL has no binary form');
  if (type.kind === 'array') return encodeArray(type.element, datum as readonly Datum[], arrayLowerBound(type));
  if (type.kind === 'record') return encodeRecord(type, datum as readonly Datum[]);
  return encodeScalar(type, datum);
}

function encodeScalar(type: ScalarType, datum: Datum): Uint8Array {
  switch (type.kind) {
    case 'bool':
      return Uint8Array.of(datum ? 1 : 0);
    case 'int2':
      return fixed(2, (b) => b.writeInt16BE(datum as number));
    case 'int4':
      return fixed(4, (b) => b.writeInt32BE(datum as number));
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
      return fixed(4, (b) => b.writeUInt32BE(datum as number));
    case 'int8':
      return fixed(8, (b) => b.writeBigInt64BE(datum as bigint));
    case 'float4':
      return fixed(4, (b) => b.writeFloatBE(datum as number));
    case 'float8':
      return fixed(8, (b) => b.writeDoubleBE(datum as number));
    case 'numeric':
      return encodeNumericBinary(datum as Numeric);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'json':
    case 'unknown':
      return Buffer.from(datum as string, 'utf8');
    case 'jsonb':
      return Buffer.concat([Uint8Array.of(1), Buffer.from(datum as string, 'utf8')]);
    case 'jsonpath':
      return Buffer.concat([Uint8Array.of(1), Buffer.from(formatJsonPath(datum as string), 'utf8')]);
    case 'uuid':
      return uuidBytes(datum as string);
    case 'bytea':
      return datum as Uint8Array;
    case 'date':
      return fixed(4, (b) => b.writeInt32BE(datum as number));
    case 'timestamp':
    case 'timestamptz':
      return fixed(8, (b) => b.writeBigInt64BE(datum as bigint));
    case 'interval':
      assert(isInterval(datum), 'interval datum');
      return fixed(16, (b) => {
        b.writeBigInt64BE(datum.micros, 0);
        b.writeInt32BE(datum.days, 8);
        b.writeInt32BE(datum.months, 12);
      });
    default:
      return assertNever(type, 'type');
  }
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function expectLength(bytes: Uint8Array, length: number, type: ScalarType): Buffer {
  if (bytes.length !== length) throw new InvalidBinaryRepresentationError(`incorrect binary data format for type ${type.kind}`);
  return view(bytes);
}

/** PostgreSQL's receive function of `type`, then the type's modifier; 22P03 on malformed bytes. */
export function decodeBinary(type: SqlType, bytes: Uint8Array): Datum {
  if (type.kind === 'record') throw new FeatureNotSupportedError('input of anonymous composite types is not implemented');
  if (type.kind === 'array') return applyTypmod(type, decodeArray(type.element, bytes, arrayLowerBound(type)), false);
  return applyTypmod(type, decodeScalar(type, bytes), false);
}

function decodeScalar(type: ScalarType, bytes: Uint8Array): Datum {
  switch (type.kind) {
    case 'bool':
      return expectLength(bytes, 1, type)[0] !== 0;
    case 'int2':
      return expectLength(bytes, 2, type).readInt16BE(0);
    case 'int4':
      return expectLength(bytes, 4, type).readInt32BE(0);
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
      return expectLength(bytes, 4, type).readUInt32BE(0);
    case 'int8':
      return expectLength(bytes, 8, type).readBigInt64BE(0);
    case 'float4':
      return expectLength(bytes, 4, type).readFloatBE(0);
    case 'float8':
      return expectLength(bytes, 8, type).readDoubleBE(0);
    case 'numeric':
      return decodeNumericBinary(bytes);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
      return decodeUtf8(bytes);
    case 'json':
      // json's binary form is its text (json_recv): no version byte, unlike jsonb.
      return validateJson(decodeUtf8(bytes));
    case 'jsonb':
      if (bytes[0] !== 1) throw new InvalidBinaryRepresentationError(`unsupported jsonb version number ${bytes[0] ?? 'missing'}`);
      return normalizeJsonb(decodeUtf8(bytes.subarray(1)));
    case 'jsonpath':
      if (bytes[0] !== 1) throw new InvalidBinaryRepresentationError(`unsupported jsonpath version number: ${bytes[0] ?? 'missing'}`);
      return checkJsonPath(decodeUtf8(bytes.subarray(1)));
    case 'uuid':
      return uuidFromBytes(expectLength(bytes, 16, type));
    case 'bytea':
      return Uint8Array.from(bytes);
    case 'date':
      return expectLength(bytes, 4, type).readInt32BE(0);
    case 'timestamp':
    case 'timestamptz':
      return expectLength(bytes, 8, type).readBigInt64BE(0);
    case 'interval': {
      const buffer = expectLength(bytes, 16, type);
      return interval(buffer.readInt32BE(12), buffer.readInt32BE(8), buffer.readBigInt64BE(0));
    }
    default:
      return assertNever(type, 'type');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidBinaryRepresentationError('invalid byte sequence for encoding "UTF8"');
  }
}

/** PostgreSQL's `record_send`: the field count, then per field its type OID, length (-1: NULL) and bytes. */
function encodeRecord(type: RecordType, values: readonly Datum[]): Uint8Array {
  assert(values.length === type.fields.length, 'record datum has one value per field');
  const parts: Uint8Array[] = [fixed(4, (b) => b.writeInt32BE(values.length))];
  type.fields.forEach((field, index) => {
    const value = values[index] ?? null;
    const body = value === null ? null : encodeBinary(field.type, value);
    parts.push(fixed(8, (b) => {
      b.writeUInt32BE(field.type.oid, 0);
      b.writeInt32BE(body === null ? -1 : body.length, 4);
    }));
    if (body !== null) parts.push(body);
  });
  return Buffer.concat(parts);
}

/** PostgreSQL's `array_send`: ndim, has-null flag, element OID, (length, lower bound) per dimension, then each element as length (-1: NULL) and bytes. */
function encodeArray(element: ScalarType, items: readonly Datum[], lowerBound: number): Uint8Array {
  const shape = arrayShape(items, lowerBound);
  const dimensions = shape.lengths.length;
  const head = Buffer.alloc(12 + 8 * dimensions);
  head.writeInt32BE(dimensions, 0);
  head.writeInt32BE(items.some((item) => item === null) ? 1 : 0, 4);
  head.writeUInt32BE(element.oid, 8);
  shape.lengths.forEach((length, index) => {
    head.writeInt32BE(length, 12 + 8 * index);
    head.writeInt32BE(shape.lowerBounds[index]!, 16 + 8 * index);
  });
  const parts: Uint8Array[] = [head];
  for (const item of items) {
    if (item === null) {
      parts.push(fixed(4, (b) => b.writeInt32BE(-1)));
      continue;
    }
    const body = encodeScalar(element, item);
    parts.push(fixed(4, (b) => b.writeInt32BE(body.length)), body);
  }
  return Buffer.concat(parts);
}

/** PostgreSQL's `array_recv`, with its checks: 0 to 6 dimensions (54000 past), no negative length, the element type's OID. */
function decodeArray(element: ScalarType, bytes: Uint8Array, defaultLowerBound: number): readonly Datum[] {
  const buffer = view(bytes);
  const fail = (): never => {
    throw new InvalidBinaryRepresentationError('insufficient data left in message');
  };
  if (buffer.length < 12) fail();
  const dimensions = buffer.readInt32BE(0);
  if (dimensions < 0) throw new InvalidBinaryRepresentationError(`invalid number of dimensions: ${dimensions}`);
  checkArrayDimensions(dimensions);
  const flags = buffer.readInt32BE(4);
  if (flags !== 0 && flags !== 1) throw new InvalidBinaryRepresentationError('invalid array flags');
  if (buffer.readUInt32BE(8) !== element.oid) throw new InvalidBinaryRepresentationError('wrong element type');
  if (buffer.length < 12 + 8 * dimensions) fail();
  const lengths: number[] = [];
  const lowerBounds: number[] = [];
  for (let index = 0; index < dimensions; index++) {
    lengths.push(buffer.readInt32BE(12 + 8 * index));
    lowerBounds.push(buffer.readInt32BE(16 + 8 * index));
    if (lengths[index]! < 0) throw new InvalidBinaryRepresentationError('array size exceeds the maximum allowed');
  }
  const count = dimensions === 0 ? 0 : elementCount(lengths);
  const items: Datum[] = [];
  let offset = 12 + 8 * dimensions;
  for (let index = 0; index < count; index++) {
    if (offset + 4 > buffer.length) fail();
    const length = buffer.readInt32BE(offset);
    offset += 4;
    if (length === -1) {
      items.push(null);
      continue;
    }
    if (length < 0 || offset + length > buffer.length) fail();
    items.push(decodeScalar(element, bytes.subarray(offset, offset + length)));
    offset += length;
  }
  if (offset !== buffer.length) throw new InvalidBinaryRepresentationError('incorrect binary data format in array');
  if (count === 0) return [];
  // 1-D from the type's own lower bound (int2vector's is 0) is the bare array, as text input gives it.
  if (dimensions === 1 && lowerBounds[0] === defaultLowerBound) return items;
  return shapedArray(items, { lengths, lowerBounds });
}
