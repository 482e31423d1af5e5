/**
 * Runs every concurrency script in testdata/: latches, the lock table and the txn wait queue.
 * `REWRITE=1 npx vitest run test/kv/concurrency` regenerates expected outputs; review the diff.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rewriting, runDataDrivenFile } from '../../support/datadriven.js';
import { ConcurrencyScript } from './concurrency-script.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(testdata).filter((f) => !f.startsWith('.')).sort();

describe('concurrency scripts', () => {
  it('has at least 12 scenarios, each with a # header', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) expect(readFileSync(join(testdata, file), 'utf8').startsWith('# ')).toBe(true);
  });

  it.each(files)('%s', async (file) => {
    const script = new ConcurrencyScript();
    const results = await runDataDrivenFile(join(testdata, file), (testCase) => Promise.resolve(script.runCase(testCase)));
    if (rewriting) return;
    for (const { testCase, actual } of results) {
      expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
    }
  });
});
