/**
 * Golden files for sql/parser: each case is SQL text and the AST it parses to (print.ts), or the
 * error it raises. Directives:
 *
 *     parse       the statements, rendered (a query statement prints as its query)
 *     spans       each statement's location (byte offset) and source text
 *     locations   every node location in document order, `Kind@offset`
 *
 * An error prints as `error <SQLSTATE> at <position>: <message>` (position: PostgreSQL's 1-based
 * character index). `REWRITE=1 npx vitest run test/sql/parser` regenerates; review the diff.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FeatureNotSupportedError, GrammarCheckError, loadParser, parse, SqlSyntaxError, type Statement } from '../../../sql/parser/index.js';
import { rewriting, runDataDrivenFile, type TestCase } from '../../support/datadriven.js';
import { locations, render } from './print.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

function renderStatement(statement: Statement): string {
  return statement.kind === 'QueryStatement' ? render(statement.query, 0) : render(statement, 0);
}

function run(testCase: TestCase): string {
  const sql = testCase.input.join('\n');
  let statements: Statement[];
  try {
    statements = parse(sql);
  } catch (error: unknown) {
    if (error instanceof SqlSyntaxError || error instanceof FeatureNotSupportedError || error instanceof GrammarCheckError) {
      return `error ${error.sqlState} at ${String(error.position)}: ${error.message}`;
    }
    throw error;
  }
  switch (testCase.directive) {
    case 'parse':
      return statements.map(renderStatement).join('\n');
    case 'spans':
      return statements.map((s) => `${s.kind}@${s.location}: ${s.text}`).join('\n');
    case 'locations':
      return statements.map((s) => locations(s).join(' ')).join('\n');
    default:
      throw new Error(`unknown directive ${testCase.directive}`);
  }
}

describe('sql/parser golden files', () => {
  beforeAll(async () => {
    await loadParser();
  });

  const files = readdirSync(testdata).filter((f) => f.endsWith('.txt')).sort();
  it.each(files)('%s', async (file) => {
    const results = await runDataDrivenFile(join(testdata, file), (testCase) => Promise.resolve(run(testCase)));
    if (rewriting) return;
    for (const { testCase, actual } of results) expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
  });
});
