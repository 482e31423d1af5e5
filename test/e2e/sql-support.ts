/**
 * A real node in this process for the SQL end-to-end tests: a `RangedbNode` on a temp store
 * with its SQL listener on a free port, running the real SQL engine — or, with `fake: true`, the
 * test engine (test/support/fake-sql-engine.ts), whose `pg_sleep` makes a statement that runs
 * long enough to cancel or to drain.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../src/base/logger.js';
import { realEnv } from '../../src/env/real.js';
import { RangedbNode } from '../../src/node/node.js';
import type { SqlServerConfig } from '../../src/node/sql-server.js';
import { FakeSqlEngine } from '../support/fake-sql-engine.js';
import { tempDir } from '../support/tmp.js';

export interface SqlNode {
  readonly node: RangedbNode;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startSqlNode(sql: Partial<SqlServerConfig> = {}, options: { fake?: boolean } = {}): Promise<SqlNode> {
  const dir = tempDir('sql-e2e');
  const env = realEnv({ logger: silentLogger() });
  const node = await RangedbNode.start(env, {
    storePath: dir.path,
    sql: { addr: 'localhost:0', insecure: true, ...sql },
    ...(options.fake === true ? { sqlEngine: (deps) => new FakeSqlEngine(Uint8Array.of(0xf0, 0xfe), deps.txnDeps.timers) } : {}),
  });
  const port = node.sql!.address.port;
  return {
    node,
    port,
    url: `postgresql://root@localhost:${port}/defaultdb?sslmode=disable`,
    async stop() {
      await node.stop();
      dir.remove();
    },
  };
}

/** A node-postgres client, connected to the node on `port` as root to defaultdb (`config` overrides). */
export async function connectPg(port: number, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: 'localhost', port, user: 'root', database: 'defaultdb', ...config });
  await client.connect();
  return client;
}

/** A node with two node-postgres clients, one asking for results in text format and one in binary. */
export interface TextAndBinaryClients {
  readonly server: SqlNode;
  readonly client: pg.Client;
  /** Results in binary format: node-postgres asks for it on a client made `binary`, in the extended protocol (a query with parameters). */
  readonly binaryClient: pg.Client;
}

/**
 * Starts a node and its two clients before the file's tests and stops them after
 * (`beforeAll` / `afterAll`); the fields are set once `beforeAll` has run.
 */
export function textAndBinaryClients(): TextAndBinaryClients {
  const clients = {} as { server: SqlNode; client: pg.Client; binaryClient: pg.Client };
  beforeAll(async () => {
    clients.server = await startSqlNode();
    clients.client = await connectPg(clients.server.port);
    // `binary` is a node-postgres client option its type declarations leave out.
    clients.binaryClient = await connectPg(clients.server.port, { binary: true } as pg.ClientConfig);
  });
  afterAll(async () => {
    await clients.binaryClient.end();
    await clients.client.end();
    await clients.server.stop();
  });
  return clients;
}

/** Type parsers that hand every value over as the text (or bytes) the server sent. */
export const rawTypes = { getTypeParser: () => (value: unknown) => value } as unknown as pg.CustomTypesConfig;

/** The SQLSTATE, message and (when the server gave one) position that `query` fails with; a success fails the test. */
export async function sqlErrorOf(query: Promise<unknown>): Promise<{ code: string; message: string; position?: string }> {
  try {
    await query;
  } catch (error) {
    const e = error as { code: string; message: string; position?: string };
    return { code: e.code, message: e.message, ...(e.position === undefined ? {} : { position: e.position }) };
  }
  throw new Error('expected an error');
}
