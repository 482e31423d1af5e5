/**
 * A bulk load's intents (one transaction, thousands of keys) after its commit: a reader that
 * meets them resolves them for good with ranged resolutions (kv/replica/concurrency.ts
 * `bulkFinalizedIntents`) instead of re-resolving every intent met so far in each round; the
 * asynchronous resolution leaves none behind; readers see the committed data throughout. And a
 * store closing under an evaluation in flight lets it finish before its engine closes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, keyMax, putRequest, scanRequest, type ScanRequest, type BatchResponse } from '../../../kv/api/index.js';
import { rangedResolutionIntentsMin } from '../../../kv/replica/concurrency.js';
import type { Replica } from '../../../kv/replica/index.js';
import { LevelEngine } from '../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { limits } from '../../../src/base/limits.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';
import { sleep } from '../../support/settled.js';
import { tempDir } from '../../support/tmp.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
const rowKey = (i: number): Uint8Array => k(`z${String(i).padStart(6, '0')}`);
const env = () => realEnv({ logger: silentLogger() });
/** Writes are intents at once (no write buffer). */
const eager = { writeBufferBytesMax: 0 } as const;

/** Scans `[from, to)` non-transactionally at now, page by page; every row's value. */
async function scanAll(kv: Kv, from: Uint8Array, to: Uint8Array, pageKeysMax: number): Promise<string[]> {
  const values: string[] = [];
  for (let start: Uint8Array | undefined = from; start !== undefined; ) {
    const response: BatchResponse<readonly [ScanRequest]> = await kv.sender.send(
      batchRequest(batchHeader({ timestamp: kv.clock.now(), maxSpanRequestKeys: pageKeysMax }), [scanRequest(start, to)] as const),
    );
    values.push(...response.responses[0].rows.map((row) => new TextDecoder().decode(row.value)));
    start = response.responses[0].resumeSpan?.key;
  }
  return values;
}

