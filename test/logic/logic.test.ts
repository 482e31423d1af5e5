// The logic files (test/logic/testdata/*.slt, sqllogictest format: see parse.ts) against a real
// rangedb node over pgwire, one test per file, and then against a real PostgreSQL 15 started in
// a temp folder — the same files, the same runner, so both servers are held to one
// specification. Disagreements listed in known-differences.md are reported, not failed; a listed
// one that no longer happens fails.
//
// In CI (env CI set) missing PostgreSQL 15 binaries fail the test; elsewhere the PostgreSQL half
// is skipped. `npm run test:pg` runs the PostgreSQL half alone and can rewrite the files from
// PostgreSQL's answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from '../e2e/sql-support.js';
import { hasReferencePostgres, startReferencePostgres, type ReferencePostgres } from '../support/reference-postgres.js';
import { formatReport } from './report.js';
import type { Target } from './run.js';
import { knownDifferences, logicFiles, runAndJudge } from './suite.js';

const files = logicFiles();
const known = knownDifferences();
const postgresInstalled = hasReferencePostgres();

async function expectAgreement(name: string, target: Target): Promise<void> {
  const { report } = await runAndJudge(name, target, known);
  expect(report.records, `${name} has records`).toBeGreaterThan(0);
  expect(report.failures.length + report.stale.length, formatReport(report)).toBe(0);
}

describe('logic files on rangedb', () => {
  let server: SqlNode;
  beforeAll(async () => {
    server = await startSqlNode();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has logic files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (name) => {
    await expectAgreement(name, { name: 'rangedb', host: 'localhost', port: server.port, user: 'root' });
  });
});

describe('logic files on PostgreSQL 15', () => {
  it('has PostgreSQL 15 where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(postgresInstalled, 'PostgreSQL 15 server binaries (PG_BINDIR or /usr/lib/postgresql/15/bin)').toBe(true);
  });

  describe.runIf(postgresInstalled)('a reference server', () => {
    let postgres: ReferencePostgres;
    beforeAll(async () => {
      postgres = await startReferencePostgres();
    }, 120_000);
    afterAll(async () => {
      await postgres?.stop();
    });

    it.each(files)('%s', async (name) => {
      await expectAgreement(name, { name: 'postgresql', host: postgres.host, port: postgres.port, user: postgres.user });
    });
  });
});
