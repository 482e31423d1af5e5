/**
 * `RequestSequencer`: the concurrency manager of one replica (CockroachDB's
 * `concurrency.Manager`) — drives kv/concurrency's sans-I/O cores with promises and timers.
 *
 * ```
 *   run(batch, evaluate)
 *     ┌─► acquire span latches (FIFO among conflicting requests)
 *     │     lock table scan ── wait at key K ──► release latches, join K's waiting list
 *     │          │                                 │ distinguished waiter: after
 *     │          │ proceed                         │ lockWaitPushDelay, push K's holder
 *     │          ▼                                 │ (store: PushTxn, txn wait queue,
 *     │     evaluate (latches held)                │  deadlock detection), then resolve
 *     │          │ WriteIntentError: an intent     │ K's intent; the release wakes the queue
 *     │          │ the table did not know of       ▼
 *     └──────────┴── add it as a discovered lock ◄─ proceed event: rescan
 * ```
 *
 * Patterns: the **waiting list** (per-key FIFO queues of the lock table), and a single place
 * where waiting happens, so every wait is bounded (queue lengths, lock table size, latch
 * waiters — typed errors when full) and every waiter can be failed at once when the range goes
 * away.
 *
 * Reads scan the lock table at their uncertainty limit, not their read timestamp: an intent in a
 * reader's uncertainty window is as much in its way as one below its timestamp (evaluation would
 * report it again), so the reader waits for it and pushes it above that limit.
 *
 * **Locking reads** (CockroachDB's unreplicated locks; SQL's `FOR UPDATE`/`FOR SHARE` and the
 * reads of UPDATE and DELETE) meet the lock table like writes (exclusive) or as shared lockers,
 * and once evaluated — latches still held, so no conflicting request is in between — their
 * transaction acquires an unreplicated lock on every key they returned. A locking read that
 * failed with `WriteTooOldError` (a value committed above its read timestamp, typically by the
 * holder it waited for) locks the keys that had the newer value too: the transaction refreshes
 * and reads again, and the lock makes sure nobody slips another write in between, so the retry
 * succeeds instead of meeting a newer value again. The locks are released with the
 * transaction's intents (ResolveIntent, ResolveIntentRange, its EndTxn); they live only in this
 * replica's memory, so a restart or a split that moves their keys drops them (best effort: they
 * order conflicting transactions, serializability does not rest on them).
 *
 * **SKIP LOCKED** (wait policy `skipLocked`, read-only batches only; CockroachDB's
 * `WaitPolicy_SkipLocked`): the lock table scan never queues the request, it lists the keys
 * other transactions hold locks on that the batch conflicts with; evaluation leaves those keys
 * out, and the intents it meets of other transactions too (kv/storage's `skipLocked` scanner
 * option), instead of failing with a `WriteIntentError`. A locking read then locks only the
 * rows it returned — none if it is a lock probe (kv/api `lockProbe`), whose caller locks the rows
 * it keeps afterwards. An intent left out whose transaction this store saw finalized is no lock any
 * more: it is resolved in the next evaluation (read through, as above) and the batch evaluated
 * again, so a committed-but-unresolved row is read, not skipped.
 */
import { assert } from '../../src/base/assert.js';
import { InvalidInputError, RangedbError } from '../../src/base/errors.js';
import type { RangeId, TxnId } from '../../src/base/ids.js';
import { limits } from '../../src/base/limits.js';
import type { Timers, TimerHandle } from '../../src/env/env.js';
import { max, next, type Timestamp } from '../../clock/timestamp.js';
import { declareKeys, type SkipLockedEval } from '../eval/index.js';
import type { Intent } from '../storage/mvcc/index.js';
import { compareKeys, keyNext, requestSpan, spanContainsKey, txnMeta, WriteIntentError, WriteTooOldError, type BatchRequest, type BatchResponse, type LockStrength, type PushType, type Request, type Transaction, type TxnMeta } from '../api/index.js';
import { blockingTxn, isHeld, LatchManagerAsync, LockTable, spanContainsKey as latchCoversKey, type LatchGuard, type LatchSpan, type LockSpan, type LockTableEvent, type Span } from '../concurrency/index.js';
import { isDataRead, isDataWrite } from './request-kinds.js';

