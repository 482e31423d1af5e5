/**
 * The row value encoding: the columns that are not in the key, tagged by column id, so a schema
 * change rewrites nothing — a column added later is absent from old rows (and reads as its
 * `missingValue`), a dropped column's entries are skipped by id, and every entry can be skipped
 * without knowing its column's type (CockroachDB's column-id-delta value encoding).
 *
 * ```
 *   value   = 0x01 (version) ∥ entry*          entries by ascending column id
 *   entry   = uvarint(idDelta · 16 + tag) ∥ payload
 *
 *   tag  payload                                              types
 *   0    —                                                    NULL (written only when a missing
 *                                                             value would otherwise stand in)
 *   1/2  —                                                    false / true
 *   3    zigzag varint                                        int2 int4 int8 oid reg* date timestamp[tz]
 *   4    float64 big-endian                                   float8
 *   5    float32 big-endian                                   float4
 *   6    uvarint length ∥ bytes                               text varchar bpchar name json jsonb (UTF-8), bytea, uuid (16)
 *   7    form byte (0 finite 1 NaN 2 +Inf 3 −Inf) [∥ uvarint scale ∥ zigzag unscaled]   numeric
 *   8    zigzag months ∥ zigzag days ∥ zigzag µs              interval
 *   9    uvarint count ∥ (tag ∥ payload)*                     arrays (1-D from 1, or empty)
 *   10   uvarint ndim ∥ (uvarint length ∥ zigzag lower bound)*ndim ∥ uvarint count ∥ (tag ∥ payload)*
 *                                                             arrays of any other shape (array-shape.ts)
 * ```
 *
 * NULL columns are simply absent (a NULL costs nothing), except for columns that have a missing
 * value, where absence would read as that value.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { int16Max, int16Min, int32Max, int32Min, int64Max, int64Min, interval, uint32Max, type Datum, type Interval } from '../types/datum.js';
import { arrayDimensionsMax, arrayShape, elementCount, isPlainArray, shapedArray } from '../types/array-shape.js';
import { Numeric, numericDisplayScaleMax } from '../types/numeric.js';
import { uuidBytes, uuidFromBytes } from '../types/scalar-text.js';
import { formatType, type RecordType, type ScalarType, type SqlType } from '../types/sql-type.js';
import { ValueReader, type ValueWriter } from './value-buffer.js';

export const rowValueVersion = 0x01;

export const valueTags = Object.freeze({ null: 0, false: 1, true: 2, int: 3, float64: 4, float32: 5, bytes: 6, numeric: 7, interval: 8, array: 9, shapedArray: 10 } as const);
const tagCount = 11;

/** One column the value holds: its id, its position in the row, its type. */
export interface ValueColumn {
  readonly id: number;
  readonly position: number;
  readonly type: SqlType;
  /** The value old rows without this column read as; NULL if undefined. */
  readonly missingValue: Datum | undefined;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function tagOf(type: SqlType, datum: Datum): number {
  if (datum === null) return valueTags.null;
  switch (type.kind) {
    case 'bool':
      return datum ? valueTags.true : valueTags.false;
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return valueTags.int;
    case 'float8':
      return valueTags.float64;
    case 'float4':
      return valueTags.float32;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'json':
    case 'jsonb':
    case 'jsonpath':
    case 'unknown':
    case 'bytea':
    case 'uuid':
      return valueTags.bytes;
    case 'numeric':
      return valueTags.numeric;
    case 'interval':
      return valueTags.interval;
    case 'array':
      return Array.isArray(datum) && !isPlainArray(datum as readonly Datum[]) ? valueTags.shapedArray : valueTags.array;
    case 'record':
      return valueTags.array;
    default:
      return assertNever(type, 'type');
  }
}

function writePayload(writer: ValueWriter, type: SqlType, datum: Datum): void {
  if (datum === null || type.kind === 'bool') return;
  switch (type.kind) {
    case 'int2':
    case 'int4':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'date':
      return writer.varint32(datum as number);
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
      return writer.varbig(datum as bigint);
    case 'float8':
      return writer.float64(datum as number);
    case 'float4':
      return writer.float32(datum as number);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'json':
    case 'jsonb':
    case 'jsonpath':
    case 'unknown':
      return writer.utf8(datum as string);
    case 'bytea':
      writer.uvarint((datum as Uint8Array).length);
      return writer.bytes(datum as Uint8Array);
    case 'uuid':
      writer.uvarint(16);
      return writer.bytes(uuidBytes(datum as string));
    case 'numeric':
      return writeNumeric(writer, datum as Numeric);
    case 'interval': {
      const value = datum as Interval;
      writer.varint32(value.months);
      writer.varint32(value.days);
      return writer.varbig(value.micros);
    }
    case 'array':
      return writeArray(writer, type.element, datum as readonly Datum[]);
    case 'record':
      return writeRecord(writer, type, datum as readonly Datum[]);
    default:
      return assertNever(type, 'type');
  }
}

function writeNumeric(writer: ValueWriter, value: Numeric): void {
  const forms = { finite: 0, nan: 1, infinity: 2, '-infinity': 3 } as const;
  writer.byte(forms[value.form]);
  if (!value.isFinite) return;
  writer.uvarint(value.scale);
  writer.varbig(value.unscaled);
}

function writeArray(writer: ValueWriter, element: ScalarType, items: readonly Datum[]): void {
  if (!isPlainArray(items)) {
    const shape = arrayShape(items);
    writer.uvarint(shape.lengths.length);
    shape.lengths.forEach((length, index) => {
      writer.uvarint(length);
      writer.varint32(shape.lowerBounds[index]!);
    });
  }
  writer.uvarint(items.length);
  for (const item of items) {
    writer.byte(tagOf(element, item));
    writePayload(writer, element, item);
  }
}

/** A record (never a table column; a row spilled by an operator may hold one) is written as an array of its fields. */
function writeRecord(writer: ValueWriter, type: RecordType, values: readonly Datum[]): void {
  assert(values.length === type.fields.length, 'record datum has one value per field');
  writer.uvarint(values.length);
  type.fields.forEach((field, index) => {
    const value = values[index] ?? null;
    writer.byte(tagOf(field.type, value));
    writePayload(writer, field.type, value);
  });
}

/**
 * Appends the entries of `columns` (ascending ids) for `row`. Writes nothing for a NULL column
 * without a missing value. Returns whether any entry was written.
 */
export function writeColumnEntries(writer: ValueWriter, columns: readonly ValueColumn[], row: readonly Datum[], include?: (column: ValueColumn) => boolean): boolean {
  let previousId = 0;
  let wrote = false;
  for (const column of columns) {
    assert(column.id > previousId, 'value columns must ascend by id');
    const datum = row[column.position] ?? null;
    if (datum === null && (column.missingValue === undefined || column.missingValue === null)) continue;
    if (include !== undefined && !include(column)) continue;
    writer.uvarint((column.id - previousId) * 16 + tagOf(column.type, datum));
    writePayload(writer, column.type, datum);
    previousId = column.id;
    wrote = true;
  }
  return wrote;
}

// ─── decoding ────────────────────────────────────────────────────────────────────────────────

function readPayload(reader: ValueReader, tag: number, type: SqlType): Datum {
  if (tag === valueTags.null) return null;
  const expected = tagOf(type, tag === valueTags.false ? false : tag === valueTags.true ? true : 0);
  const compatible = expected === tag || (type.kind === 'bool' && (tag === valueTags.false || tag === valueTags.true)) || (type.kind === 'array' && tag === valueTags.shapedArray);
  if (!compatible) reader.fail(`entry tag ${tag} in a column of type ${formatType(type)}`);
  switch (type.kind) {
    case 'bool':
      return tag === valueTags.true;
    case 'int2':
    case 'int4':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'date':
      return readSmallInt(reader, type.kind);
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
      return readInt64(reader);
    case 'float8':
      return reader.float64();
    case 'float4':
      return reader.float32();
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'json':
    case 'jsonb':
    case 'jsonpath':
    case 'unknown':
      return readUtf8(reader);
    case 'bytea':
      return reader.bytes(reader.uvarint());
    case 'uuid': {
      const bytes = reader.bytes(reader.uvarint());
      if (bytes.length !== 16) reader.fail('uuid of the wrong length');
      return uuidFromBytes(bytes);
    }
    case 'numeric':
      return readNumeric(reader);
    case 'interval':
      return interval(readSmallInt(reader, 'int4'), readSmallInt(reader, 'int4'), readInt64(reader));
    case 'array':
      return tag === valueTags.shapedArray ? readShapedArray(reader, type.element) : readArray(reader, type.element);
    case 'record':
      return readRecord(reader, type);
    default:
      return assertNever(type, 'type');
  }
}

const smallIntRanges = { int2: [int16Min, int16Max], oid: [0, uint32Max], int4: [int32Min, int32Max] } as const;

function readSmallInt(reader: ValueReader, kind: string): number {
  const [min, max] = kind === 'int2' ? smallIntRanges.int2 : kind === 'int4' || kind === 'date' ? smallIntRanges.int4 : smallIntRanges.oid;
  const value = reader.varint32();
  if (value < min || value > max) reader.fail(`${kind} entry out of range`);
  return value;
}

function readInt64(reader: ValueReader): bigint {
  const value = reader.varbig();
  if (value < int64Min || value > int64Max) reader.fail('int64 entry out of range');
  return value;
}

function readUtf8(reader: ValueReader): string {
  const bytes = reader.bytesView(reader.uvarint()); // decoded at once: no copy needed
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return reader.fail('invalid UTF-8');
  }
}

