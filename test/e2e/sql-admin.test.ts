// Admin statements end to end through a real node's SQL listener: node-postgres sees SHOW RANGES
// … WITH DETAILS's columns and sizes, a SPLIT/UNSPLIT round trip (ranges appear and disappear,
// rows stay readable), and a split and a cluster setting that survive a restart of the node on
// the same store; psql replays the README's opening session and prints exactly what it shows.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/base/logger.js';
import { realEnv } from '../../src/env/real.js';
import { RangedbNode } from '../../src/node/node.js';
import { tempDir } from '../support/tmp.js';
import { connectPg } from './sql-support.js';

const hasPsql = spawnSync('psql', ['--version']).status === 0;

async function startNode(storePath: string): Promise<{ node: RangedbNode; port: number }> {
  const node = await RangedbNode.start(realEnv({ logger: silentLogger() }), { storePath, sql: { addr: 'localhost:0', insecure: true } });
  return { node, port: node.sql!.address.port };
}

async function tableRanges(client: pg.Client, table: string): Promise<string[]> {
  const result = await client.query<{ start_key: string; end_key: string }>(`SHOW RANGES FROM TABLE ${table}`);
  return result.rows.map((row) => `${row.start_key}..${row.end_key}`);
}

describe('admin statements over pgwire', () => {
  it('SHOW RANGES WITH DETAILS, SPLIT/UNSPLIT round trip, and a split and a setting across a restart', async () => {
    const dir = tempDir('sql-admin');
    try {
      let { node, port } = await startNode(dir.path);
      let client = await connectPg(port);
      await client.query('CREATE TABLE items (id INT PRIMARY KEY, label TEXT, grp INT)');
      await client.query('CREATE INDEX items_grp ON items (grp)');
      await client.query("INSERT INTO items SELECT g, 'item ' || g, g % 7 FROM generate_series(1, 300) g");
      const tableId = /^\/Table\/(\d+)/.exec((await tableRanges(client, 'items'))[0]!)![1]!;

      const split = await client.query('ALTER TABLE items SPLIT AT VALUES (100), (200)');
      expect(split.fields.map((field) => field.name)).toEqual(['key', 'pretty', 'split_enforced_until']);
      expect(split.rows.map((row: { pretty: string }) => row.pretty)).toEqual([`/Table/${tableId}/1/100`, `/Table/${tableId}/1/200`]);
      expect(Buffer.isBuffer(split.rows[0].key)).toBe(true);
      await client.query('ALTER INDEX items@items_grp SPLIT AT VALUES (3)');
      expect(await tableRanges(client, 'items')).toEqual([
        `/Table/${tableId}..${`/Table/${tableId}/1/100`}`,
        `/Table/${tableId}/1/100../Table/${tableId}/1/200`,
        `/Table/${tableId}/1/200../Table/${tableId}/2/3`,
        `/Table/${tableId}/2/3../Max`,
      ]);

      const details = await client.query('SHOW RANGES FROM TABLE items WITH DETAILS');
      expect(details.fields.map((field) => field.name)).toEqual([
        'start_key',
        'end_key',
        'range_id',
        'range_size_mb',
        'lease_holder',
        'lease_holder_locality',
        'replicas',
        'replica_localities',
        'voting_replicas',
        'non_voting_replicas',
        'learner_replicas',
        'split_enforced_until',
        'range_size',
        'span_stats',
      ]);
      for (const row of details.rows as { range_size: string; range_size_mb: string; lease_holder: string; replicas: string[]; span_stats: { live_count: number; key_bytes: number; val_bytes: number } }[]) {
        expect(Number(row.range_size)).toBeGreaterThan(0);
        expect(Number(row.range_size_mb)).toBeCloseTo(Number(row.range_size) / 1e6, 6);
        expect(row.lease_holder).toBe('1');
        expect(row.replicas).toEqual(['1']);
        expect(row.span_stats.key_bytes + row.span_stats.val_bytes).toBe(Number(row.range_size));
      }
      // 99 rows below the first split point (1…99), each one primary entry.
      expect((details.rows[0] as { span_stats: { live_count: number } }).span_stats.live_count).toBe(99);

      const forRow = await client.query('SHOW RANGE FROM TABLE items FOR ROW (150)');
      expect(forRow.rows).toEqual([expect.objectContaining({ start_key: `/Table/${tableId}/1/100`, end_key: `/Table/${tableId}/1/200`, lease_holder: '1' })]);

      const unsplit = await client.query('ALTER TABLE items UNSPLIT AT VALUES (100)');
      expect(unsplit.rows.map((row: { pretty: string }) => row.pretty)).toEqual([`/Table/${tableId}/1/100`]);
      expect(await tableRanges(client, 'items')).toHaveLength(3);
      expect((await client.query('SELECT count(*)::int AS n, sum(id)::int AS s FROM items')).rows).toEqual([{ n: 300, s: 45150 }]);
      expect((await client.query('SELECT count(*)::int AS n FROM items WHERE grp = 3')).rows).toEqual([{ n: 43 }]);

      // A setting that changes SHOW RANGES's columns: a new statement gets them; one prepared
      // before gets PostgreSQL's answer to a cached plan whose result type changed (0A000).
      const named = { name: 'ranges', text: 'SHOW RANGES FROM TABLE items' };
      expect((await client.query(named)).fields.map((field) => field.name)).toContain('voting_replicas');
      await client.query('SET CLUSTER SETTING sql.show_ranges_deprecated_behavior.enabled = true');
      const deprecated = await client.query('SHOW RANGES FROM TABLE items');
      expect(deprecated.fields.map((field) => field.name)).toEqual(['start_key', 'end_key', 'range_id', 'range_size_mb', 'lease_holder', 'lease_holder_locality', 'replicas', 'replica_localities']);
      await expect(client.query(named)).rejects.toMatchObject({ code: '0A000', message: 'cached plan must not change result type' });
      await client.query('SET CLUSTER SETTING sql.show_ranges_deprecated_behavior.enabled = DEFAULT');
      expect((await client.query(named)).rows).toHaveLength(3);

      await client.query("SET CLUSTER SETTING cluster.organization = 'Acme Labs'");
      await client.end();
      await node.stop();

      ({ node, port } = await startNode(dir.path));
      client = await connectPg(port);
      try {
        expect(await tableRanges(client, 'items')).toEqual([
          `/Table/${tableId}../Table/${tableId}/1/200`,
          `/Table/${tableId}/1/200../Table/${tableId}/2/3`,
          `/Table/${tableId}/2/3../Max`,
        ]);
        expect((await client.query('SHOW CLUSTER SETTING cluster.organization')).rows).toEqual([{ 'cluster.organization': 'Acme Labs' }]);
        expect((await client.query('SELECT count(*)::int AS n FROM items WHERE id >= 150')).rows).toEqual([{ n: 151 }]);
        await client.query('ALTER TABLE items UNSPLIT ALL');
        expect(await tableRanges(client, 'items')).toEqual([`/Table/${tableId}../Max`]);
        expect((await client.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 300 }]);
      } finally {
        await client.end();
        await node.stop();
      }
    } finally {
      dir.remove();
    }
  }, 60_000);
});

