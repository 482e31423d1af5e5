/**
 * The simulated `Env` of a KV store: a virtual clock the scheduler advances, timers that are
 * events in the scheduler's queue (fired in `(time, sequence)` order, so in an order fixed by
 * the seed), a seeded random source, an in-memory disk and a silent logger. Nothing in here
 * reads real time or real randomness: the same seed gives the same run.
 *
 * Virtual time is in microseconds (`Scheduler` times are integers); the wall clock a node reads
 * is a fixed epoch plus virtual time, and the monotonic clock is virtual time itself. Time moves
 * only when the driver (`SimDriver`) pops the next event — a store idle on its Raft ticker jumps
 * straight to the next tick.
 */
import { assert } from '../../base/assert.js';
import { silentLogger, type Logger } from '../../base/logger.js';
import type { Disk, Env, EnvClock, RandomSource, TimerHandle, Timers } from '../../env/env.js';
import { SeededRandom } from '../../env/random.js';
import { realEnv } from '../../env/real.js';
import { Scheduler } from '../raft/scheduler.js';
import type { Trace } from '../raft/trace.js';

/** The wall-clock time at virtual time 0: 2026-01-01T00:00:00Z, in nanoseconds. */
export const simEpochNanos = 1_767_225_600_000_000_000n;

/** Microseconds of virtual time per millisecond a timer asks for. */
export const microsPerMs = 1_000;

/** Event kinds mixed into the trace hash (the first field of every record). */
export const EventKind = { Timer: 1, IteratorNext: 2, Commit: 3, Workload: 4, AfterIo: 5, Crash: 6, ClientTimer: 7 } as const;

/** The virtual clock: wall time is the epoch plus virtual time; monotonic time is virtual time. */
class SimClock implements EnvClock {
  constructor(private readonly scheduler: Scheduler) {}

  nowNanos(): bigint {
    return simEpochNanos + BigInt(this.scheduler.now) * 1_000n;
  }

  monotonicNanos(): bigint {
    return BigInt(this.scheduler.now) * 1_000n;
  }
}

/**
 * Timers as scheduler events. A cancelled timer's event stays queued and does nothing when it
 * comes due (the queue has no removal; a cleared Raft ticker or push waiter costs one no-op).
 */
class SimTimers implements Timers {
  private nextId = 1;
  private readonly live = new Set<number>();
  /** The process crashed: no timer of it fires again, and none it sets fires at all. */
  private dead = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
  ) {}

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    if (this.dead) return { id };
    this.live.add(id);
    const delay = Math.max(0, Math.ceil(delayMs * microsPerMs));
    this.scheduler.schedule(delay, () => {
      if (!this.live.delete(id)) return;
      this.trace.recordQuietly(this.scheduler.now, [EventKind.Timer, id]);
      callback();
    });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle.id);
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => void this.setTimeout(resolve, delayMs));
  }

  /** The end of this "turn": an event at the current virtual time, after those already due. */
  afterIo(callback: () => void): void {
    if (this.dead) return;
    this.scheduler.schedule(0, () => {
      if (this.dead) return;
      this.trace.recordQuietly(this.scheduler.now, [EventKind.AfterIo]);
      callback();
    });
  }

  /** The process died: its pending timers never fire (their events stay queued as no-ops). */
  kill(): void {
    this.dead = true;
    this.live.clear();
  }
}

/** A disk of in-memory files (the store keeps its data in the engine; this is for the rest). */
class SimDisk implements Disk {
  private readonly files = new Map<string, Uint8Array>();

  mkdirs(_path: string): Promise<void> {
    return Promise.resolve();
  }

  exists(path: string): Promise<boolean> {
    return Promise.resolve(this.files.has(path) || [...this.files.keys()].some((file) => file.startsWith(`${path}/`)));
  }

  readFile(path: string): Promise<Uint8Array> {
    const data = this.files.get(path);
    if (data === undefined) return Promise.reject(new Error(`ENOENT: no such simulated file ${path}`));
    return Promise.resolve(data.slice());
  }

  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    this.files.set(path, data.slice());
    return Promise.resolve();
  }

  remove(path: string): Promise<void> {
    for (const file of [...this.files.keys()]) if (file === path || file.startsWith(`${path}/`)) this.files.delete(file);
    return Promise.resolve();
  }
}

export class SimEnv implements Env {
  readonly clock: EnvClock;
  readonly timers: SimTimers;
  readonly disk: Disk = new SimDisk();
  readonly logger: Logger;

  constructor(
    readonly scheduler: Scheduler,
    readonly trace: Trace,
    readonly random: RandomSource,
    logger?: Logger,
  ) {
    this.clock = new SimClock(scheduler);
    this.timers = new SimTimers(scheduler, trace);
    this.logger = logger ?? silentLogger();
  }

  /** The process running on this env crashed: none of its timers fires again. */
  kill(): void {
    this.timers.kill();
  }
}

/** Raised when the simulated world stops making progress: every task waits and no event is left before the limit. */
export class SimStuckError extends Error {
  override readonly name = 'SimStuckError';
}

/**
 * Drives the scheduler under async code: between two events it lets every promise continuation
 * the last event made possible run (the microtask queue drains completely before a macrotask,
 * and the only macrotask pending is the driver's own — nothing in the simulation touches real
 * I/O or real timers), then pops the next event. The order of continuations is JavaScript's
 * and the order of events is the scheduler's, so the interleaving is a function of the seed.
 */
export class SimDriver {
  private readonly realTimers = realEnv({ logger: silentLogger() }).timers;

  constructor(readonly scheduler: Scheduler) {}

  /** Lets every pending continuation run (one real macrotask turn). */
  settle(): Promise<void> {
    const afterIo = this.realTimers.afterIo;
    assert(afterIo !== undefined, 'the real timers have afterIo');
    return new Promise((resolve) => afterIo.call(this.realTimers, resolve));
  }

  /**
   * Runs events until `promise` settles, and returns its outcome. Throws `SimStuckError` if
   * virtual time would pass `deadline` first (a task waiting forever: a liveness bug, or an
   * event the simulation lost).
   */
  async run<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => (settled = true));
    tracked.catch(() => undefined); // observed below; no unhandled rejection meanwhile
    for (;;) {
      await this.settle();
      if (settled) return tracked;
      if (!this.scheduler.step(deadline)) throw new SimStuckError(`${what} did not finish by virtual time ${deadline} µs (now ${this.scheduler.now} µs, ${this.scheduler.pending} events queued)`);
    }
  }
}

/**
 * The independent random streams of one seed (env, delays, workload, faults, and `clients`: the
 * abandoned transactions, the GC and the historical reads) — one stream's draws never shift
 * another's, and a stream added last leaves the draws of the others as they were.
 */
export function seedStreams(seed: number): { readonly env: SeededRandom; readonly delays: SeededRandom; readonly workload: SeededRandom; readonly faults: SeededRandom; readonly clients: SeededRandom } {
  const root = new SeededRandom(seed);
  const [env, delays, workload, faults, clients] = Array.from({ length: 5 }, () => new SeededRandom(root.uint32()));
  return { env: env!, delays: delays!, workload: workload!, faults: faults!, clients: clients! };
}
