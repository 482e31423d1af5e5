/**
 * `Replica`: one range's member on this store — the leader-and-followers pattern made concrete.
 *
 * ```
 *   send(batch) ─► lease check ─► sequence (concurrency.ts: latches, lock table, push, wait)
 *                                  │ latches held
 *                                  ▼
 *                 timestamp cache: writes move above earlier reads
 *                                  ▼
 *                 evaluateBatch (kv/eval) into a Batch ─► read-only? answer, record the reads
 *                                  ▼ writes
 *                 ReplicatedCommand ─► RawNode.propose ─► store scheduler (Ready loop, one synced
 *                                  │                      write batch for every replica: group commit)
 *                                  ▼ applied (Raft log order, deterministic)
 *                 in-memory state updated ─► proposer answered ─► latches released ─► side effects
 * ```
 *
 * What a replica owns: its `RawNode` and `RaftLogStorage` (the replicated log, persisted in the
 * store's engine), its descriptor, lease, stats, GC threshold and applied index, its span latches
 * and lock table. What it shares through its `ReplicaHost` (the store): the engine, the clock,
 * the timestamp cache, the transaction wait queue, the scheduler, and a `Sender` for requests
 * to other ranges (pushes, intent resolution).
 *
 * Apply is deterministic and never fails for a logical reason: an entry proposed under a lease
 * that is no longer current is applied as a no-op (its proposer gets `NotLeaseholderError`); an
 * I/O error while applying is fatal for the whole store (DESIGN §2.4).
 */
import { assert } from '../../src/base/assert.js';
import { LimitExceededError } from '../../src/base/errors.js';
import type { RangeId } from '../../src/base/ids.js';
import { limits } from '../../src/base/limits.js';
import type { Logger } from '../../src/base/logger.js';
import type { RandomSource } from '../../src/env/env.js';
import { formatTimestamp, isZero, less, lessEq, max, next, type Timestamp } from '../../clock/timestamp.js';
import type { HybridClock } from '../../clock/hlc.js';
import {
  BatchTimestampBeforeGCError,
  TransactionRetryError,
  batchResponse,
  containsKey,
  lease as makeLease,
  NotLeaseholderError,
  requestSpan,
  type BatchRequest,
  type BatchResponse,
  type Lease,
  type RangeDescriptor,
  type ReplicaDescriptor,
  type Response,
  type Transaction,
} from '../api/index.js';
import type { TimestampCache } from '../concurrency/index.js';
import { evaluateBatchEager, queryIntentPrevents, type BatchEvalResult, type SideEffect, type SkipLockedEval } from '../eval/index.js';
import { RawNode, type Entry, type Ready } from '../raft/index.js';
import { Batch } from '../storage/batch.js';
import type { Engine, WriteOp } from '../storage/engine.js';
import { addStats, emptyStats, mvccResolveIntent, type IntentResolution, type MvccStats } from '../storage/mvcc/index.js';
import { commandProposalId, decodeCommand, encodeCommand, type ReplicatedCommand, type ReplicatedEffect } from './command.js';
import { RequestSequencer, type Evaluate, type FinalizedIntent, type SequencerHost } from './concurrency.js';
import { isDataRead, isDataWrite } from './request-kinds.js';
import { RaftLogStorage } from './raft-log.js';
import { confStateOf, encodeAppliedState, loadReplicaState } from './replica-state.js';
import { rangeAppliedStateKey, rangeGCThresholdKey, rangeLeaseKey, encodeLease, returnedKeys } from '../api/index.js';
import { encodeTimestamp } from '../../clock/timestamp.js';

/** What a replica needs from its store. */
export interface ReplicaHost extends SequencerHost {
  readonly engine: Engine;
  readonly clock: HybridClock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly tsCache: TimestampCache;
  readonly storeReplica: (desc: RangeDescriptor) => ReplicaDescriptor | undefined;
  /** The replica has Raft work: process its Ready in the next scheduler cycle. */
  enqueueReady(replica: Replica): void;
  /** Effects of an evaluated command the store carries out once it applied (pushes, resolution). */
  afterApply(replica: Replica, sideEffects: readonly SideEffect[]): void;
  /** A command applied a split, merge or other change of the range's shape. */
  onReplicatedEffect(replica: Replica, effect: ReplicatedEffect): Promise<void>;
  /** Prepares a commit trigger at evaluation (extra writes and the effect to replicate). */
  prepareTrigger(replica: Replica, rw: Batch, stats: MvccStats, sideEffect: Extract<SideEffect, { kind: 'commitTrigger' }>, commitTs: Timestamp): Promise<readonly ReplicatedEffect[]>;
}