/** What the sequencer needs from the store. */
export interface SequencerHost {
  readonly timers: Timers;
  /**
   * Nanoseconds of the physical clock the hybrid clock reads (comparable with a timestamp's
   * wall time): for the lock-wait metrics and for when a holder could be found abandoned.
   */
  physicalNowNanos(): bigint;
  /**
   * Pushes `pushee` out of the way of a request blocked on its lock, waiting in the txn wait
   * queue as long as the push cannot win; resolves with the pushee's record once it is finalized
   * or (for a timestamp push) above `pushTo`. Rejects with `PushCancelledError` after
   * `cancelPushes`, or with the error that ends the pusher's wait (its own abort).
   */
  pushTxn(pusher: TxnMeta | undefined, pushee: TxnMeta, pushType: PushType, pushTo: Timestamp, waiterId: string): Promise<Transaction>;
  /** Stops the pushes made on behalf of `waiterId` (its request stopped waiting). */
  cancelPushes(waiterId: string): void;
  /** Resolves the pushee's intent at `key` as its record says (committed, aborted or pushed). */
  resolveIntent(key: Uint8Array, record: Transaction): Promise<void>;
  /**
   * Resolves every intent of the finalized transaction `record` in `[start, end)` (a
   * ResolveIntentRange, resent from its resume span until done), through Raft: the resolution
   * persists.
   */
  resolveIntentSpan(start: Uint8Array, end: Uint8Array, record: Transaction): Promise<void>;
  /**
   * The record of a transaction this store saw finalized recently (committed or aborted), if it
   * remembers it: an intent of such a transaction is resolved at once, without waiting or
   * pushing (CockroachDB's finalized-transaction cache).
   */
  finalizedTxn(id: TxnId): Transaction | undefined;
}

/**
 * An intent of a transaction the store saw finalized, met by a request's evaluation, to be
 * resolved as part of the request's next evaluation (see `RequestSequencer.run`).
 */
export interface FinalizedIntent {
  readonly key: Uint8Array;
  /** The transaction's final record (COMMITTED or ABORTED): how to resolve the intent. */
  readonly record: Transaction;
}

/**
 * The evaluation step the sequencer runs with latches held: evaluates `batch` after resolving
 * `resolveFirst` in the same engine batch — proposed with the batch's writes when the batch
 * writes, only read through (and dropped) when it is read-only. It may answer at once (a read
 * that had nothing to wait for) or throw synchronously.
 */
export type Evaluate = (batch: BatchRequest, resolveFirst: readonly FinalizedIntent[], skipLocked?: SkipLockedEval) => BatchResponse | Promise<BatchResponse>;

/** A push abandoned because the request it served no longer waits. */
export class PushCancelledError extends RangedbError {
  readonly code = 'PUSH_CANCELLED';
  readonly errorClass = 'internal';
}

interface LockWaiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly pusher: TxnMeta | undefined;
  /** The timestamp the request conflicts at (its write timestamp, or a read's uncertainty limit). */
  readonly timestamp: Timestamp;
  readonly writer: boolean;
  key: Uint8Array;
  pushee: TxnMeta;
  timer: TimerHandle | undefined;
}

/** Re-sequencing rounds one request may go through before the replica gives up on it. */
const roundsMax = 10_000;

/** Keys `RequestSequencer.finalizedLocks` remembers per replica (a hint; the oldest go first). */
export const finalizedLockKeysMax = 1_024;

const hexKey = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');

/**
 * Intents of one finalized transaction that one evaluation must meet before they are resolved by
 * a ranged resolution of their span, proposed on its own, instead of one by one in the request's
 * next evaluation (see `RequestSequencer.run`). A reader meeting the few intents of a contended
 * row (TPC-B: one) keeps the cheaper path; a reader meeting a bulk load's intents (a scan right
 * after `COPY`: up to `writeIntentErrorIntentsMax` per evaluation) resolves them for good.
 */
export const rangedResolutionIntentsMin = 16;

export class RequestSequencer {
  readonly latches = new LatchManagerAsync();
  readonly lockTable = new LockTable();
  private readonly waiters = new Map<string, LockWaiter>();
  private nextRequest = 1;
  private failure: Error | undefined;
  /** Waits in the lock table's queues so far, and the nanoseconds they took (metrics, benchmarks). */
  readonly lockWaitMetrics = { waits: 0, waitNanos: 0n };
  /**
   * Keys (hex) whose lock a transaction held here when it finalized — its intent may still be at
   * the key, waiting for the asynchronous resolution — and that transaction's id, oldest first, at
   * most `finalizedLockKeysMax` (CockroachDB's lock table keeps such locks for `ResolveBeforeScanning`).
   * A request on one of these keys resolves the intent in its first evaluation (`run`), instead
   * of meeting it, failing with `WriteIntentError` and evaluating again: in TPC-B every
   * transaction met the previous holder's intent on its teller and branch row that way, twice
   * (its locking read, then its write). A hint only: the resolution checks the intent's owner,
   * and an entry is dropped once its intent is resolved or found gone.
   */
  private readonly finalizedLocks = new Map<string, TxnId>();
  /** Intents of `finalizedLocks` requests resolved before meeting them (metrics, tests). */
  resolvedBeforeEvaluation = 0;

  constructor(
    private readonly host: SequencerHost,
    private readonly rangeId: RangeId,
  ) {}

