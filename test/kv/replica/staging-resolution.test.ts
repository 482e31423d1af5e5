/**
 * A parallel commit's intents are resolved only once its record is finalized — never on the
 * strength of an explicit commit that was evaluated but may not apply. Transaction recovery
 * cannot tell an intent resolved as committed from one never written (QueryIntent finds neither),
 * so a resolution that runs ahead of the record turns "implicitly committed" into "a write is
 * missing": recovery then aborts an acknowledged transaction whose resolved write stays
 * committed. CockroachDB keeps the same invariant. Regression tests for a review finding against
 * 3ba2f90, which released the locks at the explicit commit's evaluation (and efd9249, whose
 * readers resolve many intents of a finalized transaction through Raft): a writer or a bulk
 * reader on another range of the same store, then the explicit commit never applies (the process
 * dies), then recovery. (A proposal refused for size was the other way an explicit commit never
 * applied; the commit's local resolution is now bounded in bytes, and the third test checks that
 * such a commit applies.)
 */
import { describe, expect, it, vi } from 'vitest';
import { next, type Timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, getRequest, putRequest, scanRequest } from '../../../kv/api/index.js';
import type { CommitOptions, WriteOp } from '../../../kv/storage/engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { holdProposals, stillEnv } from './replica-harness.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

/** An engine whose process can die: from then on no commit resolves (nothing more lands). */
class DyingEngine extends MemoryEngine {
  private dead = false;
  die(): void {
    this.dead = true;
  }
  override commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    if (this.dead) return new Promise<void>(() => undefined);
    return super.commit(ops, options);
  }
  restart(): void {
    this.crash({ unsyncedKept: 'all' }); // kill -9: everything handed to the OS survives
    this.dead = false;
  }
}

async function getAt(kv: Kv, key: string, ts: Timestamp): Promise<string | undefined> {
  const response = await kv.sender.send(batchRequest(batchHeader({ timestamp: ts }), [getRequest(k(key))]));
  return dec(response.responses[0].value);
}

