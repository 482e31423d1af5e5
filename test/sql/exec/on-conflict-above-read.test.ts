/**
 * Review (session 11), F1 at the SQL level: INSERT … ON CONFLICT DO NOTHING answers 23505 when a
 * held put rides in front of its conditional put and is pushed by the timestamp cache, and
 * another transaction inserted the key after this one's read timestamp.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Txn } from '../../../txn/index.js';
import { firstRowInTxn, openSqlWorld, runSql, type SqlWorld } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('review: ON CONFLICT DO NOTHING never raises 23505 on its arbiter', () => {
  let world: SqlWorld;
  beforeAll(async () => { world = await openSqlWorld(); }, 60_000);
  afterAll(async () => { await world?.close(); });

  it('skips a row another transaction inserted after this one read it absent (or restarts), never 23505', async () => {
    await runSql(world, 'CREATE TABLE oc (id INT PRIMARY KEY, v INT)');
    await runSql(world, 'INSERT INTO oc VALUES (1, 0), (3, 0)');
    const txn = new Txn(world.kv.sender, { ...world.kv.txnDeps, writeBufferPolicy: 'locked' });
    expect(await firstRowInTxn(world, txn, 'SELECT count(*) FROM oc WHERE id = 2')).toEqual(['0']);
    await firstRowInTxn(world, txn, 'UPDATE oc SET v = 1 WHERE id = 1 RETURNING v'); // the anchor: held back
    await firstRowInTxn(world, txn, 'UPDATE oc SET v = 1 WHERE id = 3 RETURNING v'); // held, goes down in front of the next write
    await sleep(600); // past the uncertainty interval (500 ms)
    expect(await runSql(world, 'INSERT INTO oc VALUES (2, 0)')).toBe('INSERT 0 1');
    await sleep(5);
    expect(await runSql(world, 'SELECT v FROM oc WHERE id = 3')).toContain('0'); // a reader of row 3 above that insert
    let outcome: string;
    try {
      outcome = (await firstRowInTxn(world, txn, 'INSERT INTO oc VALUES (2, 5) ON CONFLICT DO NOTHING RETURNING id'))?.join(',') ?? 'no row';
    } catch (error) {
      outcome = `${(error as { sqlState?: string }).sqlState ?? ''} ${(error as Error).message}`;
    }
    expect(outcome).not.toMatch(/^23505/);
  }, 60_000);
});
