/**
 * The sequence number allocator (CockroachDB's `txnSeqNumAllocator`): every data write of the
 * transaction gets the next sequence number of its epoch (1, 2, 3, …) in its request's
 * `sequence`, and every batch carries the current sequence in its header transaction, so reads
 * see exactly the writes sent before them.
 *
 * Why: an intent records the sequence that wrote it (and its history the earlier ones), so
 * - a write resent after a lost response is recognised by the server as a replay of the same
 *   sequence, not applied twice (the idempotent receiver, DESIGN §5);
 * - a savepoint rollback can name the sequences to ignore (`ignoredSequences`, later);
 * - one batch may write a key twice (sequences 1 then 2) and a later read sees the last.
 *
 * Sequences restart at 0 with each epoch: intents of an older epoch are replaced, not extended.
 */
import { assert } from '../src/base/assert.js';
import type { BatchRequest, BatchResponse, Request } from '../kv/api/index.js';
import { batchTxn, isDataWrite, withTxn, type SendFn, type TxnInterceptor } from './interceptor.js';

export class SeqNumAllocator implements TxnInterceptor {
  private writeSequence = 0;

  /** The sequence of the last write sent in this epoch (0 before the first). */
  get currentSequence(): number {
    return this.writeSequence;
  }

  send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const requests = batch.requests.map((request): Request => {
      if (!isDataWrite(request)) return request;
      assert(!('sequence' in request) || request.sequence === undefined, 'sequences are assigned by the coordinator only');
      this.writeSequence += 1;
      return Object.freeze({ ...request, sequence: this.writeSequence }) as Request;
    });
    assert(Number.isSafeInteger(this.writeSequence), 'sequence overflow');
    return next(withTxn(batch, { ...batchTxn(batch), sequence: this.writeSequence }, requests));
  }

  epochBumped(): void {
    this.writeSequence = 0;
  }
}
