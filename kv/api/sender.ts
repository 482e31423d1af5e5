/**
 * `Sender`: the one way down into KV (CockroachDB's `kv.Sender`). The transaction coordinator,
 * DistSender, the store and the replica each implement it, stacked as decorators:
 *
 *     Txn ──► TxnCoordSender (interceptors) ──► DistSender ──► Store ──► Replica
 *             sequence · heartbeat · refresh    split by range,   route by   latch, evaluate,
 *             · commit · commit wait            retry routing     range id   propose, apply
 *
 * Contract of `send`:
 * - **Lockstep.** On success, `responses[i]` answers `requests[i]` and has its kind.
 * - **All or nothing per range.** The requests of a batch that reach one range are evaluated
 *   together, atomically, at one timestamp; either all their effects apply or none. A batch that
 *   spans ranges is split by DistSender and is atomic only inside a transaction (via its record).
 * - **Errors are rejections, not values.** A failed batch rejects with a typed `RangedbError`
 *   from errors.ts (or `InvalidInputError`/`LimitExceededError` from `checkBatch`); no partial
 *   responses. Routing errors are handled by DistSender and never reach a transaction; retryable
 *   ones carry what the coordinator needs to refresh or restart; an `AmbiguousResultError` means
 *   the writes may have applied and must not be blindly resent.
 * - **Transaction updates.** The response header's `txn` is the transaction as the server left
 *   it (a pushed write timestamp, a new status); the caller adopts it before its next batch.
 * - **Clocks.** The request header's `now` and the response header's `now` carry the sender's
 *   and receiver's clock readings; each side updates its hybrid clock with the other's.
 * - **Ownership.** `send` neither mutates nor retains the batch beyond the returned promise;
 *   requests and responses are frozen values.
 * - **Idempotency.** A transactional write carries the transaction id and sequence, so a resent
 *   batch applies at most once (the idempotent receiver); non-transactional writes have no
 *   such guarantee and a lost answer to one is ambiguous.
 */
import type { BatchRequest, Request } from './requests.js';
import type { BatchResponse } from './responses.js';

export interface Sender {
  send<const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>>;
}
