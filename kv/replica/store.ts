/**
 * `Store`: every replica on one engine, and what they share (CockroachDB's `kvserver.Store`).
 *
 * ```
 *   send(batch) ─► route by header.rangeId ─► Replica.send ─► … ─► propose
 *                                                                   │ enqueueReady
 *   scheduler (singular update queue): one cycle at a time          ▼
 *     for each replica with work: Ready ─► stage log entries, hard state, applied commands
 *                                          into ONE write batch
 *     engine.commit(batch, sync if any Ready must sync)  ◄── group commit: one fsync for all ranges
 *     advance every RawNode, install applied state, answer proposers; repeat while work remains
 * ```
 *
 * Shared by the replicas: the engine (Raft logs and state machines of all ranges in one LevelDB,
 * DESIGN §3), the hybrid clock, the store-wide timestamp cache (as CockroachDB's: a split or
 * merge needs no copying), the push waiter (txn wait queue with deadlock detection), the intent
 * resolver, and a `Sender` (the DistSender over this store) for requests to other ranges.
 *
 * Lifecycle: `open` bootstraps range 1 over the whole keyspace on an empty engine, or reloads
 * every replica from its descriptor copy; `close` fails what still waits and stops ticking.
 * Splits and merges are transactions run here (split-merge.ts), applied by commit triggers.
 */
import { assert } from '../../src/base/assert.js';
import { LimitExceededError, RangedbError } from '../../src/base/errors.js';
import { type NodeId, type RangeId, type StoreId, type TxnId } from '../../src/base/ids.js';
import { limits } from '../../src/base/limits.js';
import type { Logger } from '../../src/base/logger.js';
import type { RandomSource, TimerHandle, Timers } from '../../src/env/env.js';
import type { HybridClock } from '../../clock/hlc.js';
import { zeroTimestamp, type Timestamp } from '../../clock/timestamp.js';
import {
  batchHeader,
  batchRequest,
  containsKey,
  containsSpan,
  decodeRangeDescriptor,
  encodeRangeDescriptor,
  generatorKey,
  isAdmin,
  keyMax,
  keyMin,
  meta2Key,
  storeMaxOffsetKey,
  metaMax,
  pushTxnRequest,
  rangeDescriptor,
  RangeKeyMismatchError,
  rangeLookupSpan,
  RangeNotFoundError,
  replicaOnStore,
  requestSpan,
  resolveIntentRangeRequest,
  resolveIntentRequest,
  scanRequest,
  TransactionAbortedError,
  txnMeta,
  compareKeys,
  type BatchRequest,
  type BatchResponse,
  type PushType,
  type RangeDescriptor,
  type ReplicaDescriptor,
  type Request,
  type ResolveIntentRangeRequest,
  type ResolveIntentRequest,
  type RKey,
  type Sender,
  type Transaction,
  type TxnMeta,
} from '../api/index.js';
import { TimestampCache } from '../concurrency/index.js';
import { encodeInt64, IndeterminateCommitError, TransactionPushError, type SideEffect } from '../eval/index.js';
import { Batch } from '../storage/batch.js';
import type { Engine, WriteOp } from '../storage/engine.js';
import { emptyStats, mvccPut, type Intent, type MvccStats } from '../storage/mvcc/index.js';
import type { ReplicatedEffect } from './command.js';
import { PushCancelledError } from './concurrency.js';
import { MvccGcQueue } from './gc-queue.js';
import { Replica, type ReplicaHost } from './replica.js';
import { loadDescriptors, writeDescriptorCopy, writeInitialReplicaState } from './replica-state.js';
import { SplitMerge } from './split-merge.js';
import { isRollback, TxnRecoveryManager } from './txn-recovery.js';
import { PushWaiter } from './txn-wait.js';
import { TurnBudget } from './turn-budget.js';

export interface StoreConfig {
  readonly engine: Engine;
  readonly clock: HybridClock;
  readonly timers: Timers;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly nodeId: NodeId;
  readonly storeId: StoreId;
  /**
   * Called when the store cannot go on (an I/O error while persisting or applying Raft state):
   * the process must stop, since its in-memory state may be ahead of its disk. Default: log and
   * rethrow asynchronously, which crashes the process.
   */
  readonly onFatal?: (error: unknown) => void;
}

/** The store failed (see `StoreConfig.onFatal`); every later request gets this error. */
export class StoreFailedError extends RangedbError {
  readonly code = 'STORE_FAILED';
  readonly errorClass = 'unavailable';
  override readonly sqlState = '58030'; // io_error
}

