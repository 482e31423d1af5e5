/**
 * `LevelEngine`: the `Engine` on LevelDB through `classic-level` — the only file in rangedb that
 * imports it (STYLE.md habit 14). LevelDB gives us the write-ahead log, crash recovery,
 * compaction and snapshots; this adapter adds group commit and the read-ahead iterator.
 *
 * Group commit (the singular-update-queue pattern): every `commit()` joins a FIFO queue served
 * by one writer. The writer takes everything queued — up to `groupCommitBytesMax` — and writes
 * it as ONE LevelDB batch, synced if any member asked for sync, then acknowledges them all. One
 * fsync thus pays for every writer that arrived while the previous one was on disk:
 *
 *     commit(a,sync) ─┐
 *     commit(b)      ─┼─► queue ─► writer: batch(a+b+c), fsync ─► resolve a, b, c
 *     commit(c,sync) ─┘
 *
 * Commits are applied in call order (the queue is FIFO and there is one writer), which LevelDB's
 * own thread-pool dispatch would not guarantee for concurrent `batch()` calls.
 *
 * Point reads use LevelDB's synchronous get: served from the memtable or block cache it costs a
 * few microseconds, less than the thread-pool round trip of the async call. Iterators read ahead
 * with `nextv`, doubling the batch size up to `iteratorReadAheadMax` after each seek.
 *
 * A key filter (a negative-lookup cache, `KeyFilter`) answers point reads of keys the store has
 * never held without calling LevelDB. It must hold every key LevelDB may hold, so:
 * - `commit()` adds its put keys before they are queued, hence before LevelDB can return them;
 * - at open, the filter is filled by a background scan of an explicit snapshot taken at once;
 *   it answers "maybe" for every key until that scan ends (an empty store: one `nextv` later);
 * - it starts small (`keyFilterBytesInitial`) so it stays in the CPU cache while the store is
 *   small; when it saturates (more keys added than it is sized for) it answers "maybe", and a
 *   filter twice the size is built the same way — seeded with the keys of commits queued or
 *   being written, which the scan's snapshot cannot see. Deleted keys drop out then. Doubling
 *   keeps the rescans to O(1) scanned keys per added key. At `engineKeyFilterBytesMax` it is
 *   rebuilt at the same size only if the last scan filled at most half of it, else it stays off.
 * A snapshot reads through the filter current when it was taken: every key present at that
 * moment was either in the filter's scan or added by a commit since.
 * A clean close saves the filter in the store folder and the next open takes it back instead of
 * scanning, when it provably describes the store (key-filter-file.ts).
 */
import { ClassicLevel } from 'classic-level';
import { assert } from '../../src/base/assert.js';
import { ClosedError, StorageError } from '../../src/base/errors.js';
import { limits } from '../../src/base/limits.js';
import { KeyFilter } from './key-filter.js';
import { saveKeyFilter, storeFingerprint, takeKeyFilter } from './key-filter-file.js';
import { entryPending, type CommitOptions, type Engine, type EngineIterator, type IterateOptions, type KeyValue, type Snapshot, type WriteOp } from './engine.js';
import { validateOps } from './validate.js';

type Level = ClassicLevel<Uint8Array, Uint8Array>;
type LevelSnapshot = ReturnType<Level['snapshot']>;
type LevelIteratorHandle = ReturnType<Level['iterator']>;

const iteratorReadAheadMin = 4;
const iteratorReadAheadMax = 1000;
/** Keys per `nextv` of the key filter's scan. */
const keyFilterScanBatch = 1000;
/** The key filter's first size: 1 MiB (about 840,000 keys), the L2 cache of a server core. */
const keyFilterBytesInitial = 1024 * 1024;
/**
 * LevelDB's block cache (uncompressed blocks), by default: 128 MiB, CockroachDB's default
 * `--cache`. Sized for the point reads of a store whose data blocks fit it: at 64 MiB the
 * pgbench scale-10 store (~31 MB of compressed tables, a million accounts) did not, and a random
 * `getSync` cost ~10 µs of CPU (blocks read back from the OS and uncompressed, a malloc each) where
 * at 128 MiB it costs ~7 µs — getSync was 7-10% of the select-only server's CPU. The cache is
 * filled as blocks are read: a small store never takes the memory.
 */
const blockCacheBytesDefault = 128 * 1024 * 1024;

