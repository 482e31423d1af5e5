/**
 * Parallel commits over the real KV server (three ranges): a multi-range commit whose writes and
 * STAGING record go out together, the asynchronous explicit commit, a write pushed above the
 * staging timestamp (not implicitly committed: refresh and re-stage), and transaction recovery
 * of a coordinator that died after staging — committed when every in-flight write landed,
 * aborted when one was prevented (and the prevented write, arriving late, lands above the
 * staging timestamp). A rollback that meets a STAGING record recovers it first: it never aborts
 * an implicitly committed transaction. The wall clock is jumped past the liveness threshold
 * instead of waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { less } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, endTxnRequest, putRequest, span, TransactionStatusError, type BatchResponse, type EndTxnRequest, type Transaction } from '../../../kv/api/index.js';
import { readTxnRecord } from '../../../kv/eval/index.js';
import { readIntent } from '../../../kv/storage/mvcc/visibility.js';
import { limits } from '../../../src/base/limits.js';
import { realEnv } from '../../../src/env/real.js';
import { ParallelCommits, Txn, type TxnDeps } from '../../../txn/index.js';
import { enc, JumpClock, newTxn, openTestKv, readNow, rowKey, rowKeyString, seed, settle, stillPendingAfter, tableState, type TestKv } from './harness.js';

const pastLiveness = limits.txnLivenessThresholdNanos + 1_000_000_000n;

/** The transaction's record as the store has it now. */
function record(t: TestKv, txn: Transaction): Transaction | undefined {
  return readTxnRecord(t.engine, txn.key, txn.id);
}

/** The coordinator's rollback (EndTxn, commit=false) of the transaction `staged` was staged for. */
function sendRollback(t: TestKv, staged: Transaction): Promise<BatchResponse<readonly [EndTxnRequest]>> {
  const txn: Transaction = { ...staged, status: 'PENDING', inFlightWrites: [] };
  const now = t.kv.txnDeps.clock.now();
  return t.kv.sender.send(batchRequest(batchHeader({ timestamp: txn.readTimestamp, txn, now }), [endTxnRequest({ key: txn.key, commit: false, lockSpans: staged.lockSpans })] as const));
}

/**
 * Writes rows 1 and 2 at sequences 1 and 2 and stages a commit naming `inFlight` (row → sequence)
 * as in flight, by hand; then the coordinator "dies" (no heartbeat, no explicit commit).
 */
async function stageAndDie(t: TestKv, inFlight: readonly [number, number][]): Promise<Transaction> {
  const txn = newTxn(t, { name: 'dies', priority: 0x7fff_ffff });
  await txn.put(rowKey(1), enc('staged'));
  await txn.put(rowKey(2), enc('staged'));
  txn.abandon();
  const proto = txn.transaction;
  const lockSpans = inFlight.map(([id]) => span(rowKey(id)));
  const inFlightWrites = inFlight.map(([id, sequence]) => ({ key: rowKey(id), sequence }));
  const now = t.kv.txnDeps.clock.now();
  const response = await t.kv.sender.send(batchRequest(batchHeader({ timestamp: proto.readTimestamp, txn: proto, now }), [endTxnRequest({ key: proto.key, commit: true, lockSpans, inFlightWrites })] as const));
  const staged = response.responses[0].txn;
  expect(staged.status).toBe('STAGING');
  return staged;
}

/** Rows 1, 2 and 3's values, in order (the table the tests seed). */
async function rows(t: TestKv): Promise<(string | undefined)[]> {
  const state = await tableState(t);
  expect(state.size).toBe(3);
  return [1, 2, 3].map((id) => state.get(rowKeyString(id)));
}

