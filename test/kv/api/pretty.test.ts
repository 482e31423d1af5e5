/**
 * Golden pretty-printed forms of every key kind, and the round trip
 * `buildKey(describeKey(k)) == k` for those and for arbitrary bytes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nodeId, rangeId, txnId } from '../../../src/base/ids.js';
import { boolValue, bytesValue, dateValue, decimalValue, floatValue, intValue, nullValue, textValue } from '../../../kv/storage/keys/key-value.js';
import {
  abortSpanKey,
  buildKey,
  describeKey,
  descriptorKey,
  generatorKey,
  indexPrefix,
  keyMax,
  keyMin,
  lockKey,
  meta1Key,
  meta1KeyMax,
  meta2Key,
  namespaceKey,
  nodeLivenessKey,
  prettyKey,
  raftHardStateKey,
  raftLogKey,
  raftLogPrefix,
  raftTruncatedStateKey,
  rangeAppliedStateKey,
  rangeDescriptorKey,
  rangeGCThresholdKey,
  rangeLeaseKey,
  rangeStatsKey,
  settingKey,
  storeIdentKey,
  storeMaxOffsetKey,
  tableKey,
  tablePrefix,
  transactionKey,
  userKey,
  type KeyDescriptionKind,
} from '../../../kv/api/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const txnA = txnId('0123456789abcdef0123456789abcdef');
const r7 = rangeId(7);

const goldens: readonly [Uint8Array, string, KeyDescriptionKind][] = [
  [keyMin, '/Min', 'min'],
  [keyMax, '/Max', 'max'],
  [raftLogKey(r7, 12), '/Local/RangeID/7/u/RaftLog/logIndex:12', 'rangeIdLocal'],
  [raftLogPrefix(r7), '/Local/RangeID/7/u/RaftLog', 'rangeIdLocal'],
  [raftHardStateKey(r7), '/Local/RangeID/7/u/RaftHardState', 'rangeIdLocal'],
  [raftTruncatedStateKey(rangeId(300)), '/Local/RangeID/300/u/RaftTruncatedState', 'rangeIdLocal'],
  [rangeAppliedStateKey(r7), '/Local/RangeID/7/r/RangeAppliedState', 'rangeIdLocal'],
  [rangeLeaseKey(r7), '/Local/RangeID/7/r/RangeLease', 'rangeIdLocal'],
  [rangeGCThresholdKey(r7), '/Local/RangeID/7/r/RangeGCThreshold', 'rangeIdLocal'],
  [rangeStatsKey(r7), '/Local/RangeID/7/r/RangeStats', 'rangeIdLocal'],
  [abortSpanKey(r7, txnA), `/Local/RangeID/7/r/AbortSpan/${txnA}`, 'rangeIdLocal'],
  [rangeDescriptorKey(enc('b')), '/Local/Range/"b"/RangeDescriptor', 'rangeDescriptor'],
  [rangeDescriptorKey(keyMin), '/Local/Range/Min/RangeDescriptor', 'rangeDescriptor'],
  [rangeDescriptorKey(tableKey(52, 1, [textValue('a')])), '/Local/Range/Table/52/1/"a"/RangeDescriptor', 'rangeDescriptor'],
  [transactionKey(enc('b'), txnA), `/Local/Range/"b"/Transaction/${txnA}`, 'transaction'],
  [storeIdentKey, '/Local/Store/storeIdent', 'storeIdent'],
  [storeMaxOffsetKey, '/Local/Store/maxOffset', 'storeMaxOffset'],
  [lockKey(enc('b')), '/Local/Lock/"b"', 'lock'],
  [lockKey(tableKey(52, 1, [intValue(7n)])), '/Local/Lock/Table/52/1/7', 'lock'],
  [meta1KeyMax, '/Meta1/Max', 'meta1'],
  [meta1Key(meta2Key(enc('b')).subarray(1)), '/Meta1/"b"', 'meta1'],
  [meta2Key(enc('b')), '/Meta2/"b"', 'meta2'],
  [meta2Key(tablePrefix(52)), '/Meta2/Table/52', 'meta2'],
  [meta2Key(keyMax), '/Meta2/Max', 'meta2'],
  [nodeLivenessKey(nodeId(3)), '/System/NodeLiveness/3', 'system'],
  [descriptorKey(52), '/System/Descriptor/52', 'system'],
  [namespaceKey(1, 29, 't'), '/System/Namespace/1/29/"t"', 'system'],
  [settingKey('kv.closed_timestamp'), '/System/Settings/"kv.closed_timestamp"', 'system'],
  [userKey('root'), '/System/Users/"root"', 'system'],
  [generatorKey('range-id'), '/System/Generator/"range-id"', 'system'],
  [tableKey(52, 1, [textValue('alice'), intValue(7n)]), '/Table/52/1/"alice"/7', 'table'],
  [indexPrefix(52, 2), '/Table/52/2', 'table'],
  [tablePrefix(52), '/Table/52', 'table'],
  [tableKey(53, 1, [nullValue, boolValue(true), floatValue(1.5), decimalValue('-123.45'), bytesValue(Uint8Array.of(0, 0xff)), dateValue(3), intValue(-1n)]), '/Table/53/1/NULL/true/1.5/-123.45/"\\x00\\xff"/date:3/-1', 'table'],
  [Uint8Array.from([0xf0, 0x12, 0x81, 0x34, 0x99]), '/Table/52/"\\x99"', 'table'],
  [enc('plain'), '/"plain"', 'raw'],
  [Uint8Array.of(0x05, 0x22, 0x5c, 0x7f), '/"\\x05\\"\\\\\\x7f"', 'raw'],
  [Uint8Array.of(0xf0, 0x00), '/"\\xf0\\x00"', 'raw'],
  [Uint8Array.of(0x01, 0x6b, 0x61), '/"\\x01ka"', 'raw'],
];

describe('prettyKey goldens', () => {
  it.each(goldens.map(([key, pretty, kind]) => [pretty, key, kind] as const))('%s', (pretty, key, kind) => {
    expect(prettyKey(key)).toBe(pretty);
    expect(describeKey(key).kind).toBe(kind);
  });

  it('covers every key description kind', () => {
    const kinds = new Set(goldens.map(([, , kind]) => kind));
    const all: Record<KeyDescriptionKind, true> = { min: true, max: true, rangeIdLocal: true, rangeDescriptor: true, transaction: true, storeIdent: true, storeMaxOffset: true, lock: true, meta1: true, meta2: true, system: true, table: true, raw: true };
    expect([...kinds].sort()).toEqual(Object.keys(all).sort());
  });
});

describe('describeKey / buildKey round trip', () => {
  it('rebuilds every golden key byte for byte', () => {
    for (const [key] of goldens) expect(Buffer.from(buildKey(describeKey(key))).toString('hex')).toBe(Buffer.from(key).toString('hex'));
  });

  it('is total and exact on arbitrary bytes, including local, meta and table prefixes', () => {
    const prefixes = fc.constantFrom(Uint8Array.of(), Uint8Array.of(0x01, 0x69), Uint8Array.of(0x01, 0x6b), Uint8Array.of(0x01, 0x7a, 0x6b), Uint8Array.of(0x03), Uint8Array.of(0x04, 0x6c), Uint8Array.of(0xf0, 0x12));
    fc.assert(
      fc.property(prefixes, fc.uint8Array({ maxLength: 24 }), (prefix, tail) => {
        const key = Uint8Array.from([...prefix, ...tail]);
        expect(typeof prettyKey(key)).toBe('string');
        expect(Buffer.compare(buildKey(describeKey(key)), key)).toBe(0);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('decodes structured fields, not only the printed form', () => {
    const log = describeKey(raftLogKey(r7, 2 ** 40));
    expect(log).toMatchObject({ kind: 'rangeIdLocal', rangeId: 7, suffix: 'RaftLog', logIndex: 2n ** 40n });
    const txn = describeKey(transactionKey(enc('a\x00b'), txnA));
    expect(txn).toMatchObject({ kind: 'transaction', txnId: txnA });
    expect(txn.kind === 'transaction' && Buffer.from(txn.anchor).toString('latin1')).toBe('a\x00b');
  });
});
