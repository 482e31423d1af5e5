/**
 * Where the logic files live and how a run over all of them is put together: the runner, the
 * known differences and the report, for one target at a time (rangedb in the vitest file,
 * PostgreSQL 15 in `npm run test:pg` and the vitest file's second test).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readKnownDifferences, type KnownDifference } from './known.js';
import { readLogicFile } from './parse.js';
import { judge, type FileReport } from './report.js';
import { runLogicFile, type Outcome, type Target } from './run.js';

/** The repository root: the first folder above this file holding package.json (from test/ or dist/test/). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package.json above test/logic');
    dir = parent;
  }
  return dir;
}

export const logicDir = join(repositoryRoot(), 'test', 'logic');
export const testdataDir = join(logicDir, 'testdata');
export const knownDifferencesPath = join(logicDir, 'known-differences.md');

/** The logic files (`*.slt`), sorted, relative to testdata/. */
export function logicFiles(): string[] {
  return readdirSync(testdataDir)
    .filter((name) => name.endsWith('.slt'))
    .sort();
}

export function knownDifferences(): KnownDifference[] {
  return readKnownDifferences(knownDifferencesPath);
}

/** Runs one file on `target` and judges it; `outcomes` are kept for rewriting. */
export async function runAndJudge(name: string, target: Target, known: readonly KnownDifference[]): Promise<{ report: FileReport; outcomes: Outcome[] }> {
  const file = readLogicFile(join(testdataDir, name));
  const outcomes = await runLogicFile(file, target);
  return { report: judge(name, outcomes, known, target.name), outcomes };
}