interface Proposal {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /**
   * What was proposed: its entry is applied from this object instead of decoding the entry's
   * bytes again (they were encoded from it). The evaluation's batch and stats are not touched
   * once proposed.
   */
  readonly command: ReplicatedCommand;
  /**
   * Run once the command applied in a Ready's write batch, before that batch is durable (see
   * `beforeDurable`); undefined for most proposals.
   */
  readonly onStaged: (() => void) | undefined;
}

/** A batch evaluated with latches held, between its evaluation and its answer (`Replica.evaluateAndPropose`). */
interface EvaluationStep {
  /** As sent: the answer's header is made from it. */
  readonly batch: BatchRequest;
  /** After the timestamp cache: what was evaluated. */
  readonly bumped: BatchRequest;
  readonly rw: Batch;
  readonly stats: MvccStats;
  readonly readOnly: boolean;
  /** Finalized intents resolved in `rw` before evaluating. */
  readonly resolved: readonly FinalizedIntent[];
  /** The clock reading the batch evaluated at. */
  readonly now: Timestamp;
}

/** In-memory changes of one Ready's applied entries, installed once its batch is durable. */
export interface ApplyResult {
  readonly appliedIndex: number;
  readonly stats: MvccStats;
  readonly lease: Lease | undefined;
  readonly descriptor: RangeDescriptor;
  readonly gcThreshold: Timestamp;
  readonly answered: readonly { readonly id: number; readonly error: unknown }[];
  readonly effects: readonly ReplicatedEffect[];
  /** The `onStaged` of the proposals applied without error (`beforeDurable`). */
  readonly staged: readonly (() => void)[];
}

export class Replica {
  readonly rangeId: RangeId;
  private desc: RangeDescriptor;
  private currentLease: Lease | undefined;
  private currentStats: MvccStats;
  private gc: Timestamp;
  private applied: number;
  readonly raw: RawNode;
  readonly sequencer: RequestSequencer;
  private readonly proposals = new Map<number, Proposal>();
  private readonly proposalNonce: number;
  private proposalSeq = 0;
  private leaseAcquisition: Promise<void> | undefined;
  /** The lease acquisition succeeded: `send` no longer waits on it (see `send`). */
  private leaseAcquired = false;
  /** The evaluation step handed to the sequencer: one closure for the replica, not one per request. */
  private readonly evaluateStep: Evaluate = (batch, resolveFirst, skipLocked) => this.evaluateAndPropose(batch, resolveFirst, skipLocked);
  private destroyedError: Error | undefined;

  private constructor(
    private readonly host: ReplicaHost,
    readonly logStorage: RaftLogStorage,
    desc: RangeDescriptor,
    state: ReturnType<typeof loadReplicaState>,
  ) {
    this.rangeId = desc.rangeId;
    this.desc = desc;
    this.currentLease = state.lease;
    this.currentStats = { ...state.applied.stats };
    this.gc = state.gcThreshold;
    this.applied = state.applied.appliedIndex;
    const self = host.storeReplica(desc);
    assert(self !== undefined, () => `r${desc.rangeId} has no replica on this store`);
    this.raw = new RawNode({
      id: self.replicaId,
      storage: logStorage,
      electionTicks: 10,
      heartbeatTicks: 1,
      random: host.random,
      applied: this.applied,
      preVote: true,
      checkQuorum: true,
    });
    // Proposal ids are unique across restarts of this replica: a replayed entry never answers a new proposer.
    this.proposalNonce = host.random.int(1 << 30);
    this.sequencer = new RequestSequencer(host, this.rangeId);
  }

