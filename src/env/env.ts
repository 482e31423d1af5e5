/**
 * `Env`: everything nondeterministic a node touches — the physical clock, timers, randomness,
 * the disk and the log sink — behind one injected interface (DESIGN.md §2.2). Cores never reach
 * for `Date.now`, `setTimeout`, `Math.random` or `fs`; they are handed an `Env`.
 *
 * Two implementations exist: `realEnv()` (this folder) for production, and the simulator's,
 * which runs a whole cluster in one process on virtual time from a seed (FoundationDB,
 * TigerBeetle's VOPR). Same seed, same run.
 */
import type { PhysicalClock } from '../../clock/physical.js';
import type { Logger } from '../base/logger.js';

/** Monotonic time for measuring durations; never goes backwards, unrelated to wall time. */
export interface MonotonicClock {
  /** Nanoseconds since an arbitrary origin. */
  monotonicNanos(): bigint;
}

export interface EnvClock extends PhysicalClock, MonotonicClock {}

/** An opaque handle for a scheduled callback. */
export interface TimerHandle {
  readonly id: number;
}

export interface Timers {
  /** Runs `callback` once after `delayMs` (at least 0). Errors thrown by it crash the node. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a pending callback; a no-op if it ran or was cancelled. */
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `delayMs`. */
  sleep(delayMs: number): Promise<void>;
  /**
   * Runs `callback` in this turn of the event loop once its I/O callbacks are done (Node's
   * `setImmediate`), so work the turn's I/O brought can be started together (the SQL listener
   * batches its connections' chunks this way). Optional: without it (simulated time), callers
   * run their work at once.
   */
  afterIo?(callback: () => void): void;
}

/** A source of randomness; seeded and reproducible in the simulator. */
export interface RandomSource {
  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number;
  /** A uniformly distributed float in [0, 1). */
  float(): number;
  /** A uniformly distributed integer in [0, bound); `bound` must be a positive safe integer. */
  int(bound: number): number;
  /** `length` random bytes. */
  bytes(length: number): Uint8Array;
}

/** The slice of a file system the node needs outside its storage engine. */
export interface Disk {
  /** Creates the folder and its parents; a no-op if it exists. */
  mkdirs(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Uint8Array>;
  /** Writes the file atomically (temp file, fsync, rename). */
  writeFileAtomic(path: string, data: Uint8Array): Promise<void>;
  /** Removes a file or folder recursively; a no-op if it does not exist. */
  remove(path: string): Promise<void>;
}

export interface Env {
  readonly clock: EnvClock;
  readonly timers: Timers;
  readonly random: RandomSource;
  readonly disk: Disk;
  readonly logger: Logger;
}
