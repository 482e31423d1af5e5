/**
 * Intents an inconsistent read reads around are cleaned up (kv/replica/store.ts
 * `cleanUpIntentsReadAround`): a committed transaction's intent whose resolution was lost — the
 * store restarted before resolving it, so no finalized-transaction cache remembers it — is
 * resolved after an inconsistent read meets it, as a consistent read would by pushing. Before,
 * inconsistent readers read around it for ever: after a crash between a merge's commit and its
 * meta2 resolution, every range lookup named the removed right-hand range (KV simulator, seed
 * 125: RoutingRetriesExhaustedError "r7 was not found on s1" until the end of the run). The keys
 * met and the record's lock spans are resolved in one batch (seed 1052: a merge's meta2 intents
 * resolved one at a time let a lookup see half of the merge).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, getRequest, scanRequest } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';
import { k, restartedWithLostResolution as restartedWith } from '../../support/lost-resolution.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

describe('intents an inconsistent read reads around', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  /**
   * A store restarted on an engine holding a committed transaction's intent on "z" (outside its
   * record's range), never resolved: the first store's asynchronous resolution was off.
   */
  async function restartedWithLostResolution(): Promise<Kv> {
    const kv = await restartedWith([['a', 'new-a'], ['y', 'new-y'], ['z', 'new-z']], open);
    expect(kv.store.replicaForKey(k('z'))!.stats.intentCount).toBe(2);
    return kv;
  }

  const inconsistent = (kv: Kv) => batchHeader({ timestamp: kv.clock.now(), readConsistency: 'inconsistent' });

  it('resolves them once a Get meets one, so inconsistent readers see the committed value — the ones not met too, in the same batch', async () => {
    const kv = await restartedWithLostResolution();
    const right = kv.store.replicaForKey(k('z'))!;
    const before = await kv.sender.send(batchRequest(inconsistent(kv), [getRequest(k('z'))] as const));
    expect(dec(before.responses[0].value)).toBeUndefined(); // read around: the committed value is not visible yet
    await vi.waitFor(() => expect(right.stats.intentCount).toBe(0), { timeout: 5_000 });
    const after = await kv.sender.send(batchRequest(inconsistent(kv), [getRequest(k('z'))] as const));
    expect(dec(after.responses[0].value)).toBe('new-z');
    // "y" was not met: resolved from the record's lock spans with "z", in one Raft command (a
    // merge's two meta2 intents, resolved one at a time, once showed a lookup half of the merge).
    const y = await kv.sender.send(batchRequest(inconsistent(kv), [getRequest(k('y'))] as const));
    expect(dec(y.responses[0].value)).toBe('new-y');
  });

  it('resolves them once a Scan meets them', async () => {
    const kv = await restartedWithLostResolution();
    const right = kv.store.replicaForKey(k('z'))!;
    await kv.sender.send(batchRequest(inconsistent(kv), [scanRequest(k('n'), k('zz'))] as const));
    await vi.waitFor(() => expect(right.stats.intentCount).toBe(0), { timeout: 5_000 });
    const after = await kv.sender.send(batchRequest(inconsistent(kv), [scanRequest(k('n'), k('zz'))] as const));
    expect(after.responses[0].rows.map((row) => dec(row.value))).toEqual(['new-y', 'new-z']);
  });

  it('leaves the intent of a live transaction alone', async () => {
    const env = realEnv({ logger: silentLogger() });
    const kv = await openKv({ engine: new MemoryEngine(), env });
    open.push(kv);
    const live = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await live.put(k('z'), enc('pending'));
    const abortPushes = vi.spyOn(kv.store.gcQueue, 'abortIfAbandoned');
    await kv.sender.send(batchRequest(inconsistent(kv), [getRequest(k('z'))] as const));
    await vi.waitFor(() => expect(abortPushes).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    await expect(abortPushes.mock.results[0]!.value).resolves.toBeUndefined(); // alive: refused
    await live.commit(); // not aborted by the reader
    const after = await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [getRequest(k('z'))] as const));
    expect(dec(after.responses[0].value)).toBe('pending');
  });
});