describe('a parallel commit whose explicit commit never applies', () => {
  it('an acknowledged parallel commit stays atomic when its explicit commit never applies', async () => {
    const engine = new DyingEngine();
    const kv = await openKv({ engine, env: stillEnv(), parallelCommits: true });
    await kv.split(k('m'));
    const left = kv.store.replicaForKey(k('a'))!;
    const first = new Txn(kv.sender, kv.txnDeps);
    await first.put(k('a'), enc('first-a')); // the record's range
    await first.put(k('z'), enc('first-z')); // the other range
    const explicit = holdProposals(left, (batch) => batch.header.txn?.status === 'STAGING');
    await first.commit(); // acknowledged: implicitly committed
    expect(first.transaction.status).toBe('COMMITTED');
    const commitTs = first.transaction.writeTimestamp;
    await vi.waitFor(() => expect(explicit.held).toBe(1));

    // A writer on z (another range, same store). With 3ba2f90 it resolves first's intent on z as
    // COMMITTED through the finalized-transaction cache and lands; before it, it waits.
    const wrote = kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(k('z'), enc('second-z'))]));
    const landed = await Promise.race([wrote.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
    expect(landed).toBe(false); // the writer waits for the record to be finalized

    // The process dies (the explicit commit was never proposed) and restarts much later.
    engine.die();
    engine.restart();
    const kv2 = await openKv({ engine, env: realEnv({ logger: silentLogger() }), parallelCommits: true });
    try {
      // A reader meets a's intent: its record is STAGING and expired → transaction recovery.
      const read = await runTxn(kv2.sender, kv2.txnDeps, async (txn) => [dec(await txn.get(k('a'))), dec(await txn.get(k('z')))]);
      expect(read).toEqual(['first-a', 'first-z']); // recovered as committed; the writer on z never landed
      const asOf = [await getAt(kv2, 'a', next(commitTs)), await getAt(kv2, 'z', next(commitTs))];
      // The commit was acknowledged: both writes must be there, at its timestamp.
      expect(asOf).toEqual(['first-a', 'first-z']);
    } finally {
      await kv2.close();
    }
  }, 30_000);

  // Was: two 9 MB intents and a row resolved by the explicit commit made one command over
  // raftCommandBytesMax, refused — an explicit commit that never applied, with no crash (the
  // kill -9 case above covers that outcome). The commit's local resolution is now bounded in
  // bytes (intentResolutionBytesMax): the explicit commit applies, resolving what fits, and the
  // rest is resolved asynchronously; every write is there at the commit, before and after a
  // clean restart.
  it('an explicit commit over large local intents applies, resolving the rest asynchronously, and survives a clean restart', async () => {
    const engine = new (class extends MemoryEngine {
      override close(): Promise<void> {
        return Promise.resolve(); // the disk outlives the process
      }
    })();
    const kv = await openKv({ engine, env: stillEnv(), parallelCommits: true });
    await kv.split(k('m'));
    const first = new Txn(kv.sender, kv.txnDeps);
    const big = new Uint8Array(9 * 1024 * 1024).fill(7);
    await first.put(k('a1'), big); // past the write buffer: sent at once, its own proposal
    await first.put(k('a2'), big);
    await first.put(k('a'), enc('first-a')); // buffered
    await first.put(k('z'), enc('first-z')); // buffered
    await first.commit(); // STAGING ∥ writes: implicitly committed and acknowledged
    expect(first.transaction.status).toBe('COMMITTED');
    const commitTs = first.transaction.writeTimestamp;
    const left = kv.store.replicaForKey(k('a'))!;
    await vi.waitFor(() => expect(left.stats.intentCount).toBe(0), { timeout: 20_000 });
    expect(kv.txnDeps.parallelCommits?.failedCommits).toBe(0);
    await kv.close(); // a clean restart
    engine.crash({ unsyncedKept: 'all' }); // reopen the same engine (loses nothing)
    const kv2 = await openKv({ engine, env: realEnv({ logger: silentLogger() }), parallelCommits: true });
    try {
      const asOf = [await getAt(kv2, 'a', next(commitTs)), await getAt(kv2, 'z', next(commitTs))];
      expect(asOf).toEqual(['first-a', 'first-z']);
      const a2 = await kv2.sender.send(batchRequest(batchHeader({ timestamp: next(commitTs) }), [getRequest(k('a2'))]));
      expect(a2.responses[0].value?.length).toBe(big.length);
    } finally {
      await kv2.close();
    }
  }, 60_000);

  it('a read-only scan meeting 16 or more of its intents (a bulk resolution) waits for the record too', async () => {
    const engine = new DyingEngine();
    const kv = await openKv({ engine, env: stillEnv(), parallelCommits: true });
    await kv.split(k('m'));
    const left = kv.store.replicaForKey(k('a'))!;
    const first = new Txn(kv.sender, kv.txnDeps);
    await first.put(k('a'), enc('first-a'));
    for (let i = 0; i < 20; i++) await first.put(k(`z${String(i).padStart(2, '0')}`), enc(`first-z${i}`));
    const explicit = holdProposals(left, (batch) => batch.header.txn?.status === 'STAGING');
    await first.commit();
    expect(first.transaction.status).toBe('COMMITTED');
    const commitTs = first.transaction.writeTimestamp;
    await vi.waitFor(() => expect(explicit.held).toBe(1));
    // A read-only scan of the other range (no write of its own).
    const scanned = kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [scanRequest(k('z'), k('zz'))]));
    const rows = await Promise.race([scanned.then((r) => r.responses[0].rows.length), new Promise<number>((r) => setTimeout(() => r(-1), 1_000))]);
    expect(rows).toBe(-1); // still waiting: nothing resolved ahead of the record
    engine.die();
    engine.restart();
    const kv2 = await openKv({ engine, env: realEnv({ logger: silentLogger() }), parallelCommits: true });
    try {
      const asOf = [await getAt(kv2, 'a', next(commitTs)), await getAt(kv2, 'z00', next(commitTs))];
      expect(asOf).toEqual(['first-a', 'first-z0']);
    } finally {
      await kv2.close();
    }
  }, 30_000);
});
