/**
 * A pusher already aborted does not wait on its pushee (KV simulator seed 339): a deadlock's
 * victim whose own push was out between two waits when its abort applied missed the wait
 * queue's failing of its waits, waited again for ever — its request still queued in the lock
 * table, holding its reservation — and the cycle it was aborted to break stayed stuck.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, pushTxnRequest, TransactionAbortedError, txnMeta } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';
import { stateAfter } from '../../support/settled.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

describe('a push by an aborted pusher', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  it('fails with TransactionAbortedError instead of waiting for a pushee it cannot push', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    const victim = new Txn(kv.sender, kv.txnDeps, { priority: 1, writeBufferBytesMax: 0 });
    await victim.put(k('a'), enc('victim'));
    const holder = new Txn(kv.sender, kv.txnDeps, { priority: 2_000_000_000, writeBufferBytesMax: 0 }); // outranks the victim: its push fails
    await holder.put(k('b'), enc('holder'));
    // The victim is aborted (as a deadlock's victim is, by a forced push).
    await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [pushTxnRequest({ pusher: undefined, pushee: txnMeta(victim.transaction), pushTo: kv.clock.now(), pushType: 'abort', force: true })]));
    expect(kv.store.finalizedTxn(victim.transaction.id)?.status).toBe('ABORTED');
    const push = kv.store.pushTxn(txnMeta(victim.transaction), txnMeta(holder.transaction), 'abort', kv.clock.now(), 'w1');
    push.catch(() => undefined);
    expect(await stateAfter(push, 200)).toBe('settled');
    await expect(push).rejects.toBeInstanceOf(TransactionAbortedError);
    await holder.commit();
  });
});
