/**
 * What the pipeline and savepoint end-to-end tests share: a PostgreSQL 15 started in a temp
 * folder as the oracle (through `runuser -u postgres` when we are root, which initdb and postgres
 * refuse), and a raw protocol client that sends frames and renders each backend message as one
 * short line (kind, SQLSTATE, tag, row) so answers of rangedb and PostgreSQL compare exactly.
 */
import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { hasReferencePostgres, startReferencePostgres, type ReferencePostgres } from '../support/reference-postgres.js';

export const hasPostgres = hasReferencePostgres();

/** A PostgreSQL 15 in a temp folder on a free port whose superuser is `postgres`, stopped by `stop`. */
export function startPostgres(): Promise<ReferencePostgres> {
  return startReferencePostgres({ user: 'postgres' });
}

/** A raw protocol client: sends frames, returns the messages up to the n-th ReadyForQuery. */
export class RawClient {
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

/** Runs the steps (frames ending in Sync, or a Query) on one new connection, then drops table t. */
export async function runScenario(port: number, user: string, database: string, steps: Buffer[][]): Promise<string[][]> {
  const client = await RawClient.open(port, user, database);
  try {
    const answers: string[][] = [];
    for (const step of steps) answers.push(await client.send(step));
    await client.send([serialize.query('drop table if exists t')]);
    return answers;
  } finally {
    client.close();
  }
}
