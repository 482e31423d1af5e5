/**
 * The heartbeater on manual time: heartbeats only after the first write, at the interval,
 * stopped at commit; an old transaction's record created before its first lock; a record aborted
 * by a pusher; one loop across a restart.
 */
import { describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, getRequest, pushTxnRequest, putRequest, txnMeta, TransactionAbortedError, TransactionRetryError, type BatchRequest, type BatchResponse, type Request, type Sender } from '../../kv/api/index.js';
import { readTxnRecord } from '../../kv/eval/index.js';
import { limits } from '../../src/base/limits.js';
import { Txn } from '../../txn/index.js';
import { enc, flush, world } from './harness.js';

describe('heartbeater', () => {
  it('heartbeats every interval only after the first write, and stops at commit', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const heartbeats = (): number => w.sender.kinds().filter((k) => k === 'heartbeatTxn').length;
    await txn.get(enc('a'));
    await w.timers.advance(2_000);
    expect(heartbeats()).toBe(0);
    await txn.put(enc('a'), enc('1'));
    await w.timers.advance(999);
    expect(heartbeats()).toBe(0);
    await w.timers.advance(1);
    expect(heartbeats()).toBe(1);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('PENDING');
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(2);
    await txn.commit();
    await w.timers.advance(5_000);
    expect(heartbeats()).toBe(2);
    expect(w.timers.pendingCount).toBe(0);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
  });
});

describe('heartbeater, a transaction past half the liveness threshold at its first lock', () => {
  it('creates the record with one heartbeat before the locking batch leaves, then beats every interval', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const kinds = (): string[] => w.sender.kinds().filter((k) => k === 'heartbeatTxn' || k === 'put' || k === 'get');
    await txn.get(enc('a'));
    await w.timers.advance(Number(limits.txnLivenessThresholdNanos / 2_000_000n) + 1);
    await txn.put(enc('a'), enc('1'));
    // The record exists before the intent: a pusher meeting the intent finds it, alive.
    expect(kinds()).toEqual(['get', 'heartbeatTxn', 'put']);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('PENDING');
    await w.timers.advance(1_000);
    expect(kinds().filter((k) => k === 'heartbeatTxn')).toHaveLength(2);
    await txn.commit();
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
  });
});

describe('heartbeater, aborted by a pusher', () => {
  it('stops when a heartbeat finds the record ABORTED and fails the next batch with TransactionAbortedError', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await w.timers.advance(1_000);
    const now = w.clock.now();
    const push = pushTxnRequest({ pusher: undefined, pushee: txnMeta(txn.transaction), pushTo: now, pushType: 'abort', force: true });
    await w.sender.send(batchRequest(batchHeader({ timestamp: now }), [push]));
    await w.timers.advance(1_000);
    expect(txn.interceptors.heartbeater.heartbeatsSent).toBe(2);
    expect(txn.interceptors.heartbeater.isRunning).toBe(false);
    const sent = w.sender.batches.length;
    await expect(txn.put(enc('b'), enc('2'))).rejects.toBeInstanceOf(TransactionAbortedError);
    expect(w.sender.batches.length).toBe(sent);
    expect(txn.isFinished).toBe(true);
  });
});

describe('heartbeater, restarted', () => {
  it('runs one loop after a failed commit and a restart, even with a heartbeat in flight across them', async () => {
    const w = world();
    let release: (() => void) | undefined;
    let failCommit = true;
    let heartbeatsSeen = 0;
    const slow: Sender = {
      send: async <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        const kind = batch.requests.at(-1)?.kind;
        // The second heartbeat is held (the first created the record, so a commit need not wait for it).
        if (kind === 'heartbeatTxn' && ++heartbeatsSeen === 2) await new Promise<void>((resolve) => (release = resolve));
        if (kind === 'endTxn' && failCommit) {
          failCommit = false;
          throw new TransactionRetryError('RETRY_SERIALIZABLE', 'test');
        }
        return w.sender.send(batch);
      },
    };
    const txn = new Txn(slow, w.deps);
    const heartbeats = (): number => txn.interceptors.heartbeater.heartbeatsSent;
    await txn.put(enc('a'), enc('1'));
    await w.timers.advance(1_000);
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(2); // in flight, held
    await expect(txn.commit()).rejects.toBeInstanceOf(TransactionRetryError);
    txn.restartEpoch(w.clock.now());
    await txn.put(enc('a'), enc('2'));
    release!();
    await flush();
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(3);
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(4);
    expect(w.timers.pendingCount).toBe(1);
  });
});

describe('heartbeater, racing a one-phase commit', () => {
  it('holds the commit until a heartbeat that may create the record has landed, so no stray PENDING record is left', async () => {
    const w = world();
    let release: (() => void) | undefined;
    const slow: Sender = {
      send: async <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        if (batch.requests.at(-1)?.kind === 'heartbeatTxn' && release === undefined) await new Promise<void>((resolve) => (release = resolve));
        return w.sender.send(batch);
      },
    };
    const txn = new Txn(slow, w.deps);
    // A locking read of a missing key starts the loop and anchors the record at 'a', locking nothing;
    // the only write rides in the commit: a one-phase commit, but for the heartbeat.
    await txn.batch([getRequest(enc('a'), 'exclusive')]);
    await w.timers.advance(1_000);
    expect(txn.interceptors.heartbeater.heartbeatsSent).toBe(1); // in flight, held before it reaches the range
    let committed = false;
    const committing = txn.commit([putRequest(enc('a'), enc('1'))]).then(() => (committed = true));
    await flush();
    expect(committed).toBe(false);
    release!();
    await committing;
    await flush();
    // The heartbeat created the record first; the commit then took the two-phase path and finalized it.
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
    expect(w.timers.pendingCount).toBe(0);
  });
});
