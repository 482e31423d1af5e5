/**
 * Runs every command-evaluation script in testdata/ (see eval-script.ts for the language).
 * `REWRITE=1 npx vitest run test/kv/eval` regenerates the expected outputs; review the diff.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { rewriting, runDataDrivenFile } from '../../support/datadriven.js';
import { EvalScript } from './eval-script.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(testdata).filter((f) => !f.startsWith('.')).sort();

describe('kv/eval scripts', () => {
  it('has at least 10 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s', async (file) => {
    const script = new EvalScript(new MemoryEngine());
    const results = await runDataDrivenFile(join(testdata, file), (testCase) => script.runCase(testCase));
    if (rewriting) return;
    for (const { testCase, actual } of results) expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
  });
});
