/**
 * The LockRows operator: SKIP LOCKED's row locking (PostgreSQL's LockRows node, CockroachDB's
 * lock operator placed after the filter). Its input comes from a scan of lock probes (kv/api
 * `lockProbe`: locking reads under the `skipLocked` wait policy that acquire nothing — they
 * never wait, leave out the rows other transactions lock, and fail with WriteTooOld on a newer
 * value, which the transaction refreshes before the scan reads again), then the WHERE filter and
 * the sort. The operator locks each row it passes up with a locking Get of the row's primary key
 * — again under `skipLocked`, so a row another transaction locked since the scan read it is
 * dropped instead of waited for. The Get reads at the scan's timestamp, so the row passed up is
 * the version the scan read and the filter tested.
 *
 * Why not lock at the scan, as FOR UPDATE without SKIP LOCKED does: the scan reads a page of rows
 * at a time, and every row it returns would be locked — rows the filter then drops, and rows past
 * the LIMIT. Under SKIP LOCKED those locks are visible: a second job-queue worker would skip the
 * rows the first locked but never returned. Here rows are locked only as the LIMIT above pulls
 * them, in chunks of at most the rows it still wants (when LIMIT and OFFSET are given), so
 * `LIMIT n` locks n rows and a skipped row does not count against it.
 */
import { getRequest } from '../../kv/api/index.js';
import type { LockRowsNode } from '../plan/plan.js';
import type { RowBatch, RowSource, Runtime } from './runtime.js';

export function lockRowsSource(node: LockRowsNode, rt: Runtime, input: RowSource): RowSource {
  let pending: RowBatch = [];
  let inputDone = false;
  /** Rows the LIMIT above still wants (OFFSET's included); undefined: every row. */
  let wanted: bigint | undefined;
  let started = false;
  return {
    async next() {
      if (!started) {
        started = true;
        // The LIMIT node above evaluated (and checked) these before it pulled: no errors here.
        const limit = node.limit?.eval([], rt.ctx) ?? null;
        const offset = node.offset?.eval([], rt.ctx) ?? null;
        if (typeof limit === 'bigint') wanted = (limit > 0n ? limit : 0n) + (typeof offset === 'bigint' && offset > 0n ? offset : 0n);
      }
      for (;;) {
        rt.cancel.throwIfCancelled();
        if (pending.length === 0) {
          if (inputDone) return null;
          const batch = await input.next();
          if (batch === null) {
            inputDone = true;
            return null;
          }
          pending = batch;
          continue;
        }
        const take = wanted === undefined ? pending.length : Math.max(1, Math.min(pending.length, Number(wanted)));
        const chunk = pending.slice(0, take);
        pending = pending.slice(take);
        const locked = await lockChunk(node, rt, chunk);
        if (wanted !== undefined) wanted = wanted > BigInt(locked.length) ? wanted - BigInt(locked.length) : 0n;
        if (locked.length > 0) return locked;
      }
    },
  };
}

/** Locks the rows of `chunk` (one batch of locking Gets); the rows locked, in order. */
async function lockChunk(node: LockRowsNode, rt: Runtime, chunk: RowBatch): Promise<RowBatch> {
  const keys = chunk.map((row) => node.codec.primaryKeyFromValues(node.keyColumns.map((column) => row[column] ?? null)));
  const response = await rt.txn.batch(
    keys.map((key) => getRequest(key, node.strength)),
    { waitPolicy: 'skipLocked' },
  );
  return chunk.filter((_, index) => {
    const answer = response.responses[index];
    // No value: another transaction locks the row now (or it is gone): skipped.
    return answer?.kind === 'get' && answer.value !== undefined;
  });
}
