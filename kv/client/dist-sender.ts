/**
 * `DistSender`: the `Sender` that splits a batch by range and sends each part to its range
 * (CockroachDB's `kvcoord.DistSender`).
 *
 * ```
 *   send(batch) ─► pieces (one per request) ─► partition by RangeCache ─► one sub-batch per range
 *                                                                         │ RangeTransport
 *   BatchResponse ◄─ merge fragments per request (key order, limits) ◄────┘  routing error?
 *                                                                         evict/insert, re-partition
 * ```
 *
 * Order of sending:
 * - **Concurrently** when the batch has no limits and is either transactional (its writes are
 *   intents, made atomic by the record; the parts' transaction updates are merged — timestamps
 *   only move up — so a push on one part reaches the commit) or read-only: one Raft round for
 *   all ranges instead of one per range.
 * - **In order** otherwise (key order; reverse key order for a batch with a ReverseScan): limited
 *   batches, where each part gets only what the earlier parts left of `maxSpanRequestKeys` /
 *   `targetBytes` (once they are spent the remaining span requests are answered with their whole
 *   span as the resume span), and non-transactional writes, which are independent.
 * - An EndTxn in a batch spanning several ranges is sent alone, after every other part has
 *   succeeded: the commit is the transaction's commit point on its anchor's record, so it must
 *   not be evaluated while some of the writes it covers have not yet been laid down — unless it
 *   is a parallel commit (`inFlightWrites` set, txn/committer.ts): its record is only STAGING,
 *   committed once those writes are proven, so it goes with the other parts (one consensus
 *   round, not two). The caller learns from the merged answer whether every write landed at
 *   or below the staging timestamp.
 *
 * Routing errors (the retry pattern, bounded by `limits.distSenderRetriesMax` per batch):
 * `RangeKeyMismatchError` evicts the stale descriptor, inserts the ones the error carries, and
 * re-partitions the part's pieces; `RangeNotFoundError` evicts and re-partitions;
 * `NotLeaseholderError` resends the part (choosing the leaseholder replica is the transport's
 * business). Every other error rejects the batch; an `AmbiguousResultError` in particular is never
 * retried, because the write may have applied. A batch that fails after some of its parts
 * succeeded has no atomicity beyond what its transaction provides (see `Sender`).
 *
 * Admin requests are alone in their batch (`checkBatch`) and are points, so they go to the one
 * range holding their key.
 */
import { assert } from '../../src/base/assert.js';
import { InvalidInputError, RangedbError } from '../../src/base/errors.js';
import type { RangeId } from '../../src/base/ids.js';
import { limits } from '../../src/base/limits.js';
import {
  addressKey,
  batchResponse,
  checkBatch,
  compareKeys,
  isReadOnly,
  NotLeaseholderError,
  RangeKeyMismatchError,
  RangeNotFoundError,
  type BatchRequest,
  type BatchResponse,
  type RangeDescriptor,
  type Request,
  type RKey,
  type Sender,
  withHeader,
} from '../api/index.js';
import { mergeFragments } from './merge.js';
import { batchPieces, clipPiece, piecesSpan, type Piece } from './pieces.js';
import type { Timers } from '../../src/env/env.js';
import type { RangeCache } from './range-cache.js';
import { mergeTxn, SendState } from './send-state.js';

/**
 * Sends one sub-batch to range `rangeId` as the sender believes it to be (`descriptor`); the
 * range evaluates it atomically or rejects (with a routing error if `descriptor` is stale).
 */
export type RangeTransport = (rangeId: RangeId, descriptor: RangeDescriptor, batch: BatchRequest) => Promise<BatchResponse>;

export interface DistSenderOptions {
  /** Routing retries per batch; defaults to `limits.distSenderRetriesMax`. */
  readonly retriesMax?: number;
  /**
   * Timers to back off between routing retries after a range was not found or did not hold
   * the key (see `limits.distSenderRetryBackoffMsMax`); without them retries go at once.
   */
  readonly timers?: Timers;
}

interface Part {
  readonly desc: RangeDescriptor;
  readonly pieces: readonly Piece[];
}

interface Mode {
  readonly concurrent: boolean;
  readonly reverse: boolean;
}

export class DistSender implements Sender {
  private readonly retriesMax: number;
  private readonly timers: Timers | undefined;

  constructor(
    private readonly cache: RangeCache,
    private readonly transport: RangeTransport,
    options: DistSenderOptions = {},
  ) {
    this.retriesMax = options.retriesMax ?? limits.distSenderRetriesMax;
    this.timers = options.timers;
    assert(Number.isSafeInteger(this.retriesMax) && this.retriesMax >= 0, 'retriesMax must be a non-negative integer');
  }

