/**
 * EXPLAIN ANALYZE beyond the golden script (testdata/explain-analyze): the times it measures are
 * shown where asked (their values are never asserted), a rolled-back transaction undoes the
 * writes it made, a failing statement fails the EXPLAIN with the statement's own error, the
 * statistics stop with the run, and the formats of sizes and durations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, formatNanos } from '../../../sql/exec/explain-analyze.js';
import { runTxn } from '../../../txn/index.js';
import { firstRowInTxn, openSqlWorld, runSql, withVariables, type SqlWorld } from './harness.js';

/** The text of `lines` with each duration replaced by `<t>`. */
function withoutTimes(output: string): string {
  return output.replace(/\d+(\.\d+)?(µs|ms|s)$/gmu, '<t>');
}

describe('EXPLAIN ANALYZE', () => {
  let world: SqlWorld;
  beforeAll(async () => {
    world = await openSqlWorld();
    expect(await runSql(world, "CREATE TABLE t (a INT PRIMARY KEY, b TEXT); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) AS g")).toBe('CREATE TABLE\nINSERT 0 50');
  });
  afterAll(async () => world.close());

  it('shows the planning and execution time, and each node`s and each KV read`s time, by default', async () => {
    const output = withoutTimes(await runSql(world, 'EXPLAIN ANALYZE SELECT * FROM t WHERE a > 40'));
    expect(output.split('\n').slice(0, 6)).toEqual(['info', 'planning time: <t>', 'execution time: <t>', 'distribution: local', 'vectorized: false', 'result: SELECT 10']);
    expect(output).toContain('• scan\n    │ actual row count: 10\n    │ loops: 1\n    │ execution time: <t>\n    │ KV batches: 1 (1 request)\n    │ KV rows read: 10');
    expect(output).toContain('│ KV time: <t>');
    // TIMING OFF: no per-node times; the summary stays.
    const untimed = withoutTimes(await runSql(world, 'EXPLAIN (ANALYZE, TIMING OFF) SELECT * FROM t WHERE a > 40'));
    expect(untimed).toContain('execution time: <t>\ndistribution');
    expect(untimed).not.toContain('│ execution time');
    expect(untimed).not.toContain('KV time');
    // SUMMARY without ANALYZE: the planning time only, nothing run.
    expect(withoutTimes(await runSql(world, 'EXPLAIN (SUMMARY) SELECT * FROM t')).split('\n').slice(0, 3)).toEqual(['info', 'planning time: <t>', 'distribution: local']);
  });

  it('really writes, and a transaction rolled back afterwards undoes the writes', async () => {
    await expect(
      runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
        const [first] = await firstRowInTxn(world, txn, 'EXPLAIN (ANALYZE, SUMMARY OFF) DELETE FROM t WHERE a <= 5');
        expect(first).toBe('distribution: local');
        expect(await firstRowInTxn(world, txn, 'SELECT count(*) FROM t')).toEqual(['45']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await runSql(world, 'SELECT count(*) FROM t')).toBe('count\n50\nSELECT 1');
    expect(await runSql(world, "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) INSERT INTO t VALUES (100, 'x'), (101, 'y') RETURNING a")).toContain('result: INSERT 0 2');
    expect(await runSql(world, 'SELECT count(*) FROM t WHERE a >= 100')).toBe('count\n2\nSELECT 1');
  });

  it('fails with the statement`s own error, and the next run gathers afresh', async () => {
    expect(await runSql(world, 'EXPLAIN ANALYZE SELECT 1 / (a - 25) FROM t')).toBe('ERROR 22012: division by zero');
    const tight = withVariables(world, { distsql_workmem: '64KiB' });
    expect(await runSql(tight, 'EXPLAIN ANALYZE SELECT * FROM t a, t b, t c ORDER BY 1, 3, 5')).toMatch(/^ERROR 53200: out of memory/);
    const output = await runSql(world, 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) SELECT * FROM t ORDER BY b DESC');
    expect(output).toContain('result: SELECT 52');
    expect(output).toMatch(/maximum memory usage: \d+\.\d KiB/);
    expect(output).toContain('• sort\n│ actual row count: 52\n│ loops: 1');
  });

  it('prints sizes in binary units and durations in µs, ms or s', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 * 1024)]).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 MiB']);
    expect([formatNanos(999n), formatNanos(12_345n), formatNanos(2_500_000n), formatNanos(3_210_000_000n)]).toEqual(['0µs', '12µs', '2.5ms', '3.21s']);
  });
});
