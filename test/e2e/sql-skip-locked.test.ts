// SKIP LOCKED as a job queue, three sessions over pgwire with node-postgres, run step by step on
// rangedb and on PostgreSQL 15 (started in a temp folder): the same script must give the same
// rows on both — workers claim different jobs with LIMIT, FOR SHARE SKIP LOCKED shares rows
// others share and skips rows locked for update, FOR UPDATE SKIP LOCKED skips shared rows (and
// LIMIT counts only the rows it locked), a
// worker that began before another finished its job reads past that job, and NOWAIT still fails
// with 55P03. (One session's view is in test/logic/testdata/locking.slt; the KV and executor
// halves in test/kv/replica/skip-locked.test.ts and test/sql/exec/locking.test.ts.)
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { hasReferencePostgres, startReferencePostgres, type ReferencePostgres } from '../support/reference-postgres.js';
import { startSqlNode, type SqlNode } from './sql-support.js';

type Session = 'a' | 'b' | 'c';

/** The script: each step a session and a statement; the answers are compared between the servers. */
const script: readonly (readonly [Session, string])[] = [
  ['a', 'CREATE TABLE jobs (id INT PRIMARY KEY, state TEXT NOT NULL)'],
  ['a', "INSERT INTO jobs VALUES (1, 'new'), (2, 'new'), (3, 'done'), (4, 'new'), (5, 'new'), (6, 'new')"],
  ['c', 'BEGIN'], // begins before a finishes job 1
  ['c', 'SELECT 1'],
  ['a', 'BEGIN'],
  ['a', "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"],
  ['b', 'BEGIN'],
  ['b', "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"],
  ['b', 'SELECT id FROM jobs WHERE id <= 3 ORDER BY id FOR SHARE SKIP LOCKED'],
  ['a', "UPDATE jobs SET state = 'done' WHERE id = 1"],
  ['a', 'COMMIT'],
  ['c', "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED"],
  ['c', 'SELECT id FROM jobs WHERE id IN (2, 3) ORDER BY id FOR UPDATE SKIP LOCKED'],
  ['c', 'SELECT id FROM jobs WHERE id = 3 FOR SHARE SKIP LOCKED'],
  ['a', 'SELECT id FROM jobs WHERE id = 4 FOR UPDATE NOWAIT'],
  ['a', 'SELECT id FROM jobs ORDER BY id DESC LIMIT 2 FOR NO KEY UPDATE SKIP LOCKED'],
  ['b', "UPDATE jobs SET state = 'done' WHERE id = 2"],
  ['b', 'COMMIT'],
  ['c', "UPDATE jobs SET state = 'done' WHERE id IN (4, 5)"],
  ['c', 'COMMIT'],
  ['a', "SELECT id FROM jobs WHERE state = 'new' ORDER BY id FOR UPDATE SKIP LOCKED"],
  ['a', 'SELECT id, state FROM jobs ORDER BY id'],
];

/** What the script answered on one server: per step, the rows (or the SQLSTATE). */
async function runScript(connect: () => Promise<pg.Client>): Promise<string[]> {
  const sessions: Record<Session, pg.Client> = { a: await connect(), b: await connect(), c: await connect() };
  const answers: string[] = [];
  try {
    for (const [session, sql] of script) {
      try {
        const result = await sessions[session].query({ text: sql, rowMode: 'array' });
        answers.push(`${session}: ${sql} → ${result.command === 'SELECT' ? JSON.stringify(result.rows) : result.command}`);
      } catch (error) {
        answers.push(`${session}: ${sql} → ERROR ${(error as { code?: string }).code}`);
      }
    }
  } finally {
    for (const client of Object.values(sessions)) await client.end().catch(() => undefined);
  }
  return answers;
}

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

describe('SKIP LOCKED between sessions, against PostgreSQL 15', () => {
  it.runIf(hasReferencePostgres() || process.env['CI'] !== undefined)('answers the job-queue script as PostgreSQL 15 does', async () => {
    const node: SqlNode = await startSqlNode();
    stops.push(() => node.stop());
    const onRangedb = await runScript(async () => {
      const client = new pg.Client({ host: 'localhost', port: node.port, user: 'root', database: 'defaultdb' });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    });
    const postgres: ReferencePostgres = await startReferencePostgres();
    stops.push(() => postgres.stop());
    const onPostgres = await runScript(async () => {
      const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.user, database: 'defaultdb' });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    });
    expect(onRangedb).toEqual(onPostgres);
    // And what that is, so a change on both sides is seen too.
    expect(onPostgres.filter((line) => line.includes('SKIP LOCKED') || line.includes('NOWAIT'))).toEqual([
      `a: SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED → [[1]]`,
      `b: SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED → [[2]]`,
      'b: SELECT id FROM jobs WHERE id <= 3 ORDER BY id FOR SHARE SKIP LOCKED → [[2],[3]]',
      `c: SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED → [[4],[5]]`,
      'c: SELECT id FROM jobs WHERE id IN (2, 3) ORDER BY id FOR UPDATE SKIP LOCKED → []',
      'c: SELECT id FROM jobs WHERE id = 3 FOR SHARE SKIP LOCKED → [[3]]',
      'a: SELECT id FROM jobs WHERE id = 4 FOR UPDATE NOWAIT → ERROR 55P03',
      'a: SELECT id FROM jobs ORDER BY id DESC LIMIT 2 FOR NO KEY UPDATE SKIP LOCKED → [[6],[1]]',
      `a: SELECT id FROM jobs WHERE state = 'new' ORDER BY id FOR UPDATE SKIP LOCKED → [[6]]`,
    ]);
  }, 120_000);
});
