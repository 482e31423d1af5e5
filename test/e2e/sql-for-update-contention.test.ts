/**
 * Regression (H8 review s8, M1) through pgwire: `BEGIN; SELECT v FROM t WHERE k = 1 AND note = 'a'
 * FOR UPDATE; UPDATE …; COMMIT` by 4 pg clients × 5 rounds commits all 20 (13 failed with 40001
 * "restart transaction: … RETRY_WRITE_TOO_OLD" while the query locked through LockRows after a
 * plain read; the statement is inside an explicit block, so the session cannot retry it).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connectPg, startSqlNode } from './sql-support.js';

describe('SELECT … FOR UPDATE contention through pgwire', () => {
  it('lets 4 clients read-lock-increment one row 5 times each without a 40001', async () => {
    const server = await startSqlNode({});
    const admin = await connectPg(server.port);
    const clients: pg.Client[] = [];
    try {
      await admin.query('CREATE TABLE t (k INT PRIMARY KEY, v INT, note TEXT)');
      await admin.query("INSERT INTO t VALUES (1, 0, 'a')");
      clients.push(...(await Promise.all(Array.from({ length: 4 }, () => connectPg(server.port)))));
      const failures: string[] = [];
      await Promise.all(clients.map(async (client) => {
        for (let round = 0; round < 5; round++) {
          try {
            await client.query('BEGIN');
            const { rows } = await client.query<{ v: number }>("SELECT v FROM t WHERE k = 1 AND note = 'a' FOR UPDATE");
            await client.query('UPDATE t SET v = $1 WHERE k = 1', [rows[0]!.v + 1]);
            await client.query('COMMIT');
          } catch (error) {
            failures.push(`${(error as { code?: string }).code} ${(error as Error).message}`);
            await client.query('ROLLBACK').catch(() => undefined);
          }
        }
      }));
      expect(failures).toEqual([]);
      const { rows } = await admin.query<{ v: number }>('SELECT v FROM t WHERE k = 1');
      expect(rows[0]!.v).toBe(20);
    } finally {
      for (const client of [admin, ...clients]) await client.end();
      await server.stop();
    }
  }, 120_000);
});