  /**
   * Runs `evaluate(batch)` once the batch holds its latches and no lock of another transaction
   * is in its way; retries it as long as evaluation discovers new intents.
   *
   * An intent of a transaction the store already saw finalized (its record committed or aborted,
   * the asynchronous resolution not there yet) is nothing to wait for: the next evaluation
   * resolves it first, in its own engine batch. A read-only batch reads through that resolution
   * and drops it — no Raft round, the intent stays for the resolver —; a batch holding a write
   * latch on the key proposes the resolution with its own writes (one Raft round for both). Such
   * a batch evaluates under a non-MVCC write latch on each key it resolves (`roundLatches`), as
   * a ResolveIntent request would: its own MVCC write latch excludes only reads at or above its
   * write timestamp, while the resolution changes what every read above the intent sees — a
   * commit adds a version below the writer, usually below readers still scanning the key. Only
   * an intent under a mere read latch of a writing batch is resolved by a ResolveIntent of its
   * own first. This is what takes the separate resolution round off a
   * contended row's critical path: in TPC-B every transaction met the last one's branch-row
   * intent, committed but not yet resolved. Many intents of one finalized transaction met at
   * once (a bulk load's) are instead resolved by a ranged resolution of their span, proposed on
   * its own with the latches released, before the next round (`bulkFinalizedIntents`).
   */
  async run(batch: BatchRequest, evaluate: Evaluate): Promise<BatchResponse> {
    const plan = planOf(batch);
    const readOnly = batch.requests.every(isDataRead);
    const skipLocked = batch.header.waitPolicy === 'skipLocked';
    if (skipLocked && !readOnly) throw new InvalidInputError('the skipLocked wait policy is for batches of reads (gets and scans) only');
    /** Finalized intents the evaluation resolves first (see above); grows across rounds. */
    const resolveFirst: FinalizedIntent[] = [];
    const name = `r${this.rangeId}/${this.nextRequest++}`;
    // One object for every scan of this request: the lock table knows a request by identity.
    const lockRequest = { name, txn: plan.txn, timestamp: plan.lockTimestamp, spans: plan.locks, waitPolicy: batch.header.waitPolicy };
    try {
      for (let round = 0; ; round++) {
        assert(round < roundsMax, () => `${name}: sequenced ${roundsMax} times without evaluating`);
        this.checkAlive();
        // Before latching: the finalized intents a writing batch resolves are latched too.
        if (this.finalizedLocks.size > 0) this.addFinalizedLocks(batch, plan, readOnly, resolveFirst);
        const { guard, held } = this.latches.acquire(roundLatches(plan, readOnly, resolveFirst));
        if (held !== undefined) await held;
        let holding = true;
        /** Intents of finalized transactions that evaluation met: resolved once latches are out. */
        let abandonedIntents: { key: Uint8Array; record: Transaction }[] = [];
        /** Spans of many intents of one finalized transaction: resolved, ranged, once latches are out. */
        let rangedResolutions: { start: Uint8Array; end: Uint8Array; record: Transaction }[] = [];
        try {
          this.checkAlive();
          let view: SkipLockedCollector | undefined;
          if (plan.locks.length > 0) {
            const scan = this.lockTable.scanAndEnqueue(lockRequest);
            this.dispatch(scan.events);
            if (scan.kind === 'error') throw scan.error;
            if (scan.kind === 'proceed' && skipLocked) view = new SkipLockedCollector(scan.skippedKeys);
            if (scan.kind === 'wait') {
              this.releaseLatches(guard);
              holding = false;
              const waitStart = this.host.physicalNowNanos();
              try {
                await this.waitForLock(name, plan, scan.key, scan.pushee, scan.distinguished, scan.reservedBy === undefined);
              } finally {
                this.lockWaitMetrics.waits++;
                this.lockWaitMetrics.waitNanos += this.host.physicalNowNanos() - waitStart;
              }
              continue;
            }
          }
          try {
            // A read answered at once (the point read) is not awaited: a microtask turn less.
            const evaluated = evaluate(batch, resolveFirst, view);
            const response = evaluated instanceof Promise ? await evaluated : evaluated;
            const skippedFinalized = view === undefined ? undefined : this.skippedFinalizedIntents(view, resolveFirst);
            if (skippedFinalized === undefined) {
              this.acquireLocks(batch, response);
              return response;
            }
            rangedResolutions = skippedFinalized; // resolve, then evaluate again
          } catch (error) {
            if (error instanceof WriteTooOldError) this.acquireLocksOnWriteTooOld(batch, error);
            if (!(error instanceof WriteIntentError)) throw error;
            rangedResolutions = this.bulkFinalizedIntents(error.intents);
            for (const intent of error.intents) {
              if (rangedResolutions.some((bulk) => bulk.record.id === intent.txn.id)) continue;
              const record = this.host.finalizedTxn(intent.txn.id);
              if (record === undefined) this.dispatch(this.lockTable.addDiscoveredLock(intent.key, intent.txn));
              else if (readOnly || holdsWriteLatch(plan, intent.key)) resolveFirst.push({ key: intent.key, record });
              else abandonedIntents.push({ key: intent.key, record });
            }
          }
        } finally {
          if (holding) this.releaseLatches(guard);
        }
        // Left behind by a transaction already known finished, under a read latch of a writing
        // batch: nothing to wait for or push — resolve them, then go again.
        if (abandonedIntents.length > 0) {
          const resolving = abandonedIntents;
          abandonedIntents = [];
          await Promise.all(resolving.map(({ key, record }) => this.host.resolveIntent(key, record)));
        }
        for (const { start, end, record } of rangedResolutions) await this.host.resolveIntentSpan(start, end, record);
      }
    } finally {
      this.stopWaiting(name);
      this.dispatch(this.lockTable.dequeue(name));
    }
  }

