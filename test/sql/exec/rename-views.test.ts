/**
 * Renames and views through the engine, where the golden logic files cannot reach: a prepared
 * statement planned against a name that a rename took away is planned again at its next run (and
 * fails as PostgreSQL's would, or finds the renamed column); a prepared SELECT from a view sees
 * the view replaced; the descriptors keep the back-references that DROP relies on in step with
 * CREATE OR REPLACE and DROP VIEW.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTxn } from '../../../txn/index.js';
import { parse } from '../../../sql/parser/index.js';
import { Catalog, DescriptorCache } from '../../../sql/catalog/index.js';
import type { PreparedStatement } from '../../../sql/exec/index.js';
import { openSqlWorld, runSql, type SqlWorld } from './harness.js';

const cancel = { throwIfCancelled: (): void => undefined };

describe('renames and views in the engine', () => {
  let world: SqlWorld;

  const prepare = (sql: string): Promise<PreparedStatement> =>
    runTxn(world.kv.sender, world.kv.txnDeps, (txn) => world.engine.prepare(parse(sql)[0]!, { txn, settings: world.settings, paramTypeHints: [] }));

  const run = (prepared: PreparedStatement, params: readonly unknown[] = []): Promise<string[]> =>
    runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      const result = await prepared.run({ txn, settings: world.settings, params: params as never, cancel });
      const rows: string[] = [];
      for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push(next.value.map(String).join(' '));
      return rows;
    });

  /** The ids of the views a relation's descriptor lists as reading it. */
  const readers = (name: string): Promise<number[]> =>
    runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      const catalog = await Catalog.open(txn, new DescriptorCache());
      const entry = (await catalog.listNames(100, 101)).find((candidate) => candidate.name === name);
      const descriptor = entry === undefined ? undefined : await catalog.descriptor(entry.id);
      if (descriptor?.kind !== 'table' && descriptor?.kind !== 'view') throw new Error(`no relation ${name}`);
      return (descriptor.dependedOnBy ?? []).map((dependent) => dependent.viewId);
    });

  beforeEach(async () => {
    world = await openSqlWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  it('plans a prepared statement again after a rename took its table or column away', async () => {
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x')");
    const byTable = await prepare('SELECT b FROM t WHERE a = $1');
    const byColumn = await prepare('SELECT a FROM t WHERE b = $1');
    expect(await run(byTable, [1])).toEqual(['x']);
    await runSql(world, 'ALTER TABLE t RENAME TO u');
    await expect(run(byTable, [1])).rejects.toMatchObject({ sqlState: '42P01', message: 'relation "t" does not exist' });
    await runSql(world, 'ALTER TABLE u RENAME TO t; ALTER TABLE t RENAME COLUMN b TO c');
    await expect(run(byColumn, ['x'])).rejects.toMatchObject({ sqlState: '42703' });
    // Renamed back, the same prepared statements work again: each run checks the catalog version.
    await runSql(world, 'ALTER TABLE t RENAME COLUMN c TO b');
    expect(await run(byColumn, ['x'])).toEqual(['1']);
    expect(await run(byTable, [1])).toEqual(['x']);
  });

  it('expands a view at each run: a prepared SELECT sees CREATE OR REPLACE', async () => {
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'); CREATE VIEW v AS SELECT a FROM t WHERE a > 1");
    const select = await prepare('SELECT * FROM v ORDER BY a');
    expect(await run(select)).toEqual(['2']);
    await runSql(world, 'CREATE OR REPLACE VIEW v AS SELECT a FROM t');
    expect(await run(select)).toEqual(['1', '2']);
  });

  it('keeps back-references in step with CREATE OR REPLACE and DROP VIEW', async () => {
    await runSql(world, 'CREATE TABLE t (a INT PRIMARY KEY); CREATE TABLE s (a INT PRIMARY KEY); CREATE VIEW v AS SELECT a FROM t');
    const [viewId] = await readers('t');
    expect(viewId).toBeGreaterThan(0);
    expect(await readers('s')).toEqual([]);
    await runSql(world, 'CREATE OR REPLACE VIEW v AS SELECT a FROM s');
    expect(await readers('t')).toEqual([]);
    expect(await readers('s')).toEqual([viewId]);
    await runSql(world, 'CREATE VIEW w AS SELECT a FROM v');
    expect(await readers('v')).toHaveLength(1);
    await runSql(world, 'DROP VIEW v CASCADE');
    expect(await readers('s')).toEqual([]);
    // t and s are free again: DROP TABLE needs no CASCADE.
    await runSql(world, 'DROP TABLE t; DROP TABLE s');
  });

  it('refuses a view that reads itself through OR REPLACE (42P17), where PostgreSQL fails at its first use', async () => {
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY); INSERT INTO t VALUES (1); CREATE VIEW v AS SELECT a FROM t");
    expect(await runSql(world, 'CREATE OR REPLACE VIEW v AS SELECT a FROM v')).toContain('ERROR 42P17');
    expect(await runSql(world, 'SELECT a FROM v')).not.toContain('ERROR');
  });
});
