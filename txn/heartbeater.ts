/**
 * The heartbeater (CockroachDB's `txnHeartbeater`): keeps the transaction record alive while the
 * transaction holds intents, so that a pusher that meets one of them can tell a live transaction
 * (wait) from an abandoned one (abort it and clean up) — a **lease** on the record, renewed every
 * `txnHeartbeatIntervalNanos` and lapsing after `txnLivenessThresholdNanos`.
 *
 * - The loop starts when the first batch with a data write or a locking read (and no EndTxn) is
 *   sent: before that there is nothing for anyone to find or wait on. A transaction that writes
 *   only in its committing batch never heartbeats (its one-phase commit needs no record at all).
 * - It stops when a batch with an EndTxn is sent (commit or rollback) or `stop()` is called —
 *   except while a parallel commit holds it (`holdWhileStaging`, called by the committer): a
 *   STAGING record is heartbeaten until its commit is made explicit (or the attempt fails), like
 *   CockroachDB's heartbeater, which runs until the coordinator finalizes the transaction.
 * - Heartbeats go straight to the wire, not through the interceptors below: they are not part
 *   of the transaction's reads and writes (no sequence, nothing to refresh).
 * - A heartbeat that finds the record ABORTED (a pusher aborted the transaction) stops the loop
 *   and makes the transaction's next batch fail with `TransactionAbortedError` at once.
 * - A failed heartbeat is remembered (`lastHeartbeatError`) and the loop goes on: missing one
 *   beat is harmless, and the batch that matters will meet the real problem itself.
 * - **No stray records.** A heartbeat creates the PENDING record when there is none (kv/eval
 *   heartbeat-txn.ts: a long transaction must look alive before it commits). One still in flight
 *   when a one-phase commit applies (no record: its writes commit in one Raft command) would
 *   land after it and create a PENDING record that nothing ever finalizes or collects. So an
 *   EndTxn waits for a heartbeat in flight until a heartbeat has answered that the record
 *   exists: the record is then there before the commit, which therefore takes the two-phase
 *   path and finalizes it (1PC needs no record: one-phase-commit.ts), and a later heartbeat finds
 *   it finalized and leaves it. Once the record is known to exist a late heartbeat cannot create
 *   one, and nothing waits. (CockroachDB closes the same race on the server: its EndTxn marks
 *   the record key in the timestamp cache, and HeartbeatTxn refuses to create a record the
 *   marker covers.)
 * - **Old transactions.** Until its record exists, a pusher that meets the transaction's intent
 *   judges its liveness by a record made up from the intent, last active at the transaction's
 *   `minTimestamp` (kv/eval push-txn.ts). A transaction that ran for longer than the liveness
 *   threshold before it took its first lock (an interactive `BEGIN; SELECT …; UPDATE …`) would
 *   look abandoned to the first pusher, however low its priority, until its first beat an
 *   interval later — a live transaction aborted (review F2 of session 10). So when the loop
 *   starts for a transaction past half the threshold, one heartbeat creates the record first
 *   and the locking batch waits for it: one more round, for old transactions only.
 */
import { assert } from '../src/base/assert.js';
import { limits } from '../src/base/limits.js';
import type { HybridClock } from '../clock/hlc.js';
import type { Timestamp } from '../clock/timestamp.js';
import { batchHeader, batchRequest, heartbeatTxnRequest, TransactionAbortedError, type BatchRequest, type BatchResponse } from '../kv/api/index.js';
import type { TimerHandle, Timers } from '../src/env/env.js';
import { acquiresLocks, type SendFn, type TxnInterceptor, type TxnProtoHolder } from './interceptor.js';

export interface HeartbeaterDeps {
  readonly timers: Timers;
  readonly clock: HybridClock;
  readonly holder: TxnProtoHolder;
  /** The wire sender, below every interceptor. */
  readonly wire: SendFn;
  readonly intervalNanos: bigint;
}

export class Heartbeater implements TxnInterceptor {
  private timer: TimerHandle | undefined = undefined;
  private running = false;
  private abortedByPusher = false;
  private loopGeneration = 0;
  /** Parallel commits whose STAGING record this loop keeps alive (`holdWhileStaging`). */
  private stagingHolds = 0;
  /** The heartbeat on the wire, if any (settles, never rejects). */
  private inFlight: Promise<void> | undefined = undefined;
  /** Whether a heartbeat answered with the record: from then on, none can create a stray one. */
  private recordKnown = false;
  /** Heartbeat batches sent so far (for tests and metrics). */
  heartbeatsSent = 0;
  lastHeartbeatError: unknown = undefined;

