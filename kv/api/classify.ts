/**
 * What each request kind is, as tables keyed by `RequestKind` (so a new kind does not compile
 * until it is classified), `requestKeys` — the spans a request routes by and latches — and
 * `checkBatch`, the batch rules every receiver enforces before evaluating anything.
 *
 * Latches (kv/concurrency) serialise requests whose spans overlap while one of them writes;
 * DistSender routes by `routing`. Requests on a transaction record latch the range-local record
 * key, `transactionKey(anchor, txnId)`, not the anchor itself, so a heartbeat never waits for a
 * scan of user data.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { InvalidInputError, LimitExceededError } from '../../src/base/errors.js';
import type { TxnId } from '../../src/base/ids.js';
import { limits } from '../../src/base/limits.js';
import { equal } from '../../clock/timestamp.js';
import { isAddressableKey, rangeDescriptorKey, transactionKey } from './keyspace.js';
import type { BatchRequest, Request, RequestKind } from './requests.js';
import { prettyKey } from './pretty.js';
import { span, type Span } from './span.js';

/** Reads only: never writes data, a lock, or a transaction record. */
export const readOnlyKinds: Readonly<Record<RequestKind, boolean>> = Object.freeze({
  get: true,
  scan: true,
  reverseScan: true,
  put: false,
  conditionalPut: false,
  increment: false,
  delete: false,
  deleteRange: false,
  endTxn: false,
  heartbeatTxn: false,
  pushTxn: false,
  queryTxn: true,
  // A read that may raise the timestamp cache (prevention), like any read.
  queryIntent: true,
  recoverTxn: false,
  resolveIntent: false,
  resolveIntentRange: false,
  refresh: true,
  refreshRange: true,
  gc: false,
  clearRange: false,
  adminSplit: false,
  adminMerge: false,
});

/** Admin requests run as their own transactions on the leaseholder, alone in their batch. */
export const adminKinds: Readonly<Record<RequestKind, boolean>> = Object.freeze({
  get: false,
  scan: false,
  reverseScan: false,
  put: false,
  conditionalPut: false,
  increment: false,
  delete: false,
  deleteRange: false,
  endTxn: false,
  heartbeatTxn: false,
  pushTxn: false,
  queryTxn: false,
  queryIntent: false,
  recoverTxn: false,
  resolveIntent: false,
  resolveIntentRange: false,
  refresh: false,
  refreshRange: false,
  gc: false,
  clearRange: false,
  adminSplit: true,
  adminMerge: true,
});

/** Whether a request needs a transaction in its batch header, may have one, or must not. */
export type TransactionUse = 'required' | 'optional' | 'never';

export const transactionalKinds: Readonly<Record<RequestKind, TransactionUse>> = Object.freeze({
  get: 'optional',
  scan: 'optional',
  reverseScan: 'optional',
  put: 'optional',
  conditionalPut: 'optional',
  increment: 'optional',
  delete: 'optional',
  deleteRange: 'optional',
  endTxn: 'required',
  heartbeatTxn: 'required',
  pushTxn: 'never',
  queryTxn: 'never',
  queryIntent: 'never',
  recoverTxn: 'never',
  resolveIntent: 'never',
  resolveIntentRange: 'never',
  refresh: 'required',
  refreshRange: 'required',
  gc: 'never',
  // Outside any transaction: it is not MVCC, so no transaction could ever read its own clear.
  clearRange: 'never',
  adminSplit: 'never',
  adminMerge: 'never',
});

const kindOf = (request: Request | RequestKind): RequestKind => (typeof request === 'string' ? request : request.kind);

export const isReadOnly = (request: Request | RequestKind): boolean => readOnlyKinds[kindOf(request)];
export const isAdmin = (request: Request | RequestKind): boolean => adminKinds[kindOf(request)];
/** Whether the request may be part of a transaction. */
export const isTransactional = (request: Request | RequestKind): boolean => transactionalKinds[kindOf(request)] !== 'never';

// ─── keys ────────────────────────────────────────────────────────────────────────────────────

export type LatchAccess = 'read' | 'write';

export interface LatchSpan {
  readonly span: Span;
  readonly access: LatchAccess;
}

export interface RequestKeys {
  /** The global span that decides which range(s) the request goes to. */
  readonly routing: Span;
  /** What the request latches on the range while it evaluates (none for admin requests). */
  readonly latches: readonly LatchSpan[];
  /** Whether any latch is a write. */
  readonly writes: boolean;
}

const read = (s: Span): LatchSpan => Object.freeze({ span: s, access: 'read' });
const write = (s: Span): LatchSpan => Object.freeze({ span: s, access: 'write' });

/** The routing span of a request: `[key, endKey)` for ranged kinds, the point `key` otherwise. */
export function requestSpan(request: Request): Span {
  return 'endKey' in request ? span(request.key, request.endKey) : span(request.key);
}

/**
 * The spans `request` touches and whether it writes. `txnId` is the batch's transaction;
 * `endTxn` and `heartbeatTxn` need it (they act on the header's transaction record).
 */
export function requestKeys(request: Request, txnId?: TxnId): RequestKeys {
  const routing = requestSpan(request);
  const latches = requestLatches(request, routing, txnId);
  return Object.freeze({ routing, latches: Object.freeze(latches), writes: latches.some((latch) => latch.access === 'write') });
}