export class Store implements Sender, ReplicaHost {
  readonly engine: Engine;
  readonly clock: HybridClock;
  readonly timers: Timers;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly nodeId: NodeId;
  readonly storeId: StoreId;
  readonly tsCache: TimestampCache;
  readonly pushWaiter: PushWaiter;
  /** Decides STAGING transactions pushes may not wait on (parallel commits' recovery). */
  readonly txnRecovery = new TxnRecoveryManager(() => this.db, () => this.clock.now());
  /** Transactions seen finalized here, newest last, at most `limits.finalizedTxnCacheEntriesMax`. */
  private readonly finalizedTxns = new Map<TxnId, Transaction>();
  /** Transactions whose intents an inconsistent read met, being cleaned up (`cleanUpIntentsReadAround`). */
  private readonly cleanupsInFlight = new Set<TxnId>();
  private readonly replicasById = new Map<RangeId, Replica>();
  private readonly pendingReady = new Set<Replica>();
  /** Asynchronous intent resolutions waiting for the batch in flight (`resolveIntentsAsync`). */
  private readonly resolutionQueue: (ResolveIntentRequest | ResolveIntentRangeRequest)[] = [];
  private resolutionInFlight = false;
  private cycle: Promise<void> | undefined;
  private ticker: TimerHandle | undefined;
  private sender: Sender | undefined;
  private failure: Error | undefined;
  private closed = false;
  /**
   * Requests being served: `close` waits for them before the engine may be closed, since an
   * evaluation may be reading the engine (a scan's iterator) when the store stops.
   */
  private sendsInFlight = 0;
  private sendsDrained: (() => void) | undefined;
  private readonly splitMerge: SplitMerge;
  /** Requests served this turn of the event loop: a looping local client must not starve the timers. */
  private readonly turnBudget: TurnBudget;
  /** Collects old MVCC versions below the GC TTL (gc-queue.ts); started with the store. */
  readonly gcQueue: MvccGcQueue;
  private readonly onFatal: (error: unknown) => void;
  /**
   * Ready cycles, synced engine commits made by the scheduler, Readies processed, and those
   * among them applied early — before their cycle's batch (metrics, tests).
   */
  readonly metrics = { cycles: 0, syncs: 0, readies: 0, earlyApplied: 0 };

  private constructor(config: StoreConfig) {
    this.engine = config.engine;
    this.clock = config.clock;
    this.timers = config.timers;
    this.random = config.random;
    this.logger = config.logger.child({ component: 'store', storeId: config.storeId });
    this.nodeId = config.nodeId;
    this.storeId = config.storeId;
    // Everything served before this process started is below now (`waitOutPreviousProcess`).
    this.tsCache = new TimestampCache(config.clock.now());
    this.pushWaiter = new PushWaiter(config.timers);
    this.turnBudget = new TurnBudget(config.timers, limits.storeRequestsPerTurnMax);
    this.splitMerge = new SplitMerge(this);
    this.gcQueue = new MvccGcQueue(this);
    this.onFatal =
      config.onFatal ??
      ((error: unknown) => {
        this.logger.fatal({ err: error }, 'store failed; stopping');
        throw error;
      });
  }

  /** Opens the store: bootstraps range 1 on an empty engine, else loads every replica. */
  static async open(config: StoreConfig): Promise<Store> {
    let descriptors = await loadDescriptors(config.engine);
    // An empty engine never served a read; one with ranges may have, ahead of this clock.
    if (descriptors.length > 0) await waitOutPreviousProcess(config);
    await recordMaxOffset(config);
    const store = new Store(config);
    if (descriptors.length === 0) {
      await store.bootstrap();
      descriptors = await loadDescriptors(config.engine);
    }
    for (const desc of descriptors) await store.addReplica(desc);
    store.startTicking();
    store.gcQueue.start();
    store.logger.info({ ranges: descriptors.length }, 'store opened');
    return store;
  }

  /**
   * The sender for requests this store makes to other ranges (pushes, intent resolution, the
   * split and merge transactions): the DistSender over this store. Set once, right after open.
   */
  connect(sender: Sender): void {
    assert(this.sender === undefined, 'store already connected');
    this.sender = sender;
  }

  get db(): Sender {
    assert(this.sender !== undefined, 'store not connected to a sender');
    return this.sender;
  }

  // ─── serving ───────────────────────────────────────────────────────────────────────────────

  /** Routes `batch` to its range (`header.rangeId`, else the range of its first key). */
  async send<const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> {
    this.checkServing();
    const nextTurn = this.turnBudget.admit();
    if (nextTurn !== undefined) {
      await nextTurn;
      this.checkServing();
    }
    this.clock.update(batch.header.now);
    const replica = this.route(batch);
    this.sendsInFlight++;
    try {
      // A rollback that meets a STAGING record recovers it first (kv/eval end-txn.ts, rule 0).
      const serve = (): Promise<BatchResponse> => (isAdmin(batch.requests[0]!) ? this.splitMerge.admin(replica, batch) : replica.send(batch));
      const response = isRollback(batch) ? await this.txnRecovery.rollingBack(serve) : await serve();
      return response as BatchResponse<Rs>;
    } catch (error) {
      throw this.enrichRoutingError(error);
    } finally {
      this.sendsInFlight--;
      if (this.sendsInFlight === 0) this.sendsDrained?.();
    }
  }

