/**
 * `Txn`, the client's handle on one transaction, and `runTxn`, the retry loop around it
 * (CockroachDB's `kv.Txn` + `TxnCoordSender` + `DB.Txn`).
 *
 * A `Txn` begins at `clock.now()`: its read and write timestamps are that reading, its global
 * uncertainty limit that plus the clock's max offset, its id 16 bytes of the injected random
 * source. Each operation becomes one batch with the transaction in its header, sent down the
 * interceptor stack (index.ts) to the wire `Sender`; the transaction in the response header is
 * merged into the `Txn`'s proto (timestamps only move up). Batches are sent one at a time.
 *
 * Contract:
 * - Operations after `commit` / `rollback`, or while another is in flight, are programmer errors
 *   (asserted).
 * - Errors are the `Sender`'s, unchanged, except that a push the span refresher could not absorb
 *   becomes a `TransactionRetryError` with its reason. After a retryable error the `Txn` must be
 *   restarted (`runTxn` does it) or rolled back.
 * - The anchor key (where the record lives) is the transaction's first written key.
 *
 * Fixed timestamp (`TxnOptions.fixedTimestamp`, SQL's AS OF SYSTEM TIME; CockroachDB's
 * `SetFixedTimestamp`): a snapshot read of the MVCC history — the versioned-value pattern — at a
 * timestamp T in the past. Read, write and min timestamps are T and stay T (a restart keeps it);
 * the transaction is read-only (`ReadOnlyTransactionError` for a write or a locking read).
 * - No uncertainty interval: its global uncertainty limit is T itself. Uncertainty exists so that
 *   a read does not miss a write that finished before it began in real time (linearizability);
 *   a client that names T asked for the database as of T, not for "now", so a value above T is
 *   simply in its future (CockroachDB does the same). It therefore never restarts for one, and
 *   having nothing but reads it is never pushed: it never refreshes and never sees 40001 from its
 *   own conflicts.
 * - Its reads still go into the timestamp cache at T, like any read. That is what keeps a recent
 *   T repeatable: a transaction that has not yet written a key below T is pushed above T when it
 *   does, so a second read at T returns what the first did. An intent below T is a conflict as
 *   for any reader (pushed or waited out). For T well in the past the entry is below what writers
 *   write at anyway, and costs nothing.
 * - It is serializable on its own terms: every read sees the one committed state at T. It is not
 *   ordered with the transactions around it in real time — which is the point.
 */
import { assert } from '../src/base/assert.js';
import { RangedbError } from '../src/base/errors.js';
import { txnIdFromBytes } from '../src/base/ids.js';
import { limits } from '../src/base/limits.js';
import type { ClockBound } from '../clock/clockbound.js';
import type { HybridClock } from '../clock/hlc.js';
import { addNanos, equal, isZero, less, lessEq, max, next, type Timestamp } from '../clock/timestamp.js';
import {
  batchHeader,
  checkBatch,
  batchRequest,
  conditionalPutRequest,
  deleteRangeRequest,
  deleteRequest,
  endTxnRequest,
  getRequest,
  isAmbiguousError,
  isRetryableError,
  putRequest,
  ReadWithinUncertaintyIntervalError,
  scanRequest,
  transaction,
  updateTransaction,
  TransactionAbortedError,
  WriteTooOldError,
  type BatchResponse,
  type KeyValueRow,
  type Request,
  type Sender,
  type SequencedWrite,
  type SequenceRange,
  type Span,
  type Transaction,
  type WaitPolicy,
} from '../kv/api/index.js';
import type { RandomSource, Timers } from '../src/env/env.js';
import { Committer, type ParallelCommits } from './committer.js';
import { CommitWaiter } from './commit-wait.js';
import { Heartbeater } from './heartbeater.js';
import { acquiresLocks, isDataWrite, stackInterceptors, type SendFn, type TxnProtoHolder } from './interceptor.js';
import { SeqNumAllocator, addIgnoredRange } from './seq-num-allocator.js';
import { SpanRefresher } from './span-refresher.js';
import { WriteBuffer, type FreshKeyViolation, type WriteBufferPolicy } from './write-buffer.js';

/** What a transaction needs from its node: the clock, the clock bound, timers and randomness. */
export interface TxnDeps {
  readonly clock: HybridClock;
  readonly clockBound: ClockBound;
  readonly timers: Timers;
  readonly random: RandomSource;
  /**
   * The node's write-buffer setting (CockroachDB's `kv.transaction.write_buffering`): most bytes
   * of puts a transaction holds back (write-buffer.ts), 0 for none; a transaction's own option
   * wins. Default `limits.txnWriteBufferBytesMax`.
   */
  readonly writeBufferBytesMax?: number;
  /** Which puts the write buffer holds (write-buffer.ts); default `all`. */
  readonly writeBufferPolicy?: WriteBufferPolicy;
  /**
   * The node's parallel-commit setting (committer.ts): a multi-range commit in one consensus
   * round, its record STAGING until made explicit. Absent or disabled: two rounds (a node enables it).
   */
  readonly parallelCommits?: ParallelCommits;
}

