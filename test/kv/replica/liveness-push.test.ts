/**
 * When a waiter on a held lock pushes its holder (kv/replica/concurrency.ts `pushDelay`): the
 * early liveness push only when it can win — the waiter outranks the holder, or the holder could
 * be found abandoned — else at the deadlock-detection delay. SQL transactions all have one
 * priority, so a young holder's waiters used to push it after 20ms for nothing (a PushTxn and a
 * wait-queue entry per wait).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
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
const eager = { writeBufferBytesMax: 0 } as const;
const ms = (nanos: bigint): number => Number(nanos / 1_000_000n);

describe('the liveness push', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  async function heldBy(priority: number): Promise<{ kv: Kv; holder: Txn; pushes: () => number }> {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    const holder = new Txn(kv.sender, kv.txnDeps, { priority, ...eager });
    await holder.put(k('x'), enc('holder'));
    const spy = vi.spyOn(kv.store, 'pushTxn');
    return { kv, holder, pushes: () => spy.mock.calls.filter(([, pushee]) => pushee.id === holder.transaction.id).length };
  }

  it('is not made against a young holder the waiter cannot outrank: it waits for the deadlock delay', async () => {
    expect(limits.lockWaitPushDelayNanos * 3n).toBeLessThan(limits.lockWaitDeadlockPushDelayNanos);
    const { kv, holder, pushes } = await heldBy(500);
    const waiter = runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('x'), enc('waiter')), { priority: 500, ...eager });
    await sleep(ms(limits.lockWaitPushDelayNanos) * 3);
    expect(pushes()).toBe(0);
    // Then its waits-for edge, for deadlock detection (the push waits in the txn wait queue).
    for (let waited = 0; pushes() === 0 && waited < 5_000; waited += 10) await sleep(10);
    expect(pushes()).toBeGreaterThanOrEqual(1);
    await holder.commit();
    await waiter;
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('x'))))).toBe('waiter');
  });

  it('is made early by a waiter that outranks the holder, and aborts it', async () => {
    const { kv, holder, pushes } = await heldBy(1);
    const waiter = runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('x'), enc('waiter')), { priority: 1000, ...eager });
    await waiter; // it pushed the holder out of its way (a higher priority aborts)
    expect(pushes()).toBeGreaterThanOrEqual(1);
    await expect(holder.commit()).rejects.toThrow();
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('x'))))).toBe('waiter');
  });
});
