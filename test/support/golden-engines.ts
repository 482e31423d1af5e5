/**
 * Runs every golden script of a testdata folder once per storage engine (MemoryEngine and
 * LevelEngine): the scripts specify behaviour, and the engines must be indistinguishable.
 * Under REWRITE=1 the expected outputs are regenerated from the MemoryEngine run only; review
 * the diff, then the LevelEngine run must agree.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../kv/storage/engine.js';
import { LevelEngine } from '../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../kv/storage/memory-engine.js';
import { rewriting, runDataDrivenFile, type TestCase } from './datadriven.js';
import { tempDir } from './tmp.js';

export interface Script {
  runCase(testCase: TestCase): Promise<string>;
}

const engines: [string, () => Promise<{ engine: Engine; done: () => Promise<void> }>][] = [
  ['MemoryEngine', () => Promise.resolve({ engine: new MemoryEngine(), done: () => Promise.resolve() })],
  [
    'LevelEngine',
    async () => {
      const dir = tempDir('golden');
      const engine = await LevelEngine.open(dir.path);
      return { engine, done: async () => (await engine.close(), dir.remove()) };
    },
  ],
];

/** Declares the tests: one per file per engine, plus a check that there are `minFiles` files. */
export function goldenFilesOnEveryEngine(title: string, testdata: string, minFiles: number, makeScript: (engine: Engine) => Script): void {
  const files = readdirSync(testdata).filter((f) => !f.startsWith('.')).sort();
  describe.each(engines)(`${title} on %s`, (engineName, open) => {
    it(`has at least ${minFiles} scenarios`, () => {
      expect(files.length).toBeGreaterThanOrEqual(minFiles);
    });

    it.each(files)('%s', async (file) => {
      if (rewriting && engineName !== 'MemoryEngine') return; // rewrite once, from one engine
      const { engine, done } = await open();
      try {
        const script = makeScript(engine);
        const results = await runDataDrivenFile(join(testdata, file), (testCase) => script.runCase(testCase));
        if (rewriting) return; // the file now holds what the code produced: review the diff
        for (const { testCase, actual } of results) expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
      } finally {
        await done();
      }
    });
  });
}
