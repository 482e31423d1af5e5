/**
 * Seeds of the KV simulation that once failed (or that found a known bug when it was checked
 * against the code before the fix), replayed on every test run. A failing seed is a bug — in the
 * store or in the simulator — never a flake: fix it, then add it here with what it found.
 *
 * A seed names a run only for the simulator as it was: a change to the simulator (a new delay,
 * a new knob) gives old seeds new runs. They stay here anyway — a run that once mattered is a
 * good place to look.
 */
export interface KvRegressionSeed {
  readonly seed: number;
  readonly durationMs: number;
  /** What the seed found, and where it was fixed. */
  readonly found: string;
}

export const kvRegressionSeeds: readonly KvRegressionSeed[] = [
  {
    seed: 8,
    durationMs: 400,
    found:
      'a merge left meta2 naming the removed right-hand range while a resolution chunk queued before it retried ' +
      'its routing ahead of the merge\'s own meta2 resolution: requests to the merged keys failed with ' +
      'RoutingRetriesExhaustedError ("r3 was not found on s1") for a second. Fixed in kv/replica/split-merge.ts ' +
      '(a split or merge resolves its meta2 intents before it answers) and kv/client/dist-sender.ts (routing ' +
      'retries back off); seeds 7, 9 and 10 failed the same way then.',
  },
];
