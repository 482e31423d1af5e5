/**
 * `MemoryEngine`: the `Engine` in memory, for tests and the deterministic simulator.
 *
 * It models durability the way LevelDB provides it: an unsynced commit is visible at once but
 * lives only in the OS's buffers until a later synced commit flushes the write-ahead log.
 * `crash()` forgets every commit since the last synced one — the "disk that loses unsynced
 * writes" of FoundationDB's simulator — so tests can check that nothing acknowledged as durable
 * is ever lost. The durable image is a copy-on-write view, so keeping it costs O(1) per sync.
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
  /** Commits since the last sync, for tests that count what a crash loses. */
  private unsyncedCommits = 0;

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
      this.unsyncedCommits = 0;
    } else {
      this.unsyncedCommits++;
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

  /** How many commits a crash now would lose. */
  get unsyncedCommitCount(): number {
    return this.unsyncedCommits;
  }

  /**
   * Simulates a process crash and restart: every commit since the last synced one is lost.
   * The engine stays open, holding exactly the durable image.
   */
  crash(): void {
    this.map.restore(this.durable);
    this.unsyncedCommits = 0;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('memory engine is closed');
  }
}
