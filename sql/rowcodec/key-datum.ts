/**
 * Datums as key elements: each SQL type maps onto one kind of the order-preserving key encoding
 * (kv/api re-exports kv/storage/keys), so that byte order is `compareDatums` order.
 *
 * | SQL type                        | key kind      | note                                           |
 * |---------------------------------|---------------|------------------------------------------------|
 * | bool                            | bool          |                                                |
 * | int2, int4, int8, oid, reg*     | int           |                                                |
 * | float4, float8                  | float         | -0 is stored as +0 (composite, see below)      |
 * | numeric                         | decimal       | the scale is not in the key (composite)        |
 * | text, varchar, name             | text          | UTF-8 bytes = code point order                 |
 * | bpchar                          | text          | trailing blanks stripped (PostgreSQL compares without them) |
 * | bytea                           | bytes         |                                                |
 * | uuid                            | bytes         | the 16 bytes: byte order = uuid order          |
 * | date                            | date          | days since 1970 (the key kind's epoch); ±infinity = int32 extremes |
 * | timestamp, timestamptz          | timestamp[tz] | µs since 1970; ±infinity = int64 extremes      |
 *
 * interval, jsonb and arrays are not key-encodable yet (`keyEncodable`): an interval's order
 * (30-day months) is not a function of a decodable form, jsonb's is not its text's.
 *
 * **Composite values.** Where the key form loses information that equality ignores — numeric's
 * scale (`1.50` = `1.5`), float's `-0`, an unbounded `bpchar`'s trailing blanks — the key sorts
 * and compares right but cannot give the value back. `keyLosesInformation` tells the row codec
 * to keep the exact datum in the entry's value too (CockroachDB's composite encoding).
 *
 * Timestamps are shifted to the key encoding's 1970 epoch. Finite timestamps past
 * 294247-01-10 04:00:54.775807 (PostgreSQL accepts up to 294276 AD) do not fit in int64 µs
 * after the shift and cannot be a key: 22008.
 */
import {
  appendBool,
  appendBytes,
  appendDate,
  appendDecimal,
  appendFloat,
  appendInt,
  appendNull,
  appendText,
  appendTimestamp,
  appendTimestamptz,
  int64Max,
  type Direction,
  type KeyBuilder,
  type KeyValue,
} from '../../kv/api/index.js';
import { assertNever } from '../../src/base/assert.js';
import { trimTrailingBlanks } from '../types/compare.js';
import {
  dateNegativeInfinity,
  datePositiveInfinity,
  int64Min,
  timestampNegativeInfinity,
  timestampPositiveInfinity,
  unixEpochDaysBefore2000,
  unixEpochMicrosBefore2000,
  type Datum,
} from '../types/datum.js';
import { DatetimeFieldOverflowError, FeatureNotSupportedError } from '../types/errors.js';
import { Numeric } from '../types/numeric.js';
import { uuidBytes, uuidFromBytes } from '../types/scalar-text.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import { RowDecodeError } from './errors.js';

/** Whether values of `type` can be index key columns. */
export function keyEncodable(type: SqlType): boolean {
  return type.kind !== 'interval' && type.kind !== 'json' && type.kind !== 'jsonb' && type.kind !== 'jsonpath' && type.kind !== 'array' && type.kind !== 'record' && type.kind !== 'unknown';
}

/**
 * PostgreSQL's refusal to index a type with no btree operator class at all (json, jsonpath: no equality,
 * no order), as its message (42704's), or undefined for a type it can index. Checked before
 * `keyEncodable`, whose 0A000 says what rangedb cannot index yet.
 */
export function missingBtreeOperatorClass(type: SqlType): string | undefined {
  return type.kind === 'json' || type.kind === 'jsonpath' ? `data type ${formatType(type)} has no default operator class for access method "btree"` : undefined;
}

/** 0A000 for a key column of a type that has no key encoding. */
export function assertKeyEncodable(type: SqlType): void {
  if (!keyEncodable(type)) throw new FeatureNotSupportedError(`column of type ${formatType(type)} cannot be an index key column`);
}

function timestampKeyMicros(micros: bigint): bigint {
  if (micros === timestampPositiveInfinity) return int64Max;
  if (micros === timestampNegativeInfinity) return int64Min;
  const shifted = micros + unixEpochMicrosBefore2000;
  if (shifted >= int64Max) throw new DatetimeFieldOverflowError('timestamp out of range for an index key');
  return shifted;
}

