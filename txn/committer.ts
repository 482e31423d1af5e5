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
 *   releases like intents, so their keys are lock spans too. A locking Get's key is recorded
 *   before sending; a locking Scan's are the keys it returned (CockroachDB tracks the same:
 *   the whole span would keep a commit from being one-phase and widen its resolution), or the
 *   keys a `WriteTooOldError` names (the replica locked them), or — for any other error, whose
 *   outcome is unknown — the whole span. A read-only transaction that locked something sends
 *   its EndTxn (anchored at its first locked key) so the locks go at once.
 *
 * - **Condensing.** Past `lockSpansMax` spans (a statement that wrote 100,000 rows), the spans
 *   are merged, in key order, into `lockSpansCondensedTo` (32) covering spans (CockroachDB's
 *   condensing of the lock footprint): the EndTxn and the record stay small (an uncondensed
 *   footprint of 100k keys made a record over the engine's value limit), at the price of intent
 *   resolution scanning wider spans — it still only resolves this transaction's intents.
 *
 * Parallel commits (STAGING with in-flight writes) are not done yet: a multi-range commit writes
 * the record COMMITTED directly, after its writes were acknowledged.
 */
import { assert } from '../src/base/assert.js';
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
import { batchTxn, isDataWrite, isLockingRead, type SendFn, type TxnInterceptor } from './interceptor.js';

/** Most lock spans kept before condensing, and how many condensing leaves. */
export const lockSpansMax = 32_768;
// Few and wide: resolving a ranged span at commit iterates the lock table through the commit's
// write batch, which costs about the batch's size each time (32 spans: a 40k-row INSERT commits
// about as fast as uncondensed; 1,024 spans made it ten times slower).
export const lockSpansCondensedTo = 32;

const spanId = (s: Span): string => `${Buffer.from(s.key).toString('hex')}/${s.endKey === undefined ? '' : Buffer.from(s.endKey).toString('hex')}`;

export class Committer implements TxnInterceptor {
  private readonly locks = new Map<string, Span>();

  constructor(private readonly limits: { readonly lockSpansMax: number; readonly condensedTo: number } = { lockSpansMax, condensedTo: lockSpansCondensedTo }) {
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
    const lockingScans: number[] = [];
    batch.requests.forEach((request, i) => {
      if (isDataWrite(request) || (request.kind === 'get' && isLockingRead(request))) this.addLock(requestSpan(request));
      else if (isLockingRead(request)) lockingScans.push(i);
    });
    const last = batch.requests[batch.requests.length - 1];
    if (last?.kind !== 'endTxn') return lockingScans.length === 0 ? next(batch) : this.sendLockingScans(batch, lockingScans, next);
    assert(last.lockSpans.length === 0, 'the committer owns the lock spans of EndTxn');
    // A locking scan riding with the commit: its whole span, released with the rest.
    for (const i of lockingScans) this.addLock(requestSpan(batch.requests[i]!));
    if (this.locks.size === 0 && batch.requests.length === 1) return Promise.resolve(this.elided(batch, last));
    const endTxn: EndTxnRequest = Object.freeze({ ...last, lockSpans: Object.freeze(this.lockSpans) });
    const requests: readonly Request[] = [...batch.requests.slice(0, -1), endTxn];
    return next(batchRequest(batch.header, requests));
  }

  /** Sends a batch with locking scans and records the keys they locked (see the module comment). */
  private async sendLockingScans(batch: BatchRequest, scans: readonly number[], next: SendFn): Promise<BatchResponse> {
    let response: BatchResponse;
    try {
      response = await next(batch);
    } catch (error) {
      if (error instanceof WriteTooOldError) for (const key of error.keys) this.addLock(span(key));
      else for (const i of scans) this.addLock(requestSpan(batch.requests[i]!));
      throw error;
    }
    for (const i of scans) {
      const answer = response.responses[i];
      if (answer?.kind === 'scan' || answer?.kind === 'reverseScan') for (const row of answer.rows) this.addLock(span(row.key));
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
