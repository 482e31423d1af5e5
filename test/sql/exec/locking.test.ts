/**
 * Row locks through SQL (CockroachDB's locking reads over a real single-node store): UPDATE and
 * DELETE lock the rows they read (implicit SELECT FOR UPDATE), so concurrent explicit
 * transactions incrementing one row queue on it and all commit — none fails with 40001, as
 * pgbench's TPC-B needs; SELECT … FOR UPDATE blocks a second FOR UPDATE; FOR SHARE locks share;
 * NOWAIT fails at once with PostgreSQL's 55P03.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from '../../../sql/parser/index.js';
import type { Datum } from '../../../sql/types/index.js';
import { SqlError } from '../../../sql/catalog/errors.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { openSqlWorld, type SqlWorld } from './harness.js';
import { stateAfter } from '../../support/settled.js';

const cancel = { throwIfCancelled: (): void => undefined };

/** Runs one statement in `txn`; its rows. */
async function exec(world: SqlWorld, txn: Txn, sql: string): Promise<Datum[][]> {
  const [statement] = parse(sql);
  const prepared = await world.engine.prepare(statement!, { txn, settings: world.settings, paramTypeHints: [] });
  const result = await prepared.run({ txn, settings: world.settings, params: [], cancel });
  const rows: Datum[][] = [];
  for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push([...next.value]);
  return rows;
}

/**
 * A transaction as SQL sessions run them: one shared priority (see sql/session), so a waiter
 * never aborts the holder, and the write buffer's `locked` policy (src/node/node.ts), so the
 * writes of rows an UPDATE locked ride with the next write or the commit.
 */
const sqlTxn = (world: SqlWorld): Txn => new Txn(world.kv.sender, { ...world.kv.txnDeps, writeBufferPolicy: 'locked' }, { priority: 1000 });

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

  it('refuses SKIP LOCKED with 0A000', async () => {
    const txn = sqlTxn(world);
    await expect(exec(world, txn, 'SELECT * FROM t FOR UPDATE SKIP LOCKED')).rejects.toMatchObject({ sqlState: '0A000' });
    await txn.rollback();
  });
});