describe('parallel commits', () => {
  let t: TestKv;
  let clock: JumpClock;
  let deps: TxnDeps;
  let setting: ParallelCommits;
  beforeEach(async () => {
    clock = new JumpClock(realEnv().clock);
    t = await openTestKv({ clock });
    await seed(t, { 1: '10', 2: '20', 3: '30' });
    setting = new ParallelCommits();
    deps = { ...t.kv.txnDeps, parallelCommits: setting };
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('a commit over three ranges is answered after the staging round and made explicit asynchronously', async () => {
    const sent: string[] = [];
    const wire = t.kv.sender;
    // The EndTxns that reach the wire: the STAGING one with its in-flight writes, then the explicit commit.
    const spied = { send: (batch: Parameters<typeof wire.send>[0]) => (batch.requests.forEach((r) => r.kind === 'endTxn' && sent.push(r.inFlightWrites.length > 0 ? 'staging' : 'explicit')), wire.send(batch)) };
    const txn = new Txn(spied as typeof wire, deps, { name: 'parallel' });
    await txn.put(rowKey(1), enc('p1'));
    await txn.batch([putRequest(rowKey(2), enc('p2'))]);
    await txn.commit([putRequest(rowKey(3), enc('p3'))]);
    expect(txn.transaction.status).toBe('COMMITTED');
    await txn.interceptors.committer.explicitCommit;
    expect(record(t, txn.transaction)?.status).toBe('COMMITTED');
    expect(sent).toEqual(['staging', 'explicit']);
    expect(setting.failedCommits).toBe(0);
    expect(setting.asyncCommitsInFlight).toBe(0);
    expect(await rows(t)).toEqual(['p1', 'p2', 'p3']);
  });

  it('a single-range commit stays one-phase: its in-flight writes ride with the record and are stripped', async () => {
    const txn = new Txn(t.kv.sender, deps, { name: 'one-range' });
    await txn.commit([putRequest(rowKey(1), enc('a')), putRequest(rowKey(4), enc('b'))]);
    expect(txn.transaction.status).toBe('COMMITTED');
    expect(txn.interceptors.committer.explicitCommit).toBeUndefined();
    expect(record(t, txn.transaction)).toBeUndefined();
    expect(await readNow(t.kv.sender, deps, rowKey(4))).toBe('b');
  });

  it('a write pushed above the staging timestamp is not implicitly committed: the transaction refreshes and stages again', async () => {
    const txn = new Txn(t.kv.sender, deps, { name: 'pushed' });
    await txn.put(rowKey(1), enc('pushed'));
    // A read of row 2 above the transaction's timestamp: its write there lands above it.
    const readAt = t.kv.txnDeps.clock.now();
    expect(await readNow(t.kv.sender, deps, rowKey(2))).toBe('20');
    expect(less(txn.transaction.writeTimestamp, readAt)).toBe(true);
    await txn.commit([putRequest(rowKey(2), enc('pushed'))]);
    expect(txn.transaction.status).toBe('COMMITTED');
    expect(txn.interceptors.spanRefresher.refreshes).toBeGreaterThanOrEqual(1);
    expect(less(readAt, txn.transaction.writeTimestamp)).toBe(true);
    await txn.interceptors.committer.explicitCommit;
    const final = record(t, txn.transaction);
    expect(final?.status).toBe('COMMITTED');
    expect(less(readAt, final!.writeTimestamp)).toBe(true);
    expect(await readNow(t.kv.sender, deps, rowKey(2))).toBe('pushed');
  });

  it('a coordinator that dies after staging, every write landed: a reader waits while it looks alive, then recovery commits it', async () => {
    const staged = await stageAndDie(t, [
      [1, 1],
      [2, 2],
    ]);
    const reader = settle(readNow(t.kv.sender, deps, rowKey(2)));
    expect(await stillPendingAfter(t.env, reader, 300), 'a reader waits for a live STAGING transaction').toBe(true);
    clock.jump(pastLiveness);
    expect(await stillPendingAfter(t.env, reader, 5000), 'recovery lets the reader through').toBe(false);
    expect(await reader).toEqual({ status: 'fulfilled', value: 'staged' });
    expect(record(t, staged)?.status).toBe('COMMITTED');
    expect(record(t, staged)?.writeTimestamp).toEqual(staged.writeTimestamp);
    expect(await rows(t)).toEqual(['staged', 'staged', '30']);
  });

  it('a coordinator that dies after staging, one write missing: recovery prevents it and aborts; the write arriving late lands above the staging timestamp', async () => {
    const staged = await stageAndDie(t, [
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    clock.jump(pastLiveness);
    expect(await readNow(t.kv.sender, deps, rowKey(1))).toBe('10');
    expect(record(t, staged)?.status).toBe('ABORTED');
    expect(await rows(t)).toEqual(['10', '20', '30']);
    // The in-flight write arrives after all: the timestamp cache puts it above the staging
    // timestamp, so it could never have completed the implicit commit.
    const late = await settle(t.kv.sender.send(batchRequest(batchHeader({ timestamp: staged.readTimestamp, txn: { ...staged, status: 'PENDING', inFlightWrites: [] }, now: t.kv.txnDeps.clock.now() }), [putRequest(rowKey(3), enc('late'), { sequence: 3 })] as const)));
    expect(late.status).toBe('fulfilled');
    if (late.status === 'fulfilled') expect(less(staged.writeTimestamp, late.value.header.txn!.writeTimestamp)).toBe(true);
    const intent = readIntent(t.engine, rowKey(3));
    expect(intent?.txn.id).toBe(staged.id);
    expect(less(staged.writeTimestamp, intent!.txn.writeTimestamp)).toBe(true);
  });

  // CockroachDB #48301: a rollback is no claim that the transaction is not implicitly committed
  // (a client that timed out or cancelled gave up before it heard its commit's outcome).
  it('a rollback that finds the record STAGING with every write landed does not abort it: recovery commits it and the rollback is refused', async () => {
    const staged = await stageAndDie(t, [
      [1, 1],
      [2, 2],
    ]);
    const rollback = await settle(sendRollback(t, staged));
    expect(rollback.status).toBe('rejected');
    if (rollback.status === 'rejected') {
      expect(rollback.error).toBeInstanceOf(TransactionStatusError);
      expect((rollback.error as TransactionStatusError).status).toBe('COMMITTED');
    }
    expect(record(t, staged)?.status).toBe('COMMITTED');
    expect(record(t, staged)?.writeTimestamp).toEqual(staged.writeTimestamp);
    expect(await rows(t)).toEqual(['staged', 'staged', '30']);
  });

  it('a rollback that finds the record STAGING with a write missing aborts it, after recovery prevented the write', async () => {
    const staged = await stageAndDie(t, [
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const response = await sendRollback(t, staged);
    expect(response.responses[0].txn.status).toBe('ABORTED');
    expect(record(t, staged)?.status).toBe('ABORTED');
    expect(await rows(t)).toEqual(['10', '20', '30']);
  });
});
