/**
 * Parallel commits on manual time (the findings of the review after they landed, one regression
 * test each):
 * - a re-staged commit is judged implicitly committed write by write, not from the merged header
 *   the timestamp cache raised;
 * - the record is heartbeaten while STAGING: an in-flight write blocked past the liveness
 *   threshold does not let a pusher recover (and abort) a live transaction;
 * - commit wait (strict serializability) waits once, on the final commit timestamp, after the
 *   explicit commit was set going and before the client is acknowledged;
 * - `asyncCommitsMax` asynchronous explicit commits run at once, no more and no fewer.
 */
import { describe, expect, it } from 'vitest';
import { addNanos, compare, lessEq } from '../../clock/timestamp.js';
import { batchHeader, batchRequest, pushTxnRequest, putRequest, txnMeta, type BatchRequest, type Transaction } from '../../kv/api/index.js';
import { IndeterminateCommitError, readTxnRecord, TransactionPushError } from '../../kv/eval/index.js';
import { limits } from '../../src/base/limits.js';
import { TxnRecoveryManager } from '../../kv/replica/txn-recovery.js';
import { readIntent } from '../../kv/storage/mvcc/visibility.js';
import { ParallelCommits, Txn } from '../../txn/index.js';
import { enc, flush, world, type World } from './harness.js';
import { bumpedBy, StagingSender } from './parallel-harness.js';

const millis = (n: number): bigint => BigInt(n) * 1_000_000n;

describe('parallel commits, a re-staged commit', () => {
  it('is implicitly committed when its replayed writes stay at or below the staging timestamp, though the timestamp cache raised the header', async () => {
    const w = world();
    const setting = new ParallelCommits();
    const recovery = new TxnRecoveryManager(
      () => w.sender,
      () => w.clock.now(),
    );
    const recovered: Transaction[] = [];
    const sender = new StagingSender(w.sender, {
      // Attempt 1: the writes' range had a read above the transaction — they land 1ms up, the
      // attempt is pushed (rightly) and re-staged after a refresh. Attempt 2: the same range's
      // timestamp cache (a new lease's low-water mark) raises the header above the new staging
      // timestamp, but the writes are replays: their intents stay where attempt 1 put them.
      writes: (part, attempt) => (attempt <= 2 ? bumpedBy(part, addNanos(part.header.txn!.writeTimestamp, millis(1))) : part),
      // A recoverer meets the re-staged record (its coordinator looks stuck): every in-flight write
      // is there at or below the staging timestamp, so it commits the transaction.
      staged: async (response, attempt) => {
        const record = response.responses.at(-1);
        if (attempt === 2 && record?.kind === 'endTxn') recovered.push(await recovery.recover(record.txn));
      },
    });
    const txn = new Txn(sender, { ...w.deps, parallelCommits: setting }, { name: 're-staged' });
    await txn.put(enc('a'), enc('anchor'));
    // Driven on manual time: the commit lies 2ms in the future, and commit wait waits for the clock.
    await w.timers.drive(txn.commit([putRequest(enc('b'), enc('2')), putRequest(enc('c'), enc('3'))]));

    // The coordinator agrees with the recoverer: committed at the second staging timestamp.
    expect(sender.stagings).toBe(2);
    expect(recovered.map((r) => r.status)).toEqual(['COMMITTED']);
    const commitTs = recovered[0]!.writeTimestamp;
    expect(txn.transaction.status).toBe('COMMITTED');
    expect(compare(txn.transaction.writeTimestamp, commitTs)).toBe(0);
    await txn.interceptors.committer.explicitCommit;
    expect(setting.failedCommits).toBe(0);
    const record = readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id);
    expect(record?.status).toBe('COMMITTED');
    expect(record?.epoch).toBe(0);
    expect(compare(record!.writeTimestamp, commitTs)).toBe(0);
    for (const key of ['b', 'c']) {
      const intent = readIntent(w.sender.engine, enc(key));
      expect(intent?.txn.epoch).toBe(0);
      expect(lessEq(intent!.txn.writeTimestamp, commitTs), `${key}'s intent lies at or below the commit timestamp`).toBe(true);
    }
  });

  it('is not implicitly committed when a write landed above the staging timestamp: it refreshes and stages again', async () => {
    const w = world();
    const setting = new ParallelCommits();
    const sender = new StagingSender(w.sender, {
      writes: (part, attempt) => (attempt === 1 ? bumpedBy(part, addNanos(part.header.txn!.writeTimestamp, millis(1))) : part),
    });
    const txn = new Txn(sender, { ...w.deps, parallelCommits: setting }, { name: 'pushed' });
    await txn.put(enc('a'), enc('anchor'));
    const startTs = txn.transaction.writeTimestamp;
    await w.timers.drive(txn.commit([putRequest(enc('b'), enc('2'))]));
    expect(sender.stagings).toBe(2);
    expect(txn.interceptors.spanRefresher.refreshes).toBe(1);
    expect(compare(txn.transaction.writeTimestamp, addNanos(startTs, millis(1)))).toBeGreaterThanOrEqual(0);
    await txn.interceptors.committer.explicitCommit;
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
  });
});

