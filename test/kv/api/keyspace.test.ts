/**
 * The keyspace's ordering promises (DESIGN.md §3): local < meta1 < meta2 < system < plain <
 * table data < /Max, range-local keys grouped by anchor, Raft log entries by index, and
 * addressing of local keys to their anchor.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nodeId, rangeId, txnId } from '../../../src/base/ids.js';
import { intValue, textValue } from '../../../kv/storage/keys/key-value.js';
import {
  abortSpanKey,
  addressKey,
  compareKeys,
  descriptorKey,
  generatorKey,
  indexPrefix,
  keyMax,
  keyMin,
  localMax,
  lockKey,
  meta1Key,
  meta1KeyMax,
  meta2Key,
  meta2KeyMax,
  metaMax,
  namespaceKey,
  nodeLivenessKey,
  prefixEnd,
  raftHardStateKey,
  raftLogKey,
  raftLogPrefix,
  raftTruncatedStateKey,
  rangeAppliedStateKey,
  rangeDescriptorKey,
  rangeGCThresholdKey,
  rangeIdPrefix,
  rangeLeaseKey,
  rangeLocalPrefix,
  rangeMetaKey,
  rangeLookupSpan,
  isAddressableKey,
  encodeKey,
  decodeKey,
  intValue as apiIntValue,
  tableDataPrefix,
  rangeStatsKey,
  settingKey,
  storeIdentKey,
  systemMax,
  tableDataMax,
  tableKey,
  tablePrefix,
  transactionKey,
  userKey,
} from '../../../kv/api/index.js';
import { uint64Bytes } from '../../../kv/api/key-bytes.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const txnA = txnId('0123456789abcdef0123456789abcdef');
const txnB = txnId('ffffffffffffffffffffffffffffffff');
const r7 = rangeId(7);

function expectAscending(keys: readonly Uint8Array[]): void {
  for (let i = 1; i < keys.length; i++) {
    expect(compareKeys(keys[i - 1]!, keys[i]!), `key ${i - 1} (${hex(keys[i - 1]!)}) < key ${i} (${hex(keys[i]!)})`).toBeLessThan(0);
  }
}

describe('keyspace ordering', () => {
  it('orders the regions: min < local < meta1 < meta2 < system < plain < table < max', () => {
    expectAscending([
      keyMin,
      raftHardStateKey(r7),
      rangeDescriptorKey(enc('a')),
      storeIdentKey,
      lockKey(enc('a')),
      localMax,
      meta1Key(enc('a')),
      meta1KeyMax,
      meta2Key(keyMin),
      meta2Key(enc('a')),
      meta2KeyMax,
      metaMax,
      nodeLivenessKey(nodeId(1)),
      systemMax,
      enc('plain'),
      tablePrefix(1),
      tableKey(52, 1, [textValue('alice')]),
      tableDataMax,
      keyMax,
    ]);
  });

  it('keeps every system subsystem inside [system, systemMax) and every table key below tableDataMax', () => {
    for (const key of [nodeLivenessKey(nodeId(3)), descriptorKey(52), namespaceKey(1, 29, 't'), settingKey('x'), userKey('root'), generatorKey('range-id')]) {
      expect(compareKeys(metaMax, key)).toBeLessThanOrEqual(0);
      expect(compareKeys(key, systemMax)).toBeLessThan(0);
    }
    expect(compareKeys(tableKey(2 ** 40, 7, [intValue(-5n)]), tableDataMax)).toBeLessThan(0);
  });

  it('groups range-local keys by anchor: transaction records sort with their anchor, in anchor order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 12 }), (a, b) => {
        fc.pre(compareKeys(a, b) < 0);
        const keysOfA = [rangeDescriptorKey(a), transactionKey(a, txnA), transactionKey(a, txnB)];
        const keysOfB = [rangeDescriptorKey(b), transactionKey(b, txnA)];
        const prefixA = rangeLocalPrefix(a);
        const endA = prefixEnd(prefixA, keyMax);
        for (const key of keysOfA) {
          expect(compareKeys(prefixA, key)).toBeLessThan(0);
          expect(compareKeys(key, endA)).toBeLessThan(0);
        }
        // Every key anchored at a sorts before every key anchored at b, and outside a's block.
        for (const ka of keysOfA) for (const kb of keysOfB) expect(compareKeys(ka, kb)).toBeLessThan(0);
        for (const kb of keysOfB) expect(compareKeys(kb, endA) >= 0 || compareKeys(kb, prefixA) < 0).toBe(true);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('sorts Raft log entries by index and keeps them inside the range id prefix', () => {
    const indexes = [0, 1, 2, 255, 256, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER];
    expectAscending(indexes.map((index) => raftLogKey(r7, index)));
    for (const index of indexes) expect(raftLogKey(r7, index).subarray(-8)).toEqual(uint64Bytes(BigInt(index)));
    const prefix = rangeIdPrefix(r7);
    const end = prefixEnd(prefix, keyMax);
    for (const key of [raftLogKey(r7, 12), raftHardStateKey(r7), raftTruncatedStateKey(r7), rangeAppliedStateKey(r7), rangeLeaseKey(r7), rangeGCThresholdKey(r7), rangeStatsKey(r7), abortSpanKey(r7, txnA)]) {
      expect(compareKeys(prefix, key)).toBeLessThan(0);
      expect(compareKeys(key, end)).toBeLessThan(0);
    }
    expect(compareKeys(raftLogKey(r7, 2 ** 40), prefixEnd(raftLogPrefix(r7), keyMax))).toBeLessThan(0);
  });

  it('orders range ids numerically, not by their decimal text', () => {
    expectAscending([rangeIdPrefix(rangeId(2)), rangeIdPrefix(rangeId(10)), rangeIdPrefix(rangeId(256)), rangeIdPrefix(rangeId(70_000))]);
    expect(compareKeys(prefixEnd(rangeIdPrefix(rangeId(2)), keyMax), rangeIdPrefix(rangeId(3)))).toBeLessThanOrEqual(0);
  });

  it('orders table keys by table id, then index id, then columns', () => {
    expectAscending([tablePrefix(2), tablePrefix(10), indexPrefix(52, 1), tableKey(52, 1, [textValue('alice')]), tableKey(52, 1, [textValue('bob')]), indexPrefix(52, 2), tablePrefix(300)]);
  });

  it('keeps the store identity bytes that src/node/store-ident.ts wrote before', () => {
    expect(hex(storeIdentKey)).toBe(hex(Uint8Array.from([0x01, 0x73, ...enc('store-ident')])));
  });
});

describe('addressing', () => {
  it('addresses range-local and lock keys to their anchor and global keys to themselves', () => {
    expect(hex(addressKey(rangeDescriptorKey(enc('b\x00c'))))).toBe(hex(enc('b\x00c')));
    expect(hex(addressKey(transactionKey(enc('k'), txnA)))).toBe(hex(enc('k')));
    expect(hex(addressKey(lockKey(enc('z'))))).toBe(hex(enc('z')));
    expect(hex(addressKey(enc('plain')))).toBe(hex(enc('plain')));
  });

  it('refuses to address range-id-local and store-local keys', () => {
    expect(() => addressKey(raftLogKey(r7, 1))).toThrow(/not addressable/);
    expect(() => addressKey(storeIdentKey)).toThrow(/not addressable/);
  });

  it('maps a key to the meta key that addresses it: user → meta2 → meta1 → min', () => {
    expect(hex(rangeMetaKey(enc('b')))).toBe(hex(meta2Key(enc('b'))));
    expect(hex(rangeMetaKey(meta2Key(enc('b'))))).toBe(hex(meta1Key(enc('b'))));
    expect(hex(rangeMetaKey(meta1Key(enc('b'))))).toBe('');
    expect(hex(rangeMetaKey(keyMax))).toBe(hex(meta2KeyMax));
    expect(hex(rangeMetaKey(meta2KeyMax))).toBe(hex(meta1KeyMax));
  });

  it('looks a key up in the meta level above it, strictly after its meta key', () => {
    const user = rangeLookupSpan(enc('m'))!;
    // A range [b, m) is stored at meta2(m) and does not hold m: the lookup starts after meta2(m).
    expect(compareKeys(meta2Key(enc('m')), user.key)).toBeLessThan(0);
    expect(compareKeys(user.key, meta2Key(enc('m\x00\x00')))).toBeLessThan(0);
    expect(hex(user.endKey!)).toBe(hex(metaMax));
    expect(compareKeys(meta2KeyMax, user.endKey!)).toBeLessThan(0);
    const meta = rangeLookupSpan(meta2Key(enc('m')))!;
    expect(hex(meta.key)).toBe(hex(meta1Key(enc('m\x00'))));
    expect(hex(meta.endKey!)).toBe('03');
    expect(rangeLookupSpan(meta1Key(enc('m')))).toBeUndefined();
  });

  it('treats [localMax, keyMax] as the addressable keyspace', () => {
    expect(isAddressableKey(keyMin)).toBe(false);
    expect(isAddressableKey(rangeDescriptorKey(enc('a')))).toBe(false);
    expect(isAddressableKey(localMax)).toBe(true);
    expect(isAddressableKey(keyMax)).toBe(true);
    expect(isAddressableKey(Uint8Array.of(0xff, 0xff, 0x00))).toBe(false);
  });
});

describe('key encoding re-exported for sql/', () => {
  it('builds table keys whose tail decodes with the re-exported decoder', () => {
    const key = tableKey(52, 1, [textValue('alice'), apiIntValue(7n)]);
    expect(key[0]).toBe(tableDataPrefix[0]);
    expect(decodeKey(key.subarray(1))).toEqual([apiIntValue(52n), apiIntValue(1n), textValue('alice'), apiIntValue(7n)]);
    expect(hex(key.subarray(1))).toBe(hex(encodeKey([apiIntValue(52n), apiIntValue(1n), textValue('alice'), apiIntValue(7n)])));
  });
});
