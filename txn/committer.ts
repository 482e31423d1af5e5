/**
 * The committer (CockroachDB's `txnCommitter` with the lock-footprint half of its pipeliner):
 * tracks the spans of every intent the transaction may have written and turns the `Txn`'s bare
 * EndTxn into the commit (or abort) of two-phase commit:
 *
 * ```
 *   writes ──► lock spans (recorded before sending: an ambiguous write may have left an intent)
 *   EndTxn ──► EndTxn{ lockSpans }  ──► record COMMITTED/ABORTED on the anchor's range
 *                                       intents on that range resolved in the same batch,
 *                                       the rest asynchronously by the server (kv/eval side effect)
 * ```
 *
 * - **One-phase commit.** When every write of the transaction is in the committing batch and on
 *   one range, kv/eval commits it without a record or intents (`isOnePhaseCommit`); the
 *   committer only has to send all lock spans, which then are exactly that batch's writes.
 * - **Read-only transactions** have no lock spans: their EndTxn is not sent at all (there is no
 *   record and nothing to resolve), and the answer is made up here.
 * - Lock spans are kept across epochs: intents of an old epoch must be resolved at the end too.
 * - **Locking reads** (`keyLocking`) leave unreplicated locks, which the EndTxn's resolution
 *   releases like intents, so their keys are lock spans too: the keys a locking Get or Scan
 *   returned a value for (the replica locks exactly those: kv/replica concurrency.ts
 *   `acquireLocks`; CockroachDB tracks the same — the whole span would keep a commit from being
 *   one-phase and widen its resolution), or the keys a `WriteTooOldError` names (the replica
 *   locked them), or — for any other error, whose outcome is unknown — the whole span. So a
 *   Get that found nothing, or that SKIP LOCKED skipped, adds nothing, and a lock probe
 *   (`lockProbe`, which locks nothing) is no locking read at all. A read-only transaction that
 *   locked something sends its EndTxn (anchored at its first locked key) so the locks go at once.
 *
 * - **Condensing.** Past `lockSpansMax` spans (a statement that wrote 100,000 rows), the spans
 *   are merged, in key order, into `lockSpansCondensedTo` (32) covering spans (CockroachDB's
 *   condensing of the lock footprint): the EndTxn and the record stay small (an uncondensed
 *   footprint of 100k keys made a record over the engine's value limit), at the price of intent
 *   resolution scanning wider spans — it still only resolves this transaction's intents.
 *
 * - **Parallel commits** (CockroachDB's parallel-commit half of `txnCommitter`; DESIGN §5), when
 *   `ParallelCommits` is given and enabled (a node setting, on by default: src/node/kv.ts). A committing batch that carries
 *   writes is sent as one: its EndTxn names those writes as `inFlightWrites`, and DistSender
 *   sends the record's part together with the writes' parts instead of after them — one
 *   consensus round for a multi-range commit instead of two:
 *
 *   ```
 *     writes ∥ EndTxn{ inFlightWrites } ──► record STAGING at T     (kv/eval end-txn.ts)
 *        every part answered, no write above T ──► implicitly committed: answer "committed",
 *        (each write's own `writtenAt`)            then EndTxn{} → COMMITTED + resolution, async
 *        a write landed above T (pushed)       ──► not committed: RETRY_SERIALIZABLE(pushedTo),
 *                                                  the span refresher refreshes and re-stages
 *        a part failed                         ──► its error (a STAGING record left behind is
 *                                                  replaced by the retry; a rollback that meets
 *                                                  it recovers it first: kv/eval end-txn.ts)
 *   ```
 *
 *   The transaction is committed the moment the last in-flight write lands at or below T, known
 *   or not (the implicit commit); whoever meets a STAGING record whose coordinator went quiet
 *   decides it by transaction recovery (kv/replica txn-recovery.ts). Writes that land on the
 *   record's own range are proven with it and stripped by the range (end-txn.ts
 *   `stripInFlightWrites`), so a single-range commit stays a normal (or one-phase) commit.
 *   Not eligible, sent the two-round way: a batch of more than `inFlightWritesMax` writes (a
 *   big held buffer: its STAGING record would list them all, and recovery query each —
 *   `limits.parallelCommitInFlightWritesMax`), a batch with a commit trigger (splits, merges), with
 *   a read (a locking read's lock is unreplicated: nothing to query), a ranged write
 *   (DeleteRange: which keys it wrote is known only from its answer), or no write at all.
 *   The explicit commit is asynchronous but bounded (`ParallelCommits.asyncCommitsMax` at once
 *   per node; past it the commit is made explicit before answering) and best effort: if it
 *   fails the record stays STAGING and recovery finishes the job.
 */
