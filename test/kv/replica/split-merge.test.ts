/**
 * Runs every split and merge script in testdata/ (see split-merge-script.ts for the language)
 * against a real Store assembled by openKv on a MemoryEngine, on virtual time.
 * `REWRITE=1 npx vitest run test/kv/replica/split-merge.test.ts` regenerates the expected
 * outputs; review the diff.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rewriting, runDataDrivenFile } from '../../support/datadriven.js';
import { SplitMergeScript } from './split-merge-script.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(testdata).filter((f) => !f.startsWith('.')).sort();

describe('split and merge scripts', () => {
  it('has at least 11 scenarios, each with a # header', () => {
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const file of files) expect(readFileSync(join(testdata, file), 'utf8').startsWith('# ')).toBe(true);
  });

  it.each(files)('%s', async (file) => {
    const script = new SplitMergeScript();
    try {
      const results = await runDataDrivenFile(join(testdata, file), (testCase) => script.runCase(testCase));
      if (rewriting) return;
      for (const { testCase, actual } of results) expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
    } finally {
      await script.close();
    }
  });
});
