/**
 * Locking reads end to end through `openKv` (a Store under a DistSender, real `Txn`s): a
 * locking Get/Scan takes an unreplicated lock that writers and other locking readers wait on,
 * plain reads do not; the waiter, woken by the holder's commit, meets the newer value as
 * WriteTooOld, refreshes its earlier reads and reads again (no restart); NOWAIT fails at once
 * with 55P03; commit, rollback and one-phase commit release the locks; deadlocks through locks
 * are still detected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getRequest, isRetryableError, LockConflictError, scanRequest, type LockStrength } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { stateAfter } from '../../support/settled.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
/** Writes are intents at once (no write buffer), so the tests see each step. */
const eager = { writeBufferBytesMax: 0 } as const;

/** A locking Get of `key` in `txn`: its value. */
async function lockingGet(txn: Txn, key: Uint8Array, strength: LockStrength = 'exclusive', waitPolicy: 'block' | 'error' = 'block'): Promise<string | undefined> {
  const response = await txn.batch([getRequest(key, strength)] as const, { waitPolicy });
  return dec(response.responses[0].value);
}

describe('locking reads', () => {
  const open: Kv[] = [];
  const start = async (): Promise<Kv> => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      await txn.put(k('x'), enc('0'));
      await txn.put(k('y'), enc('y0'));
    });
    return kv;
  };
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });
  const lockCount = (kv: Kv): number => kv.store.replicas().reduce((n, replica) => n + replica.sequencer.lockTable.keyCount, 0);

  it('makes a second locking reader wait for the holder, then refresh and read the committed value', async () => {
    const kv = await start();
    // The waiter begins first, so the holder commits above the waiter's read timestamp.
    const waiter = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    expect(dec(await waiter.get(k('y')))).toBe('y0'); // an earlier read the refresh must carry up
    const holder = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    expect(await lockingGet(holder, k('x'))).toBe('0');
    const waiting = lockingGet(waiter, k('x'));
    expect(await stateAfter(waiting, 150)).toBe('pending'); // queued behind the lock, not reading around it
    await holder.put(k('x'), enc('1'));
    await holder.commit();
    expect(await waiting).toBe('1'); // WriteTooOld → refresh of y → read again, at the new timestamp
    expect(waiter.interceptors.spanRefresher.refreshes).toBeGreaterThanOrEqual(1);
    await waiter.put(k('x'), enc('2'));
    await waiter.commit(); // no restart: the lock kept everyone else out between read and write
    expect(waiter.transaction.epoch).toBe(0);
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('x'))))).toBe('2');
    expect(lockCount(kv)).toBe(0);
  });

  it('lets plain reads through an unreplicated lock, and holds writers back', async () => {
    const kv = await start();
    const holder = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    expect(await lockingGet(holder, k('x'))).toBe('0');
    const reader = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    expect(await stateAfter(reader.get(k('x')), 150)).toBe('settled');
    const writer = runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('x'), enc('w')), { priority: 1, ...eager });
    expect(await stateAfter(writer, 150)).toBe('pending');
    await holder.commit();
    await writer;
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('x'))))).toBe('w');
  });

  it('fails a NOWAIT locking read on a held lock with 55P03, and waits for nothing', async () => {
    const kv = await start();
    const holder = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    await holder.batch([scanRequest(k('a'), k('z'), 'exclusive')] as const);
    const other = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    const error = await lockingGet(other, k('y'), 'exclusive', 'error').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockConflictError);
    expect((error as LockConflictError).sqlState).toBe('55P03');
    // A key the scan did not return is not locked.
    expect(await lockingGet(other, k('q'), 'exclusive', 'error')).toBeUndefined();
    await other.rollback();
    await holder.rollback();
  });

  it('shares FOR SHARE locks and refuses an exclusive locker while they are held', async () => {
    const kv = await start();
    const a = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    const b = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    expect(await lockingGet(a, k('x'), 'shared')).toBe('0');
    expect(await stateAfter(lockingGet(b, k('x'), 'shared'), 150)).toBe('settled');
    const c = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    await expect(lockingGet(c, k('x'), 'exclusive', 'error')).rejects.toBeInstanceOf(LockConflictError);
    await a.commit();
    await expect(lockingGet(c, k('x'), 'exclusive', 'error')).rejects.toBeInstanceOf(LockConflictError);
    await b.commit();
    expect(await lockingGet(c, k('x'), 'exclusive', 'error')).toBe('0');
    await c.rollback();
  });

  it('releases the locks of a read-only transaction at commit and at rollback', async () => {
    const kv = await start();
    const probe = async (): Promise<string | undefined> => {
      const txn = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
      try {
        return await lockingGet(txn, k('x'), 'exclusive', 'error');
      } finally {
        await txn.rollback();
      }
    };
    const committer = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    await lockingGet(committer, k('x'));
    await expect(probe()).rejects.toBeInstanceOf(LockConflictError);
    await committer.commit();
    expect(await probe()).toBe('0');
    const rolledBack = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...eager });
    await rolledBack.batch([scanRequest(k('a'), k('z'), 'exclusive')] as const);
    await expect(probe()).rejects.toBeInstanceOf(LockConflictError);
    await rolledBack.rollback();
    expect(await probe()).toBe('0');
    expect(lockCount(kv)).toBe(0);
  });

  it('releases the locks of a one-phase commit', async () => {
    const kv = await start();
    const txn = new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });
    expect(await lockingGet(txn, k('x'))).toBe('0');
    expect(lockCount(kv)).toBe(1);
    await txn.commit([/* the locked key written in the committing batch: one phase */ { kind: 'put', key: k('x'), value: enc('1p') }]);
    expect(lockCount(kv)).toBe(0);
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (t) => t.get(k('x'))))).toBe('1p');
  });

  it('detects a deadlock that runs through unreplicated locks', async () => {
    const kv = await start();
    await kv.split(k('m'));
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('z'), enc('z0')));
    const a = new Txn(kv.sender, kv.txnDeps, { priority: 10, ...eager });
    const b = new Txn(kv.sender, kv.txnDeps, { priority: 10, ...eager });
    await lockingGet(a, k('x'));
    await lockingGet(b, k('z'));
    const outcome = (p: Promise<unknown>) => p.then(() => 'ok' as const, (error: unknown) => error);
    const [ra, rb] = await Promise.all([outcome(lockingGet(a, k('z'))), outcome(lockingGet(b, k('x')))]);
    expect(kv.store.pushWaiter.deadlocksBroken).toBeGreaterThanOrEqual(1);
    expect([ra, rb].filter((r) => r === 'ok')).toHaveLength(1);
    const [winner, loserError] = ra === 'ok' ? [a, rb] : [b, ra];
    expect(isRetryableError(loserError)).toBe(true);
    await winner.commit();
    expect(lockCount(kv)).toBe(0);
  });
});