  /**
   * The finalized transactions with at least `rangedResolutionIntentsMin` of `intents`, each with
   * the span from its first to just past its last intent met. Resolving that span by one ranged
   * resolution instead of one by one in the next evaluation matters for a request that meets a
   * bulk load's intents: it meets `writeIntentErrorIntentsMax` more each round, and every round
   * re-resolved all it had met before (a read-only batch only reads through its resolutions), so
   * a scan of n such keys did O(n²/1,000) resolutions — and left the intents for the next reader.
   */
  private bulkFinalizedIntents(intents: WriteIntentError['intents']): { start: Uint8Array; end: Uint8Array; record: Transaction }[] {
    const byTxn = new Map<TxnId, { start: Uint8Array; last: Uint8Array; count: number; record: Transaction }>();
    for (const { key, txn } of intents) {
      const known = byTxn.get(txn.id);
      if (known !== undefined) {
        known.count++;
        if (compareKeys(key, known.start) < 0) known.start = key;
        if (compareKeys(key, known.last) > 0) known.last = key;
        continue;
      }
      const record = this.host.finalizedTxn(txn.id);
      if (record !== undefined) byTxn.set(txn.id, { start: key, last: key, count: 1, record });
    }
    const bulk = [];
    for (const { start, last, count, record } of byTxn.values()) if (count >= rangedResolutionIntentsMin) bulk.push({ start, end: keyNext(last), record });
    return bulk;
  }

  /**
   * SKIP LOCKED met intents of transactions this store saw finalized: they lock nothing, so the
   * batch must read them, not skip them. Many of one transaction (a bulk load's) are resolved by
   * a ranged resolution of their span (returned, for the caller to run with latches released, as
   * for a WriteIntentError); the others join `resolveFirst` (read through in the next evaluation,
   * the batch being read-only). Undefined when there was nothing new: the answer stands. Every
   * other answer resolves or adds at least one intent, so the rounds end.
   */
  private skippedFinalizedIntents(view: SkipLockedCollector, resolveFirst: FinalizedIntent[]): { start: Uint8Array; end: Uint8Array; record: Transaction }[] | undefined {
    if (view.intents.length === 0) return undefined;
    const bulk = this.bulkFinalizedIntents(view.intents);
    let added = bulk.length > 0;
    const known = new Set(resolveFirst.map(({ key, record }) => `${record.id}/${Buffer.from(key).toString('hex')}`));
    for (const intent of view.intents) {
      if (bulk.some((ranged) => ranged.record.id === intent.txn.id)) continue;
      const record = this.host.finalizedTxn(intent.txn.id);
      if (record === undefined || known.has(`${record.id}/${Buffer.from(intent.key).toString('hex')}`)) continue;
      resolveFirst.push({ key: intent.key, record });
      added = true;
    }
    return added ? bulk : undefined;
  }

  /**
   * Adds to `resolveFirst` the intents `finalizedLocks` says may be at the batch's point keys,
   * under the rule of `run`: a read-only batch reads through them, a writing batch resolves them
   * with its writes where it holds the write latch (elsewhere they are left to the usual path).
   */
  private addFinalizedLocks(batch: BatchRequest, plan: Plan, readOnly: boolean, resolveFirst: FinalizedIntent[]): void {
    for (const request of batch.requests) {
      if ('endKey' in request || !(isDataRead(request) || isDataWrite(request))) continue;
      const txnId = this.finalizedLocks.get(hexKey(request.key));
      if (txnId === undefined) continue;
      const record = this.host.finalizedTxn(txnId);
      if (record === undefined || !(readOnly || holdsWriteLatch(plan, request.key))) continue;
      if (resolveFirst.some((intent) => intent.record.id === txnId && compareKeys(intent.key, request.key) === 0)) continue;
      resolveFirst.push({ key: request.key, record });
      this.resolvedBeforeEvaluation++;
    }
  }