  private checkServing(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new StoreFailedError('the store is closed');
  }

  private route(batch: BatchRequest): Replica {
    const rangeId = batch.header.rangeId;
    const replica = rangeId === undefined ? this.replicaForKey(batch.requests[0]!.key) : this.replicasById.get(rangeId);
    if (replica === undefined) throw new RangeNotFoundError(rangeId ?? (0 as RangeId), this.storeId);
    const desc = replica.descriptor;
    for (const request of batch.requests) {
      // The request's own keys, not a span made of them (a frozen object per request served).
      const inside = 'endKey' in request ? containsSpan(desc, request) : containsKey(desc, request.key);
      if (!inside) throw this.mismatch(requestSpan(request), replica);
    }
    return replica;
  }

  /** A replica-level key mismatch (the range split while the batch waited) gets the store's view. */
  private enrichRoutingError(error: unknown): unknown {
    if (!(error instanceof RangeKeyMismatchError)) return error;
    const replica = this.replicasById.get(error.rangeId);
    return replica === undefined ? error : this.mismatch(error.requestSpan, replica);
  }

  private mismatch(s: { key: Uint8Array; endKey?: Uint8Array | undefined }, replica: Replica): RangeKeyMismatchError {
    const actual = [replica.descriptor];
    const holder = this.replicaForKey(s.key);
    if (holder !== undefined && holder !== replica) actual.push(holder.descriptor);
    return new RangeKeyMismatchError({ key: s.key, endKey: s.endKey }, replica.rangeId, actual);
  }

  /** The replica whose range holds `key`, if it is on this store. */
  replicaForKey(key: Uint8Array): Replica | undefined {
    for (const replica of this.replicasById.values()) if (replica.containsKey(key)) return replica;
    return undefined;
  }

  replica(rangeId: RangeId): Replica | undefined {
    return this.replicasById.get(rangeId);
  }

  /** Every replica, in key order. */
  replicas(): Replica[] {
    return [...this.replicasById.values()].sort((a, b) => compareKeys(a.descriptor.startKey, b.descriptor.startKey));
  }

  /**
   * The descriptor of the range holding `key`, read from meta2 (CockroachDB's RangeLookup). A
   * key inside the meta keyspace is always in the first range, which is never split there.
   * Reads meta inconsistently (committed values, around the intents of a split in flight): a
   * stale answer is corrected by the range's `RangeKeyMismatchError`, and the intents read
   * around are cleaned up (`cleanUpIntentsReadAround`), so a split or merge whose resolution a
   * crash lost is published by the next lookup.
   */
  async rangeLookup(key: RKey): Promise<RangeDescriptor> {
    const lookup = rangeLookupSpan(key);
    if (lookup === undefined || compareKeys(key, metaMax) < 0) {
      const first = this.replicaForKey(keyMin);
      if (first === undefined) throw new RangeNotFoundError(0 as RangeId, this.storeId);
      return first.descriptor;
    }
    const now = this.clock.now();
    const metaRange = this.replicaForKey(lookup.key);
    assert(metaRange !== undefined, 'the meta range is on this store');
    const response = await this.send(
      batchRequest(batchHeader({ timestamp: now, rangeId: metaRange.rangeId, readConsistency: 'inconsistent', maxSpanRequestKeys: 1 }), [scanRequest(lookup.key, lookup.endKey!)]),
    );
    const row = response.responses[0].rows[0];
    if (row === undefined) throw new RangeNotFoundError(0 as RangeId, this.storeId);
    return decodeRangeDescriptor(row.value);
  }

  // ─── ReplicaHost ───────────────────────────────────────────────────────────────────────────

  storeReplica = (desc: RangeDescriptor): ReplicaDescriptor | undefined => replicaOnStore(desc, this.storeId);

  enqueueReady(replica: Replica): void {
    this.pendingReady.add(replica);
    if (this.cycle === undefined && this.failure === undefined) this.cycle = Promise.resolve().then(() => this.runCycles());
  }

  afterApply(_replica: Replica, sideEffects: readonly SideEffect[]): void {
    for (const effect of sideEffects) {
      if (effect.kind === 'txnUpdated') this.onTxnUpdated(effect.txn);
      else if (effect.kind === 'resolveIntents') this.resolveIntentsAsync(effect.txn, effect.status, effect.ignoredSequences, effect.spans);
      else if (effect.kind === 'intentsReadAround') this.cleanUpIntentsReadAround(effect.intents);
    }
  }

