/**
 * Row locks through SQL (CockroachDB's locking reads over a real single-node store): UPDATE and
 * DELETE lock the rows they read (implicit SELECT FOR UPDATE), so concurrent explicit
 * transactions incrementing one row queue on it and all commit — none fails with 40001, as
 * pgbench's TPC-B needs; SELECT … FOR UPDATE blocks a second FOR UPDATE; FOR SHARE locks share;
 * NOWAIT fails at once with PostgreSQL's 55P03; SKIP LOCKED hands two job-queue workers
 * different rows, locking only the rows returned (LIMIT counts the rows locked), and FOR SHARE
 * SKIP LOCKED skips rows locked for update but not shared ones.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Datum } from '../../../sql/types/index.js';
import { SqlError } from '../../../sql/catalog/errors.js';
import { runTxn } from '../../../txn/index.js';
import { execRows as exec, openSqlWorld, sqlTxn, type SqlWorld } from './harness.js';
import { stateAfter } from '../../support/settled.js';

describe('SQL row locks', () => {
  let world: SqlWorld;
  beforeEach(async () => {
    world = await openSqlWorld();
    await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'CREATE TABLE t (k INT PRIMARY KEY, v INT, note TEXT)'));
    await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, "INSERT INTO t VALUES (1, 0, 'a'), (2, 0, 'b'), (3, 0, 'c')"));
  });
  afterEach(async () => {
    await world.close();
  });
  const value = async (k: number): Promise<Datum> => (await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, `SELECT v FROM t WHERE k = ${k}`)))[0]![0]!;

  it('lets concurrent explicit transactions increment one row without a 40001', async () => {
    const clients = 4;
    const rounds = 5;
    const client = async (id: number): Promise<void> => {
      for (let round = 0; round < rounds; round++) {
        const txn = sqlTxn(world);
        // pgbench's shape: an earlier read (its refresh must succeed), then the contended update.
        await exec(world, txn, `SELECT v FROM t WHERE k = ${2 + (id % 2)}`);
        await exec(world, txn, 'UPDATE t SET v = v + 1 WHERE k = 1');
        await exec(world, txn, `UPDATE t SET note = 'client ${id}' WHERE k = 1`);
        await txn.commit(); // a retry error here is what pgbench counts as a failed transaction
        expect(txn.transaction.epoch).toBe(0);
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, id) => client(id)));
    expect(await value(1)).toBe(clients * rounds);
  });

  it('makes a second SELECT … FOR UPDATE wait for the first transaction', async () => {
    const first = sqlTxn(world);
    const second = sqlTxn(world);
    expect(await exec(world, first, 'SELECT v FROM t WHERE k = 1 FOR UPDATE')).toEqual([[0]]);
    const waiting = exec(world, second, 'SELECT v FROM t WHERE k = 1 FOR UPDATE');
    expect(await stateAfter(waiting, 150)).toBe('pending');
    // A plain read is not held up by the lock.
    expect(await stateAfter(runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'SELECT v FROM t WHERE k = 1')), 150)).toBe('settled');
    await exec(world, first, 'UPDATE t SET v = 10 WHERE k = 1');
    await first.commit();
    expect(await waiting).toEqual([[10]]);
    await second.commit();
  });

  it('blocks an UPDATE behind a range scan FOR UPDATE, and lets FOR SHARE share', async () => {
    const locker = sqlTxn(world);
    expect(await exec(world, locker, 'SELECT k FROM t WHERE v >= 0 FOR UPDATE')).toHaveLength(3);
    const updating = runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'UPDATE t SET v = v + 1 WHERE k = 3'), { priority: 1000 });
    expect(await stateAfter(updating, 150)).toBe('pending');
    await locker.commit();
    await updating;
    expect(await value(3)).toBe(1);

    const a = sqlTxn(world);
    const b = sqlTxn(world);
    await exec(world, a, 'SELECT v FROM t WHERE k = 2 FOR SHARE');
    expect(await stateAfter(exec(world, b, 'SELECT v FROM t WHERE k = 2 FOR KEY SHARE'), 150)).toBe('settled');
    const c = sqlTxn(world);
    await expect(exec(world, c, 'SELECT v FROM t WHERE k = 2 FOR UPDATE NOWAIT')).rejects.toMatchObject({ sqlState: '55P03' });
    await a.rollback();
    await b.rollback();
    await c.rollback();
  });

  it('fails FOR UPDATE NOWAIT on a locked row with 55P03, and an UPDATE when NOWAIT finds nothing locked', async () => {
    const holder = sqlTxn(world);
    await exec(world, holder, 'UPDATE t SET v = 5 WHERE k = 1');
    const other = sqlTxn(world);
    const error = await exec(world, other, 'SELECT * FROM t WHERE k = 1 FOR UPDATE NOWAIT').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlError);
    expect(error).toMatchObject({ sqlState: '55P03', message: 'could not obtain lock on row in relation "t"' });
    // Other rows are free.
    expect(await exec(world, other, 'SELECT v FROM t WHERE k = 2 FOR UPDATE NOWAIT')).toEqual([[0]]);
    await other.rollback();
    await holder.commit();
    const after = sqlTxn(world);
    expect(await exec(world, after, 'SELECT v FROM t WHERE k = 1 FOR NO KEY UPDATE NOWAIT')).toEqual([[5]]);
    await after.commit();
  });

  describe('FOR UPDATE / FOR SHARE lock the rows returned (PostgreSQL\'s LockRows)', () => {
    beforeEach(async () => {
      await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'CREATE TABLE u (id INT PRIMARY KEY, k INT, tag TEXT)'));
      await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, "INSERT INTO u VALUES (10, 1, 'x'), (11, 1, 'y'), (12, 2, 'x')"));
    });
    /** Whether a second transaction's `FOR UPDATE NOWAIT` of `table`'s row `key` is refused (55P03): the row is locked. */
    const isLocked = async (table: 't' | 'u', key: number, strength = 'UPDATE'): Promise<boolean> => {
      const probe = sqlTxn(world);
      const column = table === 't' ? 'k' : 'id';
      try {
        await exec(world, probe, `SELECT 1 FROM ${table} WHERE ${column} = ${key} FOR ${strength} NOWAIT`);
        return false;
      } catch (error) {
        expect(error).toMatchObject({ sqlState: '55P03', message: `could not obtain lock on row in relation "${table}"` });
        return true;
      } finally {
        await probe.rollback();
      }
    };
    const lockedRows = async (): Promise<string[]> => {
      const locked: string[] = [];
      for (const key of [1, 2, 3]) if (await isLocked('t', key)) locked.push(`t${key}`);
      for (const key of [10, 11, 12]) if (await isLocked('u', key)) locked.push(`u${key}`);
      return locked;
    };

    it('locks only the rows the WHERE filter keeps, and only as many as the LIMIT returns', async () => {
      // A waiting FOR UPDATE of one table locks at its scan (sql/plan/locking.ts: a waiter then
      // reads the holder's committed value instead of failing its refresh with 40001), so it also
      // locks the row its WHERE drops — CockroachDB's behaviour under SERIALIZABLE, a known
      // difference from PostgreSQL (test/logic/README.md). NOWAIT locks through LockRows: only the
      // rows the WHERE keeps, as PostgreSQL.
      const holder = sqlTxn(world);
      expect(await exec(world, holder, "SELECT k FROM t WHERE v >= 0 AND note <> 'b' ORDER BY k FOR UPDATE")).toEqual([[1], [3]]);
      expect(await lockedRows()).toEqual(['t1', 't2', 't3']);
      await holder.rollback();
      const nowait = sqlTxn(world);
      expect(await exec(world, nowait, "SELECT k FROM t WHERE v >= 0 AND note <> 'b' ORDER BY k FOR UPDATE NOWAIT")).toEqual([[1], [3]]);
      expect(await lockedRows()).toEqual(['t1', 't3']);
      await nowait.rollback();
      const limited = sqlTxn(world);
      expect(await exec(world, limited, 'SELECT k FROM t ORDER BY k DESC LIMIT 1 FOR SHARE')).toEqual([[3]]);
      expect(await lockedRows()).toEqual(['t3']);
      // The rows OFFSET skips pass through the lock too (PostgreSQL's LockRows sits below its Limit).
      expect(await exec(world, limited, 'SELECT k FROM t WHERE v = 0 ORDER BY k LIMIT 1 OFFSET 1 FOR NO KEY UPDATE')).toEqual([[2]]);
      expect(await lockedRows()).toEqual(['t1', 't2', 't3']);
      await limited.rollback();
    });

    it('lets NOWAIT read past a locked row its WHERE filter drops', async () => {
      const holder = sqlTxn(world);
      expect(await exec(world, holder, 'SELECT k FROM t WHERE k = 1 FOR UPDATE')).toEqual([[1]]);
      const other = sqlTxn(world);
      expect(await exec(world, other, "SELECT k FROM t WHERE note <> 'a' ORDER BY k FOR UPDATE NOWAIT")).toEqual([[2], [3]]);
      await expect(exec(world, other, "SELECT k FROM t WHERE note <> 'c' ORDER BY k FOR UPDATE NOWAIT")).rejects.toMatchObject({ sqlState: '55P03' });
      await other.rollback();
      await holder.rollback();
    });

    it('locks the rows of every joined table that make up the result, or those of the tables named by OF', async () => {
      const holder = sqlTxn(world);
      expect(await exec(world, holder, "SELECT t.k, u.id FROM t JOIN u ON u.k = t.k WHERE u.tag = 'x' ORDER BY u.id FOR UPDATE")).toEqual([[1, 10], [2, 12]]);
      expect(await lockedRows()).toEqual(['t1', 't2', 'u10', 'u12']);
      await holder.rollback();
      const onlyU = sqlTxn(world);
      expect(await exec(world, onlyU, 'SELECT t.k, u.id FROM t, u WHERE u.k = t.k AND u.id > 10 ORDER BY u.id LIMIT 1 FOR UPDATE OF u')).toEqual([[1, 11]]);
      expect(await lockedRows()).toEqual(['u11']);
      await onlyU.rollback();
      const outer = sqlTxn(world);
      expect(await exec(world, outer, 'SELECT t.k, u.id FROM t LEFT JOIN u ON u.k = t.k WHERE t.k >= 2 ORDER BY t.k FOR UPDATE OF t NOWAIT')).toEqual([[2, 12], [3, null]]);
      expect(await lockedRows()).toEqual(['t2', 't3']);
      await outer.rollback();
    });

    it('takes each table\'s own strength: FOR SHARE OF t FOR UPDATE OF u', async () => {
      const holder = sqlTxn(world);
      expect(await exec(world, holder, 'SELECT t.k, u.id FROM t JOIN u ON u.k = t.k WHERE u.id = 12 FOR SHARE OF t FOR UPDATE OF u')).toEqual([[2, 12]]);
      expect(await isLocked('t', 2, 'SHARE')).toBe(false);
      expect(await isLocked('t', 2)).toBe(true);
      expect(await isLocked('u', 12, 'SHARE')).toBe(true);
      await holder.rollback();
    });

    it('makes a join FOR UPDATE wait for a row another transaction locked, and fail with 55P03 under NOWAIT', async () => {
      const holder = sqlTxn(world);
      await exec(world, holder, 'SELECT id FROM u WHERE id = 11 FOR UPDATE');
      const nowait = sqlTxn(world);
      await expect(exec(world, nowait, 'SELECT t.k, u.id FROM t JOIN u ON u.k = t.k FOR SHARE NOWAIT')).rejects.toMatchObject({ sqlState: '55P03', message: 'could not obtain lock on row in relation "u"' });
      await nowait.rollback();
      const waiter = sqlTxn(world);
      const waiting = exec(world, waiter, 'SELECT t.k, u.id FROM t JOIN u ON u.k = t.k ORDER BY u.id FOR UPDATE');
      expect(await stateAfter(waiting, 150)).toBe('pending');
      await holder.rollback();
      expect(await waiting).toEqual([[1, 10], [1, 11], [2, 12]]);
      await waiter.rollback();
    });
  });

  describe('SKIP LOCKED', () => {
    beforeEach(async () => {
      await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'CREATE TABLE jobs (id INT PRIMARY KEY, state TEXT)'));
      await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, "INSERT INTO jobs VALUES (1, 'new'), (2, 'new'), (3, 'done'), (4, 'new'), (5, 'new')"));
    });
    const next = "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";

    it('gives two job-queue workers different rows, and the rows back once they are done', async () => {
      const first = sqlTxn(world);
      const second = sqlTxn(world);
      expect(await exec(world, first, next)).toEqual([[1]]);
      // The second worker neither waits for the first nor gets its row — and the first locked
      // only the row it returned, not the page of rows its scan read.
      const claimed = exec(world, second, next);
      expect(await stateAfter(claimed, 150)).toBe('settled');
      expect(await claimed).toEqual([[2]]);
      expect(await exec(world, second, "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED")).toEqual([[2], [4]]);
      await exec(world, first, "UPDATE jobs SET state = 'done' WHERE id = 1");
      await first.commit();
      await exec(world, second, "UPDATE jobs SET state = 'done' WHERE id = 2");
      await second.commit();
      const third = sqlTxn(world);
      expect(await exec(world, third, next)).toEqual([[4]]);
      expect(await exec(world, third, "SELECT id, state FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED")).toEqual([[1, 'done'], [2, 'done'], [3, 'done'], [4, 'new'], [5, 'new']]);
      await third.rollback();
    });

    it('reads past a job another worker finished after this transaction began, without a 40001', async () => {
      const late = sqlTxn(world); // begins first: the other worker commits above its read timestamp
      const first = sqlTxn(world);
      expect(await exec(world, first, next)).toEqual([[1]]);
      await exec(world, first, "UPDATE jobs SET state = 'done' WHERE id = 1");
      await first.commit();
      // The scan meets the newer version of row 1 (WriteTooOld), refreshes and reads again.
      expect(await exec(world, late, next)).toEqual([[2]]);
      await exec(world, late, "UPDATE jobs SET state = 'done' WHERE id = 2");
      await late.commit();
      expect(late.transaction.epoch).toBe(0);
    });

    it('skips rows another transaction updated (an intent) or locked, with OFFSET and ORDER BY another column', async () => {
      const writer = sqlTxn(world);
      await exec(world, writer, "UPDATE jobs SET state = 'running' WHERE id = 2");
      const locker = sqlTxn(world);
      expect(await exec(world, locker, 'SELECT id FROM jobs WHERE id = 4 FOR UPDATE')).toEqual([[4]]);
      const worker = sqlTxn(world);
      expect(await exec(world, worker, 'SELECT id FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED')).toEqual([[1], [3], [5]]);
      // Point lookups (primary-key gets, and a secondary index's entries joined to their rows) skip too.
      expect(await exec(world, worker, 'SELECT id FROM jobs WHERE id IN (2, 4, 5) ORDER BY id FOR UPDATE SKIP LOCKED')).toEqual([[5]]);
      await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'CREATE INDEX jobs_state ON jobs (state)'));
      expect(await exec(world, worker, "SELECT id FROM jobs WHERE state = 'new' ORDER BY id FOR SHARE SKIP LOCKED")).toEqual([[1], [5]]);
      await worker.rollback();
      const other = sqlTxn(world);
      expect(await exec(world, other, 'SELECT id FROM jobs ORDER BY id DESC LIMIT 1 OFFSET 1 FOR UPDATE SKIP LOCKED')).toEqual([[3]]);
      expect(await exec(world, other, "SELECT id, state FROM jobs ORDER BY state, id DESC LIMIT 2 FOR NO KEY UPDATE SKIP LOCKED")).toEqual([[3, 'done'], [5, 'new']]);
      await other.rollback();
      await writer.rollback();
      await locker.rollback();
    });

    it('lets FOR SHARE SKIP LOCKED share rows other readers share, and skip rows locked for update', async () => {
      const sharer = sqlTxn(world);
      expect(await exec(world, sharer, 'SELECT id FROM jobs WHERE id <= 2 ORDER BY id FOR SHARE')).toEqual([[1], [2]]);
      const updater = sqlTxn(world);
      expect(await exec(world, updater, 'SELECT id FROM jobs WHERE id = 3 FOR UPDATE')).toEqual([[3]]);
      const reader = sqlTxn(world);
      expect(await exec(world, reader, 'SELECT id FROM jobs ORDER BY id FOR SHARE SKIP LOCKED')).toEqual([[1], [2], [4], [5]]);
      const exclusive = sqlTxn(world);
      // Shared by two transactions now: FOR UPDATE skips 1 and 2, and 3; 4 and 5 the reader shares.
      expect(await exec(world, exclusive, 'SELECT id FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED')).toEqual([]);
      await Promise.all([sharer.rollback(), updater.rollback(), reader.rollback(), exclusive.rollback()]);
    });

    it('keeps NOWAIT failing with 55P03 on a row SKIP LOCKED locked', async () => {
      const worker = sqlTxn(world);
      expect(await exec(world, worker, next)).toEqual([[1]]);
      const other = sqlTxn(world);
      await expect(exec(world, other, 'SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT')).rejects.toMatchObject({ sqlState: '55P03' });
      expect(await exec(world, other, 'SELECT id FROM jobs WHERE id = 2 FOR UPDATE NOWAIT')).toEqual([[2]]);
      await other.rollback();
      await worker.rollback();
    });
  });
});
