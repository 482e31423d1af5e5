/**
 * Factories for requests and batches: each returns a frozen value with every optional field
 * spelled out, and asserts what only a bug could get wrong (a span with `key ≥ endKey`, an
 * increment outside int64). Guards narrow a `Request` by kind: `isGetRequest(r)`.
 */
import { assert } from '../../src/base/assert.js';
import type { Timestamp } from '../../clock/timestamp.js';
import { int64Max, int64Min } from '../storage/keys/key-value.js';
import type {
  AdminMergeRequest,
  AdminSplitRequest,
  BatchHeader,
  BatchRequest,
  CommitTrigger,
  ConditionalPutRequest,
  DeleteRangeRequest,
  DeleteRequest,
  EndTxnRequest,
  GCKey,
  GCRequest,
  ClearRangeRequest,
  GetRequest,
  HeartbeatTxnRequest,
  IncrementRequest,
  LockStrength,
  PushTxnRequest,
  PushType,
  PutRequest,
  QueryTxnRequest,
  QueryIntentRequest,
  RecoverTxnRequest,
  RefreshRangeRequest,
  RefreshRequest,
  Request,
  RequestKind,
  RequestOf,
  ResolveIntentRangeRequest,
  ResolveIntentRequest,
  ReverseScanRequest,
  ScanRequest,
  WriteRequestFields,
} from './requests.js';
import { compareKeys, type Span } from './span.js';
import type { SequenceRange, SequencedWrite, TransactionStatus, TxnMeta } from './transaction.js';

const freeze = <T extends object>(value: T): T => Object.freeze(value);
const freezeList = <T>(values: readonly T[]): readonly T[] => Object.freeze([...values]);

function checkSpan(key: Uint8Array, endKey: Uint8Array, what: string): void {
  assert(compareKeys(key, endKey) < 0, () => `${what}: key must be < endKey`);
}

/** `lockProbe`: a locking read that acquires nothing (see `GetRequest.lockProbe`). */
export const getRequest = (key: Uint8Array, keyLocking: LockStrength = 'none', options: { readonly lockProbe?: boolean } = {}): GetRequest =>
  freeze(options.lockProbe === true ? { kind: 'get', key, keyLocking, lockProbe: true } : { kind: 'get', key, keyLocking });

export function scanRequest(key: Uint8Array, endKey: Uint8Array, keyLocking: LockStrength = 'none', options: { readonly lockProbe?: boolean } = {}): ScanRequest {
  checkSpan(key, endKey, 'scan');
  return freeze(options.lockProbe === true ? { kind: 'scan', key, endKey, keyLocking, lockProbe: true } : { kind: 'scan', key, endKey, keyLocking });
}

export function reverseScanRequest(key: Uint8Array, endKey: Uint8Array, keyLocking: LockStrength = 'none'): ReverseScanRequest {
  checkSpan(key, endKey, 'reverseScan');
  return freeze({ kind: 'reverseScan', key, endKey, keyLocking });
}

/** The options every write factory takes: the write's sequence number (`WriteRequestFields`). */
export interface WriteRequestOptions {
  readonly sequence?: number;
}

/**
 * `{ sequence }` when one is given, else nothing: a request without a sequence has no such
 * property at all, so requests built before sequences existed are unchanged.
 */
function sequenceField(options: WriteRequestOptions): WriteRequestFields {
  const sequence = options.sequence;
  if (sequence === undefined) return {};
  assert(Number.isSafeInteger(sequence) && sequence >= 0, () => `sequence must be a non-negative integer: ${sequence}`);
  return { sequence };
}

export function putRequest(key: Uint8Array, value: Uint8Array, options: WriteRequestOptions = {}): PutRequest {
  return freeze({ kind: 'put', key, value, ...sequenceField(options) });
}

export function conditionalPutRequest(key: Uint8Array, value: Uint8Array, expectedValue: Uint8Array | undefined, options: WriteRequestOptions & { allowIfDoesNotExist?: boolean } = {}): ConditionalPutRequest {
  return freeze({ kind: 'conditionalPut', key, value, expectedValue, allowIfDoesNotExist: options.allowIfDoesNotExist ?? false, ...sequenceField(options) });
}

export function incrementRequest(key: Uint8Array, increment: bigint, options: WriteRequestOptions = {}): IncrementRequest {
  assert(increment >= int64Min && increment <= int64Max, () => `increment out of int64 range: ${increment}`);
  return freeze({ kind: 'increment', key, increment, ...sequenceField(options) });
}

export function deleteRequest(key: Uint8Array, options: WriteRequestOptions = {}): DeleteRequest {
  return freeze({ kind: 'delete', key, ...sequenceField(options) });
}

