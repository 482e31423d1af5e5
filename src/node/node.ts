/**
 * A rangedb node: assembles what one process runs. Today: one store (a LevelDB engine) with its
 * identity, serving the transactional KV layer (`openKv`: the store's ranges, each a Raft group,
 * behind a DistSender). The SQL listener and the RPC transport join here as they are built.
 */
import { resolve } from 'node:path';
import type { Env } from '../env/env.js';
import type { Logger } from '../base/logger.js';
import { LevelEngine } from '../../kv/storage/level-engine.js';
import { openKv, type Kv } from './kv.js';
import { readStoreIdent, type StoreIdent } from './store-ident.js';

export interface NodeConfig {
  /** The store's data folder. */
  readonly storePath: string;
  /** The cluster's max clock offset, in nanoseconds; default 500ms. */
  readonly maxClockOffsetNanos?: bigint;
}

export class RangedbNode {
  private stopped = false;

  private constructor(
    private readonly logger: Logger,
    readonly engine: LevelEngine,
    readonly ident: StoreIdent,
    readonly kv: Kv,
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
    return new RangedbNode(logger, engine, ident, kv);
  }

  /** Stops the node: lets the Ready cycle in flight finish, then closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.info('stopping');
    await this.kv.close();
    this.logger.info('stopped');
  }
}
