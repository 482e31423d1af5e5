// psql (PostgreSQL's own client, libpq) against a real node's SQL listener: a script through
// stdin with queries, SET/SHOW, a transaction, COPY FROM STDIN inline, and an error. Skipped
// where psql is not installed (`.ci/run` installs postgresql-client where it can).
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

const hasPsql = spawnSync('psql', ['--version']).status === 0;

let server: SqlNode;
beforeAll(async () => {
  server = await startSqlNode();
});
afterAll(async () => server.stop());

function psql(url: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('psql', [url, '-X', '-A', '-F', '|', '-v', 'ON_ERROR_STOP=0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(script);
  });
}

// CI installs psql (.ci/run), so there a missing psql is a failure, not a skip; elsewhere (a
// developer machine without the PostgreSQL client) the test says it cannot run.
describe('psql', () => {
  it('is installed where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(hasPsql).toBe(true);
  });

  it.runIf(hasPsql)('runs a script: queries, SET/SHOW, a transaction, inline COPY and an error', async () => {
    const script = [
      'SELECT 1 AS one;',
      "SET application_name = 'psql-e2e';",
      'SHOW application_name;',
      'BEGIN;',
      'CREATE TABLE t (a int, b text);',
      "INSERT INTO t VALUES (1, 'x');",
      'COMMIT;',
      'COPY t FROM STDIN;',
      '2\ty',
      '\\.',
      'SELECT * FROM t;',
      'SELECT * FROM nope;',
      '',
    ].join('\n');
    const { code, stdout, stderr } = await psql(server.url, script);
    expect(stdout.split('\n')).toEqual([
      'one',
      '1',
      '(1 row)',
      'SET',
      'application_name',
      'psql-e2e',
      '(1 row)',
      'BEGIN',
      'CREATE TABLE',
      'INSERT 0 1',
      'COMMIT',
      'COPY 1',
      'a|b',
      '1|x',
      '2|y',
      '(2 rows)',
      '',
    ]);
    expect(stderr).toMatch(/ERROR:\s+relation "nope" does not exist/);
    expect(code).toBe(0);
  });

  it.runIf(hasPsql)('COPY FROM STDIN of several INSERT batches is one transaction: a duplicate in the last batch inserts nothing', async () => {
    // 2,000 rows an INSERT statement (sqlCopyBatchRowsMax): two full batches and a partial one.
    const rows = Array.from({ length: 4500 }, (_, i) => `${i + 1}\tv${i + 1}`);
    const script = ['CREATE TABLE copied (k int PRIMARY KEY, v text);', 'COPY copied FROM STDIN;', ...rows, '17\tagain', '\\.', 'SELECT count(*) FROM copied;', 'COPY copied FROM STDIN;', ...rows, '\\.', 'SELECT count(*), sum(k) FROM copied;', ''].join('\n');
    const { stdout, stderr } = await psql(server.url, script);
    expect(stderr).toMatch(/ERROR:\s+duplicate key value violates unique constraint "copied_pkey"\nDETAIL:\s+Key \(k\)=\(17\) already exists\./);
    expect(stdout.split('\n')).toEqual(['CREATE TABLE', 'count', '0', '(1 row)', 'COPY 4500', 'count|sum', '4500|10127250', '(1 row)', '']);
  });
});