  /** Loads the replica of `desc` from the engine (its state must have been written). */
  static async load(host: ReplicaHost, desc: RangeDescriptor): Promise<Replica> {
    const state = loadReplicaState(host.engine, desc.rangeId);
    let replica: Replica | undefined;
    const logStorage = await RaftLogStorage.open({
      rangeId: desc.rangeId,
      engine: host.engine,
      appliedIndex: state.applied.appliedIndex, // the commit index may lag it after a crash
      confState: () => confStateOf(replica?.descriptor ?? desc),
      snapshot: () => {
        throw new Error(`r${desc.rangeId}: snapshots are sent only to other stores, and this range has no other replica`);
      },
    });
    replica = new Replica(host, logStorage, desc, state);
    return replica;
  }

  get descriptor(): RangeDescriptor {
    return this.desc;
  }

  get lease(): Lease | undefined {
    return this.currentLease;
  }

  get stats(): Readonly<MvccStats> {
    return this.currentStats;
  }

  get appliedIndex(): number {
    return this.applied;
  }

  get gcThreshold(): Timestamp {
    return this.gc;
  }

  get isDestroyed(): boolean {
    return this.destroyedError !== undefined;
  }

  /** Starts the group: a single voter elects itself at once; then takes the lease. */
  start(): void {
    const voters = confStateOf(this.desc).voters;
    if (voters.length === 1 && voters[0] === this.raw.status().id) this.raw.campaign();
    this.host.enqueueReady(this);
  }

  // ─── serving ───────────────────────────────────────────────────────────────────────────────

  /**
   * Evaluates `batch` (all of whose keys must be in this range) and answers it. Once the lease is
   * acquired a request no longer awaits the settled acquisition: a promise and a microtask turn
   * less for every request (the acquisition is never undone once it succeeded).
   */
  send(batch: BatchRequest): Promise<BatchResponse> {
    // The sequencer's own promise, without an async frame around it: two promises less per
    // request (the frame's, and the one that adopts the returned promise).
    if (this.leaseAcquired && this.destroyedError === undefined) return this.sequencer.run(batch, this.evaluateStep);
    return this.sendAcquiringLease(batch);
  }

  /** `send` before the lease is acquired, or once the replica is destroyed (it rejects). */
  private async sendAcquiringLease(batch: BatchRequest): Promise<BatchResponse> {
    this.checkAlive();
    if (!this.leaseAcquired) await this.ensureLease();
    return this.sequencer.run(batch, this.evaluateStep);
  }

  /**
   * The evaluation step, with latches held and the lock table clear: applies the timestamp
   * cache, resolves `resolveFirst` (intents of finalized transactions, see
   * `RequestSequencer.run`), evaluates, answers reads, proposes writes and waits for them to
   * apply. A read-only batch proposes nothing: it only reads through the resolutions. A read-only
   * batch whose evaluation answered at once (`evaluateBatchEager`: the point read) is answered
   * at once, without a promise — the same steps, nothing in between to wait for.
   */
  private evaluateAndPropose(batch: BatchRequest, resolveFirst: readonly FinalizedIntent[], skipLocked?: SkipLockedEval): BatchResponse | Promise<BatchResponse> {
    this.checkAlive();
    this.checkAboveGCThreshold(batch);
    const bumped = this.applyTimestampCache(batch);
    const rw = new Batch(this.host.engine);
    const stats = emptyStats();
    const readOnly = bumped.requests.every(isDataRead);
    const resolved = resolveFirst.filter(({ key, record }) => {
      if (mvccResolveIntent(rw, stats, key, finalResolution(record))) return true;
      this.sequencer.finalizedIntentGone(key, record.id); // resolved already, or never written
      return false;
    });
    const host = this.host;
    const now = host.clock.now();
    const evaluated = evaluateBatchEager({ rangeId: this.rangeId, descriptor: this.desc, stats, now, finalizedTxn: (id) => host.finalizedTxn(id), ...this.observedTimestamp(bumped), ...(skipLocked === undefined ? {} : { skipLocked }) }, rw, bumped);
    const step: EvaluationStep = { batch, bumped, rw, stats, readOnly, resolved, now };
    return evaluated instanceof Promise ? evaluated.then((result) => this.afterEvaluation(step, result)) : this.afterEvaluation(step, evaluated);
  }

