/**
 * Locks of a finalized transaction (kv/replica/concurrency.ts `finalizedLocks`): a key whose lock
 * a transaction held here when it committed may still carry its intent, waiting for the
 * asynchronous resolution. The next request on the key resolves it in its first evaluation — a
 * read reads through it, a write resolves it within its own Raft command — instead of meeting it,
 * failing with WriteIntentError and evaluating again (TPC-B's teller and branch rows, every
 * transaction).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, getRequest, resolveIntentRangeRequest, txnMeta } from '../../../kv/api/index.js';
import type { Replica } from '../../../kv/replica/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
/** Writes are intents at once (no write buffer), so the tests see each step. */
const eager = { writeBufferBytesMax: 0 } as const;

/** Counts the evaluations `replica` runs from now on (each round of a request is one). */
function countEvaluations(replica: Replica): { readonly count: number } {
  const spy = vi.spyOn(replica as unknown as { evaluateAndPropose: (...args: unknown[]) => Promise<unknown> }, 'evaluateAndPropose');
  return {
    get count() {
      return spy.mock.calls.length;
    },
  };
}

describe('locks of finalized transactions', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  /**
   * Ranges [min, m) and [m, max); a transaction that locked "z" (a locking read, as SQL's UPDATE
   * does), wrote its intent there and committed with its record on the left range. Asynchronous
   * resolution is off, so the intent stays.
   */
  let firstTxnId: Txn['transaction']['id'];
  async function committedLockedIntentOnZ(): Promise<{ kv: Kv; right: Replica }> {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    await kv.split(k('m'));
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('z'), enc('initial')));
    vi.spyOn(kv.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const first = new Txn(kv.sender, kv.txnDeps, eager);
    await first.put(k('a'), enc('first-a')); // the anchor: resolved with the commit
    await first.batch([getRequest(k('z'), 'exclusive')] as const);
    await first.put(k('z'), enc('first-z'));
    await first.commit();
    firstTxnId = first.transaction.id;
    const right = kv.store.replicaForKey(k('z'))!;
    expect(right.stats.intentCount).toBe(1);
    return { kv, right };
  }

  it('lets the next locking read and write resolve the intent in their first evaluation', async () => {
    const { kv, right } = await committedLockedIntentOnZ();
    const resolutions = vi.spyOn(kv.store, 'resolveIntent');
    const second = new Txn(kv.sender, kv.txnDeps, eager);
    await second.put(k('b'), enc('second-b')); // anchors the record on the left range
    const evaluations = countEvaluations(right);
    const locked = await second.batch([getRequest(k('z'), 'exclusive')] as const);
    expect(dec(locked.responses[0].value)).toBe('first-z');
    expect(evaluations.count).toBe(1); // read through the resolution: no WriteIntentError round
    expect(right.stats.intentCount).toBe(1); // a read drops the resolution
    await second.put(k('z'), enc('second-z'));
    expect(evaluations.count).toBe(2);
    expect(right.stats.intentCount).toBe(1); // the second's own: the first's resolved with it
    expect(right.sequencer.resolvedBeforeEvaluation).toBe(2);
    expect(resolutions).not.toHaveBeenCalled();
    await second.commit();
    // The second held the lock too: a plain read after its commit reads through its intent.
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('z'))))).toBe('second-z');
    expect(right.sequencer.resolvedBeforeEvaluation).toBe(3);
  });

  it('forgets a key whose intent is gone, and never resolves another transaction’s intent there', async () => {
    const { kv, right } = await committedLockedIntentOnZ();
    // Resolved behind the hint's back: a ranged resolution finds no lock in the table to release.
    const record = kv.store.finalizedTxn(firstTxnId)!;
    expect(record.status).toBe('COMMITTED');
    await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [resolveIntentRangeRequest(k('m'), k('zz'), { intentTxn: txnMeta(record), status: 'COMMITTED' })]));
    expect(right.stats.intentCount).toBe(0);
    // A writer of another transaction: the hint resolves nothing (no intent of the first is
    // there), is forgotten, and the writer lays its own intent.
    const writer = new Txn(kv.sender, kv.txnDeps, eager);
    await writer.put(k('b'), enc('w-b'));
    await writer.put(k('z'), enc('w-z'));
    expect(right.stats.intentCount).toBe(1);
    expect(right.sequencer.resolvedBeforeEvaluation).toBe(1);
    await writer.put(k('z'), enc('w-z2'));
    expect(right.sequencer.resolvedBeforeEvaluation).toBe(1); // the key was forgotten
    // A reader meets the writer's intent and waits for it, as without the hint; woken by the
    // writer's commit, it reads through the writer's intent (the table knew that lock too).
    const reader = runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('z')), { priority: 1 });
    await writer.commit();
    expect(dec(await reader)).toBe('w-z2');
    expect(right.sequencer.resolvedBeforeEvaluation).toBe(2);
  });
});
