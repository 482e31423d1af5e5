/**
 * SKIP LOCKED end to end through `openKv` (a Store under a DistSender, real `Txn`s): a locking
 * Get/Scan with the `skipLocked` wait policy never waits — it leaves out the keys other
 * transactions hold unreplicated locks or intents on, and locks the rows it returned; an
 * exclusive reader skips shared locks, a shared one shares them; the key limit counts only the
 * rows returned; the transaction's refresh spans and the timestamp cache hold only the returned
 * keys; an intent of a transaction the store saw commit is read (resolved in the next
 * evaluation), not skipped; a lock probe skips like a locking read but locks nothing; a batch
 * with writes is refused.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getRequest, LockConflictError, putRequest, scanRequest, type LockStrength } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { rangedResolutionIntentsMin } from '../../../kv/replica/concurrency.js';
import { InvalidInputError } from '../../../src/base/errors.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { stateAfter } from '../../support/settled.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
const name = (key: Uint8Array): string => dec(key.subarray(1));
/** Writes are intents at once (no write buffer), so the tests see each step. */
const eager = { writeBufferBytesMax: 0 } as const;

/** A SKIP LOCKED scan of the test keys in `txn`: the keys it returned. */
async function skipScan(txn: Txn, strength: LockStrength = 'exclusive', maxSpanRequestKeys = 0): Promise<string[]> {
  const response = await txn.batch([scanRequest(k('a'), k('z'), strength)] as const, { waitPolicy: 'skipLocked', maxSpanRequestKeys });
  return response.responses[0].rows.map((row) => name(row.key));
}

/** A NOWAIT locking Get: its value, or 'locked' on a lock held by another transaction. */
async function nowaitGet(txn: Txn, key: string, strength: LockStrength = 'exclusive'): Promise<string | undefined> {
  try {
    const response = await txn.batch([getRequest(k(key), strength)] as const, { waitPolicy: 'error' });
    const value = response.responses[0].value;
    return value === undefined ? undefined : dec(value);
  } catch (error) {
    if (error instanceof LockConflictError) return 'locked';
    throw error;
  }
}