export interface TxnOptions {
  readonly name?: string;
  /** 1 … 2^31−1; random when absent (CockroachDB's normal priority). */
  readonly priority?: number;
  /** Wait out clock uncertainty after each commit (commit-wait.ts). Default off. */
  readonly strictSerializable?: boolean;
  /** Default `limits.txnHeartbeatIntervalNanos`. */
  readonly heartbeatIntervalNanos?: bigint;
  /** Default `limits.txnRefreshSpansMax`. */
  readonly refreshSpansMax?: number;
  /**
   * Most bytes of puts held back to ride in a later batch (write-buffer.ts); 0 sends every write
   * at once. Default `limits.txnWriteBufferBytesMax`.
   */
  readonly writeBufferBytesMax?: number;
  /**
   * A historical, read-only transaction at this timestamp (SQL's AS OF SYSTEM TIME; CockroachDB's
   * `SetFixedTimestamp`): see `Txn`'s "Fixed timestamp". Absent: the clock's now, read-write.
   */
  readonly fixedTimestamp?: Timestamp;
  /**
   * A read-only transaction at the clock's now (SQL's `BEGIN READ ONLY`): writes and locking reads
   * fail with 25006, as with a fixed timestamp; `setReadOnly` changes it while it runs.
   */
  readonly readOnly?: boolean;
  /**
   * A transaction its client does not see begin or commit: SQL's implicit transaction, committed
   * by the session right after its statements. Writers may shape their writes for a commit that
   * follows at once (sql/exec row-writer.ts: fresh keys held to ride with a one-phase commit).
   */
  readonly implicit?: boolean;
}

/**
 * A write, or a locking read, sent by a read-only transaction (`TxnOptions.fixedTimestamp` or
 * `TxnOptions.readOnly`).
 * PostgreSQL's 25006; the SQL layer names the statement before it gets here, so this is the
 * coordinator's own guard for any path that did not.
 */
export class ReadOnlyTransactionError extends RangedbError {
  readonly code = 'READ_ONLY_TRANSACTION';
  readonly errorClass = 'input';
  override readonly sqlState = '25006'; // read_only_sql_transaction

  constructor(what: string) {
    super(`cannot execute ${what} in a read-only transaction`);
  }
}

const priorityMax = 0x7fff_ffff;

/**
 * What a new transaction's proto starts with, shared by every one: its values are immutable (the
 * proto is replaced, never changed), and a begin that allocates four empty objects is four more
 * for every implicit SELECT to collect.
 */
const noAnchor = new Uint8Array(0);
const noSequenceRanges: readonly SequenceRange[] = Object.freeze([]);
const noSpans: readonly Span[] = Object.freeze([]);
const noWrites: readonly SequencedWrite[] = Object.freeze([]);

/** A savepoint of a transaction (`Txn.savepoint`): its epoch and the sequence of its last write then. */
export interface TxnSavepoint {
  readonly epoch: number;
  readonly sequence: number;
}

/** The interceptors of one `Txn`, outermost first (the order of the stack). */
export interface TxnInterceptors {
  /** Outermost: a write is numbered when it is made, held or not (seq-num-allocator.ts). */
  readonly seqNumAllocator: SeqNumAllocator;
  readonly writeBuffer: WriteBuffer;
  readonly heartbeater: Heartbeater;
  readonly spanRefresher: SpanRefresher;
  /** Above the committer: it waits on the commit's final answer, never on a STAGING one. */
  readonly commitWaiter: CommitWaiter;
  readonly committer: Committer;
}

export class Txn {
  private proto: Transaction;
  private finished = false;
  private inFlight = false;
  /**
   * The interceptor stack, built by the first batch that needs more than the span refresher
   * (`wiring`): a transaction that only reads — every implicit SELECT — never builds it.
   */
  private wired: { readonly interceptors: TxnInterceptors; readonly stack: SendFn; readonly belowWriteBuffer: SendFn } | undefined;
  private readonly holder: TxnProtoHolder = { get: () => this.proto, set: (txn) => this.merge(txn) };
  /** Made at once: the plain-read lane (`send`) needs it; the stack built later takes it in. */
  private readonly spanRefresher: SpanRefresher;
  /** The wire `Sender`, under the span refresher on the plain-read lane (`send`). */
  private readonly sendToWire: SendFn = (batch) => this.sender.send(batch);
  /** READ ONLY (`TxnOptions.readOnly`, then `setReadOnly`). */
  private readOnlyMode: boolean;
  /** The read sequence `step` pinned, or undefined: reads see every write made before them. */
  private readPin: number | undefined;
  /** A pin `readingLatest` lifted for a while, to be put back. */
  private liftedReadPin: number | undefined;

