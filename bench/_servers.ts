/**
 * The servers the SQL benchmarks compare: PostgreSQL 15 started in a temp folder (initdb, then
 * `pg_ctl start` with fsync=on and synchronous_commit=on — durable commits, as rangedb's are; as
 * root both run through `runuser -u postgres --`, since initdb and postgres refuse root) on a free
 * localhost port with its socket in the temp folder, and rangedb as `node dist/src/cli/main.js
 * start-single-node` on a temp store (a separate process, as a user runs it, so the load and the
 * server do not share an event loop). Both are stopped on the way out, on failure and on Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nowMs, progress } from './_report.js';

export const pgBin = '/usr/lib/postgresql/15/bin';
const runningAsRoot = process.getuid?.() === 0;

/** How a client reaches a server. */
export interface Target {
  readonly name: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

/** Synchronous stops run from `exit` and signal handlers, so no server outlives the bench. */
export const cleanups: (() => void)[] = [];
export function cleanUp(): void {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping the servers`);
    cleanUp();
    process.exit(130);
  });
}


export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, 'localhost', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = nowMs() + timeoutMs;
  while (nowMs() < deadline) {
    if (!alive()) throw new Error(`the server on port ${port} exited before accepting connections`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, 'localhost');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

/** Runs a PostgreSQL binary as the postgres user when we are root (initdb and postgres refuse root). */
export function asPostgres(binary: string, args: readonly string[]): { command: string; args: string[] } {
  const path = join(pgBin, binary);
  return runningAsRoot ? { command: 'runuser', args: ['-u', 'postgres', '--', path, ...args] } : { command: path, args: [...args] };
}

export function runChecked(command: string, args: readonly string[], what: string, cwd: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}): ${result.stderr || result.stdout}`);
}

/** A PostgreSQL 15 cluster in a temp folder, stopped (and its folder removed) by `stop`. */
export class ReferencePostgres {
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(options: { readonly maxConnections?: number } = {}): Promise<ReferencePostgres> {
    if (!existsSync(join(pgBin, 'pg_ctl'))) throw new Error(`PostgreSQL 15 is not installed (${pgBin}/pg_ctl): apt-get install postgresql-15`);
    const dir = mkdtempSync(join(tmpdir(), 'rangedb-bench-pg-'));
    chmodSync(dir, 0o777); // the postgres user writes the data folder, socket and log here
    const pg = new ReferencePostgres(dir, await freePort());
    cleanups.push(() => pg.stopSync());
    const init = asPostgres('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    runChecked(init.command, init.args, 'initdb', dir);
    const settings = [`-p ${pg.port}`, `-k ${dir}`, "-c listen_addresses='localhost'", '-c fsync=on', '-c synchronous_commit=on', `-c max_connections=${options.maxConnections ?? 100}`].join(' ');
    const start = asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', join(dir, 'data'), '-l', join(dir, 'postgres.log'), '-o', settings]);
    runChecked(start.command, start.args, 'pg_ctl start', dir);
    pg.running = true;
    return pg;
  }

  get target(): Target {
    return { name: 'PostgreSQL 15', port: this.port, user: 'postgres', database: 'postgres' };
  }

  /** `pg_ctl stop -m fast`, then the folder goes. Idempotent; synchronous so an exit handler can call it. */
  stopSync(): void {
    if (this.running) {
      this.running = false;
      const stop = asPostgres('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', join(this.dir, 'data')]);
      const result = spawnSync(stop.command, stop.args, { encoding: 'utf8', cwd: this.dir });
      if (result.status !== 0) progress(`pg_ctl stop failed: ${result.stderr}`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A rangedb single-node process on a temp store. */
export class RangedbServer {
  private exited = false;
  private readonly exit: Promise<number | null>;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.once('exit', () => (this.exited = true));
  }

  static async start(options: { readonly cpuProfDir?: string | undefined } = {}): Promise<RangedbServer> {
    const dir = mkdtempSync(join(tmpdir(), 'rangedb-bench-server-'));
    const cpuProfDir = options.cpuProfDir;
    const port = await freePort();
    const nodeArgs = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
    const args = [...nodeArgs, 'dist/src/cli/main.js', 'start-single-node', `--store=${join(dir, 'store')}`, `--sql-addr=localhost:${port}`, '--log-level=warn'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const server = new RangedbServer(dir, port, child);
    cleanups.push(() => server.killSync());
    await waitForPort(port, 60_000, () => !server.exited);
    return server;
  }

  get target(): Target {
    return { name: 'rangedb', port: this.port, user: 'root', database: 'defaultdb' };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM (a clean shutdown: connections drained, the store closed), SIGKILL after 30 s. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref());
      if ((await Promise.race([this.exit, timeout])) === 'timeout') {
        progress('rangedb did not stop within 30 s of SIGTERM; killing it');
        this.child.kill('SIGKILL');
        await this.exit;
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  killSync(): void {
    if (!this.exited) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs pgbench, streaming its progress lines (`-P`) to stderr; resolves with its output. */
