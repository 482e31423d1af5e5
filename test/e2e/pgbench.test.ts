// pgbench (PostgreSQL's own benchmark, libpq) against a real node: initialization with the
// default steps (client-side COPY) and with server-side generation (`-I dtGp`: INSERT … SELECT …
// FROM generate_series), then its TPC-B transaction from 4 clients in each query mode. pgbench
// does not retry, so a single 40001 is a failed transaction: UPDATE's locking reads make the
// clients queue on the one contended branch row instead (the reason this test exists). After
// every run the money adds up: sum(abalance) = sum(bbalance) = sum(tbalance) = sum(delta).
//
// Skipped where pgbench is not installed; in CI (`.ci/run` installs postgresql-15) a missing
// pgbench is a failure. The two initializations run one after the other (concurrent DDL may
// conflict), each in its own database (a second initialization in the same database would first
// drop 100,000 rows). Runs pass -n: pgbench's vacuum step truncates pgbench_history, and the
// deltas of every run must stay to be added up against the balances. Initializing scale 1 is
// the bulk of the file's time (100,000 rows copied or generated, then ALTER TABLE … ADD PRIMARY
// KEY backfills them into new indexes, reading through the load's still unresolved intents),
// which is why each run lasts `runSeconds`, not pgbench's customary 20.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

/** pgbench on the PATH, else in a PostgreSQL installation's bin directory (Debian's layout). */
function findPgbench(): string | undefined {
  if (spawnSync('pgbench', ['--version']).status === 0) return 'pgbench';
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const candidates = readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => `${root}/${version}/bin/pgbench`);
  return candidates.find((path) => existsSync(path) && spawnSync(path, ['--version']).status === 0);
}

const pgbenchPath = findPgbench();
const runSeconds = 5;
/** pgbench processes still running (killed if a test times out, so none outlives the node). */
const running = new Set<ReturnType<typeof spawn>>();
const clients = 4;

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

function pgbench(node: SqlNode, database: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(pgbenchPath!, [...args, '-h', 'localhost', '-p', String(node.port), '-U', 'root', database], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      running.delete(child);
      resolve({ code, output });
    });
  });
}

function count(output: string, label: string): number {
  const match = new RegExp(`${label}: (\\d+)`).exec(output);
  if (match === null) throw new Error(`pgbench printed no "${label}":\n${output}`);
  return Number(match[1]);
}

async function query(node: SqlNode, database: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: node.url.replace('/defaultdb?', `/${database}?`) });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/** The four sums TPC-B keeps equal: every transaction adds its delta to one row of each. */
async function balances(node: SqlNode, database: string): Promise<string[]> {
  const sums = await Promise.all(
    ['SELECT sum(abalance) AS s FROM pgbench_accounts', 'SELECT sum(bbalance) AS s FROM pgbench_branches', 'SELECT sum(tbalance) AS s FROM pgbench_tellers', 'SELECT coalesce(sum(delta), 0) AS s FROM pgbench_history'].map(
      async (sql) => String((await query(node, database, sql))[0]!['s']),
    ),
  );
  return sums;
}

describe('pgbench', () => {
  it('is installed where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(pgbenchPath).toBeDefined();
  });

  describe.runIf(pgbenchPath !== undefined)('TPC-B against a real node', () => {
    let node: SqlNode;
    beforeAll(async () => {
      node = await startSqlNode();
      await query(node, 'defaultdb', 'CREATE DATABASE generated');
    }, 30_000);
    afterAll(async () => {
      for (const child of running) child.kill('SIGKILL');
      await node.stop();
    });

    it('initializes scale 1 with the default steps and with server-side generation', async () => {
      const copied = await pgbench(node, 'defaultdb', ['-i', '-s', '1']);
      expect(copied.code, copied.output).toBe(0);
      const generated = await pgbench(node, 'generated', ['-i', '-I', 'dtGp', '-s', '1']);
      expect(generated.code, generated.output).toBe(0);
      expect(generated.output).toContain('server-side generate');
      for (const database of ['defaultdb', 'generated']) {
        const [counts] = await query(
          node,
          database,
          'SELECT (SELECT count(*) FROM pgbench_accounts) AS a, (SELECT count(*) FROM pgbench_branches) AS b, (SELECT count(*) FROM pgbench_tellers) AS t, (SELECT count(*) FROM pgbench_history) AS h',
        );
        expect(counts).toEqual({ a: '100000', b: '1', t: '10', h: '0' });
        expect(await balances(node, database)).toEqual(['0', '0', '0', '0']);
      }
    }, 400_000);

    it.each([
      ['simple', 'defaultdb'],
      ['extended', 'generated'],
      ['prepared', 'defaultdb'],
    ])(`runs ${clients} clients in -M %s (database %s) with no failed transaction, and the money adds up`, async (mode, database) => {
      const run = await pgbench(node, database, ['-n', '-c', String(clients), '-j', '2', '-T', String(runSeconds), '-M', mode]);
      expect(run.code, run.output).toBe(0);
      expect(count(run.output, 'number of failed transactions'), run.output).toBe(0);
      expect(count(run.output, 'number of transactions actually processed'), run.output).toBeGreaterThan(0);
      const [accounts, branches, tellers, history] = await balances(node, database);
      expect(branches).toBe(accounts);
      expect(tellers).toBe(accounts);
      expect(history).toBe(accounts);
    }, (runSeconds + 90) * 1000);
  });
});
