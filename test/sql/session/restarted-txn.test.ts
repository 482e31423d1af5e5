/**
 * `restartedTxn` (sql/session/transaction.ts): what a retried SQL transaction keeps of the one it
 * replaces. An aborted transaction is replaced by a new one, which must keep being implicit (its
 * INSERTs' fresh rowid keys then still ride with the commit, one phase — review N2 of session
 * 12: the replacement had dropped the option), read-only and its fixed timestamp; any other
 * retryable error restarts the same transaction in a new epoch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TransactionAbortedError, WriteTooOldError } from '../../../kv/api/index.js';
import { restartedTxn } from '../../../sql/session/transaction.js';
import { newTxn, openTestKv, type TestKv } from '../../kv/isolation/harness.js';

describe('restartedTxn', () => {
  let t: TestKv | undefined;
  afterEach(async () => {
    await t?.kv.close();
    t = undefined;
  });

  it('replaces an aborted implicit transaction by an implicit one, and an explicit one by an explicit one', async () => {
    t = await openTestKv();
    for (const implicit of [true, false]) {
      const txn = newTxn(t, implicit ? { implicit: true } : {});
      const next = restartedTxn(txn, new TransactionAbortedError('ABORT_REASON_ABORTED_RECORD_FOUND', txn.transaction.id), t.kv.sender, t.kv.txnDeps, false);
      expect(next).not.toBe(txn);
      expect(next.transaction.id).not.toBe(txn.transaction.id);
      expect(next.implicit).toBe(implicit);
    }
  });

  it('keeps a read-only transaction read-only', async () => {
    t = await openTestKv();
    const txn = newTxn(t, { implicit: true, readOnly: true });
    const next = restartedTxn(txn, new TransactionAbortedError('ABORT_REASON_ABORTED_RECORD_FOUND', txn.transaction.id), t.kv.sender, t.kv.txnDeps, false);
    expect(next.txnOptions.readOnly).toBe(true);
    expect(next.implicit).toBe(true);
  });

  it('restarts the same transaction in a new epoch on another retryable error', async () => {
    t = await openTestKv();
    const txn = newTxn(t, { implicit: true });
    const epoch = txn.transaction.epoch;
    const next = restartedTxn(txn, new WriteTooOldError(new Uint8Array([1]), txn.transaction.readTimestamp, txn.transaction.writeTimestamp), t.kv.sender, t.kv.txnDeps, false);
    expect(next).toBe(txn);
    expect(next.transaction.epoch).toBe(epoch + 1);
    expect(next.implicit).toBe(true);
  });
});
