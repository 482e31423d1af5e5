/**
 * The explicit commit of a parallel commit releases the transaction's locks when it applies,
 * not when it is evaluated: until the record says COMMITTED, nothing may resolve the
 * transaction's intents (transaction recovery could not tell a resolved intent from a missing
 * one — see staging-resolution.test.ts), so a request queued on one of its intents waits for
 * the EndTxn's consensus round. A normal commit's locks are held until applied too.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { stateAfter } from '../../support/settled.js';
import { holdProposals } from './replica-harness.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
const eager = { writeBufferBytesMax: 0 } as const;

/** Opens every gate left closed by a failed test, so its store can close. */
const gates: (() => void)[] = [];

describe('the explicit commit of a parallel commit', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const release of gates.splice(0)) release();
    vi.restoreAllMocks();
    for (const kv of open.splice(0)) await kv.close();
  });

  it('keeps a writer queued on its intent until the commit is applied', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }), parallelCommits: true });
    open.push(kv);
    await kv.split(k('m'));
    const left = kv.store.replicaForKey(k('a'))!;
    const first = new Txn(kv.sender, kv.txnDeps);
    await first.put(k('a'), enc('first-a')); // buffered: the anchor, the record's range
    await first.put(k('z'), enc('first-z')); // buffered: the other range
    // The staging round passes; the explicit commit's proposal is held until the end of the test.
    const explicit = holdProposals(left, (batch) => batch.header.txn?.status === 'STAGING', gates);
    await first.commit(); // one round: STAGING record and both writes
    expect(first.transaction.status).toBe('COMMITTED');
    await vi.waitFor(() => expect(explicit.held).toBe(1));
    expect(kv.store.finalizedTxn(first.transaction.id)).toBeUndefined(); // not known before it applies

    const second = new Txn(kv.sender, kv.txnDeps, eager);
    const wrote = second.put(k('z'), enc('second-z'));
    expect(await stateAfter(wrote, 500)).toBe('pending'); // the record is still STAGING
    expect(explicit.held).toBe(1);
    explicit.open();
    await wrote;
    await second.commit();
    const read = await runTxn(kv.sender, kv.txnDeps, async (txn) => [dec(await txn.get(k('a'))), dec(await txn.get(k('z')))]);
    expect(read).toEqual(['first-a', 'second-z']);
  });

  it('leaves a normal commit’s locks until it is applied', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }), parallelCommits: false });
    open.push(kv);
    await kv.split(k('m'));
    const first = new Txn(kv.sender, kv.txnDeps, eager);
    await first.put(k('a'), enc('first-a'));
    await first.put(k('z'), enc('first-z'));
    const left = kv.store.replicaForKey(k('a'))!;
    const commit = holdProposals(left, () => true, gates);
    const committing = first.commit();
    await vi.waitFor(() => expect(commit.held).toBe(1));
    expect(kv.store.finalizedTxn(first.transaction.id)).toBeUndefined();
    const second = new Txn(kv.sender, kv.txnDeps, eager);
    const wrote = second.put(k('z'), enc('second-z'));
    expect(await stateAfter(wrote, 300)).toBe('pending');
    commit.open();
    await committing;
    await wrote;
    await second.commit();
  });
});
