/** The Transaction record: its invariants, final statuses, and the MVCC views it projects. */
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { isFinalized, mvccTxn, transaction, transactionStatuses, txnMeta } from '../../../kv/api/index.js';
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
});