  /**
   * The evaluation found no intent of `txnId` at `key` to resolve (it was resolved, or never
   * written): `finalizedLocks` forgets the key.
   */
  finalizedIntentGone(key: Uint8Array, txnId: TxnId): void {
    const hex = hexKey(key);
    if (this.finalizedLocks.get(hex) === txnId) this.finalizedLocks.delete(hex);
  }

  /** Intents of `txnId` at `key` are gone (resolved): requests queued on it move on. */
  lockReleased(key: Uint8Array, txnId: TxnId): void {
    if (this.finalizedLocks.size > 0) this.finalizedIntentGone(key, txnId);
    this.dispatch(this.lockTable.onLockReleased(key, txnId));
  }

  /** Every tracked lock of `txnId` inside `span` is gone. */
  locksReleasedIn(span: Span, txnId: TxnId): void {
    for (const lock of this.lockTable.locksIn(span)) this.lockReleased(lock.key, txnId);
  }

  /**
   * `txnId`'s intents at `key`, or inside `span`, were resolved with the transaction PENDING (a
   * push): they block no one now, but the transaction's unreplicated locks stay (lock-table.ts
   * `onIntentPushed`).
   */
  intentsPushedIn(span: Span, txnId: TxnId): void {
    for (const lock of this.lockTable.locksIn(span)) this.dispatch(this.lockTable.onIntentPushed(lock.key, txnId));
  }

  /** `txnId` committed or aborted: all its locks here are released (and remembered: `finalizedLocks`). */
  txnFinalized(txnId: TxnId, status: 'COMMITTED' | 'ABORTED'): void {
    if (this.lockTable.keyCount === 0) return;
    for (const lock of this.lockTable.sortedLocks()) {
      // A shared lock is only ever unreplicated: there is no intent behind it.
      if (lock.holder?.txn.id !== txnId) continue;
      const hex = hexKey(lock.key);
      this.finalizedLocks.delete(hex); // re-inserted as the newest
      this.finalizedLocks.set(hex, txnId);
      if (this.finalizedLocks.size > finalizedLockKeysMax) this.finalizedLocks.delete(this.finalizedLocks.keys().next().value!);
    }
    this.dispatch(this.lockTable.onTxnFinalized(txnId, status));
  }

  /** Every lock in `span` stops being tracked (the keys moved to another range): waiters rescan. */
  forgetLocksIn(span: Span): void {
    for (const lock of this.lockTable.locksIn(span)) {
      for (const holder of [lock.holder?.txn, ...lock.sharedHolders]) if (holder !== undefined) this.lockReleased(lock.key, holder.id);
    }
  }

  /** The range is gone: every waiting request fails with `error`, and so does every later one. */
  failAll(error: Error): void {
    this.failure = error;
    for (const [name, waiter] of [...this.waiters]) {
      this.stopWaiting(name);
      waiter.reject(error);
    }
  }

  /**
   * A successful batch's locking reads: its transaction now holds an unreplicated lock, of each
   * read's strength, on every key the read returned (CockroachDB's `OnLockAcquired`). Runs with
   * the batch's latches held, after evaluation. Not for a transaction this store saw finalized
   * (`lockingTxnOf`).
   */
  private acquireLocks(batch: BatchRequest, response: BatchResponse): void {
    // A batch without a locking read (every plain read and write) locks nothing: no TxnMeta is
    // made for it and no finalized record looked up.
    if (!batch.requests.some(acquiresLock)) return;
    const txn = this.lockingTxnOf(batch, response);
    if (txn === undefined) return;
    batch.requests.forEach((request, i) => {
      const strength = acquiredStrengthOf(request);
      if (strength === undefined) return;
      const answer = response.responses[i];
      if (answer?.kind === 'get') {
        if (answer.value !== undefined) this.dispatch(this.lockTable.acquireLock(request.key, txn, 'unreplicated', strength));
      } else if (answer?.kind === 'scan' || answer?.kind === 'reverseScan') {
        for (const row of answer.rows) this.dispatch(this.lockTable.acquireLock(row.key, txn, 'unreplicated', strength));
      }
    });
  }

  /**
   * A locking read met values committed above its read timestamp: its transaction locks those
   * keys now, so that the read, retried after a refresh, finds them as they are (see the module
   * comment). Keys outside the batch's locking reads (a write's WriteTooOld) are left alone.
   */
  private acquireLocksOnWriteTooOld(batch: BatchRequest, error: WriteTooOldError): void {
    const txn = this.lockingTxnOf(batch, undefined);
    if (txn === undefined) return;
    for (const key of error.keys) {
      const reader = batch.requests.find((request) => acquiredStrengthOf(request) !== undefined && spanContainsKey(requestSpan(request), key));
      if (reader !== undefined) this.dispatch(this.lockTable.acquireLock(key, txn, 'unreplicated', acquiredStrengthOf(reader)!));
    }
  }

