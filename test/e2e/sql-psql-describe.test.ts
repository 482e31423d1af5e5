// psql's \d family against rangedb, compared with a real PostgreSQL 15 given the same schema:
// the test starts a throwaway PostgreSQL server in a temp folder (through runuser when it runs as
// root: initdb and postgres refuse root), runs the same DDL in both, sends each meta-command
// through the real psql binary to both, and compares what psql prints, byte for byte.
//
// Normalized, and why: nothing in psql's output. The reference server is set up to match
// rangedb's fixed facts instead: its bootstrap superuser is named `root` (rangedb's single
// role), its locale is C with UTF8 (rangedb's collation and encoding), the schema lives in a
// database named `defaultdb`, and its template databases are dropped (rangedb has none), so \l
// lists the same databases.
//
// In CI (env CI set) a missing psql or PostgreSQL server fails the test; elsewhere it is skipped
// with the reason in its name.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type ProcessResult } from '../support/process.js';
import { hasReferencePostgres, postgresBinDir, startReferencePostgres, type ReferencePostgres } from '../support/reference-postgres.js';
import { startSqlNode, type SqlNode } from './sql-support.js';

const hasPsql = spawnSync('psql', ['--version']).status === 0;
const hasServer = hasReferencePostgres();
const runnable = hasPsql && hasServer;

/** The schema both servers get: every kind of thing \d shows for a table, an index and a sequence. */
const schema = `
CREATE TABLE accounts (
  id int8 PRIMARY KEY,
  owner text NOT NULL,
  email varchar(100) UNIQUE,
  balance numeric(12,2) NOT NULL DEFAULT 0,
  created timestamptz DEFAULT now(),
  CONSTRAINT balance_nonnegative CHECK (balance >= 0)
);
CREATE INDEX accounts_owner_idx ON accounts (owner);
CREATE SEQUENCE order_seq;
CREATE TABLE orders (
  id serial PRIMARY KEY,
  account_id int8 NOT NULL,
  note text DEFAULT 'none',
  total float8 CHECK (total > 0 AND total < 1000000),
  qty int2 DEFAULT -1,
  active boolean DEFAULT true,
  code char(3),
  UNIQUE (account_id, code)
);
CREATE INDEX orders_total_idx ON orders (account_id, total DESC);
CREATE SCHEMA audit;
CREATE TABLE audit.events (id int PRIMARY KEY, what text);
CREATE TABLE nopk (a int, b text);
CREATE UNIQUE INDEX nopk_a ON nopk (a);
CREATE TABLE "Mixed" ("Id" int PRIMARY KEY, "select" text, v varchar(5) CHECK (v <> 'bad'), n numeric CHECK (n > 1.5), s text CHECK (s LIKE 'a%'), k int CHECK (NOT (k = 3)));
CREATE SEQUENCE s2;
CREATE TABLE seqs (id bigserial PRIMARY KEY, other int DEFAULT nextval('s2'), small smallserial, t timestamp DEFAULT '2024-01-02 03:04:05', j jsonb DEFAULT '{}', u uuid DEFAULT gen_random_uuid(), x float8 DEFAULT 1.5, y int8 DEFAULT 0 CHECK (y >= 0 AND y * 2 < 100));
ALTER TABLE seqs ADD COLUMN added int NOT NULL DEFAULT 42;
ALTER TABLE seqs DROP COLUMN other;
CREATE TABLE payments (id int PRIMARY KEY, account_id int8 REFERENCES accounts ON DELETE CASCADE, order_id int, code char(3), CONSTRAINT payments_order FOREIGN KEY (order_id, code) REFERENCES orders (account_id, code) MATCH FULL ON UPDATE SET NULL);
CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree ON DELETE SET DEFAULT);
CREATE VIEW rich_accounts AS SELECT id, owner, balance FROM accounts WHERE balance > 100;
CREATE VIEW "Order totals" (account, total) AS SELECT account_id, sum(total) FROM orders GROUP BY account_id;
COMMENT ON TABLE accounts IS 'customer accounts';
COMMENT ON COLUMN accounts.owner IS 'who owns it';
COMMENT ON VIEW rich_accounts IS 'accounts over 100';
COMMENT ON INDEX accounts_owner_idx IS 'by owner';
`;

/** The meta-commands compared, each run by psql on its own. */
const commands = [
  '\\d',
  '\\dt',
  '\\di',
  '\\ds',
  '\\dn',
  '\\l',
  '\\du',
  '\\d accounts',
  '\\d orders',
  '\\d "orders"',
  '\\d audit.events',
  '\\d accounts_pkey',
  '\\d accounts_owner_idx',
  '\\d orders_total_idx',
  '\\d orders_account_id_code_key',
  '\\d order_seq',
  '\\d orders_id_seq',
  '\\dt acc*',
  '\\dt audit.*',
  '\\di *key',
  '\\dn a*',
  '\\d nope',
  '\\d nopk',
  '\\d nopk_a',
  '\\d "Mixed"',
  '\\d seqs',
  '\\d payments',
  '\\d tree',
  '\\d+ payments',
  '\\d seqs_small_seq',
  '\\d s2',
  '\\d+ accounts',
  '\\d+ nopk',
  '\\d+ orders_total_idx',
  '\\dn+',
  '\\du+',
  '\\dp',
  '\\df',
  '\\dv',
  '\\dv rich*',
  '\\d rich_accounts',
  '\\d "Order totals"',
  '\\dT',
];

