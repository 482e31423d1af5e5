/**
 * Keys and spans: the unit every request, latch, lock and range is described in.
 *
 * A `Span` is `[key, endKey)`, or the single key `key` when `endKey` is undefined (a point
 * span, as CockroachDB's `roachpb.Span` with an empty `EndKey`). Keys compare as unsigned bytes,
 * as LevelDB does. An `RKey`/`RSpan` is a *resolved* (addressable) key or span: one that has been
 * mapped through `addressKey` (keyspace.ts) to the global key that decides which range holds it,
 * so range-local keys route to the range of their anchor. The brand stops an unresolved key from
 * reaching the range cache by accident.
 */
import { assert } from '../../src/base/assert.js';
import type { Brand } from '../../src/base/ids.js';
import { prefixEnd as storagePrefixEnd } from '../storage/keys/prefix.js';

/** `[key, endKey)`, or the point `key` when `endKey` is undefined. */
export interface Span {
  readonly key: Uint8Array;
  readonly endKey: Uint8Array | undefined;
}

/** An addressable key: the global key that decides which range holds a (possibly local) key. */
export type RKey = Brand<Uint8Array, 'RKey'>;

/** An addressable span `[key, endKey)`; never a point (a point is `[key, keyNext(key))`). */
export interface RSpan {
  readonly key: RKey;
  readonly endKey: RKey;
}

/** Negative, zero or positive as `a` sorts before, with, or after `b` (unsigned bytes). */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  // Keys compared here are mostly short (range bounds, rows, record keys): a loop in JS is about
  // five times faster than `Buffer.compare`'s argument checks and call into C++; long keys still
  // go to C++. Only the sign of the answer is meaningful.
  const length = a.length < b.length ? a.length : b.length;
  if (length > shortKeyBytesMax) return Buffer.compare(a, b);
  for (let i = 0; i < length; i++) {
    const difference = a[i]! - b[i]!;
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** Keys up to this long are compared in JS by `compareKeys`. */
const shortKeyBytesMax = 64;

export function keysEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareKeys(a, b) === 0;
}

/** The smallest key greater than `key`: `key ∥ 0x00`. */
export function keyNext(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key, 0);
  return out;
}

/**
 * The smallest key greater than every key with prefix `prefix`. A prefix of only 0xff bytes
 * (or the empty prefix) has no such key; `keyMaxOrLarger` is returned for it — pass `keyMax`.
 */
export function prefixEnd(prefix: Uint8Array, keyMaxOrLarger: Uint8Array): Uint8Array {
  return storagePrefixEnd(prefix) ?? keyMaxOrLarger;
}

/** A point or range span; asserts `key < endKey` for a range. Frozen. */
export function span(key: Uint8Array, endKey?: Uint8Array): Span {
  if (endKey !== undefined) assert(compareKeys(key, endKey) < 0, 'span must have key < endKey');
  return Object.freeze({ key, endKey });
}

export function rspan(key: Uint8Array, endKey: Uint8Array): RSpan {
  assert(compareKeys(key, endKey) < 0, 'rspan must have key < endKey');
  return Object.freeze({ key: key as RKey, endKey: endKey as RKey });
}

/** The exclusive end of `s`: `endKey`, or `keyNext(key)` for a point. */
export function spanEnd(s: Span): Uint8Array {
  return s.endKey ?? keyNext(s.key);
}

export function spanContainsKey(s: Span, key: Uint8Array): boolean {
  if (s.endKey === undefined) return keysEqual(s.key, key);
  return compareKeys(s.key, key) <= 0 && compareKeys(key, s.endKey) < 0;
}

/** Whether every key of `inner` is in `outer`. */
export function spanContains(outer: Span, inner: Span): boolean {
  return compareKeys(outer.key, inner.key) <= 0 && compareKeys(spanEnd(inner), spanEnd(outer)) <= 0;
}

/** Whether `a` and `b` share at least one key. */
export function spanOverlaps(a: Span, b: Span): boolean {
  return compareKeys(a.key, spanEnd(b)) < 0 && compareKeys(b.key, spanEnd(a)) < 0;
}

/** The keys of `a` that are also in `b`, or undefined if they do not overlap. */
export function spanIntersect(a: Span, b: Span): Span | undefined {
  if (!spanOverlaps(a, b)) return undefined;
  if (a.endKey === undefined) return a;
  if (b.endKey === undefined) return b;
  const key = compareKeys(a.key, b.key) >= 0 ? a.key : b.key;
  const endKey = compareKeys(a.endKey, b.endKey) <= 0 ? a.endKey : b.endKey;
  return span(key, endKey);
}