import { assert } from '../src/base/assert.js';
import { limits } from '../src/base/limits.js';
import {
  batchRequest,
  batchResponse,
  compareKeys,
  endTxnResponse,
  keyNext,
  requestSpan,
  span,
  updateTransaction,
  WriteTooOldError,
  type BatchRequest,
  type BatchResponse,
  type EndTxnRequest,
  type Request,
  type Span,
} from '../kv/api/index.js';
import { less, formatTimestamp, max, type Timestamp } from '../clock/timestamp.js';
import { batchHeader, endTxnRequest, TransactionRetryError, TransactionStatusError, type SequencedWrite, type Transaction } from '../kv/api/index.js';
import { batchTxn, isDataWrite, isLockingRead, type SendFn, type TxnInterceptor } from './interceptor.js';

/**
 * The node's parallel-commit setting and what the asynchronous explicit commits share: one
 * object per node (or per test), handed to every transaction through `TxnDeps.parallelCommits`.
 */
export class ParallelCommits {
  /** Commits that staged a record (reached STAGING across ranges), node-wide. */
  stagedCommits = 0;
  /**
   * Asynchronous explicit commits (their transactions answered already) not yet settled,
   * node-wide: at most `asyncCommitsMax`. Synchronous ones are not counted — they hold their
   * client, not a slot.
   */
  asyncCommitsInFlight = 0;
  /** Explicit commits made synchronously because `asyncCommitsMax` were in flight. */
  syncCommits = 0;
  /** Explicit commits that failed (their records are left STAGING, for recovery). */
  failedCommits = 0;
  /** Commits sent in two phases because they carried more than `inFlightWritesMax` writes. */
  oversizedCommits = 0;

  constructor(
    readonly enabled: boolean = true,
    /**
     * Most asynchronous explicit commits in flight at once; the commit that finds this many is
     * made explicit before it is answered (0: every one is).
     */
    readonly asyncCommitsMax: number = 1_024,
    /** Most writes one STAGING record names; a commit carrying more goes in two phases. */
    readonly inFlightWritesMax: number = limits.parallelCommitInFlightWritesMax,
  ) {
    assert(Number.isSafeInteger(asyncCommitsMax) && asyncCommitsMax >= 0, 'asyncCommitsMax is a non-negative integer');
    assert(Number.isSafeInteger(inFlightWritesMax) && inFlightWritesMax >= 1, 'inFlightWritesMax is a positive integer');
  }
}

/**
 * Whether a committing batch may commit in parallel (see the module comment): at most
 * `inFlightWritesMax` writes, none of them ranged, no read, no commit trigger.
 */
export function canCommitInParallel(batch: BatchRequest, endTxn: EndTxnRequest, inFlightWritesMax: number): boolean {
  if (!endTxn.commit || endTxn.commitTrigger !== undefined || batch.requests.length < 2) return false;
  if (batch.requests.length - 1 > inFlightWritesMax) return false;
  for (let i = 0; i < batch.requests.length - 1; i++) {
    const request = batch.requests[i]!;
    if (!isDataWrite(request) || request.kind === 'deleteRange') return false;
  }
  return true;
}

