/**
 * `SimNode`: the simulated node's process, which can crash and restart (FoundationDB's simulated
 * machine reboot). A process is a `SimEnv` (its timers) and a `SimEngine` (its view of the disk)
 * with the `Kv` that `openKv` — the production start-up path — built on them.
 *
 * A crash, at one event:
 * 1. kills the process: its timers never fire again and its engine calls in flight never
 *    complete (`SimEnv.kill`, `SimEngine.kill`), so none of its code runs again — its promises
 *    are left pending for ever, as a dead process's are;
 * 2. fails every workload operation running on it with `ProcessCrashedError` (a client whose
 *    connection dropped: the outcome of a commit in flight is unknown);
 * 3. crashes the `MemoryEngine` under it, keeping the synced commits and a seeded prefix of the
 *    rest (`MemoryEngine.crash`: none, all, or some);
 * 4. opens a new process on what survived, through `openKv`: the store reloads its range
 *    descriptors, replays its Raft logs from the applied index, and finds the dead transactions'
 *    records and intents where they were — the restart code of a real node, not a copy.
 * Operations started during the restart wait for the new process.
 */
import { assert } from '../../base/assert.js';
import type { RandomSource } from '../../env/env.js';
import type { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { openKv, type Kv } from '../../node/kv.js';
import type { Scheduler } from '../raft/scheduler.js';
import type { Trace } from '../raft/trace.js';
import { SimEngine, type CommitCrash, type EngineDelays } from './engine.js';
import { EventKind, SimEnv } from './env.js';

/** The process a workload operation ran on crashed before the operation finished. */
export class ProcessCrashedError extends Error {
  override readonly name = 'ProcessCrashedError';
}

/** How the process dies: at which commit (engine.ts `CommitCrash`), and what the disk keeps. */
export interface CrashPlan extends CommitCrash {
  /** How many of the `unsynced` commits since the last sync survive (0 to `unsynced`). */
  readonly keep: (unsynced: number) => number;
}

interface SimProcess {
  readonly generation: number;
  /** True once it crashed. */
  dead: boolean;
  readonly env: SimEnv;
  readonly engine: SimEngine;
  readonly kv: Kv;
  /** Rejects with `ProcessCrashedError` when the process dies. */
  readonly died: Promise<never>;
  readonly kill: () => void;
}

export interface SimNodeConfig {
  readonly memory: MemoryEngine;
  readonly scheduler: Scheduler;
  readonly trace: Trace;
  /** The env's random stream (the store's), and the engine's delay stream: shared by every process. */
  readonly envRandom: RandomSource;
  readonly delayRandom: RandomSource;
  readonly delays: EngineDelays;
  readonly maxClockOffsetMs: number;
  /** Receives every store failure (a dead process's too: none of its code should run at all). */
  readonly onFatal: (error: unknown) => void;
}

export class SimNode {
  private current: Promise<SimProcess> | undefined;
  private generation = 0;
  /** Crashes so far. */
  crashes = 0;

  constructor(private readonly config: SimNodeConfig) {}

  /** Starts the first process (or the next, after a crash). */
  start(): Promise<Kv> {
    assert(this.current === undefined, 'the node is already running');
    const opening = this.openProcess();
    this.current = opening;
    return opening.then((process) => process.kv);
  }

  /**
   * Runs `operation` on the live process (waiting out a restart). If the process crashes before
   * the operation settles, the returned promise rejects with `ProcessCrashedError` while the
   * operation itself stays pending for ever, with its process.
   */
  async run<T>(operation: (kv: Kv) => Promise<T>): Promise<T> {
    assert(this.current !== undefined, 'the node was never started');
    const process = await this.current;
    return Promise.race([operation(process.kv), process.died]);
  }

  /**
   * Crashes the live process at the next engine commit `plan.at` names — or when `timeout`
   * resolves, if no such commit came (an idle store) — keeping the first `plan.keep(unsynced)`
   * of the engine's commits since its last sync, and starts the next process. Resolves once it
   * is open.
   */
  async crash(plan: CrashPlan, timeout: Promise<void>): Promise<void> {
    assert(this.current !== undefined, 'the node was never started');
    const process = await this.current;
    const struck = new Promise<void>((resolve) => process.engine.armCrash(plan, () => (this.crashNow(process, plan, 'at a commit'), resolve())));
    await Promise.race([struck, timeout]);
    if (!process.dead) {
      process.engine.disarmCrash();
      this.crashNow(process, plan, 'on a timer');
    }
    await this.current;
  }

  /** Kills `process`, crashes the disk under it and starts the next process (all in this event). */
  private crashNow(process: SimProcess, plan: CrashPlan, where: string): void {
    const { memory, scheduler, trace } = this.config;
    const unsynced = memory.unsyncedCommitCount;
    const kept = plan.keep(unsynced);
    assert(Number.isSafeInteger(kept) && kept >= 0 && kept <= unsynced, () => `cannot keep ${kept} of ${unsynced} unsynced commits`);
    this.crashes++;
    trace.record(scheduler.now, [EventKind.Crash, process.generation, unsynced, kept], () => `crash of process ${process.generation} ${where}: ${kept} of ${unsynced} unsynced commits kept`);
    process.kill();
    memory.crash({ unsyncedKept: kept });
    this.current = this.openProcess();
  }

  /** Closes the live process cleanly (the end of a run). */
  async close(): Promise<void> {
    if (this.current === undefined) return;
    const process = await this.current;
    await process.kv.close();
  }

  private async openProcess(): Promise<SimProcess> {
    const { memory, scheduler, trace, envRandom, delayRandom, delays, maxClockOffsetMs, onFatal } = this.config;
    const generation = ++this.generation;
    const env = new SimEnv(scheduler, trace, envRandom);
    const engine = new SimEngine(memory, scheduler, trace, delayRandom, delays);
    const kv = await openKv({ engine, env, onFatal, maxClockOffsetNanos: BigInt(maxClockOffsetMs) * 1_000_000n });
    let die: (error: Error) => void = () => undefined;
    const died = new Promise<never>((_resolve, reject) => (die = reject));
    died.catch(() => undefined); // raced by every operation; unobserved when none ran
    const process: SimProcess = {
      generation,
      dead: false,
      env,
      engine,
      kv,
      died,
      kill: () => {
        process.dead = true;
        env.kill();
        engine.kill();
        die(new ProcessCrashedError(`process ${generation} crashed`));
      },
    };
    return process;
  }
}
