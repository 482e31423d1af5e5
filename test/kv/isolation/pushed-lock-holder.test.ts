/**
 * A push that leaves its pushee PENDING does not take the pushee's locks away.
 *
 * A plain reader blocked by an intent pushes its holder's timestamp (PUSH_TIMESTAMP) and, once
 * the push wins, resolves the intent as PENDING at the pushed timestamp: the intent moves above
 * the reader — or, an intent of an epoch the holder has left, is removed. The holder is still
 * running: an unreplicated lock it holds on the key (a locking read's) must stay in the lock
 * table until the holder commits or aborts. Dropping it let a second transaction's locking read
 * lock the key too, two transactions each believing they held the row exclusively.
 *
 * And a locking reader is a writer to the lock table: it pushes with PUSH_ABORT, never
 * PUSH_TIMESTAMP, so a PENDING answer never reaches it (CockroachDB does the same).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getRequest, LockConflictError, type PushType } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
/** Writes are intents at once (no write buffer), so the tests see each step. */
const eager = { writeBufferBytesMax: 0 } as const;

/** A NOWAIT exclusive locking Get of `key` in `txn`: its value, or the error it failed with. */
async function lockNowait(txn: Txn, key: Uint8Array): Promise<string | undefined | LockConflictError> {
  try {
    const response = await txn.batch([getRequest(key, 'exclusive')] as const, { waitPolicy: 'error' });
    return dec(response.responses[0].value);
  } catch (error) {
    if (error instanceof LockConflictError) return error;
    throw error;
  }
}

describe('a push that leaves the pushee PENDING', () => {
  const open: Kv[] = [];
  const start = async (): Promise<Kv> => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('x'), enc('0')));
    return kv;
  };
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  it("keeps the holder's unreplicated lock when a reader's push removes its old-epoch intent", async () => {
    const kv = await start();
    const holder = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    await holder.put(k('x'), enc('epoch 0')); // an intent the restart leaves behind
    holder.restartEpoch(kv.clock.now());
    const locked = await holder.batch([getRequest(k('x'), 'exclusive')] as const);
    expect(dec(locked.responses[0].value)).toBe('0'); // its old epoch's write is not its own any more
    // A higher-priority reader meets the epoch-0 intent, pushes the holder's timestamp (the push
    // wins: PENDING) and resolves the intent at the holder's epoch 1, which removes it.
    const reader = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    expect(dec(await reader.get(k('x')))).toBe('0');
    await reader.commit();
    const replica = kv.store.replicaForKey(k('x'))!;
    expect(replica.stats.intentCount).toBe(0); // the intent is gone; the holder still runs
    const other = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    expect(await lockNowait(other, k('x'))).toBeInstanceOf(LockConflictError);
    await other.rollback();
    await holder.put(k('x'), enc('epoch 1'));
    await holder.commit();
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('x'))))).toBe('epoch 1');
    expect(replica.sequencer.lockTable.keyCount).toBe(0);
  });

  it('keeps the unreplicated lock when the intent only moves up, and readers pass it', async () => {
    const kv = await start();
    const holder = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    expect(dec((await holder.batch([getRequest(k('x'), 'exclusive')] as const)).responses[0].value)).toBe('0');
    await holder.put(k('x'), enc('1'));
    const reader = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    expect(dec(await reader.get(k('x')))).toBe('0'); // pushed the holder above it, read below
    await reader.commit();
    const lock = kv.store.replicaForKey(k('x'))!.sequencer.lockTable.locksIn({ start: k('x') })[0];
    expect(lock?.holder?.txn.id).toBe(holder.transaction.id);
    expect(lock?.holder?.unreplicated).toBe(true);
    const other = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    expect(await lockNowait(other, k('x'))).toBeInstanceOf(LockConflictError);
    await other.rollback();
    await holder.commit();
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('x'))))).toBe('1');
    expect(kv.store.replicaForKey(k('x'))!.sequencer.lockTable.keyCount).toBe(0);
  });

  it('pushes with PUSH_ABORT from a locking reader, and with PUSH_TIMESTAMP from a plain one', async () => {
    const kv = await start();
    const pushes: PushType[] = [];
    const pushTxn = kv.store.pushTxn.bind(kv.store);
    vi.spyOn(kv.store, 'pushTxn').mockImplementation((pusher, pushee, pushType, pushTo, waiterId) => {
      pushes.push(pushType);
      return pushTxn(pusher, pushee, pushType, pushTo, waiterId);
    });
    const holder = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    await holder.put(k('x'), enc('1'));
    // Higher priority: the push wins at once (an abort for the locker, a timestamp push for the reader).
    const reader = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    expect(dec(await reader.get(k('x')))).toBe('0');
    await reader.commit();
    expect(pushes).toEqual(['timestamp']);
    const locker = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    expect(dec((await locker.batch([getRequest(k('x'), 'exclusive')] as const)).responses[0].value)).toBe('0');
    expect(pushes).toEqual(['timestamp', 'abort']);
    await locker.commit();
    await expect(holder.commit()).rejects.toThrow(/ABORT/);
  });
});
