// MVCC garbage collection through the whole stack on a real node: SET CLUSTER SETTING
// kv.gc.ttl_seconds, many UPDATEs of one row, the store's GC queue run past the TTL — the old
// versions are gone (the range's stats agree with a recount), the row reads its last value, an
// AS OF SYSTEM TIME read from before the threshold is 72000, SHOW RANGES … WITH DETAILS shows
// the threshold, and a transaction that was open all along still reads its snapshot (the node's
// reader horizon protects it).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStats } from '../../kv/storage/mvcc/index.js';
import { connectPg, startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
let client: pg.Client;
let reader: pg.Client;
beforeAll(async () => {
  server = await startSqlNode();
  client = await connect();
  reader = await connect();
});
afterAll(async () => {
  await reader.end();
  await client.end();
  await server.stop();
});

const connect = (): Promise<pg.Client> => connectPg(server.port);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MVCC GC on a SQL node', () => {
  it('collects the history of an updated row past kv.gc.ttl_seconds, protecting an open transaction', async () => {
    await client.query('SET CLUSTER SETTING kv.gc.ttl_seconds = 1');
    expect((await client.query('SHOW CLUSTER SETTING kv.gc.ttl_seconds')).rows).toEqual([{ 'kv.gc.ttl_seconds': '1' }]);
    await client.query('CREATE TABLE counter (id INT PRIMARY KEY, n INT)');
    await client.query('INSERT INTO counter VALUES (1, 0)');
    // A transaction open across the collection: its snapshot must survive it.
    await reader.query('BEGIN');
    expect((await reader.query('SELECT n FROM counter WHERE id = 1')).rows).toEqual([{ n: 0 }]);
    for (let i = 1; i <= 50; i++) await client.query('UPDATE counter SET n = $1 WHERE id = 1', [i]);
    await sleep(5);
    const before = server.node.kv.clock.now();
    const asOf = `${before.wallNanos}.${String(before.logical).padStart(10, '0')}`;
    await sleep(5);
    await client.query('UPDATE counter SET n = 51 WHERE id = 1');

    const queue = server.node.kv.store.gcQueue;
    await queue.runPass(); // garbage first seen
    await sleep(1_200);
    await queue.runPass(); // a TTL later: due, but held below the open transaction
    expect((await reader.query('SELECT n FROM counter WHERE id = 1')).rows).toEqual([{ n: 0 }]);
    expect((await client.query(`SELECT n FROM counter AS OF SYSTEM TIME ${asOf} WHERE id = 1`)).rows).toEqual([{ n: 50 }]);
    await reader.query('COMMIT');

    await sleep(1_200);
    await queue.runPass();
    await sleep(1_200);
    const results = await queue.runPass();
    expect(queue.metrics.versionsRemoved).toBeGreaterThanOrEqual(50);
    expect(results.length + queue.metrics.ranges).toBeGreaterThan(0);
    expect((await client.query('SELECT n FROM counter WHERE id = 1')).rows).toEqual([{ n: 51 }]);
    await expect(client.query(`SELECT n FROM counter AS OF SYSTEM TIME ${asOf} WHERE id = 1`)).rejects.toMatchObject({ code: '72000' });
    for (const replica of server.node.kv.store.replicas()) {
      const start = replica.descriptor.startKey.length === 0 ? Uint8Array.of(0x02) : replica.descriptor.startKey;
      expect(await computeStats(server.node.kv.store.engine, start, replica.descriptor.endKey)).toEqual(replica.stats);
    }
    const ranges = (await client.query('SHOW RANGES FROM TABLE counter WITH DETAILS')).rows as { span_stats: { gc_threshold: string } }[];
    expect(ranges.some((range) => range.span_stats.gc_threshold !== '0.000000000,0')).toBe(true);
  }, 60_000);
});
