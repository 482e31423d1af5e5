/**
 * A rangedb node: assembles what one process runs. Today: one store (a LevelDB engine) with its
 * identity, serving the transactional KV layer (`openKv`: the store's ranges, each a Raft group,
 * behind a DistSender), and — when configured — the SQL listener (`SqlServer`: pgwire sessions
 * over the SQL engine, whose system objects are bootstrapped in a transaction at start). The RPC
 * transport joins here as it is built.
 */
import { resolve } from 'node:path';
import type { Env } from '../env/env.js';
import type { Logger } from '../base/logger.js';
import { LevelEngine } from '../../kv/storage/level-engine.js';
import { runTxn } from '../../txn/index.js';
import { loadParser } from '../../sql/parser/index.js';
import { openKv, type Kv } from './kv.js';
import { defaultSqlEngine, storeRangeStatus, type SqlEngineFactory } from './sql-engine.js';
import { SqlServer, type SqlServerConfig } from './sql-server.js';
import type { SessionDeps } from '../../sql/session/index.js';
import { readStoreIdent, type StoreIdent } from './store-ident.js';

export interface NodeConfig {
  /** The store's data folder. */
  readonly storePath: string;
  /** The cluster's max clock offset, in nanoseconds; default 500ms. */
  readonly maxClockOffsetNanos?: bigint;
  /** Serve SQL (pgwire) with this listener configuration; absent: KV only. */
  readonly sql?: SqlServerConfig;
  /** The SQL engine to run (default: `defaultSqlEngine`). */
  readonly sqlEngine?: SqlEngineFactory;
}

export class RangedbNode {
  private stopped = false;

  private constructor(
    private readonly logger: Logger,
    readonly engine: LevelEngine,
    readonly ident: StoreIdent,
    readonly kv: Kv,
    /** The SQL listener, when `NodeConfig.sql` asked for one. */
    readonly sql: SqlServer | undefined,
  ) {}

  static async start(env: Env, config: NodeConfig): Promise<RangedbNode> {
    const logger = env.logger.child({ component: 'node' });
    const storePath = resolve(config.storePath);
    await env.disk.mkdirs(storePath);
    const engine = await LevelEngine.open(storePath);
    const bootstrapped = readStoreIdent(engine) === undefined;
    let kv: Kv;
    try {
      kv = await openKv({
        engine,
        env,
        ...(config.maxClockOffsetNanos === undefined ? {} : { maxClockOffsetNanos: config.maxClockOffsetNanos }),
      });
    } catch (error) {
      await engine.close();
      throw error;
    }
    const ident = readStoreIdent(engine)!;
    const sizeBytes = await engine.approximateSize(new Uint8Array(0), Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    logger.info(
      { store: storePath, clusterId: ident.clusterId, nodeId: ident.nodeId, storeId: ident.storeId, ranges: kv.store.replicas().length, sizeBytes },
      bootstrapped ? 'bootstrapped a new cluster' : 'store opened',
    );
    let sql: SqlServer | undefined;
    if (config.sql !== undefined) {
      try {
        sql = await startSql(env, kv, config.sql, config.sqlEngine ?? defaultSqlEngine);
      } catch (error) {
        await kv.close();
        throw error;
      }
    }
    return new RangedbNode(logger, engine, ident, kv, sql);
  }

  /** Stops the node: lets the Ready cycle in flight finish, then closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.info('stopping');
    await this.sql?.stop();
    await this.kv.close();
    this.logger.info('stopped');
  }
}

/** Loads the parser, bootstraps the engine's system objects in a transaction, then listens. */
async function startSql(env: Env, kv: Kv, config: SqlServerConfig, makeEngine: SqlEngineFactory): Promise<SqlServer> {
  return SqlServer.start(env, await openSqlSessions(env, kv, makeEngine), config);
}

/**
 * What the node's SQL sessions run on (the listener's `SessionDeps`): the parser loaded, the
 * engine's system objects bootstrapped in a transaction. Also for a caller that drives
 * `Connection`s without a socket (bench/point-read.ts).
 */
export async function openSqlSessions(env: Env, kv: Kv, makeEngine: SqlEngineFactory = defaultSqlEngine): Promise<SessionDeps> {
  await loadParser();
  const engine = makeEngine({ db: kv.sender, txnDeps: kv.txnDeps, logger: env.logger.child({ component: 'sql-engine' }), ranges: storeRangeStatus(kv.store) });
  await runTxn(kv.sender, kv.txnDeps, (txn) => engine.bootstrap(txn));
  // The MVCC GC queue keeps the GC threshold below the oldest open SQL transaction (a protected
  // timestamp: its reads, and its backfills' snapshot reads, keep their history).
  const oldestReader = engine.oldestReaderTimestamp;
  if (oldestReader !== undefined) kv.store.gcQueue.setReaderHorizon(oldestReader);
  // SQL sessions hold back only writes of rows their transaction has locked (txn/write-buffer.ts,
  // policy `locked`): UPDATE and DELETE read their rows with exclusive locking reads, so their
  // writes can ride with the next statement's write or the commit (a Raft round less each)
  // without hiding a conflict; any other write is laid down as an intent at once, where a
  // concurrent reader of the row waits for it. (Holding every write made contending
  // SELECT-then-UPDATE transfers meet their conflicts only at commit and restart each other past
  // the e2e test's minute: test/e2e/sql-transactions.test.ts.) A push the held writes meet at
  // commit (a fresh lease's timestamp-cache floor, a reader) comes back as the refused EndTxn's
  // `pushedTo`; the coordinator refreshes its reads there and commits instead of restarting
  // (txn/span-refresher.ts), waiting for the clock if the push was into the future.
  const sqlTxnDeps = { ...kv.txnDeps, writeBufferPolicy: 'locked' as const };
  return { engine, db: kv.sender, txnDeps: sqlTxnDeps, catalogVersion: { value: 0 } };
}