export function deleteRangeRequest(key: Uint8Array, endKey: Uint8Array, options: WriteRequestOptions & { returnKeys?: boolean } = {}): DeleteRangeRequest {
  checkSpan(key, endKey, 'deleteRange');
  return freeze({ kind: 'deleteRange', key, endKey, returnKeys: options.returnKeys ?? false, ...sequenceField(options) });
}

export function endTxnRequest(fields: {
  key: Uint8Array;
  commit: boolean;
  deadline?: Timestamp;
  lockSpans?: readonly Span[];
  inFlightWrites?: readonly SequencedWrite[];
  commitTrigger?: CommitTrigger;
}): EndTxnRequest {
  assert(fields.commit || fields.commitTrigger === undefined, 'an abort has no commit trigger');
  assert(fields.commit || (fields.inFlightWrites ?? []).length === 0, 'an abort has no in-flight writes');
  return freeze({
    kind: 'endTxn',
    key: fields.key,
    commit: fields.commit,
    deadline: fields.deadline,
    lockSpans: freezeList(fields.lockSpans ?? []),
    inFlightWrites: freezeList(fields.inFlightWrites ?? []),
    commitTrigger: fields.commitTrigger,
  });
}

export const heartbeatTxnRequest = (key: Uint8Array, now: Timestamp): HeartbeatTxnRequest => freeze({ kind: 'heartbeatTxn', key, now });

export function pushTxnRequest(fields: { pusher: TxnMeta | undefined; pushee: TxnMeta; pushTo: Timestamp; pushType: PushType; force?: boolean }): PushTxnRequest {
  assert(fields.pusher === undefined || fields.pusher.id !== fields.pushee.id, 'a transaction cannot push itself');
  return freeze({ kind: 'pushTxn', key: fields.pushee.key, pusher: fields.pusher, pushee: fields.pushee, pushTo: fields.pushTo, pushType: fields.pushType, force: fields.force ?? false });
}

export const queryTxnRequest = (txn: TxnMeta): QueryTxnRequest => freeze({ kind: 'queryTxn', key: txn.key, txn });

export function queryIntentRequest(key: Uint8Array, fields: { txn: TxnMeta; sequence: number; prevent?: boolean }): QueryIntentRequest {
  assert(Number.isSafeInteger(fields.sequence) && fields.sequence >= 0, 'a write sequence is a non-negative integer');
  return freeze({ kind: 'queryIntent', key, txn: fields.txn, sequence: fields.sequence, prevent: fields.prevent ?? false });
}

export const recoverTxnRequest = (txn: TxnMeta, implicitlyCommitted: boolean): RecoverTxnRequest => freeze({ kind: 'recoverTxn', key: txn.key, txn, implicitlyCommitted });

interface ResolveFields {
  intentTxn: TxnMeta;
  status: TransactionStatus;
  ignoredSequences?: readonly SequenceRange[];
  poison?: boolean;
}

export function resolveIntentRequest(key: Uint8Array, fields: ResolveFields): ResolveIntentRequest {
  assert(fields.status !== 'STAGING', 'intents are resolved as PENDING (pushed), COMMITTED or ABORTED');
  return freeze({ kind: 'resolveIntent', key, intentTxn: fields.intentTxn, status: fields.status, ignoredSequences: freezeList(fields.ignoredSequences ?? []), poison: fields.poison ?? false });
}

export function resolveIntentRangeRequest(key: Uint8Array, endKey: Uint8Array, fields: ResolveFields): ResolveIntentRangeRequest {
  checkSpan(key, endKey, 'resolveIntentRange');
  assert(fields.status !== 'STAGING', 'intents are resolved as PENDING (pushed), COMMITTED or ABORTED');
  return freeze({ kind: 'resolveIntentRange', key, endKey, intentTxn: fields.intentTxn, status: fields.status, ignoredSequences: freezeList(fields.ignoredSequences ?? []), poison: fields.poison ?? false });
}

export const refreshRequest = (key: Uint8Array, refreshFrom: Timestamp): RefreshRequest => freeze({ kind: 'refresh', key, refreshFrom });

export function refreshRangeRequest(key: Uint8Array, endKey: Uint8Array, refreshFrom: Timestamp): RefreshRangeRequest {
  checkSpan(key, endKey, 'refreshRange');
  return freeze({ kind: 'refreshRange', key, endKey, refreshFrom });
}

export function gcRequest(key: Uint8Array, endKey: Uint8Array, keys: readonly GCKey[], threshold: Timestamp): GCRequest {
  checkSpan(key, endKey, 'gc');
  for (const gcKey of keys) assert(compareKeys(key, gcKey.key) <= 0 && compareKeys(gcKey.key, endKey) < 0, 'gc key outside the request span');
  return freeze({ kind: 'gc', key, endKey, keys: freezeList(keys), threshold });
}

