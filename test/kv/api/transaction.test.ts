/** The Transaction record: its invariants, final statuses, and the MVCC views it projects. */
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { batchHeader, isFinalized, mvccTxn, transaction, transactionStatuses, txnMeta, updateTransaction, withHeader } from '../../../kv/api/index.js';
import { enc, txnA } from './fixtures.js';

describe('Transaction', () => {
  it('is frozen and projects the MVCC TxnMeta and read view', () => {
    expect(Object.isFrozen(txnA)).toBe(true);
    expect(txnMeta(txnA)).toEqual({ id: txnA.id, key: txnA.key, epoch: 0, writeTimestamp: timestamp(20n), minTimestamp: timestamp(10n), priority: 5, sequence: 3 });
    const view = mvccTxn({ ...txnA, ignoredSequences: [{ start: 1, end: 2 }] });
    expect(view.readTimestamp).toEqual(timestamp(10n));
    expect(view.ignoredSequences).toEqual([{ start: 1, end: 2 }]);
    expect(view.meta.id).toBe(txnA.id);
  });

  it('finalizes only COMMITTED and ABORTED', () => {
    expect(transactionStatuses.filter(isFinalized)).toEqual(['COMMITTED', 'ABORTED']);
  });

  it.each([
    ['minTimestamp must be ≤ readTimestamp', { minTimestamp: timestamp(11n) }],
    ['readTimestamp must be ≤ writeTimestamp', { readTimestamp: timestamp(21n) }],
    ['globalUncertaintyLimit must be ≥ minTimestamp', { globalUncertaintyLimit: timestamp(9n) }],
    ['epoch must be a non-negative integer', { epoch: -1 }],
    ['sequence must be a non-negative integer', { sequence: 1.5 }],
    ['start ≤ end', { ignoredSequences: [{ start: 3, end: 2 }] }],
    ['sorted and disjoint', { ignoredSequences: [{ start: 1, end: 4 }, { start: 4, end: 6 }] }],
  ] as const)('asserts: %s', (message, change) => {
    expect(() => transaction({ ...txnA, ...change })).toThrow(message);
  });

  it('accepts a pushed transaction (write timestamp above the read timestamp)', () => {
    const pushed = transaction({ ...txnA, writeTimestamp: timestamp(99n), key: enc('k') });
    expect(pushed.writeTimestamp).toEqual(timestamp(99n));
  });

  it('updates a proto field by field: changed fields win, zeros included; the rest is kept; the result is frozen and checked', () => {
    const updated = updateTransaction(txnA, { status: 'COMMITTED', sequence: 0, epoch: 0, lockSpans: [] });
    expect(updated).toEqual({ ...txnA, status: 'COMMITTED', sequence: 0, epoch: 0, lockSpans: [] });
    expect(Object.keys(updated).sort()).toEqual(Object.keys(txnA).sort());
    expect(Object.isFrozen(updated)).toBe(true);
    expect(updateTransaction({ ...txnA, sequence: 7 }, { epoch: 2 }).sequence).toBe(7);
    expect(() => updateTransaction(txnA, { readTimestamp: timestamp(10_000n) })).toThrow('readTimestamp must be ≤ writeTimestamp');
  });
});

describe('withHeader', () => {
  it('replaces the fields named, even with undefined, and keeps the others', () => {
    const header = batchHeader({ timestamp: timestamp(5n), txn: txnA, waitPolicy: 'error', maxSpanRequestKeys: 3 });
    const cleared = withHeader(header, { txn: undefined, timestamp: timestamp(9n) });
    expect(cleared).toEqual({ ...header, txn: undefined, timestamp: timestamp(9n) });
    expect(Object.isFrozen(cleared)).toBe(true);
    expect(withHeader(header, {})).toEqual(header);
  });
});
