/**
 * `LogStorage`: what the Raft core reads of the persisted log and state — the read side of the
 * replicated log (the write-ahead log). The core never writes storage: it hands entries, hard
 * state and snapshots to the application in `Ready`, and the application persists them (in
 * rangedb, into the store's engine, in the same synced batch as every other range's) before
 * calling `advance()`.
 *
 * The log is `[firstIndex, lastIndex]`; everything below `firstIndex` was compacted into a
 * snapshot whose index is `firstIndex - 1` (the low-water mark). `term(firstIndex - 1)` must
 * still answer (it is the snapshot's term), so the core can check log matching at the boundary.
 *
 * `MemoryStorage` implements it in memory for tests, the simulator and benchmarks.
 */
import { assert } from '../../src/base/assert.js';
import { RangedbError } from '../../src/base/errors.js';
import { emptyConfState, emptyHardState, type ConfState, type Entry, type HardState, type Snapshot } from './types.js';

/** The requested index was compacted away; the reader must use a snapshot. */
export class LogCompactedError extends RangedbError {
  readonly code = 'RAFT_LOG_COMPACTED';
  readonly errorClass = 'unavailable';
  constructor(readonly index: number, readonly firstIndex: number) {
    super(`raft log index ${index} is compacted (first index ${firstIndex})`);
  }
}

/** A snapshot older than what storage already has was offered. */
export class SnapshotOutOfDateError extends RangedbError {
  readonly code = 'RAFT_SNAPSHOT_OUT_OF_DATE';
  readonly errorClass = 'input';
  constructor(readonly index: number, readonly current: number) {
    super(`snapshot at ${index} is older than the current snapshot at ${current}`);
  }
}

export interface InitialState {
  readonly hardState: HardState;
  readonly confState: ConfState;
}

export interface LogStorage {
  /** The persisted hard state and configuration, read once when a node starts. */
  initialState(): InitialState;
  /**
   * Entries `[lo, hi)`, at least one if `lo < hi`, stopping before the total data size exceeds
   * `maxBytes`. Throws `LogCompactedError` if `lo < firstIndex()`; asserts `hi <= lastIndex()+1`.
   */
  entries(lo: number, hi: number, maxBytes: number): readonly Entry[];
  /** The term of entry `index`, for `firstIndex()-1 <= index <= lastIndex()`. */
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot (index 0 if there is none). */
  snapshot(): Snapshot;
}

/** Bytes an entry counts toward message and batch limits. */
export function entrySize(entry: Entry): number {
  return entry.data.length + 24;
}

export class MemoryStorage implements LogStorage {
  private hardState: HardState = emptyHardState;
  private snap: Snapshot = { metadata: { index: 0, term: 0, confState: emptyConfState }, data: new Uint8Array(0) };
  /** entries[0] is a dummy at the snapshot's index and term, so `term(firstIndex-1)` answers. */
  private log: Entry[] = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }];

  /** The configuration as of the applied index, if the application recorded one after the snapshot. */
  private confState: ConfState | undefined = undefined;

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.confState ?? this.snap.metadata.confState };
  }

  /**
   * Records the configuration the application is at (what `applyConfChange` returned), so that a
   * restart with `applied` past the snapshot resumes in it. The application persists it with its
   * applied state; without it, `initialState` answers the snapshot's configuration, which is
   * right only for a restart that replays from the snapshot.
   */
  setConfState(confState: ConfState): void {
    this.confState = confState;
  }

  setHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  entries(lo: number, hi: number, maxBytes: number): readonly Entry[] {
    const offset = this.log[0]!.index;
    if (lo <= offset) throw new LogCompactedError(lo, offset + 1);
    assert(hi <= this.lastIndex() + 1, () => `entries hi ${hi} beyond last index ${this.lastIndex()}`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const entry = this.log[i - offset]!;
      bytes += entrySize(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  term(index: number): number {
    const offset = this.log[0]!.index;
    if (index < offset) throw new LogCompactedError(index, offset + 1);
    assert(index <= this.lastIndex(), () => `term of index ${index} beyond last index ${this.lastIndex()}`);
    return this.log[index - offset]!.term;
  }

  firstIndex(): number {
    return this.log[0]!.index + 1;
  }

  lastIndex(): number {
    return this.log[0]!.index + this.log.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Installs a snapshot, discarding the whole log. */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.metadata.index < this.snap.metadata.index) throw new SnapshotOutOfDateError(snapshot.metadata.index, this.snap.metadata.index);
    this.snap = snapshot;
    this.confState = undefined;
    this.log = [{ term: snapshot.metadata.term, index: snapshot.metadata.index, type: 'normal', data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the application's state at `index` (≤ the applied index). */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) throw new SnapshotOutOfDateError(index, this.snap.metadata.index);
    assert(index <= this.lastIndex(), 'snapshot beyond the last index');
    this.snap = { metadata: { index, term: this.term(index), confState }, data };
    return this.snap;
  }

  /** Discards entries before `compactIndex`; `compactIndex` becomes the dummy entry. */
  compact(compactIndex: number): void {
    const offset = this.log[0]!.index;
    if (compactIndex <= offset) throw new LogCompactedError(compactIndex, offset + 1);
    assert(compactIndex <= this.lastIndex(), 'compaction beyond the last index');
    const kept = this.log.slice(compactIndex - offset);
    const head = kept[0]!;
    this.log = [{ term: head.term, index: head.index, type: 'normal', data: new Uint8Array(0) }, ...kept.slice(1)];
  }

  /**
   * Appends entries, truncating any conflicting suffix first (entries at indexes the new ones
   * overwrite). Entries below the first index are ignored (already compacted).
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return;
    const from = first > entries[0]!.index ? entries.slice(first - entries[0]!.index) : entries;
    const offset = this.log[0]!.index;
    const at = from[0]!.index - offset;
    assert(at <= this.log.length, () => `missing log entries: appending ${from[0]!.index} after last ${this.lastIndex()}`);
    this.log.length = at; // truncate the conflicting suffix, if any
    for (const entry of from) this.log.push(entry);
  }
}

/**
 * A `LogStorage` whose `snapshot()` the application produces on demand — the contract asks for
 * a snapshot of the current state and configuration, which a store of compaction snapshots
 * alone cannot give a member added after the last compaction. Everything else is read from
 * `log`; when `takeSnapshot` returns undefined, `log`'s snapshot is used.
 */
export class OnDemandSnapshotStorage implements LogStorage {
  constructor(
    private readonly log: LogStorage,
    private readonly takeSnapshot: () => Snapshot | undefined,
  ) {}

  initialState(): InitialState {
    return this.log.initialState();
  }

  entries(lo: number, hi: number, maxBytes: number): readonly Entry[] {
    return this.log.entries(lo, hi, maxBytes);
  }

  term(index: number): number {
    return this.log.term(index);
  }

  firstIndex(): number {
    return this.log.firstIndex();
  }

  lastIndex(): number {
    return this.log.lastIndex();
  }

  snapshot(): Snapshot {
    return this.takeSnapshot() ?? this.log.snapshot();
  }
}
