#!/usr/bin/env node
// `npm run bench -- <name> [args…]`: builds (incrementally) and runs bench/<name>.ts from dist/,
// so benchmarks measure the same compiled JavaScript that `npm start` runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]\nbenchmarks: ${available.join(', ')}`);
  process.exit(2);
}
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const script = join(root, 'dist/bench', `${name}.js`);
if (!existsSync(script)) {
  console.error(`not built: ${script}`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--expose-gc', script, ...args], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