describe('a bulk load’s intents after its commit', () => {
  const open: Kv[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** `count` rows written by one transaction anchored on [min, m), committed; the rows on [m, max). */
  async function bulkLoad(kv: Kv, count: number): Promise<Replica> {
    await kv.split(k('m'));
    const loader = new Txn(kv.sender, kv.txnDeps, eager);
    await loader.put(k('a'), enc('anchor'));
    for (let i = 0; i < count; i += 500) {
      const n = Math.min(500, count - i);
      await loader.batch(Array.from({ length: n }, (_, j) => putRequest(rowKey(i + j), enc(`v${i + j}`))));
    }
    await loader.commit();
    return kv.store.replicaForKey(rowKey(0))!;
  }

  it('on the record’s own range: the commit resolves at most intentResolutionIntentsMax of them, the rest asynchronously', async () => {
    // A 200,000-row INSERT's commit resolved all its local intents in one 30 MB Raft command,
    // over raftCommandBytesMax: refused, so the statement failed after minutes.
    const count = 2 * limits.intentResolutionIntentsMax + 77;
    const load = async (kv: Kv): Promise<Replica> => {
      await kv.split(k('m'));
      const loader = new Txn(kv.sender, kv.txnDeps, eager);
      await loader.put(k('a'), enc('anchor')); // the record's range: [min, m)
      for (let i = 0; i < count; i += 500) {
        const n = Math.min(500, count - i);
        await loader.batch(Array.from({ length: n }, (_, j) => putRequest(k(`b${String(i + j).padStart(6, '0')}`), enc(`v${i + j}`))));
      }
      await loader.commit();
      return kv.store.replicaForKey(k('a'))!;
    };
    const held = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(held);
    vi.spyOn(held.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const left = await load(held);
    expect(left.stats.intentCount).toBe(count + 1 - limits.intentResolutionIntentsMax);
    vi.restoreAllMocks();

    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    const range = await load(kv);
    await vi.waitFor(() => expect(range.stats.intentCount).toBe(0), { timeout: 20_000 });
    const values = await scanAll(kv, k('b'), k('c'), Number.MAX_SAFE_INTEGER);
    expect(values).toEqual(Array.from({ length: count }, (_, i) => `v${i}`));
  }, 60_000);

  it('are resolved for good by the first reader, ranged, without re-resolving what it met before', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    // No asynchronous resolution: the reader meets every intent.
    vi.spyOn(kv.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const count = 5 * limits.writeIntentErrorIntentsMax + 123;
    const right = await bulkLoad(kv, count);
    expect(right.stats.intentCount).toBe(count);
    // The intents an evaluation resolves one by one first (read through, for a read-only batch).
    const evaluations = vi.spyOn(right as unknown as { evaluateAndPropose: (batch: unknown, resolveFirst: readonly unknown[]) => Promise<unknown> }, 'evaluateAndPropose');
    const ranged = vi.spyOn(kv.store, 'resolveIntentSpan');
    const pointRequests = vi.spyOn(kv.store, 'resolveIntent');
    // One scan without a key limit: before, each round met 1,000 more intents and re-resolved
    // all the earlier ones in its overlay (15,000 point resolutions for these 5,123 keys).
    const values = await scanAll(kv, k('z'), keyMax, Number.MAX_SAFE_INTEGER);
    expect(values).toEqual(Array.from({ length: count }, (_, i) => `v${i}`));
    expect(right.stats.intentCount).toBe(0); // resolved through Raft: the next reader meets none
    expect(ranged.mock.calls.length).toBe(Math.ceil(count / limits.writeIntentErrorIntentsMax));
    expect(pointRequests).not.toHaveBeenCalled();
    expect(evaluations.mock.calls.reduce((sum, [, resolveFirst]) => sum + resolveFirst.length, 0)).toBe(0);
  });

  it('leaves a few intents met by a reader to the cheaper path (read through, no Raft round)', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    vi.spyOn(kv.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const count = rangedResolutionIntentsMin - 1;
    const right = await bulkLoad(kv, count);
    const ranged = vi.spyOn(kv.store, 'resolveIntentSpan');
    expect(await scanAll(kv, k('z'), keyMax, 1_000)).toHaveLength(count);
    expect(ranged).not.toHaveBeenCalled();
    expect(right.stats.intentCount).toBe(count); // read through, left for the resolver
  });

  it('are all resolved asynchronously after the commit, readers seeing the committed rows throughout', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    const count = 12_345;
    const right = await bulkLoad(kv, count);
    const expected = Array.from({ length: count }, (_, i) => `v${i}`);
    for (let round = 0; right.stats.intentCount > 0; round++) {
      expect(round).toBeLessThan(600);
      expect(await scanAll(kv, k('z'), keyMax, 2_000)).toEqual(expected);
      await sleep(50);
    }
    expect(right.stats.intentCount).toBe(0);
    expect(right.stats.liveCount).toBe(count);
    expect(await scanAll(kv, k('z'), keyMax, 10_000)).toEqual(expected);
  });

  it('lets a store close only once a scan evaluating on its engine is done (regression: "Iterator is not open")', async () => {
    const dir = tempDir('bulk-close');
    cleanups.push(dir.remove);
    const kv = await openKv({ engine: await LevelEngine.open(dir.path), env: env() });
    const count = 20_000;
    for (let i = 0; i < count; i += 2_000) {
      await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), Array.from({ length: 2_000 }, (_, j) => putRequest(rowKey(i + j), enc(`v${i + j}`)))));
    }
    // A background range deletion in flight when the node stops: its scan reads the engine.
    const scan = scanAll(kv, k('z'), keyMax, Number.MAX_SAFE_INTEGER);
    await sleep(1);
    await kv.close(); // the store, then the engine
    const outcome = await scan.then(
      (values) => `read ${values.length}`,
      (error: unknown) => (error as Error).message,
    );
    expect(outcome).not.toMatch(/Iterator is not open|Database is not open/);
  });
});
