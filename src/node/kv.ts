/**
 * `openKv`: the transactional key-value store of one node, assembled — a `Store` over an engine,
 * a `DistSender` with its `RangeCache` over that store, and what `txn/` needs to run
 * transactions on it. `RangedbNode`, the tests and the benchmarks all start KV through here.
 *
 * ```
 *   runTxn(kv.sender, kv.txnDeps, fn) ─► DistSender ─(RangeCache, meta2 lookups)─► Store ─► Replica
 * ```
 *
 * The store's own requests to other ranges (pushes, intent resolution, split and merge
 * transactions) go through the same DistSender, so they work unchanged once ranges live on
 * other nodes and the transport is a network hop.
 */
import { HybridClock } from '../../clock/hlc.js';
import { StaticClockBound, type ClockBound } from '../../clock/clockbound.js';
import {
  adminMergeRequest,
  adminSplitRequest,
  batchHeader,
  batchRequest,
  decodeRangeDescriptor,
  meta2Prefix,
  metaMax,
  scanRequest,
  type RangeDescriptor,
  type Sender,
  withHeader,
} from '../../kv/api/index.js';
import { DistSender, RangeCache } from '../../kv/client/index.js';
import { Store } from '../../kv/replica/store.js';
import type { Engine } from '../../kv/storage/engine.js';
import { ParallelCommits, type TxnDeps } from '../../txn/index.js';
import type { Env } from '../env/env.js';
import { ensureStoreIdent } from './store-ident.js';

export interface KvOptions {
  /** The store's engine; `Kv.close()` closes it. */
  readonly engine: Engine;
  readonly env: Env;
  /** The cluster's max clock offset (uncertainty intervals, commit wait); default 500ms. */
  readonly maxClockOffsetNanos?: bigint;
  /** See `StoreConfig.onFatal`. */
  readonly onFatal?: (error: unknown) => void;
  /**
   * Transactions' write buffer (txn/write-buffer.ts), in bytes; 0 sends every write at once.
   * Default `limits.txnWriteBufferBytesMax`.
   */
  readonly txnWriteBufferBytesMax?: number;
  /**
   * Parallel commits (txn/committer.ts): a multi-range commit in one consensus round, its record
   * STAGING until made explicit. Default `parallelCommitsDefault`.
   */
  readonly parallelCommits?: boolean;
}

/** Whether transactions commit in parallel unless `KvOptions.parallelCommits` says otherwise. */
export const parallelCommitsDefault = true;

export interface Kv {
  readonly store: Store;
  /** The `Sender` transactions and SQL use: a DistSender over the store. */
  readonly sender: Sender;
  readonly txnDeps: TxnDeps;
  readonly clock: HybridClock;
  readonly clockBound: ClockBound;
  /** Splits the range holding `key` at `key`. */
  split(key: Uint8Array): Promise<void>;
  /** Merges the range holding `key` with its right neighbour. */
  merge(key: Uint8Array): Promise<void>;
  /** Every range, in key order, as meta2 describes them. */
  ranges(): Promise<readonly RangeDescriptor[]>;
  /** Stops the store and closes the engine. Idempotent. */
  close(): Promise<void>;
}

export async function openKv(options: KvOptions): Promise<Kv> {
  const { engine, env } = options;
  const clock = new HybridClock(env.clock, options.maxClockOffsetNanos === undefined ? {} : { maxOffsetNanos: options.maxClockOffsetNanos });
  const clockBound = StaticClockBound.fromHybridClock(clock);
  const { ident } = await ensureStoreIdent(engine, env.random);
  const store = await Store.open({
    engine,
    clock,
    timers: env.timers,
    random: env.random,
    logger: env.logger,
    nodeId: ident.nodeId,
    storeId: ident.storeId,
    ...(options.onFatal === undefined ? {} : { onFatal: options.onFatal }),
  });
  const cache = new RangeCache((key) => store.rangeLookup(key));
  // The DistSender names the range in every batch it sends (a copy only for one that does not).
  const sender = new DistSender(cache, (rangeId, _desc, batch) => store.send(batch.header.rangeId === rangeId ? batch : batchRequest(withHeader(batch.header, { rangeId }), batch.requests)), { timers: env.timers });
  store.connect(sender);
  const txnDeps: TxnDeps = {
    clock,
    clockBound,
    timers: env.timers,
    random: env.random,
    parallelCommits: new ParallelCommits(options.parallelCommits ?? parallelCommitsDefault),
    ...(options.txnWriteBufferBytesMax === undefined ? {} : { writeBufferBytesMax: options.txnWriteBufferBytesMax }),
  };
  let closed = false;

  return {
    store,
    sender,
    txnDeps,
    clock,
    clockBound,
    async split(key) {
      const now = clock.now();
      await sender.send(batchRequest(batchHeader({ timestamp: now }), [adminSplitRequest(key)]));
    },
    async merge(key) {
      const now = clock.now();
      await sender.send(batchRequest(batchHeader({ timestamp: now }), [adminMergeRequest(key)]));
    },
    async ranges() {
      const now = clock.now();
      const response = await sender.send(batchRequest(batchHeader({ timestamp: now }), [scanRequest(meta2Prefix, metaMax)]));
      return response.responses[0].rows.map((row) => decodeRangeDescriptor(row.value));
    },
    async close() {
      if (closed) return;
      closed = true;
      await store.close();
      await engine.close();
    },
  };
}
