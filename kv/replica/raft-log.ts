/**
 * # The Raft log of one range, persisted in the store's engine
 *
 * Each replica's Raft log is a **write-ahead log**: a command is durable once its entry is
 * synced, and the state machine is rebuilt after a crash by replaying entries above the applied
 * index. Together the replicas' logs form a **replicated log** (the same sequence on every member
 * of the group), and each is a **segmented log** whose old prefix is discarded: the
 * **truncated state** (`rftt`) is the log's **low-water mark** — every entry at or below it was
 * deleted, a snapshot stands in for it — and the hard state's `commit` is the **high-water mark**
 * (everything at or below it is on a quorum). The term in the hard state is the generation clock.
 *
 *      engine key (range-id-local, unreplicated)         value
 *      /Local/RangeID/<r>/u/rfth                         hard state  {term, vote, commit}
 *      /Local/RangeID/<r>/u/rftt                         truncated state {index, term}
 *      /Local/RangeID/<r>/u/rftl/<index, 8B big-endian>  entry       {type, term, index, data}
 *
 *      index:  … truncated │ first ……………………… cached ………… last
 *                (deleted) │ point reads from the │ RaftEntryCache (bounded)
 *                          │ engine               │
 *
 * All ranges of a store share one engine (DESIGN.md §3): the write side puts its changes into a
 * `Batch` the caller commits together with every other range's writes, in one synced group
 * commit per Ready cycle.
 *
 * ## Synchronous reads over an engine with asynchronous iteration
 *
 * `LogStorage` is synchronous (the Raft core is sans-I/O and has no `await`). Engine point reads
 * are synchronous (`Reader.get`), and log entries are keyed by index, so every read is a point
 * read: `entries(lo, hi)` gets keys `lo … hi-1` one by one, `term(i)` gets key `i`. Iteration
 * (asynchronous) is used only by `open()`, to find the last index. On top of that,
 * `RaftEntryCache` keeps the newest entries — up to `limits.raftLogCacheBytesMax` bytes of
 * `entrySize` — so the reads Raft makes all the time (the terms of the last entries, appends to
 * followers that keep up) cost no engine read and no decoding. A read below the cache costs one
 * engine `get` per entry (and `entries` stops at `maxBytes`, so a catch-up read is bounded).
 *
 * The alternative — a cache-only view that throws an "unavailable" error for an uncached entry,
 * to be loaded asynchronously and retried — was rejected: the error would surface inside
 * `RawNode.step()` in the middle of a state transition (etcd's raft panics on it outside of
 * `maybeSendAppend`), and every caller would need a load-and-retry path. With point reads
 * nothing is ever unavailable; an entry missing from the engine is corruption (`StorageError`).
 *
 * Bookkeeping in memory (truncated state, last index, hard state) is authoritative for reads;
 * the engine is authoritative across restarts. `open()` rebuilds the first from the second and
 * checks what it reads: no entry below the low-water mark, the tail it loads contiguous and each
 * entry under its own index, the first entry (`truncated + 1`) present, and the commit index
 * within the log. A hole further down, below the loaded tail, is found when it is read.
 *
 * ## The write side and the ordering contract
 *
 * `appendToBatch`, `setHardStateInBatch`, `truncateInBatch` and `applySnapshotInBatch` put
 * their writes into a caller's `Batch` and *stage* the change; several may go into one batch
 * (each sees the ones staged before it). Reads keep answering from the state before the batch
 * until the caller commits the batch to the engine and then calls `batchCommitted(batch)`, which
 * makes the in-memory view reflect the engine. Obligations of the caller:
 *
 * - One batch at a time: stage into batch B, commit B, `batchCommitted(B)` — before staging
 *   into another batch (asserted).
 * - Call `batchCommitted` right after the commit resolves, before anything reads this log again
 *   (in the same continuation; the replica's Raft processing is serialized, CockroachDB's
 *   `raftMu`). In between, the engine is ahead of the view.
 * - If the commit fails, the node's state is unknown and the node must stop (DESIGN.md §2.4);
 *   there is no rollback.
 *
 * This fits the `Ready` contract: entries handed to `appendToBatch` are still in Raft's own
 * unstable log until `advance()`, so Raft never asks storage for them before they are durable.
 *
 * ## The commit index after a crash
 *
 * The hard state's commit index is only a hint that may lag: what is committed is decided by
 * the log (a quorum holds it), and the commit index is persisted lazily, by whichever batch
 * comes next (Raft thesis §3.8 lists it as volatile state). The applied state, on the other
 * hand, is written by the batch that applies the entries, and the store applies entries that
 * an earlier cycle made durable in a commit of their own, ahead of the batch that carries the
 * new commit index (kv/replica/store.ts, "early application"). A crash between the two leaves
 * `applied > commit` on disk — legal, since only committed entries are ever applied, but Raft
 * must not start below what the state machine already holds (etcd's `Config.Applied` must be
 * at most the commit index). So `open`, given the replica's `appliedIndex`, forwards the
 * commit index to it — what TiKV does for its own early apply (forwarding to the apply
 * state's commit index) and CockroachDB for its asynchronous log writes — after checking that
 * the applied entries are accounted for: each is in the durable log, or below the truncated
 * state (a log is truncated only up to an applied index already durable, so the truncated
 * index can never pass the applied one). The forwarded commit is not written back: the next
 * hard state Raft persists carries it, and until then each load forwards it again.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { StorageError } from '../../src/base/errors.js';
import type { RangeId } from '../../src/base/ids.js';
import { limits } from '../../src/base/limits.js';
import { prefixEnd } from '../api/span.js';
import { keyMax, raftHardStateKey, raftLogKey, raftLogPrefix, raftTruncatedStateKey } from '../api/keyspace.js';
import {
  LogCompactedError,
  SnapshotOutOfDateError,
  emptyHardState,
  entrySize,
  type ConfState,
  type Entry,
  type HardState,
  type InitialState,
  type LogStorage,
  type Snapshot,
} from '../raft/index.js';
import type { Batch } from '../storage/batch.js';
import type { Reader } from '../storage/engine.js';
import { RaftEntryCache } from './raft-entry-cache.js';
import {
  decodeEntry,
  decodeHardState,
  decodeTruncatedState,
  emptyTruncatedState,
  encodeEntry,
  encodeHardState,
  encodeTruncatedState,
  type TruncatedState,
} from './raft-log-codec.js';

export interface RaftLogStorageOptions {
  readonly rangeId: RangeId;
  /** The store's engine (reads see every resolved commit). */
  readonly engine: Reader;
  /**
   * The Raft configuration as of the applied index — the replica derives it from its range
   * descriptor, which it owns and persists in the state machine; read by `initialState()`.
   */
  readonly confState: () => ConfState;
  /**
   * A snapshot of the replica's current state and configuration, built on demand when the
   * leader must send one (see kv/raft/index.ts, "Bootstrapping and membership").
   */
  readonly snapshot: () => Snapshot;
  /** Bound of the entry cache, in bytes of `entrySize`. Default `limits.raftLogCacheBytesMax`. */
  readonly cacheBytesMax?: number;
  /**
   * The applied index of the replica's durable applied state, if it has one: `open` forwards
   * the hard state's commit index to it (see "The commit index after a crash" above).
   */
  readonly appliedIndex?: number;
}