  /**
   * Sends `batch` across the ranges it touches and answers in lockstep (see `Sender`). Rejects
   * with `checkBatch`'s errors, `InvalidInputError` for a limited batch mixing Scan and
   * ReverseScan, `RoutingRetriesExhaustedError`, or the first non-routing error of a range.
   */
  async send<const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> {
    checkBatch(batch);
    const desc = oneRangeOf(batch, this.cache);
    let firstRoutingError: RangedbError | undefined;
    if (desc !== undefined) {
      // The fast path of a batch inside one cached range (every point read and most transactions'
      // batches; CockroachDB's DistSender has the same shortcut): the batch goes as it is, with
      // the range id in its header, and the answer comes back without pieces, fragments or
      // merging — one range's answer to an unlimited batch is already the merged one. A routing
      // error fixes the cache as `sendPart` does and the batch goes the long way. Inline, not an
      // async method of its own: two promises less per point read.
      let response: BatchResponse | undefined;
      try {
        response = await this.transport(desc.rangeId, desc, Object.freeze({ header: withHeader(batch.header, { rangeId: desc.rangeId }), requests: batch.requests }));
      } catch (error) {
        firstRoutingError = this.oneRangeRoutingError(error, desc);
      }
      if (response !== undefined) return this.oneRangeAnswer(batch, response);
    }
    // The long way: pieces, parts, fragments (the shortcut's routing error counts as a retry).
    const state = new SendState(batch, this.retriesMax);
    if (firstRoutingError !== undefined) state.retry(firstRoutingError);
    await this.sendPieces(state, modeOf(batch, state.limited), batchPieces(batch));
    const responses = batch.requests.map((request, index) => mergeFragments(request, state.fragments[index]!));
    return batchResponse(batch, { txn: state.txn, now: state.now ?? batch.header.now }, responses);
  }

  /** The fast path's answer: the range's, with the transaction as sent and as answered merged. */
  private oneRangeAnswer<const Rs extends readonly Request[]>(batch: BatchRequest<Rs>, response: BatchResponse): BatchResponse<Rs> {
    assert(response.responses.length === batch.requests.length, 'one response per request sent');
    const sent = batch.header.txn;
    const answered = response.header.txn;
    const txn = answered === undefined ? sent : sent === undefined ? answered : mergeTxn(sent, answered);
    if (txn === answered) return response as BatchResponse<Rs>;
    return batchResponse(batch, { txn, now: response.header.now }, response.responses);
  }

  /** The fast path's routing error, the cache fixed as `sendPart` does; rethrows any other error. */
  private oneRangeRoutingError(error: unknown, desc: RangeDescriptor): RangedbError {
    if (error instanceof NotLeaseholderError) return error;
    if (!(error instanceof RangeKeyMismatchError) && !(error instanceof RangeNotFoundError)) throw error;
    this.cache.evict(desc);
    if (error instanceof RangeKeyMismatchError) this.cache.insert(error.actualRanges);
    return error;
  }

  private async sendPieces(state: SendState, mode: Mode, pieces: readonly Piece[]): Promise<void> {
    if (pieces.length === 0) return;
    const parts = await this.partition(pieces);
    const commit = pieces.filter((piece) => piece.request.kind === 'endTxn');
    const parallelCommit = mode.concurrent && commit.some((piece) => piece.request.kind === 'endTxn' && piece.request.inFlightWrites.length > 0);
    if (parts.length > 1 && commit.length > 0 && !parallelCommit) {
      await this.sendPieces(state, mode, pieces.filter((piece) => piece.request.kind !== 'endTxn'));
      await this.sendPieces(state, mode, commit);
      return;
    }
    if (mode.concurrent) {
      // Every part settles before the batch answers, even when one fails early: a transaction
      // must never have a write in flight once its coordinator has moved on — a part that
      // landed after the commit would leave an intent of a committed transaction, committed
      // later at a later timestamp (found by the randomized serializability test).
      const settled = await Promise.allSettled(parts.map((part) => this.sendPart(state, mode, part)));
      const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
      return;
    }
    for (const part of mode.reverse ? parts.reverse() : parts) await this.sendPart(state, mode, part);
  }

  /** The ranges the pieces touch, in key order, each with the pieces clipped to it. */
  private async partition(pieces: readonly Piece[]): Promise<Part[]> {
    const parts: Part[] = [];
    let position: RKey | undefined = piecesSpan(pieces).key;
    while (position !== undefined) {
      const desc = this.cache.cached(position) ?? (await this.cache.lookup(position)); // a hit needs no await
      // Clipped from `position`, not from the descriptor's start: a descriptor learned after the
      // earlier parts were cut (a merge seen late) may reach back over keys they already cover.
      const from = position;
      const clipped = pieces.map((piece) => clipPiece(piece, desc, from)).filter((piece): piece is Piece => piece !== undefined);
      if (clipped.length > 0) parts.push({ desc, pieces: clipped });
      const next = nextStart(pieces, desc.endKey);
      assert(next === undefined || compareKeys(next, position) > 0, 'partitioning moves forward');
      position = next;
    }
    return parts;
  }

