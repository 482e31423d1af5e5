/**
 * A split or merge answers only once its new descriptors are published: the meta2 intents of
 * its transaction are resolved by the admin command itself, not only through the store's
 * asynchronous resolution queue. Lookups read meta2 inconsistently (committed values, intents
 * ignored), so until then they name the old ranges; and the queue sends one batch at a time.
 *
 * Regression (found by the KV simulator, src/sim/kv, seed 8): a resolution chunk queued before
 * a merge, for intents on the right-hand range, was in flight when the merge removed that range;
 * it retried its routing through lookups that still named the removed range, ahead of the
 * merge's own meta2 resolution in the same queue — so for about a second every request to the
 * merged keys failed with RoutingRetriesExhaustedError ("r3 was not found on s1").
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addressKey } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

describe('merge publishes its descriptors', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  it('routes to the merged range as soon as the merge returns, with the asynchronous resolution queue stalled', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await kv.split(k('a'));
    await kv.split(k('m'));
    // Stall the queue: the first resolve-only batch for a user key (an intent of the
    // transaction below, on the right-hand range) does not answer until released.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let stalled = false;
    const send = kv.store.send.bind(kv.store);
    vi.spyOn(kv.store, 'send').mockImplementation(async (batch) => {
      const resolveOnly = batch.requests.every((r) => r.kind === 'resolveIntent' || r.kind === 'resolveIntentRange');
      if (resolveOnly && !stalled && batch.requests.some((r) => r.key[0] === 0x10)) {
        stalled = true;
        await released;
      }
      return send(batch);
    });
    // Anchored on the left-hand range, so its intent on the right-hand one is resolved asynchronously.
    const txn = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await txn.put(k('b'), enc('left'));
    await txn.put(k('x'), enc('right'));
    await txn.commit();
    await vi.waitFor(() => expect(stalled).toBe(true));
    await kv.merge(k('a'));
    const merged = await kv.store.rangeLookup(addressKey(k('x')));
    // The merged range [a, …), not the removed right-hand one [m, …) that meta2's stale value named.
    expect(Buffer.from(merged.startKey)).toEqual(Buffer.from(k('a')));
    release();
  });
});
