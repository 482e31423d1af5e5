/**
 * Seeds of the Raft simulation that once failed, replayed on every test run after the bug they
 * found was fixed. A failing seed is a bug (in the core or in the simulator), never a flake: fix
 * it, then add it here with what it found.
 *
 * A seed names a run only together with its group size and duration, and only for the
 * simulator as it was: a change to the simulator (a new fault, a new knob) gives old seeds new
 * runs. They stay here anyway — cheap, and a run that once mattered is a good place to look.
 */
export interface RegressionSeed {
  readonly seed: number;
  readonly nodeCount: number;
  readonly duration: number;
  /** What the seed found, and where it was fixed. */
  readonly found: string;
}

export const regressionSeeds: readonly RegressionSeed[] = [
  {
    seed: 102,
    nodeCount: 3,
    duration: 3000,
    found:
      'simulator: a removed node was destroyed as soon as it applied its own removal; a voter that had the ' +
      'removal in its log but not applied kept campaigning under the old joint config, which needs the ' +
      'destroyed node: no leader ever again. Fixed in cluster.ts (maybeRetire: the replica GC waits until ' +
      'every voter of the new config applied the removal) and workload.ts (a leader never removes itself).',
  },
  { seed: 344, nodeCount: 3, duration: 3000, found: 'the same as seed 102' },
  { seed: 490, nodeCount: 3, duration: 3000, found: 'the same as seed 102' },
];
