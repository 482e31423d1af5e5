/**
 * The knobs of one simulated run. `optionsForSeed` draws them from the seed (a fault profile per
 * seed: some seeds run a lossy network, some crash often, some change membership a lot), so a
 * seed alone names a run; the caller fixes only the group size and the run's length.
 */
import { assert } from '../../base/assert.js';
import { SeededRandom } from '../../env/random.js';
import type { NetworkFaults } from './network.js';

export interface SimOptions {
  readonly seed: number;
  /** Voters of the initial group (ids 1..nodeCount). */
  readonly nodeCount: number;
  /** Virtual time of the faulty phase; the final quiet phase comes after. */
  readonly duration: number;
  /** Longest the quiet phase may take to converge before that counts as a failure. */
  readonly settleTimeMax: number;
  /** Virtual time between two ticks of one node. */
  readonly tickInterval: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxMessageBytes: number;
  readonly maxInflightMessages: number;
  readonly maxUncommittedEntriesBytes: number;
  readonly network: NetworkFaults;
  /** Time a disk sync takes, drawn in `[0, syncDelayMax]`. */
  readonly syncDelayMax: number;
  /** Mean virtual time between client proposals. */
  readonly proposeInterval: number;
  /** Mean virtual time between crashes of a random node (0: no crashes). */
  readonly crashInterval: number;
  /** Probability that a crash strikes inside the Ready pipeline rather than at a random time. */
  readonly crashInReadyRate: number;
  /** Mean virtual time between partitions (0: none). */
  readonly partitionInterval: number;
  /** Mean virtual time between membership changes (0: none). */
  readonly confChangeInterval: number;
  /** Mean virtual time between leadership transfers (0: none). */
  readonly transferInterval: number;
  /**
   * A leader may propose its own removal (or demotion). Off by default, like CockroachDB, whose
   * leaseholder hands the lease over before it is removed. On, it exposes a liveness hazard of
   * the core: a leader that applies its own removal steps down at once; a voter that has not
   * learned that commit still uses the old (joint) configuration, which needs the removed
   * node's vote, and the removed node — often holding the longest log, and no longer allowed
   * to campaign — refuses it: no leader ever again (e.g. seed 1038 with `--self-removal`).
   */
  readonly leaderRemovesItself: boolean;
  /** Mean virtual time between out-of-turn campaigns (0: none). */
  readonly campaignInterval: number;
  /** Mean virtual time between log compactions on a node (0: never). */
  readonly compactInterval: number;
  /** Most nodes ever created, the initial ones included (added nodes take fresh ids). */
  readonly nodesMax: number;
  /**
   * Step inputs into the RawNode while a Ready is outstanding (between `ready()` and
   * `advance()`, which the contract allows), rather than queueing them until `advance()`.
   */
  readonly stepWhileBusy: boolean;
  /** Probability that the transport reports an unreachable peer when a message is lost to a partition. */
  readonly reportUnreachableRate: number;
}

/** The run's fault profile, drawn from the seed. */
export function optionsForSeed(seed: number, nodeCount: number, duration: number): SimOptions {
  assert(nodeCount >= 1 && nodeCount <= 7, 'groups of 1 to 7 nodes');
  assert(duration > 0, 'a positive duration');
  const r = new SeededRandom(seed * 7919 + 17);
  const pick = <T>(choices: readonly T[]): T => choices[r.int(choices.length)]!;
  const lossy = r.float() < 0.3;
  const network: NetworkFaults = {
    dropRate: lossy ? pick([0.05, 0.1, 0.2]) : pick([0, 0.01, 0.02]),
    duplicateRate: pick([0, 0.01, 0.05]),
    stallRate: pick([0, 0.01, 0.05]),
    delayMin: pick([0, 1, 2]),
    delayMax: pick([3, 5, 10, 20]),
  };
  return {
    seed,
    nodeCount,
    duration,
    settleTimeMax: 20_000,
    tickInterval: 10,
    electionTicks: pick([3, 5, 10]),
    heartbeatTicks: pick([1, 2]),
    preVote: r.float() < 0.7,
    checkQuorum: r.float() < 0.7,
    maxMessageBytes: pick([256, 1024, 32 * 1024]),
    maxInflightMessages: pick([1, 4, 64]),
    maxUncommittedEntriesBytes: pick([4 * 1024, 1024 * 1024]),
    network,
    syncDelayMax: pick([0, 2, 5]),
    proposeInterval: pick([5, 10, 20]),
    crashInterval: pick([0, 150, 300, 800, 2000]),
    crashInReadyRate: pick([0, 0.3, 0.7]),
    partitionInterval: pick([0, 400, 1000]),
    confChangeInterval: pick([0, 300, 800]),
    transferInterval: pick([0, 300, 800]),
    compactInterval: pick([0, 200, 600]),
    nodesMax: nodeCount + 6,
    reportUnreachableRate: pick([0, 0.2]),
    stepWhileBusy: r.float() < 0.5,
    campaignInterval: pick([0, 0, 500]),
    leaderRemovesItself: false,
  };
}

/** A one-line summary of the profile for failure reports. */
export function describeOptions(o: SimOptions): string {
  const n = o.network;
  return [
    `nodes=${o.nodeCount} duration=${o.duration}`,
    `electionTicks=${o.electionTicks} heartbeatTicks=${o.heartbeatTicks} preVote=${o.preVote} checkQuorum=${o.checkQuorum}`,
    `stepWhileBusy=${o.stepWhileBusy} maxMessageBytes=${o.maxMessageBytes} maxInflight=${o.maxInflightMessages} maxUncommittedBytes=${o.maxUncommittedEntriesBytes}`,
    `net: drop=${n.dropRate} dup=${n.duplicateRate} stall=${n.stallRate} delay=${n.delayMin}..${n.delayMax} syncDelayMax=${o.syncDelayMax}`,
    `every: propose=${o.proposeInterval} crash=${o.crashInterval} (inReady ${o.crashInReadyRate}) partition=${o.partitionInterval} confChange=${o.confChangeInterval} transfer=${o.transferInterval} campaign=${o.campaignInterval}${o.leaderRemovesItself ? ' (leader may remove itself)' : ''} compact=${o.compactInterval}`,
  ].join('; ');
}
