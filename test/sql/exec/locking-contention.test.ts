/**
 * Regression (H8 review s8, M1): read-lock-modify-write under contention — `SELECT … FOR UPDATE`,
 * then an UPDATE of the row read, then COMMIT, by 4 concurrent transactions — commits every
 * transaction, whatever the single-table WHERE besides the key (another column, no key at all,
 * a LIMIT, a primary-key ORDER BY … LIMIT). Since 24ddaf6 those queries read with a plain scan and
 * locked through LockRows: the second transaction read the old value, queued at the lock, met the
 * holder's newer write and could not refresh its read — 15 of 20 transactions failed with 40001.
 * The scan now locks (sql/plan/locking.ts), so a waiter queues at the read and then reads the
 * holder's committed value, as CockroachDB does under SERIALIZABLE.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Datum } from '../../../sql/types/index.js';
import { runTxn } from '../../../txn/index.js';
import { execRows as exec, openSqlWorld, sqlTxn, type SqlWorld } from './harness.js';

describe('SELECT … FOR UPDATE under contention', () => {
  let world: SqlWorld;
  beforeEach(async () => {
    world = await openSqlWorld();
    await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'CREATE TABLE t (k INT PRIMARY KEY, v INT, note TEXT)'));
    await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, "INSERT INTO t VALUES (1, 0, 'a'), (2, 0, 'b'), (3, 0, 'c')"));
  });
  afterEach(async () => {
    await world.close();
  });

  for (const select of [
    "SELECT v FROM t WHERE k = 1 AND note = 'a' FOR UPDATE",
    "SELECT v FROM t WHERE note = 'a' FOR UPDATE",
    'SELECT v FROM t WHERE k = 1 FOR UPDATE',
    'SELECT v FROM t WHERE k = 1 LIMIT 1 FOR UPDATE',
    "SELECT v FROM t WHERE note = 'a' LIMIT 1 FOR UPDATE",
    'SELECT v FROM t WHERE k = 1 ORDER BY k LIMIT 1 FOR NO KEY UPDATE',
  ]) {
    it(`commits 4 clients × 5 read-lock-increment rounds without a 40001: ${select}`, async () => {
      const failures: string[] = [];
      const client = async (): Promise<void> => {
        for (let round = 0; round < 5; round++) {
          const txn = sqlTxn(world);
          try {
            const [[v]] = (await exec(world, txn, select)) as [[Datum]];
            await exec(world, txn, `UPDATE t SET v = ${Number(v) + 1} WHERE k = 1`);
            await txn.commit();
          } catch (error) {
            failures.push(`${(error as Error).constructor.name}: ${(error as Error).message}`);
            await txn.rollback().catch(() => undefined);
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, client));
      const [[v]] = (await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'SELECT v FROM t WHERE k = 1'))) as [[Datum]];
      expect(failures).toEqual([]);
      expect(Number(v)).toBe(20); // every increment read the previous one's committed value: none lost
    }, 120_000);
  }
});
