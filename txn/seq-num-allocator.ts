/**
 * The sequence number allocator (CockroachDB's `txnSeqNumAllocator`): every data write of the
 * transaction gets the next sequence number of its epoch (1, 2, 3, …) in its request's
 * `sequence` when it is made, and every batch carries the sequence its reads read at in its
 * header transaction — the read sequence.
 *
 * Why: an intent records the sequence that wrote it (and its history the earlier ones), so
 * - a write resent after a lost response is recognised by the server as a replay of the same
 *   sequence, not applied twice (the idempotent receiver, DESIGN §5);
 * - a savepoint rollback names the sequences to ignore (`ignoredSequences`, `addIgnoredRange`):
 *   the transaction's reads skip those writes and resolution drops them;
 * - one batch may write a key twice (sequences 1 then 2) and a later read sees the last;
 * - a read sees exactly the writes at or below its read sequence (kv/storage/mvcc visibility.ts,
 *   rule 1), which is what transaction stepping uses.
 *
 * Transaction stepping (CockroachDB's `Txn.Step` / `ConfigureStepping`): by default the read
 * sequence is the last write's, so a read sees every write made before it. A SQL statement
 * whose parts must all read one snapshot (PostgreSQL's rule for a data-modifying WITH) pins it
 * at its start (`Txn.step`, the `pinnedReadSequence` given here): its reads then do not see the
 * writes the statement itself makes, while its writes still read everything (a conditional
 * put, an increment or a delete reads just below its own sequence: kv/eval context.ts).
 *
 * The allocator is the outermost interceptor, above the write buffer: a write is numbered when
 * it is made, not when it is sent, so a held write is already ordered against a pinned read
 * sequence (write-buffer.ts answers a read with the held writes at or below it only). Below
 * here, a batch header's `sequence` is its read sequence; the `Txn` keeps the last write's in
 * its proto (`currentSequence`).
 *
 * Sequences restart at 0 with each epoch: intents of an older epoch are replaced, not extended.
 */
import { assert } from '../src/base/assert.js';
import { equal } from '../clock/timestamp.js';
import type { BatchRequest, BatchResponse, Request, SequenceRange } from '../kv/api/index.js';
import { batchTxn, isDataWrite, withTxn, type SendFn, type TxnInterceptor } from './interceptor.js';

export class SeqNumAllocator implements TxnInterceptor {
  private writeSequence = 0;

  constructor(
    /** The read sequence a statement pinned (`Txn.step`), or undefined: reads see every write. */
    private readonly pinnedReadSequence: () => number | undefined = () => undefined,
  ) {}

  /** The sequence of the last write made in this epoch (0 before the first), sent or held. */
  get currentSequence(): number {
    return this.writeSequence;
  }

  send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const txn = batchTxn(batch);
    const pinned = this.pinnedReadSequence();
    assert(pinned === undefined || (Number.isSafeInteger(pinned) && pinned >= 0 && pinned <= this.writeSequence), 'a read sequence is pinned at a write made');
    // A batch without writes whose header already carries its read sequence (every read of a
    // transaction outside a pinned statement: the `Txn` builds headers from its proto) goes on
    // as it is: rebuilding the header, its transaction and the batch would change nothing.
    if (txn.sequence === (pinned ?? this.writeSequence) && equal(batch.header.timestamp, txn.readTimestamp) && !batch.requests.some(isDataWrite)) return next(batch);
    const requests = batch.requests.map((request): Request => {
      if (!isDataWrite(request)) return request;
      assert(!('sequence' in request) || request.sequence === undefined, 'sequences are assigned by the coordinator only');
      this.writeSequence += 1;
      return Object.freeze({ ...request, sequence: this.writeSequence }) as Request;
    });
    assert(Number.isSafeInteger(this.writeSequence), 'sequence overflow');
    return next(withTxn(batch, { ...txn, sequence: pinned ?? this.writeSequence }, requests));
  }

  epochBumped(): void {
    this.writeSequence = 0;
  }
}

/**
 * `ignored` with `range` added, still sorted and disjoint (what `transaction()` asserts): ranges
 * that overlap or touch it are merged into one, so a loop of `SAVEPOINT s; …; ROLLBACK TO s`
 * keeps one range, not one per iteration (the list rides in every batch header).
 */
export function addIgnoredRange(ignored: readonly SequenceRange[], range: SequenceRange): SequenceRange[] {
  assert(Number.isSafeInteger(range.start) && range.start >= 1 && range.start <= range.end, 'an ignored range is start ≤ end, from sequence 1');
  let start = range.start;
  let end = range.end;
  const before: SequenceRange[] = [];
  const after: SequenceRange[] = [];
  for (const existing of ignored) {
    if (existing.end + 1 < start) before.push(existing);
    else if (existing.start > end + 1) after.push(existing);
    else {
      start = Math.min(start, existing.start);
      end = Math.max(end, existing.end);
    }
  }
  return [...before, Object.freeze({ start, end }), ...after];
}