  /** Records the reads, then answers a read-only batch at once, a writing one once it applied. */
  private afterEvaluation(step: EvaluationStep, result: BatchEvalResult): BatchResponse | Promise<BatchResponse> {
    this.recordReads(step.bumped, result.updatedTxn, result.responses);
    if (!step.readOnly) return this.proposeEvaluated(step, result);
    // A read-only batch's only writes are the resolutions it read through: dropped, not proposed.
    const replicated = result.sideEffects.some((effect) => effect.kind === 'commitTrigger' || effect.kind === 'gcThreshold');
    assert(!replicated && (step.rw.count === 0 || step.resolved.length > 0), 'a read-only batch wrote');
    return this.answerEvaluated(step, result);
  }

  /** Proposes a writing batch's writes and effects, and answers once they applied. */
  private async proposeEvaluated(step: EvaluationStep, result: BatchEvalResult): Promise<BatchResponse> {
    const { bumped, rw, stats } = step;
    const effects: ReplicatedEffect[] = [];
    for (const sideEffect of result.sideEffects) {
      if (sideEffect.kind === 'commitTrigger') {
        const commitTs = result.updatedTxn?.writeTimestamp ?? bumped.header.timestamp;
        effects.push(...(await this.host.prepareTrigger(this, rw, stats, sideEffect, commitTs)));
      } else if (sideEffect.kind === 'gcThreshold') {
        effects.push({ kind: 'gcThreshold', threshold: sideEffect.threshold });
      }
    }
    if (rw.count > 0 || effects.length > 0) await this.propose(rw, stats, effects, undefined, this.implicitCommitConfirmed(result));
    for (const { key, record } of step.resolved) this.sequencer.lockReleased(key, record.id);
    return this.answerEvaluated(step, result);
  }

  /**
   * For the explicit commit of an implicitly committed transaction (kv/eval's
   * `confirmsImplicitCommit`): its locks are released, and its pushers and lock waiters woken,
   * as soon as the commit applies in a Ready's batch instead of once that batch is synced — one
   * fsync less that contended rows (TPC-B's branch row) stay locked. Safe because the outcome
   * was decided before: a crash that loses the application leaves the durable STAGING record
   * and every in-flight write intent, which recovery commits at the same timestamp; and what a
   * woken waiter writes (its resolution of an intent) is proposed after this command, so it is
   * committed to this store's engine after it — never durable without it. A waiter on another
   * store learns the outcome by a PushTxn, latched behind this command until it is answered.
   * Everything else (the asynchronous resolution, the proposer's answer) waits for durability.
   */
  private implicitCommitConfirmed(result: BatchEvalResult): (() => void) | undefined {
    const decided = result.sideEffects.find((effect) => effect.kind === 'txnUpdated' && effect.confirmsImplicitCommit === true);
    return decided === undefined ? undefined : () => this.host.afterApply(this, [decided]);
  }

  private answerEvaluated(step: EvaluationStep, result: BatchEvalResult): BatchResponse {
    for (const request of step.bumped.requests) {
      // Applied: the lock table stops tracking the resolved intents, and their waiters move on —
      // but a pushed (PENDING) transaction keeps its unreplicated locks.
      if (request.kind === 'resolveIntent' && request.status === 'PENDING') this.sequencer.intentsPushedIn({ start: request.key }, request.intentTxn.id);
      else if (request.kind === 'resolveIntent') this.sequencer.lockReleased(request.key, request.intentTxn.id);
      else if (request.kind === 'resolveIntentRange' && request.status === 'PENDING') this.sequencer.intentsPushedIn({ start: request.key, end: request.endKey }, request.intentTxn.id);
      else if (request.kind === 'resolveIntentRange') this.sequencer.locksReleasedIn({ start: request.key, end: request.endKey }, request.intentTxn.id);
    }
    this.host.afterApply(this, result.sideEffects);
    // A response's `now` promises only a reading of this node's clock taken after the batch
    // arrived (the client's HLC catches up to it). A read-only batch proposed nothing, so the
    // reading it evaluated at serves: one clock reading per read instead of two.
    return batchResponse(step.batch, { txn: result.updatedTxn, now: step.readOnly ? step.now : this.host.clock.now() }, result.responses);
  }