  /**
   * The intents an inconsistent read read around (meta2 lookups, settings): each transaction is
   * pushed without waiting — a live one is left alone, an abandoned one aborted — and the intents
   * of one found finalized are resolved (CockroachDB's cleanup after an inconsistent read). A
   * consistent read would push them itself; an inconsistent one never does, so without this an
   * intent whose resolution a crash lost stayed for ever — a merge's meta2 intents kept naming
   * the removed right-hand range to every lookup (KV simulator, seed 125). One cleanup per
   * transaction at a time; a failure is logged, not fatal: the next read that meets it retries.
   */
  private cleanUpIntentsReadAround(intents: readonly Intent[]): void {
    const byTxn = new Map<TxnId, { readonly meta: TxnMeta; readonly keys: Uint8Array[] }>();
    for (const { key, txn } of intents) {
      if (this.cleanupsInFlight.has(txn.id)) continue;
      const entry = byTxn.get(txn.id) ?? { meta: txn, keys: [] };
      entry.keys.push(key);
      byTxn.set(txn.id, entry);
    }
    for (const [id, { meta, keys }] of byTxn) {
      this.cleanupsInFlight.add(id);
      void this.cleanUpTxnIntents(meta, keys)
        .catch((error: unknown) => this.logger.warn({ err: error, txn: id }, 'cleaning up intents read around failed'))
        .finally(() => this.cleanupsInFlight.delete(id));
    }
  }

  /**
   * Resolves the keys met together with the record's lock spans, in one batch: one Raft command
   * per range, so a reader never sees part of a finalized transaction's meta2 writes resolved
   * and the rest read around (a lookup between the two halves of a merge's found a descriptor
   * not holding its key — KV simulator seed 1052, when each key was resolved on its own).
   */
  private async cleanUpTxnIntents(meta: TxnMeta, keys: readonly Uint8Array[]): Promise<void> {
    if (this.closed) return;
    const record = await this.gcQueue.abortIfAbandoned(meta);
    if (record === undefined || record.status === 'STAGING') return;
    const fields = { intentTxn: txnMeta(record), status: record.status, ignoredSequences: record.ignoredSequences };
    const requests = [...keys.map((key) => resolveIntentRequest(key, fields)), ...record.lockSpans.map((s) => (s.endKey === undefined ? resolveIntentRequest(s.key, fields) : resolveIntentRangeRequest(s.key, s.endKey, fields)))];
    const response = await this.db.send(batchRequest(batchHeader({ timestamp: this.clock.now() }), requests));
    for (const answer of response.responses) {
      if (answer.kind === 'resolveIntentRange' && answer.resumeSpan !== undefined) await this.resolveIntentSpan(answer.resumeSpan.key, answer.resumeSpan.endKey!, record);
    }
  }

  onReplicatedEffect(replica: Replica, effect: ReplicatedEffect): Promise<void> {
    return this.splitMerge.onApplied(replica, effect);
  }

  prepareTrigger(replica: Replica, rw: Batch, stats: MvccStats, sideEffect: Extract<SideEffect, { kind: 'commitTrigger' }>, commitTs: Timestamp): Promise<readonly ReplicatedEffect[]> {
    return this.splitMerge.prepareTrigger(replica, rw, stats, sideEffect.trigger, commitTs);
  }

  /** Adds and starts the replica of `desc`, whose state is in the engine. */
  async addReplica(desc: RangeDescriptor): Promise<Replica> {
    assert(!this.replicasById.has(desc.rangeId), () => `r${desc.rangeId} is already on this store`);
    const replica = await Replica.load(this, desc);
    this.replicasById.set(desc.rangeId, replica);
    replica.start();
    return replica;
  }

  /** Removes a replica whose range is gone (merged away); its waiters fail with RangeNotFound. */
  removeReplica(replica: Replica): void {
    this.replicasById.delete(replica.rangeId);
    this.pendingReady.delete(replica);
    replica.destroy(new RangeNotFoundError(replica.rangeId, this.storeId));
  }

  // ─── SequencerHost: pushing and resolving ─────────────────────────────────────────────────