  constructor(
    private readonly sender: Sender,
    private readonly deps: TxnDeps,
    private readonly options: TxnOptions = {},
  ) {
    const fixed = options.fixedTimestamp;
    assert(fixed === undefined || !isZero(fixed), 'a fixed timestamp is above zero');
    this.readOnlyMode = options.readOnly ?? false;
    const now = fixed ?? deps.clock.now();
    const priority = options.priority ?? 1 + deps.random.int(priorityMax);
    assert(Number.isSafeInteger(priority) && priority >= 1 && priority <= priorityMax, () => `priority out of range: ${priority}`);
    this.proto = transaction({
      id: txnIdFromBytes(deps.random.bytes(16)),
      key: noAnchor,
      epoch: 0,
      writeTimestamp: now,
      minTimestamp: now,
      priority,
      sequence: 0,
      name: options.name ?? 'unnamed',
      status: 'PENDING',
      readTimestamp: now,
      // A fixed timestamp reads the history as of `now` exactly: no uncertainty (see the class comment).
      globalUncertaintyLimit: fixed ?? addNanos(now, deps.clock.maxOffsetNanos),
      ignoredSequences: noSequenceRanges,
      lockSpans: noSpans,
      inFlightWrites: noWrites,
      lastHeartbeat: now,
    });
    this.spanRefresher = new SpanRefresher(this.holder, options.refreshSpansMax ?? limits.txnRefreshSpansMax);
  }

  /** Whether this is an implicit transaction (`TxnOptions.implicit`). */
  get implicit(): boolean {
    return this.options.implicit ?? false;
  }

  /** The interceptors of the stack (built now if no batch needed them yet). */
  get interceptors(): TxnInterceptors {
    return this.wiring().interceptors;
  }

  /** Builds the interceptor stack once (CockroachDB's `TxnCoordSender` builds its interceptors lazily too). */
  private wiring(): { readonly interceptors: TxnInterceptors; readonly stack: SendFn; readonly belowWriteBuffer: SendFn } {
    if (this.wired !== undefined) return this.wired;
    const { deps, options, holder } = this;
    const wire = this.sendToWire;
    const heartbeater = new Heartbeater({ timers: deps.timers, clock: deps.clock, holder, wire, intervalNanos: options.heartbeatIntervalNanos ?? limits.txnHeartbeatIntervalNanos });
    // A STAGING record is heartbeaten until its commit is explicit (committer.ts, heartbeater.ts).
    const keepRecordAlive = (): (() => void) => heartbeater.holdWhileStaging();
    const interceptors: TxnInterceptors = Object.freeze({
      seqNumAllocator: new SeqNumAllocator(() => this.readPin),
      writeBuffer: new WriteBuffer(options.writeBufferBytesMax ?? deps.writeBufferBytesMax ?? limits.txnWriteBufferBytesMax, deps.writeBufferPolicy ?? 'all', () => this.readPin ?? this.liftedReadPin),
      heartbeater,
      spanRefresher: this.spanRefresher,
      committer: new Committer(undefined, deps.parallelCommits?.enabled === true ? { setting: deps.parallelCommits, wire, keepRecordAlive } : undefined),
      commitWaiter: new CommitWaiter({
        clockBound: deps.clockBound,
        timers: deps.timers,
        physicalNowNanos: () => deps.clock.physicalNow(),
        clockNow: () => deps.clock.now(),
        strictSerializable: options.strictSerializable ?? false,
        holdsLocks: () => interceptors.committer.lockSpanCount > 0,
      }),
    });
    const i = interceptors;
    const belowWriteBuffer = stackInterceptors([i.heartbeater, i.spanRefresher, i.commitWaiter, i.committer], wire);
    const fromWriteBuffer: SendFn = (batch) => i.writeBuffer.send(batch, belowWriteBuffer);
    this.wired = { interceptors, stack: (batch) => i.seqNumAllocator.send(batch, fromWriteBuffer), belowWriteBuffer };
    return this.wired;
  }

