/**
 * NULL and booleans.
 *
 *     NULL   00        (descending ff)
 *     false  10 00     (descending ef ff)
 *     true   10 01     (descending ef fe)
 *
 * NULL is a bare tag. It sorts before every value ascending and after every value descending
 * (CockroachDB's rule; see `index.ts` for why not PostgreSQL's).
 */
import type { KeyBuilder } from './builder.js';
import { beginElement, endElement } from './element.js';
import type { Direction } from './key-value.js';
import type { KeyReader } from './reader.js';

export function appendNull(builder: KeyBuilder, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'null');
  endElement(builder, start, direction);
}

export function appendBool(builder: KeyBuilder, value: boolean, direction: Direction = 'ascending'): void {
  const start = beginElement(builder, 'bool');
  builder.pushByte(value ? 1 : 0);
  endElement(builder, start, direction);
}

export function readBoolPayload(reader: KeyReader): boolean {
  const offset = reader.offset;
  const byte = reader.readByte('bool');
  if (byte > 1) reader.fail(`bad bool byte 0x${byte.toString(16)}`, offset);
  return byte === 1;
}