  async pushTxn(pusher: TxnMeta | undefined, pushee: TxnMeta, pushType: PushType, pushTo: Timestamp, waiterId: string): Promise<Transaction> {
    let force = false;
    for (;;) {
      // Known finalized here: its record's COMMITTED or ABORTED was applied on this store.
      const finalized = this.finalizedTxns.get(pushee.id);
      if (finalized !== undefined) return finalized;
      const now = this.clock.now();
      try {
        const response = await this.db.send(batchRequest(batchHeader({ timestamp: now }), [pushTxnRequest({ pusher, pushee, pushTo, pushType, force })]));
        const pushed = response.responses[0].pusheeTxn;
        // Remembered like a commit applied here: the next request meeting its intents (a bulk
        // load's, left behind by a restart) resolves them ranged instead of pushing once per intent.
        if (pushed.status === 'COMMITTED') this.rememberFinalized(pushed);
        return pushed;
      } catch (error) {
        // A STAGING pushee that may not be waited on (expired, or a forced push): recover it
        // from its in-flight writes (txn-recovery.ts), then push again. A failed recovery waits
        // like a lost push and is tried again at the next recheck.
        if (error instanceof IndeterminateCommitError) {
          const recovered = await this.txnRecovery.recover(error.record).then(
            () => true,
            (failure: unknown) => (this.logger.warn({ err: failure, txn: pushee.id }, 'transaction recovery failed'), false),
          );
          if (recovered) continue;
        } else if (!(error instanceof TransactionPushError)) throw error;
      }
      // A pusher aborted while its push was out (a deadlock's victim, or pushed by a higher
      // priority) must not wait again: the wait queue fails the waiting pushes of a pusher when
      // its abort applies, but one sent between two waits missed that, and — its own request
      // still queued in the lock table, holding its place there — would retry for ever, leaving
      // the cycle it was chosen to break intact (KV simulator seed 339: eight transfers and a
      // scan stuck behind the aborted victim's reservation).
      const pusherRecord = pusher === undefined ? undefined : this.finalizedTxns.get(pusher.id);
      if (pusherRecord?.status === 'ABORTED') throw new TransactionAbortedError('ABORT_REASON_PUSHER_ABORTED', pusherRecord.id);
      force = (await this.pushWaiter.wait(waiterId, pusher, pushee)) === 'force';
    }
  }

  cancelPushes(waiterId: string): void {
    this.pushWaiter.cancel(waiterId);
  }

  async resolveIntent(key: Uint8Array, record: Transaction): Promise<void> {
    if (record.status === 'STAGING') return;
    const now = this.clock.now();
    await this.db.send(batchRequest(batchHeader({ timestamp: now }), [resolveIntentRequest(key, { intentTxn: txnMeta(record), status: record.status, ignoredSequences: record.ignoredSequences })]));
  }

  async resolveIntentSpan(start: Uint8Array, end: Uint8Array, record: Transaction): Promise<void> {
    if (record.status === 'STAGING') return;
    const fields = { intentTxn: txnMeta(record), status: record.status, ignoredSequences: record.ignoredSequences };
    for (let from: Uint8Array | undefined = start; from !== undefined; ) {
      const response: BatchResponse<readonly [ResolveIntentRangeRequest]> = await this.db.send(batchRequest(batchHeader({ timestamp: this.clock.now() }), [resolveIntentRangeRequest(from, end, fields)] as const));
      from = response.responses[0].resumeSpan?.key;
    }
  }

  finalizedTxn(id: TxnId): Transaction | undefined {
    return this.finalizedTxns.get(id);
  }

  physicalNowNanos(): bigint {
    return this.clock.physicalNow();
  }

  /** Remembers a COMMITTED or ABORTED record (final: it never changes again), oldest forgotten first. */
  private rememberFinalized(txn: Transaction): void {
    assert(txn.status === 'COMMITTED' || txn.status === 'ABORTED', 'only a finalized record is remembered');
    this.finalizedTxns.set(txn.id, txn);
    if (this.finalizedTxns.size > limits.finalizedTxnCacheEntriesMax) this.finalizedTxns.delete(this.finalizedTxns.keys().next().value!);
  }

  /** A transaction record changed: wake pushers, release the locks of a finalized one. */
  private onTxnUpdated(txn: Transaction): void {
    this.pushWaiter.onTxnUpdated(txn);
    if (txn.status === 'COMMITTED' || txn.status === 'ABORTED') {
      // Remembered (oldest forgotten first) so that a request meeting one of its intents before
      // the asynchronous resolution does resolves it at once instead of waiting and pushing.
      this.rememberFinalized(txn);
      for (const replica of this.replicasById.values()) replica.sequencer.txnFinalized(txn.id, txn.status);
    }
  }

  /**
   * Resolves a finalized transaction's intents outside its record's range, asynchronously
   * (after the commit was acknowledged). A failure is only logged: the intents stay, and the
   * next reader pushes, finds the record finalized and resolves them itself.
   *
   * The resolutions of every transaction go through one store-wide queue (CockroachDB's
   * intent resolver `RequestBatcher`: the request batch pattern with natural batching, no
   * timer): while a resolution batch is in flight, later resolutions wait and then leave
   * together, one batch that the DistSender splits by range. Under load each range thus gets
   * one resolution command — one Raft proposal, one latch acquisition — for many transactions'
   * intents, instead of one per transaction per range (TPC-B: three per transaction, a quarter
   * of all replica requests). When idle a resolution leaves at once; the wait adds at most one
   * round, during which a request that meets the intent resolves it itself (the finalized-
   * transaction cache, `RequestSequencer.run`).
   */
  private resolveIntentsAsync(
    txn: TxnMeta,
    status: Transaction['status'],
    ignoredSequences: Transaction['ignoredSequences'],
    spans: readonly { key: Uint8Array; endKey?: Uint8Array | undefined }[],
  ): void {
    if (status === 'STAGING' || spans.length === 0) return;
    // The ignored sequences go with every resolution: without them a write a savepoint rollback
    // undid would be committed with its intent (an intent keeps its rolled-back history).
    const fields = { intentTxn: txn, status, ignoredSequences };
    for (const s of spans) this.resolutionQueue.push(s.endKey === undefined ? resolveIntentRequest(s.key, fields) : resolveIntentRangeRequest(s.key, s.endKey, fields));
    this.sendResolutions();
  }