/**
 * Where rangedb's output differs from PostgreSQL's on purpose or for now, each with the reason
 * and the one normalization that makes the rest compare equal (run in unaligned mode, `-A`, so a
 * blanked field does not shift the others).
 */
const differences: readonly { readonly command: string; readonly reason: string; readonly normalize: (unaligned: string) => string }[] = [
  ...['\\dt+', '\\di+', '\\ds+'].map((command) => ({
    command,
    reason: 'Size: rangedb does not account storage per relation yet (pg_table_size is NULL); PostgreSQL counts its 8 kB pages',
    normalize: blankColumn('Size'),
  })),
  {
    command: '\\l+',
    reason: 'Size: rangedb does not account storage per database yet (pg_database_size is NULL)',
    normalize: blankColumn('Size'),
  },
  {
    command: '\\d+ rich_accounts',
    reason: "View definition: rangedb keeps a view's query as the CREATE VIEW statement wrote it and pg_get_viewdef prints that; PostgreSQL deparses its stored rule (columns qualified, one per line)",
    normalize: (text) => text.replace(/View definition:\n[\s\S]*$/, 'View definition:\n'),
  },
  {
    command: '\\dx',
    reason: 'rangedb has no procedural languages: PostgreSQL lists plpgsql, installed by initdb',
    normalize: (text) => text.replace(/^plpgsql\|.*\n/m, '').replace('(1 row)', '(0 rows)'),
  },
];

/** Blanks the named column in every row of psql's unaligned output (title, header, rows; `|` between fields). */
function blankColumn(name: string): (unaligned: string) => string {
  return (text) => {
    const lines = text.split('\n');
    const header = lines.findIndex((line) => line.split('|').includes(name));
    if (header < 0) return text;
    const width = lines[header]!.split('|').length;
    const index = lines[header]!.split('|').indexOf(name);
    return lines
      .map((line, position) => {
        const fields = line.split('|');
        if (position <= header || fields.length !== width) return line;
        fields[index] = '';
        return fields.join('|');
      })
      .join('\n');
  };
}

type PsqlResult = ProcessResult;

function run(command: string, args: readonly string[], input = ''): Promise<PsqlResult> {
  return runProcess(command, args, { input, env: { ...process.env, PGTZ: 'UTC', PAGER: '' } });
}

/** psql's connection arguments for the reference server: its Unix socket folder, port and role. */
function psqlArgs(reference: ReferencePostgres, database: string): string[] {
  return ['-h', reference.dir, '-p', String(reference.port), '-U', reference.user, '-d', database];
}

function psql(connection: readonly string[], script: string): Promise<PsqlResult> {
  return run('psql', [...connection, '-X', '-v', 'ON_ERROR_STOP=1', '-q'], script);
}

function describeCommand(connection: readonly string[], command: string): Promise<PsqlResult> {
  return run('psql', [...connection, '-X', '-c', command]);
}

describe('psql \\d family against PostgreSQL 15', () => {
  it('has psql and a PostgreSQL 15 server where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) {
      expect(hasPsql, 'psql').toBe(true);
      expect(hasServer, `PostgreSQL 15 server binaries in ${postgresBinDir}`).toBe(true);
    }
  });

  describe.runIf(runnable)('the same schema in both', () => {
    let server: SqlNode;
    let reference: ReferencePostgres;
    let rangedb: string[];
    let postgres: string[];

    beforeAll(async () => {
      [server, reference] = await Promise.all([startSqlNode(), startReferencePostgres()]);
      rangedb = [server.url];
      const setup = await psql(psqlArgs(reference, 'postgres'), [
        'ALTER DATABASE template0 IS_TEMPLATE false;',
        'ALTER DATABASE template1 IS_TEMPLATE false;',
        'DROP DATABASE template0;',
        'DROP DATABASE template1;',
        '',
      ].join('\n'));
      expect(setup.stderr).toBe('');
      postgres = psqlArgs(reference, 'defaultdb');
      const [ours, theirs] = await Promise.all([psql(rangedb, schema), psql(postgres, schema)]);
      expect(ours.stderr).toBe('');
      expect(theirs.stderr).toBe('');
    }, 120_000);

    afterAll(async () => {
      await Promise.all([server?.stop(), reference?.stop()]);
    });

    it.each(differences)('$command differs only where listed: $reason', async ({ command, normalize }) => {
      const expected = await run('psql', [...postgres, '-X', '-A', '-c', command]);
      const actual = await run('psql', [...rangedb, '-X', '-A', '-c', command]);
      expect(expected.stderr).toBe('');
      expect(actual.stderr).toBe('');
      expect(normalize(actual.stdout)).toBe(normalize(expected.stdout));
    });

    it.each(commands)('%s prints what PostgreSQL prints', async (command) => {
      const expected = await describeCommand(postgres, command);
      const actual = await describeCommand(rangedb, command);
      expect(expected.stdout + expected.stderr).not.toBe('');
      expect({ stdout: actual.stdout, stderr: actual.stderr, code: actual.code }).toEqual({ stdout: expected.stdout, stderr: expected.stderr, code: expected.code });
    });
  });
});
