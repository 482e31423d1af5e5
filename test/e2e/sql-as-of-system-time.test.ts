// AS OF SYSTEM TIME through the whole stack (pg → session → engine → txn → KV) on a real node:
// a read at a noted past time sees the values then, in a statement (simple and extended
// protocol) or in a BEGIN / SET TRANSACTION block; the catalog is the one of that time (a table
// altered since is read with its columns of then; one created later does not exist yet);
// writes, locking reads and nextval are 25006; a future time is refused; a time at or below a
// range's GC threshold is 72000 (CockroachDB's "must be after replica GC threshold"), and so is
// one before the data of a dropped table or index was cleared.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timestamp } from '../../clock/timestamp.js';
import { batchHeader, batchRequest, gcRequest, keyMax, meta1Prefix, prefixEnd, scanRequest, tablePrefix } from '../../kv/api/index.js';
import { connectPg, startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
let client: pg.Client;
beforeAll(async () => {
  server = await startSqlNode();
  client = await connect();
});
afterAll(async () => {
  await client.end();
  await server.stop();
});

const connect = (): Promise<pg.Client> => connectPg(server.port);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A time strictly between what committed before and what commits after: a reading of the node's
 * hybrid clock, which every commit's timestamp derives from (monotonic), with a few milliseconds
 * either side so that the ISO form, cut to milliseconds, falls between too. Returned as
 * CockroachDB's decimal HLC form (nanoseconds since 1970, ten digits of logical time).
 */
async function noteTime(): Promise<string> {
  await sleep(5);
  const now = server.node.kv.clock.now();
  await sleep(5);
  return `${now.wallNanos}.${String(now.logical).padStart(10, '0')}`;
}

/**
 * Runs a historical `sql` until it is refused, every answer before that being `rows` (the data
 * is intact until its clear); the refusal. Fails after about four seconds without one.
 */
async function untilRefused(sql: string, rows: readonly object[]): Promise<{ code: string; message: string }> {
  for (let i = 0; i < 200; i++) {
    const answer = await client.query(sql).then(
      (result) => result.rows,
      (error: unknown) => error as { code: string; message: string },
    );
    if (!Array.isArray(answer)) return { code: answer.code, message: answer.message };
    expect(answer).toEqual(rows);
    await sleep(20);
  }
  throw new Error(`never refused: ${sql}`);
}

async function sqlState(sql: string, c: pg.Client = client): Promise<{ code: string; message: string }> {
  try {
    await c.query(sql);
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error(`succeeded: ${sql}`);
}

describe('AS OF SYSTEM TIME', () => {
  let beforeUpdate: string;

  beforeAll(async () => {
    await client.query('CREATE TABLE kv (k INT PRIMARY KEY, v INT)');
    await client.query('INSERT INTO kv VALUES (1, 10), (2, 20)');
    beforeUpdate = await noteTime();
    await client.query('UPDATE kv SET v = v + 1');
    await client.query('INSERT INTO kv VALUES (3, 30)');
  });

  it('reads the values as of the noted time, and the current ones without the clause', async () => {
    const old = await client.query(`SELECT k, v FROM kv AS OF SYSTEM TIME ${beforeUpdate} ORDER BY k`);
    expect(old.rows).toEqual([
      { k: 1, v: 10 },
      { k: 2, v: 20 },
    ]);
    const now = await client.query('SELECT k, v FROM kv ORDER BY k');
    expect(now.rows.map((row: { v: number }) => row.v)).toEqual([11, 21, 30]);
  });

  it('takes a timestamp string in the session time zone, and the extended protocol with parameters', async () => {
    const iso = new Date(Number(BigInt(beforeUpdate.split('.')[0]!) / 1_000_000n)).toISOString();
    const old = await client.query({ text: `SELECT v FROM kv AS OF SYSTEM TIME '${iso}' WHERE k = $1`, values: [1] });
    expect(old.rows).toEqual([{ v: 10 }]);
    // The same prepared statement, run again: still the old value.
    const again = await client.query({ name: 'old-v', text: `SELECT v FROM kv AS OF SYSTEM TIME '${iso}' WHERE k = $1`, values: [2] });
    expect(again.rows).toEqual([{ v: 20 }]);
    expect((await client.query({ name: 'old-v', text: `SELECT v FROM kv AS OF SYSTEM TIME '${iso}' WHERE k = $1`, values: [2] })).rows).toEqual([{ v: 20 }]);
  });

  it('runs a BEGIN AS OF SYSTEM TIME block at that time; a write in it is 25006', async () => {
    const c = await connect();
    try {
      await c.query(`BEGIN AS OF SYSTEM TIME ${beforeUpdate}`);
      expect((await c.query('SELECT v FROM kv WHERE k = 1')).rows).toEqual([{ v: 10 }]);
      expect((await c.query('SELECT count(*)::INT AS n FROM kv')).rows).toEqual([{ n: 2 }]);
      // The same clause on a statement of the block agrees with it.
      expect((await c.query(`SELECT v FROM kv AS OF SYSTEM TIME ${beforeUpdate} WHERE k = 2`)).rows).toEqual([{ v: 20 }]);
      expect(await sqlState('COPY kv FROM STDIN', c)).toEqual({ code: '25006', message: 'cannot execute COPY FROM in a read-only transaction' });
      await c.query('ROLLBACK');
      // A historical transaction is a read-only one: SHOW says so, and READ WRITE is refused.
      await c.query(`BEGIN AS OF SYSTEM TIME ${beforeUpdate}`);
      expect((await c.query('SHOW transaction_read_only')).rows).toEqual([{ transaction_read_only: 'on' }]);
      await c.query('SET TRANSACTION READ ONLY');
      expect(await sqlState('SET TRANSACTION READ WRITE', c)).toEqual({ code: '25006', message: 'AS OF SYSTEM TIME transactions are read-only: READ WRITE is not allowed' });
      await c.query('ROLLBACK');
      await c.query(`BEGIN AS OF SYSTEM TIME ${beforeUpdate}`);
      const write = await sqlState('INSERT INTO kv VALUES (9, 90)', c);
      expect(write).toEqual({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
      await c.query('ROLLBACK');
      expect((await c.query('SELECT count(*)::INT AS n FROM kv WHERE k = 9')).rows).toEqual([{ n: 0 }]);
    } finally {
      await c.end();
    }
  });

  it('SET TRANSACTION AS OF SYSTEM TIME before the first statement; 25001 after it', async () => {
    const c = await connect();
    try {
      await c.query('BEGIN');
      await c.query(`SET TRANSACTION AS OF SYSTEM TIME ${beforeUpdate}`);
      expect((await c.query('SELECT v FROM kv WHERE k = 1')).rows).toEqual([{ v: 10 }]);
      await c.query('COMMIT');
      await c.query('BEGIN');
      await c.query('SELECT 1');
      expect(await sqlState(`SET TRANSACTION AS OF SYSTEM TIME ${beforeUpdate}`, c)).toEqual({ code: '25001', message: 'SET TRANSACTION AS OF SYSTEM TIME must be called before any query' });
      await c.query('ROLLBACK');
      // A statement's clause in a block that is not historical: CockroachDB's 0A000.
      await c.query('BEGIN');
      const inconsistent = await sqlState(`SELECT v FROM kv AS OF SYSTEM TIME ${beforeUpdate}`, c);
      expect(inconsistent.code).toBe('0A000');
      expect(inconsistent.message).toMatch(/^inconsistent AS OF SYSTEM TIME timestamp; expected: \d+\.\d{9},\d+, got: \d+\.\d{9},0$/);
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
  });

  it("makes now() the historical time, as CockroachDB's transaction timestamp", async () => {
    const { rows } = await client.query("SELECT * FROM (SELECT now() AS t) AS s AS OF SYSTEM TIME '2018-01-01 00:00:00+00'");
    expect(rows).toEqual([{ t: new Date('2018-01-01T00:00:00Z') }]);
  });

  it('goes with the prepared query of PREPARE and with EXPLAIN; DECLARE CURSOR refuses it (0A000)', async () => {
    await client.query(`PREPARE old_v (INT) AS SELECT v FROM kv AS OF SYSTEM TIME ${beforeUpdate} WHERE k = $1`);
    expect((await client.query('EXECUTE old_v (1)')).rows).toEqual([{ v: 10 }]);
    await client.query('DEALLOCATE old_v');
    const plan = await client.query(`EXPLAIN SELECT v FROM kv AS OF SYSTEM TIME ${beforeUpdate} WHERE k = 1`);
    expect(plan.rows.length).toBeGreaterThan(0);
    const c = await connect();
    try {
      await c.query(`BEGIN AS OF SYSTEM TIME ${beforeUpdate}`);
      const cursor = await sqlState(`DECLARE old CURSOR FOR SELECT v FROM kv AS OF SYSTEM TIME ${beforeUpdate}`, c);
      expect(cursor).toEqual({ code: '0A000', message: 'AS OF SYSTEM TIME cannot be used with DECLARE' });
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
  });

  it('refuses writes, locking reads and nextval (25006), future times (22023) and bounded staleness (0A000)', async () => {
    await client.query('CREATE SEQUENCE s');
    const at = await noteTime();
    expect(await sqlState(`UPDATE kv SET v = 0 AS OF SYSTEM TIME ${at}`)).toEqual({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction' });
    expect(await sqlState(`SELECT * FROM kv AS OF SYSTEM TIME ${at} FOR UPDATE`)).toEqual({ code: '25006', message: 'cannot execute SELECT FOR UPDATE in a read-only transaction' });
    expect(await sqlState(`INSERT INTO kv SELECT k + 10, v FROM kv AS OF SYSTEM TIME ${at}`)).toEqual({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
    expect(await sqlState(`SELECT nextval('s') FROM kv AS OF SYSTEM TIME ${at}`)).toEqual({ code: '25006', message: 'cannot execute nextval() in a read-only transaction' });
    const future = await sqlState("SELECT * FROM kv AS OF SYSTEM TIME '2200-01-01'");
    expect(future.code).toBe('22023');
    expect(future.message).toMatch(/^AS OF SYSTEM TIME: cannot specify timestamp in the future \(7258118400\.000000000,0 > \d+\.\d{9},\d+\)$/);
    expect(await sqlState("SELECT * FROM kv AS OF SYSTEM TIME '10s'")).toEqual({ code: '22023', message: "AS OF SYSTEM TIME: interval value '10s' too large, AS OF interval must be <= -1µs" });
    expect(await sqlState("SELECT * FROM kv AS OF SYSTEM TIME with_max_staleness('10s')")).toMatchObject({ code: '0A000' });
    expect(await sqlState('SELECT * FROM kv AS OF SYSTEM TIME now()')).toEqual({ code: '0A000', message: 'AS OF SYSTEM TIME: only constant expressions or follower_read_timestamp are allowed' });
    expect(await sqlState('SELECT * FROM (SELECT * FROM kv AS OF SYSTEM TIME now()) s')).toEqual({ code: '42601', message: 'AS OF SYSTEM TIME must be provided on a top-level statement' });
  });

  it('reads the catalog as of the time: a table dropped and created again has its columns of then; a later table does not exist', async () => {
    await client.query('CREATE TABLE d (a INT PRIMARY KEY)');
    await client.query('INSERT INTO d VALUES (1), (2)');
    const beforeDrop = await noteTime();
    expect((await client.query(`SELECT * FROM d AS OF SYSTEM TIME ${beforeDrop} ORDER BY 1`)).rows).toEqual([{ a: 1 }, { a: 2 }]);
    // DROP TABLE clears the rows outright after its commit (cff60e5), having raised the span's
    // GC threshold: until then the history reads the rows, afterwards it is refused (72000) —
    // never read as an empty table.
    await client.query('DROP TABLE d');
    expect(await untilRefused(`SELECT * FROM d AS OF SYSTEM TIME ${beforeDrop} ORDER BY 1`, [{ a: 1 }, { a: 2 }])).toMatchObject({ code: '72000' });
    await client.query('CREATE TABLE d (b TEXT PRIMARY KEY, c INT)');
    await client.query("INSERT INTO d VALUES ('x', 1)");
    const beforeAlter = await noteTime();
    await client.query('ALTER TABLE d ADD COLUMN e INT DEFAULT 7');
    await client.query("INSERT INTO d VALUES ('y', 2, 3)");
    await client.query('CREATE TABLE later (x INT)');
    const old = await client.query(`SELECT * FROM d AS OF SYSTEM TIME ${beforeAlter} ORDER BY 1`);
    expect(old.fields.map((field) => field.name)).toEqual(['b', 'c']);
    expect(old.rows).toEqual([{ b: 'x', c: 1 }]);
    expect((await client.query('SELECT * FROM d ORDER BY 1')).rows).toEqual([
      { b: 'x', c: 1, e: 7 },
      { b: 'y', c: 2, e: 3 },
    ]);
    expect(await sqlState(`SELECT * FROM later AS OF SYSTEM TIME ${beforeAlter}`)).toEqual({ code: '42P01', message: 'relation "later" does not exist' });
  });

  it('refuses a time before a cleared dropped index with 72000, not rows silently missing', async () => {
    await client.query('CREATE TABLE p (a INT NOT NULL, b INT)');
    await client.query('INSERT INTO p VALUES (1, 1), (2, 2)');
    const before = await noteTime();
    expect((await client.query(`SELECT count(*)::INT AS n FROM p AS OF SYSTEM TIME ${before}`)).rows).toEqual([{ n: 2 }]);
    // The rowid primary index is replaced, and cleared outright once no older reader is open
    // (sql/exec/reader-horizon.ts), after its range's GC threshold was raised to the clear.
    await client.query('ALTER TABLE p ADD PRIMARY KEY (a)');
    const answer = await untilRefused(`SELECT count(*)::INT AS n FROM p AS OF SYSTEM TIME ${before}`, [{ n: 2 }]);
    expect(answer.code).toBe('72000');
    expect(answer.message).toMatch(/^batch timestamp \d+\.\d{9},\d+ must be after replica GC threshold \d+\.\d{9},\d+$/);
    // Other tables keep their history: the refusal is the cleared ranges', not the node's.
    expect((await client.query(`SELECT k, v FROM kv AS OF SYSTEM TIME ${before} ORDER BY k`)).rows.length).toBeGreaterThan(0);
    expect((await client.query('SELECT count(*)::INT AS n FROM p')).rows).toEqual([{ n: 2 }]);
    // The refusal outlives this process: the cleared span's ranges keep a GC threshold at the
    // clear (persisted by the range), so a read below it is refused by KV itself — the reader
    // horizon above is in memory only, and after a restart the emptied span read as no rows.
    const kv = server.node.kv;
    const id = Number((await client.query("SELECT oid::INT AS id FROM pg_class WHERE relname = 'p' AND relkind = 'r'")).rows[0].id);
    const [wall, logical] = before.split('.');
    const at = timestamp(BigInt(wall!), Number(logical));
    const scanAt = (ts: typeof at) => kv.sender.send(batchRequest(batchHeader({ timestamp: ts }), [scanRequest(tablePrefix(id), prefixEnd(tablePrefix(id), keyMax))] as const));
    expect((await scanAt(kv.clock.now())).responses[0].rows.length).toBeGreaterThan(0); // the new primary index
    let refusal: unknown;
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      refusal = await scanAt(at).then(() => undefined, (error: unknown) => error);
      if (refusal === undefined) await sleep(20);
    }
    expect(String(refusal)).toMatch(/must be after replica GC threshold/);
  });

  it('refuses a time at or below the GC threshold with 72000', async () => {
    const collected = await noteTime();
    await client.query('UPDATE kv SET v = v + 1');
    const kv = server.node.kv;
    const threshold = kv.clock.now();
    // Raise every range's GC threshold (the one key named has no versions: only the threshold moves).
    for (const range of await kv.ranges()) {
      const start = range.startKey.length === 0 ? meta1Prefix : range.startKey; // /Min itself is not addressable
      await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [gcRequest(start, range.endKey, [{ key: start, timestamp: threshold }], threshold)]));
    }
    const error = await sqlState(`SELECT * FROM kv AS OF SYSTEM TIME ${collected}`);
    expect(error.code).toBe('72000');
    expect(error.message).toMatch(/^batch timestamp \d+\.\d{9},0 must be after replica GC threshold \d+\.\d{9},\d+$/);
    // Above the threshold, reads go on.
    expect((await client.query('SELECT v FROM kv WHERE k = 1')).rows).toEqual([{ v: 12 }]);
  });
});
