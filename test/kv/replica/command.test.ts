/**
 * The replicated command and applied-state codecs: what is proposed is exactly what is applied,
 * after a restart too; bytes this code did not write are a StorageError, never a wrong command.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { lease, rangeDescriptor, type RKey } from '../../../kv/api/index.js';
import { commandProposalId, decodeCommand, encodeCommand, type ReplicatedCommand, type ReplicatedEffect } from '../../../kv/replica/command.js';
import { decodeAppliedState, encodeAppliedState } from '../../../kv/replica/replica-state.js';
import { mvccStatsFields, type MvccStats } from '../../../kv/storage/mvcc/index.js';
import { StorageError } from '../../../src/base/errors.js';
import { nodeId, rangeId, replicaId, storeId } from '../../../src/base/ids.js';

const replica = { nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' as const };
const desc = (id: number, start: number[], end: number[]) =>
  rangeDescriptor({ rangeId: rangeId(id), startKey: Uint8Array.from(start) as RKey, endKey: Uint8Array.from(end) as RKey, replicas: [replica], nextReplicaId: replicaId(2), generation: id });

const effects: ReplicatedEffect[] = [
  { kind: 'lease', lease: lease({ replica, start: timestamp(5n, 1), expiration: undefined, epoch: 1, sequence: 3 }) },
  { kind: 'split', left: desc(1, [], [0x10]), right: desc(2, [0x10], [0xff, 0xff]) },
  { kind: 'merge', merged: desc(1, [], [0xff, 0xff]), right: desc(2, [0x10], [0xff, 0xff]) },
  { kind: 'gcThreshold', threshold: timestamp(123_456_789n, 0) },
];

const bytes = fc.uint8Array({ maxLength: 40 });
const statsDelta = fc.record(Object.fromEntries(mvccStatsFields.map((f) => [f, fc.integer({ min: -1e9, max: 1e9 })]))) as fc.Arbitrary<MvccStats>;
const command: fc.Arbitrary<ReplicatedCommand> = fc.record({
  proposalId: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  leaseSequence: fc.integer({ min: 0, max: 1e6 }),
  writes: fc.array(fc.oneof(fc.record({ kind: fc.constant('put' as const), key: bytes, value: bytes }), fc.record({ kind: fc.constant('delete' as const), key: bytes })), { maxLength: 8 }),
  stats: statsDelta,
  effects: fc.subarray(effects),
});

describe('replicated command codec', () => {
  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(command, (c) => {
        const decoded = decodeCommand(encodeCommand(c));
        // Keys and values come back as views into the entry (Buffers): compare their bytes.
        const plain = decoded.writes.map((w) => (w.kind === 'put' ? { kind: w.kind, key: Uint8Array.from(w.key), value: Uint8Array.from(w.value) } : { kind: w.kind, key: Uint8Array.from(w.key) }));
        expect({ ...decoded, writes: plain }).toEqual(c);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('sizes the encoding exactly (one copy of the values), and reads the proposal id alone', () => {
    fc.assert(
      fc.property(command, (c) => {
        const encoded = encodeCommand(c);
        // Sized right, the writer's own buffer is returned; a wrong size falls back to a copy
        // into Buffer's shared pool, whose ArrayBuffer is larger.
        expect(encoded.byteOffset).toBe(0);
        expect(encoded.buffer.byteLength).toBe(encoded.length);
        expect(commandProposalId(encoded)).toBe(c.proposalId);
      }),
      { seed: 11, numRuns: 300 },
    );
    expect(() => commandProposalId(Uint8Array.of(9, 1))).toThrow(StorageError);
  });

  it('refuses bytes it did not write', () => {
    const good = encodeCommand({ proposalId: 1, leaseSequence: 1, writes: [{ kind: 'put', key: Uint8Array.of(1), value: Uint8Array.of(2) }], stats: Object.fromEntries(mvccStatsFields.map((f) => [f, 0])) as unknown as MvccStats, effects: [] });
    expect(() => decodeCommand(Uint8Array.of(9, ...good.subarray(1)))).toThrow(StorageError); // unknown version
    expect(() => decodeCommand(good.subarray(0, good.length - 1))).toThrow(StorageError); // truncated
    expect(() => decodeCommand(Uint8Array.of(...good, 0))).toThrow(StorageError); // trailing bytes
  });
});

describe('applied state codec', () => {
  it('decodes what it encodes, and refuses negative stats rather than persist them', () => {
    const stats = Object.fromEntries(mvccStatsFields.map((f, i) => [f, i * 1000])) as unknown as MvccStats;
    expect(decodeAppliedState(encodeAppliedState({ appliedIndex: 42, stats }))).toEqual({ appliedIndex: 42, stats });
    expect(() => encodeAppliedState({ appliedIndex: 1, stats: { ...stats, liveCount: -1 } })).toThrow(StorageError);
  });
});
