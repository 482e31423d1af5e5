/**
 * The engine through its contract, beyond the golden scripts: parameter type inference, plans
 * re-made after a concurrent DDL, the descriptor cache never serving an aborted transaction's
 * catalog, the new table's range split after commit (concurrent splits retried), point lookups
 * read with the catalog version (or checked by the catalog version fence), and rows pulled lazily.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tablePrefix, compareKeys, descriptorKey, TransactionRetryError } from '../../../kv/api/index.js';
import { less, lessEq } from '../../../clock/timestamp.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { parse } from '../../../sql/parser/index.js';
import type { PreparedStatement } from '../../../sql/exec/index.js';
import { openSqlWorld, runSql, type SqlWorld } from './harness.js';

const cancel = { throwIfCancelled: (): void => undefined };

describe('SqlEngine', () => {
  let world: SqlWorld;

  /** Runs `prepared` in a new transaction: its rows (each through `format`) and how many requests the transaction sent. */
  const countedRun = (prepared: PreparedStatement, params: readonly unknown[], format: (row: readonly unknown[]) => string): Promise<{ rows: string[]; batches: number }> =>
    runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      let batches = 0;
      const batch = txn.batch.bind(txn);
      const get = txn.get.bind(txn);
      txn.batch = ((...args: Parameters<typeof batch>) => {
        batches += 1;
        return batch(...args);
      }) as typeof txn.batch;
      txn.get = (...args: Parameters<typeof get>) => {
        batches += 1;
        return get(...args);
      };
      const result = await prepared.run({ txn, settings: world.settings, params: params as never, cancel });
      const rows: string[] = [];
      for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push(format(next.value));
      return { rows, batches };
    });
  beforeEach(async () => {
    world = await openSqlWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  const prepare = (sql: string): Promise<PreparedStatement> =>
    runTxn(world.kv.sender, world.kv.txnDeps, (txn) => world.engine.prepare(parse(sql)[0]!, { txn, settings: world.settings, paramTypeHints: [] }));

  const run = (prepared: PreparedStatement, params: readonly unknown[] = []): Promise<string[]> =>
    runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      const result = await prepared.run({ txn, settings: world.settings, params: params as never, cancel });
      const rows: string[] = [];
      for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push(JSON.stringify(next.value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
      rows.push(result.tag());
      return rows;
    });

  it('infers parameter types from context, text when nothing says', async () => {
    await runSql(world, 'CREATE TABLE t (a INT PRIMARY KEY, b TEXT, c BIGINT)');
    const kinds = async (sql: string): Promise<string[]> => (await prepare(sql)).paramTypes.map((type) => type.kind);
    expect(await kinds('SELECT * FROM t WHERE a = $1')).toEqual(['int4']);
    expect(await kinds('INSERT INTO t VALUES ($1, $2, $3)')).toEqual(['int4', 'text', 'int8']);
    expect(await kinds('UPDATE t SET c = c + $2 WHERE a = $1')).toEqual(['int4', 'int8']);
    expect(await kinds('SELECT $1')).toEqual(['text']);
    expect(await kinds('SELECT $1::int8 + 1')).toEqual(['int8']);
  });

  it('runs a prepared point lookup with parameters', async () => {
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
    const select = await prepare('SELECT b FROM t WHERE a = $1');
    expect(await run(select, [2])).toEqual(['["y"]', 'SELECT 1']);
    expect(await run(select, [3])).toEqual(['SELECT 0']);
  });

  it('reads a primary-key point lookup in the batch that reads the catalog version: one KV batch a statement', async () => {
    // Without a catalog lease every statement reads the version (or has the fence check it).
    await world.close();
    world = await openSqlWorld({ catalogLeaseNanos: 0n });
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')");
    const counted = (prepared: PreparedStatement, params: readonly unknown[]) => countedRun(prepared, params, (row) => String(row[0]));
    expect(await counted(await prepare('SELECT b FROM t WHERE a = $1'), [2])).toEqual({ rows: ['y'], batches: 1 });
    expect(await counted(await prepare('SELECT b FROM t WHERE a = $1'), [4])).toEqual({ rows: [], batches: 1 });
    expect(await counted(await prepare('SELECT b FROM t WHERE a IN (3, 1) ORDER BY b'), [])).toEqual({ rows: ['x', 'z'], batches: 1 });
    // Not a primary-key lookup: the version, then the scan.
    expect(await counted(await prepare('SELECT a FROM t WHERE b = $1'), ['z'])).toEqual({ rows: ['3'], batches: 2 });
    // A locking read is not prefetched: its gets lock.
    expect(await counted(await prepare('SELECT b FROM t WHERE a = $1 FOR UPDATE'), [1])).toEqual({ rows: ['x'], batches: 2 });
    // After a DDL the plan is made again and its scan reads again (the prefetched reads were the old plan's).
    const select = await prepare('SELECT b FROM t WHERE a = $1');
    await runSql(world, "ALTER TABLE t ADD COLUMN c INT DEFAULT 7; UPDATE t SET b = 'w' WHERE a = 1");
    expect((await counted(select, [1])).rows).toEqual(['w']);
  });

  it('runs one plan of a point lookup with any parameter values, and re-plans it against a table dropped and created again', async () => {
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')");
    const select = await prepare('SELECT b FROM t WHERE a = $1');
    for (const [a, rows] of [[3, ['["z"]']], [1, ['["x"]']], [9, []], [null, []], [2, ['["y"]']]] as const) {
      expect(await run(select, [a])).toEqual([...rows, `SELECT ${rows.length}`]);
    }
    const inList = await prepare('SELECT b FROM t WHERE a IN ($1, $2, 1) ORDER BY b');
    expect(await run(inList, [3, 3])).toEqual(['["x"]', '["z"]', 'SELECT 2']);
    expect(await run(inList, [null, 2])).toEqual(['["x"]', '["y"]', 'SELECT 2']);
    // The same names over a new table (a new id, another primary key): the plan is made again.
    await runSql(world, "DROP TABLE t; CREATE TABLE t (b TEXT, a INT PRIMARY KEY); INSERT INTO t VALUES ('new', 3)");
    expect(await run(select, [3])).toEqual(['["new"]', 'SELECT 1']);
    expect(await run(select, [1])).toEqual(['SELECT 0']);
  });

  describe('point lookups checked by the catalog version fence', () => {
    const runIn = async (txn: Txn, sql: string, params: readonly unknown[] = []): Promise<string[]> => {
      const prepared = await world.engine.prepare(parse(sql)[0]!, { txn, settings: world.settings, paramTypeHints: [] });
      const result = await prepared.run({ txn, settings: world.settings, params: params as never, cancel });
      const rows: string[] = [];
      for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push(JSON.stringify(next.value));
      return rows;
    };
    const counted = (prepared: PreparedStatement, params: readonly unknown[]) => countedRun(prepared, params, (row) => JSON.stringify(row));

    it('read only their rows in their transaction once the fence confirmed the plan, and see a DDL committed by another session at their next run', async () => {
      await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
      const select = await prepare('SELECT * FROM t WHERE a = $1');
      await run(select, [1]); // starts the fence's confirmation of the catalog token
      expect(await counted(select, [2])).toEqual({ rows: ['[2,"y"]'], batches: 1 });
      expect(await counted(select, [3])).toEqual({ rows: [], batches: 1 });
      await runSql(world, "ALTER TABLE t ADD COLUMN c TEXT; UPDATE t SET c = 'new' WHERE a = 2");
      await expect(run(select, [2])).rejects.toMatchObject({ sqlState: '0A000', message: 'cached plan must not change result type' });
      const again = await prepare('SELECT * FROM t WHERE a = $1');
      expect((await counted(again, [2])).rows).toEqual(['[2,"y","new"]']);
      await run(again, [1]);
      expect(await counted(again, [1])).toEqual({ rows: ['[1,"x",null]'], batches: 1 });
    });

    it('wait for a DDL whose token write is in flight and answer with the catalog it committed', async () => {
      await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
      const select = await prepare('SELECT * FROM t WHERE a = $1');
      for (let i = 0; i < 3; i++) await run(select, [1]);
      // As SQL sessions run (src/node/node.ts): each write laid down at once, here the token's intent.
      const ddl = new Txn(world.kv.sender, world.kv.txnDeps, { writeBufferBytesMax: 0 });
      await runIn(ddl, 'ALTER TABLE t ADD COLUMN c INT');
      // The engine leases the catalog (20 ms ahead of the clock by default): the token's intent
      // lies above the last lease, at W. A lookup starting before W is inside that lease and is
      // rightly answered at once with the old catalog (it orders before the DDL, which commits
      // above W) — so, to meet the intent, the lookup starts once the clock has passed W. From
      // then on no lease can cover it (a renewal reading at or above W meets the intent too),
      // whatever the machine's speed: the outcome no longer depends on how long the DDL took.
      const intentAt = ddl.transaction.writeTimestamp;
      while (!less(intentAt, world.kv.clock.now())) await new Promise((resolve) => setTimeout(resolve, 1));
      let fenceSent!: () => void;
      const fenceAboveIntent = new Promise<void>((resolve) => (fenceSent = resolve));
      const send = world.kv.sender.send.bind(world.kv.sender);
      world.kv.sender.send = ((request: Parameters<typeof send>[0]) => {
        const [get] = request.requests;
        if (request.header.txn === undefined && get?.kind === 'get' && compareKeys(get.key, descriptorKey(0)) === 0 && lessEq(intentAt, request.header.timestamp)) fenceSent();
        return send(request);
      }) as typeof send;
      let settled = false;
      const lookup = run(select, [2]).finally(() => (settled = true));
      lookup.catch(() => undefined);
      await fenceAboveIntent;
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Its row was read; the fence met the DDL's intent on the catalog token and waits it out.
      expect(settled).toBe(false);
      await ddl.commit();
      await expect(lookup).rejects.toMatchObject({ sqlState: '0A000' });
    });

    it('order a DDL whose token write is still held back after the statements the fence vouched for', async () => {
      await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
      const select = await prepare('SELECT * FROM t WHERE a = $1');
      for (let i = 0; i < 3; i++) await run(select, [1]);
      const ddl = new Txn(world.kv.sender, world.kv.txnDeps); // the token's put waits in the write buffer
      await runIn(ddl, 'ALTER TABLE t ADD COLUMN c INT');
      const beganAt = ddl.transaction.writeTimestamp;
      expect(await run(select, [2])).toEqual(['[2,"y"]', 'SELECT 1']); // the old catalog: nothing of the DDL is visible
      await ddl.commit();
      // The fence's read of the token pushed the DDL's commit above the lookup's timestamp.
      expect(ddl.transaction.writeTimestamp.wallNanos > beganAt.wallNanos || ddl.transaction.writeTimestamp.logical > beganAt.logical).toBe(true);
      await expect(run(select, [2])).rejects.toMatchObject({ sqlState: '0A000' });
    });

    it('are not fenced in a transaction that wrote the catalog: it reads its own DDL', async () => {
      await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x')");
      const select = await prepare('SELECT b FROM t WHERE a = $1');
      for (let i = 0; i < 3; i++) await run(select, [1]);
      const txn = new Txn(world.kv.sender, world.kv.txnDeps);
      await runIn(txn, 'ALTER TABLE t DROP COLUMN b');
      await expect(select.run({ txn, settings: world.settings, params: [1], cancel })).rejects.toMatchObject({ sqlState: '42703' });
      await txn.rollback();
      expect(await run(select, [1])).toEqual(['["x"]', 'SELECT 1']);
    });
  });

  describe('the catalog lease (a fence read in the future: version-fence.ts)', () => {
    const lease = 1_000_000_000n;
    const runIn = async (txn: Txn, sql: string, params: readonly unknown[] = []): Promise<string[]> => {
      const prepared = await world.engine.prepare(parse(sql)[0]!, { txn, settings: world.settings, paramTypeHints: [] });
      const result = await prepared.run({ txn, settings: world.settings, params: params as never, cancel });
      const rows: string[] = [];
      for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push(JSON.stringify(next.value));
      return rows;
    };
    /** Runs `prepared` until a run sends only its scan (the lease is taken in the background). */
    const untilLeased = async (prepared: PreparedStatement): Promise<number> => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const { batches } = await countedRun(prepared, ['x'], (row) => JSON.stringify(row));
        if (batches === 1) return batches;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return 2;
    };
    const versionKey = descriptorKey(0);
    const readsToken = (txn: Txn): boolean => txn.interceptors.spanRefresher.refreshSpans.some((span) => compareKeys(span.key, versionKey) === 0);

    it('serves statements inside it without reading the version token, and a DDL commits above it and is seen at once after', async () => {
      await world.close();
      world = await openSqlWorld({ catalogLeaseNanos: lease });
      await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
      // Not a primary-key lookup: without the lease, the version and then the scan (2 batches).
      const select = await prepare('SELECT * FROM t WHERE b = $1');
      expect(await untilLeased(select)).toBe(1);
      const before = world.kv.txnDeps.clock.now();
      await runSql(world, 'ALTER TABLE t ADD COLUMN c INT DEFAULT 7');
      // The DDL's token write landed above the lease, and its commit waited for the clock to
      // pass it: a statement begun now reads the new catalog.
      await expect(run(select, ['x'])).rejects.toMatchObject({ sqlState: '0A000', message: 'cached plan must not change result type' });
      expect(await run(await prepare('SELECT * FROM t WHERE b = $1'), ['x'])).toEqual(['[1,"x",7]', 'SELECT 1']);
      expect(world.kv.txnDeps.clock.now().wallNanos - before.wallNanos).toBeLessThan(lease + 5_000_000_000n);
    });

    it('puts the token in the read set of a transaction it serves: pushed past a DDL, the transaction cannot commit on the old catalog', async () => {
      await world.close();
      world = await openSqlWorld({ catalogLeaseNanos: lease });
      await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'); CREATE TABLE u (k INT PRIMARY KEY, v TEXT); INSERT INTO u VALUES (1, 'x')");
      const select = await prepare('SELECT * FROM t WHERE b = $1'); // and t's descriptor is cached
      let stale: Txn | undefined;
      for (let attempt = 0; attempt < 10 && stale === undefined; attempt++) {
        expect(await untilLeased(select)).toBe(1);
        const txn = new Txn(world.kv.sender, world.kv.txnDeps);
        // Its catalog comes from the lease, t's descriptor from the cache: it reads neither.
        await runIn(txn, "UPDATE t SET b = 'z' WHERE a = 1");
        if (readsToken(txn)) stale = txn; // served by the lease (else it read the token itself; try again)
        else await txn.rollback();
      }
      expect(stale).toBeDefined();
      const txn = stale!;
      // A DDL commits above the lease; then a reader of u's row leaves its timestamp in the cache.
      await runSql(world, 'CREATE TABLE w (x INT)');
      expect(await runSql(world, 'SELECT v FROM u WHERE k = 1')).toContain('x');
      // The transaction writes u's row: pushed above the reader, past the DDL. Nothing it read
      // changed but the catalog token — whose refresh fails, so it does not commit on the
      // catalog the DDL replaced below its commit timestamp.
      const outcome = (async () => {
        await runIn(txn, "UPDATE u SET v = 'q' WHERE k = 1");
        await txn.commit();
      })();
      const error = await outcome.then(() => undefined, (failure: unknown) => failure);
      expect(error).toBeInstanceOf(TransactionRetryError);
      expect((error as Error).message).toContain('/System/Descriptor/0');
      if (!txn.isFinished) await txn.rollback();
      expect(await runSql(world, 'SELECT b FROM t; SELECT v FROM u')).toMatch(/x[\s\S]*x/);
    });
  });

  it('gives statement_timestamp() once per statement, never below the transaction timestamp', async () => {
    const select = await prepare('SELECT statement_timestamp() = statement_timestamp(), statement_timestamp() >= transaction_timestamp(), now() = transaction_timestamp()');
    expect(await run(select)).toEqual(['[true,true,true]', 'SELECT 1']);
    const later = await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      const stamps: unknown[] = [];
      for (const sql of ['SELECT statement_timestamp()', 'SELECT statement_timestamp(), transaction_timestamp()']) {
        await new Promise((resolve) => setTimeout(resolve, 10)); // the real clock moves on between statements
        const prepared = await world.engine.prepare(parse(sql)[0]!, { txn, settings: world.settings, paramTypeHints: [] });
        const result = await prepared.run({ txn, settings: world.settings, params: [], cancel });
        for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) stamps.push(...next.value);
      }
      return stamps as bigint[];
    });
    // The second statement of the transaction started later: its timestamp moved on.
    expect(later[1]! - later[0]!).toBeGreaterThanOrEqual(9_000n);
    expect(later[2]! <= later[0]!).toBe(true);
  });

  it('re-plans after a concurrent DDL, and refuses a plan whose result columns changed', async () => {
    await runSql(world, 'CREATE TABLE t (a INT PRIMARY KEY)');
    const insert = await prepare('INSERT INTO t (a) VALUES ($1)');
    const selectStar = await prepare('SELECT * FROM t');
    await runSql(world, 'ALTER TABLE t ADD COLUMN b INT DEFAULT 5');
    expect(await run(insert, [1])).toEqual(['INSERT 0 1']);
    await expect(run(selectStar)).rejects.toMatchObject({ sqlState: '0A000', message: 'cached plan must not change result type' });
    expect(await runSql(world, 'SELECT * FROM t')).toBe('a | b\n1 | 5\nSELECT 1');
  });

  it('never serves an aborted transaction catalog from the cache', async () => {
    await expect(
      runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
        for (const statement of parse('CREATE TABLE gone (a INT); INSERT INTO gone VALUES (1); SELECT * FROM gone')) {
          const prepared = await world.engine.prepare(statement, { txn, settings: world.settings, paramTypeHints: [] });
          await prepared.run({ txn, settings: world.settings, params: [], cancel });
        }
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await runSql(world, 'SELECT * FROM gone')).toBe('ERROR 42P01: relation "gone" does not exist');
    expect(await runSql(world, 'CREATE TABLE gone (b TEXT)')).toBe('CREATE TABLE');
  });

  it('splits off a new table range after commit', async () => {
    expect(await runSql(world, 'CREATE TABLE split_me (a INT PRIMARY KEY)')).toBe('CREATE TABLE');
    const ranges = await world.kv.ranges();
    const starts = ranges.map((range) => range.startKey);
    // The first table id is 104: 100–103 are defaultdb, postgres and their public schemas.
    expect(starts.some((start) => compareKeys(start, tablePrefix(104)) === 0)).toBe(true);
  });

  it('splits off the range of each table created concurrently (conflicting splits are tried again)', async () => {
    // pgbench -i creates four tables back to back; the session runs each one's split after its
    // commit without waiting, so the splits of the one range they all start in overlap.
    const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const splits: (() => Promise<void>)[] = [];
    for (const name of names) {
      const create = await prepare(`CREATE TABLE ${name} (a INT PRIMARY KEY)`);
      await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
        const result = await create.run({ txn, settings: world.settings, params: [], cancel });
        for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next());
        if (result.afterCommit !== undefined) splits.push(result.afterCommit);
      });
    }
    await Promise.all(splits.map((split) => split()));
    const starts = (await world.kv.ranges()).map((range) => range.startKey);
    for (let id = 104; id < 104 + names.length; id++) expect(starts.some((start) => compareKeys(start, tablePrefix(id)) === 0), `table ${id}`).toBe(true);
  });

  it('anchors the transaction of a TRUNCATE in the system range, so a bulk load after it commits with asynchronous intent resolution', async () => {
    await runSql(world, 'CREATE TABLE loaded (a INT PRIMARY KEY)');
    const truncate = await prepare('TRUNCATE loaded');
    const anchor = await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      const result = await truncate.run({ txn, settings: world.settings, params: [], cancel });
      for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next());
      return txn.transaction.key;
    });
    expect(compareKeys(anchor, tablePrefix(104))).toBeLessThan(0);
  });

  it('pulls rows lazily: a LIMIT over a large scan reads only the first page', async () => {
    await runSql(world, 'CREATE TABLE big (a INT PRIMARY KEY); INSERT INTO big SELECT * FROM generate_series(1, 3000)');
    const select = await prepare('SELECT a FROM big LIMIT 2');
    expect(await run(select)).toEqual(['[1]', '[2]', 'SELECT 2']);
  });
});
