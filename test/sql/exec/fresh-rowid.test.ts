/**
 * An INSERT into a table without a PRIMARY KEY, whose hidden `rowid` is left to `unique_rowid()`,
 * writes each row under a fresh key (sql/exec/row-writer.ts `generatesRowid`) in an implicit
 * transaction: the row's conditional put is held by the write buffer and rides with the commit (txn/write-buffer.ts,
 * "Fresh keys") instead of being sent with the statement. Everything else an INSERT writes with
 * a uniqueness check — a rowid the statement gives, a declared primary key, a UNIQUE index —
 * is still sent and checked at the statement, with PostgreSQL's 23505.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TableDesc } from '../../../sql/catalog/descriptors.js';
import { generatesRowid } from '../../../sql/exec/row-writer.js';
import type * as ast from '../../../sql/parser/ast.js';
import { runTxn, type Txn } from '../../../txn/index.js';
import { execRows as exec, openSqlWorld, runSql, sqlTxn, type SqlWorld } from './harness.js';

describe('INSERT under a generated rowid', () => {
  let world: SqlWorld;
  beforeEach(async () => {
    world = await openSqlWorld();
    await runSql(world, 'CREATE TABLE hist (a INT, b TEXT); CREATE TABLE keyed (k INT PRIMARY KEY, v INT); CREATE TABLE uniq (a INT UNIQUE)');
  });
  afterEach(async () => world.close());

  const held = (txn: Txn): number => txn.interceptors.writeBuffer.size;
  /** As the session's implicit transactions are: only they hold fresh rows (dml.ts). */
  const implicit = { implicit: true } as const;
  const count = async (table: string): Promise<string> => String((await runTxn(world.kv.sender, world.kv.txnDeps, (t) => exec(world, t, `SELECT count(*) FROM ${table}`)))[0]![0]);

  it('sends the row at once in an explicit transaction (held rows would make its commit a parallel commit)', async () => {
    const txn = sqlTxn(world);
    await exec(world, txn, `INSERT INTO hist VALUES (1, 'x'), (2, 'y')`);
    expect(held(txn)).toBe(0);
    expect(txn.interceptors.committer.lockSpanCount).toBeGreaterThan(0); // the intents went down with the statement
    await txn.commit();
    expect(await count('hist')).toBe('2');
  });

  it('holds the row for the commit, which writes it', async () => {
    const txn = sqlTxn(world, implicit);
    await exec(world, txn, `INSERT INTO hist VALUES (1, 'x'), (2, 'y')`);
    expect(held(txn)).toBe(2);
    expect(txn.interceptors.committer.lockSpanCount).toBe(0); // nothing went down: no intent
    expect((await exec(world, txn, 'SELECT a, b FROM hist ORDER BY a')).map((row) => row.map(String))).toEqual([['1', 'x'], ['2', 'y']]);
    await txn.commit();
    expect(await count('hist')).toBe('2');
  });

  it('drops the held row with a rollback, or a rollback to a savepoint', async () => {
    const txn = sqlTxn(world, implicit);
    const savepoint = await txn.savepoint();
    await exec(world, txn, `INSERT INTO hist VALUES (1, 'x')`);
    await txn.rollbackToSavepoint(savepoint);
    await exec(world, txn, `INSERT INTO hist VALUES (2, 'y')`);
    await txn.commit();
    expect((await runTxn(world.kv.sender, world.kv.txnDeps, (t) => exec(world, t, 'SELECT a FROM hist'))).map((row) => String(row[0]))).toEqual(['2']);
    const rolledBack = sqlTxn(world, implicit);
    await exec(world, rolledBack, `INSERT INTO hist VALUES (3, 'z')`);
    await rolledBack.rollback();
    expect(await count('hist')).toBe('1');
  });

  it('sends a rowid the statement gives at once, and a duplicate fails there with 23505', async () => {
    const txn = sqlTxn(world, implicit);
    await exec(world, txn, `INSERT INTO hist (rowid, a) VALUES (5, 1)`);
    expect(held(txn)).toBe(0);
    await expect(exec(world, txn, `INSERT INTO hist (rowid, a) VALUES (5, 2)`)).rejects.toMatchObject({ sqlState: '23505', message: 'duplicate key value violates unique constraint "hist_pkey"' });
    await txn.rollback();
  });

  it('sends rows of a declared primary key, or with a UNIQUE index, at once', async () => {
    const txn = sqlTxn(world, implicit);
    await exec(world, txn, 'INSERT INTO keyed VALUES (1, 1)');
    expect(held(txn)).toBe(0);
    await exec(world, txn, 'INSERT INTO uniq VALUES (1)'); // its unique entry's check goes down, with the row
    expect(held(txn)).toBe(0);
    await expect(exec(world, txn, 'INSERT INTO uniq VALUES (1)')).rejects.toMatchObject({ sqlState: '23505', message: 'duplicate key value violates unique constraint "uniq_a_key"' });
    await txn.rollback();
  });

  it('takes a key for generated only when it is the hidden rowid alone, under unique_rowid(), left to its default', () => {
    const call = (name: string): ast.Expr => ({ kind: 'FuncCall', name: [name], args: [], distinct: false, star: false, variadic: false, orderBy: [], filter: null, location: -1 });
    const table = (hidden: boolean, defaultExpr: ast.Expr | null, keyColumnIds: readonly number[] = [2]): TableDesc =>
      ({ primaryIndex: { columns: keyColumnIds.map((columnId) => ({ columnId })) }, columns: [{ id: 1, hidden: false, defaultExpr: null }, { id: 2, hidden, defaultExpr }] }) as unknown as TableDesc;
    const defaulted = (position: number): boolean => position === 1;
    expect(generatesRowid(table(true, call('unique_rowid')), defaulted)).toBe(true);
    expect(generatesRowid(table(true, call('unique_rowid')), () => false)).toBe(false); // the statement gives it
    expect(generatesRowid(table(true, call('random')), defaulted)).toBe(false);
    expect(generatesRowid(table(true, null), defaulted)).toBe(false);
    expect(generatesRowid(table(false, call('unique_rowid')), defaulted)).toBe(false); // a declared column
    expect(generatesRowid(table(true, call('unique_rowid'), [1, 2]), defaulted)).toBe(false); // part of a key
  });
});
