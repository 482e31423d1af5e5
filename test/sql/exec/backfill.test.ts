/**
 * ALTER TABLE … ADD PRIMARY KEY through the chunked bulk backfill (sql/exec/backfill.ts), with
 * chunks of a few rows (`backfillKnobs`) so that a few hundred rows cross many chunk boundaries:
 * every row lands exactly once under its new key, the secondary indexes are rebuilt under new ids
 * and agree with the rows, the old indexes' spans are emptied after the commit, a duplicate key
 * met in a later chunk fails with 23505 and leaves the table, and the spans, as they were, and
 * what a failed attempt left in the new spans (a crash, a rollback) never reaches the new table.
 * The old indexes are cleared outright (ClearRange), and only once no transaction older than the
 * change is open: such a transaction keeps reading them until it ends.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, indexPrefix, keyMax, prefixEnd, putRequest, scanRequest, tableKey, intValue } from '../../../kv/api/index.js';
import { limits } from '../../../src/base/limits.js';
import type { Timestamp } from '../../../clock/timestamp.js';
import { computeStats } from '../../../kv/storage/mvcc/index.js';
import { backfillKnobs } from '../../../sql/exec/backfill.js';
import { Txn } from '../../../txn/index.js';
import { firstRowInTxn, openSqlWorld, runHoldingAfterCommit, runSql, type SqlWorld } from './harness.js';

let world: SqlWorld;

beforeEach(async () => {
  world = await openSqlWorld();
  backfillKnobs.chunkRowsMax = 7;
});

afterEach(async () => {
  backfillKnobs.chunkRowsMax = limits.sqlBackfillChunkRowsMax;
  await world.close();
});

async function sql(text: string): Promise<string> {
  return runSql(world, text);
}

async function tableId(name: string): Promise<number> {
  const out = await sql(`SELECT oid FROM pg_class WHERE relname = '${name}'`);
  const id = Number(out.split('\n')[1]);
  expect(Number.isSafeInteger(id) && id >= 100, out).toBe(true);
  return id;
}

/** Live keys in the span of index `indexId` of table `id`, read outside any transaction. */
async function indexKeys(id: number, indexId: number): Promise<number> {
  const prefix = indexPrefix(id, indexId);
  const timestamp = world.kv.txnDeps.clock.now();
  const response = await world.kv.sender.send(batchRequest(batchHeader({ timestamp }), [scanRequest(prefix, prefixEnd(prefix, keyMax))]));
  return response.responses[0].rows.length;
}

/** Keys with a value in the span of index `indexId` of table `id` as of `timestamp`. */
async function indexKeysAt(id: number, indexId: number, timestamp: Timestamp): Promise<number> {
  const prefix = indexPrefix(id, indexId);
  const response = await world.kv.sender.send(batchRequest(batchHeader({ timestamp }), [scanRequest(prefix, prefixEnd(prefix, keyMax))]));
  return response.responses[0].rows.length;
}

/** Runs one statement in `txn` (left open); the first row's values as text. */
const inTxn = (txn: Txn, text: string): Promise<string[]> => firstRowInTxn(world, txn, text);

async function setUp(): Promise<number> {
  expect(await sql('CREATE TABLE t (k INT, v INT, w TEXT)')).toBe('CREATE TABLE');
  expect(await sql("INSERT INTO t SELECT g, g % 10, 'w' || g FROM generate_series(1, 300) AS g")).toBe('INSERT 0 300');
  expect(await sql('CREATE INDEX t_v ON t (v)')).toBe('CREATE INDEX');
  expect(await sql('CREATE UNIQUE INDEX t_w ON t (w)')).toBe('CREATE INDEX');
  return tableId('t');
}