  /**
   * Refuses a batch that reads or writes user data at or below the range's GC threshold (the
   * low-water mark of reads, raised by GC requests): the versions such a read needs may be gone,
   * and a write there would land in history already collected. Checked with latches held, so a
   * GC of the same keys is either before (its threshold applied) or after this batch, never
   * in between. CockroachDB's `checkTSAboveGCThreshold`; an AS OF SYSTEM TIME read older than the
   * GC window gets its `BatchTimestampBeforeGCError` (SQLSTATE 72000).
   *
   * A Refresh / RefreshRange reads the history of `(refreshFrom, read timestamp]` for values it
   * must not miss: from at or below the threshold, GC may have removed a version inside that
   * window (one shadowed by a newer version at or below the threshold), and the refresh would
   * find nothing and pass — the transaction would commit over a write it never saw (review M1 of
   * session 9). Such a refresh fails as a refresh that found a conflict does, with a retryable
   * error: the transaction restarts (CockroachDB checks the batch's earliest active timestamp,
   * which counts `RefreshFrom`).
   */
  private checkAboveGCThreshold(batch: BatchRequest): void {
    const threshold = this.gc;
    if (isZero(threshold)) return;
    for (const request of batch.requests) {
      if ((request.kind === 'refresh' || request.kind === 'refreshRange') && lessEq(request.refreshFrom, threshold)) {
        throw new TransactionRetryError('RETRY_SERIALIZABLE', `refresh failed: its window starts at ${formatTimestamp(request.refreshFrom)}, at or below the GC threshold ${formatTimestamp(threshold)}`);
      }
    }
    if (!batch.requests.some((request) => isDataRead(request) || isDataWrite(request))) return;
    const timestamp = batch.header.txn?.readTimestamp ?? batch.header.timestamp;
    if (lessEq(timestamp, threshold)) throw new BatchTimestampBeforeGCError(timestamp, threshold);
  }

  /**
   * The transaction's observed timestamp for this node. Every transaction of a single-node
   * cluster started on this node's hybrid clock, so its start timestamp (`minTimestamp`) is an
   * observation of this clock: everything committed before the transaction began carries a
   * timestamp at or below it (the clock issues increasing timestamps, and every timestamp a
   * write lands at derives from one it issued). Without it a single node would restart readers
   * for values written *after* they began, whenever those fall in the max-offset window. With a
   * transport, transactions will carry one observation per node (CockroachDB's
   * `ObservedTimestamps`), taken from each node's first response.
   */
  private observedTimestamp(batch: BatchRequest): { observedTimestamp?: Timestamp } {
    const txn = batch.header.txn;
    return txn === undefined ? {} : { observedTimestamp: txn.minTimestamp };
  }

  /**
   * The timestamp cache (DESIGN §5): a write must land above every earlier read of its keys by
   * another transaction, so it cannot change what that read saw. A transactional batch's write
   * timestamp moves up (the coordinator refreshes or restarts at commit); a non-transactional
   * batch's timestamp moves up as a whole.
   */
  private applyTimestampCache(batch: BatchRequest): BatchRequest {
    const txn = batch.header.txn;
    let writeTs = txn?.writeTimestamp ?? batch.header.timestamp;
    const start = writeTs;
    for (const request of batch.requests) {
      // A locking read writes nothing: only what writes intents moves above earlier reads.
      if (!isDataWrite(request) || isDataRead(request)) continue;
      const s = requestSpan(request);
      const read = this.host.tsCache.getMax({ start: s.key, end: s.endKey });
      if (txn !== undefined && read.txnId === txn.id) continue;
      if (lessEq(writeTs, read.timestamp)) writeTs = next(read.timestamp);
    }
    if (writeTs === start) return batch;
    if (txn !== undefined) return { ...batch, header: { ...batch.header, txn: { ...txn, writeTimestamp: max(txn.writeTimestamp, writeTs) } } };
    return { ...batch, header: { ...batch.header, timestamp: writeTs, now: max(batch.header.now, writeTs) } };
  }

