import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/base/hex.js';
import { txnIdFromBytes, txnIdToBytes } from '../../../src/base/ids.js';

describe('hex', () => {
  it('encodes every byte value as Buffer does, and decodes it back', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesToHex(all)).toBe(Buffer.from(all).toString('hex'));
    expect(hexToBytes(bytesToHex(all))).toEqual(all);
    expect(bytesToHex(new Uint8Array(0))).toBe('');
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
  });

  it('refuses odd lengths, uppercase and non-hex characters', () => {
    expect(hexToBytes('abc')).toBeUndefined();
    expect(hexToBytes('AB')).toBeUndefined();
    expect(hexToBytes('0g')).toBeUndefined();
    expect(hexToBytes('é0')).toBeUndefined();
    expect(hexToBytes('0\u0130')).toBeUndefined();
  });

  it('round-trips a transaction id through its 16 bytes, with the UUID v4 bits set', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => 0xff - i);
    const id = txnIdFromBytes(bytes);
    expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(id).toBe('fffefdfcfbfa49f8b7f6f5f4f3f2f1f0');
    expect(bytes).toEqual(Uint8Array.from({ length: 16 }, (_, i) => 0xff - i)); // the caller's bytes are left as they were
    expect(bytesToHex(txnIdToBytes(id))).toBe(id);
    expect(() => txnIdToBytes('zz' as never)).toThrow(/malformed TxnId/);
  });

  it('makes a transaction id one flat string, not a tree of appended pieces', () => {
    // The id lives as long as what names it (the timestamp cache's read entries): appended two
    // digits at a time it was a tree of 16 cons strings, ~350 bytes retained instead of ~50.
    v8.setFlagsFromString('--expose-gc');
    const collectGarbage = vm.runInNewContext('gc') as () => void;
    const count = 20_000;
    const ids: string[] = [];
    const bytes = new Uint8Array(16);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < count; i++) {
      bytes[0] = i & 0xff;
      bytes[1] = i >> 8;
      ids.push(txnIdFromBytes(bytes));
    }
    collectGarbage();
    const retainedPerId = (process.memoryUsage().heapUsed - before) / count;
    expect(new Set(ids).size).toBe(count);
    expect(retainedPerId).toBeLessThan(150);
  });
});
