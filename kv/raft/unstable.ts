/**
 * The unstable tail of the log: entries (and at most one incoming snapshot) the core has
 * accepted but the application has not yet confirmed persisted. It sits on top of `LogStorage`:
 *
 *     storage:  [firstIndex ............ lastIndex]
 *     unstable:                  [offset ........ offset+len-1]   (may overwrite storage's tail)
 *
 * Entries at `offset` and above shadow whatever storage holds there: after a conflict the
 * follower's log is storage's prefix below `offset` followed by these entries. `stableTo`
 * drops the prefix the application has persisted (the write-ahead log caught up).
 */
import { assert } from '../../src/base/assert.js';
import type { Entry, Snapshot } from './types.js';

export class Unstable {
  /** An incoming snapshot not yet persisted; while set, it is the log's base. */
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];
  /** The index of `entries[0]` (or where it would be). */
  offset: number;

  constructor(offset: number) {
    assert(offset >= 1, 'unstable offset starts at 1 or above');
    this.offset = offset;
  }

  /** The first index of the log if a snapshot is pending (it replaces everything below). */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index;
  }

  /** The term of `index` if this tail knows it; undefined if storage must be asked or it is out of range. */
  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      const snap = this.snapshot;
      return snap !== undefined && snap.metadata.index === index ? snap.metadata.term : undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || index > last) return undefined;
    return this.entries[index - this.offset]!.term;
  }

  /**
   * The application persisted entries up to `index` at `term`. Ignored if the entry was replaced
   * since (a conflicting append truncated it while the Ready was out): then it is still unstable
   * and will be handed out again.
   */
  stableTo(index: number, term: number): void {
    if (index < this.offset) return;
    if (this.maybeTerm(index) !== term) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapTo(index: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === index) this.snapshot = undefined;
  }

  /** Replaces everything with an incoming snapshot. */
  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  /** Appends `entries`, first truncating anything at or after `entries[0].index`. */
  truncateAndAppend(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const after = entries[0]!.index;
    const end = this.offset + this.entries.length;
    if (after === end) {
      for (const entry of entries) this.entries.push(entry);
    } else if (after <= this.offset) {
      // The new entries replace all of ours and possibly some of storage's tail.
      this.offset = after;
      this.entries = entries.slice();
    } else {
      assert(after < end, () => `unstable append leaves a gap: ${after} after ${end - 1}`);
      this.entries = this.entries.slice(0, after - this.offset);
      for (const entry of entries) this.entries.push(entry);
    }
  }

  /** Entries `[lo, hi)`, all within this tail. */
  slice(lo: number, hi: number): Entry[] {
    assert(lo <= hi, () => `invalid unstable slice [${lo}, ${hi})`);
    assert(lo >= this.offset, () => `unstable slice [${lo}, ${hi}) below offset ${this.offset}`);
    assert(hi <= this.offset + this.entries.length, () => `unstable slice [${lo}, ${hi}) beyond ${this.offset + this.entries.length - 1}`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
