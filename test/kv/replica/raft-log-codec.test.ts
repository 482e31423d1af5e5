/**
 * The encodings of entries, hard state and truncated state: round trips over arbitrary values,
 * and every kind of corrupt input rejected with `StorageError` (never an assertion, never a
 * silently wrong value).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEntry,
  decodeHardState,
  decodeTruncatedState,
  encodeEntry,
  encodeHardState,
  encodeTruncatedState,
} from '../../../kv/replica/raft-log-codec.js';
import type { Entry } from '../../../kv/raft/index.js';
import { StorageError } from '../../../src/base/errors.js';

const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const entryArb = fc.record({
  term: safe,
  index: safe,
  type: fc.constantFrom('normal' as const, 'confChange' as const),
  data: fc.uint8Array({ maxLength: 300 }),
});

describe('raft log codec', () => {
  it('round-trips entries, hard states and truncated states', () => {
    fc.assert(
      fc.property(entryArb, safe, safe, safe, (entry: Entry, a, b, c) => {
        const encoded = encodeEntry(entry);
        // Sized exactly: the writer's own buffer, not a copy into Buffer's shared pool.
        expect(encoded.buffer.byteLength).toBe(encoded.length);
        const decoded = decodeEntry(encoded);
        expect(decoded).toEqual({ ...entry, data: decoded.data });
        expect(Array.from(decoded.data)).toEqual(Array.from(entry.data));
        expect(decodeHardState(encodeHardState({ term: a, vote: b, commit: c }))).toEqual({ term: a, vote: b, commit: c });
        expect(decodeTruncatedState(encodeTruncatedState({ index: a, term: b }))).toEqual({ index: a, term: b });
      }),
    );
  });

  it('starts every record with version 1', () => {
    expect(Array.from(encodeEntry({ term: 2, index: 3, type: 'confChange', data: Uint8Array.of(9) }))).toEqual([1, 1, 2, 3, 1, 9]);
    expect(Array.from(encodeHardState({ term: 5, vote: 2, commit: 300 }))).toEqual([1, 5, 2, 0xac, 0x02]);
    expect(Array.from(encodeTruncatedState({ index: 10, term: 5 }))).toEqual([1, 10, 5]);
  });

  it('rejects an unknown version, an unknown entry type, truncation and trailing bytes', () => {
    const entry = encodeEntry({ term: 2, index: 3, type: 'normal', data: Uint8Array.of(7, 8) });
    const corrupt: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
      ['entry version', Uint8Array.of(2, ...entry.subarray(1)), decodeEntry],
      ['entry type', Uint8Array.of(1, 7, ...entry.subarray(2)), decodeEntry],
      ['entry truncated', entry.subarray(0, entry.length - 1), decodeEntry],
      ['entry trailing', Uint8Array.of(...entry, 0), decodeEntry],
      ['entry empty', new Uint8Array(0), decodeEntry],
      ['hard state version', Uint8Array.of(0, 1, 1, 1), decodeHardState],
      ['hard state truncated', Uint8Array.of(1, 1, 1), decodeHardState],
      ['hard state trailing', Uint8Array.of(1, 1, 1, 1, 1), decodeHardState],
      ['truncated state version', Uint8Array.of(3, 1, 1), decodeTruncatedState],
      ['truncated state varint too long', Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1), decodeTruncatedState],
    ];
    for (const [what, bytes, decode] of corrupt) {
      expect(() => decode(bytes), what).toThrow(StorageError);
    }
  });
});
