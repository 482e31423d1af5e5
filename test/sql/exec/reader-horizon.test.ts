/**
 * `ReaderHorizon.oldestOpen` as the MVCC GC queue's protected timestamp: the oldest open
 * transaction (or its older AS OF SYSTEM TIME timestamp) holds the store's GC threshold below
 * itself, so it keeps reading the history it started on after the TTL passed; once it finishes,
 * the history is collected and reads there get 72000.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../clock/manual.js';
import { less } from '../../../clock/timestamp.js';
import { BatchTimestampBeforeGCError, batchHeader, batchRequest, putRequest, settingKey } from '../../../kv/api/index.js';
import { gcTtlSettingName } from '../../../kv/replica/gc-queue.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { ReaderHorizon } from '../../../sql/exec/reader-horizon.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';
import { manualEnv } from '../../support/manual-env.js';
import { world } from '../../txn/harness.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const secondNanos = 1_000_000_000n;

describe('the reader horizon protects open transactions from MVCC GC', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  it('holds the GC threshold below the oldest open transaction until it finishes', async () => {
    const manual = new ManualClock(1_700_000_000n * secondNanos);
    const env = manualEnv(manual, 3);
    const kv = await openKv({ engine: new MemoryEngine(), env });
    open.push(kv);
    const send = (request: Parameters<typeof batchRequest>[1][number]) => kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [request]));
    const row = Uint8Array.from([0x10, 0x61]);
    await send(putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '10', type: 'i' }))));
    await send(putRequest(row, enc('old')));
    manual.advance(1_000_000n);

    const readers = new ReaderHorizon();
    kv.store.gcQueue.setReaderHorizon(() => readers.oldestOpen());
    expect(readers.oldestOpen()).toBeUndefined();
    const longTxn = new Txn(kv.sender, kv.txnDeps);
    readers.enter(longTxn);
    const historical = new Txn(kv.sender, kv.txnDeps, { fixedTimestamp: longTxn.transaction.minTimestamp });
    expect(readers.oldestOpen()).toEqual(longTxn.transaction.minTimestamp);
    expect(dec(await longTxn.get(row))).toBe('old');

    manual.advance(1_000_000n);
    await send(putRequest(row, enc('new')));
    await kv.store.gcQueue.runPass(); // garbage first seen
    manual.advance(60n * secondNanos); // far past the TTL
    for (const result of await kv.store.gcQueue.runPass()) expect(less(result.threshold, longTxn.transaction.minTimestamp)).toBe(true);
    expect(dec(await longTxn.get(row))).toBe('old'); // its snapshot is intact
    await longTxn.commit();
    expect(readers.oldestOpen()).toBeUndefined();

    manual.advance(11n * secondNanos);
    await kv.store.gcQueue.runPass();
    manual.advance(11n * secondNanos);
    await kv.store.gcQueue.runPass();
    // Now unprotected: the history it read is collected, and a read there is refused.
    await expect(historical.get(row)).rejects.toThrow(BatchTimestampBeforeGCError);
    await historical.rollback();
  });
});

describe('the reader horizon forgets finished transactions within a few statements', () => {
  // Every implicit statement's transaction enters the horizon; one kept for long outlives V8's
  // young generation (promoted, then left to a mark-compact). The set stays within twice the
  // open transactions (the one just entered counted) plus a slack of 16, and never loses an open one.
  it('keeps at most 18 transactions while each finishes after its statement', () => {
    const w = world();
    const readers = new ReaderHorizon();
    let largest = 0;
    for (let i = 0; i < 2_000; i++) {
      const txn = new Txn(w.sender, w.deps);
      readers.enter(txn);
      largest = Math.max(largest, readers.size);
      txn.abandon();
    }
    expect(largest).toBeLessThanOrEqual(2 * 1 + 16);
    expect(readers.oldestOpen()).toBeUndefined();
  });

  it('keeps every open transaction and at most twice as many (plus 16) in all', () => {
    const w = world();
    const readers = new ReaderHorizon();
    const long: Txn[] = [];
    for (let i = 0; i < 100; i++) {
      w.manual.advance(1_000n);
      const txn = new Txn(w.sender, w.deps);
      readers.enter(txn);
      long.push(txn);
    }
    let largest = 0;
    for (let i = 0; i < 3_000; i++) {
      w.manual.advance(1_000n);
      const txn = new Txn(w.sender, w.deps);
      readers.enter(txn);
      largest = Math.max(largest, readers.size);
      txn.abandon();
      if (i === 1_500) long.shift()!.abandon(); // the oldest one finishes meanwhile
    }
    expect(largest).toBeLessThanOrEqual(2 * 101 + 16);
    expect(readers.oldestOpen()).toEqual(long[0]!.transaction.minTimestamp);
    for (const txn of long) txn.abandon();
    expect(readers.oldestOpen()).toBeUndefined();
    expect(readers.size).toBe(0);
  });
});
