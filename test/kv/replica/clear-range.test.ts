/**
 * ClearRange through a store: a span over two ranges is cleared range by range (each range's
 * stats match a recount afterwards, keys outside the span stay), bounded per command and resumed
 * by the sender; intents of a committed transaction left in the span (a bulk load whose
 * asynchronous resolution has not run) are resolved by the replica's conflict handling first.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, clearRangeRequest, putRequest, scanRequest, type BatchResponse, type ClearRangeRequest, type ScanRequest } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { computeStats } from '../../../kv/storage/mvcc/index.js';
import { limits } from '../../../src/base/limits.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
const rowKey = (i: number): Uint8Array => k(`r${String(i).padStart(6, '0')}`);
const env = () => realEnv({ logger: silentLogger() });

/** Clears `[from, to)`, following resume spans; the number of rounds. */
async function clearAll(kv: Kv, from: Uint8Array, to: Uint8Array): Promise<number> {
  let rounds = 0;
  for (let start: Uint8Array | undefined = from; start !== undefined; rounds++) {
    const response: BatchResponse<readonly [ClearRangeRequest]> = await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [clearRangeRequest(start, to)] as const));
    start = response.responses[0].resumeSpan?.key;
  }
  return rounds;
}

async function scanKeys(kv: Kv, from: Uint8Array, to: Uint8Array): Promise<string[]> {
  const response: BatchResponse<readonly [ScanRequest]> = await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [scanRequest(from, to)] as const));
  return response.responses[0].rows.map((row) => Buffer.from(row.key.subarray(1)).toString());
}

describe('ClearRange through a store', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  it('clears a span over two ranges, each range exact, in bounded commands', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    const count = limits.clearRangeKeysMax + 500;
    await kv.split(rowKey(300));
    for (let i = 0; i < count; i += 2_000) {
      const n = Math.min(2_000, count - i);
      await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), Array.from({ length: n }, (_, j) => putRequest(rowKey(i + j), enc(`v${i + j}`)))));
    }
    await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(k('a'), enc('kept')), putRequest(k('z'), enc('kept'))]));
    const left = kv.store.replicaForKey(rowKey(0))!;
    const right = kv.store.replicaForKey(rowKey(300))!;
    expect(left).not.toBe(right);

    const rounds = await clearAll(kv, rowKey(0), k('s'));
    expect(rounds).toBe(2); // the right range holds more than one command's keys
    expect(await scanKeys(kv, k(''), k('~'))).toEqual(['a', 'z']);
    // The left range starts at the bottom of the keyspace: its MVCC data (meta, system, then
    // table keys) starts past the range-local keys (0x01…).
    expect(left.stats).toEqual(await computeStats(kv.store.engine, Uint8Array.of(0x02), left.descriptor.endKey));
    expect(right.stats).toEqual(await computeStats(kv.store.engine, right.descriptor.startKey, right.descriptor.endKey));
    expect(right.stats.liveCount).toBe(1); // z
  }, 60_000);

  it('resolves a committed transaction’s intents left in the span, then clears', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    // No asynchronous resolution: the clear meets every intent of the committed load.
    vi.spyOn(kv.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    await kv.split(k('m'));
    const loader = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await loader.put(k('a'), enc('anchor'));
    const count = 2 * limits.writeIntentErrorIntentsMax + 10;
    for (let i = 0; i < count; i += 500) await loader.batch(Array.from({ length: Math.min(500, count - i) }, (_, j) => putRequest(rowKey(i + j), enc('v'))));
    await loader.commit();
    const range = kv.store.replicaForKey(rowKey(0))!;
    expect(range.stats.intentCount).toBe(count);

    await clearAll(kv, k('m'), k('s'));
    expect(range.stats.intentCount).toBe(0);
    expect(range.stats.keyCount).toBe(0);
    expect(range.stats).toEqual(await computeStats(kv.store.engine, range.descriptor.startKey, range.descriptor.endKey));
    expect(await scanKeys(kv, k(''), k('~'))).toEqual(['a']);
  }, 60_000);
});
