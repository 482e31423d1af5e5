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
import { openKv, type Kv } from '../../node/kv.js';
import { Scheduler } from '../raft/scheduler.js';
import { Trace } from '../raft/trace.js';
import { BankSim, type BankStats } from './bank.js';
import { SimEngine } from './engine.js';
import { SimDriver, SimEnv, seedStreams } from './env.js';
import { defaultDurationMs, describeOptions, optionsForSeed, type KvSimOptions } from './options.js';

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
  const drawn = optionsForSeed(seed, streams.workload, durationMs);
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
  const memory = new MemoryEngine();
  const fatal: unknown[] = [];
  const deadline = (options.durationMs + settleMsMax) * 1_000;
  let kv: Kv | undefined;
  let bank: BankSim | undefined;
  const open = async (): Promise<Kv> => {
    const env = new SimEnv(scheduler, trace, streams.env);
    const engine = new SimEngine(memory, scheduler, trace, streams.delays, options.delays);
    kv = await driver.run(openKv({ engine, env, onFatal: (error) => void fatal.push(error) }), deadline, 'opening the store');
    return kv;
  };
  try {
    const first = await open();
    bank = new BankSim(first, options, trace, scheduler, streams.workload);
    const stats = await driver.run(bank.run(), deadline, 'the bank workload');
    if (fatal.length > 0) throw fatal[0];
    await driver.run(first.close(), deadline, 'closing the store');
    if (fatal.length > 0) throw fatal[0];
    return { seed: options.seed, hash: trace.hash(), events: trace.events, steps: scheduler.steps, virtualTimeUs: scheduler.now, stats };
  } catch (error) {
    const cause = fatal.length > 0 && error !== fatal[0] ? `${describeError(error)}\nstore failure: ${describeError(fatal[0])}` : describeError(error);
    const report = [
      `seed ${options.seed} FAILED at virtual time ${scheduler.now} µs after ${scheduler.steps} steps: ${cause}`,
      `profile: ${describeOptions(options)}`,
      `workload operations in flight: ${bank?.describeInFlight() ?? 'none (the workload had not started)'}`,
      `replay: npm run sim:kv -- ${replay ?? `--seed ${options.seed}${options.durationMs === defaultDurationMs ? '' : ` --duration ${options.durationMs}`}`} --trace`,
      `trace hash ${trace.hash()}, last events:`,
      trace.renderTail(),
    ].join('\n');
    throw new KvSimFailure(options.seed, error, report);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack === undefined ? '' : `\n${error.stack.split('\n').slice(1, 8).join('\n')}`}`;
  return String(error);
}
