/**
 * Golden SQL scripts (testdata/*) over a real store: `exec` / `query` run each statement in its
 * own implicit transaction, `txn` runs the whole block in one; the expected output is what
 * PostgreSQL 15 prints for the same statements (rows, tags, notices, SQLSTATEs and messages),
 * except where a script's comment says rangedb differs on purpose.
 * `REWRITE=1 npx vitest run test/sql/exec` regenerates the files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDataDrivenFile } from '../../support/datadriven.js';
import { openSqlWorld, runSql } from './harness.js';

const dir = join(import.meta.dirname, 'testdata');

describe('SQL engine golden scripts', () => {
  for (const file of readdirSync(dir).sort()) {
    it(file, async () => {
      const world = await openSqlWorld();
      try {
        const results = await runDataDrivenFile(join(dir, file), async (testCase) => {
          const sql = testCase.input.join('\n');
          switch (testCase.directive.split(' ')[0]) {
            case 'exec':
            case 'query':
              return runSql(world, sql);
            case 'txn':
              return runSql(world, sql, { oneTxn: true });
            default:
              throw new Error(`line ${testCase.line}: unknown directive ${testCase.directive}`);
          }
        });
        for (const { testCase, actual } of results) expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
      } finally {
        await world.close();
      }
    }, 60_000);
  }
});