  /**
   * `lockingTxn`, unless this store saw the transaction finalized: `txnFinalized` released its
   * locks already, so a lock its straggling request (sent before its coordinator heard of an
   * abort, or a retry) took now would be released by nobody — a NOWAIT locker failed on the key
   * for good, a blocking one waited a push delay to clear it. The finalization and this check
   * are serialized (single thread), so one applied later releases what is acquired here.
   */
  private lockingTxnOf(batch: BatchRequest, response: BatchResponse | undefined): TxnMeta | undefined {
    const txn = lockingTxn(batch, response);
    return txn === undefined || this.host.finalizedTxn(txn.id) !== undefined ? undefined : txn;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  private checkAlive(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private releaseLatches(guard: LatchGuard): void {
    this.latches.release(guard);
  }

  private waitForLock(name: string, plan: Plan, key: Uint8Array, pushee: TxnMeta, distinguished: boolean, held: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: LockWaiter = { resolve, reject, pusher: plan.txn, timestamp: plan.lockTimestamp, writer: plan.writes, key, pushee, timer: undefined };
      this.waiters.set(name, waiter);
      const delay = pushDelay(waiter, distinguished, held, this.host.physicalNowNanos());
      if (delay !== undefined) this.schedulePush(name, waiter, delay);
    });
  }

  /** Whether `txnId` still holds the lock on `key` in the lock table (exclusively or shared). */
  private holdsLock(key: Uint8Array, txnId: TxnId): boolean {
    const lock = this.lockTable.locksIn({ start: key })[0];
    return lock !== undefined && (lock.holder?.txn.id === txnId || lock.sharedHolders.some((txn) => txn.id === txnId));
  }

  /** Handles what the lock table says to waiting requests: move on, or push. */
  private dispatch(events: readonly LockTableEvent[]): void {
    for (const event of events) {
      const waiter = this.waiters.get(event.request);
      if (waiter === undefined) continue;
      if (event.kind === 'proceed') {
        this.stopWaiting(event.request);
        waiter.resolve();
      } else {
        waiter.key = event.key;
        waiter.pushee = event.pushee;
        const delay = pushDelay(waiter, true, event.held, this.host.physicalNowNanos());
        if (delay !== undefined) this.schedulePush(event.request, waiter, delay);
        else this.cancelPush(event.request, waiter);
      }
    }
  }

  private stopWaiting(name: string): void {
    const waiter = this.waiters.get(name);
    if (waiter === undefined) return;
    this.waiters.delete(name);
    if (waiter.timer !== undefined) this.host.timers.clearTimeout(waiter.timer);
    this.host.cancelPushes(name);
  }

  /** The waiter no longer pushes (it waits on a reservation): its timer and pushes stop. */
  private cancelPush(name: string, waiter: LockWaiter): void {
    if (waiter.timer !== undefined) this.host.timers.clearTimeout(waiter.timer);
    waiter.timer = undefined;
    this.host.cancelPushes(name);
  }

  private schedulePush(name: string, waiter: LockWaiter, delayNanos: bigint): void {
    if (waiter.timer !== undefined) this.host.timers.clearTimeout(waiter.timer);
    const delayMs = Number(delayNanos / 1_000_000n);
    waiter.timer = this.host.timers.setTimeout(() => {
      waiter.timer = undefined;
      void this.push(name, waiter);
    }, delayMs);
  }

  /**
   * A waiter's push: writers abort the holder, readers push it above their timestamp. Once the
   * push wins, the holder's intent at the key is resolved if the lock table still says the
   * pushee holds the key, which releases the lock and wakes the queue. If it no longer does —
   * the pushee finalized on this store, and `txnFinalized` released its locks, or the key
   * changed hands while the push waited — the waiter resolves nothing (CockroachDB's
   * `lockTableWaiter.pushTxn` resolves only a lock still held): whatever intent is left is
   * resolved by the next request evaluating on it (see `run`) or the asynchronous resolver.
   * Without that, each of the N waiters queued behind a committed holder proposed its own
   * ResolveIntent of the same key, write-latching the key the new holder was about to read.
   */
  private async push(name: string, waiter: LockWaiter): Promise<void> {
    const pushType: PushType = waiter.writer ? 'abort' : 'timestamp';
    try {
      const record = await this.host.pushTxn(waiter.pusher, waiter.pushee, pushType, next(waiter.timestamp), name);
      if (this.waiters.get(name) !== waiter) return;
      if (this.holdsLock(waiter.key, record.id)) {
        await this.host.resolveIntent(waiter.key, record);
        // The resolution's apply released the lock unless the table only knew it as discovered
        // (a PENDING pushee keeps its unreplicated lock: `intentsPushedIn`).
        if (this.waiters.get(name) === waiter) {
          if (record.status === 'PENDING') this.intentsPushedIn({ start: waiter.key }, record.id);
          else this.lockReleased(waiter.key, record.id);
        }
      }
      // Still waiting: the key changed hands (or a reservation holds it) — push its new owner.
      if (this.waiters.get(name) === waiter && waiter.timer === undefined) {
        const lock = this.lockTable.sortedLocks().find((l) => Buffer.from(l.key).equals(waiter.key));
        const owner = lock === undefined ? undefined : blockingTxn(lock, waiter.pusher?.id);
        // A reservation is pushed only for deadlock detection, by a transactional waiter.
        if (owner !== undefined && (isHeld(lock!) || waiter.pusher !== undefined)) {
          waiter.pushee = owner;
          this.schedulePush(name, waiter, limits.lockWaitDeadlockPushDelayNanos);
        }
      }
    } catch (error) {
      if (error instanceof PushCancelledError || this.waiters.get(name) !== waiter) return;
      this.stopWaiting(name);
      waiter.reject(error);
    }
  }
}

