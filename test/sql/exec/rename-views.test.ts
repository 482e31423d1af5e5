/**
 * Renames and views through the engine, where the golden logic files cannot reach: a prepared
 * statement planned against a name that a rename took away is planned again at its next run (and
 * fails as PostgreSQL's would, or finds the renamed column); a prepared SELECT from a view sees
 * the view replaced; the descriptors keep the back-references that DROP relies on in step with
 * CREATE OR REPLACE and DROP VIEW; a rename under a view rewrites the view's stored text (what
 * pg_get_viewdef prints) and refuses, naming the reason, where the text cannot follow.
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

  it('rewrites the stored text of the views that read a renamed table or column, token by token', async () => {
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT, \"Mixed\" INT); INSERT INTO t VALUES (1, 'x', 5)");
    await runSql(world, 'CREATE VIEW v1 AS SELECT b, t.b AS b2, x.q FROM t, t AS x(p, q) WHERE t.a = x.p ORDER BY b');
    await runSql(world, 'CREATE VIEW v2 AS SELECT s.b FROM (SELECT b FROM t) s');
    await runSql(world, 'CREATE VIEW v3 AS SELECT "Mixed", T.B FROM public.T');
    await runSql(world, 'ALTER TABLE t RENAME COLUMN b TO "New B"; ALTER TABLE t RENAME COLUMN "Mixed" TO m; ALTER TABLE t RENAME TO u');
    const definition = async (view: string): Promise<string> => (await runSql(world, `SELECT pg_get_viewdef('${view}'::regclass)`)).split('\n')[1]!;
    // The bare select-list reference keeps its output name; x's alias list names its own columns.
    expect(await definition('v1')).toBe(' SELECT "New B" AS b, t."New B" AS b2, x.q FROM u AS t, u AS x(p, q) WHERE t.a = x.p ORDER BY b;');
    expect(await definition('v2')).toBe(' SELECT s.b FROM (SELECT "New B" AS b FROM u AS t) s;');
    expect(await definition('v3')).toBe(' SELECT m AS "Mixed", T."New B" AS b FROM public.u AS t;');
    expect(await runSql(world, 'SELECT * FROM v1')).toBe('b | b2 | q\nx | x | x\nSELECT 1');
    expect(await runSql(world, 'SELECT * FROM v3')).toBe('Mixed | b\n5 | x\nSELECT 1');
  });

  it('refuses a column rename a view text cannot follow (0A000, with the reason), and renames nothing', async () => {
    await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); CREATE TABLE s (b TEXT)");
    const refusal = (view: string, reason: string): string =>
      `ERROR 0A000: cannot rename column "b" of relation "t" because view "${view}" depends on it\nDETAIL: ${reason}`;
    await runSql(world, 'CREATE VIEW nested_star AS SELECT * FROM (SELECT * FROM t) q');
    expect(await runSql(world, 'ALTER TABLE t RENAME COLUMN b TO c')).toContain(refusal('nested_star', 'a `*` below the top of its query reads the column'));
    await runSql(world, 'DROP VIEW nested_star; CREATE VIEW joined AS SELECT a FROM t JOIN s USING (b)');
    expect(await runSql(world, 'ALTER TABLE t RENAME COLUMN b TO c')).toContain(refusal('joined', 'a JOIN … USING names the column'));
    await runSql(world, 'DROP VIEW joined; CREATE VIEW natural_join AS SELECT a FROM t NATURAL JOIN s');
    expect(await runSql(world, 'ALTER TABLE t RENAME COLUMN b TO c')).toContain(refusal('natural_join', 'a NATURAL join matches the column by its name'));
    await runSql(world, "DROP VIEW natural_join; CREATE VIEW beside AS SELECT b FROM t, generate_series(1, 2)");
    expect(await runSql(world, 'ALTER TABLE t RENAME COLUMN b TO c')).toContain('view "beside" depends on it');
    // A correlated reference passing a FROM item of unknown columns: it might have been that item's.
    await runSql(world, 'DROP VIEW beside; CREATE VIEW correlated AS SELECT (SELECT b FROM generate_series(1, 1)) AS inner_b FROM t');
    expect(await runSql(world, 'ALTER TABLE t RENAME COLUMN b TO c')).toContain('view "correlated" depends on it');
    expect(await runSql(world, 'SELECT b FROM t')).toBe('b\nSELECT 0');
  });
});
