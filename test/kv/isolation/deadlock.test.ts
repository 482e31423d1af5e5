/**
 * Deadlock detection over the real KV server: transactions of equal priority (so no push wins
 * outright) that each hold an intent the other wants form a waits-for cycle in the transaction
 * wait queues; the server must abort one of them, and quickly — the cycle is measured on the
 * env's monotonic clock, in real time, from the moment it forms until a waiter proceeds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRetryableError, TransactionAbortedError } from '../../../kv/api/index.js';
import { runTxn, type Txn } from '../../../txn/index.js';
import { dec, elapsedMs, enc, newTxn, openTestKv, rowKey, rowKeyString, settle, stillPendingAfter, tableState, type Settled, type TestKv } from './harness.js';
import { blocked, commit, expectSerializable, put, runSchedule } from './schedule.js';

const cycleBrokenMsMax = 1000;
const samePriority = 5000;

/** Polls until one of `puts` fulfils, or `msMax` passes; its index, or undefined. */
async function firstFulfilled(t: TestKv, puts: readonly Promise<Settled<void>>[], msMax: number, startNanos: bigint): Promise<number | undefined> {
  const outcomes: (Settled<void> | undefined)[] = puts.map(() => undefined);
  puts.forEach((p, i) => void p.then((o) => (outcomes[i] = o)));
  while (elapsedMs(t.env, startNanos) < msMax) {
    const index = outcomes.findIndex((o) => o?.status === 'fulfilled');
    if (index >= 0) return index;
    await t.env.timers.sleep(2);
  }
  return undefined;
}

describe('deadlock detection', () => {
  let t: TestKv;
  beforeEach(async () => {
    t = await openTestKv();
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('A→B against B→A (two ranges): one is aborted within 1 s of the cycle forming, the other commits', async () => {
    const [a, b] = [rowKey(1), rowKey(2)];
    const txns: Txn[] = [newTxn(t, { name: 'T1', priority: samePriority }), newTxn(t, { name: 'T2', priority: samePriority })];
    const [t1, t2] = txns as [Txn, Txn];
    await t1.put(a, enc('T1'));
    await t2.put(b, enc('T2'));
    const p1 = settle(t1.put(b, enc('T1')));
    expect(await stillPendingAfter(t.env, p1, 150), 'T1 waits for T2 (equal priority: its push fails)').toBe(true);
    const cycleNanos = t.env.clock.monotonicNanos();
    const p2 = settle(t2.put(a, enc('T2')));
    const winnerIndex = await firstFulfilled(t, [p1, p2], cycleBrokenMsMax, cycleNanos);
    const brokenMs = elapsedMs(t.env, cycleNanos);
    expect(winnerIndex, `no waiter proceeded within ${cycleBrokenMsMax} ms of the cycle forming`).toBeDefined();
    expect(brokenMs).toBeLessThan(cycleBrokenMsMax);
    const winner = txns[winnerIndex ?? 0] as Txn;
    const loser = txns[1 - (winnerIndex ?? 0)] as Txn;
    await winner.commit();
    // The victim's blocked write fails as aborted, or — if it slipped through — its commit does.
    const loserPut = await [p1, p2][1 - (winnerIndex ?? 0)];
    if (loserPut?.status === 'fulfilled') {
      const loserCommit = await settle(loser.commit());
      expect(loserCommit.status).toBe('rejected');
      if (loserCommit.status === 'rejected') expect(loserCommit.error).toBeInstanceOf(TransactionAbortedError);
    } else {
      expect(loserPut?.status === 'rejected' && loserPut.error instanceof TransactionAbortedError, String(loserPut?.status === 'rejected' ? loserPut.error : '')).toBe(true);
    }
    const name = winner.transaction.name;
    expect(await tableState(t)).toEqual(
      new Map([
        [rowKeyString(1), name],
        [rowKeyString(2), name],
      ]),
    );
  });

  it('two runTxn read-modify-writes in opposite key orders both commit (the victim retries); no update lost', async () => {
    const increment = async (txn: Txn, key: Uint8Array): Promise<void> => {
      const value = Number(dec(await txn.get(key)) ?? '0');
      await txn.put(key, enc(String(value + 1)));
    };
    let attempts = 0;
    const transfer = (first: Uint8Array, second: Uint8Array): Promise<void> =>
      runTxn(
        t.kv.sender,
        t.kv.txnDeps,
        async (txn) => {
          attempts++;
          await increment(txn, first);
          await t.env.timers.sleep(50); // both hold their first key before either takes its second
          await increment(txn, second);
        },
        { priority: samePriority },
      );
    const start = t.env.clock.monotonicNanos();
    const results = await Promise.all([settle(transfer(rowKey(1), rowKey(2))), settle(transfer(rowKey(2), rowKey(1)))]);
    for (const r of results) expect(r.status, r.status === 'rejected' ? String(r.error) : '').toBe('fulfilled');
    expect(attempts).toBeGreaterThanOrEqual(3); // the deadlock cost the victim at least one attempt
    expect(elapsedMs(t.env, start)).toBeLessThan(3 * cycleBrokenMsMax);
    expect(await tableState(t)).toEqual(
      new Map([
        [rowKeyString(1), '2'],
        [rowKeyString(2), '2'],
      ]),
    );
  });

  it('a three-transaction cycle over three ranges (1→2, 2→3, 3→1) is broken and the outcome is serializable', async () => {
    const initial = {};
    const start = t.env.clock.monotonicNanos();
    const run = await runSchedule(
      t,
      3,
      [put(1, 1, 'T1'), put(2, 2, 'T2'), put(3, 3, 'T3'), blocked(put(1, 2, 'T1')), blocked(put(2, 3, 'T2')), put(3, 1, 'T3'), commit(1), commit(2), commit(3)],
      { priorities: [samePriority, samePriority, samePriority] },
    );
    expect(elapsedMs(t.env, start)).toBeLessThan(2 * cycleBrokenMsMax);
    expectSerializable(initial, run);
    const failed = run.outcomes.filter((o) => o.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeLessThan(3);
    for (const f of failed) expect(isRetryableError(f.error)).toBe(true);
  });
});