describe('ADD PRIMARY KEY by chunked backfill', () => {
  it('writes every row exactly once under its new key and rebuilds the secondary indexes', async () => {
    const id = await setUp();
    // Old ids: 1 (rowid key), 2 (t_v), 3 (t_w); the new ones are 4, 5, 6.
    expect([await indexKeys(id, 1), await indexKeys(id, 2), await indexKeys(id, 3)]).toEqual([300, 300, 300]);
    expect(await sql('ALTER TABLE t ADD PRIMARY KEY (k)')).toBe('ALTER TABLE');
    expect([await indexKeys(id, 4), await indexKeys(id, 5), await indexKeys(id, 6)]).toEqual([300, 300, 300]);
    // The old indexes' data was deleted after the commit.
    expect([await indexKeys(id, 1), await indexKeys(id, 2), await indexKeys(id, 3)]).toEqual([0, 0, 0]);
    expect(await sql('SELECT count(*), count(DISTINCT k), sum(k), sum(v) FROM t')).toBe('count | count | sum | sum\n300 | 300 | 45150 | 1350\nSELECT 1');
    expect(await sql('SELECT k, v, w FROM t WHERE k = 123')).toBe('k | v | w\n123 | 3 | w123\nSELECT 1');
    // Reads through each secondary index find the rows, keyed by the new primary key.
    expect(await sql('SELECT count(*), sum(k) FROM t WHERE v = 3')).toBe('count | sum\n30 | 4440\nSELECT 1');
    expect(await sql("SELECT k FROM t WHERE w = 'w77'")).toBe('k\n77\nSELECT 1');
    // The new key and the rebuilt unique index enforce themselves.
    expect(await sql("INSERT INTO t VALUES (5, 0, 'x')")).toBe('ERROR 23505: duplicate key value violates unique constraint "t_pkey"\nDETAIL: Key (k)=(5) already exists.');
    expect(await sql("INSERT INTO t VALUES (301, 0, 'w5')")).toBe('ERROR 23505: duplicate key value violates unique constraint "t_w"\nDETAIL: Key (w)=(w5) already exists.');
    expect(await sql("UPDATE t SET v = 42 WHERE k = 200")).toBe('UPDATE 1');
    expect(await sql('SELECT k FROM t WHERE v = 42')).toBe('k\n200\nSELECT 1');
    expect(await indexKeys(id, 5)).toBe(300);
  });

  it('runs right after a bulk load whose intents are all unresolved: resolves them ranged, leaves none, and a DELETE through the new key finds its row', async () => {
    // pgbench -i: TRUNCATE then a load in one block (the record in the system range, every row
    // an intent left to asynchronous resolution), then ADD PRIMARY KEY. The asynchronous
    // resolution is off here, so the backfill's scan and the old index's deletion meet them all.
    backfillKnobs.chunkRowsMax = limits.sqlBackfillChunkRowsMax;
    const store = world.kv.store;
    expect(await sql('CREATE TABLE t (k INT, v INT)')).toBe('CREATE TABLE');
    const asyncResolution = vi.spyOn(store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const rows = 3 * limits.writeIntentErrorIntentsMax + 7;
    expect(await runSql(world, `TRUNCATE t; INSERT INTO t SELECT g, g % 10 FROM generate_series(1, ${rows}) AS g`, { oneTxn: true })).toBe(`TRUNCATE TABLE\nINSERT 0 ${rows}`);
    asyncResolution.mockRestore(); // the load's intents stay; the ALTER's own are resolved as usual
    const intents = (): number => store.replicas().reduce((sum, replica) => sum + replica.stats.intentCount, 0);
    expect(intents()).toBeGreaterThanOrEqual(rows);
    const pointResolutions = vi.spyOn(store, 'resolveIntent');
    // Intents evaluations resolved one by one first (a read-only scan's are read through, redone
    // in every round): a bulk load's are resolved ranged instead.
    type Evaluation = { evaluateAndPropose: (batch: unknown, resolveFirst: readonly unknown[]) => Promise<unknown> };
    const evaluations = store.replicas().map((replica) => vi.spyOn(replica as unknown as Evaluation, 'evaluateAndPropose'));
    const rangedResolutions = vi.spyOn(store, 'resolveIntentSpan');
    expect(await sql('ALTER TABLE t ADD PRIMARY KEY (k)')).toBe('ALTER TABLE');
    expect(intents()).toBe(0);
    expect(pointResolutions).not.toHaveBeenCalled();
    // Only a page's tail of fewer than `rangedResolutionIntentsMin` takes the point path (28
    // here); before, each of the 3,007 intents was resolved seven times over (21,049).
    expect(evaluations.reduce((sum, spy) => sum + spy.mock.calls.reduce((n, [, resolveFirst]) => n + resolveFirst.length, 0), 0)).toBeLessThan(rows / 10);
    expect(rangedResolutions.mock.calls.length).toBeLessThanOrEqual(Math.ceil(rows / limits.writeIntentErrorIntentsMax) + 1);
    expect(await sql('DELETE FROM t WHERE k = 1234')).toBe('DELETE 1');
    expect(await sql('SELECT count(*), sum(k) FROM t')).toBe(`count | sum\n${rows - 1} | ${(rows * (rows + 1)) / 2 - 1234}\nSELECT 1`);
    vi.restoreAllMocks();
  });

  it('fails with 23505 on a duplicate met in a later chunk and leaves the table as it was', async () => {
    const id = await setUp();
    expect(await sql("INSERT INTO t VALUES (250, 0, 'dup')")).toBe('INSERT 0 1');
    expect(await sql('ALTER TABLE t ADD PRIMARY KEY (k)')).toBe('ERROR 23505: could not create unique index "t_pkey"\nDETAIL: Key (k)=(250) is duplicated.');
    // The descriptor did not change (still keyed by rowid: a second duplicate is accepted), the
    // old indexes are whole, and the chunks already written were removed.
    expect([await indexKeys(id, 1), await indexKeys(id, 2), await indexKeys(id, 3)]).toEqual([301, 301, 301]);
    expect([await indexKeys(id, 4), await indexKeys(id, 5), await indexKeys(id, 6)]).toEqual([0, 0, 0]);
    expect(await sql("INSERT INTO t VALUES (250, 1, 'dup2')")).toBe('INSERT 0 1');
    expect(await sql('SELECT count(*), sum(k) FROM t WHERE v = 0')).toBe('count | sum\n31 | 4900\nSELECT 1');
    expect(await sql("DELETE FROM t WHERE w IN ('dup', 'dup2')")).toBe('DELETE 2');
    expect(await sql('ALTER TABLE t ADD PRIMARY KEY (k)')).toBe('ALTER TABLE');
    expect(await sql('SELECT count(*), count(DISTINCT k), sum(k) FROM t')).toBe('count | count | sum\n300 | 300 | 45150\nSELECT 1');
  });

  it('fails with 23502 on a NULL key met after many chunks were written, and leaves the table and the new spans as they were', async () => {
    const id = await setUp();
    // Scanned last (rowid order): every chunk before it has been written to the new spans.
    expect(await sql("INSERT INTO t VALUES (NULL, 0, 'null')")).toBe('INSERT 0 1');
    expect(await sql('ALTER TABLE t ADD PRIMARY KEY (k)')).toBe('ERROR 23502: column "k" of relation "t" contains null values');
    expect([await indexKeys(id, 4), await indexKeys(id, 5), await indexKeys(id, 6)]).toEqual([0, 0, 0]);
    expect([await indexKeys(id, 1), await indexKeys(id, 2), await indexKeys(id, 3)]).toEqual([301, 301, 301]);
    expect(await sql("DELETE FROM t WHERE w = 'null'")).toBe('DELETE 1');
    expect(await sql('ALTER TABLE t ADD PRIMARY KEY (k)')).toBe('ALTER TABLE');
    expect(await sql('SELECT count(*), count(DISTINCT k), sum(k) FROM t')).toBe('count | count | sum\n300 | 300 | 45150\nSELECT 1');
  });

  it('fails with 23505 on a duplicate inside one chunk', async () => {
    expect(await sql('CREATE TABLE d (k INT)')).toBe('CREATE TABLE');
    expect(await sql('INSERT INTO d VALUES (1), (2), (2), (3)')).toBe('INSERT 0 4');
    expect(await sql('ALTER TABLE d ADD PRIMARY KEY (k)')).toBe('ERROR 23505: could not create unique index "d_pkey"\nDETAIL: Key (k)=(2) is duplicated.');
    expect(await sql('SELECT count(*) FROM d')).toBe('count\n4\nSELECT 1');
  });

  it('clears what a failed attempt left in the new spans (a crash mid-backfill)', async () => {
    const id = await setUp();
    // A crashed attempt's chunks: entries under the next ids, never named by a descriptor.
    const timestamp = world.kv.txnDeps.clock.now();
    const junk = [1, 2, 999].map((k) => putRequest(tableKey(id, 4, [intValue(BigInt(k))]), new Uint8Array([1, 2, 3])));
    await world.kv.sender.send(batchRequest(batchHeader({ timestamp }), [...junk, putRequest(tableKey(id, 5, [intValue(7n)]), new Uint8Array([0]))]));
    expect(await sql('ALTER TABLE t ADD PRIMARY KEY (k)')).toBe('ALTER TABLE');
    expect([await indexKeys(id, 4), await indexKeys(id, 5), await indexKeys(id, 6)]).toEqual([300, 300, 300]);
    expect(await sql('SELECT count(*), sum(k) FROM t WHERE k > 0')).toBe('count | sum\n300 | 45150\nSELECT 1');
    expect(await sql('SELECT k FROM t WHERE k = 999')).toBe('k\nSELECT 0');
  });

  it('clears the replaced indexes outright, but only once every transaction older than the change has ended', async () => {
    const id = await setUp();
    const beforeAlter = world.kv.txnDeps.clock.now();
    // A transaction reading the table before the change, and one begun before it that runs nothing yet.
    const older = new Txn(world.kv.sender, world.kv.txnDeps);
    const late = new Txn(world.kv.sender, world.kv.txnDeps);
    expect(await inTxn(older, 'SELECT count(*), sum(k) FROM t')).toEqual(['300', '45150']);
    // The ALTER commits; its post-commit clear starts and waits for `older`.
    const { afterCommit } = await runHoldingAfterCommit(world, 'ALTER TABLE t ADD PRIMARY KEY (k)');
    expect(afterCommit).toBeDefined();
    let cleared = false;
    const clearing = afterCommit!().then(() => (cleared = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cleared).toBe(false);
    // The older transaction still reads the old descriptor and the old index's rows.
    expect(await inTxn(older, 'SELECT count(*), sum(k) FROM t WHERE v = 3')).toEqual(['30', '4440']);
    expect(await indexKeysAt(id, 1, beforeAlter)).toBe(300);
    await older.commit();
    await clearing;
    // Gone at every timestamp (no tombstones over old versions, nothing in the engine), and a
    // read from before the clear is refused by the range's raised GC threshold (persisted, so
    // after a restart too) instead of answering no rows.
    for (const indexId of [1, 2, 3]) await expect(indexKeysAt(id, indexId, beforeAlter)).rejects.toThrow(/must be after replica GC threshold/);
    const engineStats = await computeStats(world.kv.store.engine, indexPrefix(id, 1), prefixEnd(indexPrefix(id, 3), keyMax));
    expect(engineStats.valCount).toBe(0);
    // A transaction that began below the change but showed up only now must restart (40001).
    await expect(inTxn(late, 'SELECT count(*) FROM t')).rejects.toMatchObject({ sqlState: '40001' });
    expect(await sql('SELECT count(*), sum(k) FROM t')).toBe('count | sum\n300 | 45150\nSELECT 1');
  });

  it('is undone with the transaction that ran it', async () => {
    const id = await setUp();
    expect(await runSql(world, 'ALTER TABLE t ADD PRIMARY KEY (k); SELECT 1 / 0', { oneTxn: true })).toBe('ALTER TABLE\nERROR 22012: division by zero');
    expect(await sql("INSERT INTO t VALUES (1, 1, 'again')")).toBe('INSERT 0 1');
    expect(await indexKeys(id, 1)).toBe(301);
    expect(await sql("DELETE FROM t WHERE w = 'again'")).toBe('DELETE 1');
    // Rows written earlier in the same transaction are backfilled with the others.
    expect(await runSql(world, "INSERT INTO t VALUES (301, 1, 'w301'); ALTER TABLE t ADD PRIMARY KEY (k); SELECT count(*), sum(k) FROM t", { oneTxn: true })).toBe(
      "INSERT 0 1\nALTER TABLE\ncount | sum\n301 | 45451\nSELECT 1",
    );
    expect(await sql('SELECT w FROM t WHERE k = 301')).toBe('w\nw301\nSELECT 1');
  });
});

/**
 * Review findings H2 and H1 of session 8: a transaction writing the old primary index with the
 * old descriptor must never commit a row the new index lacks (the old index is cleared after the
 * change). Before the fix, ADD PRIMARY KEY read the rows from a snapshot outside its transaction,
 * which protected the old index only up to the snapshot: such a writer was pushed just above it,
 * below the change's commit, refreshed cleanly and committed — and its row was cleared.
 */
describe('ADD PRIMARY KEY against a transaction still writing with the old descriptor', () => {
  /** Runs `write` in `txn` and commits: 'committed', or the error's SQLSTATE / text. */
  async function writeAndCommit(txn: Txn, write: string): Promise<string> {
    try {
      await inTxn(txn, write);
      await txn.commit();
      return 'committed';
    } catch (error) {
      await txn.rollback().catch(() => undefined);
      return (error as { sqlState?: string }).sqlState ?? String(error);
    }
  }

  it('a transaction begun before the change that inserts after it committed restarts, or keeps its row', async () => {
    await setUp();
    expect(await sql('CREATE TABLE u (a INT PRIMARY KEY)')).toBe('CREATE TABLE');
    const writer = new Txn(world.kv.sender, world.kv.txnDeps);
    await inTxn(writer, 'INSERT INTO u VALUES (1)'); // reads the catalog version in this epoch
    const { afterCommit } = await runHoldingAfterCommit(world, 'ALTER TABLE t ADD PRIMARY KEY (k)');
    const outcome = await writeAndCommit(writer, "INSERT INTO t VALUES (1001, 1, 'w1001')");
    await afterCommit!(); // the old indexes' clear (it waited for the writer)
    const rows = outcome === 'committed' ? '301 | 46151' : '300 | 45150';
    expect(await sql('SELECT count(*), sum(k) FROM t')).toBe(`count | sum\n${rows}\nSELECT 1`);
    expect(outcome).toMatch(/^(committed|40001)$/);
  });

  it('a transaction that took the catalog from the lease and writes while the change runs restarts, or keeps its row', async () => {
    await world.close();
    world = await openSqlWorld({ catalogLeaseNanos: 2_000_000_000n }); // a wide lease: the writer never reads the version
    await setUp();
    expect(await sql('UPDATE t SET v = v WHERE k = -1')).toBe('UPDATE 0'); // takes the lease
    const writer = new Txn(world.kv.sender, world.kv.txnDeps, { priority: 1000 });
    await inTxn(writer, "INSERT INTO t VALUES (1001, 1, 'w1001')");
    const altering = runHoldingAfterCommit(world, 'ALTER TABLE t ADD PRIMARY KEY (k)');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the change's scan meets the writer's intent
    const outcome = await writeAndCommit(writer, "INSERT INTO t VALUES (1002, 2, 'w1002')");
    const { afterCommit } = await altering;
    await afterCommit!();
    const rows = outcome === 'committed' ? '302 | 47153' : '300 | 45150';
    expect(await sql('SELECT count(*), sum(k) FROM t')).toBe(`count | sum\n${rows}\nSELECT 1`);
    expect(await sql("SELECT count(*) FROM t WHERE w IN ('w1001', 'w1002')")).toBe(`count\n${outcome === 'committed' ? 2 : 0}\nSELECT 1`);
  });
});
