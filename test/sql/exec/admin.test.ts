/**
 * Admin statements beyond the golden script (testdata/admin): limits, and SPLIT AT's keys found
 * by reads — a row on each side of a split is read through the range that holds it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limits } from '../../../src/base/limits.js';
import { openSqlWorld, runSql, type SqlWorld } from './harness.js';

let world: SqlWorld;
beforeEach(async () => {
  world = await openSqlWorld();
  await runSql(world, 'CREATE TABLE t (a INT, b TEXT, PRIMARY KEY (a, b))');
});
afterEach(async () => world.close());

describe('admin statements', () => {
  it('refuses more SPLIT AT / UNSPLIT AT rows than sqlAdminSplitRowsMax (54000)', async () => {
    const rows = Array.from({ length: limits.sqlAdminSplitRowsMax + 1 }, (_, index) => `(${index})`).join(', ');
    expect(await runSql(world, `ALTER TABLE t SPLIT AT VALUES ${rows}`)).toBe(`ERROR 54000: too many rows in SPLIT AT data: ${limits.sqlAdminSplitRowsMax + 1} (at most ${limits.sqlAdminSplitRowsMax})`);
    expect(await runSql(world, `ALTER TABLE t UNSPLIT AT VALUES ${rows}`)).toBe(`ERROR 54000: too many rows in UNSPLIT AT data: ${limits.sqlAdminSplitRowsMax + 1} (at most ${limits.sqlAdminSplitRowsMax})`);
  });

  it('lets concurrent SPLIT AT (and UNSPLIT ALL) of the same keys all succeed, leaving one boundary each (then none)', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => runSql(world, 'ALTER TABLE t SPLIT AT VALUES (3), (6)')));
    for (const result of results) expect(result).toMatch(/\/Table\/104\/1\/3 \| NULL\n.*\/Table\/104\/1\/6 \| NULL\nSELECT 2$/);
    expect(await world.kv.ranges()).toHaveLength(4);
    const unsplits = await Promise.all(Array.from({ length: 3 }, () => runSql(world, 'ALTER TABLE t UNSPLIT ALL')));
    for (const result of unsplits) expect(result).toMatch(/^key \| pretty\n/);
    expect(await world.kv.ranges()).toHaveLength(2);
  });

  it('splits at a prefix of a composite primary key, and each row stays readable on its side', async () => {
    await runSql(world, "INSERT INTO t SELECT g / 10, 'r' || g FROM generate_series(0, 99) g");
    const split = (await runSql(world, "ALTER TABLE t SPLIT AT VALUES (5); ALTER TABLE t SPLIT AT VALUES (7, 'r75')")).split('\n').filter((line) => line.includes('/Table/'));
    expect(split.map((line) => line.split(' | ')[1])).toEqual(['/Table/104/1/5', '/Table/104/1/7/"r75"']);
    const ranges = await world.kv.ranges();
    expect(ranges.map((range) => range.rangeId)).toHaveLength(4);
    expect(await runSql(world, 'SELECT count(*) FROM t WHERE a = 7')).toBe('count\n10\nSELECT 1');
    expect(await runSql(world, "SELECT count(*) FROM t WHERE a >= 5 AND b < 'r75'")).toBe('count\n25\nSELECT 1');
    expect(await runSql(world, "SHOW RANGE FROM TABLE t FOR ROW (7, 'r74')")).toContain('| /Table/104/1/5 | /Table/104/1/7/"r75" |');
    const keys = split.map((line) => line.split(' | ')[0]!);
    expect(await runSql(world, 'ALTER TABLE t UNSPLIT ALL')).toBe(`key | pretty\n${keys[0]} | /Table/104/1/5\n${keys[1]} | /Table/104/1/7/"r75"\nSELECT 2`);
    expect(await world.kv.ranges()).toHaveLength(2);
    expect(await runSql(world, 'SELECT count(*) FROM t')).toBe('count\n100\nSELECT 1');
  });
});
