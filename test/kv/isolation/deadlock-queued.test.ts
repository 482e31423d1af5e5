/**
 * A deadlock whose cycle runs through a waiter that is not first in its key's queue. T1 and T2
 * (equal priority) hold rows 1 and 2; T3 (lowest priority) queues first for row 2 and becomes
 * its distinguished waiter — its push of T2 fails and it waits in the txn wait queue; T1 queues
 * behind T3 for row 2; then T2 wants row 1. The cycle T1 → T2 → T1 exists only if T1's wait counts:
 * every waiter must push (CockroachDB pushes from non-distinguished waiters after a short
 * deadlock-detection delay), or the cycle is invisible to deadlock detection and all three wait
 * forever. Found by the randomized check in serializability.test.ts (seeds 1 and 2 hung until
 * d572a13 made every waiter push).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { elapsedMs, openTestKv, type TestKv } from './harness.js';
import { blocked, commit, expectSerializable, put, runSchedule } from './schedule.js';

describe('deadlock through a queued (non-distinguished) waiter', () => {
  let t: TestKv;
  beforeEach(async () => {
    t = await openTestKv();
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('T1 queued behind T3 for row 2 while T2 waits for T1’s row 1: broken within 1 s, outcome serializable', async () => {
    const start = t.env.clock.monotonicNanos();
    const run = await runSchedule(
      t,
      3,
      [put(1, 1, 'T1'), put(2, 2, 'T2'), blocked(put(3, 2, 'T3')), blocked(put(1, 2, 'T1')), put(2, 1, 'T2'), commit(1), commit(2), commit(3)],
      { priorities: [500, 500, 1] },
    );
    // Three blocked windows of the runner (≤ 0.6 s) plus 1 s to break the cycle.
    expect(elapsedMs(t.env, start)).toBeLessThan(1600 + 1000);
    expectSerializable({}, run);
    const failed = run.outcomes.filter((o) => o.status === 'failed').length;
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(failed).toBeLessThan(3);
  });
});
