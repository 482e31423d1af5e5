/**
 * Runs every command-evaluation script in testdata/ (see eval-script.ts for the language) on
 * MemoryEngine and on LevelEngine: evaluation must not depend on the engine.
 * `REWRITE=1 npx vitest run test/kv/eval` regenerates the expected outputs (from the
 * MemoryEngine run); review the diff.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../../kv/storage/engine.js';
import { LevelEngine } from '../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { rewriting, runDataDrivenFile } from '../../support/datadriven.js';
import { tempDir } from '../../support/tmp.js';
import { EvalScript } from './eval-script.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(testdata).filter((f) => !f.startsWith('.')).sort();

const engines: [string, () => Promise<{ engine: Engine; done: () => Promise<void> }>][] = [
  ['MemoryEngine', () => Promise.resolve({ engine: new MemoryEngine(), done: () => Promise.resolve() })],
  [
    'LevelEngine',
    async () => {
      const dir = tempDir('eval');
      const engine = await LevelEngine.open(dir.path);
      return { engine, done: async () => (await engine.close(), dir.remove()) };
    },
  ],
];

describe.each(engines)('kv/eval scripts on %s', (engineName, open) => {
  it('has at least 10 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s', async (file) => {
    if (rewriting && engineName !== 'MemoryEngine') return; // rewrite once, from one engine
    const { engine, done } = await open();
    try {
      const script = new EvalScript(engine);
      const results = await runDataDrivenFile(join(testdata, file), (testCase) => script.runCase(testCase));
      if (rewriting) return;
      for (const { testCase, actual } of results) expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
    } finally {
      await done();
    }
  });
});
