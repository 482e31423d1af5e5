/**
 * The storage engine interface: an ordered map of byte keys to byte values with consistent
 * snapshots and atomic write batches — everything MVCC, the Raft log and the range state machine
 * need from a disk, and nothing more.
 *
 * Two implementations: `LevelEngine` (LevelDB through classic-level; the write-ahead log and
 * group commit of the real node) and `MemoryEngine` (tests and the simulator; it can forget
 * every unsynced write to simulate a crash).
 *
 * Contracts shared by both:
 * - Keys compare bytewise (unsigned, shorter-is-smaller on a common prefix).
 * - Arrays passed in are not retained after the call returns, except by `WriteBatch`, which
 *   keeps references until it is committed: do not mutate them until then. Arrays handed out
 *   (values, iterator entries) must not be mutated by the caller.
 * - Point reads are synchronous: LevelDB serves them from its memtable, block cache or one file
 *   read, and a thread-pool round trip would cost more than the read itself. Iteration is
 *   asynchronous and reads ahead in batches.
 * - A `Reader` obtained from `snapshot()` sees the engine as of that call, whatever is committed
 *   later; reading the engine itself sees every commit that has resolved.
 */

/** One entry of the map. */
export interface KeyValue {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface IterateOptions {
  /** Inclusive lower bound. */
  readonly lowerBound: Uint8Array;
  /** Exclusive upper bound. */
  readonly upperBound: Uint8Array;
  /** Iterate from the upper bound down. */
  readonly reverse?: boolean;
  /** Most entries to return (a seek does not reset the count). Default: no limit. */
  readonly limit?: number;
}

/** `EngineIterator.tryNext`'s answer when only an awaited `next()` can produce the next entry. */
export const entryPending: unique symbol = Symbol('entryPending');

/**
 * An iterator over `[lowerBound, upperBound)` of one consistent view. It must be closed.
 * `next()` calls must not overlap (await each before the next).
 */
export interface EngineIterator {
  /** The next entry in iteration order, or undefined past the last one. */
  next(): Promise<KeyValue | undefined>;
  /**
   * The next entry (or undefined past the last one) if the iterator has it at hand — in
   * LevelDB's read-ahead buffer, or an in-memory view — without I/O; otherwise `entryPending`,
   * the iterator unmoved, and the caller awaits `next()`. Optional: a scan steps through its
   * buffered entries without a promise and a microtask per entry (the per-key cost of a
   * whole-table scan was mostly promise machinery and its garbage), and falls back to `next()`.
   */
  tryNext?(): KeyValue | undefined | typeof entryPending;
  /**
   * Repositions the iterator. Forward: the next entry is the first with key ≥ `target`.
   * Reverse: the next entry is the last with key ≤ `target`. Bounds still apply.
   */
  seek(target: Uint8Array): void;
  close(): void;
}

export interface Reader {
  /** The value at `key`, or undefined. */
  get(key: Uint8Array): Uint8Array | undefined;
  /** An iterator over a span; see `EngineIterator`. */
  iterate(options: IterateOptions): EngineIterator;
}

/** A consistent read-only view; release it with `close()`. */
export interface Snapshot extends Reader {
  close(): void;
}

/** One buffered mutation. */
export type WriteOp =
  | { readonly kind: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly key: Uint8Array };

export interface CommitOptions {
  /**
   * Wait until the batch is on stable storage (fsync of the write-ahead log). Committing a
   * synced batch also makes every earlier unsynced batch durable, as LevelDB's log is ordered.
   */
  readonly sync: boolean;
}

export interface Engine extends Reader {
  /** A consistent view of the engine as of now. */
  snapshot(): Snapshot;
  /**
   * Applies `ops` atomically: after the promise resolves every op is visible to reads, and if
   * the process crashes either all or none of them survive (none only if `sync` was false).
   * A rejection is an I/O failure: the caller must treat the node's state as unknown.
   */
  commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void>;
  /** An estimate of the bytes stored for keys in `[start, end)`. */
  approximateSize(start: Uint8Array, end: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/**
 * Bytewise comparison of keys: negative, zero or positive. A plain loop — keys are short and
 * usually differ early, and it runs 3–4× faster than `Buffer.compare`, whose native call costs
 * more than the comparison (measured: ~40 ns against ~160 ns for 14-byte keys).
 */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const length = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < length; i++) {
    const difference = a[i]! - b[i]!;
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** A reader that buffers writes: what MVCC operations and command evaluation write into. */
export interface ReadWriter extends Reader {
  put(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
}