  /**
   * Records every read of a successful batch in the timestamp cache, at its read timestamp. A
   * refresh is a read too — at the new timestamp it moves the transaction's reads to: without it,
   * a write landing between the old and the new read timestamp would go unnoticed (write skew).
   */
  private recordReads(batch: BatchRequest, txn: Transaction | undefined, responses: readonly Response[]): void {
    const readTs = batch.header.txn?.readTimestamp ?? batch.header.timestamp;
    const readerId = txn?.id ?? batch.header.txn?.id;
    const requests = batch.requests;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      // Transaction recovery's prevention: a missing in-flight write can no longer land at or
      // below the staging timestamp, for any transaction (kv/eval query-intent.ts).
      if (request.kind === 'queryIntent') {
        const answer = responses[i];
        if (answer?.kind === 'queryIntent' && queryIntentPrevents(request, answer.foundIntent)) this.host.tsCache.add({ start: request.key }, request.txn.writeTimestamp, undefined);
        continue;
      }
      if (!isDataRead(request) && request.kind !== 'refresh' && request.kind !== 'refreshRange') continue;
      if (batch.header.waitPolicy === 'skipLocked') {
        // SKIP LOCKED read only the keys it returned (CockroachDB records just those): the
        // keys it left out stay free for their lock holders to write below this read.
        for (const key of returnedKeys(request, responses[i])) this.host.tsCache.add({ start: key }, readTs, readerId);
        continue;
      }
      // The request's own keys (`requestSpan`'s), without making a frozen span of them first.
      this.host.tsCache.add('endKey' in request ? { start: request.key, end: request.endKey } : { start: request.key }, readTs, readerId);
    }
  }

  // ─── Raft: propose, Ready, apply ───────────────────────────────────────────────────────────

  /** Proposes the evaluated writes and waits until they applied (or were refused at apply). */
  private propose(rw: Batch, stats: MvccStats, effects: readonly ReplicatedEffect[], leaseOverride?: number, onStaged?: () => void): Promise<void> {
    const lease = this.currentLease;
    const proposalId = this.proposalNonce * 2 ** 21 + (++this.proposalSeq % 2 ** 21);
    const command: ReplicatedCommand = { proposalId, leaseSequence: leaseOverride ?? lease?.sequence ?? 0, writes: rw.ops, stats, effects };
    const data = encodeCommand(command);
    if (data.length > limits.raftCommandBytesMax) return Promise.reject(new LimitExceededError('raftCommandBytesMax', limits.raftCommandBytesMax, data.length));
    return new Promise<void>((resolve, reject) => {
      try {
        this.raw.propose(data);
      } catch (error) {
        reject(error);
        return;
      }
      this.proposals.set(proposalId, { resolve, reject, command, onStaged });
      this.host.enqueueReady(this);
    });
  }

  /**
   * Stages one Ready into the store's shared write batch: log entries, hard state and the
   * application of committed entries. Returns what to install once the batch is durable —
   * or, with `earlyOps`, once those writes (the application) are committed, ahead of the batch.
   *
   * A range of one voter commits each entry in the Ready that appends it (kv/raft
   * `Raft.commitAsSoleMember`): its application is staged in the same batch as its log entry and
   * installed once that one synced commit is durable — one engine commit and one Ready per
   * proposal. A LevelDB batch is atomic, so a crash keeps both the entry and its application or
   * neither, and the proposer is answered only after the fsync.
   *
   * Early application (TiKV's "apply early"): committed entries that were all persisted before
   * this Ready (a replay after a restart, or the rest of a Ready whose committed entries were
   * capped at `maxMessageBytes`) need not wait for this
   * Ready's fsync, which only makes *new* entries durable. Their writes come back as
   * `earlyOps`, for the store to commit unsynced and install before the batch: their proposers
   * are answered one fsync sooner, instead of waiting for the group commit of whatever was
   * proposed meanwhile. An answer needs only the entry to be durable — a crash that loses the
   * application replays it from the log.
   *
   * Crash safety rests on the engine's ordered log: whatever survives a crash is a prefix of the
   * commits (kv/storage/memory-engine.ts, `crash`). The early writes land after the commit that
   * made their entries durable, and before the batch (its log truncation included, which thus
   * never passes a durable applied index). A crash between the two keeps an applied index
   * ahead of the hard state's commit index, which `RaftLogStorage.open` forwards on restart.
   * Entries that change the replica itself (lease, split, merge, GC threshold) keep the
   * ordinary path: applied in the batch, installed once it is committed.
   */
  async stageReady(ready: Ready, batch: Batch): Promise<{ readonly applied: ApplyResult; readonly earlyOps: readonly WriteOp[] | undefined }> {
    assert(ready.snapshot === undefined, 'a single-store range never receives a snapshot');
    this.maybeTruncateLog(batch);
    this.logStorage.appendToBatch(batch, ready.entries);
    if (ready.hardState !== undefined) this.logStorage.setHardStateInBatch(batch, ready.hardState);
    const lastCommitted = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastCommitted === undefined) return { applied: await this.applyEntries(batch, ready.committedEntries), earlyOps: undefined };
    const firstNew = ready.entries[0];
    const persistedBefore = firstNew === undefined || lastCommitted.index < firstNew.index;
    const apply = new Batch(this.host.engine);
    const applied = await this.applyEntries(apply, ready.committedEntries);
    if (persistedBefore && applied.effects.length === 0) return { applied, earlyOps: apply.ops };
    for (const op of apply.ops) {
      if (op.kind === 'put') batch.put(op.key, op.value);
      else batch.delete(op.key);
    }
    return { applied, earlyOps: undefined };
  }

  /**
   * Log truncation: once more than `raftLogAppliedEntriesMax` entries sit at or below the
   * applied index (durable in the engine's state machine), they are deleted and the truncated
   * state — the log's low-water mark — moves to the applied index. Staged first in the Ready's
   * batch, before this Ready's appends.
   */
  private maybeTruncateLog(batch: Batch): void {
    const truncated = this.logStorage.truncatedState().index;
    if (this.applied <= truncated || this.applied - truncated <= limits.raftLogAppliedEntriesMax) return;
    this.logStorage.truncateInBatch(batch, this.applied, this.logStorage.term(this.applied));
  }

  private async applyEntries(batch: Batch, entries: readonly Entry[]): Promise<ApplyResult> {
    let appliedIndex = this.applied;
    let lease = this.currentLease;
    let descriptor = this.desc;
    let gcThreshold = this.gc;
    const stats = { ...this.currentStats };
    const answered: { id: number; error: unknown }[] = [];
    const effects: ReplicatedEffect[] = [];
    const staged: (() => void)[] = [];
    for (const entry of entries) {
      assert(entry.index === appliedIndex + 1, () => `r${this.rangeId}: applying ${entry.index} after ${appliedIndex}`);
      appliedIndex = entry.index;
      if (entry.type !== 'normal' || entry.data.length === 0) continue; // a leader's empty entry; conf changes come with rebalancing
      // The proposer applies its own command as proposed; an entry from before a restart (or,
      // with more replicas, from another leaseholder) is decoded.
      const proposal = this.proposals.get(commandProposalId(entry.data));
      const command = proposal?.command ?? decodeCommand(entry.data);
      const changesLease = command.effects.some((e) => e.kind === 'lease');
      if (!changesLease && command.leaseSequence !== (lease?.sequence ?? 0)) {
        // Evaluated under a lease that is gone: the new holder may have served conflicting requests.
        answered.push({ id: command.proposalId, error: new NotLeaseholderError(this.rangeId, this.selfDescriptor(), lease) });
        continue;
      }
      for (const op of command.writes) {
        if (op.kind === 'put') batch.put(op.key, op.value);
        else batch.delete(op.key);
      }
      addStats(stats, command.stats);
      for (const effect of command.effects) {
        if (effect.kind === 'lease') {
          lease = effect.lease;
          batch.put(rangeLeaseKey(this.rangeId), encodeLease(lease));
        } else if (effect.kind === 'gcThreshold') {
          if (less(gcThreshold, effect.threshold)) gcThreshold = effect.threshold;
          batch.put(rangeGCThresholdKey(this.rangeId), encodeTimestamp(gcThreshold));
        } else if (effect.kind === 'split') {
          descriptor = effect.left;
        } else {
          descriptor = effect.merged;
        }
        effects.push(effect);
      }
      answered.push({ id: command.proposalId, error: undefined });
      if (proposal?.onStaged !== undefined) staged.push(proposal.onStaged);
    }
    if (appliedIndex !== this.applied) batch.put(rangeAppliedStateKey(this.rangeId), encodeAppliedState({ appliedIndex, stats }));
    return { appliedIndex, stats, lease, descriptor, gcThreshold, answered, effects, staged };
  }

  /**
   * The Ready's batch holds `result`'s application but is not yet committed to the engine: runs
   * what may happen before it is durable — the `onStaged` of its proposals (the early release of
   * an implicitly committed transaction's locks: `implicitCommitConfirmed`). The engine does not
   * show the application yet; a request this wakes that touches the application's keys waits
   * for the command's latches, held until its proposer is answered.
   */
  beforeDurable(result: ApplyResult): void {
    for (const onStaged of result.staged) onStaged();
  }

  /** The Ready's batch is durable: install the applied state and answer the proposers. */
  async installApplied(result: ApplyResult): Promise<void> {
    const leaseChanged = result.lease !== this.currentLease;
    this.applied = result.appliedIndex;
    this.currentStats = result.stats;
    this.currentLease = result.lease;
    this.desc = result.descriptor;
    this.gc = result.gcThreshold;
    if (leaseChanged && result.lease !== undefined) {
      // A new lease starts above everything an earlier one could have served (DESIGN §4).
      this.host.tsCache.add({ start: this.desc.startKey, end: this.desc.endKey }, result.lease.start, undefined);
    }
    for (const effect of result.effects) await this.host.onReplicatedEffect(this, effect);
    for (const { id, error } of result.answered) {
      const proposal = this.proposals.get(id);
      if (proposal === undefined) continue; // replayed after a restart, or proposed elsewhere
      this.proposals.delete(id);
      if (error === undefined) proposal.resolve();
      else proposal.reject(error);
    }
  }

  // ─── lease ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Makes sure this replica holds the lease, acquiring it if not. Every start of the replica
   * takes a new lease (sequence + 1) starting now: a restarted process cannot know which reads
   * its previous incarnation served, so the lease start — and with it the timestamp cache's
   * floor over the range — is set above them. (Epoch-based, epoch 1: node liveness, which makes
   * epochs meaningful, comes with multi-node clusters.)
   */
  private ensureLease(): Promise<void> {
    if (this.leaseAcquisition === undefined) {
      this.leaseAcquisition = this.acquireLease().then(
        () => {
          this.leaseAcquired = true;
        },
        (error: unknown) => {
          this.leaseAcquisition = undefined;
          throw error;
        },
      );
    }
    return this.leaseAcquisition;
  }

  private async acquireLease(): Promise<void> {
    const self = this.selfDescriptor();
    const start = this.host.clock.now();
    const next: Lease = makeLease({ replica: self, start, expiration: undefined, epoch: 1, sequence: (this.currentLease?.sequence ?? 0) + 1 });
    await this.propose(new Batch(this.host.engine), emptyStats(), [{ kind: 'lease', lease: next }], next.sequence);
    this.host.logger.debug({ rangeId: this.rangeId, sequence: next.sequence }, 'lease acquired');
  }

  private selfDescriptor(): ReplicaDescriptor {
    const self = this.host.storeReplica(this.desc);
    assert(self !== undefined, 'the replica is on this store');
    return self;
  }

  // ─── lifecycle ─────────────────────────────────────────────────────────────────────────────

  /** Whether `key` is inside the range as of the applied state. */
  containsKey(key: Uint8Array): boolean {
    return containsKey(this.desc, key);
  }

  private checkAlive(): void {
    if (this.destroyedError !== undefined) throw this.destroyedError;
  }

  /**
   * The range is gone from this store (merged away, or the store is closing): every waiting
   * proposer and request fails with `error`, and later requests too.
   */
  destroy(error: Error): void {
    if (this.destroyedError !== undefined) return;
    this.destroyedError = error;
    for (const proposal of this.proposals.values()) proposal.reject(error);
    this.proposals.clear();
    this.sequencer.failAll(error);
  }
}

/** How the intents of a finalized transaction's `record` resolve (as a ResolveIntent would). */
function finalResolution(record: Transaction): IntentResolution {
  assert(record.status === 'COMMITTED' || record.status === 'ABORTED', () => `resolving intents of a ${record.status} transaction`);
  return { txnId: record.id, epoch: record.epoch, status: record.status, timestamp: record.writeTimestamp, ignoredSequences: record.ignoredSequences };
}