export interface LevelEngineOptions {
  /** LevelDB block cache, in bytes; default `blockCacheBytesDefault` (128 MiB). */
  readonly cacheBytes?: number;
  /** LevelDB memtable size before it is flushed to a table file, in bytes. */
  readonly writeBufferBytes?: number;
  /** First size of the key filter, in bytes (a power of two); tests make it small. */
  readonly keyFilterBytesInitial?: number;
  /** Largest size of the key filter, in bytes; default `limits.engineKeyFilterBytesMax`. */
  readonly keyFilterBytesMax?: number;
  /** Keep the key filter across clean restarts (key-filter-file.ts); default true. */
  readonly persistKeyFilter?: boolean;
}

interface PendingCommit {
  readonly ops: readonly WriteOp[];
  readonly bytes: number;
  readonly sync: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Statistics of the group-commit queue, for benchmarks and metrics. */
export interface GroupCommitStats {
  /** LevelDB batches written. */
  readonly groups: number;
  /** `commit()` calls served. */
  readonly commits: number;
  /** Synced LevelDB batches written (fsyncs). */
  readonly syncs: number;
}

export class LevelEngine implements Engine {
  private readonly queue: PendingCommit[] = [];
  private writing = false;
  private closed = false;
  private failure: StorageError | undefined;
  private drained: (() => void) | undefined;
  private stats = { groups: 0, commits: 0, syncs: 0 };
  /** The group being written: its keys are in no LevelDB snapshot yet. */
  private writingGroup: readonly PendingCommit[] = [];
  private keyFilter: KeyFilter;
  /** The running key-filter scan, if any. */
  private keyFilterScan: Promise<void> | undefined;
  /** Keys the last key-filter scan found (Infinity: it saturated the filter). */
  private keyFilterScannedKeys = 0;

  private constructor(
    private readonly db: Level,
    readonly path: string,
    keyFilterBytesInitial: number,
    private readonly keyFilterBytesMax: number,
    restoredKeyFilter: KeyFilter | undefined,
    private readonly persistKeyFilter: boolean,
  ) {
    assert(keyFilterBytesInitial <= keyFilterBytesMax, 'key filter sizes');
    if (restoredKeyFilter === undefined) {
      this.keyFilter = this.startKeyFilter(keyFilterBytesInitial);
    } else {
      assert(restoredKeyFilter.complete && restoredKeyFilter.bytes <= keyFilterBytesMax, 'a restored key filter is complete and within bounds');
      this.keyFilter = restoredKeyFilter;
      this.keyFilterScannedKeys = restoredKeyFilter.count; // at least the keys the store holds
    }
  }

  /** Opens (creating if needed) the LevelDB database in folder `path`. */
  static async open(path: string, options: LevelEngineOptions = {}): Promise<LevelEngine> {
    const keyFilterBytesMax = options.keyFilterBytesMax ?? limits.engineKeyFilterBytesMax;
    const persistKeyFilter = options.persistKeyFilter !== false;
    // Taken (and its file removed) before LevelDB touches the folder — abstract-level starts
    // opening in its constructor: see key-filter-file.ts.
    const restored = persistKeyFilter ? await takeKeyFilter(path, keyFilterBytesMax) : undefined;
    const db: Level = new ClassicLevel<Uint8Array, Uint8Array>(path, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      cacheSize: options.cacheBytes ?? blockCacheBytesDefault,
      writeBufferSize: options.writeBufferBytes ?? 16 * 1024 * 1024,
      compression: true,
    });
    try {
      await db.open({ createIfMissing: true });
    } catch (error) {
      throw new StorageError(`cannot open store at ${path}: ${(error as Error).message}`, { cause: error });
    }
    return new LevelEngine(db, path, Math.min(options.keyFilterBytesInitial ?? keyFilterBytesInitial, keyFilterBytesMax), keyFilterBytesMax, restored, persistKeyFilter);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    if (!this.keyFilter.mayContain(key)) return undefined;
    return this.db.getSync(key);
  }

  /** Resolves when no key-filter scan runs (tests and benchmarks); says whether it answers. */
  async keyFilterSettled(): Promise<{ readonly active: boolean; readonly bytes: number }> {
    while (this.keyFilterScan !== undefined) await this.keyFilterScan;
    return { active: this.keyFilter.complete && !this.keyFilter.saturated, bytes: this.keyFilter.bytes };
  }

  iterate(options: IterateOptions): EngineIterator {
    this.checkOpen();
    return new LevelIterator(this.db, options, undefined);
  }

  snapshot(): Snapshot {
    this.checkOpen();
    const snapshot = this.db.snapshot();
    return new LevelEngineSnapshot(this.db, snapshot, this.keyFilter);
  }

  commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    this.checkOpen();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const bytes = validateOps(ops);
    if (this.queue.length >= limits.commitQueueBatchesMax) {
      return Promise.reject(new StorageError(`commit queue full (${limits.commitQueueBatchesMax} batches waiting)`));
    }
    addPutKeys(this.keyFilter, ops);
    const committed = new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, bytes, sync: options.sync, resolve, reject });
      if (!this.writing) void this.writeLoop();
    });
    // Only now: a replacement filter is seeded from the queue, which must hold `ops`.
    if (this.keyFilter.saturated) this.growKeyFilter();
    return committed;
  }

  /** Counters of the group-commit queue since open. */
  groupCommitStats(): GroupCommitStats {
    return { ...this.stats };
  }

  async approximateSize(start: Uint8Array, end: Uint8Array): Promise<number> {
    this.checkOpen();
    return this.db.approximateSize(start, end);
  }

  /** Waits for queued commits, then closes LevelDB. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.writing) await new Promise<void>((resolve) => (this.drained = resolve));
    await this.keyFilterScan;
    // Kept for the next open when it describes the store: complete, not saturated, no failed write.
    // Fingerprinted while the LOCK is still ours, and saved only if the folder is unchanged after
    // the close (key-filter-file.ts).
    const filter = this.keyFilter;
    const keep = this.persistKeyFilter && this.failure === undefined && filter.complete && !filter.saturated;
    const printWhileOpen = keep ? await storeFingerprint(this.path).catch(() => undefined) : undefined;
    await this.db.close();
    if (printWhileOpen !== undefined) {
      // A cache: if it cannot be saved, the next open scans.
      await saveKeyFilter(this.path, filter, printWhileOpen).catch(() => false);
    }
  }

  /** The single writer: drains the queue one group at a time. */
  private async writeLoop(): Promise<void> {
    assert(!this.writing, 'two writers');
    this.writing = true;
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      const sync = group.some((c) => c.sync);
      this.writingGroup = group;
      try {
        const batch = this.db.batch();
        for (const commit of group) {
          for (const op of commit.ops) {
            if (op.kind === 'put') batch.put(op.key, op.value);
            else batch.del(op.key);
          }
        }
        await batch.write({ sync });
        this.stats.groups++;
        this.stats.commits += group.length;
        if (sync) this.stats.syncs++;
        for (const commit of group) commit.resolve();
      } catch (error) {
        // An I/O failure leaves the store in an unknown state: fail this group and every later
        // commit; the node must stop (DESIGN.md §2.4).
        this.failure = new StorageError(`write failed: ${(error as Error).message}`, { cause: error });
        for (const commit of group) commit.reject(this.failure);
        for (const commit of this.queue.splice(0)) commit.reject(this.failure);
      }
      this.writingGroup = [];
    }
    this.writing = false;
    this.drained?.();
  }

  /** Takes the head of the queue and every following commit that fits the group byte budget. */
  private takeGroup(): PendingCommit[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = this.queue[count]!;
      if (count > 0 && bytes + next.bytes > limits.groupCommitBytesMax) break;
      bytes += next.bytes;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError(`store ${this.path} is closed`);
  }

  /**
   * A new key filter, seeded with the keys of every commit not yet in LevelDB, and a background
   * scan that fills it from a snapshot taken now, then marks it complete.
   */
  private startKeyFilter(bytes: number): KeyFilter {
    assert(this.keyFilterScan === undefined, 'two key-filter scans');
    const filter = new KeyFilter(bytes);
    for (const commit of this.writingGroup) addPutKeys(filter, commit.ops);
    for (const commit of this.queue) addPutKeys(filter, commit.ops);
    const snapshot = this.db.snapshot();
    this.keyFilterScan = this.scanIntoKeyFilter(filter, snapshot).finally(() => {
      this.keyFilterScan = undefined;
      if (this.keyFilter.saturated) this.growKeyFilter(); // filled during its scan
    });
    return filter;
  }

  /**
   * Replaces a saturated key filter by one twice its size, or at the largest size by a fresh one
   * if the store's keys filled at most half of it; not while a scan runs (it calls back).
   */
  private growKeyFilter(): void {
    assert(this.keyFilter.saturated, 'only a saturated key filter is replaced');
    if (this.keyFilterScan !== undefined || this.closed) return;
    const bytes = this.keyFilter.bytes;
    if (bytes < this.keyFilterBytesMax) this.keyFilter = this.startKeyFilter(Math.min(bytes * 2, this.keyFilterBytesMax));
    else if (this.keyFilterScannedKeys <= this.keyFilter.capacity / 2) this.keyFilter = this.startKeyFilter(bytes);
  }

  /** Fills `filter` from `snapshot`, then marks it complete; see the header. */
  private async scanIntoKeyFilter(filter: KeyFilter, snapshot: LevelSnapshot): Promise<void> {
    try {
      const scanned = await this.scanKeys(filter, snapshot);
      if (scanned === undefined) return; // closed first
      this.keyFilterScannedKeys = filter.saturated ? Infinity : scanned;
      if (!filter.saturated) filter.markComplete();
    } catch {
      // The filter is a cache: left incomplete it answers "maybe" and every read goes to
      // LevelDB, which reports any I/O failure itself.
    } finally {
      await snapshot.close();
    }
  }

  /** Adds every key of `snapshot` to `filter`: the count, or undefined if the engine closed first. */
  private async scanKeys(filter: KeyFilter, snapshot: LevelSnapshot): Promise<number | undefined> {
    const keys = this.db.keys({ snapshot });
    try {
      let scanned = 0;
      for (;;) {
        if (this.closed) return undefined;
        const batch = await keys.nextv(keyFilterScanBatch);
        for (const key of batch) filter.add(key);
        scanned += batch.length;
        // Only an empty answer ends the scan: `nextv` may return fewer keys than asked for.
        if (batch.length === 0 || filter.saturated) return scanned;
      }
    } finally {
      await keys.close();
    }
  }
}