/**
 * The first in-flight write of a staging batch (`writeCount` writes, then the EndTxn) that landed
 * above the staging timestamp, with where it landed; undefined when every one landed at or below
 * it — the transaction is then implicitly committed.
 *
 * Judged write by write, from each write's own `writtenAt` (CockroachDB's implicit-commit
 * condition, the one transaction recovery checks with QueryIntent), not from the merged header:
 * the timestamp cache raises a range's header for the batch as a whole (a read above the staging
 * timestamp, a new lease's low-water mark), while a write replayed at its sequence — every write
 * of a batch re-staged after a refresh — keeps the intent it laid down before, at or below the
 * staging timestamp. Judged from the header, such an implicitly committed transaction was taken
 * for pushed: a recoverer committed it while the coordinator refreshed, re-staged and failed (the
 * record COMMITTED), or restarted at a new epoch over committed intents. A write whose answer
 * does not say where it landed is judged by the header (conservatively: at worst a needless retry).
 */
export function pushedInFlightWrite(response: BatchResponse, writeCount: number, stagingTs: Timestamp): { readonly index: number; readonly landedAt: Timestamp } | undefined {
  assert(writeCount < response.responses.length, 'a staging batch answers its writes and its EndTxn');
  const headerTs = response.header.txn?.writeTimestamp ?? stagingTs;
  for (let index = 0; index < writeCount; index++) {
    const answer = response.responses[index]!;
    const writtenAt = 'writtenAt' in answer ? answer.writtenAt : undefined;
    const landedAt = writtenAt ?? headerTs;
    if (less(stagingTs, landedAt)) return { index, landedAt };
  }
  return undefined;
}

/** Most lock spans kept before condensing, and how many condensing leaves. */
export const lockSpansMax = 32_768;
// Few and wide: resolving a ranged span at commit iterates the lock table through the commit's
// write batch, which costs about the batch's size each time (32 spans: a 40k-row INSERT commits
// about as fast as uncondensed; 1,024 spans made it ten times slower).
export const lockSpansCondensedTo = 32;

const spanId = (s: Span): string => `${Buffer.from(s.key).toString('hex')}/${s.endKey === undefined ? '' : Buffer.from(s.endKey).toString('hex')}`;

export class Committer implements TxnInterceptor {
  private readonly locks = new Map<string, Span>();

  /** The last asynchronous explicit commit, settled (never rejects); undefined if none was made. */
  explicitCommit: Promise<void> | undefined = undefined;

  constructor(
    private readonly limits: { readonly lockSpansMax: number; readonly condensedTo: number } = { lockSpansMax, condensedTo: lockSpansCondensedTo },
    /**
     * Parallel commits, when enabled: the setting, the wire sender the explicit commit goes to,
     * and what keeps the record alive while it is STAGING (the heartbeater's `holdWhileStaging`:
     * it returns the release).
     */
    private readonly parallel?: { readonly setting: ParallelCommits; readonly wire: SendFn; readonly keepRecordAlive?: () => () => void },
  ) {
    assert(limits.condensedTo >= 1 && limits.condensedTo < limits.lockSpansMax, 'condensing must shrink the lock spans');
  }

  /** The spans of every intent written so far, in first-written order, without duplicates. */
  get lockSpans(): readonly Span[] {
    return [...this.locks.values()];
  }

  /** How many lock spans are held (0: the transaction wrote and locked nothing so far). */
  get lockSpanCount(): number {
    return this.locks.size;
  }

