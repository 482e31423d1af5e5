/**
 * `RaftLog`: the replicated log as the core sees it — persisted entries in `LogStorage` plus the
 * unstable tail not yet confirmed persisted — and the two positions that move along it:
 *
 *     firstIndex-1        applied        committed                lastIndex
 *     (low-water mark)       │               │ (high-water mark)        │
 *     ───────┬───────────────┼───────────────┼──────────────────────────┤
 *            │ snapshot      │ applied       │ committed, to apply      │ not yet committed
 *
 * Invariants: `firstIndex-1 <= applied <= committed <= lastIndex`; the terms along the log never
 * decrease; an entry at or below `committed` is never truncated.
 */
import { assert } from '../../src/base/assert.js';
import { LogCompactedError, entrySize, type LogStorage } from './storage.js';
import type { Entry, Snapshot } from './types.js';
import { Unstable } from './unstable.js';

/** A position in the log: (index, term). */
export interface EntryId {
  readonly index: number;
  readonly term: number;
}

export class RaftLog {
  readonly storage: LogStorage;
  readonly unstable: Unstable;
  /** The highest index known to be committed on a quorum (the high-water mark). */
  committed: number;
  /** The highest index the application has applied (confirmed by `advance`). */
  applied: number;

  constructor(storage: LogStorage) {
    this.storage = storage;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    assert(first >= 1, 'storage first index is at least 1');
    assert(last >= first - 1, 'storage last index is at least first index - 1');
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const term = this.maybeTerm(this.lastIndex());
    assert(term !== undefined, 'the last entry has a term');
    return term;
  }

  lastEntryId(): EntryId {
    return { index: this.lastIndex(), term: this.lastTerm() };
  }

  /** The term of `index`, or undefined if it is compacted away or beyond the last index. */
  maybeTerm(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    const unstableTerm = this.unstable.maybeTerm(index);
    if (unstableTerm !== undefined) return unstableTerm;
    assert(index < this.unstable.offset, () => `index ${index} is neither unstable nor in storage`);
    return this.storage.term(index);
  }

  /** The term of `index`; throws `LogCompactedError` below the log, asserts it is not beyond it. */
  term(index: number): number {
    assert(index <= this.lastIndex(), () => `term of ${index} beyond last index ${this.lastIndex()}`);
    const term = this.maybeTerm(index);
    if (term === undefined) throw new LogCompactedError(index, this.firstIndex());
    return term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.maybeTerm(index) === term;
  }

  /** Raft's election restriction: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The index of the first of `entries` that is not in our log with the same term (a conflict
   * or a new entry), or 0 if all are present. `entries` must be contiguous.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index `<= index` whose term is `<= term`, with its term (fast log backtracking):
   * no entry above it can match a log whose entry at `index` has `term`. An index whose term is
   * unknown (compacted) is returned with term 0, as a possible match.
   */
  findConflictByTerm(index: number, term: number): EntryId {
    assert(index <= this.lastIndex(), () => `findConflictByTerm at ${index} beyond last index ${this.lastIndex()}`);
    for (let i = index; i > 0; i--) {
      const ours = this.maybeTerm(i);
      if (ours === undefined) return { index: i, term: 0 };
      if (ours <= term) return { index: i, term: ours };
    }
    return { index: 0, term: 0 };
  }

  /**
   * A follower's append: if our log has (index, logTerm), append `entries` after it (truncating
   * a conflicting suffix), raise the commit index to `min(leaderCommit, last new index)` and
   * return the last new index; otherwise return undefined (the logs do not match there).
   */
  maybeAppend(index: number, logTerm: number, leaderCommit: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, () => `entry ${conflict} conflicts with committed entry (committed ${this.committed})`);
      assert(conflict > index, 'a conflict lies after the matched entry');
      this.append(entries.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** Appends contiguous entries, truncating our log at `entries[0].index`; returns the last index. */
  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = entries[0]!.index - 1;
    assert(after >= this.committed, () => `append after ${after} would truncate committed entries (committed ${this.committed})`);
    assert(after <= this.lastIndex(), () => `append after ${after} leaves a gap after last index ${this.lastIndex()}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /**
   * Entries `[lo, hi)`, at least one if `lo < hi`, stopping before their total `entrySize`
   * exceeds `maxBytes`. Throws `LogCompactedError` if `lo` is compacted.
   */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    assert(lo <= hi, () => `invalid slice [${lo}, ${hi})`);
    assert(hi <= this.lastIndex() + 1, () => `slice [${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    if (lo < this.firstIndex()) throw new LogCompactedError(lo, this.firstIndex());
    if (lo === hi) return [];
    const offset = this.unstable.offset;
    let out: Entry[] = [];
    let bytes = 0;
    if (lo < offset) {
      const stored = this.storage.entries(lo, Math.min(hi, offset), maxBytes);
      out = stored.slice();
      for (const entry of stored) bytes += entrySize(entry);
      if (out.length < Math.min(hi, offset) - lo) return out; // maxBytes reached inside storage
    }
    if (hi > offset) {
      for (const entry of this.unstable.slice(Math.max(lo, offset), hi)) {
        bytes += entrySize(entry);
        if (out.length > 0 && bytes > maxBytes) break;
        out.push(entry);
      }
    }
    return out;
  }

  /** Entries from `index` to the end, limited by `maxBytes`. */
  entriesFrom(index: number, maxBytes: number): Entry[] {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, maxBytes);
  }

  hasNextUnstableEntries(): boolean {
    return this.unstable.entries.length > 0;
  }

  nextUnstableEntries(): readonly Entry[] {
    return this.unstable.entries.slice();
  }

  /**
   * Committed entries the application has not applied, at most `maxBytes` of them (at least
   * one). None while an incoming snapshot is pending: the snapshot goes first.
   */
  nextCommittedEntries(maxBytes: number): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    assert(this.applied + 1 >= this.firstIndex(), () => `entry ${this.applied + 1} to apply is compacted (first index ${this.firstIndex()})`);
    return this.slice(this.applied + 1, this.committed + 1, maxBytes);
  }

  hasNextCommittedEntries(): boolean {
    return this.unstable.snapshot === undefined && this.committed > this.applied;
  }

  /** Raises the commit index (never lowers it); it may not pass the last index. */
  commitTo(index: number): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), () => `commit ${index} is beyond the last index ${this.lastIndex()}: was the log lost?`);
    this.committed = index;
  }

  /**
   * Commits `index` if it is above the commit index and its entry is of `term` (a leader only
   * counts replicas for entries of its own term — Raft §5.4.2). Returns whether it moved.
   */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.maybeTerm(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: number): void {
    assert(index <= this.committed, () => `applied ${index} beyond committed ${this.committed}`);
    assert(index >= this.applied, () => `applied ${index} moves back from ${this.applied}`);
    this.applied = index;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  /** The last index the application has confirmed persisted (everything below the unstable tail). */
  persistedLastIndex(): number {
    assert(this.unstable.snapshot === undefined, 'no persisted index while a snapshot is pending');
    return this.unstable.entries.length > 0 ? this.unstable.offset - 1 : this.lastIndex();
  }

  /** Replaces the log with a snapshot received from the leader. */
  restore(snapshot: Snapshot): void {
    assert(snapshot.metadata.index > this.committed, 'a restored snapshot is ahead of the commit index');
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  /** The newest snapshot: the pending incoming one, else storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }
}
