/**
 * A simulated disk for one node's Raft state: the durable part is a `MemoryStorage` (what
 * survives a crash, and what the node's `RawNode` reads), the volatile part is a list of writes
 * not yet synced (an OS page cache). `write` buffers, `sync` makes everything buffered durable
 * in order, `crash` forgets the buffer. A crash between `write` and `sync` therefore loses the
 * Ready's entries, hard state and snapshot, exactly what an fsync-less crash would lose.
 *
 * One sync is atomic (one synced LevelDB write batch per Ready in rangedb, DESIGN.md §3).
 */
import { assert } from '../../base/assert.js';
import { LogCompactedError, MemoryStorage, type Entry, type HardState, type Snapshot } from '../../../kv/raft/index.js';
import type { LogSlot } from './checker.js';
import { entryHash } from './state-machine.js';

interface PendingWrite {
  readonly snapshot: Snapshot | undefined;
  readonly entries: readonly Entry[];
  readonly hardState: HardState | undefined;
}

export class SimDisk {
  /** The durable state; survives crashes. */
  readonly durable = new MemoryStorage();
  private pending: PendingWrite[] = [];
  private syncs = 0;

  /** Buffers a write; nothing is durable until `sync()`. */
  write(snapshot: Snapshot | undefined, entries: readonly Entry[], hardState: HardState | undefined): void {
    if (snapshot === undefined && entries.length === 0 && hardState === undefined) return;
    this.pending.push({ snapshot, entries, hardState });
  }

  get hasPendingWrites(): boolean {
    return this.pending.length > 0;
  }

  /** Makes every buffered write durable, in the order written. */
  sync(): void {
    for (const write of this.pending) {
      if (write.snapshot !== undefined) this.durable.applySnapshot(write.snapshot);
      this.durable.append(write.entries);
      if (write.hardState !== undefined) this.durable.setHardState(write.hardState);
    }
    this.pending = [];
    this.syncs++;
  }

  /** The process died: unsynced writes are gone. */
  crash(): number {
    const lost = this.pending.length;
    this.pending = [];
    return lost;
  }

  /** The durable log's entries `[lo, hi]` that are still in the log (not compacted). */
  durableEntries(lo: number, hi: number): readonly Entry[] {
    const first = Math.max(lo, this.durable.firstIndex());
    const last = Math.min(hi, this.durable.lastIndex());
    if (first > last) return [];
    const entries = this.durable.entries(first, last + 1, Number.MAX_SAFE_INTEGER);
    assert(entries.length === last - first + 1, 'durable entries are contiguous');
    return entries;
  }

  /**
   * The node's log at `index` as the process sees it: the unsynced writes over the durable log.
   * A later write wins; a write of entries ending at `j` truncated everything after `j` before
   * it; a snapshot replaced everything before it.
   */
  slotAt(index: number): LogSlot {
    let truncatedAbove = Number.POSITIVE_INFINITY;
    for (let w = this.pending.length - 1; w >= 0; w--) {
      const write = this.pending[w]!;
      const entries = write.entries;
      if (entries.length > 0) {
        const first = entries[0]!.index;
        const last = first + entries.length - 1;
        if (index > truncatedAbove) return 'missing';
        if (index >= first && index <= last) return slotOf(entries[index - first]!);
        truncatedAbove = Math.min(truncatedAbove, last);
      }
      if (write.snapshot !== undefined) {
        const snapshotIndex = write.snapshot.metadata.index;
        if (index > truncatedAbove || index > snapshotIndex) return 'missing';
        return 'compacted';
      }
    }
    if (index > truncatedAbove || index > this.durable.lastIndex()) return 'missing';
    if (index < this.durable.firstIndex()) return 'compacted';
    return slotOf(this.durable.entries(index, index + 1, Number.MAX_SAFE_INTEGER)[0]!);
  }

  /** The durable term at `index`, or undefined when it is compacted away. */
  durableTerm(index: number): number | undefined {
    try {
      return this.durable.term(index);
    } catch (error) {
      if (error instanceof LogCompactedError) return undefined;
      throw error;
    }
  }

  get syncCount(): number {
    return this.syncs;
  }
}

function slotOf(entry: Entry): LogSlot {
  return { term: entry.term, hash: entryHash(entry) };
}
