/**
 * The contract every layer of the coordinator's stack implements (CockroachDB's
 * `txnInterceptor`), and the small helpers they share.
 *
 * An interceptor sees each batch of its transaction on the way down, may rewrite it (assign
 * sequences, attach lock spans), may send extra batches of its own (refreshes), and sees the
 * response or error on the way up. It is stateful and belongs to exactly one `Txn`; batches of
 * one transaction are sent one at a time (the `Txn` asserts it), so an interceptor needs no
 * locking — but it must re-read shared state after every `await` (STYLE habit 3).
 */
import { assert } from '../src/base/assert.js';
import { batchRequest, withHeader, isReadOnly, transactionalKinds, transaction, type BatchRequest, type BatchResponse, type Request, type Transaction } from '../kv/api/index.js';

/** Sends a batch to the rest of the stack below (and finally to the wire `Sender`). */
export type SendFn = (batch: BatchRequest) => Promise<BatchResponse>;

export interface TxnInterceptor {
  /**
   * Sends `batch` on through `next` and returns its response. Errors are rejections; an
   * interceptor passes on what it cannot handle unchanged (an `AmbiguousResultError` always).
   */
  send(batch: BatchRequest, next: SendFn): Promise<BatchResponse>;
  /** The transaction restarts at a new epoch: drop what belongs to the old one's reads and sequences. */
  epochBumped?(): void;
}

/**
 * The coordinator's current transaction proto, shared with the interceptors that must move it
 * outside a response (the span refresher moves the read timestamp up). `set` only moves
 * timestamps forward (the `Txn` merges).
 */
export interface TxnProtoHolder {
  get(): Transaction;
  set(txn: Transaction): void;
}

/** `interceptors[0]` outermost: the first sees a batch first and its response last. */
export function stackInterceptors(interceptors: readonly TxnInterceptor[], wire: SendFn): SendFn {
  return interceptors.reduceRight<SendFn>((next, interceptor) => (batch) => interceptor.send(batch, next), wire);
}

/** A write of user data that leaves an intent (not a record operation such as EndTxn). */
export function isDataWrite(request: Request): boolean {
  return !isReadOnly(request) && transactionalKinds[request.kind] === 'optional';
}

/**
 * A read that locks what it reads (`keyLocking` shared or exclusive: SQL's `FOR UPDATE`,
 * `FOR SHARE`, UPDATE/DELETE's reads). Its keys join the transaction's lock footprint, so that
 * EndTxn releases the locks, and like a write it anchors the record and starts heartbeats: a
 * transaction that holds locks must look alive to the requests waiting on them. A lock probe
 * (kv/api `lockProbe`, SKIP LOCKED's first pass) is not one: the replica acquires nothing for it,
 * so it adds nothing to the footprint — resolving its keys at commit would be wasted work.
 */
export function isLockingRead(request: Request): boolean {
  return (request.kind === 'get' || request.kind === 'scan' || request.kind === 'reverseScan') && request.keyLocking !== 'none' && request.lockProbe !== true;
}

/** Whether the request may leave a lock of the transaction behind: a data write or a locking read. */
export function acquiresLocks(request: Request): boolean {
  return isDataWrite(request) || isLockingRead(request);
}

/** The header transaction of a coordinator batch; every batch of a `Txn` has one. */
export function batchTxn(batch: BatchRequest): Transaction {
  const txn = batch.header.txn;
  assert(txn !== undefined, 'a coordinator batch carries its transaction');
  return txn;
}

/** `batch` with its header transaction replaced (and the header timestamp at its read timestamp). */
export function withTxn(batch: BatchRequest, txn: Transaction, requests: readonly Request[] = batch.requests): BatchRequest {
  return batchRequest(withHeader(batch.header, { timestamp: txn.readTimestamp, txn: transaction(txn) }), requests);
}
