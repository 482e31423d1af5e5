/**
 * Type tags: the first byte of every encoded key element names its kind and its direction, so a
 * key decodes without a schema. Ascending tags are below 0x80; a descending element is the
 * bitwise complement of its ascending encoding, so its tag is `~tag` (0x80 and up) and the two
 * ranges never collide. NULL's ascending tag 0x00 is the smallest byte (NULLs first) and its
 * descending tag 0xff the largest (NULLs last). Gaps are left for types to come (uuid, interval,
 * arrays, …); a tag, once shipped, is never reused.
 */
import type { Direction, KeyValueKind } from './key-value.js';
import { keyValueKinds } from './key-value.js';

export const ascendingTags: Readonly<Record<KeyValueKind, number>> = Object.freeze({
  null: 0x00,
  bool: 0x10,
  int: 0x12,
  float: 0x14,
  decimal: 0x16,
  text: 0x18,
  bytes: 0x1a,
  date: 0x1c,
  timestamp: 0x1e,
  timestamptz: 0x20,
});

/** The bits that turn an ascending encoding into a descending one (and back). */
export function directionMask(direction: Direction): 0x00 | 0xff {
  return direction === 'ascending' ? 0x00 : 0xff;
}

export interface TagMeaning {
  readonly kind: KeyValueKind;
  readonly direction: Direction;
}

function buildTagTable(): readonly (TagMeaning | undefined)[] {
  const table: (TagMeaning | undefined)[] = new Array<TagMeaning | undefined>(256).fill(undefined);
  for (const kind of keyValueKinds) {
    const tag = ascendingTags[kind];
    table[tag] = Object.freeze({ kind, direction: 'ascending' });
    table[~tag & 0xff] = Object.freeze({ kind, direction: 'descending' });
  }
  return Object.freeze(table);
}

const tagTable = buildTagTable();

/** What tag byte `tag` means, or undefined if it is no tag. */
export function tagMeaning(tag: number): TagMeaning | undefined {
  return tagTable[tag];
}