  /** The transaction as the coordinator knows it now (frozen). */
  get transaction(): Transaction {
    return this.proto;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The timestamp of a historical, read-only transaction (`TxnOptions.fixedTimestamp`), else undefined. */
  get fixedTimestamp(): Timestamp | undefined {
    return this.options.fixedTimestamp;
  }

  /** Whether the transaction may only read (a fixed timestamp, or READ ONLY): writes and locking reads fail with 25006. */
  get isReadOnly(): boolean {
    return this.options.fixedTimestamp !== undefined || this.readOnlyMode;
  }

  /**
   * READ ONLY / READ WRITE while it runs (SQL's SET TRANSACTION). What it wrote before stays and
   * commits; only what it sends from now on is checked. A fixed-timestamp transaction is read-only
   * whatever this says.
   */
  setReadOnly(readOnly: boolean): void {
    this.readOnlyMode = readOnly;
  }

  /** The options it was made with, and its read-only mode now (a restart as a new transaction keeps them). */
  get txnOptions(): TxnOptions {
    return this.readOnlyMode === (this.options.readOnly ?? false) ? this.options : { ...this.options, readOnly: this.readOnlyMode };
  }

  /** Nanoseconds the last commit spent in commit wait (0 without strict serializability). */
  get lastCommitWaitNanos(): bigint {
    return this.wired?.interceptors.commitWaiter.lastWaitNanos ?? 0n;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const response = await this.send([getRequest(key)] as const);
    return response.responses[0].value;
  }

  /**
   * Adds `key` (or the span `[key, endKey)`) to the transaction's read set as if read now, at its
   * read timestamp, without sending a read — for values the caller learned outside the
   * transaction, from a read at or above that timestamp which also left the timestamp cache
   * there (sql/catalog's version fence; ADD PRIMARY KEY's snapshot backfill). The read is then refreshed like the transaction's own: a push past what the outside
   * read covered is checked against the key's writes, as CockroachDB's leased descriptors are
   * by their lease expiration.
   */
  recordRead(key: Uint8Array, endKey?: Uint8Array): void {
    assert(!this.finished, 'a finished transaction reads nothing');
    this.spanRefresher.recordKey(key, endKey);
  }

  /** The rows of `[key, endKey)` (up to the scan limits; a resume span is not followed yet). */
  async scan(key: Uint8Array, endKey: Uint8Array): Promise<readonly KeyValueRow[]> {
    const response = await this.send([scanRequest(key, endKey)] as const);
    return response.responses[0].rows;
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.send([putRequest(key, value)] as const);
  }

  /** Writes `value` if the current value is `expected` (undefined = absent); else `ConditionFailedError`. */
  async cput(key: Uint8Array, value: Uint8Array, expected: Uint8Array | undefined): Promise<void> {
    await this.send([conditionalPutRequest(key, value, expected)] as const);
  }

  /** Deletes `key`; whether a value was there. */
  async delete(key: Uint8Array): Promise<boolean> {
    const response = await this.send([deleteRequest(key)] as const);
    return response.responses[0].foundKey;
  }

  /** Deletes every key in `[key, endKey)`; the keys deleted. */
  async deleteRange(key: Uint8Array, endKey: Uint8Array): Promise<readonly Uint8Array[]> {
    const response = await this.send([deleteRangeRequest(key, endKey, { returnKeys: true })] as const);
    return response.responses[0].keys;
  }

  /**
   * Sends several requests in one batch through the interceptor stack (sequences, refresh spans,
   * lock spans as for the single-request methods), e.g. the writes of one SQL statement.
   * `maxSpanRequestKeys` (0: none) limits the keys the batch's scans return in total; a scan cut
   * short carries its `resumeSpan`. `waitPolicy` says what the batch does on a lock of another
   * transaction (default `block`; `error` is SQL's NOWAIT). EndTxn is not allowed here (use `commit`).
   * `freshKeys`: keys the caller generated unique for this batch's conditional puts expecting no
   * value (SQL's hidden rowid), which the write buffer may then hold, checked when they go down —
   * at the latest with the commit, which then fails with their `ConditionFailedError`
   * (write-buffer.ts, "Fresh keys") — or with `freshKeyViolation`'s error for the key, if given.
   *
   * Not an async function: it returns `send`'s promise itself (an async function returning a
   * promise adds one promise and two microtasks to every batch — every point read's). What it
   * throws before sending becomes the returned promise's rejection, as an async function's would.
   */
  batch<const Rs extends readonly Request[]>(requests: Rs, options: { readonly maxSpanRequestKeys?: number; readonly waitPolicy?: WaitPolicy; readonly freshKeys?: readonly Uint8Array[]; readonly freshKeyViolation?: FreshKeyViolation } = {}): Promise<BatchResponse<Rs>> {
    try {
      assert(requests.length > 0, 'an empty batch');
      assert(requests.every((request) => request.kind !== 'endTxn'), 'commit or roll back with commit() / rollback()');
      if (options.freshKeys !== undefined && options.freshKeys.length > 0 && !this.finished) this.wiring().interceptors.writeBuffer.noteFresh(options.freshKeys, options.freshKeyViolation);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.send(requests, options.maxSpanRequestKeys ?? 0, undefined, options.waitPolicy ?? 'block');
  }

  /**
   * Commits, sending `finalWrites` (write requests from kv/api's factories, without sequences) in
   * the same batch as the EndTxn: if they are all the transaction's writes and on one range, the
   * commit is one-phase. Resolves once committed (and, with strict serializability, once commit
   * wait is over).
   */
  async commit(finalWrites: readonly Request[] = []): Promise<void> {
    assert(finalWrites.every(isDataWrite), 'commit takes data writes only');
    if (finalWrites.length === 0 && this.wroteNothing()) await this.commitReadOnly();
    else await this.end(true, finalWrites);
  }

  /**
   * Whether the transaction holds nothing a commit must send: no write (sent or held back), no
   * lock, no anchor. Its EndTxn would be elided by the committer anyway (no record, nothing to
   * resolve); without locks the heartbeater never started.
   */
  private wroteNothing(): boolean {
    if (this.proto.key.length > 0) return false;
    const i = this.wired?.interceptors;
    return i === undefined || (i.writeBuffer.size === 0 && i.committer.lockSpanCount === 0 && !i.heartbeater.isRunning);
  }

  /**
   * The commit of a read-only transaction (CockroachDB's `commitReadOnlyTxnLocked`): nothing is
   * sent, and no EndTxn batch is built to be elided further down the stack — the answer the
   * committer would make up is made here. The reads were recorded in the timestamp cache when
   * they were served, so there is nothing left to make durable; only rule 1 of commit wait
   * (a read moved into the future waits for the clock) still applies.
   */
  private async commitReadOnly(): Promise<void> {
    assert(!this.finished, 'the transaction is finished');
    assert(!this.inFlight, 'one batch at a time per transaction');
    this.proto = updateTransaction(this.proto, { status: 'COMMITTED' });
    this.finished = true;
    if (this.clockPastCommitUnwired()) return;
    await this.interceptors.commitWaiter.waitForClock(this.proto.writeTimestamp);
  }

  /**
   * `commit()` done synchronously when it has nothing to send and nothing to wait for: the
   * transaction wrote and locked nothing, never built its interceptor stack, and the clock's last
   * physical reading is past its write timestamp — an implicit SELECT's transaction, whose read
   * the replica served after reading the clock. True: it is committed. False: nothing was done;
   * `commit()` it. It never reads the clock itself, so it cannot throw (a reading may: a backward
   * jump's callback), and an error is left to `commit()`'s callers, who report it. Callers on a
   * hot path (a Sync ending a read-only batch) skip a chain of promises with it; the outcome is
   * `commitReadOnly`'s.
   */
  commitIfNothingToSend(): boolean {
    if (this.finished || this.inFlight || this.wired !== undefined || this.proto.key.length > 0) return false;
    if (!this.deps.clock.physicalPassed(this.proto.writeTimestamp.wallNanos)) return false;
    this.proto = updateTransaction(this.proto, { status: 'COMMITTED' });
    this.finished = true;
    return true;
  }

  /**
   * Commit wait's rule 1 in its common case — the physical clock is past the commit — checked
   * without building the stack for its commit waiter (which makes the same check first).
   */
  private clockPastCommitUnwired(): boolean {
    if (this.wired !== undefined) return false;
    const wallNanos = this.proto.writeTimestamp.wallNanos;
    return this.deps.clock.physicalPassed(wallNanos) || wallNanos < this.deps.clock.physicalNow();
  }

  /**
   * Sends the writes the write buffer holds, now (no-op when it holds none): what must be known
   * to the cluster before going on — a savepoint's sequence covers every write made before it.
   */
  async flush(): Promise<void> {
    const wired = this.wired;
    if (wired === undefined || wired.interceptors.writeBuffer.size === 0) return;
    await this.send([] as const, 0, (batch) => wired.interceptors.writeBuffer.flush(batch, wired.belowWriteBuffer));
  }

  /**
   * Pins the transaction's reads at the writes made so far (CockroachDB's `Txn.Step` with
   * stepping on): until `stopStepping`, a read does not see a write made after this call, while
   * writes still read every earlier write of the transaction (a conditional put's check, an
   * increment). SQL pins a statement's reads at its start, so that all its parts read one
   * snapshot (a data-modifying WITH's changes are not visible to the rest of the statement).
   * Calling it again moves the pin up to the writes made by then.
   */
  step(): void {
    assert(!this.finished, 'the transaction is finished');
    assert(this.liftedReadPin === undefined, 'a step inside readingLatest');
    this.readPin = this.writeSequence;
  }

  /** Reads see every write made before them again (the default). */
  stopStepping(): void {
    assert(this.liftedReadPin === undefined, 'stopStepping inside readingLatest');
    this.readPin = undefined;
  }

  /** The read sequence pinned by `step`, or undefined when reads see every write. */
  get readSequence(): number | undefined {
    return this.readPin;
  }

  /**
   * Runs `fn` with reads that see every write (a pin lifted, then put back): the checks a
   * statement makes of its own end state — foreign keys, whose referencing row its own INSERT
   * may have written (PostgreSQL's RI triggers read the latest state, not the snapshot). The
   * write buffer keeps what a read at the lifted pin needs (write-buffer.ts, `tryBuffer`).
   */
  async readingLatest<T>(fn: () => Promise<T>): Promise<T> {
    const pin = this.readPin;
    if (pin === undefined) return fn();
    assert(this.liftedReadPin === undefined, 'readingLatest is not nested');
    this.readPin = undefined;
    this.liftedReadPin = pin;
    try {
      return await fn();
    } finally {
      this.liftedReadPin = undefined;
      if (!this.finished) this.readPin = Math.min(pin, this.writeSequence); // an epoch restart started the writes again
    }
  }

  /** The sequence of the transaction's last write in this epoch (0 before the first), sent or held. */
  private get writeSequence(): number {
    return this.wired?.interceptors.seqNumAllocator.currentSequence ?? 0;
  }

  /** Aborts: the record is written ABORTED and the intents resolved (nothing sent if nothing was written). */
  async rollback(): Promise<void> {
    await this.end(false, []);
  }

  /**
   * A savepoint (CockroachDB's `CreateSavepoint`): the writes made so far are sent first, so the
   * savepoint's sequence covers every one of them.
   */
  async savepoint(): Promise<TxnSavepoint> {
    await this.flush();
    return Object.freeze({ epoch: this.proto.epoch, sequence: this.interceptors.seqNumAllocator.currentSequence });
  }

  /**
   * Rolls back the writes made since `savepoint` (CockroachDB's `RollbackToSavepoint`): their
   * sequences join `ignoredSequences`, which every later batch carries, so the transaction's
   * reads no longer see them and resolution drops them — an intent goes back to the newest write
   * kept, or goes away. The keys stay locked until the transaction ends, as in CockroachDB.
   * Writes the write buffer still holds are dropped: they were made after the savepoint.
   * The savepoint must be of this epoch: a restart discards the epoch's writes and sequences.
   */
  async rollbackToSavepoint(savepoint: TxnSavepoint): Promise<void> {
    assert(savepoint.epoch === this.proto.epoch, 'a savepoint of another epoch');
    // Held writes were all made after the savepoint (it sent the buffer): undone by never going.
    this.interceptors.writeBuffer.discard();
    const current = this.interceptors.seqNumAllocator.currentSequence;
    assert(savepoint.sequence <= current, 'a savepoint ahead of the transaction');
    // Writes since that were all held (numbered, never sent) are undone by the discard alone.
    if (current === savepoint.sequence || !this.interceptors.writeBuffer.sentAbove(savepoint.sequence)) return;
    const ignoredSequences = addIgnoredRange(this.proto.ignoredSequences, { start: savepoint.sequence + 1, end: current });
    this.proto = updateTransaction(this.proto, { ignoredSequences });
  }

  /**
   * Restarts the transaction at a new epoch, keeping its id, priority, anchor and lock spans,
   * reading and writing at `at` (at least its write timestamp) — after a `TransactionRetryError`.
   */
  restartEpoch(at: Timestamp): void {
    assert(!this.finished && !this.inFlight, 'restart of a finished or busy transaction');
    // A fixed timestamp does not move: the new epoch reads at it again.
    const start = this.options.fixedTimestamp ?? max(at, this.proto.writeTimestamp);
    // Sequences start again at 0: the old epoch's ignored ranges would hide the new epoch's writes.
    this.proto = updateTransaction(this.proto, { epoch: this.proto.epoch + 1, sequence: 0, ignoredSequences: [], readTimestamp: start, writeTimestamp: start });
    // A pinned statement that goes on in the new epoch reads what it writes from now on only.
    if (this.readPin !== undefined) this.readPin = 0;
    if (this.wired === undefined) this.spanRefresher.epochBumped();
    else for (const interceptor of Object.values(this.wired.interceptors)) interceptor.epochBumped?.();
  }

  /** Gives up on the transaction without a rollback (its outcome is unknown or already final). */
  abandon(): void {
    this.wired?.interceptors.heartbeater.stop();
    this.finished = true;
  }

  private async end(commit: boolean, writes: readonly Request[]): Promise<void> {
    const response = await this.send([...writes, endTxnRequest({ key: this.proto.key.length > 0 ? this.proto.key : (writes[0]?.key ?? new Uint8Array(0)), commit })]);
    const record = response.responses[response.responses.length - 1];
    assert(record?.kind === 'endTxn', 'an EndTxn answers the EndTxn');
    assert(record.txn.status === (commit ? 'COMMITTED' : 'ABORTED'), () => `EndTxn left the transaction ${record.txn.status}`);
    this.finished = true;
    // A commit pushed into the future is acknowledged only once this node's clock passed it
    // (commit-wait.ts, rule 1): what the client does next must begin above it.
    if (commit) await this.interceptors.commitWaiter.waitForClock(this.proto.writeTimestamp);
  }

  /** `stack` undefined: the whole interceptor stack (or the plain-read lane). */
  private async send<const Rs extends readonly Request[]>(requests: Rs, maxSpanRequestKeys = 0, stack?: SendFn, waitPolicy: WaitPolicy = 'block'): Promise<BatchResponse<Rs>> {
    assert(!this.finished, 'the transaction is finished');
    assert(!this.inFlight, 'one batch at a time per transaction');
    if (this.isReadOnly) {
      const locking = requests.find(acquiresLocks);
      if (locking !== undefined) throw new ReadOnlyTransactionError(isDataWrite(locking) ? `a ${locking.kind} request` : 'a locking read');
    }
    const now = this.deps.clock.now();
    // Bad input is refused here, before its first write can become the anchor or a lock span:
    // otherwise the rollback's EndTxn would carry the refused key and be refused in turn.
    let batch = batchRequest(batchHeader({ timestamp: this.proto.readTimestamp, txn: this.proto, now, maxSpanRequestKeys, waitPolicy }), requests);
    if (requests.some(isDataWrite)) checkBatch(batch);
    // The proto now names its anchor. (Built again here, not by a closure made on every batch's way.)
    if (this.anchor(requests)) batch = batchRequest(batchHeader({ timestamp: this.proto.readTimestamp, txn: this.proto, now, maxSpanRequestKeys, waitPolicy }), requests);

    this.inFlight = true;
    try {
      // The plain-read lane (CockroachDB keeps a read-only transaction's interceptors idle the
      // same way): while the transaction holds nothing — no write sent or buffered, no lock, no
      // heartbeat — a batch of non-locking reads would pass the write buffer, heartbeater,
      // sequence allocator, committer and commit waiter unchanged. Only the span refresher has
      // work: it records the read spans and absorbs an uncertainty restart by a refresh.
      const response = await (stack !== undefined ? stack(batch) : this.plainReadsOfPristineTxn(requests) ? this.spanRefresher.send(batch, this.sendToWire) : this.wiring().stack(batch));
      this.deps.clock.update(response.header.now);
      if (response.header.txn !== undefined) this.merge(response.header.txn);
      this.noteWriteSequence();
      return response as unknown as BatchResponse<Rs>;
    } catch (error) {
      if (error instanceof TransactionAbortedError) this.abandon();
      throw error;
    } finally {
      this.inFlight = false;
    }
  }

  /**
   * Whether `requests` are all non-locking Gets and Scans of a transaction that has written and
   * locked nothing (`wroteNothing`): the batch every interceptor but the span refresher passes on
   * as it is (write-buffer.ts answers reads from its buffer only when it holds writes; the
   * heartbeater starts on a lock; the allocator sequences writes; the committer tracks locks).
   */
  private plainReadsOfPristineTxn(requests: readonly Request[]): boolean {
    for (const request of requests) {
      if (request.kind !== 'get' && request.kind !== 'scan' && request.kind !== 'reverseScan') return false;
      if (request.keyLocking !== 'none') return false;
    }
    return this.wroteNothing();
  }

  /**
   * The proto's `sequence` is the last write's (what a savepoint or the catalog's version token
   * count on), held writes included; a response carries the batch's read sequence, which is
   * lower while a statement's reads are pinned.
   */
  private noteWriteSequence(): void {
    const written = this.writeSequence;
    if (written > this.proto.sequence && this.proto.status === 'PENDING') this.proto = updateTransaction(this.proto, { sequence: written });
  }

  /** The first written (or locked) key becomes the anchor: the record lives on its range. */
  private anchor(requests: readonly Request[]): boolean {
    if (this.proto.key.length > 0) return false;
    const firstLock = requests.find(acquiresLocks);
    if (firstLock === undefined) return false;
    this.proto = updateTransaction(this.proto, { key: firstLock.key });
    return true;
  }

  /** Folds `txn` (from a response or an interceptor) in: timestamps and sequence only move up. */
  private merge(txn: Transaction): void {
    assert(txn.id === this.proto.id, 'a response for another transaction');
    if (txn.epoch < this.proto.epoch) return;
    const proto = this.proto;
    // Most answers change nothing (a read, a held write): keep the proto, allocate nothing.
    if (txn.status === proto.status && txn.sequence <= proto.sequence && lessEq(txn.writeTimestamp, proto.writeTimestamp) && lessEq(txn.readTimestamp, proto.readTimestamp)) return;
    const writeTimestamp = max(this.proto.writeTimestamp, txn.writeTimestamp);
    const readTimestamp = max(this.proto.readTimestamp, txn.readTimestamp);
    // Only writes are pushed, and only refreshes move reads: a fixed timestamp never moves.
    assert(this.options.fixedTimestamp === undefined || (equal(writeTimestamp, proto.writeTimestamp) && equal(readTimestamp, proto.readTimestamp)), 'a fixed-timestamp transaction was pushed');
    this.proto = updateTransaction(this.proto, { status: txn.status, writeTimestamp, readTimestamp, sequence: Math.max(this.proto.sequence, txn.sequence) });
  }
}

/** What `runTxn` needs: the transaction's deps. */
export type RunTxnDeps = TxnDeps;

export interface RunTxnOptions extends TxnOptions {
  /** Most attempts, the first included. Default `limits.txnRetriesMax`. */
  readonly attemptsMax?: number;
}

/**
 * Where the next epoch starts: the timestamp the error or the proto says the transaction was
 * pushed to; when neither knows of a push above the read timestamp (a retry error from the
 * server, whose errors do not carry the transaction), the clock's now, so the retry is not a
 * replay of the same conflict.
 */
function restartTimestamp(error: unknown, txn: Transaction, clock: HybridClock): Timestamp {
  if (error instanceof WriteTooOldError) return max(error.actualTimestamp, txn.writeTimestamp);
  if (error instanceof ReadWithinUncertaintyIntervalError) return max(next(error.valueTimestamp), txn.writeTimestamp);
  return less(txn.readTimestamp, txn.writeTimestamp) ? txn.writeTimestamp : max(clock.now(), txn.writeTimestamp);
}

/** The sleep before attempt `attempt + 1`, in milliseconds: doubling, capped. */
function backoffMs(attempt: number): number {
  const doublings = BigInt(Math.min(attempt - 1, 30));
  const nanos = limits.txnRetryBackoffInitialNanos << doublings;
  const capped = nanos < limits.txnRetryBackoffNanosMax ? nanos : limits.txnRetryBackoffNanosMax;
  return Math.max(1, Number(capped / 1_000_000n));
}

/**
 * Runs `fn` in a transaction and commits it (unless `fn` did), retrying retryable errors:
 * - `TransactionAbortedError`: a new transaction (new id) with the same options;
 * - any other retryable error (`TransactionRetryError`, an unabsorbed WriteTooOld or
 *   uncertainty error): the same transaction at a new epoch, at the pushed timestamp (or now,
 *   if no push is known);
 * with a backoff (injected timers) between attempts, at most `attemptsMax` attempts, after
 * which the last error is thrown. An `AmbiguousResultError` is thrown unchanged, never retried:
 * the commit may have happened. Any other error rolls back (best effort) and is thrown.
 */
export async function runTxn<T>(sender: Sender, deps: RunTxnDeps, fn: (txn: Txn) => Promise<T>, options: RunTxnOptions = {}): Promise<T> {
  const attemptsMax = options.attemptsMax ?? limits.txnRetriesMax;
  assert(Number.isSafeInteger(attemptsMax) && attemptsMax >= 1, 'attemptsMax is a positive integer');
  let txn = new Txn(sender, deps, options);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await fn(txn);
      if (!txn.isFinished) await txn.commit();
      return result;
    } catch (error) {
      if (isAmbiguousError(error)) {
        txn.abandon();
        throw error;
      }
      if (!isRetryableError(error) || attempt >= attemptsMax) {
        if (!txn.isFinished) await txn.rollback().catch(() => undefined); // the original error matters; pushers clean up otherwise
        throw error;
      }
      if (error instanceof TransactionAbortedError || txn.isFinished) {
        txn.abandon();
        txn = new Txn(sender, deps, { ...options, priority: txn.transaction.priority });
      } else {
        txn.restartEpoch(restartTimestamp(error, txn.transaction, deps.clock));
      }
      await deps.timers.sleep(backoffMs(attempt));
    }
  }
}
