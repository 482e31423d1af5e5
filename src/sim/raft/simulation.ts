/**
 * One simulated run, from a seed: bootstrap a group, run the workload and the faults for
 * `duration`, then the quiet phase — heal the network, stop the faults, restart every crashed
 * node, run until the group converges (bounded by `settleTimeMax`) — and the final check that
 * every value a client saw acknowledged, and every value applied anywhere, is applied on every
 * current member. Any violation throws a `SimFailure` naming the seed, the profile and the
 * trace tail; the same seed replays the same run (`SimResult.hash`).
 */
import { assert } from '../../base/assert.js';
import type { RaftNodeId } from '../../../kv/raft/index.js';
import { SimViolation } from './checker.js';
import { Cluster } from './cluster.js';
import type { ClusterStats } from './ready-pipeline.js';
import type { SimNode } from './node.js';
import { describeOptions, optionsForSeed, type SimOptions } from './options.js';
import { Workload } from './workload.js';

/** The length of the faulty phase when the caller does not say. */
export const defaultDuration = 3_000;

/** The group size a seed gets when the caller does not say: 3 and 5 nodes alternate. */
export function nodeCountForSeed(seed: number): number {
  return seed % 2 === 0 ? 3 : 5;
}

export interface SimResult {
  readonly seed: number;
  readonly nodeCount: number;
  /** The running hash of every event: equal for two runs of one seed. */
  readonly hash: string;
  readonly events: number;
  readonly steps: number;
  readonly virtualTime: number;
  readonly termsWithLeader: number;
  readonly acknowledged: number;
  readonly appliedValues: number;
  readonly committedIndex: number;
  readonly stats: ClusterStats;
}

/** A run that broke an invariant (or crashed the core): everything needed to replay and read it. */
export class SimFailure extends Error {
  override readonly name = 'SimFailure';
  constructor(
    readonly seed: number,
    readonly nodeCount: number,
    readonly duration: number,
    readonly error: unknown,
    readonly report: string,
  ) {
    super(report, { cause: error });
  }
}

export interface SeedRun {
  readonly nodeCount?: number;
  readonly duration?: number;
  /** Receives every trace line as it happens (slow: for replaying one seed). */
  readonly traceSink?: (line: string) => void;
  /** Knobs to force over the seed's profile (exploration; CI uses the profile as drawn). */
  readonly overrides?: Partial<SimOptions>;
}

/** Runs one seed with the default profile for it. */
export function simulateSeed(seed: number, run: SeedRun = {}): SimResult {
  const drawn = optionsForSeed(seed, run.nodeCount ?? nodeCountForSeed(seed), run.duration ?? defaultDuration);
  return simulate({ ...drawn, ...run.overrides }, run.traceSink);
}

export function simulate(options: SimOptions, traceSink?: (line: string) => void): SimResult {
  const cluster = new Cluster(options, traceSink);
  const workload = new Workload(cluster);
  try {
    cluster.bootstrap();
    workload.start();
    runUntil(cluster, options.duration);
    quiet(cluster, workload);
    settle(cluster);
    checkAcknowledgedEverywhere(cluster);
  } catch (error) {
    throw failure(options, cluster, error);
  }
  return {
    seed: options.seed,
    nodeCount: options.nodeCount,
    hash: cluster.trace.hash(),
    events: cluster.trace.events,
    steps: cluster.scheduler.steps,
    virtualTime: cluster.now,
    termsWithLeader: cluster.checker.termsWithLeader,
    acknowledged: cluster.acknowledged.size,
    appliedValues: cluster.appliedValues.size,
    committedIndex: cluster.checker.highestDecided,
    stats: cluster.stats,
  };
}

/** Most events one run may take: a bound against a livelocked simulation. */
const stepsMax = 5_000_000;

/**
 * Runs every event up to `until`. The checkers run inside each step, where the state they
 * watch changes (a Ready, a sync, an apply); `checkAfterStep` sweeps every node after it.
 */
function runUntil(cluster: Cluster, until: number): void {
  const scheduler = cluster.scheduler;
  while (scheduler.step(until)) {
    cluster.checkAfterStep();
    if (scheduler.steps > stepsMax) throw new SimViolation('simulation', `more than ${stepsMax} events`);
  }
  if (scheduler.now < until) scheduler.advanceTo(until);
}

