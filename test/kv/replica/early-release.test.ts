/**
 * The explicit commit of a parallel commit releases the transaction's locks as soon as it
 * applies in a Ready's batch, before that batch is synced (kv/eval `confirmsImplicitCommit`,
 * kv/replica `Replica.beforeDurable`): the transaction was implicitly committed already, so a
 * reader queued on one of its intents reads the committed value during the explicit commit's
 * fsync instead of after it. A normal commit (its record PENDING before) still releases its locks
 * only once the commit is durable: lost in a crash, it would leave a PENDING record that a pusher
 * may abort. And the explicit commit's own outcome still waits for durability: what a woken
 * request writes is never durable without it (the store's cycles commit in order).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { next } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, compareKeys, getRequest, putRequest, type Transaction } from '../../../kv/api/index.js';
import { decodeTxnRecord, txnRecordEngineKey } from '../../../kv/eval/txn-record.js';
import type { CommitOptions, WriteOp } from '../../../kv/storage/engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { stateAfter } from '../../support/settled.js';
import { holdProposals, stillEnv } from './replica-harness.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
const eager = { writeBufferBytesMax: 0 } as const;
/** Openers of proposal gates left closed by a failed test, so its store can close. */
const gates: (() => void)[] = [];

/**
 * A memory engine that holds, like a slow fsync, the synced commits `holdWhen` picks — and whose
 * process can die: what it held then never lands, nor does anything the dead process commits.
 */
class GatedEngine extends MemoryEngine {
  holdWhen: ((ops: readonly WriteOp[]) => boolean) | undefined;
  /** Synced commits waiting at the gate. */
  held = 0;
  /** Lives of the process so far: a commit of an earlier life never lands. */
  private life = 0;
  private gate = newGate();

  override async commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    const life = this.life;
    if (options.sync && this.holdWhen?.(ops) === true) {
      this.held++;
      await this.gate.promise;
      this.held--;
    }
    if (life !== this.life) return new Promise<void>(() => undefined);
    return super.commit(ops, options);
  }

  open(): void {
    this.gate.resolve();
  }

  /** kill -9 and start again: everything committed survives, nothing held does. */
  restart(): void {
    this.crash({ unsyncedKept: 'all' });
    this.life++;
    this.held = 0;
    this.holdWhen = undefined;
    this.gate = newGate();
  }
}