/**
 * SKIP LOCKED's view of the lock table for one evaluation: the keys the lock table scan found
 * locked by other transactions (the table cannot change under the request's latches), and the
 * intents evaluation left out.
 */
class SkipLockedCollector implements SkipLockedEval {
  private readonly locked: Set<string>;
  readonly intents: Intent[] = [];

  constructor(keys: readonly Uint8Array[]) {
    this.locked = new Set(keys.map((key) => Buffer.from(key).toString('hex')));
  }

  isKeyLocked(key: Uint8Array): boolean {
    return this.locked.size > 0 && this.locked.has(Buffer.from(key).toString('hex'));
  }

  skippedIntents(intents: readonly Intent[]): void {
    this.intents.push(...intents);
  }
}

/**
 * How long a waiter waits before it pushes (CockroachDB's `lockTableWaiter`), undefined for
 * never: the distinguished waiter of a held lock soon (`lockWaitPushDelayNanos`: is the holder's
 * coordinator alive?); any other transactional waiter later (`lockWaitDeadlockPushDelayNanos`),
 * so that its waits-for edge reaches deadlock detection. A lock that is only reserved is owned
 * by a request being sequenced right now, not by an idle transaction, so there is no liveness
 * to check: its waiters push only for deadlock detection, and a non-transactional waiter, which
 * can be in no cycle, not at all.
 *
 * A writer's (or locking reader's) early liveness push is made only when it can win: when the
 * pusher outranks the holder (a higher priority), or when the holder is old enough to be found
 * abandoned soon — a record counts as alive for `txnLivenessThresholdNanos` after its
 * transaction began (kv/eval push-txn.ts `isExpired`). Against a younger holder of equal or
 * higher priority (every SQL transaction has the same priority) the abort push could only fail
 * and wait in the txn wait queue: a PushTxn request and a wait-queue entry per wait for nothing,
 * TPC-B's branch rows every quarter transaction. Such a waiter pushes at the deadlock delay
 * (waits-for edges are all it can add), a non-transactional one when the holder could first be
 * found expired; the holder's commit or abort wakes it sooner either way (the store knows every
 * record it finalizes). A plain reader's timestamp push keeps the early push: it also wins when
 * the holder's record was already pushed above the reader by someone else.
 */
function pushDelay(waiter: LockWaiter, distinguished: boolean, held: boolean, nowNanos: bigint): bigint | undefined {
  const deadlockDelay = waiter.pusher === undefined ? undefined : limits.lockWaitDeadlockPushDelayNanos;
  if (!(distinguished && held)) return deadlockDelay;
  const outranks = (waiter.pusher?.priority ?? 0) > waiter.pushee.priority;
  const mayExpireIn = waiter.pushee.minTimestamp.wallNanos + limits.txnLivenessThresholdNanos - nowNanos;
  if (!waiter.writer || outranks || mayExpireIn <= limits.lockWaitPushDelayNanos) return limits.lockWaitPushDelayNanos;
  return deadlockDelay !== undefined && deadlockDelay < mayExpireIn ? deadlockDelay : mayExpireIn;
}

interface Plan {
  readonly txn: TxnMeta | undefined;
  readonly latches: readonly LatchSpan[];
  readonly locks: readonly LockSpan[];
  /** Where the batch conflicts with locks: writes at any timestamp, reads up to here. */
  readonly lockTimestamp: Timestamp;
  readonly writes: boolean;
}