function dateKeyDays(days: number): number {
  if (days === datePositiveInfinity || days === dateNegativeInfinity) return days;
  return days + unixEpochDaysBefore2000;
}

/** Appends `datum` (of `type`) as one key element in `direction`. */
export function appendDatumKey(builder: KeyBuilder, type: SqlType, datum: Datum, direction: Direction): void {
  if (datum === null) return appendNull(builder, direction);
  switch (type.kind) {
    case 'bool':
      return appendBool(builder, datum as boolean, direction);
    case 'int2':
    case 'int4':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
      return appendInt(builder, BigInt(datum as number), direction);
    case 'int8':
      return appendInt(builder, datum as bigint, direction);
    case 'float4':
    case 'float8':
      return appendFloat(builder, datum as number, direction);
    case 'numeric':
      return appendDecimal(builder, (datum as Numeric).toString(), direction);
    case 'text':
    case 'varchar':
    case 'name':
      return appendText(builder, datum as string, direction);
    case 'bpchar':
      return appendText(builder, trimTrailingBlanks(datum as string), direction);
    case 'bytea':
      return appendBytes(builder, datum as Uint8Array, direction);
    case 'uuid':
      return appendBytes(builder, uuidBytes(datum as string), direction);
    case 'date':
      return appendDate(builder, dateKeyDays(datum as number), direction);
    case 'timestamp':
      return appendTimestamp(builder, timestampKeyMicros(datum as bigint), direction);
    case 'timestamptz':
      return appendTimestamptz(builder, timestampKeyMicros(datum as bigint), direction);
    case 'interval':
    case 'json':
    case 'jsonb':
    case 'jsonpath':
    case 'array':
    case 'record':
    case 'unknown':
      return assertKeyEncodable(type);
    default:
      return assertNever(type, 'type');
  }
}

function wrongKind(type: SqlType, value: KeyValue): RowDecodeError {
  return new RowDecodeError(`key element of kind ${value.kind} in a column of type ${formatType(type)}`);
}

/** The datum of a decoded key element, for a column of `type` (bpchar(n) re-padded to n). */
export function datumFromKeyValue(type: SqlType, value: KeyValue): Datum {
  if (value.kind === 'null') return null;
  switch (type.kind) {
    case 'bool':
      if (value.kind === 'bool') return value.value;
      break;
    case 'int2':
    case 'int4':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
      if (value.kind === 'int') return Number(value.value);
      break;
    case 'int8':
      if (value.kind === 'int') return value.value;
      break;
    case 'float4':
    case 'float8':
      if (value.kind === 'float') return value.value;
      break;
    case 'numeric':
      if (value.kind === 'decimal') return Numeric.parse(value.value);
      break;
    case 'text':
    case 'varchar':
    case 'name':
      if (value.kind === 'text') return value.value;
      break;
    case 'bpchar':
      if (value.kind === 'text') return type.length === undefined ? value.value : value.value.padEnd(type.length, ' ');
      break;
    case 'bytea':
      if (value.kind === 'bytes') return value.value;
      break;
    case 'uuid':
      if (value.kind === 'bytes' && value.value.length === 16) return uuidFromBytes(value.value);
      break;
    case 'date':
      if (value.kind === 'date') return value.value === datePositiveInfinity || value.value === dateNegativeInfinity ? value.value : value.value - unixEpochDaysBefore2000;
      break;
    case 'timestamp':
    case 'timestamptz':
      if (value.kind === type.kind) {
        if (value.value === int64Max) return timestampPositiveInfinity;
        if (value.value === int64Min) return timestampNegativeInfinity;
        return value.value - unixEpochMicrosBefore2000;
      }
      break;
    default:
      break;
  }
  throw wrongKind(type, value);
}

/**
 * Whether the key element of `datum` decodes to something other than `datum` (numeric scale,
 * float -0, trailing blanks of an unbounded bpchar): then the row keeps the datum in its value.
 */
export function keyLosesInformation(type: SqlType, datum: Datum): boolean {
  if (datum === null) return false;
  switch (type.kind) {
    case 'numeric':
      return (datum as Numeric).isFinite;
    case 'float4':
    case 'float8':
      return Object.is(datum, -0);
    case 'bpchar':
      return type.length === undefined && (datum as string).endsWith(' ');
    default:
      return false;
  }
}
