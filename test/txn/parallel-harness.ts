/**
 * Parallel commits on manual time: `StagingSender` answers a staging batch (writes plus an
 * EndTxn naming them as in flight) the way DistSender does when the record and the writes live
 * on different ranges — the record's part and the writes' part evaluated separately (so the
 * record stays STAGING instead of being stripped into an ordinary commit) and their transactions
 * merged (timestamps only move up). Hooks step into the middle of it:
 *
 * ```
 *   staging batch ──► writes' part ──► hooks.writes (rewrite its header: the timestamp cache
 *                │                                   of its range; or hold it: a blocked write)
 *                └──► record's part ─► STAGING
 *   both answered ──► hooks.staged (e.g. a recoverer runs) ──► merged answer to the coordinator
 * ```
 *
 * Every other batch goes to the `LocalSender` as it is. Nothing here sleeps for real.
 */
import { max, type Timestamp } from '../../clock/timestamp.js';
import { batchRequest, batchResponse, withHeader, type BatchRequest, type BatchResponse, type Request, type Sender } from '../../kv/api/index.js';
import { mergeTxn } from '../../kv/client/send-state.js';
import type { LocalSender } from './harness.js';

export interface StagingHooks {
  /** The writes' part of staging attempt `attempt` (from 1) before it is evaluated: rewrite or hold it. */
  readonly writes?: (part: BatchRequest, attempt: number) => BatchRequest | Promise<BatchRequest>;
  /** After both parts of attempt `attempt` were answered, before the merged answer goes back. */
  readonly staged?: (response: BatchResponse, attempt: number) => void | Promise<void>;
}

export class StagingSender implements Sender {
  /** Staging batches sent so far. */
  stagings = 0;
  /** Every EndTxn sent, in order: `staging` (with in-flight writes) or `other` (explicit commit, rollback, …). */
  readonly endTxns: ('staging' | 'other')[] = [];

  constructor(
    readonly local: LocalSender,
    private readonly hooks: StagingHooks = {},
  ) {}

  async send<const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> {
    const last = batch.requests[batch.requests.length - 1];
    if (last?.kind === 'endTxn') this.endTxns.push(last.inFlightWrites.length > 0 ? 'staging' : 'other');
    if (last?.kind !== 'endTxn' || last.inFlightWrites.length === 0 || batch.requests.length < 2) return this.local.send(batch);
    const attempt = ++this.stagings;
    const writesPart = batchRequest(batch.header, batch.requests.slice(0, -1));
    const recordPart = batchRequest(batch.header, [last]);
    const sendWrites = async (): Promise<BatchResponse> => this.local.send(await (this.hooks.writes?.(writesPart, attempt) ?? writesPart));
    const [writes, record] = await Promise.all([sendWrites(), this.local.send(recordPart)]);
    const sent = batch.header.txn!;
    const txn = mergeTxn(mergeTxn(sent, writes.header.txn ?? sent), record.header.txn ?? sent);
    const response = batchResponse(batch, { txn, now: max(writes.header.now, record.header.now) }, [...writes.responses, ...record.responses]);
    await this.hooks.staged?.(response, attempt);
    return response as unknown as BatchResponse<Rs>;
  }
}

/**
 * `part` with its transaction's write timestamp raised to `to`, as a range's timestamp cache
 * does to a batch whose keys were read (or whose lease began) above it (kv/replica
 * `applyTimestampCache`).
 */
export function bumpedBy(part: BatchRequest, to: Timestamp): BatchRequest {
  const txn = part.header.txn!;
  return batchRequest(withHeader(part.header, { txn: { ...txn, writeTimestamp: max(txn.writeTimestamp, to) } }), part.requests);
}
