/**
 * The merge join (sql/exec/merge-join.ts) against the hash join on the same rows: random tables
 * with NULL keys and duplicates on both sides, every join type, one and two keys, ascending and
 * descending, with and without a residual condition — the merge join is forced by sorted
 * subqueries, the hash join by unsorted inputs, and EXPLAIN checked to say so. And its memory:
 * one key's right rows are held, counted against distsql_workmem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlWorld, runSql, withVariables, type SqlWorld } from './harness.js';

/** A seeded generator (mulberry32): the same tables on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The result lines after the column names, sorted (the tag line last). */
function sortedRows(output: string): string[] {
  const lines = output.split('\n');
  return [...lines.slice(1, -1).sort(), lines.at(-1)!];
}

describe('merge join', () => {
  let world: SqlWorld;

  beforeAll(async () => {
    world = await openSqlWorld();
    const random = seeded(7);
    const value = (nulls: number, range: number): string => (random() < nulls ? 'NULL' : String(Math.floor(random() * range)));
    for (const table of ['a', 'b']) {
      const rows = Array.from({ length: 300 }, (_row, id) => `(${id}, ${value(0.1, 40)}, ${value(0.2, 3)}, ${Math.floor(random() * 10)})`);
      expect(await runSql(world, `CREATE TABLE ${table} (id INT PRIMARY KEY, k INT, k2 INT, x INT); INSERT INTO ${table} VALUES ${rows.join(', ')}`)).toBe('CREATE TABLE\nINSERT 0 300');
    }
  }, 60_000);

  afterAll(async () => {
    await world.close();
  });

  const cases: { name: string; joinType: string; keys: string; order: string; residual: string }[] = [];
  for (const joinType of ['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN'])
    for (const [keys, order] of [
      ['x.k = y.k', 'k'],
      ['x.k = y.k AND x.k2 = y.k2', 'k, k2'],
      ['x.k = y.k', 'k DESC'],
      ['y.k2 = x.k2 AND y.k = x.k', 'k DESC NULLS LAST, k2'],
    ] as const)
      for (const residual of ['', ' AND x.x < y.x']) cases.push({ name: `${joinType} ON ${keys}${residual}, inputs ordered by ${order}`, joinType, keys, order, residual });

  it.each(cases)('$name: the hash join`s rows', async ({ joinType, keys, order, residual }) => {
    const select = 'SELECT x.id, x.k, x.k2, y.id, y.k, y.k2';
    const merged = `${select} FROM (SELECT * FROM a ORDER BY ${order}) x ${joinType} (SELECT * FROM b ORDER BY ${order}) y ON ${keys}${residual}`;
    const hashed = `${select} FROM a x ${joinType} b y ON ${keys}${residual}`;
    expect(await runSql(world, `EXPLAIN ${merged}`)).toContain('join (merge)');
    expect(await runSql(world, `EXPLAIN ${hashed}`)).toContain('join (hash)');
    const expected = sortedRows(await runSql(world, hashed));
    expect(expected.length).toBeGreaterThan(50);
    expect(sortedRows(await runSql(world, merged))).toEqual(expected);
  });

  it('holds one key`s right rows at a time, counted against distsql_workmem (53200 past it)', async () => {
    expect(await runSql(world, "CREATE TABLE dup (k INT, n INT, pad TEXT, PRIMARY KEY (k, n)); INSERT INTO dup SELECT n % 2, n, repeat('x', 200) FROM generate_series(1, 400) AS n")).toBe(
      'CREATE TABLE\nINSERT 0 400',
    );
    const tight = withVariables(world, { distsql_workmem: '64KiB' });
    // 200 rows of about 450 bytes a key: past 64 KiB.
    expect(await runSql(tight, 'EXPLAIN SELECT count(*) FROM dup a JOIN dup b ON a.k = b.k')).toContain('inner join (merge)');
    expect(await runSql(tight, 'SELECT count(*) FROM dup a JOIN dup b ON a.k = b.k')).toMatch(/^ERROR 53200: out of memory\nDETAIL: The merge join of this statement/);
    // One row a key: the whole right side (180 KB) never held, so the same budget passes.
    expect(await runSql(tight, 'SELECT count(*) FROM dup a JOIN dup b ON a.k = b.k AND a.n = b.n')).toBe('count\n400\nSELECT 1');
    expect(await runSql(tight, 'SELECT count(*) FROM dup a FULL JOIN dup b ON a.k = b.k AND a.n = b.n AND a.n > 10')).toBe('count\n410\nSELECT 1');
    // The hash join holds its whole right side: over the same budget it fails.
    expect(await runSql(tight, 'SELECT count(*) FROM dup a JOIN dup b ON a.n = b.n')).toMatch(/^ERROR 53200: out of memory\nDETAIL: The hash join/);
  }, 60_000);
});
