/**
 * `SimEngine`: a `MemoryEngine` whose asynchronous operations complete after seeded virtual
 * delays, so concurrent requests interleave differently per seed. Point reads stay synchronous
 * (the `Engine` contract: callers rely on them not yielding).
 *
 * - `iterate(...).next()` resolves after a delay: a scan pauses between two keys while writers
 *   evaluate, propose and apply around it — the interleaving that hid the bank bug fixed in
 *   0a1b26d (a scan between a key's record and its lock-table entry while a writer resolved it).
 * - `commit()` applies its ops when its event comes due, not when it is called (the contract
 *   only promises visibility once the promise resolves, as LevelDB's), and commits complete in
 *   call order (one write-ahead log): a commit's event is never before the previous one's.
 *
 * `close()` closes this wrapper, not the engine under it. `kill()` is the process dying (process.ts):
 * commits not yet due never land and never resolve, iterator steps never resolve, and nothing
 * the dead process might still call reaches the `MemoryEngine` — which the simulation then
 * crashes (dropping unsynced commits) and opens a new store over, through a new `SimEngine`.
 */
import { assert } from '../../base/assert.js';
import { ClosedError } from '../../base/errors.js';
import type { RandomSource } from '../../env/env.js';
import type { CommitOptions, Engine, EngineIterator, IterateOptions, KeyValue, Reader, Snapshot, WriteOp } from '../../../kv/storage/engine.js';
import type { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import type { Scheduler } from '../raft/scheduler.js';
import type { Trace } from '../raft/trace.js';
import { EventKind } from './env.js';

/** The delay profile of a run, in microseconds of virtual time (drawn from the seed). */
export interface EngineDelays {
  /** Longest delay of one iterator step; 0 completes every step at the current time (still an event). */
  readonly iteratorStepMaxUs: number;
  /** Longest delay of one commit (the write-ahead log append, and its fsync when synced) beyond its minimum. */
  readonly commitMaxUs: number;
  /**
   * The least a synced commit takes (an fsync), and an unsynced one (a log append): virtual time
   * must move with the work, or a busy store would run forever at one instant.
   */
  readonly syncMinUs: number;
  readonly appendMinUs: number;
  /** Chance (0–1) that a step or commit gets no delay at all: long runs of quick steps with a rare slow one. */
  readonly zeroDelayChance: number;
}

/** Where an armed crash strikes (`SimEngine.armCrash`). */
export interface CommitCrash {
  /** At the next commit, or the next unsynced one (which leaves writes only a power loss can take). */
  readonly at: 'any' | 'unsynced';
  /** Whether that commit reaches the engine (the OS has it) before the process dies. */
  readonly lands: boolean;
}

export class SimEngine implements Engine {
  private closed = false;
  /** The process crashed: whatever it had in flight here is gone. */
  private dead = false;
  /** A crash waiting for its commit (`armCrash`). */
  private armed: (CommitCrash & { readonly crash: () => void }) | undefined;
  /** Virtual time of the last commit's completion: the next one does not complete before it. */
  private lastCommitAt = 0;
  private nextIteratorId = 1;
  private nextCommitId = 1;

  constructor(
    readonly inner: MemoryEngine,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomSource,
    private readonly delays: EngineDelays,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    return this.inner.get(key);
  }

  iterate(options: IterateOptions): EngineIterator {
    this.checkOpen();
    return this.delayed(this.inner.iterate(options));
  }

  snapshot(): Snapshot {
    this.checkOpen();
    const snapshot = this.inner.snapshot();
    const reader: Reader = snapshot;
    return {
      get: (key) => reader.get(key),
      iterate: (options) => this.delayed(reader.iterate(options)),
      close: () => snapshot.close(),
    };
  }

  commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    this.checkOpen();
    const copy = ops.slice(); // the caller may reuse its array once the call returns
    const id = this.nextCommitId++;
    const at = Math.max(this.lastCommitAt, this.scheduler.now + (options.sync ? this.delays.syncMinUs : this.delays.appendMinUs) + this.draw(this.delays.commitMaxUs));
    this.lastCommitAt = at;
    return new Promise((resolve, reject) => {
      this.scheduler.schedule(at - this.scheduler.now, () => {
        if (this.dead) return; // the process died before its write reached the log
        const first = copy[0];
        this.trace.recordQuietly(this.scheduler.now, [EventKind.Commit, id, copy.length, options.sync ? 1 : 0]);
        if (first !== undefined) this.trace.mixBytes(first.key);
        const armed = this.armed;
        const dies = armed !== undefined && (armed.at === 'any' || !options.sync);
        if (dies && !armed.lands) return this.die(armed);
        const landed = this.inner.commit(copy, options);
        if (dies) return this.die(armed);
        landed.then(resolve, reject);
      });
    });
  }

  approximateSize(start: Uint8Array, end: Uint8Array): Promise<number> {
    this.checkOpen();
    return this.inner.approximateSize(start, end);
  }

  /**
   * Arms a crash at the next commit `crash.at` names: `crash()` runs inside that commit's event,
   * after the commit landed in the engine or instead of it (`crash.lands`), and the commit's
   * caller never hears back. `crash()` is expected to kill this engine.
   */
  armCrash(crash: CommitCrash, onCrash: () => void): void {
    assert(this.armed === undefined && !this.dead, 'one crash at a time, on a live process');
    this.armed = { ...crash, crash: onCrash };
  }

  /** Disarms the armed crash, if it has not happened. */
  disarmCrash(): void {
    this.armed = undefined;
  }

  private die(armed: { readonly crash: () => void }): void {
    this.armed = undefined;
    armed.crash();
    assert(this.dead, 'a crash at a commit kills the engine');
  }

  /** The process died: nothing it has in flight here completes, and it may not touch the engine again. */
  kill(): void {
    this.dead = true;
  }

  /** Closes this view of the engine; the `MemoryEngine` stays open for a restart. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private delayed(inner: EngineIterator): EngineIterator {
    const id = this.nextIteratorId++;
    let steps = 0;
    return {
      next: (): Promise<KeyValue | undefined> =>
        new Promise((resolve, reject) => {
          const step = ++steps;
          if (this.dead) return;
          this.scheduler.schedule(this.draw(this.delays.iteratorStepMaxUs), () => {
            if (this.dead) return;
            this.trace.recordQuietly(this.scheduler.now, [EventKind.IteratorNext, id, step]);
            inner.next().then(resolve, reject);
          });
        }),
      seek: (target) => inner.seek(target),
      close: () => inner.close(),
    };
  }

  private draw(maxUs: number): number {
    if (maxUs === 0 || this.random.float() < this.delays.zeroDelayChance) return 0;
    return this.random.int(maxUs + 1);
  }

  private checkOpen(): void {
    assert(!this.dead, 'a crashed process touched the engine');
    if (this.closed) throw new ClosedError('simulated engine is closed');
  }
}

