/**
 * One simulated run of a KV store from a seed: a `Store` (through `openKv`) on a `SimEngine`
 * over a `MemoryEngine`, under a `SimEnv`, running the bank workload (bank.ts) — concurrent
 * transfers, a scanner checking the invariants after every scan, splits and merges of the
 * account ranges — then the final check of every acknowledged transfer. Any violation, any
 * store failure, and any task still waiting long after the workload stopped (a liveness bug)
 * throws a `KvSimFailure` naming the seed, the profile, the replay command and the trace tail;
 * the same seed replays the same run (`KvSimResult.hash`).
 */
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import type { RandomSource } from '../../env/env.js';
import { SeededRandom } from '../../env/random.js';
import { Scheduler } from '../raft/scheduler.js';
import { Trace } from '../raft/trace.js';
import { BankSim, type BankStats } from './bank.js';
import { Clients } from './clients.js';
import { GcSim, type GcStats } from './gc.js';
import { SimDriver, seedStreams } from './env.js';
import { defaultDurationMs, describeOptions, optionsForSeed, type KvSimOptions } from './options.js';
import { SimNode, type CrashPlan } from './process.js';
import { RegisterSim, type RegisterStats } from './registers.js';
import { SnapshotSim, type SnapshotStats } from './snapshots.js';

/** Virtual time a run may take past its busy phase to finish the transfers and scans it started. */
export const settleMsMax = 120_000;

export interface KvSimResult {
  readonly seed: number;
  /** The running hash of every event: equal for two runs of one seed. */
  readonly hash: string;
  readonly events: number;
  readonly steps: number;
  /** Virtual time at the end, in microseconds. */
  readonly virtualTimeUs: number;
  readonly stats: BankStats;
  /** The register workload's, when it ran. */
  readonly registers: RegisterStats | undefined;
  /** The GC's, when it ran (gc.ts). */
  readonly gc: GcStats | undefined;
  /** The historical reads', when they ran (snapshots.ts). */
  readonly snapshots: SnapshotStats | undefined;
  /** Crashes and restarts of the node. */
  readonly crashes: number;
}

/** A run that broke an invariant (or stalled, or failed the store): everything needed to replay it. */
export class KvSimFailure extends Error {
  override readonly name = 'KvSimFailure';
  constructor(
    readonly seed: number,
    readonly error: unknown,
    readonly report: string,
  ) {
    super(report, { cause: error });
  }
}

/** Fields of a profile to force over the one drawn from the seed. */
export type KvProfileOverrides = Partial<Omit<KvSimOptions, 'delays' | 'seed'>> & { readonly delays?: Partial<KvSimOptions['delays']> };

export interface KvSeedRun {
  /** The busy phase, in virtual milliseconds (default `defaultDurationMs`). */
  readonly durationMs?: number;
  /** Receives every trace line as it happens (for replaying one seed). */
  readonly traceSink?: (line: string) => void;
  /** Knobs to force over the seed's profile (`delays` merges field by field). */
  readonly overrides?: KvProfileOverrides;
}

/** Runs one seed with the profile drawn for it. */
export function simulateKvSeed(seed: number, run: KvSeedRun = {}): Promise<KvSimResult> {
  const streams = seedStreams(seed);
  const durationMs = run.durationMs ?? defaultDurationMs;
  const drawn = optionsForSeed(seed, streams, durationMs);
  const overrides = run.overrides ?? {};
  const replay = `--seed ${seed}${durationMs === defaultDurationMs ? '' : ` --duration ${durationMs}`}${Object.keys(overrides).length === 0 ? '' : ` --profile '${profileJson(overrides)}'`}`;
  return simulateKv({ ...drawn, ...overrides, delays: { ...drawn.delays, ...overrides.delays } }, run.traceSink, replay);
}

