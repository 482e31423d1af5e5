// Extended-query pipelines (Parse/Bind/Execute × N, then one Sync) against a real node with the
// real engine, and the same frames against a real PostgreSQL 15 as the oracle: the batch up to
// Sync is one implicit transaction (all or nothing), BEGIN/COMMIT/ROLLBACK/SAVEPOINT inside it
// behave alike, a SET in a failed batch is undone. Messages are compared by kind, SQLSTATE, tag
// and row; where PostgreSQL 15 is not installed the comparison is skipped (CI installs it).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

const pgBin = '/usr/lib/postgresql/15/bin';
const hasPostgres = existsSync(join(pgBin, 'pg_ctl'));

/** PostgreSQL refuses to run as root: its binaries run as the postgres user then. */
function asPostgres(binary: string, args: readonly string[]): [string, string[]] {
  const path = join(pgBin, binary);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
}

function run([command, args]: [string, string[]], cwd: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A PostgreSQL 15 in a temp folder on a free port (socket in the folder), stopped by `stop`. */
async function startPostgres(): Promise<{ port: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'rangedb-pipeline-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  run(asPostgres('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']), dir);
  const options = `-p ${port} -k ${dir} -c listen_addresses='localhost' -c fsync=off`;
  run(asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', join(dir, 'data'), '-l', join(dir, 'postgres.log'), '-o', options]), dir);
  return {
    port,
    stop() {
      spawnSync(...asPostgres('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', join(dir, 'data')]), { cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw protocol client: sends frames, returns the messages up to the n-th ReadyForQuery. */
class RawClient {
  private readonly parser = new Parser();
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.parser.parse(data, (message) => this.lines.push(render(message)));
      this.waiter?.();
    });
  }

  static async open(port: number, user: string, database: string): Promise<RawClient> {
    const socket = connect(port, 'localhost');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    await client.send([serialize.startup({ user, database })]);
    return client;
  }

  /** Sends `frames`, waits for `syncs` ReadyForQuery messages and returns what came. */
  async send(frames: readonly Buffer[], syncs = 1): Promise<string[]> {
    this.socket.write(Buffer.concat(frames));
    for (;;) {
      const ready = this.lines.filter((line) => line.startsWith('Z ')).length;
      if (ready >= syncs) break;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    return this.lines.splice(0).filter((line) => !line.startsWith('S ') && line !== 'K' && line !== 'R');
  }

  close(): void {
    this.socket.end(serialize.end());
  }
}

function render(message: BackendMessage): string {
  const m = message as BackendMessage & Record<string, unknown>;
  switch (message.name) {
    case 'dataRow':
      return `D ${(m.fields as (string | null)[]).map((f) => f ?? 'NULL').join('|')}`;
    case 'commandComplete':
      return `C ${m.text as string}`;
    case 'readyForQuery':
      return `Z ${m.status as string}`;
    case 'error':
      return `E ${m.code as string}`;
    case 'notice':
      return `N ${m.code as string} ${m.message as string}`;
    case 'parameterStatus':
      return `S ${m.parameterName as string}`;
    case 'backendKeyData':
      return 'K';
    case 'authenticationOk':
      return 'R';
    case 'rowDescription':
      return `T ${(m.fields as { name: string }[]).map((f) => f.name).join(' ')}`;
    default:
      return message.name;
  }
}

const statement = (sql: string): Buffer[] => [serialize.parse({ text: sql }), serialize.bind({}), serialize.execute({})];
const q = (sql: string): Buffer => serialize.query(sql);

/** Each scenario: a setup Query, then pipelines (one Sync each) whose answers are compared. */
const scenarios: { name: string; steps: Buffer[][] }[] = [
  {
    name: 'a failing statement rolls back the whole batch',
    steps: [[q('create table t (a int primary key, b text)')], [...statement("insert into t values (1, 'one')"), ...statement("insert into t values (2, 'two'), (1, 'dup')"), ...statement("insert into t values (3, 'three')"), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'a successful batch commits every statement',
    steps: [[q('create table t (a int primary key, b text)')], [...statement("insert into t values (1, 'one')"), ...statement("insert into t values (2, 'two')"), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'BEGIN inside a batch makes what ran before it part of the block',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('begin'), ...statement('insert into t values (2)'), serialize.sync()], [q('rollback')], [q('select * from t order by a')]],
  },
  {
    name: 'COMMIT inside a batch commits what ran before it, with a warning',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('commit'), ...statement('insert into t values (1)'), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'ROLLBACK inside a batch rolls back what ran before it, with a warning',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('rollback'), ...statement('insert into t values (2)'), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'SAVEPOINT inside a batch is outside a transaction block',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('savepoint s'), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'a SET in a failed batch is undone',
    steps: [[q('create table t (a int primary key)')], [...statement("set application_name = 'batch'"), ...statement('insert into t values (1), (1)'), serialize.sync()], [q('show application_name')]],
  },
  {
    name: 'a Bind error after an Execute aborts the batch',
    steps: [
      [q('create table t (a int primary key)')],
      [...statement('insert into t values (1)'), serialize.parse({ name: 'ins', text: 'insert into t values ($1)' }), serialize.bind({ statement: 'ins', values: ['x'] }), serialize.execute({}), serialize.sync()],
      [q('select * from t order by a')],
    ],
  },
];

async function runScenario(port: number, user: string, database: string, steps: Buffer[][]): Promise<string[][]> {
  const client = await RawClient.open(port, user, database);
  try {
    const answers: string[][] = [];
    for (const step of steps) answers.push(await client.send(step));
    await client.send([q('drop table t')]);
    return answers;
  } finally {
    client.close();
  }
}

let rangedb: SqlNode;
let postgres: { port: number; stop(): void } | undefined;

beforeAll(async () => {
  rangedb = await startSqlNode();
  if (hasPostgres) postgres = await startPostgres();
}, 120_000);

afterAll(async () => {
  postgres?.stop();
  await rangedb.stop();
});

describe('extended-query pipelines, compared with PostgreSQL 15', () => {
  it('PostgreSQL 15 is installed where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(hasPostgres).toBe(true);
  });

  for (const scenario of scenarios) {
    it.runIf(hasPostgres)(scenario.name, async () => {
      const ours = await runScenario(rangedb.port, 'root', 'defaultdb', scenario.steps);
      const theirs = await runScenario(postgres!.port, 'postgres', 'postgres', scenario.steps);
      expect(ours).toEqual(theirs);
    });
  }

  it('the first statement of a failed batch is not committed (rangedb alone)', async () => {
    const answers = await runScenario(rangedb.port, 'root', 'defaultdb', scenarios[0]!.steps);
    expect(answers[1]!.at(-2)).toBe('E 23505');
    expect(answers[2]).toEqual(['T a b', 'C SELECT 0', 'Z I']);
  });
});
