/**
 * A historical transaction (`TxnOptions.fixedTimestamp`, SQL's AS OF SYSTEM TIME) against the
 * real one-range sender: it reads the versions as of its timestamp, has no uncertainty interval
 * (a value just above it is its future, not a restart), refuses writes and locking reads with
 * 25006 before anything is sent, keeps its timestamp across a restart, and commits without a
 * request.
 */
import { describe, expect, it } from 'vitest';
import { getRequest, scanRequest } from '../../kv/api/index.js';
import { ReadOnlyTransactionError, Txn, runTxn } from '../../txn/index.js';
import { dec, enc, startNanos, ts, world } from './harness.js';

describe('a fixed-timestamp transaction', () => {
  it('reads what was committed at its timestamp, not what came after', async () => {
    const w = world();
    await w.sender.putAt('a', 'old', ts(startNanos - 3_000n));
    await w.sender.putAt('a', 'new', ts(startNanos - 1_000n));
    await w.sender.putAt('b', 'later', ts(startNanos - 1_000n));
    const txn = new Txn(w.sender, w.deps, { fixedTimestamp: ts(startNanos - 2_000n) });
    expect(dec(await txn.get(enc('a')))).toBe('old');
    expect((await txn.scan(enc('a'), enc('z'))).map((row) => dec(row.key))).toEqual(['a']);
    expect(txn.transaction.readTimestamp).toEqual(ts(startNanos - 2_000n));
    expect(txn.transaction.minTimestamp).toEqual(ts(startNanos - 2_000n));
    const sent = w.sender.batches.length;
    await txn.commit();
    expect(w.sender.batches.length).toBe(sent); // a read-only commit sends nothing
    expect(txn.transaction.status).toBe('COMMITTED');
  });

  it('has no uncertainty interval: a value right above its timestamp, within the max offset, is simply not seen', async () => {
    const w = world(5_000_000n);
    const at = ts(startNanos - 10_000n);
    await w.sender.putAt('a', 'before', ts(startNanos - 20_000n));
    await w.sender.putAt('a', 'just after', ts(startNanos - 9_000n));
    const txn = new Txn(w.sender, w.deps, { fixedTimestamp: at });
    expect(txn.transaction.globalUncertaintyLimit).toEqual(at);
    expect(dec(await txn.get(enc('a')))).toBe('before'); // a normal transaction at `at` would restart (ReadWithinUncertaintyInterval)
    expect(txn.transaction.readTimestamp).toEqual(at);
  });

  it('refuses writes and locking reads with 25006, sending nothing', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps, { fixedTimestamp: ts(startNanos - 1n) });
    expect(txn.isReadOnly).toBe(true);
    await expect(txn.put(enc('a'), enc('1'))).rejects.toThrow(ReadOnlyTransactionError);
    await expect(txn.batch([getRequest(enc('a'), 'exclusive')])).rejects.toMatchObject({ sqlState: '25006', message: 'cannot execute a locking read in a read-only transaction' });
    await expect(txn.delete(enc('a'))).rejects.toMatchObject({ sqlState: '25006', message: 'cannot execute a delete request in a read-only transaction' });
    expect(w.sender.batches).toEqual([]);
    await txn.batch([scanRequest(enc('a'), enc('z'))]); // plain reads go on
    await txn.rollback();
  });

  it('keeps its timestamp across a restart, and runTxn restarts it at the same one', async () => {
    const w = world();
    const at = ts(startNanos - 5n);
    const txn = new Txn(w.sender, w.deps, { fixedTimestamp: at });
    txn.restartEpoch(ts(startNanos + 1_000_000n));
    expect(txn.transaction.epoch).toBe(1);
    expect(txn.transaction.readTimestamp).toEqual(at);
    expect(txn.transaction.writeTimestamp).toEqual(at);
    const seen: bigint[] = [];
    await runTxn(
      w.sender,
      w.deps,
      async (t) => {
        seen.push(t.transaction.readTimestamp.wallNanos);
        await t.get(enc('a'));
      },
      { fixedTimestamp: at },
    );
    expect(seen).toEqual([at.wallNanos]);
  });
});
