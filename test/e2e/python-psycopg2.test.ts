// psycopg2 (Debian's python3-psycopg2, over libpq) against a real node's SQL listener: the
// script test/e2e/fixtures/python/psycopg2_check.py connects, runs DDL, executemany, parameters
// of many types, transactions with autocommit off and on, COPY through copy_expert, named
// (server-side) cursors, execute_values and RealDictCursor, and prints what it saw as JSON.
//
// In CI (env CI set) a missing python3-psycopg2 fails the test; elsewhere the test is skipped.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type ProcessResult } from '../support/process.js';
import { startSqlNode, type SqlNode } from './sql-support.js';

const script = fileURLToPath(new URL('./fixtures/python/psycopg2_check.py', import.meta.url));

/** The first Python 3 that imports psycopg2: Debian's own first (a pyenv or venv python3 on PATH lacks the apt package). */
function findPython(): string | undefined {
  return ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', 'import psycopg2'], { stdio: 'ignore' }).status === 0);
}

function runScript(python: string, dsn: string): Promise<ProcessResult> {
  return runProcess(python, [script, dsn]);
}

const python = findPython();

describe('psycopg2', () => {
  it('is installed where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(python, 'python3 with psycopg2 (Debian: python3-psycopg2)').toBeDefined();
  });

  describe.runIf(python !== undefined)('against a node', () => {
    let server: SqlNode;
    let seen: Record<string, unknown>;
    beforeAll(async () => {
      server = await startSqlNode();
      const run = await runScript(python!, `postgresql://root@localhost:${server.port}/defaultdb?sslmode=disable`);
      if (run.code !== 0) throw new Error(`psycopg2_check.py exited ${String(run.code)}:\n${run.stderr}`);
      seen = JSON.parse(run.stdout) as Record<string, unknown>;
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('connects and reads the server parameters', () => {
      expect(seen['server_version']).toBe(150000);
      expect(seen['encoding']).toBe('UTF8');
      expect(seen['autocommit_default']).toBe(false);
    });

    it('binds parameters of many types and reads them back as Python types', () => {
      expect(seen['executemany_rowcount']).toBe(3);
      expect(seen['alpha']).toEqual({
        id: 1,
        qty: 9007199254740993,
        price: '12.34',
        price_type: 'Decimal',
        ratio: 0.5,
        ok: true,
        born: '2024-02-29',
        seen: '2024-02-29T12:00:00.123456+00:00',
        tag: '12345678-1234-5678-1234-567812345678',
        tag_type: 'UUID',
        data: { a: [1, 2], b: null },
        raw: '0001ff',
        tags: ['x', 'y'],
      });
      expect(seen['description']).toEqual([
        ['id', 23],
        ['qty', 20],
        ['price', 1700],
        ['ratio', 701],
        ['ok', 16],
        ['born', 1082],
        ['seen', 1184],
        ['tag', 2950],
        ['data', 3802],
        ['raw', 17],
        ['tags', 1009],
      ]);
      expect(seen['others']).toEqual([
        ['beta', -1e100, null, null, null, []],
        ['gamma', null, null, 'text', '', null],
      ]);
      expect(seen['literals']).toEqual(['it\'s "quoted" \\ ok', null, [1, 2, 3], 42]);
    });

    it('rolls back, aborts a failed transaction, and reports SQLSTATEs as pgcode and error classes', () => {
      expect(seen['after_rollback']).toBe(0);
      expect(seen['unique_violation']).toEqual({ pgcode: '23505', class: 'UniqueViolation' });
      expect(seen['in_failed_txn']).toEqual({ pgcode: '25P02', class: 'InFailedSqlTransaction' });
      expect(seen['undefined_table']).toEqual({ pgcode: '42P01', class: 'UndefinedTable' });
      expect(seen['syntax_error']).toEqual({ pgcode: '42601', class: 'SyntaxError' });
      expect(seen['division_by_zero']).toEqual({ pgcode: '22012', class: 'DivisionByZero' });
      expect(seen['with_blocks']).toEqual(['with-block']);
    });

    it('commits each statement in autocommit mode, and groups an explicit BEGIN', () => {
      expect(seen['autocommit_rows']).toEqual(['auto']);
      expect(seen['isolation']).toBe('serializable');
    });

    it('copies CSV in and CSV and text out through copy_expert', () => {
      expect(seen['copy_in_rowcount']).toBe(3);
      expect(seen['copy_out_csv']).toBe('1,one,1.5\n2,"two, quoted",\n3,,-7\n');
      expect(seen['copy_out_text']).toBe('1\tone\t1.5\n2\ttwo, quoted\t\\N\n3\t\\N\t-7\n');
    });

    it('runs execute_values with RETURNING and RealDictCursor', () => {
      expect(seen['execute_values']).toEqual([10, 11]);
      expect(seen['real_dict']).toEqual({ k: 1, v: 'one' });
    });

    it('reads named (server-side) cursors in batches of itersize: DECLARE … CURSOR and FETCH FORWARD n', () => {
      expect(seen['named_cursor_error']).toBeNull();
      expect(seen['named_cursor_rows']).toEqual([1, 2, 3]);
      // In autocommit mode the DECLARE fails with 25P01 as in PostgreSQL, but psycopg2, closing
      // the cursor, then asks pg_catalog.pg_cursors whether it exists — a view rangedb lacks
      // (it would need the session's cursors in the catalog functions' context), so 42P01 wins.
      expect(seen['named_cursor_autocommit']).toEqual({ pgcode: '42P01', class: 'UndefinedTable' });
    });
  });
});