  send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const lockingReads: number[] = [];
    batch.requests.forEach((request, i) => {
      if (isDataWrite(request)) this.addLock(requestSpan(request));
      else if (isLockingRead(request)) lockingReads.push(i);
    });
    const last = batch.requests[batch.requests.length - 1];
    if (last?.kind !== 'endTxn') return lockingReads.length === 0 ? next(batch) : this.sendLockingReads(batch, lockingReads, next);
    assert(last.lockSpans.length === 0, 'the committer owns the lock spans of EndTxn');
    // A locking read riding with the commit: its whole span, released with the rest.
    for (const i of lockingReads) this.addLock(requestSpan(batch.requests[i]!));
    if (this.locks.size === 0 && batch.requests.length === 1) return Promise.resolve(this.elided(batch, last));
    const setting = this.parallel?.setting;
    if (setting?.enabled === true) {
      if (canCommitInParallel(batch, last, setting.inFlightWritesMax)) return this.commitInParallel(batch, last, next);
      if (batch.requests.length - 1 > setting.inFlightWritesMax) setting.oversizedCommits++;
    }
    const endTxn: EndTxnRequest = Object.freeze({ ...last, lockSpans: Object.freeze(this.lockSpans) });
    const requests: readonly Request[] = [...batch.requests.slice(0, -1), endTxn];
    return next(batchRequest(batch.header, requests));
  }

  /**
   * Sends the writes and a STAGING EndTxn naming them in one batch; answers "committed" once
   * they all landed at or below the staging timestamp, and makes the commit explicit (see the
   * module comment).
   */
  private async commitInParallel(batch: BatchRequest, last: EndTxnRequest, next: SendFn): Promise<BatchResponse> {
    const txn = batchTxn(batch);
    const writes = batch.requests.slice(0, -1);
    const inFlightWrites: SequencedWrite[] = writes.map((request) => Object.freeze({ key: request.key, sequence: ('sequence' in request ? request.sequence : undefined) ?? txn.sequence }));
    const lockSpans = Object.freeze(this.lockSpans);
    const endTxn: EndTxnRequest = Object.freeze({ ...last, lockSpans, inFlightWrites: Object.freeze(inFlightWrites) });
    // Heartbeats go on from here until the commit is explicit: an in-flight write blocked past
    // the liveness threshold must not make the STAGING record look abandoned (heartbeater.ts).
    const release = this.parallel!.keepRecordAlive?.() ?? ((): void => undefined);
    let response: BatchResponse;
    try {
      response = await next(batchRequest(batch.header, [...writes, endTxn]));
    } catch (error) {
      release();
      throw error;
    }
    const record = response.responses[response.responses.length - 1];
    assert(record?.kind === 'endTxn', 'an EndTxn answers the EndTxn');
    // Every in-flight write rode with the record on one range: committed there already.
    if (record.txn.status !== 'STAGING') {
      release();
      return response;
    }
    const staged = record.txn;
    this.parallel!.setting.stagedCommits++;
    const pushed = pushedInFlightWrite(response, writes.length, staged.writeTimestamp);
    if (pushed !== undefined) {
      // Not implicitly committed, and it never will be at this timestamp: refresh to where the
      // batch was pushed and stage again (span-refresher.ts), or restart.
      const pushedTo = max(pushed.landedAt, response.header.txn?.writeTimestamp ?? pushed.landedAt);
      release();
      throw new TransactionRetryError('RETRY_SERIALIZABLE', `an in-flight write landed at ${formatTimestamp(pushed.landedAt)}, above the staging timestamp ${formatTimestamp(staged.writeTimestamp)}`, pushedTo);
    }
    const committed = updateTransaction(staged, { status: 'COMMITTED', inFlightWrites: [] });
    const setting = this.parallel!.setting;
    // Decided before the explicit commit counts itself: with `asyncCommitsMax` unanswered ones
    // in flight (the synchronous ones not among them), this one is made before answering.
    const answerFirst = setting.asyncCommitsInFlight < setting.asyncCommitsMax;
    const explicit = this.makeExplicit(staged, lockSpans, response.header.now, answerFirst).then(release);
    this.explicitCommit = explicit;
    if (!answerFirst) {
      setting.syncCommits++;
      await explicit;
    }
    return batchResponse(batch, { txn: committed, now: response.header.now }, [...response.responses.slice(0, -1), endTxnResponse(committed)]);
  }

  /**
   * The explicit commit of an implicitly committed transaction: EndTxn without in-flight writes
   * moves the STAGING record to COMMITTED and resolves the intents. Never rejects: a record
   * already COMMITTED (recovery was first) is the same outcome; any other failure leaves the
   * record STAGING for recovery, and is counted. `asynchronous`: the commit is answered before
   * this resolves, and it holds one of the `asyncCommitsMax` slots meanwhile.
   */
  private async makeExplicit(staged: Transaction, lockSpans: readonly Span[], now: BatchResponse['header']['now'], asynchronous: boolean): Promise<void> {
    const setting = this.parallel!.setting;
    if (asynchronous) setting.asyncCommitsInFlight++;
    assert(setting.asyncCommitsInFlight <= setting.asyncCommitsMax, 'asynchronous explicit commits within asyncCommitsMax');
    try {
      await this.parallel!.wire(batchRequest(batchHeader({ timestamp: staged.readTimestamp, txn: staged, now }), [endTxnRequest({ key: staged.key, commit: true, lockSpans })]));
    } catch (error) {
      if (!(error instanceof TransactionStatusError && error.status === 'COMMITTED')) setting.failedCommits++;
    } finally {
      if (asynchronous) setting.asyncCommitsInFlight--;
    }
  }

  /** Sends a batch with locking reads and records the keys they locked (see the module comment). */
  private async sendLockingReads(batch: BatchRequest, reads: readonly number[], next: SendFn): Promise<BatchResponse> {
    let response: BatchResponse;
    try {
      response = await next(batch);
    } catch (error) {
      if (error instanceof WriteTooOldError) for (const key of error.keys) this.addLock(span(key));
      else for (const i of reads) this.addLock(requestSpan(batch.requests[i]!));
      throw error;
    }
    for (const i of reads) {
      const request = batch.requests[i]!;
      const answer = response.responses[i];
      if (answer?.kind === 'get' && request.kind === 'get' && answer.value !== undefined) this.addLock(span(request.key));
      else if (answer?.kind === 'scan' || answer?.kind === 'reverseScan') for (const row of answer.rows) this.addLock(span(row.key));
    }
    return response;
  }

  /** The answer to the EndTxn of a transaction that wrote nothing: no record, nothing sent. */
  private elided(batch: BatchRequest, endTxn: EndTxnRequest): BatchResponse {
    const txn = updateTransaction(batchTxn(batch), { status: endTxn.commit ? 'COMMITTED' : 'ABORTED' });
    return batchResponse(batch, { txn, now: batch.header.now }, [endTxnResponse(txn)]);
  }

  private addLock(s: Span): void {
    const id = spanId(s);
    if (!this.locks.has(id)) this.locks.set(id, s);
    if (this.locks.size > this.limits.lockSpansMax) this.condense();
  }

  /** Merges the lock spans, in key order, into `condensedTo` spans that cover them all. */
  private condense(): void {
    const sorted = [...this.locks.values()].sort((a, b) => compareKeys(a.key, b.key));
    const perGroup = Math.ceil(sorted.length / this.limits.condensedTo);
    this.locks.clear();
    for (let start = 0; start < sorted.length; start += perGroup) {
      const group = sorted.slice(start, start + perGroup);
      let end = group[0]!.endKey ?? keyNext(group[0]!.key);
      for (const member of group) {
        const memberEnd = member.endKey ?? keyNext(member.key);
        if (compareKeys(memberEnd, end) > 0) end = memberEnd;
      }
      const merged = span(group[0]!.key, end);
      this.locks.set(spanId(merged), merged);
    }
    assert(this.locks.size <= this.limits.condensedTo, 'condensed lock spans');
  }
}
