/**
 * Parallel commits on manual time (the findings of the review after they landed, one regression
 * test each):
 * - a re-staged commit is judged implicitly committed write by write, not from the merged header
 *   the timestamp cache raised;
 */
import { describe, expect, it } from 'vitest';
import { addNanos, compare, lessEq } from '../../clock/timestamp.js';
import { putRequest, type Transaction } from '../../kv/api/index.js';
import { readTxnRecord } from '../../kv/eval/index.js';
import { TxnRecoveryManager } from '../../kv/replica/txn-recovery.js';
import { readIntent } from '../../kv/storage/mvcc/visibility.js';
import { ParallelCommits, Txn } from '../../txn/index.js';
import { enc, world } from './harness.js';
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