/** A profile override as the CLI's `--profile` reads it (bigints as decimal strings). */
export function profileJson(overrides: KvProfileOverrides): string {
  return JSON.stringify(overrides, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

/** `replay`: the CLI arguments that rerun this run (default: its seed and duration; a profile forced over the seed's needs `--profile`). */
export async function simulateKv(options: KvSimOptions, traceSink?: (line: string) => void, replay?: string): Promise<KvSimResult> {
  const streams = seedStreams(options.seed);
  const scheduler = new Scheduler();
  const trace = new Trace(traceSink);
  const driver = new SimDriver(scheduler);
  const fatal: unknown[] = [];
  const deadline = (options.durationMs + settleMsMax) * 1_000;
  const node = new SimNode({
    memory: new MemoryEngine(),
    scheduler,
    trace,
    envRandom: streams.env,
    delayRandom: streams.delays,
    delays: options.delays,
    maxClockOffsetMs: options.maxClockOffsetMs,
    onFatal: (error) => void fatal.push(error),
  });
  const clients = new Clients(scheduler, trace);
  try {
    await driver.run(node.start(), deadline, 'opening the store');
    const bank = new BankSim(node, options, trace, clients, streams.workload);
    const registerOptions = { registers: options.registers, clients: options.registerClients, txnsMax: options.transfersMax, abandonChance: options.abandonChance, abandonHoldMsMax: options.abandonHoldMsMax };
    const registers = options.registers === 0 ? undefined : new RegisterSim(node, registerOptions, trace, clients, new SeededRandom(streams.faults.uint32()));
    const gc = options.gcTtlMs === 0 ? undefined : new GcSim(node, clients, trace, { ttlMs: options.gcTtlMs, everyMs: options.gcEveryMs }, new SeededRandom(streams.clients.uint32()));
    const snapshots = registers === undefined || !options.historicalReads ? undefined : new SnapshotSim(node, clients, trace, options.registers, gc, new SeededRandom(streams.clients.uint32()));
    const workloads = { bank, registers, gc, snapshots };
    const { stats, registerStats } = await driver.run(runWorkloads(node, clients, workloads, options, streams.faults), deadline, 'the workloads');
    if (fatal.length > 0) throw fatal[0];
    await driver.run(node.close(), deadline, 'closing the store');
    if (fatal.length > 0) throw fatal[0];
    return { seed: options.seed, hash: trace.hash(), events: trace.events, steps: scheduler.steps, virtualTimeUs: scheduler.now, stats, registers: registerStats, gc: gc?.stats(), snapshots: snapshots?.stats(), crashes: node.crashes };
  } catch (error) {
    const cause = fatal.length > 0 && error !== fatal[0] ? `${describeError(error)}\nstore failure: ${describeError(fatal[0])}` : describeError(error);
    const report = [
      `seed ${options.seed} FAILED at virtual time ${scheduler.now} µs after ${scheduler.steps} steps (${node.crashes} crashes): ${cause}`,
      `profile: ${describeOptions(options)}`,
      `workload operations in flight: ${clients.describeInFlight()}`,
      `replay: npm run sim:kv -- ${replay ?? `--seed ${options.seed}${options.durationMs === defaultDurationMs ? '' : ` --duration ${options.durationMs}`}`} --trace`,
      `trace hash ${trace.hash()}, last events:`,
      trace.renderTail(),
    ].join('\n');
    throw new KvSimFailure(options.seed, error, report);
  }
}

/** What runs against the node: the bank always, the rest as the profile says. */
interface Workloads {
  readonly bank: BankSim;
  readonly registers: RegisterSim | undefined;
  readonly gc: GcSim | undefined;
  readonly snapshots: SnapshotSim | undefined;
}

/**
 * The busy phase — the workloads' loops, the GC and the crashes — then, once every loop returned,
 * the GC's final sweep and each workload's final check. A loop that throws ends the busy phase
 * for all.
 */
async function runWorkloads(node: SimNode, clients: Clients, workloads: Workloads, options: KvSimOptions, faults: RandomSource): Promise<{ readonly stats: BankStats; readonly registerStats: RegisterStats | undefined }> {
  const { bank, registers, gc, snapshots } = workloads;
  await bank.init();
  await registers?.init();
  clients.stopAfter(options.durationMs);
  const loops = [...bank.loops(), ...(registers?.loops() ?? []), ...(gc === undefined ? [] : [gc.loop()]), ...(snapshots === undefined ? [] : [snapshots.loop()]), crashLoop(node, clients, options, faults)];
  const outcomes = await Promise.allSettled(loops.map((loop) => loop.catch((error: unknown) => ((clients.stopping = true), Promise.reject(error)))));
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  await gc?.finalSweep(clients.lastAbandonedUs);
  await bank.finalCheck();
  await registers?.finalCheck();
  return { stats: await bank.stats(), registerStats: registers?.stats() };
}

/**
 * Crashes the node `options.crashes` times at moments drawn over the busy phase: each arms a
 * crash at the next engine commit (any, or the next unsynced one; landed or not), or 20 virtual
 * ms later if none comes, and keeps a prefix of the unsynced commits: none (a power loss before
 * the OS wrote anything back), all (kill -9: the OS keeps what the process wrote), or some.
 */
async function crashLoop(node: SimNode, clients: Clients, options: KvSimOptions, random: RandomSource): Promise<void> {
  const times = Array.from({ length: options.crashes }, () => random.int(options.durationMs)).sort((a, b) => a - b);
  let elapsedMs = 0;
  for (const atMs of times) {
    await clients.sleep(atMs - elapsedMs);
    elapsedMs = atMs;
    if (clients.stopping) return;
    const mode = random.int(3);
    const plan: CrashPlan = {
      at: random.int(2) === 0 ? 'any' : 'unsynced',
      lands: random.int(2) === 0,
      keep: (unsynced) => (mode === 0 ? 0 : mode === 1 ? unsynced : random.int(unsynced + 1)),
    };
    await node.crash(plan, clients.sleep(crashTimeoutMs));
  }
}

/** How long an armed crash waits for its engine commit before it strikes anyway, in virtual ms. */
const crashTimeoutMs = 20;

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack === undefined ? '' : `\n${error.stack.split('\n').slice(1, 8).join('\n')}`}`;
  return String(error);
}
