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
import type { Kv } from '../../../src/node/kv.js';
import { k, restartedWithLostResolution as restartedWith } from '../../support/lost-resolution.js';

const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

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
    // The anchor "a" is on the record's range (resolved with the commit); the keys on the right-hand range are left behind.
    const kv = await restartedWith([['a', 'anchor'], ...keys.map((key) => [key, `v-${key}`] as const)], open);
    expect(kv.store.replicaForKey(k('n'))!.stats.intentCount).toBe(keys.length);
    return kv;
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