/**
 * A pusher that wants `pushee` aborted (a waiter on one of its intents, timed out): PushTxn; if
 * the record is STAGING and looks abandoned, transaction recovery, then PushTxn again — what the
 * store's pusher does (kv/replica store.ts `pushTxn`). The push's outcome.
 */
async function pushToAbort(w: World, pushee: Transaction): Promise<'pushed' | 'refused' | 'recovered'> {
  const push = (): Promise<unknown> => {
    const now = w.clock.now();
    return w.sender.send(batchRequest(batchHeader({ timestamp: now, now }), [pushTxnRequest({ pusher: undefined, pushee: txnMeta(pushee), pushTo: now, pushType: 'abort' })]));
  };
  try {
    await push();
    return 'pushed';
  } catch (error) {
    if (error instanceof TransactionPushError) return 'refused';
    if (!(error instanceof IndeterminateCommitError)) throw error;
    await new TxnRecoveryManager(
      () => w.sender,
      () => w.clock.now(),
    ).recover(error.record);
    await push();
    return 'recovered';
  }
}

describe('parallel commits, heartbeats', () => {
  it('go on while the record is STAGING: a write blocked past the liveness threshold does not let a pusher recover a live transaction', async () => {
    const w = world();
    const setting = new ParallelCommits();
    let unblock: (() => void) | undefined;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const sender = new StagingSender(w.sender, {
      // The in-flight write waits (on a lock, a slow range) while the record is STAGING.
      writes: async (part: BatchRequest) => (await blocked, part),
    });
    const txn = new Txn(sender, { ...w.deps, parallelCommits: setting }, { name: 'blocked' });
    await txn.put(enc('a'), enc('anchor'));
    const commit = txn.commit([putRequest(enc('b'), enc('2'))]);
    let committed = false;
    void commit.then(() => (committed = true));
    await flush();
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('STAGING');
    const beatsBefore = txn.interceptors.heartbeater.heartbeatsSent;
    const livenessMs = Number(limits.txnLivenessThresholdNanos / 1_000_000n);
    await w.timers.advance(livenessMs + 1_000);
    expect(committed).toBe(false);
    // The record looks alive: the pusher waits instead of recovering (and aborting) it.
    expect(await pushToAbort(w, txn.transaction)).toBe('refused');
    expect(txn.interceptors.heartbeater.heartbeatsSent - beatsBefore).toBeGreaterThanOrEqual(livenessMs / 1_000);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('STAGING');
    unblock!();
    await w.timers.drive(commit);
    expect(txn.transaction.status).toBe('COMMITTED');
    await txn.interceptors.committer.explicitCommit;
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
    // The explicit commit ended the loop.
    expect(txn.interceptors.heartbeater.isRunning).toBe(false);
    const beatsAfter = txn.interceptors.heartbeater.heartbeatsSent;
    await w.timers.advance(5_000);
    expect(txn.interceptors.heartbeater.heartbeatsSent).toBe(beatsAfter);
    expect(w.timers.pendingCount).toBe(0);
  });

  it('stop after a parallel commit whose writes were all in its committing batch, once it is explicit', async () => {
    const w = world();
    const setting = new ParallelCommits();
    const sender = new StagingSender(w.sender);
    const txn = new Txn(sender, { ...w.deps, parallelCommits: setting }, { name: 'only-commit' });
    await txn.commit([putRequest(enc('a'), enc('1')), putRequest(enc('b'), enc('2'))]);
    expect(sender.stagings).toBe(1);
    await txn.interceptors.committer.explicitCommit;
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
    expect(txn.interceptors.heartbeater.isRunning).toBe(false);
    expect(w.timers.pendingCount).toBe(0);
  });
});

