/**
 * A conditional put under the `locked` write-buffer policy (txn/write-buffer.ts `lockAndHold`):
 * it goes down as an exclusive locking Get that locks its key even when the key is absent
 * (`lockNonExisting`), its condition is checked in the coordinator and its put is held for the
 * commit. On the three-range server: the lock on an absent key keeps a concurrent inserter of
 * the key off it until the holder ends, and the holder's end (commit or rollback) releases it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, getRequest, isRetryableError, type BatchRequest, type Sender } from '../../../kv/api/index.js';
import { runTxn, Txn, type TxnDeps } from '../../../txn/index.js';
import { dec, enc, openTestKv, readNow, rowKey, seed, settle, stillPendingAfter, tableEnd, tableStart, type TestKv } from './harness.js';

describe('a conditional put under the locked policy', () => {
  let t: TestKv;
  let deps: TxnDeps;
  beforeEach(async () => {
    t = await openTestKv();
    deps = { ...t.kv.txnDeps, writeBufferPolicy: 'locked' };
    await seed(t, { 1: '10', 2: '20' });
  });
  afterEach(async () => {
    await t.kv.close();
  });

  // Priorities fixed: a pusher of higher priority would abort the holder (as it would an intent's).
  const sql = (priority = 1_000): Txn => new Txn(t.kv.sender, deps, { priority });
  const holder = (): Txn => sql(0x7fff_ffff);
  const waiter = (): Txn => sql(1);

  it('locks the absent key: a second inserter waits for the first, then fails (never both committed)', async () => {
    const first = holder();
    await first.cput(rowKey(5), enc('first'), undefined);
    expect(first.interceptors.writeBuffer.size).toBe(1); // held for the commit
    const second = waiter();
    const inserting = settle(second.cput(rowKey(5), enc('second'), undefined).then(() => second.commit()));
    expect(await stillPendingAfter(t.env, inserting, 100)).toBe(true); // blocked on the lock of an absent key
    await first.commit();
    const outcome = await inserting;
    expect(outcome.status).toBe('rejected');
    if (outcome.status === 'rejected') expect(outcome.error instanceof ConditionFailedError || isRetryableError(outcome.error), String(outcome.error)).toBe(true);
    expect(await readNow(t.kv.sender, deps, rowKey(5))).toBe('first');
  });

  it('releases the lock of an absent key when the holder rolls back: the waiting inserter goes on and commits', async () => {
    const first = holder();
    await first.cput(rowKey(5), enc('first'), undefined);
    const second = waiter();
    const inserting = settle(second.cput(rowKey(5), enc('second'), undefined).then(() => second.commit()));
    expect(await stillPendingAfter(t.env, inserting, 100)).toBe(true);
    await first.rollback();
    expect((await inserting).status).toBe('fulfilled');
    expect(await readNow(t.kv.sender, deps, rowKey(5))).toBe('second');
  });

  it('fails with the server’s ConditionFailedError (the value found), and the transaction goes on', async () => {
    const txn = sql();
    const failed = await settle(txn.cput(rowKey(1), enc('x'), undefined));
    expect(failed.status).toBe('rejected');
    if (failed.status === 'rejected') {
      expect(failed.error).toBeInstanceOf(ConditionFailedError);
      expect(dec((failed.error as ConditionFailedError).actualValue)).toBe('10');
    }
    await txn.cput(rowKey(1), enc('11'), enc('10')); // the expected value: passes
    await txn.commit();
    expect(await readNow(t.kv.sender, deps, rowKey(1))).toBe('11');
  });

  it('the server path (policy `all`) raises the same error for the same condition', async () => {
    const txn = new Txn(t.kv.sender, t.kv.txnDeps);
    const failed = await settle(txn.cput(rowKey(1), enc('x'), undefined));
    expect(failed.status === 'rejected' && failed.error instanceof ConditionFailedError && dec(failed.error.actualValue) === '10').toBe(true);
    await txn.rollback();
  });

  it('sees the transaction’s own earlier intent, as the server’s check does', async () => {
    const txn = sql();
    await txn.put(rowKey(5), enc('mine')); // not locked: laid down as an intent now
    await expect(txn.cput(rowKey(5), enc('x'), undefined)).rejects.toBeInstanceOf(ConditionFailedError);
    await txn.cput(rowKey(5), enc('again'), enc('mine'));
    await txn.commit();
    expect(await readNow(t.kv.sender, deps, rowKey(5))).toBe('again');
  });

  it('concurrent read-then-cput increments on two ranges plus an insert each: no lost update, no failed condition', async () => {
    const clients = 6;
    const perClient = 8;
    let committed = 0;
    const increment = async (client: number, n: number): Promise<void> => {
      await runTxn(
        t.kv.sender,
        deps,
        async (txn) => {
          for (const id of [1, 2]) {
            const old = await txn.get(rowKey(id)); // a plain read; the cput's locking Get checks it still holds
            await txn.cput(rowKey(id), enc(String(Number(dec(old)) + 1)), old);
          }
          await txn.cput(rowKey(100 + client * perClient + n), enc('log'), undefined);
        },
        { name: `inc-${client}-${n}`, attemptsMax: 1_000 },
      );
      committed++;
    };
    await Promise.all(Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; n < perClient; n++) await increment(client, n);
    }));
    expect(committed).toBe(clients * perClient);
    expect(await readNow(t.kv.sender, deps, rowKey(1))).toBe(String(10 + committed));
    expect(await readNow(t.kv.sender, deps, rowKey(2))).toBe(String(20 + committed));
    const rows = await runTxn(t.kv.sender, t.kv.txnDeps, (txn) => txn.scan(tableStart, tableEnd));
    expect(rows.filter((row) => dec(row.value) === 'log')).toHaveLength(committed);
  });

  it('all the writes of a locked read-then-write transaction across ranges go with the commit, which stages (parallel commits)', async () => {
    const batches: BatchRequest[] = [];
    const recording: Sender = { send: (batch) => (batches.push(batch), t.kv.sender.send(batch)) } as Sender;
    const staged = t.kv.txnDeps.parallelCommits?.stagedCommits ?? 0;
    const txn = new Txn(recording, deps);
    await txn.batch([getRequest(rowKey(1), 'exclusive')]);
    await txn.put(rowKey(1), enc('11'));
    await txn.batch([getRequest(rowKey(2), 'exclusive')]);
    await txn.put(rowKey(2), enc('21'));
    await txn.cput(rowKey(6), enc('new'), undefined);
    const writers = batches.filter((b) => b.requests.some((r) => r.kind !== 'get'));
    expect(writers).toEqual([]); // nothing but locking Gets so far
    await txn.commit();
    const commits = batches.filter((b) => b.requests.at(-1)?.kind === 'endTxn').map((b) => b.requests.map((r) => r.kind).join(','));
    // Staged (again after a refresh if the closed timestamp pushed a write), then made explicit.
    expect(commits.at(-1)).toBe('endTxn');
    expect(new Set(commits.slice(0, -1))).toEqual(new Set(['put,put,put,endTxn']));
    expect(t.kv.txnDeps.parallelCommits!.stagedCommits).toBeGreaterThan(staged);
    for (const [id, value] of [[1, '11'], [2, '21'], [6, 'new']] as const) expect(await readNow(t.kv.sender, deps, rowKey(id))).toBe(value);
  });
});
