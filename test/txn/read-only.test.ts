/**
 * A read-only transaction at the clock's now (`TxnOptions.readOnly`, `Txn.setReadOnly`; SQL's
 * BEGIN READ ONLY / SET TRANSACTION READ ONLY): the coordinator refuses its writes and locking
 * reads with 25006 before anything is sent, as for a fixed timestamp; what it wrote before it
 * became read-only still commits, and its mode survives a restart as a new transaction.
 */
import { describe, expect, it } from 'vitest';
import { getRequest } from '../../kv/api/index.js';
import { ReadOnlyTransactionError, Txn } from '../../txn/index.js';
import { dec, enc, world } from './harness.js';

describe('a READ ONLY transaction', () => {
  it('refuses writes and locking reads with 25006, sending nothing; reads go on', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps, { readOnly: true });
    expect(txn.isReadOnly).toBe(true);
    expect(txn.fixedTimestamp).toBeUndefined();
    await expect(txn.put(enc('a'), enc('1'))).rejects.toThrow(ReadOnlyTransactionError);
    await expect(txn.batch([getRequest(enc('a'), 'exclusive')])).rejects.toMatchObject({ sqlState: '25006', message: 'cannot execute a locking read in a read-only transaction' });
    expect(w.sender.batches).toEqual([]);
    expect(await txn.get(enc('a'))).toBeUndefined();
    await txn.commit();
  });

  it('becomes read-only while it runs: its earlier write commits, a later one is refused', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    txn.setReadOnly(true);
    expect(txn.txnOptions.readOnly).toBe(true); // what a restart as a new transaction keeps
    await expect(txn.put(enc('b'), enc('2'))).rejects.toMatchObject({ sqlState: '25006' });
    await txn.commit();
    const reader = new Txn(w.sender, w.deps);
    expect(dec(await reader.get(enc('a')))).toBe('1');
    expect(await reader.get(enc('b'))).toBeUndefined();
    await reader.commit();
  });

  it('goes back to read-write with setReadOnly(false)', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps, { readOnly: true });
    txn.setReadOnly(false);
    expect(txn.isReadOnly).toBe(false);
    await txn.put(enc('a'), enc('1'));
    await txn.commit();
  });
});
