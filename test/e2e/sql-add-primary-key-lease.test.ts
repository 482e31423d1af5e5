/**
 * ALTER TABLE … ADD PRIMARY KEY while clients keep inserting through pgwire, with a wide catalog
 * lease (2 s, so the writers take the catalog from the lease and never read the version): every
 * acknowledged INSERT must be in the table afterwards — the old primary index is cleared after
 * the change commits.
 *
 * Regression (review H1 of session 9): the change's descriptor write is pushed above the lease
 * and its read timestamp with it, ahead of the clock; the backfill's snapshot was read at the
 * clock's now, below that, and its span recorded at the read timestamp — so an insert landing
 * between the two was neither in the snapshot nor in the commit's refresh: 57–152 of ~200
 * acknowledged rows were missing per round. The snapshot now reads at the read timestamp or later.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/base/logger.js';
import { realEnv } from '../../src/env/real.js';
import { RangedbNode } from '../../src/node/node.js';
import { createSqlEngine } from '../../sql/exec/index.js';
import { tempDir } from '../support/tmp.js';
import { connectPg } from './sql-support.js';

const writersCount = 4;

describe('ADD PRIMARY KEY under a wide catalog lease, racing writers', () => {
  for (const round of [1, 2]) {
    it(`keeps every acknowledged insert (round ${round})`, async () => {
      const dir = tempDir('addpk-lease');
      const node = await RangedbNode.start(realEnv({ logger: silentLogger() }), {
        storePath: dir.path,
        sql: { addr: 'localhost:0', insecure: true },
        sqlEngine: (deps) => createSqlEngine({ ...deps, catalogLeaseNanos: 2_000_000_000n }),
      });
      const port = node.sql!.address.port;
      const clients: pg.Client[] = [];
      try {
        const admin = await connectPg(port);
        clients.push(admin);
        await admin.query('CREATE TABLE t (k INT NOT NULL, v INT)');
        const writers = await Promise.all(Array.from({ length: writersCount }, () => connectPg(port)));
        clients.push(...writers);
        let stop = false;
        const acknowledged: number[] = [];
        const failures: string[] = [];
        const runs = writers.map(async (client, w) => {
          for (let i = 0; !stop; i++) {
            const k = w * 1_000_000 + i;
            try {
              await client.query('INSERT INTO t (k, v) VALUES ($1, $2)', [k, i]);
              acknowledged.push(k);
            } catch (error) {
              failures.push(`${(error as { code?: string }).code} ${(error as Error).message}`);
            }
          }
        });
        const acknowledgedMore = async (n: number): Promise<void> => {
          const target = acknowledged.length + n;
          while (acknowledged.length < target) await new Promise((resolve) => setTimeout(resolve, 10));
        };
        await acknowledgedMore(40);
        await admin.query('ALTER TABLE t ADD PRIMARY KEY (k)');
        await acknowledgedMore(40);
        stop = true;
        await Promise.all(runs);
        // The old primary index's clear runs after the commit, once older transactions ended.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const { rows } = await admin.query<{ k: string }>('SELECT k FROM t');
        const present = new Set(rows.map((row) => Number(row.k)));
        expect(failures).toEqual([]);
        expect(acknowledged.filter((k) => !present.has(k))).toEqual([]);
        expect(present.size).toBe(acknowledged.length);
      } finally {
        for (const client of clients) await client.end();
        await node.stop();
        dir.remove();
      }
    }, 120_000);
  }
});
