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
 */
import { ClassicLevel } from 'classic-level';
import { assert } from '../../src/base/assert.js';
import { ClosedError, StorageError } from '../../src/base/errors.js';
import { limits } from '../../src/base/limits.js';
import type { CommitOptions, Engine, EngineIterator, IterateOptions, KeyValue, Snapshot, WriteOp } from './engine.js';
import { validateOps } from './validate.js';

type Level = ClassicLevel<Uint8Array, Uint8Array>;
type LevelSnapshot = ReturnType<Level['snapshot']>;
type LevelIteratorHandle = ReturnType<Level['iterator']>;

const iteratorReadAheadMin = 4;
const iteratorReadAheadMax = 1000;

export interface LevelEngineOptions {
  /** LevelDB block cache, in bytes. */
  readonly cacheBytes?: number;
  /** LevelDB memtable size before it is flushed to a table file, in bytes. */
  readonly writeBufferBytes?: number;
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

  private constructor(
    private readonly db: Level,
    readonly path: string,
  ) {}

  /** Opens (creating if needed) the LevelDB database in folder `path`. */
  static async open(path: string, options: LevelEngineOptions = {}): Promise<LevelEngine> {
    const db: Level = new ClassicLevel<Uint8Array, Uint8Array>(path, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      cacheSize: options.cacheBytes ?? 64 * 1024 * 1024,
      writeBufferSize: options.writeBufferBytes ?? 16 * 1024 * 1024,
      compression: true,
    });
    try {
      await db.open({ createIfMissing: true });
    } catch (error) {
      throw new StorageError(`cannot open store at ${path}: ${(error as Error).message}`, { cause: error });
    }
    return new LevelEngine(db, path);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    return this.db.getSync(key);
  }

  iterate(options: IterateOptions): EngineIterator {
    this.checkOpen();
    return new LevelIterator(this.db, options, undefined);
  }

  snapshot(): Snapshot {
    this.checkOpen();
    const snapshot = this.db.snapshot();
    return new LevelEngineSnapshot(this.db, snapshot);
  }

  commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    this.checkOpen();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const bytes = validateOps(ops);
    if (this.queue.length >= limits.commitQueueBatchesMax) {
      return Promise.reject(new StorageError(`commit queue full (${limits.commitQueueBatchesMax} batches waiting)`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, bytes, sync: options.sync, resolve, reject });
      if (!this.writing) void this.writeLoop();
    });
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
    await this.db.close();
  }

  /** The single writer: drains the queue one group at a time. */
  private async writeLoop(): Promise<void> {
    assert(!this.writing, 'two writers');
    this.writing = true;
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      const sync = group.some((c) => c.sync);
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
}

class LevelEngineSnapshot implements Snapshot {
  private open = true;

  constructor(
    private readonly db: Level,
    private readonly snapshot: LevelSnapshot,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    assert(this.open, 'snapshot used after close');
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
