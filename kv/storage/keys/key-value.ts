/**
 * `KeyValue`: one value of a key column, a readonly `kind`-tagged union, and `Direction`, the
 * sort direction of a key column. Build values with the frozen factories below; they assert the
 * value is in its type's domain (a value reaching the key encoder has already been type-checked
 * by the SQL layer, so a bad one is a programmer error).
 *
 * Types and domains (PostgreSQL's):
 *
 * | kind          | value                     | domain                                             |
 * |---------------|---------------------------|----------------------------------------------------|
 * | `null`        | —                         | SQL NULL, untyped                                  |
 * | `bool`        | `boolean`                 |                                                    |
 * | `int`         | `bigint`                  | int64 (`int8`); smaller ints use it too            |
 * | `float`       | `number`                  | float64; NaN > +Infinity; -0 equals +0             |
 * | `decimal`     | `string`                  | `numeric` text: exact, any precision, NaN, ±Infinity|
 * | `text`        | `string`                  | well-formed Unicode (no lone surrogates)           |
 * | `bytes`       | `Uint8Array`              | `bytea`                                            |
 * | `date`        | `number`                  | days since 1970-01-01, int32                       |
 * | `timestamp`   | `bigint`                  | microseconds since 1970-01-01 00:00, int64         |
 * | `timestamptz` | `bigint`                  | microseconds since 1970-01-01 00:00 UTC, int64     |
 */
import { assert } from '../../../src/base/assert.js';
import { parseDecimal } from './decimal-text.js';

export type Direction = 'ascending' | 'descending';

export interface NullKeyValue {
  readonly kind: 'null';
}
export interface BoolKeyValue {
  readonly kind: 'bool';
  readonly value: boolean;
}
export interface IntKeyValue {
  readonly kind: 'int';
  readonly value: bigint;
}
export interface FloatKeyValue {
  readonly kind: 'float';
  readonly value: number;
}
export interface DecimalKeyValue {
  readonly kind: 'decimal';
  /** Decimal text, e.g. `-123.4500`, `1e1000`, `NaN`, `-Infinity`; see `parseDecimal`. */
  readonly value: string;
}
export interface TextKeyValue {
  readonly kind: 'text';
  readonly value: string;
}
export interface BytesKeyValue {
  readonly kind: 'bytes';
  readonly value: Uint8Array;
}
export interface DateKeyValue {
  readonly kind: 'date';
  /** Days since 1970-01-01. */
  readonly value: number;
}
export interface TimestampKeyValue {
  readonly kind: 'timestamp';
  /** Microseconds since 1970-01-01 00:00:00 (no time zone). */
  readonly value: bigint;
}
export interface TimestamptzKeyValue {
  readonly kind: 'timestamptz';
  /** Microseconds since 1970-01-01 00:00:00 UTC. */
  readonly value: bigint;
}

export type KeyValue =
  | NullKeyValue
  | BoolKeyValue
  | IntKeyValue
  | FloatKeyValue
  | DecimalKeyValue
  | TextKeyValue
  | BytesKeyValue
  | DateKeyValue
  | TimestampKeyValue
  | TimestamptzKeyValue;

export type KeyValueKind = KeyValue['kind'];

/** Every kind, in the order their ascending encodings sort (NULL first). */
export const keyValueKinds: readonly KeyValueKind[] = Object.freeze([
  'null',
  'bool',
  'int',
  'float',
  'decimal',
  'text',
  'bytes',
  'date',
  'timestamp',
  'timestamptz',
] as const);

export const int64Min = -(1n << 63n);
export const int64Max = (1n << 63n) - 1n;
export const int32Min = -(2 ** 31);
export const int32Max = 2 ** 31 - 1;

export function isInt64(value: bigint): boolean {
  return value >= int64Min && value <= int64Max;
}

export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= int32Min && value <= int32Max;
}

/** True if `text` has no lone surrogate, so it has a UTF-8 encoding that decodes back to it. */
export function isWellFormedText(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}

export const nullValue: NullKeyValue = Object.freeze({ kind: 'null' });

export function boolValue(value: boolean): BoolKeyValue {
  return Object.freeze({ kind: 'bool', value });
}

export function intValue(value: bigint): IntKeyValue {
  assert(isInt64(value), () => `int out of int64 range: ${value}`);
  return Object.freeze({ kind: 'int', value });
}

export function floatValue(value: number): FloatKeyValue {
  assert(typeof value === 'number', 'float must be a number');
  return Object.freeze({ kind: 'float', value });
}

/** A decimal from its text; asserts the text parses (`parseDecimal`). The text is kept as given. */
export function decimalValue(value: string): DecimalKeyValue {
  assert(parseDecimal(value) !== undefined, () => `malformed decimal: ${JSON.stringify(value)}`);
  return Object.freeze({ kind: 'decimal', value });
}

export function textValue(value: string): TextKeyValue {
  assert(isWellFormedText(value), 'text has a lone surrogate');
  return Object.freeze({ kind: 'text', value });
}

/** Wraps `value` without copying: the caller must not change it afterwards. */
export function bytesValue(value: Uint8Array): BytesKeyValue {
  assert(value instanceof Uint8Array, 'bytes must be a Uint8Array');
  return Object.freeze({ kind: 'bytes', value });
}

export function dateValue(days: number): DateKeyValue {
  assert(isInt32(days), () => `date out of int32 day range: ${days}`);
  return Object.freeze({ kind: 'date', value: days });
}

export function timestampValue(micros: bigint): TimestampKeyValue {
  assert(isInt64(micros), () => `timestamp out of int64 range: ${micros}`);
  return Object.freeze({ kind: 'timestamp', value: micros });
}

export function timestamptzValue(micros: bigint): TimestamptzKeyValue {
  assert(isInt64(micros), () => `timestamptz out of int64 range: ${micros}`);
  return Object.freeze({ kind: 'timestamptz', value: micros });
}
