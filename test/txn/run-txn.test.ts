/**
 * `runTxn`: ambiguous results pass through unchanged, aborted transactions start anew, the
 * attempt bound and the restart timestamps.
 */
import { describe, expect, it } from 'vitest';
import { less, type Timestamp } from '../../clock/index.js';
import { AmbiguousResultError, TransactionAbortedError, TransactionRetryError, type Sender } from '../../kv/api/index.js';
import { runTxn } from '../../txn/index.js';
import { enc, world } from './harness.js';

describe('runTxn', () => {
  it('passes an AmbiguousResultError through unchanged and does not retry', async () => {
    const w = world();
    const ambiguous = new AmbiguousResultError('connection lost during commit');
    const lossy: Sender = {
      send: (batch) => (batch.requests.some((r) => r.kind === 'endTxn') ? Promise.reject(ambiguous) : w.sender.send(batch)),
    };
    let calls = 0;
    const run = runTxn(lossy, w.deps, async (txn) => {
      calls++;
      await txn.put(enc('a'), enc('1'));
    });
    await expect(w.timers.drive(run)).rejects.toBe(ambiguous);
    expect(calls).toBe(1);
  });

  it('starts a new transaction after a TransactionAbortedError', async () => {
    const w = world();
    let failed = false;
    const aborting: Sender = {
      send: (batch) => {
        if (!failed && batch.requests[0]?.kind === 'put') {
          failed = true;
          return Promise.reject(new TransactionAbortedError('ABORT_REASON_ABORTED_RECORD_FOUND', batch.header.txn?.id));
        }
        return w.sender.send(batch);
      },
    };
    const ids: string[] = [];
    await w.timers.drive(
      runTxn(aborting, w.deps, async (txn) => {
        ids.push(txn.transaction.id);
        await txn.put(enc('a'), enc('1'));
      }),
    );
    expect(ids.length).toBe(2);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('gives up after attemptsMax attempts with the last retryable error', async () => {
    const w = world();
    let calls = 0;
    const attempts: { id: string; epoch: number; readTimestamp: Timestamp }[] = [];
    const run = runTxn(
      w.sender,
      w.deps,
      (txn) => {
        calls++;
        attempts.push({ id: txn.transaction.id, epoch: txn.transaction.epoch, readTimestamp: txn.transaction.readTimestamp });
        return Promise.reject(new TransactionRetryError('RETRY_SERIALIZABLE', 'test'));
      },
      { attemptsMax: 3 },
    );
    await expect(w.timers.drive(run)).rejects.toBeInstanceOf(TransactionRetryError);
    expect(calls).toBe(3);
    expect(attempts.map((a) => a.epoch)).toEqual([0, 1, 2]);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    // No push was known, so each epoch starts at the clock's now, after the backoff: later each time.
    expect(less(attempts[0]!.readTimestamp, attempts[1]!.readTimestamp) && less(attempts[1]!.readTimestamp, attempts[2]!.readTimestamp)).toBe(true);
  });
});
