/**
 * A locking read of a transaction that is already finalized locks nothing.
 *
 * The store releases a transaction's locks when its record is finalized (kv/replica's
 * `txnFinalized`). A request of that transaction evaluated afterwards — sent before its
 * coordinator learned of an abort, or a retry — must not acquire a lock: nobody would release
 * it. Its coordinator may never come back (an abandoned session); a NOWAIT locker then failed on
 * the key for good, and every blocking one waited a push delay before its push, answered ABORTED
 * at once, cleared the lock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getRequest, LockConflictError } from '../../../kv/api/index.js';
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

describe('a locking read of a finalized transaction', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  /** A store with "a" and "x" written, and a transaction with an intent on "a" that a higher-priority locker aborted. */
  async function abortedTxn(): Promise<{ kv: Kv; aborted: Txn }> {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      await txn.put(k('a'), enc('a0'));
      await txn.put(k('x'), enc('x0'));
    });
    const aborted = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    await aborted.put(k('a'), enc('a1'));
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.batch([getRequest(k('a'), 'exclusive')] as const), { priority: 1000, ...eager });
    expect(kv.store.finalizedTxn(aborted.transaction.id)?.status).toBe('ABORTED');
    return { kv, aborted };
  }

  it('leaves no lock behind for NOWAIT or blocking lockers to meet', async () => {
    const { kv, aborted } = await abortedTxn();
    // The straggler: its coordinator has not heard of the abort yet.
    const straggler = await aborted.batch([getRequest(k('x'), 'exclusive')] as const).then(
      (response) => dec(response.responses[0].value),
      (error: unknown) => error,
    );
    expect(straggler === 'x0' || straggler instanceof Error).toBe(true);
    const replica = kv.store.replicaForKey(k('x'))!;
    expect(replica.sequencer.lockTable.locksIn({ start: k('x') })).toEqual([]);
    const nowait = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    const locked = await nowait.batch([getRequest(k('x'), 'exclusive')] as const, { waitPolicy: 'error' }).then(
      (response) => dec(response.responses[0].value),
      (error: unknown) => error,
    );
    expect(locked).not.toBeInstanceOf(LockConflictError);
    expect(locked).toBe('x0');
    await nowait.commit();
    expect(replica.sequencer.lockTable.keyCount).toBe(0);
  });

  it('lets a blocking locker through without waiting, and the straggler may not commit', async () => {
    const { kv, aborted } = await abortedTxn();
    await aborted.batch([getRequest(k('x'), 'exclusive')] as const).catch(() => undefined);
    const replica = kv.store.replicaForKey(k('x'))!;
    const waitsBefore = replica.sequencer.lockWaitMetrics.waits;
    const value = await runTxn(kv.sender, kv.txnDeps, async (txn) => dec((await txn.batch([getRequest(k('x'), 'exclusive')] as const)).responses[0].value), { priority: 1, ...eager });
    expect(value).toBe('x0');
    expect(replica.sequencer.lockWaitMetrics.waits).toBe(waitsBefore); // no lock of the aborted txn to wait on
    await expect(aborted.commit()).rejects.toThrow(/ABORT/);
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('a'))))).toBe('a0');
  });
});
