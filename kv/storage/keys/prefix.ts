/**
 * `prefixEnd`: the exclusive upper bound of a prefix scan (CockroachDB's `Key.PrefixEnd`).
 */

/**
 * The smallest byte string strictly greater than every byte string that starts with `prefix`:
 * drop trailing ff bytes, then add one to the last byte. Undefined when no such string exists
 * (`prefix` is empty or all ff), meaning the scan is unbounded above. Does not change `prefix`.
 *
 *     prefixEnd(12 81 05)    = 12 81 06
 *     prefixEnd(61 ff ff)    = 62
 *     prefixEnd(ff ff)       = undefined
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  for (let index = prefix.length - 1; index >= 0; index--) {
    const byte = prefix[index]!;
    if (byte === 0xff) continue;
    const end = prefix.slice(0, index + 1);
    end[index] = byte + 1;
    return end;
  }
  return undefined;
}
