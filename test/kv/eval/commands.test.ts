/** The command table covers every request kind, and `evaluate` dispatches by kind. */
import { describe, expect, it } from 'vitest';
import { rangeId, replicaId, nodeId, storeId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import { batchHeader, getRequest, putRequest, rangeDescriptor, requestKeys, requestKinds, keyMax, type RKey, type RequestKind } from '../../../kv/api/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { emptyStats } from '../../../kv/storage/mvcc/index.js';
import { commands, declareKeys, evaluate, type EvalContext } from '../../../kv/eval/index.js';
import { allSamples, txnA } from '../api/fixtures.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('command table', () => {
  it('has exactly one command per request kind', () => {
    expect(Object.keys(commands).sort()).toEqual([...requestKinds].sort());
    for (const kind of requestKinds) expect(typeof commands[kind].evaluate).toBe('function');
  });

  it('declares the keys kv/api computes for every sample request', () => {
    for (const request of allSamples) expect(declareKeys(request, txnA.id)).toEqual(requestKeys(request, txnA.id));
  });

  it('dispatches by kind: a put then a get of the same key through one batch', async () => {
    const desc = rangeDescriptor({ rangeId: rangeId(1), startKey: enc('a') as RKey, endKey: keyMax as RKey, replicas: [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' }], nextReplicaId: replicaId(2), generation: 0 });
    const ctx: EvalContext = { rangeId: rangeId(1), descriptor: desc, stats: emptyStats(), now: timestamp(100n), header: batchHeader({ timestamp: timestamp(10n) }), budget: { keysRemaining: undefined, bytesRemaining: undefined } };
    const batch = new Batch(new MemoryEngine());
    const put = await evaluate(ctx, batch, putRequest(enc('k'), enc('v')));
    expect(put.response.kind).toBe('put');
    const got = await evaluate(ctx, batch, getRequest(enc('k')));
    expect(got.response.kind).toBe('get');
    expect(got.response.kind === 'get' && Buffer.from(got.response.value!).toString()).toBe('v');
    expect(got.response.kind === 'get' && got.response.timestamp).toEqual(timestamp(10n));
    expect(ctx.stats.liveCount).toBe(1);
  });
});

// Compile-time exhaustiveness: a command table without a kind does not type-check (tsc checks
// this file; the directive fails the build if the error ever disappears).
const { adminMerge: _dropped, ...withoutAdminMerge } = commands;
// @ts-expect-error — 'adminMerge' is missing
export const incomplete: { readonly [K in RequestKind]: (typeof commands)[K] } = withoutAdminMerge;
