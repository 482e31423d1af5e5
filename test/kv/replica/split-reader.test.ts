/**
 * A split waits for the reads still evaluating over its right-hand span on the range (review L1
 * of session 9). Its EndTxn latched that span for reading only, so a scan paused mid-iteration on
 * the old replica kept going across the split while the new right-hand replica — its own latches
 * — served a write below the scan's timestamp: two reads at one timestamp then disagreed.
 * (Reads at or below the clock were covered anyway — the right-hand lease starts at the split,
 * pushing writes above it — so the exposed reads are those ahead of the clock, as the catalog
 * lease's version reads are.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { less, timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, scanRequest } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { pauseFirstScan } from '../../support/pause-scan.js';
import { stateAfter } from '../../support/settled.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

describe('a split under a read still evaluating', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  it('waits for the read, so a write below it on the new right-hand range cannot change what it saw', async () => {
    const engine = new MemoryEngine();
    const kv = await openKv({ engine, env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('ma'), enc('a')));
    const now = kv.clock.now();
    const at = timestamp(now.wallNanos + 500_000_000n, 0); // ahead of the clock
    const scanAt = async (): Promise<(string | undefined)[]> => {
      const response = await kv.sender.send(batchRequest(batchHeader({ timestamp: at, now: kv.clock.now() }), [scanRequest(k('m'), k('p'))]));
      return response.responses[0].rows.map((row) => dec(row.value));
    };
    const paused = pauseFirstScan(engine, k('m'), k('p'));
    const first = scanAt();
    await paused.reached;
    const split = kv.split(k('n'));
    expect(await stateAfter(split, 300)).toBe('pending'); // it waits for the scan's latch
    paused.release();
    expect(await first).toEqual(['a']);
    await split;
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('zz'))); // the range cache learns the split
    const writer = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await writer.put(k('b'), enc('b'));
    await writer.put(k('o'), enc('new'));
    await writer.commit();
    // The scan's read entered the timestamp cache before the write evaluated: the write was
    // pushed above it, and a second read at the same timestamp sees what the first saw.
    expect(less(at, writer.transaction.writeTimestamp)).toBe(true);
    expect(await scanAt()).toEqual(['a']);
  });
});
