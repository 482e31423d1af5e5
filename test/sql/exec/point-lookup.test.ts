/**
 * A primary-key point lookup's rows are computed without operators when only filters and
 * projections sit above its scan (sql/exec/point-lookup.ts). That is a second way to run the
 * same plan: every query here runs both ways — as written (the lookup chain) and with a
 * `LIMIT` on top (a limit is not part of a chain: the operators run over the same reads) —
 * and must give the same rows, tag and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Datum } from '../../../sql/types/index.js';
import { openSqlWorld, runSql, type SqlWorld } from './harness.js';

let world: SqlWorld;

beforeAll(async () => {
  world = await openSqlWorld();
  const setup = await runSql(
    world,
    `CREATE TABLE t (k INT PRIMARY KEY, a INT, b TEXT, c INT);
     INSERT INTO t VALUES (1, 10, 'one', 100), (2, 20, NULL, 200), (3, NULL, 'three', NULL), (4, 0, '', 400);
     CREATE TABLE pair (x INT, y TEXT, v INT, PRIMARY KEY (x, y));
     INSERT INTO pair VALUES (1, 'a', 11), (1, 'b', 12), (2, 'a', 21);`,
  );
  expect(setup).not.toContain('ERROR');
}, 60_000);

afterAll(async () => {
  await world.close();
});

/** The query's output (header, rows, tag or error) run as written and through the operators. */
async function bothWays(sql: string, params: readonly Datum[] = []): Promise<{ chain: string; operators: string }> {
  const chain = await runSql(world, sql, { params });
  const operators = await runSql(world, `${sql} LIMIT 1000`, { params });
  return { chain, operators: operators.replace(/\n?$/, '') };
}

describe('a point lookup without operators answers as the operators do', () => {
  const cases: readonly { readonly sql: string; readonly params?: readonly Datum[]; readonly expected: string }[] = [
    { sql: 'SELECT a FROM t WHERE k = $1', params: [1], expected: 'a\n10\nSELECT 1' },
    { sql: 'SELECT a FROM t WHERE k = $1', params: [99], expected: 'a\nSELECT 0' },
    { sql: 'SELECT * FROM t WHERE k = 3', expected: 'k | a | b | c\n3 | NULL | three | NULL\nSELECT 1' },
    { sql: 'SELECT a + c, upper(b) FROM t WHERE k = 1 AND a > 5', expected: '?column? | upper\n110 | ONE\nSELECT 1' },
    { sql: 'SELECT a + c FROM t WHERE k = 1 AND a > 50', expected: '?column?\nSELECT 0' },
    { sql: 'SELECT b, k FROM t WHERE k IN (4, 1, 99, 2)', expected: 'b | k\none | 1\nNULL | 2\n | 4\nSELECT 3' },
    { sql: 'SELECT k FROM t WHERE k = 2 AND b IS NULL', expected: 'k\n2\nSELECT 1' },
    { sql: 'SELECT v FROM pair WHERE x = 1 AND y = $1', params: ['b'], expected: 'v\n12\nSELECT 1' },
    { sql: "SELECT 't'::regclass, c FROM t WHERE k = 4", expected: 'regclass | c\nt | 400\nSELECT 1' },
  ];
  for (const { sql, params, expected } of cases) {
    it(`${sql}${params === undefined ? '' : ` (${params.map(String).join(', ')})`}`, async () => {
      const { chain, operators } = await bothWays(sql, params);
      expect(chain).toBe(expected);
      expect(operators).toBe(expected);
    });
  }

  it('raises an expression error the same way', async () => {
    const { chain, operators } = await bothWays('SELECT a / (a - 10) FROM t WHERE k = 1');
    expect(chain).toBe('ERROR 22012: division by zero');
    expect(operators).toBe(chain);
  });
});
