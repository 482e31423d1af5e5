/**
 * The span refresher (CockroachDB's `txnSpanRefresher`): **read refresh**, the reason a pushed
 * serializable transaction need not restart.
 *
 * A transaction reads at its read timestamp and writes at its write timestamp; it may commit only
 * where they are equal (kv/eval EndTxn's RETRY_SERIALIZABLE rule). When the write timestamp is
 * pushed up — a newer committed value (WriteTooOld), a value in the uncertainty interval, the
 * timestamp cache or a pusher — the reads made so far are only known to hold at the old read
 * timestamp. If nothing was written in `(oldReadTs, newTs]` over every span read, they hold at
 * `newTs` too, and the read timestamp may move up:
 *
 * ```
 *   reads ──► record span          push seen (response txn, WriteTooOld, uncertainty,
 *                                   EndTxn RETRY_SERIALIZABLE)
 *                                      │
 *                                      ▼
 *                Refresh / RefreshRange every read span from oldReadTs to newTs
 *                      │ ok                                     │ a write in between
 *                      ▼                                        ▼
 *     readTs := newTs; resend the failed batch once     TransactionRetryError(reason):
 *     (a successful batch is not resent)                runTxn restarts at a new epoch
 * ```
 *
 * Spans are recorded only for reads that succeeded; the spans of the batch being resent are
 * read again at the new timestamp, so they need no refresh. Spans are kept whole (a scan stopped
 * by a limit still records its full span: conservative, never wrong). The spans are cleared at a
 * new epoch, whose reads start over. At most `refreshSpansMax` spans are kept; past it the
 * transaction can no longer refresh and any push restarts it.
 */
import { max, less, next as nextTimestamp, type Timestamp } from '../clock/timestamp.js';
import {
  batchHeader,
  batchRequest,
  isRetryableError,
  ReadWithinUncertaintyIntervalError,
  refreshRangeRequest,
  refreshRequest,
  returnedKeys,
  span,
  updateTransaction,
  TransactionRetryError,
  WriteTooOldError,
  type BatchRequest,
  type BatchResponse,
  type Request,
  type Span,
  type TransactionRetryReason,
} from '../kv/api/index.js';
import { assert } from '../src/base/assert.js';
import { RangedbError } from '../src/base/errors.js';
import { limits } from '../src/base/limits.js';
import { batchTxn, withTxn, type SendFn, type TxnInterceptor, type TxnProtoHolder } from './interceptor.js';

interface RefreshTarget {
  readonly timestamp: Timestamp;
  readonly reason: TransactionRetryReason;
  readonly detail: string;
}

export class SpanRefresher implements TxnInterceptor {
  private readonly readSpans: Span[] = [];
  /** Too many spans were read to remember them: no refresh is possible in this epoch. */
  private refreshInvalid = false;
  /** Successful refreshes (for tests and metrics). */
  refreshes = 0;

  constructor(
    private readonly holder: TxnProtoHolder,
    private readonly refreshSpansMax: number = limits.txnRefreshSpansMax,
  ) {
    assert(Number.isSafeInteger(refreshSpansMax) && refreshSpansMax >= 0, 'refreshSpansMax is a non-negative integer');
  }

  get refreshSpans(): readonly Span[] {
    return this.readSpans;
  }

