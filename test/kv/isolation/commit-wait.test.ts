/**
 * Commit wait end to end (DESIGN.md §5): with `strictSerializable`, a transaction's commit over
 * the real server is acknowledged only once the clock bound's `earliest` is past the commit
 * timestamp — i.e. the node's own clock reads more than `commitTs + U`, U being the max clock
 * offset — so any transaction that starts after the acknowledgement, on any clock within U, gets a
 * higher timestamp. Without it, the acknowledgement does not wait. (test/txn/commit-wait.test.ts
 * checks the interceptor on manual time; this checks it over the store, in real time.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { putRequest } from '../../../kv/api/index.js';
import { HybridClock } from '../../../clock/hlc.js';
import { less } from '../../../clock/timestamp.js';
import { runTxn, type Txn } from '../../../txn/index.js';
import { dec, enc, newTxn, openTestKv, rowKey, type TestKv } from './harness.js';

describe('commit wait over the store', () => {
  let t: TestKv | undefined;
  afterEach(async () => {
    await t?.kv.close();
    t = undefined;
  });

  const uncertaintyNanos = 100_000_000n; // 100 ms

  it('strict serializable: a cross-range commit and a one-phase commit are acknowledged only after commitTs + U', async () => {
    t = await openTestKv({ maxClockOffsetNanos: uncertaintyNanos });
    expect(t.kv.txnDeps.clockBound.maxOffsetNanos).toBe(uncertaintyNanos);
    // Two ranges: intents, a record, two-phase commit.
    const crossRange = newTxn(t, { name: 'strict-2pc', strictSerializable: true });
    await crossRange.put(rowKey(1), enc('x'));
    await crossRange.put(rowKey(2), enc('y'));
    await crossRange.commit();
    const ackNanos = t.env.clock.nowNanos();
    const commitTs = crossRange.transaction.writeTimestamp;
    expect(ackNanos > commitTs.wallNanos + uncertaintyNanos, `acknowledged at ${ackNanos}, commitTs + U = ${commitTs.wallNanos + uncertaintyNanos}`).toBe(true);
    expect(less(commitTs, t.kv.txnDeps.clockBound.now().earliest)).toBe(true);
    expect(crossRange.lastCommitWaitNanos > 0n).toBe(true);

    // One range, writes riding with the commit: the one-phase fast path waits too. (Through
    // runTxn: a write pushed by the timestamp cache inside a one-phase batch comes back as a
    // retry error the coordinator cannot refresh, since the error does not carry the new timestamp.)
    let captured: Txn | undefined;
    await runTxn(
      t.kv.sender,
      t.kv.txnDeps,
      async (txn) => {
        captured = txn;
        await txn.commit([putRequest(rowKey(3), enc('z'))]);
      },
      { name: 'strict-1pc', strictSerializable: true },
    );
    const onePhaseAck = t.env.clock.nowNanos();
    const onePhase = captured as Txn;
    expect(onePhaseAck > onePhase.transaction.writeTimestamp.wallNanos + uncertaintyNanos).toBe(true);
    expect(onePhase.lastCommitWaitNanos > 0n).toBe(true);

    // What the wait buys: a transaction begun after the acknowledgement on a clock that lags by
    // nearly U (another node's; short of U by a margin so the server's replies stay within the
    // offset its HLC accepts) still starts above both commits, and reads their writes.
    const env = t.env;
    const lagNanos = uncertaintyNanos - 20_000_000n;
    const lagging = new HybridClock({ nowNanos: () => env.clock.nowNanos() - lagNanos }, { maxOffsetNanos: uncertaintyNanos });
    const later = newTxn(t, { name: 'later-on-a-lagging-clock' }, { ...t.kv.txnDeps, clock: lagging });
    expect(less(commitTs, later.transaction.readTimestamp)).toBe(true);
    expect(less(onePhase.transaction.writeTimestamp, later.transaction.readTimestamp)).toBe(true);
    expect(dec(await later.get(rowKey(1)))).toBe('x');
    expect(dec(await later.get(rowKey(3)))).toBe('z');
    await later.commit();
  });

  it('without strict serializability the commit is acknowledged with no wait, before commitTs + U', async () => {
    const largeUncertaintyNanos = 2_000_000_000n; // 2 s: a wait would be unmistakable
    t = await openTestKv({ maxClockOffsetNanos: largeUncertaintyNanos });
    const txn = newTxn(t, { name: 'plain' });
    await txn.put(rowKey(1), enc('x'));
    await txn.put(rowKey(2), enc('y'));
    await txn.commit();
    const ackNanos = t.env.clock.nowNanos();
    expect(txn.lastCommitWaitNanos).toBe(0n);
    expect(ackNanos < txn.transaction.writeTimestamp.wallNanos + largeUncertaintyNanos).toBe(true);
  });
});
