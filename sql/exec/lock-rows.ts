/**
 * The LockRows operator: the row locking of SELECT … FOR UPDATE / FOR SHARE (PostgreSQL's
 * LockRows node, CockroachDB's lock operator placed after the filter and joins). Its input is a
 * plain read of the rows — or, under SKIP LOCKED over one table, a scan of lock probes (kv/api
 * `lockProbe`: locking reads under the `skipLocked` wait policy that acquire nothing, never wait
 * and leave out the rows other transactions lock) — then the WHERE filter, joins and the sort.
 * The operator locks each row it passes up with a locking Get of the row's primary key, one for
 * every table the locking clauses name, each under its own strength and wait policy:
 *
 * - waiting (no wait clause): the Get queues behind another transaction's lock;
 * - NOWAIT: a held lock fails the statement with 55P03, naming the row's table;
 * - SKIP LOCKED: a row another transaction locked since the scan read it is dropped.
 *
 * The Gets read at the scan's timestamp, so the row passed up is the version the scan read and
 * the filter tested; one changed since fails the refresh of the scan's read (40001), as
 * PostgreSQL's SERIALIZABLE does.
 *
 * Why not lock at the scan: the scan reads a page of rows at a time, and every row it returns
 * would be locked — rows the filter then drops, rows a join finds no partner for, and rows past
 * the LIMIT. Here rows are locked only as the LIMIT above pulls them, in chunks of at most the
 * rows it still wants (when LIMIT and OFFSET are given), so `LIMIT n` locks n rows and a skipped
 * row does not count against it. (The planner still locks at the scan when every row the scan
 * reads is returned — a point lookup whose WHERE is all in the key, or no WHERE and no LIMIT —
 * which saves the second round trip: sql/plan/locking.ts.)
 */
import { getRequest, LockConflictError } from '../../kv/api/index.js';
import { bytesToHex } from '../../src/base/hex.js';
import { SqlError } from '../catalog/errors.js';
import type { LockRowsNode, LockTarget } from '../plan/plan.js';
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
        let locked = chunk;
        for (const target of node.targets) locked = await lockChunk(target, rt, locked);
        if (wanted !== undefined) wanted = wanted > BigInt(locked.length) ? wanted - BigInt(locked.length) : 0n;
        if (locked.length > 0) return locked;
      }
    },
  };
}

/**
 * Locks `target`'s row of each row of `chunk` (one batch of locking Gets, one per distinct key: a
 * join may pass one row up many times); the rows whose row was locked, in order.
 */
async function lockChunk(target: LockTarget, rt: Runtime, chunk: RowBatch): Promise<RowBatch> {
  const keys: Uint8Array[] = [];
  const slotByKey = new Map<string, number>();
  const slots = chunk.map((row) => {
    const key = target.codec.primaryKeyFromValues(target.keyColumns.map((column) => row[column] ?? null));
    const hex = bytesToHex(key);
    let slot = slotByKey.get(hex);
    if (slot === undefined) {
      slot = keys.push(key) - 1;
      slotByKey.set(hex, slot);
    }
    return slot;
  });
  let response: Awaited<ReturnType<Runtime['txn']['batch']>>;
  try {
    response = await rt.txn.batch(
      keys.map((key) => getRequest(key, target.strength)),
      { waitPolicy: target.waitPolicy },
    );
  } catch (error) {
    if (error instanceof LockConflictError) throw new SqlError('55P03', `could not obtain lock on row in relation "${target.table.name}"`);
    throw error;
  }
  return chunk.filter((_, index) => {
    const answer = response.responses[slots[index]!];
    // No value: another transaction locks the row now (SKIP LOCKED), or it is gone: left out.
    return answer?.kind === 'get' && answer.value !== undefined;
  });
}