  /** Sends the queued resolutions, one batch at a time (see `resolveIntentsAsync`). */
  private sendResolutions(): void {
    if (this.resolutionInFlight || this.resolutionQueue.length === 0 || this.closed) return;
    const chunk = takeResolutionChunk(this.resolutionQueue);
    this.resolutionInFlight = true;
    const sendChunk = async (requests: typeof chunk): Promise<void> => {
      const response = await this.db.send(batchRequest(batchHeader({ timestamp: this.clock.now() }), requests));
      // A range resolution stops after `intentResolutionIntentsMax` intents (or
      // `intentResolutionBytesMax` bytes): queue the rest.
      response.responses.forEach((answer, i) => {
        const request = requests[i]!;
        if (answer.kind === 'resolveIntentRange' && answer.resumeSpan !== undefined && request.kind === 'resolveIntentRange') {
          this.resolutionQueue.push(resolveIntentRangeRequest(answer.resumeSpan.key, answer.resumeSpan.endKey!, { intentTxn: request.intentTxn, status: request.status, ignoredSequences: request.ignoredSequences }));
        }
      });
    };
    const send = async (): Promise<void> => {
      try {
        await sendChunk(chunk);
      } catch (error) {
        // Large values: together the chunk's resolutions passed the Raft command's size (each
        // point resolution writes its value). Alone each fits — a point is one value, a range
        // resolution stops at `intentResolutionBytesMax` — so they go one by one.
        if (!(error instanceof LimitExceededError && error.limitName === 'raftCommandBytesMax') || chunk.length === 1) throw error;
        for (const request of chunk) await sendChunk([request]);
      }
    };
    send()
      .catch((error: unknown) => {
        if (!this.closed) this.logger.warn({ err: error, resolutions: chunk.length }, 'asynchronous intent resolution failed; readers will resolve');
      })
      .finally(() => {
        this.resolutionInFlight = false;
        this.sendResolutions();
      });
  }

  // ─── the scheduler: Ready cycles with group commit ────────────────────────────────────────

