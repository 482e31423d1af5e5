/**
 * The integer-valued kinds — `int`, `date`, `timestamp`, `timestamptz` — as a tag followed by
 * the order-preserving integer of `ordered-int.ts`. Each has its own tag, so a decoded key says
 * which it was; a timestamp is its microseconds since the epoch (negative before 1970), a date
 * its days (int32, as in PostgreSQL, whose `±infinity` dates and timestamps are the extremes).
 */
import { assert } from '../../../src/base/assert.js';
import type { KeyBuilder } from './builder.js';
import { beginElement, endElement } from './element.js';
import type { Direction } from './key-value.js';
import { isInt32 } from './key-value.js';
import { readOrderedInt, writeOrderedInt } from './ordered-int.js';
import type { KeyReader } from './reader.js';

export function appendInt(builder: KeyBuilder, value: bigint, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'int');
  writeOrderedInt(builder, value);
  endElement(builder, start, direction);
}

export function appendDate(builder: KeyBuilder, days: number, direction: Direction = 'ascending'): void {
  assert(isInt32(days), () => `date out of int32 day range: ${days}`);
  const start = beginElement(builder, 'date');
  writeOrderedInt(builder, BigInt(days));
  endElement(builder, start, direction);
}

export function appendTimestamp(builder: KeyBuilder, micros: bigint, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'timestamp');
  writeOrderedInt(builder, micros);
  endElement(builder, start, direction);
}

export function appendTimestamptz(builder: KeyBuilder, micros: bigint, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'timestamptz');
  writeOrderedInt(builder, micros);
  endElement(builder, start, direction);
}

/** Reads a date payload (after its tag). */
export function readDatePayload(reader: KeyReader): number {
  const start = reader.offset;
  const days = readOrderedInt(reader, 'date');
  const value = Number(days);
  if (!isInt32(value)) reader.fail('date out of int32 range', start);
  return value;
}
