/**
 * Review F2 of session 10: a live transaction older than the liveness threshold whose first intent
 * was just laid down (its heartbeat loop starts with it, the first beat an interval later) has no
 * record yet; a pusher synthesizes one from the intent (lastActive = minTimestamp) and finds it
 * expired — aborting a live transaction.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limits } from '../../../src/base/limits.js';
import { realEnv } from '../../../src/env/real.js';
import { enc, JumpClock, newTxn, openTestKv, readNow, rowKey, seed, type TestKv } from './harness.js';

describe('review: the first heartbeat gap', () => {
  let t: TestKv;
  let clock: JumpClock;
  beforeEach(async () => {
    clock = new JumpClock(realEnv().clock);
    t = await openTestKv({ clock });
    await seed(t, { 1: '10', 2: '20', 3: '30' });
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('a long-running transaction that writes its first intent is not aborted by a low-priority reader at once', async () => {
    const txn = newTxn(t, { name: 'long', priority: 0x7fff_ffff });
    expect(await txn.get(rowKey(3))).toBeDefined(); // reads for a while
    clock.jump(limits.txnLivenessThresholdNanos + 1_000_000_000n);
    await txn.put(rowKey(1), enc('mine')); // first intent: no record yet, first heartbeat in 1 s
    // A reader meets the intent at once and pushes it (its coordinator is alive and busy).
    const reader = readNow(t.kv.sender, t.kv.txnDeps, rowKey(1));
    void reader.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await txn.commit();
    expect(await reader).toBe('mine');
  });
});