  private async backoff(retries: number): Promise<void> {
    const ms = routingBackoffMs(retries);
    if (ms > 0 && this.timers !== undefined) await this.timers.sleep(ms);
  }

  private async sendPart(state: SendState, mode: Mode, part: Part): Promise<void> {
    const { desc } = part;
    for (;;) {
      const pieces = state.sendable(part.pieces).sort((a, b) => a.index - b.index);
      if (pieces.length === 0) return;
      try {
        state.record(pieces, await this.transport(desc.rangeId, desc, subBatch(state, desc, pieces)));
        return;
      } catch (error) {
        if (error instanceof NotLeaseholderError) {
          state.retry(error);
          continue;
        }
        if (!(error instanceof RangeKeyMismatchError) && !(error instanceof RangeNotFoundError)) throw error;
        state.retry(error);
        this.cache.evict(desc);
        if (error instanceof RangeKeyMismatchError) this.cache.insert(error.actualRanges);
        await this.backoff(state.retries);
        await this.sendPieces(state, mode, pieces);
        return;
      }
    }
  }
}

/**
 * Waits before routing retry number `retries` of a batch: nothing for the first two, then 1, 2,
 * 4 … ms up to `limits.distSenderRetryBackoffMsMax` (the retry-with-backoff pattern; CockroachDB's
 * DistSender backs off the same way). A descriptor found stale again right after a lookup is
 * usually one a split or merge is still publishing: its meta2 intents resolve a Raft round later.
 */
function routingBackoffMs(retries: number): number {
  return retries <= 2 ? 0 : Math.min(limits.distSenderRetryBackoffMsMax, 2 ** (retries - 3));
}

function modeOf(batch: BatchRequest, limited: boolean): Mode {
  const reverse = batch.requests.some((request) => request.kind === 'reverseScan');
  if (limited && reverse && batch.requests.some((request) => request.kind === 'scan' || request.kind === 'deleteRange')) {
    throw new InvalidInputError('a batch with key or byte limits cannot mix forward and reverse span requests');
  }
  // A transaction's parts go out together (their writes are intents, atomic through the record;
  // a push on one part reaches the others at commit through the merged transaction). Without a
  // transaction only reads do: independent writes stay in key order.
  const concurrent = !limited && (batch.header.txn !== undefined || batch.requests.every(isReadOnly));
  return { concurrent, reverse };
}

/**
 * The cached range that holds every key `batch` touches, if the batch has no key or byte limits
 * (a limited batch is sent part by part: see the module comment); undefined otherwise.
 */
function oneRangeOf(batch: BatchRequest, cache: RangeCache): RangeDescriptor | undefined {
  if (batch.header.maxSpanRequestKeys !== 0 || batch.header.targetBytes !== 0) return undefined;
  let desc: RangeDescriptor | undefined;
  for (const request of batch.requests) {
    // The routing span, as `batchPieces` takes it.
    const key = addressKey(request.key);
    desc ??= cache.cached(key);
    if (desc === undefined || compareKeys(key, desc.startKey) < 0 || compareKeys(key, desc.endKey) >= 0) return undefined;
    if ('endKey' in request && compareKeys(addressKey(request.endKey), desc.endKey) > 0) return undefined;
  }
  return desc;
}

/** The first key at or after `after` that some piece still covers, or undefined. */
function nextStart(pieces: readonly Piece[], after: RKey): RKey | undefined {
  let next: RKey | undefined;
  for (const piece of pieces) {
    if (compareKeys(piece.span.endKey, after) <= 0) continue;
    const start = compareKeys(piece.span.key, after) >= 0 ? piece.span.key : after;
    if (next === undefined || compareKeys(start, next) < 0) next = start;
  }
  return next;
}

/** The sub-batch for one range: its pieces, the current transaction, what is left of the limits. */
function subBatch(state: SendState, desc: RangeDescriptor, pieces: readonly Piece[]): BatchRequest {
  const header = Object.freeze({
    ...state.batch.header,
    timestamp: state.txn?.readTimestamp ?? state.batch.header.timestamp,
    txn: state.txn,
    rangeId: desc.rangeId,
    // Once the limits are spent only unlimited kinds (points) are sent, for which 0 is harmless.
    maxSpanRequestKeys: Math.max(0, state.keysRemaining ?? 0),
    targetBytes: Math.max(0, state.bytesRemaining ?? 0),
  });
  assert(state.spent !== undefined || header.maxSpanRequestKeys > 0 || state.keysRemaining === undefined, 'limited parts get a positive key limit');
  return Object.freeze({ header, requests: Object.freeze(pieces.map((piece) => piece.request)) });
}