  /**
   * Runs Ready cycles, one at a time, while replicas have work. Each cycle starts at the end of
   * the event loop's turn (`Timers.afterIo`), not in the microtask that found work: a cycle is
   * the unit of group commit, and what is proposed in the rest of the turn — the other ranges'
   * parts of one DistSender batch (a parallel commit's writes and its STAGING record), the
   * explicit commit its proposer sends as soon as the staging cycle answers it, the requests
   * that cycle's answers woke — would otherwise miss the cycle by a few
   * microtasks and wait for a whole fsync more: a parallel commit over three ranges staged in
   * three cycles, one fsync after the other (test/kv/replica/cycle-turn.test.ts). The price is
   * one turn of the loop before a cycle, microseconds against an fsync. With timers that have
   * no `afterIo`, a cycle starts at once.
   */
  private async runCycles(): Promise<void> {
    try {
      while (this.pendingReady.size > 0 && this.failure === undefined) {
        await this.endOfTurn();
        if (this.failure !== undefined) break;
        const replicas = [...this.pendingReady];
        this.pendingReady.clear();
        await this.processReady(replicas);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.cycle = undefined;
    }
  }

  /** Resolves at the end of this turn of the event loop, or at once without `Timers.afterIo`. */
  private endOfTurn(): Promise<void> {
    const afterIo = this.timers.afterIo;
    if (afterIo === undefined) return Promise.resolve();
    return new Promise((resolve) => afterIo.call(this.timers, resolve));
  }

  /**
   * One Ready cycle over `replicas`: one write batch, one (synced if needed) commit. A range of
   * one voter commits its new entries in the Ready that appends them, so the batch carries both
   * the entries and their application, and the proposers are answered once it is durable:
   *
   *     cycle n:    batch { entries e, hard state commit e, apply e, applied state } ── synced ──►
   *                 answer e's proposers
   *
   * Entries an earlier cycle made durable but did not apply (a replay after a restart, the
   * rest of a Ready capped at `maxMessageBytes`) are applied first, in an unsynced commit of
   * their own, and their proposers answered before the batch's fsync (`Replica.stageReady`'s
   * early application).
   *
   * A crash keeps a prefix of these commits: between a cycle's early commit and its batch it
   * leaves the applied index ahead of the hard state's commit, forwarded on restart
   * (`RaftLogStorage.open`).
   */
  private async processReady(replicas: readonly Replica[]): Promise<void> {
    const batch = new Batch(this.engine);
    const earlyOps: WriteOp[] = [];
    let earlyBytes = 0;
    const work = [];
    let sync = false;
    for (const replica of replicas) {
      // Bound one cycle's batch: past a quarter of the engine's batch limit the other replicas
      // wait for the next cycle (one replica's Ready — an append and an apply of at most
      // `raftCommandBytesMax` each — always fits in the rest).
      if (batch.byteSize + earlyBytes > limits.writeBatchBytesMax / 4) {
        this.pendingReady.add(replica);
        continue;
      }
      if (replica.isDestroyed || !replica.raw.hasReady()) continue;
      const ready = replica.raw.ready();
      const messages = ready.messages.length + ready.messagesBeforePersist.length;
      assert(messages === 0, () => `r${replica.rangeId}: Raft messages to other replicas, but this store has no transport`);
      const staged = await replica.stageReady(ready, batch);
      for (const op of staged.earlyOps ?? []) {
        earlyOps.push(op);
        earlyBytes += op.key.length + (op.kind === 'put' ? op.value.length : 0);
      }
      work.push({ replica, ready, applied: staged.applied, early: staged.earlyOps !== undefined });
      sync ||= ready.mustSync;
    }
    if (work.length === 0) return;
    this.metrics.cycles++;
    this.metrics.readies += work.length;
    if (sync) this.metrics.syncs++;
    // Unsynced: the entries are durable in the Raft log (a lost application is replayed), and
    // the next synced commit makes these writes durable too, the engine's log being ordered.
    if (earlyOps.length > 0) await this.engine.commit(earlyOps, { sync: false });
    for (const { replica, applied, early } of work) {
      if (!early) continue;
      this.metrics.earlyApplied++;
      await replica.installApplied(applied);
    }
    for (const { replica, applied, early } of work) if (!early) replica.beforeDurable(applied);
    if (batch.count > 0) await this.engine.commit(batch.ops, { sync });
    for (const { replica, ready } of work) {
      replica.logStorage.batchCommitted(batch);
      replica.raw.advance(ready);
    }
    for (const { replica, applied, early } of work) {
      if (!early) await replica.installApplied(applied);
      if (!replica.isDestroyed && replica.raw.hasReady()) this.pendingReady.add(replica);
    }
  }

  private startTicking(): void {
    const intervalMs = Number(limits.raftTickIntervalNanos / 1_000_000n);
    const tick = (): void => {
      if (this.closed) return;
      for (const replica of this.replicasById.values()) {
        replica.raw.tick();
        if (replica.raw.hasReady()) this.enqueueReady(replica);
      }
      this.ticker = this.timers.setTimeout(tick, intervalMs);
    };
    this.ticker = this.timers.setTimeout(tick, intervalMs);
  }

  /** Resolves when no request is being served, or after `waitMsMax`. */
  private sendsSettled(waitMsMax: number): Promise<void> {
    if (this.sendsInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => {
        this.logger.warn({ sendsInFlight: this.sendsInFlight }, 'store closed with requests still evaluating');
        done();
      }, waitMsMax);
      const done = (): void => {
        this.timers.clearTimeout(timer);
        this.sendsDrained = undefined;
        resolve();
      };
      this.sendsDrained = done;
    });
  }

  /** An I/O error in the Ready loop: nothing more is served; the node must stop. */
  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = new StoreFailedError('the store failed while persisting Raft state', { cause: error });
    for (const replica of this.replicasById.values()) replica.destroy(this.failure);
    this.pushWaiter.failAll(this.failure);
    this.onFatal(error);
  }

  // ─── bootstrap and close ───────────────────────────────────────────────────────────────────

  /** Writes range 1 over the whole keyspace, its meta2 entry and the range-id generator. */
  private async bootstrap(): Promise<void> {
    const desc = rangeDescriptor({
      rangeId: 1 as RangeId,
      startKey: keyMin as RKey,
      endKey: keyMax as RKey,
      replicas: [{ nodeId: this.nodeId, storeId: this.storeId, replicaId: 1 as ReplicaDescriptor['replicaId'], type: 'voter' }],
      nextReplicaId: 2 as ReplicaDescriptor['replicaId'],
      generation: 0,
    });
    const ts = this.clock.now();
    const batch = new Batch(this.engine);
    const stats = emptyStats();
    writeDescriptorCopy(batch, desc, ts);
    mvccPut(batch, stats, meta2Key(keyMax), ts, encodeRangeDescriptor(desc));
    mvccPut(batch, stats, generatorKey('range-id'), ts, encodeInt64(1n));
    writeInitialReplicaState(batch, desc.rangeId, stats, undefined, zeroTimestamp);
    await this.engine.commit(batch.ops, { sync: true });
    this.logger.info('bootstrapped range r1 over the whole keyspace');
  }

  /**
   * Stops serving: waits for the Ready cycle in progress (so what was acknowledged stays
   * durable), fails every waiter, stops the ticker. Does not close the engine (its owner does).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker !== undefined) this.timers.clearTimeout(this.ticker);
    this.gcQueue.stop();
    while (this.cycle !== undefined) await this.cycle;
    const error = new StoreFailedError('the store is closed');
    for (const replica of this.replicasById.values()) replica.destroy(error);
    this.pushWaiter.failAll(error);
    // Waiters are failed; what still runs is evaluating. Let it finish (its proposal fails, the
    // replica being destroyed) so that no iterator outlives the engine, which closes next: a
    // background range deletion used to fail there with "Iterator is not open". Bounded, so a
    // request stuck elsewhere cannot keep the node from stopping.
    await this.sendsSettled(limits.storeCloseSendsWaitMsMax);
    this.logger.info('store closed');
  }
}

/**
 * Takes the next resolution batch off the front of `queue`: at most
 * `intentResolutionBatchRequestsMax` requests, of which at most
 * `intentResolutionBatchRangedRequestsMax` ranged ones (each may resolve up to
 * `intentResolutionIntentsMax` intents, and the batch's part on one range is one Raft command).
 * Ranged requests past that bound keep their place in the queue.
 */
