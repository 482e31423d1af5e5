/**
 * The write buffer (CockroachDB's `txnWriteBuffer`): a transaction's blind writes are held in the
 * coordinator until the transaction next has to talk to the cluster, and then ride in that batch
 * — a **request batch** built across operations instead of within one.
 *
 * Why: a write that is sent on its own costs a Raft round (and a synced log append) before the
 * caller may go on, and it leaves an intent that commit must resolve. Buffered, the common
 * "write, write, commit" transaction sends one batch, `[put, put, EndTxn]`; when those writes are
 * on one range, kv/eval commits it in **one phase** — no transaction record, no intents, one Raft
 * round instead of three. Writes that precede a read go down in the read's batch, ahead of it,
 * so one round trip carries both.
 *
 * ```
 *   put a ──► buffer [a]          (answered here, nothing sent)
 *   put b ──► buffer [a, b]
 *   get c ──► send [a, b, get c] ──► answer get c      (a, b stripped from the response)
 *   put d ──► buffer [d]
 *   commit ─► send [d, EndTxn]                          (one phase if d's range holds the record)
 * ```
 *
 * The rules that keep it invisible to the caller:
 * - Only `put` is buffered: its answer carries nothing, so answering it here is exact. A delete
 *   (which reports whether it found a value), a conditional put (whose condition must be checked
 *   now) or a read is sent at once, with the buffer in front of it.
 * - Order is kept: the buffer goes down ahead of whatever triggered the flush, in the order the
 *   writes were made, and the sequence allocator (below) numbers them in that order — so every
 *   read sees exactly the writes made before it (read-your-writes), as if each had been sent.
 * - Bad input is refused by `Txn` before a write reaches the buffer (`checkBatch`), so a refused
 *   write still fails at its own call.
 * - A batch that carried the buffer and failed leaves the writes in the buffer: they go again,
 *   in front of the next batch. Whether the failed batch applied them or not, writing the same
 *   value again is harmless (the idempotent-receiver property of an intent: a later sequence of
 *   the same transaction just replaces it). After a retryable error the epoch restarts and the
 *   buffer is dropped with the rest of the epoch's state.
 * - A rollback drops the buffer: what was never sent needs no undoing.
 * - `flush()` sends the buffer on its own: a savepoint must know every write made before it.
 * - At most `limits.txnWriteBufferBytesMax` bytes are held (CockroachDB's 4 MiB default): a put
 *   that would pass it is sent at once, with the buffer.
 *
 * The price: a write's conflicts (an intent of another transaction, a newer committed value) are
 * met when the buffer goes down, not when the write was made — the same errors, later.
 */
import { assert } from '../src/base/assert.js';
import { batchRequest, batchResponse, putResponse, type BatchRequest, type BatchResponse, type PutRequest, type Request } from '../kv/api/index.js';
import { batchTxn, type SendFn, type TxnInterceptor } from './interceptor.js';

export class WriteBuffer implements TxnInterceptor {
  private buffered: PutRequest[] = [];
  private bufferedBytes = 0;

  constructor(
    /** Most bytes (keys and values) held; 0 turns buffering off. */
    private readonly bytesMax: number,
  ) {
    assert(Number.isSafeInteger(bytesMax) && bytesMax >= 0, 'the write buffer limit is a non-negative integer');
  }

  /** Writes held and not yet sent. */
  get size(): number {
    return this.buffered.length;
  }

  send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const last = batch.requests[batch.requests.length - 1];
    if (last?.kind === 'endTxn' && !last.commit) this.drop(); // a rollback: never sent, nothing to undo
    else if (this.tryBuffer(batch)) return Promise.resolve(batchResponse(batch, { txn: batchTxn(batch), now: batch.header.now }, batch.requests.map(() => putResponse())));
    return this.sendWithBuffer(batch, next);
  }

  /**
   * Sends the buffered writes on their own, under the header of `batch` (which has no requests
   * of its own), e.g. before a savepoint; `next` is the stack below this interceptor.
   */
  async flush(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    assert(batch.requests.length === 0, 'a flush carries only the buffer');
    const writes = this.buffered;
    if (writes.length === 0) return batchResponse(batch, { txn: batchTxn(batch), now: batch.header.now }, []);
    const response = await next(batchRequest(batch.header, writes));
    if (this.buffered === writes) this.drop();
    return batchResponse(batch, response.header, []);
  }

  epochBumped(): void {
    this.drop();
  }

  /** Holds `batch` if it is all puts that fit; whether it did. */
  private tryBuffer(batch: BatchRequest): boolean {
    if (this.bytesMax === 0) return false;
    let bytes = 0;
    for (const request of batch.requests) {
      if (request.kind !== 'put') return false;
      bytes += request.key.length + request.value.length;
    }
    if (this.bufferedBytes + bytes > this.bytesMax) return false;
    for (const request of batch.requests) this.buffered.push(request as PutRequest);
    this.bufferedBytes += bytes;
    return true;
  }

  private async sendWithBuffer(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    if (this.buffered.length === 0) return next(batch);
    const writes = this.buffered;
    const carried: readonly Request[] = [...writes, ...batch.requests];
    const response = await next(batchRequest(batch.header, carried));
    // Sent and answered: the writes are the cluster's now (a failure above kept them here).
    if (this.buffered === writes) this.drop();
    return batchResponse(batch, response.header, response.responses.slice(writes.length));
  }

  private drop(): void {
    this.buffered = [];
    this.bufferedBytes = 0;
  }
}
