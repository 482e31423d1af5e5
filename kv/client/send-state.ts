/**
 * The bookkeeping of one `DistSender.send`: the fragments received per request, the transaction
 * as the ranges left it, the latest receiver clock reading, what is left of the batch's key and
 * byte limits, and the routing retries spent. Owned by one send; not shared.
 */
import { assert } from '../../src/base/assert.js';
import type { RangedbError } from '../../src/base/errors.js';
import { lessEq, max, type Timestamp } from '../../clock/timestamp.js';
import { deleteRangeResponse, reverseScanResponse, scanResponse, span, transaction, type BatchRequest, type BatchResponse, type Response, type ResumeReason, type Transaction } from '../api/index.js';
import { RoutingRetriesExhaustedError } from './errors.js';
import type { Fragment, Piece } from './pieces.js';

/** Kinds that consume the batch's limits (kv/eval charges them to its scan budget). */
const isLimited = (piece: Piece): boolean => piece.request.kind === 'scan' || piece.request.kind === 'reverseScan' || piece.request.kind === 'deleteRange';

export class SendState {
  readonly fragments: Fragment[][];
  txn: Transaction | undefined;
  now: Timestamp | undefined = undefined;
  keysRemaining: number | undefined;
  bytesRemaining: number | undefined;
  /** Why the limits are spent, once they are: later limited pieces are not sent. */
  spent: ResumeReason | undefined = undefined;
  retries = 0;

  constructor(
    readonly batch: BatchRequest,
    readonly retriesMax: number,
  ) {
    this.fragments = batch.requests.map(() => []);
    this.txn = batch.header.txn;
    this.keysRemaining = batch.header.maxSpanRequestKeys === 0 ? undefined : batch.header.maxSpanRequestKeys;
    this.bytesRemaining = batch.header.targetBytes === 0 ? undefined : batch.header.targetBytes;
  }

  get limited(): boolean {
    return this.keysRemaining !== undefined || this.bytesRemaining !== undefined;
  }

  /** Counts a routing retry; throws `RoutingRetriesExhaustedError` past the budget. */
  retry(error: RangedbError): void {
    this.retries += 1;
    if (this.retries > this.retriesMax) throw new RoutingRetriesExhaustedError(this.retriesMax, error);
  }

  /**
   * The pieces still to send: all of them while the limits last; once spent, the limited ones
   * are answered here with their whole span as the resume span, and only the others are sent.
   */
  sendable(pieces: readonly Piece[]): Piece[] {
    const spent = this.spent;
    if (spent === undefined) return [...pieces];
    for (const piece of pieces.filter(isLimited)) this.fragments[piece.index]!.push({ span: piece.span, response: resumeAll(piece, spent) });
    return pieces.filter((piece) => !isLimited(piece));
  }

  /** Files one range's response under its pieces and charges its rows to the limits. */
  record(pieces: readonly Piece[], response: BatchResponse): void {
    assert(response.responses.length === pieces.length, 'one response per piece sent');
    pieces.forEach((piece, position) => {
      const answer: Response = response.responses[position]!;
      assert(answer.kind === piece.request.kind, 'a response answers its piece');
      this.fragments[piece.index]!.push({ span: piece.span, response: answer });
      this.charge(answer);
    });
    if (response.header.txn !== undefined) this.txn = this.txn === undefined ? response.header.txn : mergeTxn(this.txn, response.header.txn);
    this.now = this.now === undefined ? response.header.now : max(this.now, response.header.now);
  }

  private charge(answer: Response): void {
    if (answer.kind === 'scan' || answer.kind === 'reverseScan') {
      const bytes = answer.rows.reduce((sum, row) => sum + row.key.length + row.value.length, 0);
      this.take(answer.rows.length, bytes, answer.resumeReason);
    } else if (answer.kind === 'deleteRange') {
      this.take(answer.keys.length, 0, answer.resumeSpan === undefined ? undefined : 'keyLimit');
    }
  }

  private take(keys: number, bytes: number, stoppedBy: ResumeReason | undefined): void {
    if (this.keysRemaining !== undefined) this.keysRemaining -= keys;
    if (this.bytesRemaining !== undefined) this.bytesRemaining -= bytes;
    if (this.spent !== undefined) return;
    if (stoppedBy !== undefined) this.spent = stoppedBy;
    else if (this.keysRemaining !== undefined && this.keysRemaining <= 0) this.spent = 'keyLimit';
    else if (this.bytesRemaining !== undefined && this.bytesRemaining <= 0) this.spent = 'byteLimit';
  }
}

/** The answer to a limited piece not sent because the limits were spent: nothing, resume at all of it. */
function resumeAll(piece: Piece, reason: ResumeReason): Response {
  const resumeSpan = span(piece.span.key, piece.span.endKey);
  switch (piece.request.kind) {
    case 'scan':
      return scanResponse({ rows: [], resumeSpan, resumeReason: reason });
    case 'reverseScan':
      return reverseScanResponse({ rows: [], resumeSpan, resumeReason: reason });
    default:
      assert(piece.request.kind === 'deleteRange', 'only scans and deleteRange are limited');
      return deleteRangeResponse([], resumeSpan);
  }
}

/**
 * The transaction as two parts sent concurrently left it: timestamps and sequence only move up,
 * and a final status wins over PENDING. (Parts sent in order just see the later one win, which
 * this also gives.)
 */
export function mergeTxn(a: Transaction, b: Transaction): Transaction {
  if (a.id !== b.id || a.epoch !== b.epoch) return b;
  // `b` already at or above `a` everywhere (a range answers with the transaction it was sent, or
  // moved up): the merge is `b` itself, with no copy.
  if ((b.status !== 'PENDING' || a.status === 'PENDING') && lessEq(a.writeTimestamp, b.writeTimestamp) && lessEq(a.readTimestamp, b.readTimestamp) && a.sequence <= b.sequence) return b;
  return transaction({
    ...b,
    status: b.status === 'PENDING' ? a.status : b.status,
    writeTimestamp: max(a.writeTimestamp, b.writeTimestamp),
    readTimestamp: max(a.readTimestamp, b.readTimestamp),
    sequence: Math.max(a.sequence, b.sequence),
  });
}