  /**
   * Sends `batch`; a push it meets (`targetOf`) is refreshed and the batch sent again, up to
   * `limits.txnRefreshAttemptsMax` times (CockroachDB's max_refresh_attempts): one batch can be
   * pushed more than once — a parallel commit's writes on several ranges, each meeting a fresh
   * lease's timestamp-cache floor after a restart, push it once per range that staged above the
   * last refresh.
   */
  async send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    let response: BatchResponse | undefined;
    let sent = batch;
    for (let attempt = 0; response === undefined; attempt++) {
      try {
        response = await next(sent);
      } catch (error) {
        const target = attempt < limits.txnRefreshAttemptsMax ? this.targetOf(error, batch) : undefined;
        if (target === undefined) throw error;
        await this.refresh(target, next, batch.header.now);
        const refreshed = this.holder.get();
        sent = withTxn(batch, { ...batchTxn(batch), readTimestamp: refreshed.readTimestamp, writeTimestamp: max(batchTxn(batch).writeTimestamp, refreshed.writeTimestamp) });
      }
    }
    this.record(batch, response);
    const txn = response.header.txn;
    if (txn !== undefined && txn.status === 'PENDING' && less(this.holder.get().readTimestamp, txn.writeTimestamp)) {
      // Pushed while the batch succeeded: move the reads up now, while it is likely to work.
      await this.refresh({ timestamp: txn.writeTimestamp, reason: 'RETRY_SERIALIZABLE', detail: 'write timestamp pushed' }, next, response.header.now);
    }
    return response;
  }

  /**
   * Records `key` (or the span `[key, endKey)`) as read at the transaction's current read
   * timestamp without a read having gone through this interceptor (`Txn.recordRead`): from here
   * on it is refreshed like any read.
   */
  recordKey(key: Uint8Array, endKey?: Uint8Array): void {
    if (this.refreshInvalid) return;
    this.readSpans.push(span(key, endKey));
    if (this.readSpans.length > this.refreshSpansMax) {
      this.readSpans.length = 0;
      this.refreshInvalid = true;
    }
  }

  epochBumped(): void {
    this.readSpans.length = 0;
    this.refreshInvalid = false;
  }

  /** Where a failed batch could go if its reads were refreshed, or undefined: not a push. */
  private targetOf(error: unknown, batch: BatchRequest): RefreshTarget | undefined {
    const current = this.holder.get();
    const at = (timestamp: Timestamp, reason: TransactionRetryReason, detail: string): RefreshTarget => ({ timestamp: max(timestamp, current.writeTimestamp), reason, detail });
    if (error instanceof WriteTooOldError) return at(error.actualTimestamp, 'RETRY_WRITE_TOO_OLD', error.message);
    if (error instanceof ReadWithinUncertaintyIntervalError) return at(nextTimestamp(error.valueTimestamp), 'RETRY_REASON_UNKNOWN', error.message);
    const commits = batch.requests.some((request) => request.kind === 'endTxn' && request.commit);
    if (error instanceof TransactionRetryError && error.reason === 'RETRY_SERIALIZABLE' && commits) {
      // Pushed while this very batch was evaluated (its writes met the timestamp cache — a
      // fresh lease's floor, a reader — or a pusher moved the record), or earlier: either way
      // the reads may move up to where the write timestamp went, and the batch goes again
      // (its writes already laid down are replays at their sequence, resolved at the commit
      // timestamp). The push may be into the future (a reader pushes to its uncertainty limit):
      // the commit then waits for the clock (commit-wait.ts), and so does a restart from there.
      const pushedTo = error.pushedTo === undefined ? current.writeTimestamp : max(error.pushedTo, current.writeTimestamp);
      if (less(current.readTimestamp, pushedTo)) return at(pushedTo, 'RETRY_SERIALIZABLE', error.message);
    }
    return undefined;
  }

  /**
   * Refreshes every read span up to `target.timestamp` and moves the proto's read (and write)
   * timestamp there; on a failed refresh moves only the write timestamp (so a restart begins
   * there) and throws `TransactionRetryError(target.reason)`.
   */
  private async refresh(target: RefreshTarget, next: SendFn, now: Timestamp): Promise<void> {
    const txn = this.holder.get();
    const refreshFrom = txn.readTimestamp;
    const moved = updateTransaction(txn, { readTimestamp: max(refreshFrom, target.timestamp), writeTimestamp: max(txn.writeTimestamp, target.timestamp) });
    if (this.refreshInvalid) {
      this.holder.set(updateTransaction(txn, { writeTimestamp: moved.writeTimestamp }));
      throw new TransactionRetryError(target.reason, `${target.detail}; more than ${this.refreshSpansMax} read spans, cannot refresh`);
    }
    if (this.readSpans.length > 0) {
      const requests = this.readSpans.map((s): Request => (s.endKey === undefined ? refreshRequest(s.key, refreshFrom) : refreshRangeRequest(s.key, s.endKey, refreshFrom)));
      try {
        await next(batchRequest(batchHeader({ timestamp: moved.readTimestamp, txn: moved, now }), requests));
      } catch (error) {
        if (!isRetryableError(error)) throw error;
        this.holder.set(updateTransaction(txn, { writeTimestamp: moved.writeTimestamp }));
        const cause = error instanceof RangedbError ? error.message : String(error);
        throw new TransactionRetryError(target.reason, `${target.detail}; ${cause}`);
      }
    }
    this.refreshes += 1;
    this.holder.set(moved);
  }

  /**
   * Records the batch's read spans. A SKIP LOCKED batch records only the keys it returned: the
   * keys it left out were never read, and their lock holders are expected to write them — a
   * refresh over the whole span would fail on exactly those writes (CockroachDB's refresher
   * does the same for `SkipLocked` reads).
   */
  private record(batch: BatchRequest, response: BatchResponse): void {
    if (this.refreshInvalid) return;
    const skipLocked = batch.header.waitPolicy === 'skipLocked';
    // An index loop: `entries()` made an iterator and an [index, request] pair per request, on every read's way.
    const requests = batch.requests;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      if (skipLocked) {
        for (const key of returnedKeys(request, response.responses[i])) this.readSpans.push(span(key));
      } else if (request.kind === 'get') this.readSpans.push(span(request.key));
      else if (request.kind === 'scan' || request.kind === 'reverseScan') this.readSpans.push(span(request.key, request.endKey));
    }
    if (this.readSpans.length > this.refreshSpansMax) {
      // CockroachDB first condenses the spans into fewer, wider ones; dropping them is the
      // simple, always-correct end of that road.
      this.readSpans.length = 0;
      this.refreshInvalid = true;
    }
  }
}