describe('parallel commits, commit wait', () => {
  const uncertaintyNanos = 5_000_000n;

  /** A strict serializable commit of `a` (before) and `b`, `c` (committing); when each thing happened. */
  async function strictCommit(w: World, pushFirstAttempt: boolean) {
    const staging = new StagingSender(w.sender, {
      writes: (part, attempt) => (pushFirstAttempt && attempt === 1 ? bumpedBy(part, addNanos(part.header.txn!.writeTimestamp, millis(1))) : part),
    });
    let explicitSentAtNanos: bigint | undefined;
    const sender = {
      send: ((batch) => {
        const last = batch.requests.at(-1);
        if (last?.kind === 'endTxn' && last.commit && last.inFlightWrites.length === 0) explicitSentAtNanos ??= w.manual.nowNanos();
        return staging.send(batch);
      }) as typeof staging.send,
    };
    const txn = new Txn(sender, { ...w.deps, parallelCommits: new ParallelCommits() }, { name: 'strict', strictSerializable: true });
    await txn.put(enc('a'), enc('anchor'));
    await w.timers.drive(txn.commit([putRequest(enc('b'), enc('2')), putRequest(enc('c'), enc('3'))]));
    const ackedAtNanos = w.manual.nowNanos();
    await txn.interceptors.committer.explicitCommit;
    return { txn, staging, explicitSentAtNanos: explicitSentAtNanos!, ackedAtNanos };
  }

  it('sets the explicit commit going before it waits, and acknowledges only after commitTs + U', async () => {
    const w = world(uncertaintyNanos);
    const { txn, staging, explicitSentAtNanos, ackedAtNanos } = await strictCommit(w, false);
    expect(staging.stagings).toBe(1);
    const commitTs = txn.transaction.writeTimestamp;
    const record = readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id);
    expect(record?.status).toBe('COMMITTED');
    expect(compare(record!.writeTimestamp, commitTs)).toBe(0);
    // The STAGING record is not held up by the wait…
    expect(explicitSentAtNanos <= commitTs.wallNanos + uncertaintyNanos).toBe(true);
    // …while the client is acknowledged only once every clock within the bound passed commitTs.
    expect(ackedAtNanos > commitTs.wallNanos + uncertaintyNanos).toBe(true);
    expect(txn.lastCommitWaitNanos).toBeGreaterThan(0n);
  });

  it('waits on the commit timestamp of the attempt that committed, not on a pushed staging attempt', async () => {
    const w = world(uncertaintyNanos);
    const startTs = w.clock.now();
    const { txn, staging, ackedAtNanos } = await strictCommit(w, true);
    expect(staging.stagings).toBe(2);
    const commitTs = txn.transaction.writeTimestamp;
    expect(compare(commitTs, addNanos(startTs, millis(1)))).toBeGreaterThanOrEqual(0);
    expect(compare(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)!.writeTimestamp, commitTs)).toBe(0);
    expect(ackedAtNanos > commitTs.wallNanos + uncertaintyNanos).toBe(true);
  });
});

describe('parallel commits, asyncCommitsMax', () => {
  /** A world whose explicit commits wait at the wire until `release()`. */
  function gatedWorld(asyncCommitsMax: number) {
    const w = world();
    const setting = new ParallelCommits(true, asyncCommitsMax);
    const staging = new StagingSender(w.sender);
    const gates: (() => void)[] = [];
    const sender = {
      send: (async (batch) => {
        const last = batch.requests.at(-1);
        if (last?.kind === 'endTxn' && last.commit && last.inFlightWrites.length === 0) await new Promise<void>((resolve) => gates.push(resolve));
        return staging.send(batch);
      }) as typeof staging.send,
    };
    let n = 0;
    /** Commits a transaction writing two keys of its own; whether its commit was answered. */
    const commit = async (): Promise<{ readonly txn: Txn; readonly answered: () => boolean }> => {
      const id = n++;
      const txn = new Txn(sender, { ...w.deps, parallelCommits: setting }, { name: `t${id}` });
      let answered = false;
      void txn.commit([putRequest(enc(`k${id}/1`), enc('1')), putRequest(enc(`k${id}/2`), enc('2'))]).then(() => (answered = true));
      await flush();
      return { txn, answered: () => answered };
    };
    const releaseOne = async (): Promise<void> => {
      gates.shift()!();
      await flush();
    };
    return { setting, commit, releaseOne, gates };
  }

  it('answers asyncCommitsMax commits before their explicit commits, and makes the next one explicit first', async () => {
    const max = 3;
    const g = gatedWorld(max);
    const commits = [];
    for (let i = 0; i < max; i++) commits.push(await g.commit());
    expect(commits.map((c) => c.answered())).toEqual([true, true, true]);
    expect(g.setting.asyncCommitsInFlight).toBe(max);
    expect(g.setting.syncCommits).toBe(0);
    // One past the cap: its explicit commit is made before it is answered.
    const over = await g.commit();
    expect(over.answered()).toBe(false);
    expect(g.setting.syncCommits).toBe(1);
    expect(g.setting.asyncCommitsInFlight).toBe(max);
    // Its own explicit commit is the last gate: releasing the oldest does not answer it.
    await g.releaseOne();
    expect(over.answered()).toBe(false);
    // A synchronous explicit commit in flight takes none of the asynchronous slots: one freed,
    // the next commit is answered at once.
    const next = await g.commit();
    expect(next.answered()).toBe(true);
    expect(g.setting.asyncCommitsInFlight).toBe(max);
    while (g.gates.length > 0) await g.releaseOne();
    expect(over.answered()).toBe(true);
    expect(g.setting.asyncCommitsInFlight).toBe(0);
    expect(g.setting.failedCommits).toBe(0);
  });

  it('with asyncCommitsMax 0, makes every commit explicit before answering it', async () => {
    const g = gatedWorld(0);
    const only = await g.commit();
    expect(only.answered()).toBe(false);
    expect(g.setting.syncCommits).toBe(1);
    expect(g.setting.asyncCommitsInFlight).toBe(0);
    await g.releaseOne();
    expect(only.answered()).toBe(true);
  });
});
