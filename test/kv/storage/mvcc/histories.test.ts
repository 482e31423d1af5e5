/**
 * Runs every MVCC history script in testdata/ against both engines: the scripts are the
 * specification of MVCC behaviour, and MemoryEngine must be indistinguishable from LevelEngine.
 * `REWRITE=1 npx vitest run test/kv/storage/mvcc` regenerates expected outputs (from the
 * MemoryEngine run; the LevelEngine run must then agree).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LevelEngine } from '../../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../../kv/storage/memory-engine.js';
import type { Engine } from '../../../../kv/storage/engine.js';
import { rewriting, runDataDrivenFile } from '../../../support/datadriven.js';
import { tempDir } from '../../../support/tmp.js';
import { MvccScript } from './mvcc-script.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(testdata).filter((f) => !f.startsWith('.')).sort();

const engines: [string, () => Promise<{ engine: Engine; done: () => Promise<void> }>][] = [
  ['MemoryEngine', () => Promise.resolve({ engine: new MemoryEngine(), done: () => Promise.resolve() })],
  [
    'LevelEngine',
    async () => {
      const dir = tempDir('mvcc');
      const engine = await LevelEngine.open(dir.path);
      return { engine, done: async () => (await engine.close(), dir.remove()) };
    },
  ],
];

describe.each(engines)('mvcc histories on %s', (engineName, open) => {
  it('has at least 30 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)('%s', async (file) => {
    if (rewriting && engineName !== 'MemoryEngine') return; // rewrite once, from one engine
    const { engine, done } = await open();
    try {
      const script = new MvccScript(engine);
      const results = await runDataDrivenFile(join(testdata, file), (testCase) => script.runCase(testCase));
      if (rewriting) return; // the file now holds what the code produced: review the diff
      for (const { testCase, actual } of results) {
        expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
      }
    } finally {
      await done();
    }
  });
});
