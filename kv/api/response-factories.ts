/**
 * Factories and guards for responses, and `batchResponse`, which checks the lockstep rule: one
 * response per request, of the same kind, in the same position.
 */
import { assert } from '../../src/base/assert.js';
import type { TxnId } from '../../src/base/ids.js';
import type { Timestamp } from '../../clock/timestamp.js';
import type { RangeDescriptor } from './descriptor.js';
import type { BatchRequest, Request } from './requests.js';
import type {
  AdminMergeResponse,
  AdminSplitResponse,
  BatchResponse,
  BatchResponseHeader,
  ConditionalPutResponse,
  DeleteRangeResponse,
  DeleteResponse,
  EndTxnResponse,
  GCResponse,
  ClearRangeResponse,
  GetResponse,
  HeartbeatTxnResponse,
  IncrementResponse,
  KeyValueRow,
  PushTxnResponse,
  PutResponse,
  QueryTxnResponse,
  QueryIntentResponse,
  RecoverTxnResponse,
  RefreshRangeResponse,
  RefreshResponse,
  ResolveIntentRangeResponse,
  ResolveIntentResponse,
  Response,
  ResponseKind,
  ResponseOf,
  ResponsesFor,
  ResumeReason,
  ReverseScanResponse,
  ScanResponse,
} from './responses.js';
import type { Span } from './span.js';
import type { Transaction } from './transaction.js';

const freeze = <T extends object>(value: T): T => Object.freeze(value);
const freezeList = <T>(values: readonly T[]): readonly T[] => Object.freeze([...values]);

export function getResponse(value: Uint8Array | undefined, timestamp: Timestamp | undefined): GetResponse {
  assert((value === undefined) === (timestamp === undefined), 'a value comes with its timestamp');
  return freeze({ kind: 'get', value, timestamp });
}

interface ScanFields {
  rows: readonly KeyValueRow[];
  resumeSpan?: Span;
  resumeReason?: ResumeReason;
}

function checkResume(fields: ScanFields): void {
  assert((fields.resumeSpan === undefined) === (fields.resumeReason === undefined), 'a resume span comes with its reason');
}

export function scanResponse(fields: ScanFields): ScanResponse {
  checkResume(fields);
  return freeze({ kind: 'scan', rows: freezeList(fields.rows), resumeSpan: fields.resumeSpan, resumeReason: fields.resumeReason });
}

export function reverseScanResponse(fields: ScanFields): ReverseScanResponse {
  checkResume(fields);
  return freeze({ kind: 'reverseScan', rows: freezeList(fields.rows), resumeSpan: fields.resumeSpan, resumeReason: fields.resumeReason });
}

