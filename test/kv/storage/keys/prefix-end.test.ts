import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey, intValue, prefixEnd } from '../../../../kv/storage/keys/index.js';
import { check, hex } from './arbitraries.js';

const arbitraryEdgeBytes = fc.array(fc.constantFrom(0x00, 0x01, 0x7f, 0xfe, 0xff), { maxLength: 5 }).map((bytes) => Uint8Array.from(bytes));

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && Buffer.compare(bytes.subarray(0, prefix.length), prefix) === 0;
}

describe('prefixEnd', () => {
  it('increments the last byte that is not ff', () => {
    expect(hex(prefixEnd(Uint8Array.of(0x12, 0x81, 0x05))!)).toBe('12 81 06');
    expect(hex(prefixEnd(Uint8Array.of(0x61, 0xff, 0xff))!)).toBe('62');
    expect(hex(prefixEnd(Uint8Array.of(0x00))!)).toBe('01');
    expect(hex(prefixEnd(encodeKey([intValue(5n)]))!)).toBe('12 81 06');
  });

  it('is unbounded for the empty prefix and all-ff prefixes', () => {
    expect(prefixEnd(new Uint8Array(0))).toBeUndefined();
    expect(prefixEnd(Uint8Array.of(0xff, 0xff))).toBeUndefined();
  });

  it('does not change its argument', () => {
    const prefix = Uint8Array.of(1, 2);
    prefixEnd(prefix);
    expect(prefix).toEqual(Uint8Array.of(1, 2));
  });

  it('a key starts with the prefix exactly when it is in [prefix, prefixEnd(prefix))', () => {
    fc.assert(
      fc.property(arbitraryEdgeBytes, arbitraryEdgeBytes, (prefix, key) => {
        const end = prefixEnd(prefix);
        const inSpan = Buffer.compare(key, prefix) >= 0 && (end === undefined || Buffer.compare(key, end) < 0);
        check(inSpan === startsWith(key, prefix), () => `prefix ${hex(prefix)}, key ${hex(key)}`);
      }),
      { seed: 6000, numRuns: 2000 },
    );
  });
});
