/**
 * A push that finds its pushee COMMITTED makes the store remember the record
 * (kv/replica/store.ts `pushTxn`), as the application of a record's commit on this store does.
 * The intents of a committed transaction whose asynchronous resolution was lost — the store
 * restarted first, so no finalized-transaction cache remembered it — are then resolved by one
 * ranged resolution after the first push, not met and pushed one at a time: after `pgbench -i`'s
 * COPY (a million intents) and a restart, `SELECT count(*)` pushed once per intent and had not
 * finished after 8 minutes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, scanRequest } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';
import { borrowed } from '../../support/borrowed-engine.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

/** Keys the committed transaction wrote on the right-hand range (more than `rangedResolutionIntentsMin`). */
const keys = Array.from({ length: 60 }, (_, i) => `n${String(i).padStart(3, '0')}`);

describe('a push that finds a committed pushee', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  /** A store restarted on an engine holding a committed transaction's 60 unresolved intents. */
  async function restartedWithLostResolution(): Promise<Kv> {
    const engine = new MemoryEngine();
    const env = realEnv({ logger: silentLogger() });
    const first = await openKv({ engine: borrowed(engine), env });
    await first.split(k('m'));
    vi.spyOn(first.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const txn = new Txn(first.sender, first.txnDeps, { writeBufferBytesMax: 0 });
    await txn.put(k('a'), enc('anchor')); // the record's range: resolved with the commit
    for (const key of keys) await txn.put(k(key), enc(`v-${key}`)); // the right-hand range: left behind
    await txn.commit();
    await first.close();
    const second = await openKv({ engine, env });
    open.push(second);
    expect(second.store.replicaForKey(k('n'))!.stats.intentCount).toBe(keys.length);
    return second;
  }

  it('lets the next scan resolve the rest of its intents by one ranged resolution instead of pushing once per intent', async () => {
    const kv = await restartedWithLostResolution();
    const scan = async (start: string, end: string): Promise<string[]> => {
      const response = await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [scanRequest(k(start), k(end))] as const));
      return response.responses[0].rows.map((row) => dec(row.value));
    };
    // The first reader knows nothing of the transaction: it pushes, and learns it committed.
    expect(await scan('n000', 'n005')).toEqual(keys.slice(0, 5).map((key) => `v-${key}`));
    const pushes = vi.spyOn(kv.store, 'pushTxn');
    expect(await scan('n', 'o')).toEqual(keys.map((key) => `v-${key}`));
    expect(pushes).not.toHaveBeenCalled();
    expect(kv.store.replicaForKey(k('n'))!.stats.intentCount).toBe(0);
  });
});