/** A ClearRange of `[key, endKey)` (see `ClearRangeRequest`: only for spans no one reads any more). */
export function clearRangeRequest(key: Uint8Array, endKey: Uint8Array): ClearRangeRequest {
  checkSpan(key, endKey, 'clearRange');
  return freeze({ kind: 'clearRange', key, endKey });
}

export const adminSplitRequest = (splitKey: Uint8Array): AdminSplitRequest => freeze({ kind: 'adminSplit', key: splitKey, splitKey });
export const adminMergeRequest = (key: Uint8Array): AdminMergeRequest => freeze({ kind: 'adminMerge', key });

// ─── batches ─────────────────────────────────────────────────────────────────────────────────

/** A header with the defaults: no transaction, no range, `block`, `consistent`, no limits. */
export function batchHeader(fields: Partial<BatchHeader> & { timestamp: Timestamp }): BatchHeader {
  const header: BatchHeader = {
    timestamp: fields.timestamp,
    txn: fields.txn,
    rangeId: fields.rangeId,
    waitPolicy: fields.waitPolicy ?? 'block',
    now: fields.now ?? fields.timestamp,
    readConsistency: fields.readConsistency ?? 'consistent',
    maxSpanRequestKeys: fields.maxSpanRequestKeys ?? 0,
    targetBytes: fields.targetBytes ?? 0,
  };
  assert(Number.isSafeInteger(header.maxSpanRequestKeys) && header.maxSpanRequestKeys >= 0, 'maxSpanRequestKeys must be a non-negative integer');
  assert(Number.isSafeInteger(header.targetBytes) && header.targetBytes >= 0, 'targetBytes must be a non-negative integer');
  return freeze(header);
}

/**
 * `header` with `changes` applied (a key present in `changes` wins, even when undefined). Built
 * field by field: spreading a frozen header is V8's slow path.
 */
export function withHeader(header: BatchHeader, changes: Partial<BatchHeader>): BatchHeader {
  // `in`, not a picking closure: this runs for every batch sent to a range.
  return freeze({
    timestamp: 'timestamp' in changes ? changes.timestamp! : header.timestamp,
    txn: 'txn' in changes ? changes.txn : header.txn,
    rangeId: 'rangeId' in changes ? changes.rangeId : header.rangeId,
    waitPolicy: 'waitPolicy' in changes ? changes.waitPolicy! : header.waitPolicy,
    now: 'now' in changes ? changes.now! : header.now,
    readConsistency: 'readConsistency' in changes ? changes.readConsistency! : header.readConsistency,
    maxSpanRequestKeys: 'maxSpanRequestKeys' in changes ? changes.maxSpanRequestKeys! : header.maxSpanRequestKeys,
    targetBytes: 'targetBytes' in changes ? changes.targetBytes! : header.targetBytes,
  } satisfies Record<keyof BatchHeader, unknown>);
}

/** A frozen batch; the tuple type of `requests` is kept so responses are typed per position. */
export function batchRequest<const Rs extends readonly Request[]>(header: BatchHeader, requests: Rs): BatchRequest<Rs> {
  return freeze({ header, requests: Object.freeze([...requests]) as unknown as Rs });
}

// ─── guards ──────────────────────────────────────────────────────────────────────────────────

/** A type guard for one request kind. */
export function isRequestKind<K extends RequestKind>(request: Request, kind: K): request is RequestOf<K> {
  return request.kind === kind;
}

const guard =
  <K extends RequestKind>(kind: K) =>
  (request: Request): request is RequestOf<K> =>
    request.kind === kind;

export const isGetRequest = guard('get');
export const isScanRequest = guard('scan');
export const isReverseScanRequest = guard('reverseScan');
export const isPutRequest = guard('put');
export const isConditionalPutRequest = guard('conditionalPut');
export const isIncrementRequest = guard('increment');
export const isDeleteRequest = guard('delete');
export const isDeleteRangeRequest = guard('deleteRange');
export const isEndTxnRequest = guard('endTxn');
export const isHeartbeatTxnRequest = guard('heartbeatTxn');
export const isPushTxnRequest = guard('pushTxn');
export const isQueryTxnRequest = guard('queryTxn');
export const isQueryIntentRequest = guard('queryIntent');
export const isRecoverTxnRequest = guard('recoverTxn');
export const isResolveIntentRequest = guard('resolveIntent');
export const isResolveIntentRangeRequest = guard('resolveIntentRange');
export const isRefreshRequest = guard('refresh');
export const isRefreshRangeRequest = guard('refreshRange');
export const isGCRequest = guard('gc');
export const isClearRangeRequest = guard('clearRange');
export const isAdminSplitRequest = guard('adminSplit');
export const isAdminMergeRequest = guard('adminMerge');
