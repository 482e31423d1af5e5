/**
 * The real command line, as `npm start` runs it: the compiled CLI in a child process, stopped
 * by a signal. Needs `npm run build` (which `npm install` and `npm test` run).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const cli = join(process.cwd(), 'dist/src/cli/main.js');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function waitFor(output: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = process.uptime();
    const poll = (): void => {
      if (pattern.test(output())) return resolve();
      if ((process.uptime() - started) * 1000 > timeoutMs) return reject(new Error(`timed out waiting for ${pattern}; output:\n${output()}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

describe('rangedb start-single-node', () => {
  it('opens the store, logs as JSON, and shuts down cleanly on SIGTERM', async () => {
    expect(existsSync(cli), 'run `npm run build` first').toBe(true);
    const dir = tempDir('cli');
    cleanups.push(dir.remove);
    const child = spawn(process.execPath, [cli, 'start-single-node', `--store=${dir.path}`, '--sql-addr=localhost:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output, /rangedb is running/, 10_000);
    expect(output).toMatch(/"msg":"bootstrapped a new cluster"/);
    expect(output).toMatch(/connect with: psql postgresql:\/\/root@localhost:\d+\/defaultdb\?sslmode=disable/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/"msg":"stopped"/);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const child = spawn(process.execPath, [cli, 'no-such-command'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command: no-such-command/);
  });
});
