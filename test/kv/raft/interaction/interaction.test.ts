/**
 * Runs every Raft interaction script in testdata/ (etcd-io/raft's `interaction_test.go`): each
 * file builds a fresh cluster and drives it command by command; the expected output is the exact
 * log of what the core and the harness did. `REWRITE=1 npx vitest run test/kv/raft/interaction`
 * regenerates the outputs — then read the diff as you would a code change.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rewriting, runDataDrivenFile } from '../../../support/datadriven.js';
import { InteractionEnv } from './interaction-env.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(testdata).filter((f) => f.endsWith('.txt')).sort();

describe('raft interactions', () => {
  it('has at least 20 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s', async (file) => {
    const env = new InteractionEnv();
    const results = await runDataDrivenFile(join(testdata, file), (testCase) => Promise.resolve(env.handle(testCase)));
    if (rewriting) return; // the file now holds what the code produced: review the diff
    for (const { testCase, actual } of results) {
      expect(actual, `${file}:${testCase.line}`).toBe(testCase.expected);
    }
  });
});
