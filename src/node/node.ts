/**
 * A rangedb node: assembles what one process runs. Today: one store (a LevelDB engine) with its
 * identity. Raft, ranges, the KV server and the SQL listener join here as they are built.
 */
import { resolve } from 'node:path';
import type { Env } from '../env/env.js';
import type { Logger } from '../base/logger.js';
import { LevelEngine } from '../../kv/storage/level-engine.js';
import { ensureStoreIdent, type StoreIdent } from './store-ident.js';

export interface NodeConfig {
  /** The store's data folder. */
  readonly storePath: string;
}

export class RangedbNode {
  private stopped = false;

  private constructor(
    private readonly logger: Logger,
    readonly engine: LevelEngine,
    readonly ident: StoreIdent,
  ) {}

  static async start(env: Env, config: NodeConfig): Promise<RangedbNode> {
    const logger = env.logger.child({ component: 'node' });
    const storePath = resolve(config.storePath);
    await env.disk.mkdirs(storePath);
    const engine = await LevelEngine.open(storePath);
    try {
      const { ident, bootstrapped } = await ensureStoreIdent(engine, env.random);
      const sizeBytes = await engine.approximateSize(new Uint8Array(0), Uint8Array.of(0xff, 0xff, 0xff, 0xff));
      logger.info({ store: storePath, clusterId: ident.clusterId, nodeId: ident.nodeId, storeId: ident.storeId, sizeBytes }, bootstrapped ? 'bootstrapped a new cluster' : 'store opened');
      return new RangedbNode(logger, engine, ident);
    } catch (error) {
      await engine.close();
      throw error;
    }
  }

  /** Stops the node: drains queued writes and closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.info('stopping');
    await this.engine.close();
    this.logger.info('stopped');
  }
}