/** The quiet phase begins: no more faults, a healed network, every crashed node back. */
function quiet(cluster: Cluster, workload: Workload): void {
  workload.stop();
  cluster.autoRestart = false;
  cluster.armedCrashes.clear();
  cluster.network.healAll();
  const faults = cluster.network.faults;
  faults.dropRate = 0;
  faults.duplicateRate = 0;
  faults.stallRate = 0;
  cluster.trace.record(cluster.now, [500], () => 'QUIET: network healed, faults off, restarting crashed nodes');
  for (const node of cluster.nodes.values()) {
    if (node.status === 'down') cluster.restart(node);
  }
}

/** Runs until the group converges; not converging within `settleTimeMax` is a failure. */
function settle(cluster: Cluster): void {
  const deadline = cluster.now + cluster.options.settleTimeMax;
  let lastLeave = Number.NEGATIVE_INFINITY;
  for (;;) {
    runUntil(cluster, cluster.now + 10);
    const verdict = convergence(cluster);
    if (verdict === 'converged') return;
    const leader = cluster.leader();
    if (leader !== undefined && leader.confState.votersOutgoing.length > 0 && cluster.now - lastLeave >= 200) {
      // An explicit joint configuration is left only when asked (a lost auto-leave is retried
      // too), by a leader that stays a voter.
      lastLeave = cluster.now;
      const stays = leader.confState.voters.includes(leader.id);
      const successor = leader.confState.voters[0];
      if (stays) cluster.input(leader, { kind: 'confChange', change: { changes: [], transition: 'simple' }, label: 'leave joint' });
      else if (successor !== undefined) cluster.input(leader, { kind: 'transfer', transferee: successor });
    }
    if (cluster.now >= deadline) {
      throw new SimViolation('convergence', `the healed group did not converge within ${cluster.options.settleTimeMax}: ${verdict}`);
    }
  }
}

/** 'converged', or why not: a leader whose whole (non-joint) membership applied its whole log. */
function convergence(cluster: Cluster): string {
  const leader = cluster.leader();
  if (leader === undefined) return 'no leader';
  const cs = leader.confState;
  if (cs.votersOutgoing.length > 0) return `leader ${leader.id} is in a joint configuration`;
  const last = leader.disk.durable.lastIndex();
  for (const id of members(leader)) {
    const node = cluster.nodes.get(id);
    if (node === undefined) return `member ${id} does not exist`;
    if (!node.isUp) return `member ${id} is ${node.status}`;
    if (node.machine.appliedIndex !== last) return `member ${id} applied ${node.machine.appliedIndex} of leader ${leader.id}'s ${last}`;
  }
  return 'converged';
}

function members(leader: SimNode): RaftNodeId[] {
  const cs = leader.confState;
  return [...cs.voters, ...cs.learners];
}

/** Every acknowledged value, and every value applied anywhere, is applied on every member. */
function checkAcknowledgedEverywhere(cluster: Cluster): void {
  const leader = cluster.leader();
  assert(leader !== undefined, 'a converged group has a leader');
  for (const id of members(leader)) {
    const machine = cluster.nodes.get(id)!.machine;
    for (const value of cluster.acknowledged) {
      if (!machine.hasValue(value)) throw new SimViolation('durability', `acknowledged value v${value} is not applied on member ${id}`);
    }
    for (const value of cluster.appliedValues) {
      if (!machine.hasValue(value)) throw new SimViolation('durability', `value v${value}, applied on some node, is not applied on member ${id}`);
    }
  }
  cluster.trace.record(cluster.now, [501, cluster.acknowledged.size, cluster.appliedValues.size], () => 'FINAL: converged, every applied value is on every member');
}

function failure(options: SimOptions, cluster: Cluster, error: unknown): SimFailure {
  const what = error instanceof SimViolation ? `${error.message}` : `the run crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  const report = [
    `raft simulation FAILED: seed ${options.seed} (nodes ${options.nodeCount}, duration ${options.duration}) at virtual time ${cluster.now}, step ${cluster.scheduler.steps}`,
    `  ${what}`,
    `  replay: npm run sim:raft -- --start ${options.seed} --seeds 1 --nodes ${options.nodeCount} --duration ${options.duration}${options.leaderRemovesItself ? ' --self-removal' : ''} --trace`,
    `  profile: ${describeOptions(options)}`,
    `  trace tail (oldest first; "|" lines are the Raft core's own log):`,
    cluster.trace.renderTail(),
  ].join('\n');
  return new SimFailure(options.seed, options.nodeCount, options.duration, error, report);
}
