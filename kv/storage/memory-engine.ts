/**
 * `MemoryEngine`: the `Engine` in memory, for tests and the deterministic simulator.
 *
 * It models durability the way LevelDB provides it: an unsynced commit is visible at once but
 * lives only in the OS's buffers until a later synced commit flushes the write-ahead log.
 * `crash()` forgets every commit since the last synced one — the "disk that loses unsynced
 * writes" of FoundationDB's simulator — so tests can check that nothing acknowledged as durable
 * is ever lost. The durable image is a copy-on-write view, so keeping it costs O(1) per sync.
 *
 * What a crash keeps is always a *prefix* of the commit sequence that contains every synced
 * commit: LevelDB appends each batch to one write-ahead log file, in commit order, as one
 * checksummed record, and recovery replays the records up to the first torn one. How long the
 * prefix is depends on the crash: a killed process (kill -9) loses nothing it handed to the OS —
 * every commit that returned survives, synced or not — while a power loss keeps the synced ones
 * and whatever part of the rest the OS had written back. `crash({ unsyncedKept })` picks the
 * prefix, so a test can walk the whole matrix (see test/kv/replica/crash-matrix.test.ts). The
 * commits since the last sync are kept as their op lists for that (dropped at each sync).
 */
import { assert } from '../../src/base/assert.js';
import { ClosedError } from '../../src/base/errors.js';
import type { CommitOptions, Engine, EngineIterator, IterateOptions, Snapshot, WriteOp } from './engine.js';
import { SortedMap, type SortedMapView } from './sorted-map.js';
import { ViewIterator } from './view-iterator.js';
import { validateOps } from './validate.js';

export class MemoryEngine implements Engine {
  private readonly map = new SortedMap();
  private durable: SortedMapView = this.map.view();
  private closed = false;
  /** The op lists of the commits since the last sync, oldest first: what a crash may lose. */
  private unsynced: (readonly WriteOp[])[] = [];

  get(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    return this.map.get(key);
  }

  iterate(options: IterateOptions): EngineIterator {
    this.checkOpen();
    return new ViewIterator(this.map.view(), options);
  }

  snapshot(): Snapshot {
    this.checkOpen();
    const view = this.map.view();
    let open = true;
    return {
      get: (key) => {
        assert(open, 'snapshot used after close');
        return view.get(key);
      },
      iterate: (options) => {
        assert(open, 'snapshot used after close');
        return new ViewIterator(view, options);
      },
      close: () => {
        open = false;
      },
    };
  }

  commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    this.checkOpen();
    validateOps(ops);
    for (const op of ops) {
      if (op.kind === 'put') this.map.set(op.key, op.value);
      else this.map.delete(op.key);
    }
    if (options.sync) {
      this.durable = this.map.view();
      this.unsynced = [];
    } else {
      this.unsynced.push(ops.slice()); // the caller may reuse its array
    }
    return Promise.resolve();
  }

  approximateSize(start: Uint8Array, end: Uint8Array): Promise<number> {
    this.checkOpen();
    return Promise.resolve(this.map.view().bytesInSpan(start, end));
  }

  /** The number of entries (tests). */
  get size(): number {
    return this.map.size;
  }

  /** How many commits a crash now would lose (with the default `unsyncedKept: 0`). */
  get unsyncedCommitCount(): number {
    return this.unsynced.length;
  }

  /**
   * Simulates a crash and restart. The engine stays open, holding every synced commit and the
   * first `unsyncedKept` of the commits since the last synced one (default 0: a power loss
   * before the OS wrote anything back; `'all'`: a killed process, whose writes the OS keeps).
   * Whatever is kept becomes the durable image: the restarted process cannot lose it again.
   */
  crash(options: { readonly unsyncedKept?: number | 'all' } = {}): void {
    const kept = options.unsyncedKept ?? 0;
    assert(kept === 'all' || (Number.isSafeInteger(kept) && kept >= 0 && kept <= this.unsynced.length), () => `cannot keep ${String(kept)} of ${this.unsynced.length} unsynced commits`);
    const survivors = kept === 'all' ? this.unsynced : this.unsynced.slice(0, kept);
    this.map.restore(this.durable);
    for (const ops of survivors) {
      for (const op of ops) {
        if (op.kind === 'put') this.map.set(op.key, op.value);
        else this.map.delete(op.key);
      }
    }
    this.durable = this.map.view();
    this.unsynced = [];
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('memory engine is closed');
  }
}
