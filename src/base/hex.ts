/**
 * Hex encoding for hot paths. `Buffer.from(bytes).toString('hex')` copies the bytes into a new
 * Buffer and crosses into C++ for every call; transaction ids (16 bytes) are converted several
 * times per transaction, so a table lookup in JS is cheaper. Lowercase, two digits per byte.
 */

const digits = '0123456789abcdef';
const byteHex: readonly string[] = Array.from({ length: 256 }, (_, b) => digits[b >> 4]! + digits[b & 0x0f]!);
/** The value of each ASCII hex digit (lowercase only), -1 for any other code unit below 128. */
const digitValue: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < digits.length; i++) table[digits.charCodeAt(i)] = i;
  return table;
})();

/** One byte (0–255) as two lowercase hex digits. */
export function byteToHex(byte: number): string {
  return byteHex[byte]!;
}

/** `bytes` as lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += byteHex[bytes[i]!]!;
  return out;
}

/** The bytes of a lowercase hex string, or undefined if it is not one (odd length, other characters). */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hex.charCodeAt(2 * i);
    const lo = hex.charCodeAt(2 * i + 1);
    const h = hi < 128 ? digitValue[hi]! : -1;
    const l = lo < 128 ? digitValue[lo]! : -1;
    if (h < 0 || l < 0) return undefined;
    out[i] = (h << 4) | l;
  }
  return out;
}
