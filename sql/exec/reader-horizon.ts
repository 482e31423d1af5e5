/**
 * `ReaderHorizon`: when may the data of an index a committed schema change stopped naming be
 * cleared outright (kv ClearRange, not MVCC), so that no one can ever read it again?
 *
 * A reader of that index must have read the descriptor that still named it, so its transaction
 * reads the catalog at a timestamp below the schema change's commit Tc. After the commit, such a
 * transaction may still run statements at its old timestamp; a non-MVCC clear would make its
 * reads silently miss the rows (an MVCC deletion would not: it reads below the tombstones). So
 * the clear waits for a **grace period** — the pattern of RCU and epoch-based reclamation, and of
 * PostgreSQL's VACUUM, which removes a dead tuple only once no snapshot older than its deletion
 * is left (GetOldestXmin):
 *
 * ```
 *   schema change commits at Tc ─► floor := now (≥ Tc) ─► wait until no transaction the engine has
 *                                                         seen with minTimestamp < floor is open
 *   a transaction first seen after that with minTimestamp < floor ─► TransactionAbortedError
 *     (40001; an implicit transaction retries at once with a new timestamp)
 * ```
 *
 * Every statement reaches the catalog through the engine's `prepare` or `run`, which call
 * `enter(txn)` first, so every transaction that could read the old descriptor is either seen
 * before the floor is raised (and waited for) or refused when it shows up (it began below the
 * floor but ran nothing yet: restarting it costs nothing). A transaction's `minTimestamp` never
 * moves, even when a refresh moves its read timestamp up, so the test is conservative.
 *
 * A historical transaction (AS OF SYSTEM TIME, `Txn.fixedTimestamp`) is not refused here:
 * restarting it would read at the same past timestamp, and the floor is one for all tables, so
 * refusing it would refuse history before the last clear on every table. KV refuses what is
 * really gone instead, range by range: a clear first raises the GC threshold of the cleared
 * span's ranges to its floor (backfill.ts, persisted), so a historical read there gets 72000
 * (snapshot too old) — before the clear it still reads the rows, which are intact until then,
 * and a clear that is waiting counts it among the older readers it waits for.
 *
 * Scope: one SQL gateway — the transactions of this engine. With several gateways the horizon
 * must be cluster-wide (CockroachDB waits out descriptor leases, then a GC TTL, before its
 * ClearRange); the caller bounds the wait (`sqlDroppedIndexClearWaitMsMax`) and falls back to an
 * MVCC deletion, which is safe for any reader, if a transaction stays open past it.
 */
import { TransactionAbortedError } from '../../kv/api/index.js';
import { less, max, zeroTimestamp, type Timestamp } from '../../clock/timestamp.js';
import type { Timers } from '../../src/env/env.js';
import type { Txn } from '../../txn/index.js';

/** How often a waiting clear looks at the open transactions again, in ms. */
const pollMs = 10;
/**
 * Finished transactions remembered beyond the ones the last sweep kept, before the next sweep:
 * a sweep runs once the set has doubled since the last one, plus this (amortized O(1) per
 * `enter`). The set must stay small — every implicit statement's `Txn` enters it, and one kept
 * for a thousand statements (the old fixed sweep period) outlived V8's young generation: copied
 * by every scavenge, then promoted and left to a mark-compact. On a select-only loop that made
 * the scavenges three times as long.
 */
const sweepSlack = 16;

export class ReaderHorizon {
  private readonly open = new Set<Txn>();
  /** Transactions that began below this are refused when first seen (see the file comment). */
  private floor: Timestamp = zeroTimestamp;
  /** Transactions the last sweep kept (still open then). */
  private keptBySweep = 0;

  /** Called by the engine before a statement of `txn` reads the catalog. */
  enter(txn: Txn): void {
    if (this.open.has(txn)) return;
    // A historical transaction goes on: the GC threshold refuses what was cleared (file comment).
    if (txn.fixedTimestamp === undefined && less(txn.transaction.minTimestamp, this.floor)) {
      throw new TransactionAbortedError('ABORT_REASON_UNKNOWN', txn.transaction.id);
    }
    this.open.add(txn);
    if (this.open.size >= 2 * this.keptBySweep + sweepSlack) this.sweep();
  }

  /**
   * Raises the floor to `floor` and waits until no open transaction began below it; false if
   * `waitMsMax` passed first (some transaction stayed open: the data must not be cleared).
   */
  async waitForReadersBelow(floor: Timestamp, timers: Timers, waitMsMax: number): Promise<boolean> {
    this.floor = max(this.floor, floor);
    for (let waitedMs = 0; ; waitedMs += pollMs) {
      this.sweep();
      let older = false;
      for (const txn of this.open) {
        if (less(txn.transaction.minTimestamp, floor)) {
          older = true;
          break;
        }
      }
      if (!older) return true;
      if (waitedMs >= waitMsMax) return false;
      await timers.sleep(pollMs);
    }
  }

  /**
   * The oldest timestamp an open transaction may still read at (its `minTimestamp`, or its fixed
   * AS OF SYSTEM TIME timestamp if older), or undefined if none is open: the store's MVCC GC
   * queue keeps the GC threshold below it (kv/replica/gc-queue.ts, a protected timestamp), so a
   * long transaction — and the snapshot reads of its backfills, at or above its start — never
   * loses the history it may read. O(open transactions); the queue asks once per pass.
   */
  oldestOpen(): Timestamp | undefined {
    this.sweep();
    let oldest: Timestamp | undefined;
    for (const txn of this.open) {
      const fixed = txn.fixedTimestamp;
      const start = fixed !== undefined && less(fixed, txn.transaction.minTimestamp) ? fixed : txn.transaction.minTimestamp;
      if (oldest === undefined || less(start, oldest)) oldest = start;
    }
    return oldest;
  }

  /** Transactions remembered, finished ones not yet swept included (tests). */
  get size(): number {
    return this.open.size;
  }

  private sweep(): void {
    for (const txn of this.open) if (txn.isFinished) this.open.delete(txn);
    this.keptBySweep = this.open.size;
  }
}