/** The latches and lock spans of a batch (see `declareKeys` in kv/eval). */
function planOf(batch: BatchRequest): Plan {
  const header = batch.header;
  const txn = header.txn;
  const readTs = txn?.readTimestamp ?? header.timestamp;
  const writeTs = txn?.writeTimestamp ?? header.timestamp;
  const latches: LatchSpan[] = [];
  const locks: LockSpan[] = [];
  let writes = false;
  // An inconsistent read reads around intents (kv/eval get.ts, scan.ts) and never waits on a
  // lock: it latches (the latch invariant holds for every reader) but takes no lock span. Range
  // lookups are such reads, and a pusher's PushTxn may need one to reach the pushee's record:
  // queued behind the meta2 intent being pushed, the push waited on itself (KV simulator seed
  // 122 of session 11; test/kv/replica/inconsistent-read-locks.test.ts).
  const inconsistent = header.readConsistency === 'inconsistent';
  for (const request of batch.requests) {
    const mvcc = isDataRead(request) || isDataWrite(request);
    const keys = declareKeys(request, txn?.id);
    for (const latch of keys.latches) {
      const span = toSpan(latch.span);
      latches.push({ span, access: latch.access, timestamp: mvcc ? (latch.access === 'write' ? writeTs : readTs) : undefined });
    }
    if (mvcc && inconsistent && !isDataWrite(request)) continue;
    if (mvcc) {
      const write = isDataWrite(request);
      writes ||= write;
      locks.push({ span: toSpan(keys.routing), access: lockStrengthOf(request) === 'shared' ? 'shared' : write ? 'write' : 'read' });
    } else if (request.kind === 'clearRange') {
      // Not an MVCC write, but it refuses to clear another transaction's intent (kv/eval
      // clear-range.ts): it queues on the intents it meets and pushes their holders as a write
      // would. Without a lock span it re-evaluated at once on every intent it met, and an
      // abandoned transaction's intent kept it spinning to the sequencer's round limit.
      writes = true;
      locks.push({ span: toSpan(requestSpan(request)), access: 'write' });
    }
  }
  const uncertaintyLimit = txn === undefined ? readTs : max(readTs, txn.globalUncertaintyLimit);
  return { txn: txn === undefined ? undefined : txnMeta(txn), latches, locks, lockTimestamp: writes ? writeTs : uncertaintyLimit, writes };
}

/**
 * The latches of one round of `run`: the plan's, and for a writing batch a non-MVCC write latch on
 * each key of `resolveFirst`. Its MVCC write latch at W lets reads below W evaluate beside it,
 * which is right for its own writes (they land at W, invisible below it) but not for the
 * resolutions riding with them: committing an intent writes a version at the commit timestamp,
 * below W, and a reader at R in between that is still iterating would see the key half
 * resolved — the key's newest-version record read before the commit applied, its lock-table
 * entry after (now the writer's own intent, above R) — and return the value from before the
 * committed transaction: a bank scan's total off by one transfer (test/kv/bank.test.ts, found
 * in CI). Reads evaluate on the live engine, not a snapshot, so every change a read could see
 * must be excluded by a latch it conflicts with.
 */
function roundLatches(plan: Plan, readOnly: boolean, resolveFirst: readonly FinalizedIntent[]): readonly LatchSpan[] {
  if (readOnly || resolveFirst.length === 0) return plan.latches;
  const latches = [...plan.latches];
  for (const { key } of resolveFirst) latches.push({ span: { start: key }, access: 'write', timestamp: undefined });
  return latches;
}

/** The strength of the lock a request takes as a locking read, or undefined for any other request. */
function lockStrengthOf(request: Request): Exclude<LockStrength, 'none'> | undefined {
  if (request.kind !== 'get' && request.kind !== 'scan' && request.kind !== 'reverseScan') return undefined;
  return request.keyLocking === 'none' ? undefined : request.keyLocking;
}

/** Whether `request` acquires a lock once evaluated (see `acquiredStrengthOf`). */
const acquiresLock = (request: Request): boolean => acquiredStrengthOf(request) !== undefined;

/** The strength of the lock a locking read acquires once evaluated: none for a `lockProbe`. */
function acquiredStrengthOf(request: Request): Exclude<LockStrength, 'none'> | undefined {
  if ((request.kind === 'get' || request.kind === 'scan' || request.kind === 'reverseScan') && request.lockProbe === true) return undefined;
  return lockStrengthOf(request);
}

/**
 * Whether the plan write-latches `key`: no other write can then evaluate on the key until the
 * batch's writes applied (write latches exclude each other at any timestamp), so a resolution of
 * the key may ride with them — under the stronger latch `roundLatches` adds for it.
 */
function holdsWriteLatch(plan: Plan, key: Uint8Array): boolean {
  return plan.latches.some((latch) => latch.access === 'write' && latchCoversKey(latch.span, key));
}

/**
 * The transaction a batch's locking reads lock for — as the response left it, when there is one
 * (its write timestamp may have moved) — or undefined: no transaction, or an inconsistent read.
 */
function lockingTxn(batch: BatchRequest, response: BatchResponse | undefined): TxnMeta | undefined {
  const txn = response?.header.txn ?? batch.header.txn;
  if (txn === undefined || batch.header.readConsistency !== 'consistent') return undefined;
  return txnMeta(txn);
}

function toSpan(s: { readonly key: Uint8Array; readonly endKey?: Uint8Array | undefined }): Span {
  return s.endKey === undefined ? { start: s.key } : { start: s.key, end: s.endKey };
}

