/**
 * Runs every command-evaluation script in testdata/ (see eval-script.ts for the language) on
 * MemoryEngine and on LevelEngine: evaluation must not depend on the engine.
 * `REWRITE=1 npx vitest run test/kv/eval` regenerates the expected outputs; review the diff.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenFilesOnEveryEngine } from '../../support/golden-engines.js';
import { EvalScript } from './eval-script.js';

goldenFilesOnEveryEngine('kv/eval scripts', join(dirname(fileURLToPath(import.meta.url)), 'testdata'), 10, (engine) => new EvalScript(engine));
