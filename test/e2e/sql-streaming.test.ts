// Large results stream with bounded memory (issue 7), measured on a real node over pgwire: the
// executor pulls rows from its sources a batch at a time, and the connection writes each batch
// as DataRows and awaits the socket's 'drain' (back-pressure) before it pulls the next — so what
// the server holds is a batch, not the result. The node runs in this process, so the heap we
// measure (after a forced full GC, which counts what is retained, not garbage not yet collected)
// is the server's and the client's together.
//
// - A SQL cursor over a 10-million-row join (a 10,000-row table scan times 1,000): the first
//   FETCHes return at once and retain almost nothing, where holding the rows would take
//   gigabytes and minutes.
// - A 600,000-row result read to its end through postgres.js's cursor (the extended protocol's
//   Execute with a row limit: a suspended portal), under the smallest distsql_workmem: retained
//   memory stays flat while the rows go by.
import v8 from 'node:v8';
import vm from 'node:vm';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** The heap in use after a full collection: what is retained. */
function retainedBytes(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const mib = 1024 * 1024;

let server: SqlNode;
beforeAll(async () => {
  server = await startSqlNode();
  const client = new pg.Client({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb' });
  await client.connect();
  await client.query('CREATE TABLE wide (k INT PRIMARY KEY, pad TEXT)');
  await client.query("INSERT INTO wide SELECT i, repeat('x', 100) FROM generate_series(1, 10000) AS i");
  await client.end();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('large results stream with bounded memory', () => {
  it('a cursor over a 10-million-row join fetches its first rows without holding the rest', async () => {
    const client = new pg.Client({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb' });
    await client.connect();
    try {
      const before = retainedBytes();
      const started = performance.now();
      await client.query('BEGIN');
      await client.query('DECLARE big CURSOR FOR SELECT w.k, w.pad, g FROM wide AS w, generate_series(1, 1000) AS g');
      let fetched = 0;
      let last: { k: number; g: number } | undefined;
      for (let i = 0; i < 3; i++) {
        const result = await client.query<{ k: number; pad: string; g: number }>('FETCH 2000 FROM big');
        expect(result.rows.length).toBe(2000);
        fetched += result.rows.length;
        last = result.rows[result.rows.length - 1];
      }
      const elapsedMs = performance.now() - started;
      const grown = retainedBytes() - before;
      expect(fetched).toBe(6000);
      expect(last).toBeDefined();
      // 10,000,000 rows of ~130 bytes held would be well over a gigabyte; a few batches are megabytes.
      expect(grown, `retained ${(grown / mib).toFixed(1)} MiB after 6,000 of 10,000,000 rows`).toBeLessThan(64 * mib);
      // Producing all 10,000,000 rows takes minutes here; a few batches take well under a minute even on a loaded machine.
      expect(elapsedMs).toBeLessThan(60_000);
      const counted = await client.query<{ count: string }>('SELECT count(*) FROM wide');
      expect(counted.rows[0]!.count).toBe('10000');
      await client.query('CLOSE big');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }, 120_000);

  it('a 600,000-row result read to its end retains no more than a few batches', async () => {
    const sql = postgres({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb', fetch_types: false, max: 1, onnotice: () => undefined, connection: { distsql_workmem: '64KiB' } });
    try {
      const before = retainedBytes();
      let rows = 0;
      let batches = 0;
      let peak = 0;
      let sum = 0;
      const cursor = sql.unsafe("SELECT w.k, g, w.pad || 'y' AS pad FROM wide AS w, generate_series(1, 60) AS g").cursor(5000);
      for await (const batch of cursor) {
        rows += batch.length;
        for (const row of batch) sum += Number(row['g']);
        batches++;
        if (batches % 10 === 0) peak = Math.max(peak, retainedBytes() - before);
      }
      expect(rows).toBe(600_000);
      expect(sum).toBe(10_000 * ((60 * 61) / 2));
      // Held, 600,000 rows of a 101-character string and two numbers would retain well over 100 MiB.
      expect(peak, `peak retained growth ${(peak / mib).toFixed(1)} MiB while 600,000 rows went by`).toBeLessThan(48 * mib);
    } finally {
      await sql.end();
    }
  }, 300_000);
});