describe('SKIP LOCKED reads', () => {
  const open: Kv[] = [];
  const start = async (): Promise<Kv> => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      for (const key of ['p', 'q', 'r', 's', 't']) await txn.put(k(key), enc(`${key}0`));
    });
    return kv;
  };
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });
  const txn = (kv: Kv): Txn => new Txn(kv.sender, kv.txnDeps, { priority: 1, ...eager });

  it('skips rows locked or written by other transactions without waiting, and locks the rows it returns', async () => {
    const kv = await start();
    const locker = txn(kv);
    expect(await nowaitGet(locker, 'p')).toBe('p0'); // an unreplicated exclusive lock on p
    const writer = txn(kv);
    await writer.put(k('r'), enc('r1')); // an intent on r
    const skipper = txn(kv);
    const scanning = skipScan(skipper);
    expect(await stateAfter(scanning, 150)).toBe('settled');
    expect(await scanning).toEqual(['q', 's', 't']);
    // The rows it returned are now its own: the others cannot lock them, but p and r are still theirs.
    const other = txn(kv);
    expect(await nowaitGet(other, 'q')).toBe('locked');
    expect(await nowaitGet(other, 't')).toBe('locked');
    expect(await skipScan(other)).toEqual([]);
    await skipper.rollback();
    // Once the skipper is gone, its rows are free again; p and r still are not.
    expect(await skipScan(other)).toEqual(['q', 's', 't']);
    await other.rollback();
    await locker.commit();
    await writer.commit();
    const after = txn(kv);
    expect(await skipScan(after)).toEqual(['p', 'q', 'r', 's', 't']);
    await after.rollback();
  });

  it('gives two job-queue workers different rows: LIMIT counts only the rows returned', async () => {
    const kv = await start();
    const first = txn(kv);
    const second = txn(kv);
    expect(await skipScan(first, 'exclusive', 1)).toEqual(['p']);
    expect(await skipScan(second, 'exclusive', 1)).toEqual(['q']);
    expect(await skipScan(first, 'exclusive', 2)).toEqual(['p', 'r']); // its own lock on p is no obstacle
    await first.put(k('p'), enc('done'));
    await second.put(k('q'), enc('done'));
    await first.commit();
    await second.commit();
    expect(first.transaction.epoch).toBe(0);
    expect(second.transaction.epoch).toBe(0);
  });

  it('lets a shared reader share FOR SHARE locks, while an exclusive one skips them', async () => {
    const kv = await start();
    const sharer = txn(kv);
    expect(await nowaitGet(sharer, 'q', 'shared')).toBe('q0');
    const exclusive = txn(kv);
    expect(await skipScan(exclusive, 'exclusive')).toEqual(['p', 'r', 's', 't']);
    const shared = txn(kv);
    // p, r, s, t are the exclusive reader's now; q is shared.
    expect(await skipScan(shared, 'shared')).toEqual(['q']);
    await Promise.all([sharer.rollback(), exclusive.rollback(), shared.rollback()]);
  });

  it('refreshes only the keys it returned, so its locker committing a skipped row does not fail it', async () => {
    const kv = await start();
    const locker = txn(kv);
    expect(await nowaitGet(locker, 'p')).toBe('p0');
    const skipper = txn(kv);
    expect(await skipScan(skipper, 'exclusive', 1)).toEqual(['q']);
    expect(skipper.interceptors.spanRefresher.refreshSpans.map((span) => [name(span.key), span.endKey])).toEqual([['q', undefined]]);
    await locker.put(k('p'), enc('p1'));
    await locker.commit();
    // The skipper's write moves above the locker's commit; its refresh covers q only and succeeds.
    await skipper.put(k('p'), enc('p2'));
    await skipper.put(k('q'), enc('q2'));
    await skipper.commit();
    expect(skipper.transaction.epoch).toBe(0);
  });

  it('reads the row of a committed transaction whose intent is not resolved yet, instead of skipping it', async () => {
    const kv = await start();
    await kv.split(k('m'));
    // Asynchronous resolution off: the committed intent on r (outside the record's range) stays.
    vi.spyOn(kv.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const committed = txn(kv);
    await committed.put(k('a'), enc('anchor'));
    await committed.put(k('r'), enc('r1'));
    await committed.commit();
    expect(kv.store.replicaForKey(k('r'))!.stats.intentCount).toBe(1);
    const pushes = vi.spyOn(kv.store, 'pushTxn');
    const skipper = txn(kv);
    const response = await skipper.batch([scanRequest(k('n'), k('z'), 'exclusive')] as const, { waitPolicy: 'skipLocked' });
    expect(response.responses[0].rows.map((row) => `${name(row.key)}=${dec(row.value)}`)).toEqual(['p=p0', 'q=q0', 'r=r1', 's=s0', 't=t0']);
    expect(pushes).not.toHaveBeenCalled();
    await skipper.rollback();
  });

  it('resolves many committed intents of one transaction by a ranged resolution, and reads them', async () => {
    const kv = await start();
    await kv.split(k('m'));
    vi.spyOn(kv.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const loader = txn(kv);
    await loader.put(k('a'), enc('anchor'));
    const count = 3 * rangedResolutionIntentsMin;
    await loader.batch(Array.from({ length: count }, (_, i) => putRequest(k(`u${String(i).padStart(3, '0')}`), enc(`u${i}`))));
    await loader.commit();
    const right = kv.store.replicaForKey(k('u000'))!;
    expect(right.stats.intentCount).toBe(count);
    const ranged = vi.spyOn(kv.store, 'resolveIntentSpan');
    const skipper = txn(kv);
    const response = await skipper.batch([scanRequest(k('u'), k('v'), 'exclusive')] as const, { waitPolicy: 'skipLocked' });
    expect(response.responses[0].rows).toHaveLength(count);
    expect(ranged).toHaveBeenCalledTimes(1);
    expect(right.stats.intentCount).toBe(0); // resolved for good, not read through round after round
    await skipper.rollback();
  });

  it('lets a lock probe skip what others lock without locking what it returns', async () => {
    const kv = await start();
    const locker = txn(kv);
    expect(await nowaitGet(locker, 'p')).toBe('p0');
    const prober = txn(kv);
    const response = await prober.batch([scanRequest(k('a'), k('z'), 'exclusive', { lockProbe: true })] as const, { waitPolicy: 'skipLocked' });
    expect(response.responses[0].rows.map((row) => name(row.key))).toEqual(['q', 'r', 's', 't']);
    const other = txn(kv);
    expect(await nowaitGet(other, 'q')).toBe('q0'); // the probe locked nothing
    await Promise.all([locker.rollback(), prober.rollback(), other.rollback()]);
  });

  it('refuses the skipLocked wait policy for a batch that writes', async () => {
    const kv = await start();
    const writer = txn(kv);
    await expect(writer.batch([putRequest(k('p'), enc('x'))] as const, { waitPolicy: 'skipLocked' })).rejects.toBeInstanceOf(InvalidInputError);
    await writer.rollback();
  });
});