export function takeResolutionChunk(queue: (ResolveIntentRequest | ResolveIntentRangeRequest)[]): (ResolveIntentRequest | ResolveIntentRangeRequest)[] {
  const chunk: (ResolveIntentRequest | ResolveIntentRangeRequest)[] = [];
  const left: (ResolveIntentRequest | ResolveIntentRangeRequest)[] = [];
  let ranged = 0;
  for (const request of queue) {
    if (chunk.length >= limits.intentResolutionBatchRequestsMax) left.push(request);
    else if (request.kind === 'resolveIntent') chunk.push(request);
    else if (ranged < limits.intentResolutionBatchRangedRequestsMax) {
      ranged++;
      chunk.push(request);
    } else left.push(request);
  }
  queue.length = 0;
  for (const request of left) queue.push(request);
  return chunk;
}

export { PushCancelledError };

/**
 * Waits, before a store with data serves anything, until its clock reads above every timestamp
 * its previous process could have served at — CockroachDB waits out the max offset at start-up
 * for the same reason. The timestamp cache lives in memory, so a restart forgets the reads the
 * dead process recorded, and the new cache's floor is the clock's reading; a write landing below
 * one of the forgotten reads would change what it saw (the KV simulator's seeds 2019 and 2153: a
 * write skew across a crash). Those reads were not all below the clock:
 *
 * - a reader pushes the intents it meets to its global uncertainty limit, `maxOffset` above the
 *   clock reading it started at, and the pushed transaction refreshes its reads there;
 * - the hybrid clock itself runs up to `maxOffset` ahead of this machine's physical clock once
 *   it accepts a peer's timestamp (`HybridClock.update` refuses more).
 *
 * So every read served before the restart was below (physical time then) + 2 × maxOffset, plus
 * logical ticks. Waiting until the wall time passes that also keeps the clock monotonic across
 * the restart: a transaction begun after it starts above every commit acknowledged before.
 * The offset is the previous process's as much as ours: a process may be restarted with a
 * smaller one, and its reads were served under the old. So the store keeps the max offset it
 * serves under (`storeMaxOffsetKey`), and the wait is twice the larger of that and ours. The key
 * takes our offset only after the wait, when everything served under the old one is below the
 * clock — a crash during the wait leaves the old offset for the next start.
 *
 * This assumes the physical clock did not step back across the restart; CockroachDB persists an
 * upper bound of its clock for when it cannot assume that.
 */
async function waitOutPreviousProcess(config: StoreConfig): Promise<void> {
  const recorded = config.engine.get(storeMaxOffsetKey);
  const previousNanos = recorded === undefined ? 0n : new DataView(recorded.buffer, recorded.byteOffset, recorded.byteLength).getBigUint64(0, false);
  const offsetNanos = previousNanos > config.clock.maxOffsetNanos ? previousNanos : config.clock.maxOffsetNanos;
  const untilNanos = config.clock.now().wallNanos + 2n * offsetNanos;
  config.logger.info({ waitMs: Number((2n * offsetNanos) / 1_000_000n) }, 'waiting out twice the max clock offset before serving (timestamps the previous process may have served)');
  while (config.clock.now().wallNanos <= untilNanos) {
    await config.timers.sleep(Math.max(1, Number((untilNanos - config.clock.now().wallNanos) / 1_000_000n) + 1));
  }
}

/** Records the max offset this process serves under, before it serves (see `waitOutPreviousProcess`). */
async function recordMaxOffset(config: StoreConfig): Promise<void> {
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigUint64(0, config.clock.maxOffsetNanos, false);
  await config.engine.commit([{ kind: 'put', key: storeMaxOffsetKey, value }], { sync: true });
}