/** Adds the keys `ops` put to `filter` (deleted keys may stay in it: it only over-reports). */
function addPutKeys(filter: KeyFilter, ops: readonly WriteOp[]): void {
  for (const op of ops) if (op.kind === 'put') filter.add(op.key);
}

class LevelEngineSnapshot implements Snapshot {
  private open = true;

  constructor(
    private readonly db: Level,
    private readonly snapshot: LevelSnapshot,
    private readonly keyFilter: KeyFilter,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    assert(this.open, 'snapshot used after close');
    if (!this.keyFilter.mayContain(key)) return undefined;
    return this.db.getSync(key, { snapshot: this.snapshot });
  }

  iterate(options: IterateOptions): EngineIterator {
    assert(this.open, 'snapshot used after close');
    return new LevelIterator(this.db, options, this.snapshot);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    void this.snapshot.close();
  }
}

/** Read-ahead iterator: `nextv` batches that grow after each seek. */
class LevelIterator implements EngineIterator {
  private readonly handle: LevelIteratorHandle;
  private buffer: (readonly [Uint8Array, Uint8Array])[] = [];
  private position = 0;
  private readAhead = iteratorReadAheadMin;
  private exhausted = false;
  private closed = false;

  constructor(db: Level, options: IterateOptions, snapshot: LevelSnapshot | undefined) {
    this.handle = db.iterator({
      gte: options.lowerBound,
      lt: options.upperBound,
      reverse: options.reverse === true,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(snapshot === undefined ? {} : { snapshot }),
    });
  }

  async next(): Promise<KeyValue | undefined> {
    assert(!this.closed, 'iterator used after close');
    if (this.position >= this.buffer.length) {
      if (this.exhausted) return undefined;
      this.buffer = (await this.handle.nextv(this.readAhead)) as (readonly [Uint8Array, Uint8Array])[];
      this.position = 0;
      this.readAhead = Math.min(this.readAhead * 2, iteratorReadAheadMax);
      // Only an empty answer ends the iteration: `nextv` may return fewer entries than asked
      // for when they exceed its byte budget (abstract-level's contract).
      if (this.buffer.length === 0) {
        this.exhausted = true;
        return undefined;
      }
    }
    const [key, value] = this.buffer[this.position++]!;
    return { key, value };
  }

  /** The next buffered entry; `entryPending` when the buffer is spent and `nextv` must refill it. */
  tryNext(): KeyValue | undefined | typeof entryPending {
    assert(!this.closed, 'iterator used after close');
    if (this.position >= this.buffer.length) return this.exhausted ? undefined : entryPending;
    const [key, value] = this.buffer[this.position++]!;
    return { key, value };
  }

  seek(target: Uint8Array): void {
    assert(!this.closed, 'iterator used after close');
    this.handle.seek(target);
    this.buffer = [];
    this.position = 0;
    this.exhausted = false;
    this.readAhead = iteratorReadAheadMin;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.handle.close();
  }
}