/** The scalars of the log, as of the last committed batch (or as staged). */
interface LogView {
  readonly truncated: TruncatedState;
  readonly lastIndex: number;
  readonly hardState: HardState;
}

/** A change staged in a batch, replayed onto the cache once the batch commits. */
type StagedChange =
  | { readonly kind: 'append'; readonly entries: readonly Entry[] }
  | { readonly kind: 'truncate'; readonly index: number }
  | { readonly kind: 'snapshot' };

interface Staged {
  readonly batch: Batch;
  view: LogView;
  readonly changes: StagedChange[];
}

export class RaftLogStorage implements LogStorage {
  private view: LogView;
  private staged: Staged | undefined = undefined;
  private readonly cache: RaftEntryCache;
  private readonly rangeId: RangeId;
  private readonly engine: Reader;

  private constructor(
    private readonly options: RaftLogStorageOptions,
    view: LogView,
  ) {
    this.rangeId = options.rangeId;
    this.engine = options.engine;
    this.view = view;
    this.cache = new RaftEntryCache(options.cacheBytesMax ?? limits.raftLogCacheBytesMax);
  }

  /**
   * Loads the persisted log of `options.rangeId`: hard state, truncated state, the last index,
   * and the newest entries into the cache. A range with nothing persisted opens empty (first
   * index 1, last index 0). Throws `StorageError` if the persisted state is inconsistent. Open
   * before anything writes this range's log (the replica is not running yet).
   */
  static async open(options: RaftLogStorageOptions): Promise<RaftLogStorage> {
    const engine = options.engine;
    const hardStateBytes = engine.get(raftHardStateKey(options.rangeId));
    const truncatedBytes = engine.get(raftTruncatedStateKey(options.rangeId));
    const hardState = hardStateBytes === undefined ? emptyHardState : decodeHardState(hardStateBytes);
    const truncated = truncatedBytes === undefined ? emptyTruncatedState : decodeTruncatedState(truncatedBytes);
    const storage = new RaftLogStorage(options, { truncated, lastIndex: truncated.index, hardState });
    await storage.load();
    return storage;
  }