  constructor(private readonly deps: HeartbeaterDeps) {
    assert(deps.intervalNanos >= 1_000_000n, 'the heartbeat interval is at least 1ms');
  }

  get isRunning(): boolean {
    return this.running;
  }

  send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const txn = this.deps.holder.get();
    if (this.abortedByPusher) return Promise.reject(new TransactionAbortedError('ABORT_REASON_ABORTED_RECORD_FOUND', txn.id));
    if (batch.requests.some((request) => request.kind === 'endTxn')) {
      this.stop();
      // A heartbeat that may create the record lands before the EndTxn leaves (module comment).
      if (this.inFlight !== undefined && !this.recordKnown) return this.inFlight.then(() => this.send(batch, next));
    } else if (!this.running && batch.requests.some(acquiresLocks)) {
      this.start();
      // The first lock of a transaction already half its liveness threshold old: create the
      // record first (module comment, "Old transactions"), then send — the batch fails at once if
      // the beat found the record aborted.
      if (this.oldAtFirstLock(txn.minTimestamp)) return this.heartbeat().then(() => this.send(batch, next));
    }
    return next(batch);
  }

  /** Whether a transaction that began at `minTimestamp` is past half the liveness threshold now. */
  private oldAtFirstLock(minTimestamp: Timestamp): boolean {
    return (this.deps.clock.now().wallNanos - minTimestamp.wallNanos) * 2n > limits.txnLivenessThresholdNanos;
  }

  /**
   * Keeps the loop running while a parallel commit's record is STAGING (committer.ts), from
   * just before the staging batch is sent until the commit is explicit or the attempt failed;
   * returns the release (idempotent; the loop stops with the last hold). The EndTxn stopped the
   * loop, and without it a record STAGING while one in-flight write is blocked longer than the
   * liveness threshold looks abandoned: a pusher's recovery would prevent the blocked write and
   * abort a live transaction. Starts the loop when none runs (a transaction whose only writes
   * ride in its committing batch): its first beat comes an interval after the staging, which
   * itself counts as one (kv/eval end-txn.ts).
   */
  holdWhileStaging(): () => void {
    if (this.abortedByPusher) return () => undefined;
    this.stagingHolds += 1;
    if (!this.running) this.start();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.stagingHolds -= 1;
      assert(this.stagingHolds >= 0, 'a staging hold released twice');
      if (this.stagingHolds === 0) this.stop();
    };
  }

  /** Stops the loop; a heartbeat in flight completes but schedules no other. Idempotent. */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    assert(this.timer === undefined, 'one heartbeat loop per transaction');
    this.running = true;
    this.loopGeneration += 1;
    this.schedule(this.loopGeneration);
  }

  /**
   * `generation` is a generation clock: a heartbeat still in flight from a loop that was stopped
   * (a failed commit) and started again (the restarted epoch's first write) must not schedule a
   * second loop beside the new one.
   */
  private schedule(generation: number): void {
    const delayMs = Number(this.deps.intervalNanos / 1_000_000n);
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = undefined;
      // The callback must not throw (timer errors crash the node): heartbeat() catches.
      void this.heartbeat().then(() => {
        if (this.running && generation === this.loopGeneration && this.timer === undefined) this.schedule(generation);
      });
    }, delayMs);
  }

  private async heartbeat(): Promise<void> {
    if (!this.running) return;
    const txn = this.deps.holder.get();
    const now = this.deps.clock.now();
    const batch = batchRequest(batchHeader({ timestamp: txn.readTimestamp, txn, now }), [heartbeatTxnRequest(txn.key, now)]);
    this.heartbeatsSent += 1;
    const sent = this.sendHeartbeat(batch);
    this.inFlight = sent;
    await sent;
    if (this.inFlight === sent) this.inFlight = undefined;
  }

  /** Sends one heartbeat batch and takes in its answer; never rejects. */
  private async sendHeartbeat(batch: BatchRequest): Promise<void> {
    try {
      const response = await this.deps.wire(batch);
      const record = response.responses[0];
      if (record?.kind !== 'heartbeatTxn') return;
      this.recordKnown = true;
      if (record.txn.status === 'ABORTED') {
        this.abortedByPusher = true;
        this.stop();
      }
    } catch (error) {
      this.lastHeartbeatError = error;
    }
  }
}
