/**
 * The responses of the KV API, in lockstep with `requests.ts`: one interface per request kind
 * with the same `kind`, and `ResponseFor<R>` mapping a request type to its response type, so a
 * batch of `[GetRequest, PutRequest]` answers `[GetResponse, PutResponse]` position by position
 * (`BatchResponse<Rs>`). A response that is missing a kind of the request union, or has one the
 * request union lacks, fails to compile (`responseKindsMatch` below).
 */
import type { TxnId } from '../../src/base/ids.js';
import type { Timestamp } from '../../clock/timestamp.js';
import type { RangeDescriptor } from './descriptor.js';
import type { Request, RequestKind } from './requests.js';
import type { Span } from './span.js';
import type { Transaction } from './transaction.js';

/** Why a scan stopped early; the rest of its span is the `resumeSpan`. */
export type ResumeReason = 'keyLimit' | 'byteLimit';

export interface KeyValueRow {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** The timestamp of the version read. */
  readonly timestamp: Timestamp;
}

export interface GetResponse {
  readonly kind: 'get';
  /** Undefined when the key has no visible value (absent or deleted). */
  readonly value: Uint8Array | undefined;
  readonly timestamp: Timestamp | undefined;
}

interface ScanResult {
  readonly rows: readonly KeyValueRow[];
  /** The part of the span not scanned because a limit was reached. */
  readonly resumeSpan: Span | undefined;
  readonly resumeReason: ResumeReason | undefined;
}

export interface ScanResponse extends ScanResult {
  readonly kind: 'scan';
}
export interface ReverseScanResponse extends ScanResult {
  readonly kind: 'reverseScan';
}
/**
 * What every point write answers besides its own result: where its write landed. For a
 * transaction that is its intent's timestamp, which a replay (the same sequence sent again, as
 * a parallel commit re-staged after a refresh does) reports as it found it — possibly below the
 * batch's write timestamp, which the timestamp cache may have raised for the batch as a whole.
 * A parallel commit judges "implicitly committed" from these, write by write (txn/committer.ts).
 * Undefined when not known (a response made up by the coordinator: a write-buffered put).
 */
interface PointWriteResult {
  readonly writtenAt?: Timestamp | undefined;
}

export interface PutResponse extends PointWriteResult {
  readonly kind: 'put';
}
export interface ConditionalPutResponse extends PointWriteResult {
  readonly kind: 'conditionalPut';
}
export interface IncrementResponse extends PointWriteResult {
  readonly kind: 'increment';
  readonly newValue: bigint;
}
export interface DeleteResponse extends PointWriteResult {
  readonly kind: 'delete';
  /** Whether a value was visible (and so deleted). */
  readonly foundKey: boolean;
}
export interface DeleteRangeResponse {
  readonly kind: 'deleteRange';
  /** The deleted keys, when the request asked for them; else empty. */
  readonly keys: readonly Uint8Array[];
  readonly resumeSpan: Span | undefined;
}
export interface EndTxnResponse {
  readonly kind: 'endTxn';
  /** The record as written: COMMITTED, ABORTED or STAGING. */
  readonly txn: Transaction;
  /** Committed in the same Raft command as its writes (the one-phase fast path). */
  readonly onePhaseCommit: boolean;
}
export interface HeartbeatTxnResponse {
  readonly kind: 'heartbeatTxn';
  readonly txn: Transaction;
}
export interface PushTxnResponse {
  readonly kind: 'pushTxn';
  /** The pushee's record after the push: pushed, aborted, or already finished. */
  readonly pusheeTxn: Transaction;
}
export interface QueryTxnResponse {
  readonly kind: 'queryTxn';
  readonly queriedTxn: Transaction;
  /** Transactions waiting on the queried one (for deadlock detection). */
  readonly waitingTxns: readonly TxnId[];
}
export interface QueryIntentResponse {
  readonly kind: 'queryIntent';
  /** The intent is there, of the queried epoch, at or after the sequence, not above the timestamp. */
  readonly foundIntent: boolean;
}
export interface RecoverTxnResponse {
  readonly kind: 'recoverTxn';
  /** The record after recovery: COMMITTED or ABORTED, or as it was if recovery was not needed. */
  readonly recoveredTxn: Transaction;
}
export interface ResolveIntentResponse {
  readonly kind: 'resolveIntent';
}
export interface ResolveIntentRangeResponse {
  readonly kind: 'resolveIntentRange';
  readonly resumeSpan: Span | undefined;
}
export interface RefreshResponse {
  readonly kind: 'refresh';
}
export interface RefreshRangeResponse {
  readonly kind: 'refreshRange';
}
export interface GCResponse {
  readonly kind: 'gc';
}
export interface ClearRangeResponse {
  readonly kind: 'clearRange';
  /** The part left to clear (the command's limits stopped it), else undefined. */
  readonly resumeSpan: Span | undefined;
}
export interface AdminSplitResponse {
  readonly kind: 'adminSplit';
  readonly left: RangeDescriptor;
  readonly right: RangeDescriptor;
}
export interface AdminMergeResponse {
  readonly kind: 'adminMerge';
  readonly merged: RangeDescriptor;
}

export type Response =
  | GetResponse
  | ScanResponse
  | ReverseScanResponse
  | PutResponse
  | ConditionalPutResponse
  | IncrementResponse
  | DeleteResponse
  | DeleteRangeResponse
  | EndTxnResponse
  | HeartbeatTxnResponse
  | PushTxnResponse
  | QueryTxnResponse
  | QueryIntentResponse
  | RecoverTxnResponse
  | ResolveIntentResponse
  | ResolveIntentRangeResponse
  | RefreshResponse
  | RefreshRangeResponse
  | GCResponse
  | ClearRangeResponse
  | AdminSplitResponse
  | AdminMergeResponse;

export type ResponseKind = Response['kind'];

/** The response to a request of type `R`. */
export type ResponseFor<R extends Request> = Extract<Response, { readonly kind: R['kind'] }>;
export type ResponseOf<K extends RequestKind> = Extract<Response, { readonly kind: K }>;

/** The responses to a tuple of requests, position by position. */
export type ResponsesFor<Rs extends readonly Request[]> = { readonly [I in keyof Rs]: Rs[I] extends { readonly kind: infer K extends RequestKind } ? ResponseOf<K> : never };

// Lockstep: these fail to compile if a kind is in one union and not the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const responseKindsMatch: Same<RequestKind, ResponseKind> = true;

export interface BatchResponseHeader {
  /** The transaction as the server left it (pushed timestamp, status, …); undefined if none. */
  readonly txn: Transaction | undefined;
  /** The server's clock reading, so the sender's hybrid clock moves past it. */
  readonly now: Timestamp;
}

export interface BatchResponse<Rs extends readonly Request[] = readonly Request[]> {
  readonly header: BatchResponseHeader;
  readonly responses: ResponsesFor<Rs>;
}

/**
 * The keys a read returned a value for: a get's key when it found one, a scan's rows' keys;
 * none for any other response. What a SKIP LOCKED read really read — the keys it left out it
 * did not — so the timestamp cache and the refresh spans record these, not the request's span
 * (CockroachDB does the same for `SkipLocked` reads).
 */
export function returnedKeys(request: Request, response: Response | undefined): Uint8Array[] {
  if (request.kind === 'get' && response?.kind === 'get') return response.value === undefined ? [] : [request.key];
  if (response?.kind === 'scan' || response?.kind === 'reverseScan') return response.rows.map((row) => row.key);
  return [];
}