function newGate(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Whether `ops` write `txn`'s record (anchored at `anchor`) as COMMITTED. */
const commitsRecord =
  (anchor: Uint8Array, txn: () => Transaction) =>
  (ops: readonly WriteOp[]): boolean => {
    const key = txnRecordEngineKey(anchor, txn().id);
    return ops.some((op) => op.kind === 'put' && compareKeys(op.key, key) === 0 && decodeTxnRecord(op.value).status === 'COMMITTED');
  };

describe('the early release of an implicitly committed transaction', () => {
  const open: { kv: Kv; engine: GatedEngine }[] = [];
  afterEach(async () => {
    for (const release of gates.splice(0)) release();
    vi.restoreAllMocks();
    for (const { kv, engine } of open.splice(0)) {
      engine.open(); // a failed assertion must not leave the store stuck at the gate
      await kv.close();
    }
  });

  async function start(parallelCommits: boolean): Promise<{ kv: Kv; engine: GatedEngine }> {
    const engine = new GatedEngine();
    const kv = await openKv({ engine, env: realEnv({ logger: silentLogger() }), parallelCommits });
    open.push({ kv, engine });
    await kv.split(k('m'));
    return { kv, engine };
  }

  /** A read of `key` in a transaction that starts now (above the writer's commit). */
  const readLater = (kv: Kv, key: Uint8Array): Promise<string | undefined> => {
    const reader = new Txn(kv.sender, kv.txnDeps);
    return reader.get(key).then(dec);
  };

  it('lets readers of its intents read during the explicit commit’s fsync', async () => {
    const { kv, engine } = await start(true);
    const writer = new Txn(kv.sender, kv.txnDeps);
    await writer.put(k('a'), enc('writer-a')); // buffered: the anchor, the record's range
    await writer.put(k('z'), enc('writer-z')); // buffered: the other range
    engine.holdWhen = commitsRecord(k('a'), () => writer.transaction);
    // The explicit commit is held before Raft until a reader has queued on the intent at z.
    const explicit = holdProposals(kv.store.replicaForKey(k('a'))!, (batch) => batch.header.txn?.status === 'STAGING', gates);
    await writer.commit(); // one round: STAGING record and both writes, durable
    expect(writer.transaction.status).toBe('COMMITTED');
    await vi.waitFor(() => expect(explicit.held).toBe(1));
    const queued = readLater(kv, k('z'));
    expect(await stateAfter(queued, 300)).toBe('pending'); // the record is STAGING
    explicit.open();
    await vi.waitFor(() => expect(engine.held).toBe(1)); // the explicit commit: applied, not durable
    expect(await stateAfter(queued, 500)).toBe('settled');
    expect(await queued).toBe('writer-z');
    const later = readLater(kv, k('z')); // a reader arriving now finds the transaction finalized
    expect(await stateAfter(later, 500)).toBe('settled');
    expect(await later).toBe('writer-z');
    expect(engine.held).toBe(1); // both read while the explicit commit waited for its fsync
    // The record in the engine is still STAGING: the explicit commit itself is not durable yet.
    const stored = engine.get(txnRecordEngineKey(k('a'), writer.transaction.id));
    expect(stored === undefined ? undefined : decodeTxnRecord(stored).status).toBe('STAGING');
    engine.open();
    const answer = await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [getRequest(k('a')), getRequest(k('z'))]));
    expect(answer.responses.map((r) => (r.kind === 'get' ? dec(r.value) : r.kind))).toEqual(['writer-a', 'writer-z']);
  });

  it('keeps a writer that meets the intent from committing before the explicit commit is durable', async () => {
    const { kv, engine } = await start(true);
    const writer = new Txn(kv.sender, kv.txnDeps);
    await writer.put(k('a'), enc('writer-a'));
    await writer.put(k('z'), enc('writer-z'));
    engine.holdWhen = commitsRecord(k('a'), () => writer.transaction);
    await writer.commit();
    await vi.waitFor(() => expect(engine.held).toBe(1));
    const second = new Txn(kv.sender, kv.txnDeps, eager);
    const wrote = second.put(k('z'), enc('second-z'));
    // Woken early, it evaluates at once, but its proposal waits for the next cycle: after the
    // held batch, never durable without it.
    expect(await stateAfter(wrote, 500)).toBe('pending');
    expect(engine.held).toBe(1);
    engine.open();
    await wrote;
    await second.commit();
    expect(await readLater(kv, k('z'))).toBe('second-z');
  });

  it('keeps a normal commit’s locks until the commit is durable', async () => {
    const { kv, engine } = await start(false);
    const writer = new Txn(kv.sender, kv.txnDeps, eager);
    await writer.put(k('a'), enc('writer-a'));
    await writer.put(k('z'), enc('writer-z'));
    engine.holdWhen = commitsRecord(k('a'), () => writer.transaction);
    const committing = writer.commit();
    await vi.waitFor(() => expect(engine.held).toBe(1));
    const read = readLater(kv, k('z'));
    expect(await stateAfter(read, 500)).toBe('pending'); // a PENDING record's commit is not decided until durable
    engine.open();
    await committing;
    expect(await read).toBe('writer-z');
  });

  it('leaves an acknowledged commit whole when the process dies before the explicit commit is durable', async () => {
    const engine = new GatedEngine();
    const kv = await openKv({ engine, env: stillEnv(), parallelCommits: true }); // never closed: it dies
    await kv.split(k('m'));
    const writer = new Txn(kv.sender, kv.txnDeps);
    await writer.put(k('a'), enc('writer-a'));
    await writer.put(k('z'), enc('writer-z'));
    engine.holdWhen = commitsRecord(k('a'), () => writer.transaction);
    await writer.commit();
    const commitTs = writer.transaction.writeTimestamp;
    await vi.waitFor(() => expect(engine.held).toBe(1));
    // Woken early, a write on z resolves the intent with its own write — proposed after the
    // held batch, so it cannot land without it.
    const wrote = kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(k('z'), enc('second-z'))]));
    expect(await stateAfter(wrote, 300)).toBe('pending');
    engine.restart(); // the process dies: the explicit commit's batch never lands
    const kv2 = await openKv({ engine, env: realEnv({ logger: silentLogger() }), parallelCommits: true });
    open.push({ kv: kv2, engine });
    // A reader meets the intents of a STAGING record long expired: recovery finds both writes.
    const read = await runTxn(kv2.sender, kv2.txnDeps, async (txn) => [dec(await txn.get(k('a'))), dec(await txn.get(k('z')))]);
    expect(read).toEqual(['writer-a', 'writer-z']);
    const asOf = await kv2.sender.send(batchRequest(batchHeader({ timestamp: next(commitTs) }), [getRequest(k('a')), getRequest(k('z'))]));
    expect(asOf.responses.map((r) => (r.kind === 'get' ? dec(r.value) : r.kind))).toEqual(['writer-a', 'writer-z']);
  }, 30_000);
});
