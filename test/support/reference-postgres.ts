/**
 * A throwaway PostgreSQL 15 — the oracle that tests and scripts compare rangedb with — started
 * in a temp folder on a free port and removed by `stop`.
 *
 * Set up to match rangedb's fixed facts, so answers compare without normalizing: the bootstrap
 * superuser is `root` (rangedb's one role; `user` names another), trusted; UTF8 with collation C
 * (rangedb's code-point order) and ctype C.UTF-8 (rangedb's Unicode case mapping: upper('é') is
 * 'É', as pg_database.datctype says); a database named `defaultdb` exists. PostgreSQL refuses to run as root, so when this
 * process is root its binaries run as the `postgres` user (`runuser -u postgres --`) in a folder
 * that user owns. fsync is off: the data is thrown away.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const postgresBinDir = process.env['PG_BINDIR'] ?? '/usr/lib/postgresql/15/bin';

/** Whether PostgreSQL 15's server binaries are installed where `postgresBinDir` says. */
export function hasReferencePostgres(): boolean {
  if (!existsSync(join(postgresBinDir, 'initdb')) || !existsSync(join(postgresBinDir, 'pg_ctl'))) return false;
  const version = spawnSync(join(postgresBinDir, 'postgres'), ['--version']).stdout?.toString() ?? '';
  return /\b15\./.test(version);
}

export interface ReferencePostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The temp folder: data in `data/`, the server log in `log`, the Unix socket here too. */
  readonly dir: string;
  stop(): Promise<void>;
}

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Runs a PostgreSQL server binary, as the `postgres` user when this process is root. */
function asPostgres(binary: string, args: readonly string[]): Promise<Run> {
  const path = join(postgresBinDir, binary);
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', path, ...args]) : run(path, args);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export async function startReferencePostgres(settings: { readonly user?: string } = {}): Promise<ReferencePostgres> {
  const user = settings.user ?? 'root';
  const dir = mkdtempSync(join(tmpdir(), 'rangedb-pg15-'));
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  const init = await asPostgres('initdb', ['-D', data, '-U', user, '-A', 'trust', '--locale=C', '--lc-ctype=C.UTF-8', '-E', 'UTF8', '--no-sync']);
  if (init.code !== 0) throw new Error(`initdb failed: ${init.output}`);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = await asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', join(dir, 'log'), '-o', options]);
  if (start.code !== 0) throw new Error(`pg_ctl start failed: ${start.output}`);
  // Immediate shutdown: the folder is removed next, so the shutdown checkpoint of a fast stop
  // would write out pages nobody reads — after the logic files' databases (one per file, 118),
  // 14 s of it, past vitest's 10 s hook budget; immediate takes a fraction of a second.
  const stop = async (): Promise<void> => {
    await asPostgres('pg_ctl', ['stop', '-w', '-m', 'immediate', '-D', data]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const client = new pg.Client({ host: '127.0.0.1', port, user, database: 'postgres' });
    await client.connect();
    await client.query('CREATE DATABASE defaultdb');
    await client.end();
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port, user, dir, stop };
}
