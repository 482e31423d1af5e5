/**
 * An inconsistent read never waits in the lock table (kv/replica/concurrency.ts `planOf`): it
 * reads around intents (kv/eval get.ts, scan.ts) — that is what range lookups rely on to find a
 * range while a split's or merge's meta2 intents are unresolved. Before, its span was a lock
 * span like a consistent read's: once a consistent reader had met an intent and put it in the
 * lock table, every inconsistent read of the key queued behind it until the holder was pushed.
 * The pusher's own PushTxn needs a range lookup to reach the pushee's record — an inconsistent
 * meta2 scan, queued behind the lock it was pushing: a deadlock (KV simulator, seed 122 of
 * session 11: after a crash between a split's commit and its meta2 resolution, a consistent meta2
 * scan met the split's intent, and every lookup, the push's included, waited for ever).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, getRequest, scanRequest, type Transaction } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

describe('an inconsistent read and the lock table', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  it('reads around an intent a consistent reader is queued on, while that reader\'s push is out', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [getRequest(k('z'))] as const)); // warm the range cache
    const holder = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await holder.put(k('z'), enc('pending'));
    // The consistent reader's push never comes back (in the simulator it was stuck on a lookup).
    let failPush: (error: Error) => void = () => undefined;
    const push = vi.spyOn(kv.store, 'pushTxn').mockImplementation(() => new Promise<Transaction>((_resolve, reject) => (failPush = reject)));
    const consistent = kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [getRequest(k('z'))] as const));
    consistent.catch(() => undefined);
    await vi.waitFor(() => expect(push).toHaveBeenCalledTimes(1)); // queued on the lock, pushing

    const inconsistent = batchHeader({ timestamp: kv.clock.now(), readConsistency: 'inconsistent' });
    const get = await kv.sender.send(batchRequest(inconsistent, [getRequest(k('z'))] as const));
    expect(dec(get.responses[0].value)).toBeUndefined(); // read around, not waited on
    const scan = await kv.sender.send(batchRequest(inconsistent, [scanRequest(k('a'), k('zz'))] as const));
    expect(scan.responses[0].rows).toEqual([]);

    failPush(new Error('push abandoned by the test'));
    await expect(consistent).rejects.toThrow('push abandoned by the test');
    await holder.commit();
  });
});