function requestLatches(request: Request, routing: Span, txnId: TxnId | undefined): LatchSpan[] {
  switch (request.kind) {
    case 'get':
    case 'scan':
    case 'reverseScan':
      // A locking read (FOR UPDATE) takes a lock, so it must exclude concurrent writers.
      return [request.keyLocking === 'none' ? read(routing) : write(routing)];
    case 'refresh':
    case 'refreshRange':
      return [read(routing)];
    case 'put':
    case 'conditionalPut':
    case 'increment':
    case 'delete':
    case 'deleteRange':
    case 'resolveIntent':
    case 'resolveIntentRange':
      return [write(routing)];
    case 'endTxn': {
      assert(txnId !== undefined, 'endTxn needs the batch transaction');
      // The record, the intents it resolves synchronously on this range, and what its trigger
      // rewrites: both descriptors, and the right-hand data — write-latched (non-MVCC), which
      // holds it still while its stats are taken and also waits out every read still evaluating
      // over it on this replica: once the split applies, the new right-hand replica (its own
      // latches) serves writes there, and one landing below such a read while it still iterated
      // would change what it saw (review L1 of session 9; a read latch let the read go on).
      const trigger = request.commitTrigger;
      const triggerLatches =
        trigger === undefined
          ? []
          : [write(span(rangeDescriptorKey(trigger.left.startKey))), write(span(rangeDescriptorKey(trigger.right.startKey))), write(span(trigger.right.startKey, trigger.right.endKey))];
      return [write(span(transactionKey(request.key, txnId))), ...request.lockSpans.map(write), ...triggerLatches];
    }
    case 'heartbeatTxn':
      assert(txnId !== undefined, 'heartbeatTxn needs the batch transaction');
      return [write(span(transactionKey(request.key, txnId)))];
    case 'pushTxn':
      return [write(span(transactionKey(request.key, request.pushee.id)))];
    case 'queryTxn':
      return [read(span(transactionKey(request.key, request.txn.id)))];
    case 'queryIntent':
      // Serialised with the in-flight write it looks for (its write latch): either the write
      // evaluated first and its intent is found, or the prevention comes first and the write
      // meets the raised timestamp cache.
      return [read(routing)];
    case 'recoverTxn':
      // The record only: the intents are resolved afterwards, by ResolveIntent requests of
      // their own (the record's lock spans are not known when latches are declared).
      return [write(span(transactionKey(request.key, request.txn.id)))];
    case 'gc':
      // A GC naming no keys only raises the threshold (after a ClearRange of dropped data): a
      // write latch on its span puts it strictly after the reads in flight there and before the
      // next, each of which then checks its timestamp against the new threshold.
      return request.keys.length === 0 ? [write(routing)] : request.keys.map((gcKey) => write(span(gcKey.key)));
    case 'clearRange':
      return [write(routing)];
    case 'adminSplit':
    case 'adminMerge':
      return [];
    default:
      return assertNever(request, 'request');
  }
}

// ─── batch rules ─────────────────────────────────────────────────────────────────────────────

function checkKey(key: Uint8Array, what: string): void {
  if (key.length > limits.keyBytesMax) throw new LimitExceededError('keyBytesMax', limits.keyBytesMax, key.length);
  if (!isAddressableKey(key)) throw new InvalidInputError(`${what} ${prettyKey(key)} is outside the addressable keyspace [/Meta1, /Max]`);
}

function checkRequest(request: Request, txnPresent: boolean, index: number): void {
  const use = transactionalKinds[request.kind];
  if (use === 'required' && !txnPresent) throw new InvalidInputError(`${request.kind} (request ${index}) needs a transaction`);
  if (use === 'never' && txnPresent) throw new InvalidInputError(`${request.kind} (request ${index}) cannot be part of a transaction`);
  checkKey(request.key, `${request.kind} key`);
  if ('endKey' in request) checkKey(request.endKey, `${request.kind} endKey`);
  if ('value' in request && request.value.length > limits.valueBytesMax) throw new LimitExceededError('valueBytesMax', limits.valueBytesMax, request.value.length);
}

/**
 * Throws `InvalidInputError` or `LimitExceededError` if `batch` breaks a batch rule: it is empty;
 * an admin request shares it; a request's transaction use does not match the header; `endTxn`
 * is not last; a key is outside `[localMax, keyMax]` or too long; a value is too long; or a transactional
 * header's timestamp is not its transaction's read timestamp.
 */
export function checkBatch(batch: BatchRequest): void {
  const { requests, header } = batch;
  if (requests.length === 0) throw new InvalidInputError('empty batch');
  if (requests.length > 1 && requests.some(isAdmin)) throw new InvalidInputError('an admin request must be alone in its batch');
  const txnPresent = header.txn !== undefined;
  if (header.txn !== undefined && !equal(header.timestamp, header.txn.readTimestamp)) {
    throw new InvalidInputError("a transactional batch's timestamp must be its transaction's read timestamp");
  }
  requests.forEach((request, index) => {
    checkRequest(request, txnPresent, index);
    if (request.kind === 'endTxn' && index !== requests.length - 1) throw new InvalidInputError('endTxn must be the last request of its batch');
  });
}
