/**
 * Write skew, Hermitage's G2-item and G2 over a predicate (Fekete's anti-dependency cycle), over
 * the real KV server with the rows on different ranges: two transactions each read what the
 * other writes; if both committed, the serialization graph would be the cycle
 * T1 ─rw→ T2 ─rw→ T1. Exactly one must commit; the other gets a retryable error (40001).
 *
 * The interesting path: T1's write lands on a key T2 read later, so the timestamp cache pushes it
 * and T1 refreshes its reads at once, before T2 has written; the refresh must then count as a
 * read at the new timestamp (update the timestamp cache, as CockroachDB's Refresh does), or T2's
 * write goes under it unpushed and both commit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestKv, seed, type TestKv } from './harness.js';
import { commit, expectSerializable, get, put, runSchedule, scan, type ScheduleRun } from './schedule.js';

const committedCount = (run: ScheduleRun): number => run.outcomes.filter((o) => o.status === 'committed').length;

describe('write skew', () => {
  let t: TestKv;
  beforeEach(async () => {
    t = await openTestKv();
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('G2-item write skew: of two transactions that read both rows and write one each, exactly one commits', async () => {
    const initial = { 1: '10', 2: '20' };
    await seed(t, initial);
    const run = await runSchedule(t, 2, [get(1, 1), get(1, 2), get(2, 1), get(2, 2), put(1, 1, '11'), put(2, 2, '21'), commit(1), commit(2)]);
    expectSerializable(initial, run);
    expect(committedCount(run)).toBe(1);
  });

  it('G2 anti-dependency cycle over a predicate: two inserts into a range both read as empty, one commits', async () => {
    const initial = { 1: '10', 2: '20' };
    await seed(t, initial);
    // "SELECT … WHERE value % 3 = 0" is a scan of the table; rows 3 and 4 are on ranges 3 and 1.
    const run = await runSchedule(t, 2, [scan(1), scan(2), put(1, 3, '30'), put(2, 4, '42'), commit(1), commit(2)]);
    expectSerializable(initial, run);
    expect(committedCount(run)).toBe(1);
  });
});