function readNumeric(reader: ValueReader): Numeric {
  const form = reader.byte();
  if (form === 1) return Numeric.nan;
  if (form === 2) return Numeric.infinity;
  if (form === 3) return Numeric.negativeInfinity;
  if (form !== 0) reader.fail(`bad numeric form ${form}`);
  const scale = reader.uvarint();
  if (scale > numericDisplayScaleMax) reader.fail(`numeric scale ${scale} out of range`);
  return Numeric.of(reader.varbig(), scale);
}

function readShapedArray(reader: ValueReader, element: ScalarType): readonly Datum[] {
  const dimensions = reader.uvarint();
  if (dimensions < 1 || dimensions > arrayDimensionsMax) reader.fail(`array of ${dimensions} dimensions`);
  const lengths: number[] = [];
  const lowerBounds: number[] = [];
  for (let index = 0; index < dimensions; index++) {
    lengths.push(reader.uvarint());
    lowerBounds.push(reader.varint32());
  }
  const items = readArray(reader, element);
  if (items.length === 0 || items.length !== elementCount(lengths)) reader.fail('array shape does not match its elements');
  return shapedArray(items, { lengths, lowerBounds });
}

function readArray(reader: ValueReader, element: ScalarType): Datum[] {
  const count = reader.uvarint();
  if (count > reader.input.length - reader.offset) reader.fail('array count exceeds the value');
  const items: Datum[] = [];
  for (let index = 0; index < count; index++) items.push(readPayload(reader, reader.byte(), element));
  return items;
}

