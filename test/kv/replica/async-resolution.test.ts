/**
 * Asynchronous intent resolution (kv/replica/store.ts `resolveIntentsAsync`): the resolutions of
 * every transaction go through one store-wide queue, and those queued while a batch is in flight
 * leave together — one resolution command per range for many transactions (the request batch
 * pattern), instead of one per transaction.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveIntentRangeRequest, resolveIntentRequest, txnMeta, type BatchRequest, type BatchResponse } from '../../../kv/api/index.js';
import { takeResolutionChunk } from '../../../kv/replica/store.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { limits } from '../../../src/base/limits.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { sleep } from '../../support/settled.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
/** Writes are intents at once (no write buffer), so every commit leaves one on the right range. */
const eager = { writeBufferBytesMax: 0 } as const;

describe('asynchronous intent resolution', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  it('batches the resolutions queued while one is in flight: one command for many transactions', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await kv.split(k('m'));
    const right = kv.store.replicaForKey(k('z'))!;
    // Hold the first resolution batch that reaches the right range until every commit is done.
    const resolutionBatches: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const send = right.send.bind(right);
    vi.spyOn(right, 'send').mockImplementation(async (batch: BatchRequest): Promise<BatchResponse> => {
      if (batch.requests.every((request) => request.kind === 'resolveIntent')) {
        resolutionBatches.push(batch.requests.length);
        if (resolutionBatches.length === 1) await held;
      }
      return send(batch);
    });
    const writers = 12;
    for (let i = 0; i < writers; i++) {
      const txn = new Txn(kv.sender, kv.txnDeps, eager);
      await txn.put(k(`a${i}`), enc(`a${i}`)); // the anchor: resolved with the commit
      await txn.put(k(`z${i}`), enc(`z${i}`)); // on the right range: resolved asynchronously
      await txn.commit();
    }
    expect(resolutionBatches).toEqual([1]);
    release();
    for (let waited = 0; right.stats.intentCount > 0 && waited < 5_000; waited += 10) await sleep(10);
    expect(right.stats.intentCount).toBe(0);
    // The first transaction's resolution alone, then the other eleven together.
    expect(resolutionBatches).toEqual([1, writers - 1]);
    const values = await runTxn(kv.sender, kv.txnDeps, (txn) => txn.scan(k('z'), k('z~')));
    expect(values.map((row) => dec(row.value)).sort()).toEqual(Array.from({ length: writers }, (_, i) => `z${i}`).sort());
  });

  it('takes at most intentResolutionBatchRequestsMax requests, and few ranged ones, in queue order', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    const meta = txnMeta(new Txn(kv.sender, kv.txnDeps).transaction);
    const fields = { intentTxn: meta, status: 'COMMITTED' as const, ignoredSequences: [] };
    const ranged = limits.intentResolutionBatchRangedRequestsMax;
    const queue = [
      ...Array.from({ length: ranged + 3 }, (_, i) => resolveIntentRangeRequest(k(`r${i}`), k(`r${i}~`), fields)),
      ...Array.from({ length: limits.intentResolutionBatchRequestsMax }, (_, i) => resolveIntentRequest(k(`p${i}`), fields)),
    ];
    const total = queue.length;
    const chunk = takeResolutionChunk(queue);
    expect(chunk.length).toBe(limits.intentResolutionBatchRequestsMax);
    expect(chunk.filter((request) => request.kind === 'resolveIntentRange').length).toBe(ranged);
    expect(chunk[0]!.key).toEqual(k('r0'));
    // What was left keeps its order: the three ranged ones that did not fit, then the points.
    expect(queue.length).toBe(total - chunk.length);
    expect(queue.slice(0, 3).map((request) => request.key)).toEqual([k(`r${ranged}`), k(`r${ranged + 1}`), k(`r${ranged + 2}`)]);
    expect(queue.every((request, i) => i < 3 || request.kind === 'resolveIntent')).toBe(true);
  });
});
