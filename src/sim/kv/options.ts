/**
 * A run's profile, drawn from its seed: the bank's shape, the concurrency, how often ranges split
 * and merge, and the engine's delay profile. Different seeds stress different corners (one
 * range or many, two clients or ten, no delays or long pauses between a scan's steps).
 */
import type { RandomSource } from '../../env/env.js';
import type { EngineDelays } from './engine.js';

export interface KvSimOptions {
  readonly seed: number;
  readonly accounts: number;
  /** Ranges the accounts start over (bank.ts `bankSplitKeys`). */
  readonly ranges: number;
  readonly initialBalance: bigint;
  /** Concurrent transfer loops. */
  readonly clients: number;
  /** Virtual milliseconds the transfers and scans run for (then they finish what they started). */
  readonly durationMs: number;
  /** The busy phase also ends once this many transfers finished (it bounds a run's CPU time). */
  readonly transfersMax: number;
  /** Longest virtual pause of a client between two transfers (0: none). */
  readonly thinkMsMax: number;
  /** Mean virtual milliseconds between two split-or-merge attempts; 0: the ranges stay as made. */
  readonly rangeChangeEveryMs: number;
  /** Crash-and-restart the store (losing unsynced writes) this many times during the run. */
  readonly crashes: number;
  /** Registers of the register workload (registers.ts), run beside the bank; 0: not run. */
  readonly registers: number;
  /** Its concurrent transaction loops. */
  readonly registerClients: number;
  /**
   * The chance that a transfer or register transaction is abandoned: its client writes, keeps it
   * alive for a while (`abandonHoldMsMax`), then drops its coordinator — no commit, no rollback,
   * its heartbeats stop (a client that died; the process lives on). 0: none.
   */
  readonly abandonChance: number;
  /** Longest virtual time an abandoned transaction heartbeats before its coordinator is dropped. */
  readonly abandonHoldMsMax: number;
  /**
   * A GC TTL in virtual milliseconds (gc.ts): every `gcEveryMs` or so, every range is collected
   * below `now − gcTtlMs` (held below the oldest workload operation in flight). 0: no GC.
   */
  readonly gcTtlMs: number;
  readonly gcEveryMs: number;
  /** Historical reads of the registers (snapshots.ts): a snapshot's registers read again as of its timestamp. */
  readonly historicalReads: boolean;
  /**
   * The node's max clock offset, in milliseconds: its transactions' uncertainty window, and
   * twice it is what a restarted store waits before it serves (kv/replica/store.ts). Far below
   * the production default (500), so a crash leaves the busy phase time to go on.
   */
  readonly maxClockOffsetMs: number;
  readonly delays: EngineDelays;
}

/** The default length of a run's busy phase, in virtual milliseconds. */
export const defaultDurationMs = 400;

/** The default bound on a run's transfers (acknowledged, empty or failed). */
export const defaultTransfersMax = 300;

function pick<T>(random: RandomSource, choices: readonly T[]): T {
  return choices[random.int(choices.length)]!;
}

/** The streams a profile is drawn from (env.ts `seedStreams`). */
export interface ProfileStreams {
  /** The bank and the delays. */
  readonly workload: RandomSource;
  /** The crashes, and the register workload: a stream of their own, so the bank's draws are those it had before them. */
  readonly faults: RandomSource;
  /** Abandoned transactions, the GC and historical reads (drawn last, after them). */
  readonly clients: RandomSource;
}

/** The profile of `seed`. */
export function optionsForSeed(seed: number, streams: ProfileStreams, durationMs = defaultDurationMs): KvSimOptions {
  const random = streams.workload;
  const faults = streams.faults;
  const accounts = pick(random, [4, 8, 16, 32]);
  return {
    seed,
    accounts,
    ranges: 1 + random.int(Math.min(accounts, 4)),
    initialBalance: 100n,
    clients: pick(random, [2, 3, 4, 6, 8]),
    durationMs,
    transfersMax: defaultTransfersMax,
    thinkMsMax: pick(random, [0, 0, 1, 5]),
    rangeChangeEveryMs: pick(random, [0, 10, 30, 100]),
    crashes: pick(faults, [0, 0, 1, 2, 3]),
    registers: pick(faults, [0, 2, 4, 8]),
    registerClients: pick(faults, [2, 3, 4]),
    abandonChance: pick(streams.clients, [0, 0, 0.01, 0.05]),
    abandonHoldMsMax: pick(streams.clients, [0, 1_500, 3_000]),
    gcTtlMs: pick(streams.clients, [0, 0, 2, 20, 100]),
    gcEveryMs: pick(streams.clients, [2, 10, 30]),
    historicalReads: pick(streams.clients, [false, true, true]),
    maxClockOffsetMs: pick(streams.clients, [5, 20, 100]),
    delays: {
      iteratorStepMaxUs: pick(random, [0, 50, 500, 2_000]),
      commitMaxUs: pick(random, [0, 20, 200, 2_000]),
      zeroDelayChance: pick(random, [0, 0.5, 0.9]),
      syncMinUs: pick(random, [100, 500, 2_000]),
      appendMinUs: 5,
    },
  };
}

export function describeOptions(options: KvSimOptions): string {
  const d = options.delays;
  return (
    `accounts=${options.accounts} ranges=${options.ranges} clients=${options.clients} duration=${options.durationMs}ms transfers≤${options.transfersMax} think≤${options.thinkMsMax}ms ` +
    `rangeChangeEvery=${options.rangeChangeEveryMs}ms crashes=${options.crashes} registers=${options.registers}×${options.registerClients} clients ` +
    `abandon=${options.abandonChance} (hold≤${options.abandonHoldMsMax}ms) gcTtl=${options.gcTtlMs}ms gcEvery=${options.gcEveryMs}ms historicalReads=${options.historicalReads} maxOffset=${options.maxClockOffsetMs}ms iterStep≤${d.iteratorStepMaxUs}µs sync≥${d.syncMinUs}µs commit+≤${d.commitMaxUs}µs zeroDelay=${d.zeroDelayChance}`
  );
}