function readRecord(reader: ValueReader, type: RecordType): Datum[] {
  const count = reader.uvarint();
  if (count !== type.fields.length) reader.fail('record field count does not match its type');
  return type.fields.map((field) => readPayload(reader, reader.byte(), field.type));
}

/** Skips one payload of `tag` without knowing its column's type. */
function skipPayload(reader: ValueReader, tag: number): void {
  switch (tag) {
    case valueTags.null:
    case valueTags.false:
    case valueTags.true:
      return;
    case valueTags.int:
      return void reader.varbig();
    case valueTags.float64:
      return reader.skip(8);
    case valueTags.float32:
      return reader.skip(4);
    case valueTags.bytes:
      return reader.skip(reader.uvarint());
    case valueTags.numeric:
      if (reader.byte() === 0) {
        reader.uvarint();
        reader.varbig();
      }
      return;
    case valueTags.interval:
      reader.varbig();
      reader.varbig();
      return void reader.varbig();
    case valueTags.shapedArray:
      for (let dimensions = reader.uvarint(); dimensions > 0; dimensions--) {
        reader.uvarint();
        reader.varint32();
      }
      return skipPayload(reader, valueTags.array);
    case valueTags.array: {
      const count = reader.uvarint();
      for (let index = 0; index < count; index++) skipPayload(reader, reader.byte());
      return;
    }
    default:
      return reader.fail(`unknown entry tag ${tag}`);
  }
}

/**
 * Reads entries from `reader` to its end into `out` (by the column's position); entries of
 * column ids not in `columnsById` (dropped columns) are skipped. Columns without an entry are
 * left as they are: the caller fills missing values first.
 */
export function readColumnEntries(reader: ValueReader, columnsById: ReadonlyMap<number, ValueColumn>, out: Datum[]): void {
  let columnId = 0;
  while (!reader.done) {
    const header = reader.uvarint();
    const tag = header % 16;
    if (tag >= tagCount) reader.fail(`unknown entry tag ${tag}`);
    const delta = Math.floor(header / 16);
    if (delta === 0) reader.fail('column ids must ascend');
    columnId += delta;
    const column = columnsById.get(columnId);
    if (column === undefined) skipPayload(reader, tag);
    else out[column.position] = readPayload(reader, tag, column.type);
  }
}

/** A reader over `value` after checking its version byte. */
export function openRowValue(value: Uint8Array): ValueReader {
  const reader = new ValueReader(value);
  const version = reader.byte();
  if (version !== rowValueVersion) reader.fail(`unknown row value version ${version}`);
  return reader;
}
