/**
 * An abandoned transaction (its coordinator stopped heartbeating: crashed, partitioned) must not
 * block its keys forever: once its record — or, with no record, its intents' start time — is
 * older than `limits.txnLivenessThresholdNanos` (5 s), a pusher aborts it and cleans up its
 * intents. The wall clock is jumped forward instead of waiting 5 s of real time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransactionAbortedError } from '../../../kv/api/index.js';
import { readIntent } from '../../../kv/storage/mvcc/visibility.js';
import { limits } from '../../../src/base/limits.js';
import { realEnv } from '../../../src/env/real.js';
import type { Txn } from '../../../txn/index.js';
import { enc, JumpClock, newTxn, openTestKv, rowKey, rowKeyString, seed, settle, stillPendingAfter, tableState, type TestKv } from './harness.js';

const pastLiveness = limits.txnLivenessThresholdNanos + 1_000_000_000n;

/** Writes rows 1 and 2 (ranges 1 and 2) and stops the heartbeat: the coordinator "dies". */
async function abandonedWriter(t: TestKv): Promise<Txn> {
  const txn = newTxn(t, { name: 'abandoned', priority: 0x7fff_ffff });
  await txn.put(rowKey(1), enc('abandoned'));
  await txn.put(rowKey(2), enc('abandoned'));
  txn.interceptors.heartbeater.stop();
  expect(txn.interceptors.heartbeater.isRunning).toBe(false);
  return txn;
}

async function writeBoth(txn: Txn, value: string): Promise<void> {
  await txn.put(rowKey(1), enc(value));
  await txn.put(rowKey(2), enc(value));
  await txn.commit();
}

function expectNoIntentOf(t: TestKv, txn: Txn): void {
  for (const id of [1, 2]) expect(readIntent(t.engine, rowKey(id))?.txn.id, `intent on row ${id}`).not.toBe(txn.transaction.id);
}

describe('abandoned transactions', () => {
  let t: TestKv;
  let clock: JumpClock;
  beforeEach(async () => {
    clock = new JumpClock(realEnv().clock);
    t = await openTestKv({ clock });
    await seed(t, { 1: '10', 2: '20' });
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('a writer meeting its intents after the liveness threshold aborts it and writes; the intents are gone', async () => {
    const abandoned = await abandonedWriter(t);
    clock.jump(pastLiveness);
    const writer = newTxn(t, { name: 'writer', priority: 1 });
    const done = settle(writeBoth(writer, 'writer'));
    expect(await stillPendingAfter(t.env, done, 3000), 'the writer is still blocked 3 s after the abandoned txn expired').toBe(false);
    expect(await done).toEqual({ status: 'fulfilled', value: undefined });
    expect(await tableState(t)).toEqual(
      new Map([
        [rowKeyString(1), 'writer'],
        [rowKeyString(2), 'writer'],
      ]),
    );
    expectNoIntentOf(t, abandoned);
    // The abandoned transaction can never commit now: its record says ABORTED.
    const late = await settle(abandoned.commit());
    expect(late.status).toBe('rejected');
    if (late.status === 'rejected') expect(late.error).toBeInstanceOf(TransactionAbortedError);
    expect(await tableState(t)).toEqual(
      new Map([
        [rowKeyString(1), 'writer'],
        [rowKeyString(2), 'writer'],
      ]),
    );
  });

  it('a writer already waiting on a live-looking holder gets through once the holder expires', async () => {
    const abandoned = await abandonedWriter(t);
    const writer = newTxn(t, { name: 'writer', priority: 1 });
    const done = settle(writeBoth(writer, 'writer'));
    expect(await stillPendingAfter(t.env, done, 300), 'a lower-priority writer waits for a live holder').toBe(true);
    clock.jump(pastLiveness);
    expect(await stillPendingAfter(t.env, done, 3000), 'the writer is still blocked 3 s after the holder expired').toBe(false);
    expect(await done).toEqual({ status: 'fulfilled', value: undefined });
    expect(await tableState(t)).toEqual(
      new Map([
        [rowKeyString(1), 'writer'],
        [rowKeyString(2), 'writer'],
      ]),
    );
    expectNoIntentOf(t, abandoned);
  });

  it('a consistent reader is not blocked for good by an abandoned intent and sees the committed values', async () => {
    const abandoned = await abandonedWriter(t);
    clock.jump(pastLiveness);
    const reader = newTxn(t, { name: 'reader', priority: 1 });
    const rows = settle(reader.scan(rowKey(1), enc('z')));
    expect(await stillPendingAfter(t.env, rows, 3000)).toBe(false);
    const result = await rows;
    expect(result.status).toBe('fulfilled');
    if (result.status === 'fulfilled') {
      const values = result.value.filter((r) => [rowKeyString(1), rowKeyString(2)].includes(new TextDecoder().decode(r.key))).map((r) => new TextDecoder().decode(r.value));
      expect(values).toEqual(['10', '20']);
    }
    await reader.commit();
    expect((await settle(abandoned.commit())).status).toBe('rejected');
  });
});
