/**
 * `Clients`: what the workloads' loops share — the end of the busy phase, the operations in
 * flight (a stuck run's report lists them), and sleeping on virtual time.
 *
 * The clients live outside the node's process: they sleep on the scheduler itself, not on the
 * process's timers, which die with it (process.ts). Their operations reach the node through
 * `SimNode.run` and fail with `ProcessCrashedError` when it crashes under them.
 */
import { assert } from '../../base/assert.js';
import type { Scheduler } from '../raft/scheduler.js';
import type { Trace } from '../raft/trace.js';
import { EventKind, microsPerMs } from './env.js';

export class Clients {
  /** The busy phase is over: loops finish the operation they are in and return. */
  stopping = false;
  /** When a client last dropped a transaction it had written (abandon.ts), in virtual µs; 0: never. */
  lastAbandonedUs = 0;
  /** Operations started and not finished, with the virtual time each began. */
  private readonly inFlight = new Map<string, number>();
  /** Those of them the GC must not collect under (gc.ts `horizonUs`): all but the historical reads and the GC itself. */
  private readonly protectedInFlight = new Map<string, number>();

  constructor(
    readonly scheduler: Scheduler,
    private readonly trace: Trace,
  ) {}

  /** Resolves after `delayMs` virtual milliseconds. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) =>
      this.scheduler.schedule(Math.max(0, Math.ceil(delayMs * microsPerMs)), () => {
        this.trace.recordQuietly(this.scheduler.now, [EventKind.ClientTimer]);
        resolve();
      }),
    );
  }

  /** Ends the busy phase after `delayMs`. */
  stopAfter(delayMs: number): void {
    void this.sleep(delayMs).then(() => (this.stopping = true));
  }

  /**
   * Runs `operation`, listed as `name` while it is in flight. A `protect`ed operation (the
   * default) holds the GC threshold below the time it began: its transactions read at or above
   * it (a node's clock reads at least the wall time), as SQL's open transactions hold the store's
   * reader horizon. `name` is unique among the operations in flight.
   */
  async track<T>(name: string, operation: () => Promise<T>, protect = true): Promise<T> {
    assert(!this.inFlight.has(name), () => `two operations named ${name} in flight`);
    this.inFlight.set(name, this.scheduler.now);
    if (protect) this.protectedInFlight.set(name, this.scheduler.now);
    try {
      return await operation();
    } finally {
      this.inFlight.delete(name);
      this.protectedInFlight.delete(name);
    }
  }

  /** The virtual time the oldest protected operation in flight began (µs), or undefined if none is. */
  oldestProtectedUs(): number | undefined {
    let oldest: number | undefined;
    for (const since of this.protectedInFlight.values()) if (oldest === undefined || since < oldest) oldest = since;
    return oldest;
  }

  /** The operations still running, oldest first, as `id (since t µs)`. */
  describeInFlight(): string {
    return [...this.inFlight].map(([id, since]) => `${id} (since ${since} µs)`).join(', ') || 'none';
  }
}
