/**
 * The frame every key element shares: the ascending tag, the ascending payload, and — for a
 * descending element — the complement of both, applied in place once the payload is written.
 * Complementing a prefix-free encoding reverses its order and keeps it prefix-free: two
 * different elements differ at a first byte inside both, and `~` flips that comparison.
 */
import type { KeyBuilder } from './builder.js';
import type { Direction, KeyValueKind } from './key-value.js';
import { ascendingTags } from './tags.js';

/** Appends `kind`'s ascending tag; returns the element's start for `endElement`. */
export function beginElement(builder: KeyBuilder, kind: KeyValueKind): number {
  const start = builder.length;
  builder.pushByte(ascendingTags[kind]);
  return start;
}

/** Finishes the element that began at `start`: complements it if `direction` is descending. */
export function endElement(builder: KeyBuilder, start: number, direction: Direction): void {
  if (direction === 'descending') builder.invertFrom(start);
}