/** `{ writtenAt }` when known, else nothing (the field stays absent, see `PointWriteResult`). */
const landed = (writtenAt: Timestamp | undefined): { writtenAt?: Timestamp } => (writtenAt === undefined ? {} : { writtenAt });
export const putResponse = (writtenAt?: Timestamp): PutResponse => freeze({ kind: 'put', ...landed(writtenAt) });
export const conditionalPutResponse = (writtenAt?: Timestamp): ConditionalPutResponse => freeze({ kind: 'conditionalPut', ...landed(writtenAt) });
export const incrementResponse = (newValue: bigint, writtenAt?: Timestamp): IncrementResponse => freeze({ kind: 'increment', newValue, ...landed(writtenAt) });
export const deleteResponse = (foundKey: boolean, writtenAt?: Timestamp): DeleteResponse => freeze({ kind: 'delete', foundKey, ...landed(writtenAt) });
export const deleteRangeResponse = (keys: readonly Uint8Array[], resumeSpan?: Span): DeleteRangeResponse => freeze({ kind: 'deleteRange', keys: freezeList(keys), resumeSpan });
export const endTxnResponse = (txn: Transaction, onePhaseCommit = false): EndTxnResponse => freeze({ kind: 'endTxn', txn, onePhaseCommit });
export const heartbeatTxnResponse = (txn: Transaction): HeartbeatTxnResponse => freeze({ kind: 'heartbeatTxn', txn });
export const pushTxnResponse = (pusheeTxn: Transaction): PushTxnResponse => freeze({ kind: 'pushTxn', pusheeTxn });
export const queryTxnResponse = (queriedTxn: Transaction, waitingTxns: readonly TxnId[] = []): QueryTxnResponse => freeze({ kind: 'queryTxn', queriedTxn, waitingTxns: freezeList(waitingTxns) });
export const queryIntentResponse = (foundIntent: boolean): QueryIntentResponse => freeze({ kind: 'queryIntent', foundIntent });
export const recoverTxnResponse = (recoveredTxn: Transaction): RecoverTxnResponse => freeze({ kind: 'recoverTxn', recoveredTxn });
export const resolveIntentResponse = (): ResolveIntentResponse => freeze({ kind: 'resolveIntent' });
export const resolveIntentRangeResponse = (resumeSpan?: Span): ResolveIntentRangeResponse => freeze({ kind: 'resolveIntentRange', resumeSpan });
export const refreshResponse = (): RefreshResponse => freeze({ kind: 'refresh' });
export const refreshRangeResponse = (): RefreshRangeResponse => freeze({ kind: 'refreshRange' });
export const gcResponse = (): GCResponse => freeze({ kind: 'gc' });
export const clearRangeResponse = (resumeSpan?: Span): ClearRangeResponse => freeze({ kind: 'clearRange', resumeSpan });
export const adminSplitResponse = (left: RangeDescriptor, right: RangeDescriptor): AdminSplitResponse => freeze({ kind: 'adminSplit', left, right });
export const adminMergeResponse = (merged: RangeDescriptor): AdminMergeResponse => freeze({ kind: 'adminMerge', merged });

/**
 * The response to `batch`, checked to be in lockstep with its requests (a mismatch is a bug in
 * the evaluator, so it asserts).
 */
export function batchResponse<Rs extends readonly Request[]>(batch: BatchRequest<Rs>, header: BatchResponseHeader, responses: readonly Response[]): BatchResponse<Rs> {
  assert(responses.length === batch.requests.length, () => `${responses.length} responses for ${batch.requests.length} requests`);
  responses.forEach((response, index) => {
    assert(response.kind === batch.requests[index]!.kind, () => `response ${index} is ${response.kind}, request is ${batch.requests[index]!.kind}`);
  });
  return freeze({ header: freeze({ txn: header.txn, now: header.now } satisfies BatchResponseHeader), responses: Object.freeze([...responses]) as unknown as ResponsesFor<Rs> });
}

export function isResponseKind<K extends ResponseKind>(response: Response, kind: K): response is ResponseOf<K> {
  return response.kind === kind;
}

const guard =
  <K extends ResponseKind>(kind: K) =>
  (response: Response): response is ResponseOf<K> =>
    response.kind === kind;

export const isGetResponse = guard('get');
export const isScanResponse = guard('scan');
export const isReverseScanResponse = guard('reverseScan');
export const isPutResponse = guard('put');
export const isConditionalPutResponse = guard('conditionalPut');
export const isIncrementResponse = guard('increment');
export const isDeleteResponse = guard('delete');
export const isDeleteRangeResponse = guard('deleteRange');
export const isEndTxnResponse = guard('endTxn');
export const isHeartbeatTxnResponse = guard('heartbeatTxn');
export const isPushTxnResponse = guard('pushTxn');
export const isQueryTxnResponse = guard('queryTxn');
export const isQueryIntentResponse = guard('queryIntent');
export const isRecoverTxnResponse = guard('recoverTxn');
export const isResolveIntentResponse = guard('resolveIntent');
export const isResolveIntentRangeResponse = guard('resolveIntentRange');
export const isRefreshResponse = guard('refresh');
export const isRefreshRangeResponse = guard('refreshRange');
export const isGCResponse = guard('gc');
export const isClearRangeResponse = guard('clearRange');
export const isAdminSplitResponse = guard('adminSplit');
export const isAdminMergeResponse = guard('adminMerge');
