/** Range descriptors and leases: validation, containment, and the bigint-safe encoding round trip. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidInputError } from '../../../src/base/errors.js';
import { nodeId, rangeId, replicaId, storeId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import {
  containsKey,
  containsSpan,
  decodeLease,
  decodeRangeDescriptor,
  encodeLease,
  encodeRangeDescriptor,
  expirationLeaseCovers,
  isJoint,
  keyMax,
  keyMin,
  lease,
  rangeDescriptor,
  rangeDescriptorProblems,
  replicaOnStore,
  replicaTypes,
  span,
  type RangeDescriptor,
  type ReplicaDescriptor,
  type RKey,
} from '../../../kv/api/index.js';

const enc = (s: string): RKey => new TextEncoder().encode(s) as RKey;
const replica = (n: number, type: ReplicaDescriptor['type'] = 'voter'): ReplicaDescriptor => ({ nodeId: nodeId(n), storeId: storeId(n), replicaId: replicaId(n), type });
const base: RangeDescriptor = { rangeId: rangeId(3), startKey: enc('b'), endKey: enc('m'), replicas: [replica(1), replica(2), replica(3)], nextReplicaId: replicaId(4), generation: 2 };

describe('RangeDescriptor', () => {
  it('contains [startKey, endKey) and nothing else', () => {
    const desc = rangeDescriptor(base);
    expect(containsKey(desc, enc('b'))).toBe(true);
    expect(containsKey(desc, enc('lzzz'))).toBe(true);
    expect(containsKey(desc, enc('m'))).toBe(false);
    expect(containsKey(desc, enc('a'))).toBe(false);
    expect(containsSpan(desc, span(enc('b'), enc('m')))).toBe(true);
    expect(containsSpan(desc, span(enc('c')))).toBe(true);
    expect(containsSpan(desc, span(enc('c'), enc('n')))).toBe(false);
    expect(containsSpan(desc, span(enc('a'), enc('c')))).toBe(false);
  });

  it('is frozen, down to its replicas', () => {
    const desc = rangeDescriptor(base);
    expect(Object.isFrozen(desc)).toBe(true);
    expect(Object.isFrozen(desc.replicas)).toBe(true);
    expect(Object.isFrozen(desc.replicas[0])).toBe(true);
    expect(replicaOnStore(desc, storeId(2))?.replicaId).toBe(2);
    expect(replicaOnStore(desc, storeId(9))).toBeUndefined();
  });

  it.each([
    ['startKey must be < endKey', { endKey: enc('b') }],
    ['range bounds must be global keys', { startKey: Uint8Array.of(0x01, 0x6b) as RKey }],
    ['endKey must be ≤ /Max', { endKey: Uint8Array.of(0xff, 0xff, 0x00) as RKey }],
    ['generation must be a non-negative integer', { generation: -1 }],
    ['a range needs at least one replica', { replicas: [] }],
    ['a range needs at least one voter', { replicas: [replica(1, 'learner')] }],
    ['must be < nextReplicaId', { nextReplicaId: replicaId(3) }],
    ['duplicate replica id 1', { replicas: [replica(1), { ...replica(2), replicaId: replicaId(1) }] }],
    ['duplicate store 1', { replicas: [replica(1), { ...replica(2), storeId: storeId(1) }] }],
    ['two replicas on node 1', { replicas: [replica(1), { ...replica(2), nodeId: nodeId(1) }] }],
  ] as const)('rejects: %s', (problem, change) => {
    const bad = { ...base, ...change } as RangeDescriptor;
    expect(rangeDescriptorProblems(bad).join('; ')).toContain(problem);
    expect(() => rangeDescriptor(bad)).toThrow(problem);
    expect(() => decodeRangeDescriptor(encodeRangeDescriptor(bad))).toThrow(InvalidInputError);
  });

  it('accepts the whole keyspace and joint configurations', () => {
    const whole = rangeDescriptor({ ...base, startKey: keyMin as RKey, endKey: keyMax as RKey });
    expect(containsKey(whole, keyMin)).toBe(true);
    expect(containsKey(whole, keyMax)).toBe(false);
    expect(isJoint(whole)).toBe(false);
    expect(isJoint(rangeDescriptor({ ...base, replicas: [replica(1), replica(2, 'voterIncoming'), replica(3, 'voterOutgoing')] }))).toBe(true);
  });

  it('round-trips through its encoding (random descriptors, fixed seed)', () => {
    const arbitrary = fc
      .record({
        range: fc.integer({ min: 1, max: 2 ** 40 }),
        keys: fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 8 }).filter((k) => k[0]! >= 0x02 && k[0]! < 0xff), { minLength: 2, maxLength: 2, comparator: (a, b) => Buffer.compare(a, b) === 0 }),
        types: fc.array(fc.constantFrom(...replicaTypes), { minLength: 1, maxLength: 5 }),
        generation: fc.nat(),
      })
      .map(({ range, keys, types, generation }): RangeDescriptor => {
        const [a, b] = [...keys].sort((x, y) => Buffer.compare(x, y)) as [Uint8Array, Uint8Array];
        const replicas = types.map((type, i) => replica(i + 1, i === 0 ? 'voter' : type));
        return { rangeId: rangeId(range), startKey: a as RKey, endKey: b as RKey, replicas, nextReplicaId: replicaId(replicas.length + 7), generation };
      });
    fc.assert(
      fc.property(arbitrary, (desc) => {
        expect(decodeRangeDescriptor(encodeRangeDescriptor(rangeDescriptor(desc)))).toEqual(rangeDescriptor(desc));
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('rejects corrupt encodings with InvalidInputError', () => {
    for (const text of ['not json', '[]', '{"rangeId":1}', '{"rangeId":0,"startKey":"","endKey":"ff","replicas":[],"nextReplicaId":1,"generation":0}']) {
      expect(() => decodeRangeDescriptor(new TextEncoder().encode(text))).toThrow(InvalidInputError);
    }
    const good = JSON.parse(new TextDecoder().decode(encodeRangeDescriptor(rangeDescriptor(base)))) as Record<string, unknown>;
    expect(() => decodeRangeDescriptor(new TextEncoder().encode(JSON.stringify({ ...good, startKey: 'XY' })))).toThrow(/hex/);
    expect(() => decodeRangeDescriptor(new TextEncoder().encode(JSON.stringify({ ...good, replicas: [{ ...replica(1), type: 'witness' }] })))).toThrow(/replica type/);
  });
});

describe('Lease', () => {
  const holder = replica(2);
  it('round-trips expiration and epoch leases with full bigint timestamps', () => {
    const big = timestamp((1n << 63n) + 5n, 7);
    const byExpiration = lease({ replica: holder, start: timestamp(10n, 1), expiration: big, epoch: undefined, sequence: 4 });
    const byEpoch = lease({ replica: holder, start: big, expiration: undefined, epoch: 9, sequence: 5 });
    expect(decodeLease(encodeLease(byExpiration))).toEqual(byExpiration);
    expect(decodeLease(encodeLease(byEpoch))).toEqual(byEpoch);
  });

  it('covers [start, expiration)', () => {
    const l = lease({ replica: holder, start: timestamp(10n), expiration: timestamp(20n), epoch: undefined, sequence: 1 });
    expect(expirationLeaseCovers(l, timestamp(10n))).toBe(true);
    expect(expirationLeaseCovers(l, timestamp(19n, 99))).toBe(true);
    expect(expirationLeaseCovers(l, timestamp(20n))).toBe(false);
    expect(expirationLeaseCovers(l, timestamp(9n, 5))).toBe(false);
  });

  it('needs exactly one of expiration and epoch, and a start before its expiration', () => {
    expect(() => lease({ replica: holder, start: timestamp(1n), expiration: undefined, epoch: undefined, sequence: 1 })).toThrow(/exactly one/);
    expect(() => lease({ replica: holder, start: timestamp(1n), expiration: timestamp(2n), epoch: 1, sequence: 1 })).toThrow(/exactly one/);
    expect(() => lease({ replica: holder, start: timestamp(2n), expiration: timestamp(2n), epoch: undefined, sequence: 1 })).toThrow(/start before/);
    const corrupt = new TextEncoder().encode(JSON.stringify({ replica: holder, start: '0.000000002,0', expiration: '0.000000001,0', epoch: null, sequence: 1 }));
    expect(() => decodeLease(corrupt)).toThrow(InvalidInputError);
  });
});
