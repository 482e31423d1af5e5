/**
 * Runs every MVCC history script in testdata/ (see mvcc-script.ts for the language) against both
 * engines: the scripts are the specification of MVCC behaviour, and MemoryEngine must be
 * indistinguishable from LevelEngine.
 * `REWRITE=1 npx vitest run test/kv/storage/mvcc` regenerates the expected outputs; review the diff.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenFilesOnEveryEngine } from '../../../support/golden-engines.js';
import { MvccScript } from './mvcc-script.js';

goldenFilesOnEveryEngine('mvcc histories', join(dirname(fileURLToPath(import.meta.url)), 'testdata'), 30, (engine) => new MvccScript(engine));