/** The README's opening psql session: each `defaultdb=# statement` with the output psql prints for it. */
function readmeSession(): { statements: string[]; transcript: string } {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('```\n$ psql postgresql://root@localhost:26257/defaultdb\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const body = readme.slice(readme.indexOf('\n', start + 4) + 1, readme.indexOf('\n```', start + 4));
  const lines = body.split('\n');
  const statements = lines.filter((line) => /^defaultdb=\*?# /.test(line)).map((line) => line.replace(/^defaultdb=\*?# /, ''));
  return { statements, transcript: lines.join('\n') };
}

function runPsql(port: number, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [`postgresql://root@localhost:${port}/defaultdb?sslmode=disable`, '-X', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`psql exited ${code}: ${stderr}`))));
    child.stdin.end(script);
  });
}

describe('the README', () => {
  it.runIf(hasPsql)('opening psql session runs as shown (SPLIT AT and SHOW RANGES included)', async () => {
    const { statements, transcript } = readmeSession();
    expect(statements.some((statement) => statement.includes('SPLIT AT'))).toBe(true);
    expect(statements.some((statement) => statement.startsWith('SHOW RANGES'))).toBe(true);
    const dir = tempDir('sql-admin-readme');
    const { node, port } = await startNode(dir.path);
    try {
      const marker = '@@statement@@';
      const output = await runPsql(port, statements.map((statement) => `\\echo ${marker}\n${statement}\n`).join(''));
      const outputs = output.split(`${marker}\n`).slice(1);
      let inTxn = false;
      const replayed: string[] = [];
      statements.forEach((statement, index) => {
        replayed.push(`defaultdb=${inTxn ? '*' : ''}# ${statement}`);
        // psql ends each result with a blank line and pads cells with spaces; the README leaves those out.
        replayed.push(...outputs[index]!.split('\n').filter((line) => line.trim() !== '').map((line) => line.trimEnd()));
        if (/^BEGIN/i.test(statement)) inTxn = true;
        if (/^(COMMIT|ROLLBACK)/i.test(statement)) inTxn = false;
      });
      expect(replayed.join('\n')).toBe(transcript);
    } finally {
      await node.stop();
      dir.remove();
    }
  }, 60_000);
});
