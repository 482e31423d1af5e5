/**
 * A client in the node's process that loops requests served without leaving the microtask queue
 * (point reads) must not starve the node's timers: lock-wait pushes run on them, and with them
 * deadlock detection. Review F2 of session 11: a bank's transfers with locking reads deadlocked
 * (each transaction held the lock the other was queued on) while two snapshot readers looped, and
 * no push ever fired — the txn wait queue stayed empty and the transfers waited for ever.
 * kv/replica turn-budget.ts: past `limits.storeRequestsPerTurnMax` requests in one turn, the
 * store lets the event loop turn.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRequest } from '../../../kv/api/index.js';
import { TurnBudget } from '../../../kv/replica/turn-budget.js';
import { limits } from '../../../src/base/limits.js';
import type { Timers } from '../../../src/env/env.js';
import { runTxn } from '../../../txn/index.js';
import { enc, openTestKv, readNow, rowKey, seed, type TestKv } from '../isolation/harness.js';

/**
 * Reads a looping client makes at most, so the test ends either way: many turns' worth (a 0 ms
 * timer fires within two; the deadlock breaks after its pushes' delays, within some 16 turns in
 * CI-like load). Before the fix no timer fired at all, however long the loop.
 */
const readsMax = 200 * limits.storeRequestsPerTurnMax;
const deadlockReadsMax = 2_000 * limits.storeRequestsPerTurnMax;

describe('TurnBudget', () => {
  it('admits a turn’s budget at once, then defers to the next check phase, and starts afresh there', async () => {
    const checkPhase: (() => void)[] = [];
    const timers = { afterIo: (callback: () => void) => checkPhase.push(callback) } as unknown as Timers;
    const budget = new TurnBudget(timers, 3);
    expect([budget.admit(), budget.admit(), budget.admit()]).toEqual([undefined, undefined, undefined]);
    const deferred = budget.admit();
    expect(deferred).toBeInstanceOf(Promise);
    let resumed = false;
    void deferred!.then(() => (resumed = true));
    for (const callback of checkPhase.splice(0)) callback(); // the reset, then the deferred request
    await Promise.resolve();
    expect(resumed).toBe(true);
    expect([budget.admit(), budget.admit(), budget.admit()]).toEqual([undefined, undefined, undefined]);
    expect(budget.admit()).toBeInstanceOf(Promise);
  });

  it('defers nothing under simulated time (no event loop to starve)', () => {
    const budget = new TurnBudget({} as Timers, 1);
    for (let i = 0; i < 10; i++) expect(budget.admit()).toBeUndefined();
  });
});

describe('a local client looping point reads', () => {
  let t: TestKv;
  beforeEach(async () => {
    t = await openTestKv();
    await seed(t, { 1: '1', 3: '3', 6: '6' });
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('lets the node’s timers fire', async () => {
    let fired = false;
    t.env.timers.setTimeout(() => (fired = true), 0);
    let reads = 0;
    while (!fired && reads < readsMax) {
      await readNow(t.kv.sender, t.kv.txnDeps, rowKey(1));
      reads++;
    }
    expect(fired).toBe(true);
  });

  it('does not keep two transactions deadlocked on locking reads', async () => {
    // T1 locks row 3 then wants row 6; T2 locks row 6 then wants row 3 (the review's q/row/3 and
    // q/row/6). Only a push, after its delay, breaks the cycle.
    let firstLocks = 0;
    let bothLocked!: () => void;
    const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
    const transfer = (first: number, second: number): Promise<void> =>
      runTxn(t.kv.sender, t.kv.txnDeps, async (txn) => {
        await txn.batch([getRequest(rowKey(first), 'exclusive')]);
        if (++firstLocks === 2) bothLocked();
        await barrier;
        await txn.batch([getRequest(rowKey(second), 'exclusive')]);
        await txn.put(rowKey(first), enc(`moved by ${first}`));
      });
    let done = 0;
    const transfers = [transfer(3, 6), transfer(6, 3)].map((p) => p.finally(() => done++));
    await barrier;
    let reads = 0;
    while (done < 2 && reads < deadlockReadsMax) {
      await readNow(t.kv.sender, t.kv.txnDeps, rowKey(1));
      reads++;
    }
    const doneWhileReading = done;
    await Promise.all(transfers); // the loop over, the event loop turns: they finish either way
    expect(doneWhileReading).toBe(2);
  });
});