  // ─── LogStorage (reads) ────────────────────────────────────────────────────────────────────

  initialState(): InitialState {
    return { hardState: this.view.hardState, confState: this.options.confState() };
  }

  entries(lo: number, hi: number, maxBytes: number): readonly Entry[] {
    if (lo <= this.view.truncated.index) throw new LogCompactedError(lo, this.firstIndex());
    assert(lo <= hi, () => `invalid entries [${lo}, ${hi})`);
    assert(hi <= this.view.lastIndex + 1, () => `entries hi ${hi} beyond last index ${this.view.lastIndex}`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.entry(index);
      bytes += entrySize(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  term(index: number): number {
    const truncated = this.view.truncated;
    if (index < truncated.index) throw new LogCompactedError(index, truncated.index + 1);
    if (index === truncated.index) return truncated.term;
    assert(index <= this.view.lastIndex, () => `term of index ${index} beyond last index ${this.view.lastIndex}`);
    return this.entry(index).term;
  }

  /** The truncated index + 1. */
  firstIndex(): number {
    return this.view.truncated.index + 1;
  }

  lastIndex(): number {
    return this.view.lastIndex;
  }

  snapshot(): Snapshot {
    return this.options.snapshot();
  }

  /** The low-water mark, as of the last committed batch. */
  truncatedState(): TruncatedState {
    return this.view.truncated;
  }

  /** Entries and bytes held by the entry cache (metrics, tests). */
  cacheStats(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.byteSize };
  }

  // ─── the write side ────────────────────────────────────────────────────────────────────────

  /**
   * Writes `entries` (contiguous, from Raft's `Ready.entries`) into `batch`, deleting every
   * persisted entry above the new last index (the conflicting suffix they replace). Entries at or
   * below the truncated index are skipped (already compacted). Asserts there is no gap after the
   * last index.
   */
  appendToBatch(batch: Batch, entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    for (let i = 1; i < entries.length; i++) assert(entries[i]!.index === entries[i - 1]!.index + 1, 'appended entries are contiguous');
    const first = this.viewFor(batch).truncated.index + 1;
    const fresh = entries[0]!.index >= first ? entries : entries.slice(first - entries[0]!.index);
    if (fresh.length === 0) return;
    const staged = this.stage(batch);
    const from = fresh[0]!.index;
    assert(from <= staged.view.lastIndex + 1, () => `missing log entries: appending ${from} after last ${staged.view.lastIndex}`);
    for (const entry of fresh) batch.put(raftLogKey(this.rangeId, entry.index), encodeEntry(entry));
    const last = fresh[fresh.length - 1]!.index;
    for (let index = last + 1; index <= staged.view.lastIndex; index++) batch.delete(raftLogKey(this.rangeId, index));
    staged.view = { ...staged.view, lastIndex: last };
    staged.changes.push({ kind: 'append', entries: fresh });
  }

  /** Writes the hard state (term, vote, commit — the high-water mark) into `batch`. */
  setHardStateInBatch(batch: Batch, hardState: HardState): void {
    const staged = this.stage(batch);
    assert(hardState.term >= staged.view.hardState.term, () => `hard state term regresses: ${hardState.term} < ${staged.view.hardState.term}`);
    batch.put(raftHardStateKey(this.rangeId), encodeHardState(hardState));
    staged.view = { ...staged.view, hardState };
  }

  /**
   * Discards the entries up to and including `index` (which must be applied, so a snapshot can
   * stand in for them) and records `{index, term}` as the truncated state — raising the log's
   * low-water mark. `term` must be the term of entry `index`. Throws `LogCompactedError` if
   * `index` is at or below the current truncated index.
   */
  truncateInBatch(batch: Batch, index: number, term: number): void {
    const truncated = this.viewFor(batch).truncated;
    if (index <= truncated.index) throw new LogCompactedError(index, truncated.index + 1);
    const staged = this.stage(batch);
    assert(index <= staged.view.lastIndex, () => `truncation at ${index} beyond last index ${staged.view.lastIndex}`);
    if (staged.changes.length === 0) assert(this.term(index) === term, () => `truncation term ${term} is not the term of entry ${index}`);
    for (let i = truncated.index + 1; i <= index; i++) batch.delete(raftLogKey(this.rangeId, i));
    batch.put(raftTruncatedStateKey(this.rangeId), encodeTruncatedState({ index, term }));
    staged.view = { ...staged.view, truncated: Object.freeze({ index, term }) };
    staged.changes.push({ kind: 'truncate', index });
  }

  /**
   * Replaces the whole log by `snapshot`'s position: deletes every entry and sets the truncated
   * state to the snapshot's index and term (the log then continues at index + 1). The state
   * machine data and the descriptor are the caller's to write. Throws `SnapshotOutOfDateError`
   * for a snapshot below the truncated index.
   */
  applySnapshotInBatch(batch: Batch, snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    const truncated = this.viewFor(batch).truncated;
    if (index < truncated.index) throw new SnapshotOutOfDateError(index, truncated.index);
    const staged = this.stage(batch);
    for (let i = truncated.index + 1; i <= staged.view.lastIndex; i++) batch.delete(raftLogKey(this.rangeId, i));
    batch.put(raftTruncatedStateKey(this.rangeId), encodeTruncatedState({ index, term }));
    staged.view = { ...staged.view, truncated: Object.freeze({ index, term }), lastIndex: index };
    staged.changes.push({ kind: 'snapshot' });
  }

  /**
   * Makes the changes staged in `batch` visible to reads. Call it once `batch` is committed to
   * the engine, before anything else reads this log (see the ordering contract above).
   */
  batchCommitted(batch: Batch): void {
    const staged = this.staged;
    if (staged === undefined) return; // nothing of this range was in the batch
    assert(staged.batch === batch, 'batchCommitted for a batch other than the staged one');
    for (const change of staged.changes) {
      switch (change.kind) {
        case 'append':
          this.cache.append(change.entries);
          break;
        case 'truncate':
          this.cache.truncateThrough(change.index);
          break;
        case 'snapshot':
          this.cache.clear();
          break;
        default:
          assertNever(change, 'staged change');
      }
    }
    this.view = staged.view;
    this.staged = undefined;
  }

  // ─── internals ─────────────────────────────────────────────────────────────────────────────

  /** The view as staged in `batch` so far (asserting no other batch is staged), without staging. */
  private viewFor(batch: Batch): LogView {
    if (this.staged === undefined) return this.view;
    assert(this.staged.batch === batch, () => `range ${this.rangeId}: a second batch was staged before the first one committed`);
    return this.staged.view;
  }

  /** Starts staging into `batch` (or continues); checks that throw typed errors come before it. */
  private stage(batch: Batch): Staged {
    if (this.staged === undefined) {
      this.staged = { batch, view: this.view, changes: [] };
      return this.staged;
    }
    assert(this.staged.batch === batch, () => `range ${this.rangeId}: a second batch was staged before the first one committed`);
    return this.staged;
  }

  /** Entry `index`, which must be within the log: from the cache, else a point read. */
  private entry(index: number): Entry {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    return this.readEntry(index);
  }

  private readEntry(index: number): Entry {
    const bytes = this.engine.get(raftLogKey(this.rangeId, index));
    if (bytes === undefined) throw new StorageError(`range ${this.rangeId}: raft log entry ${index} is missing (log ${this.firstIndex()}..${this.view.lastIndex})`);
    const entry = decodeEntry(bytes);
    if (entry.index !== index) throw new StorageError(`range ${this.rangeId}: raft log key ${index} holds entry ${entry.index}`);
    return entry;
  }

  /**
   * Reads the log's tail backwards into the cache and checks the persisted log: contiguous
   * from the truncated index + 1 to the last index, empty below it, commit within it.
   */
  private async load(): Promise<void> {
    const truncatedIndex = this.view.truncated.index;
    const upperBound = prefixEnd(raftLogPrefix(this.rangeId), keyMax);
    await this.checkNothingBelow(truncatedIndex);
    const iterator = this.engine.iterate({ lowerBound: raftLogKey(this.rangeId, truncatedIndex + 1), upperBound, reverse: true });
    const tail: Entry[] = [];
    let lastIndex = truncatedIndex;
    let bytes = 0;
    try {
      for (let kv = await iterator.next(); kv !== undefined; kv = await iterator.next()) {
        const keyIndex = logIndexOfKey(kv.key);
        const entry = decodeEntry(kv.value);
        if (entry.index !== keyIndex) throw new StorageError(`range ${this.rangeId}: raft log key ${keyIndex} holds entry ${entry.index}`);
        if (tail.length === 0) lastIndex = keyIndex;
        const expected = lastIndex - tail.length;
        if (keyIndex !== expected) throw new StorageError(`range ${this.rangeId}: raft log has a hole: found ${keyIndex}, expected ${expected}`);
        bytes += entrySize(entry);
        tail.push(entry);
        if (bytes > (this.options.cacheBytesMax ?? limits.raftLogCacheBytesMax)) break;
      }
    } finally {
      iterator.close();
    }
    // The entries past the bound are not read here; the bottom of the log must still be there.
    if (lastIndex > truncatedIndex && lastIndex - tail.length >= truncatedIndex + 1) this.readEntry(truncatedIndex + 1);
    const commit = this.view.hardState.commit;
    if (commit > lastIndex) throw new StorageError(`range ${this.rangeId}: hard state commit ${commit} beyond last index ${lastIndex}`);
    this.view = { ...this.view, lastIndex, hardState: this.commitForwardedToApplied(lastIndex) };
    this.cache.append(tail.reverse());
  }

  /**
   * The loaded hard state with its commit index forwarded to the applied index (see "The commit
   * index after a crash"); throws `StorageError` if applied entries are missing from the log.
   */
  private commitForwardedToApplied(lastIndex: number): HardState {
    const hardState = this.view.hardState;
    const applied = this.options.appliedIndex;
    if (applied === undefined) return hardState;
    const truncatedIndex = this.view.truncated.index;
    if (applied < truncatedIndex) throw new StorageError(`range ${this.rangeId}: applied index ${applied} below the truncated index ${truncatedIndex} (the log was truncated past the state machine)`);
    if (applied > lastIndex) throw new StorageError(`range ${this.rangeId}: applied index ${applied} beyond last index ${lastIndex} (applied entries are missing from the log)`);
    return applied > hardState.commit ? { ...hardState, commit: applied } : hardState;
  }

  private async checkNothingBelow(truncatedIndex: number): Promise<void> {
    const iterator = this.engine.iterate({ lowerBound: raftLogPrefix(this.rangeId), upperBound: raftLogKey(this.rangeId, truncatedIndex + 1), limit: 1 });
    try {
      const stale = await iterator.next();
      if (stale !== undefined) throw new StorageError(`range ${this.rangeId}: raft log entry ${decodeEntry(stale.value).index} below the truncated index ${truncatedIndex}`);
    } finally {
      iterator.close();
    }
  }
}

/** The index a log key ends with (8 bytes big-endian, see `raftLogKey`). */
function logIndexOfKey(key: Uint8Array): number {
  const index = new DataView(key.buffer, key.byteOffset + key.length - 8, 8).getBigUint64(0, false);
  if (index > BigInt(Number.MAX_SAFE_INTEGER)) throw new StorageError(`raft log key index ${index} out of range`);
  return Number(index);
}
