/**
 * Pieces: a batch cut along range boundaries. A piece is one request (or the part of a span
 * request) that lies in one range, with the addressable span it covers. DistSender starts with
 * one piece per request, clips pieces to each range's descriptor, and sends the pieces of one
 * range as one sub-batch; the responses come back as fragments keyed by the piece's span.
 *
 * ```
 *   scan [c ─────────────── x)          ranges [a ─ g) [g ─ p) [p ─ /Max)
 *   pieces   [c ─ g)  [g ─ p)  [p ─ x)   one per range, each a scan of its own sub-span
 * ```
 */
import { assert } from '../../src/base/assert.js';
import { addressKey, compareKeys, keyNext, requestSpan, rspan, type BatchRequest, type RangeDescriptor, type Request, type Response, type RSpan } from '../api/index.js';

export interface Piece {
  /** The position of the original request in the batch. */
  readonly index: number;
  /** The request, truncated to `span` if it is a span request. */
  readonly request: Request;
  /** The addressable keys the piece covers; `[key, keyNext(key))` for a point request. */
  readonly span: RSpan;
}

/** A piece's response, from the range that evaluated it. */
export interface Fragment {
  readonly span: RSpan;
  readonly response: Response;
}

const isSpanRequest = (request: Request): request is Extract<Request, { readonly endKey: Uint8Array }> => 'endKey' in request;

/** One piece per request of `batch` at `indices` (all when undefined). */
export function batchPieces(batch: BatchRequest, indices?: readonly number[]): Piece[] {
  const chosen = indices ?? batch.requests.map((_, index) => index);
  return chosen.map((index) => {
    const request = batch.requests[index]!;
    const routing = requestSpan(request); // the routing span (requestKeys' latches are not needed here)
    const key = addressKey(routing.key);
    const endKey = routing.endKey === undefined ? keyNext(key) : addressKey(routing.endKey);
    return Object.freeze({ index, request, span: rspan(key, endKey) });
  });
}

/** The smallest span holding every piece. */
export function piecesSpan(pieces: readonly Piece[]): RSpan {
  assert(pieces.length > 0, 'a span of no pieces');
  let key = pieces[0]!.span.key;
  let endKey = pieces[0]!.span.endKey;
  for (const piece of pieces) {
    if (compareKeys(piece.span.key, key) < 0) key = piece.span.key;
    if (compareKeys(piece.span.endKey, endKey) > 0) endKey = piece.span.endKey;
  }
  return rspan(key, endKey);
}

/**
 * The part of `piece` in the range `desc`, or undefined if it has none. A point request is in
 * the range or not; a span request is truncated (a GC request also keeps only its keys inside).
 */
export function clipPiece(piece: Piece, desc: RangeDescriptor, from?: Uint8Array): Piece | undefined {
  const start = from !== undefined && compareKeys(from, desc.startKey) > 0 ? from : desc.startKey;
  const key = compareKeys(piece.span.key, start) >= 0 ? piece.span.key : start;
  const endKey = compareKeys(piece.span.endKey, desc.endKey) <= 0 ? piece.span.endKey : desc.endKey;
  if (compareKeys(key, endKey) >= 0) return undefined;
  const request = piece.request;
  if (!isSpanRequest(request)) return piece; // a point overlapping the range is inside it
  return Object.freeze({ index: piece.index, request: truncate(request, key, endKey), span: rspan(key, endKey) });
}

function truncate(request: Extract<Request, { readonly endKey: Uint8Array }>, key: Uint8Array, endKey: Uint8Array): Request {
  if (compareKeys(request.key, key) === 0 && compareKeys(request.endKey, endKey) === 0) return request;
  if (request.kind === 'gc') {
    const keys = request.keys.filter((gcKey) => compareKeys(key, gcKey.key) <= 0 && compareKeys(gcKey.key, endKey) < 0);
    return Object.freeze({ ...request, key, endKey, keys: Object.freeze(keys) });
  }
  return Object.freeze({ ...request, key, endKey });
}
