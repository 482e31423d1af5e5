/** Seeds that once failed (regression-seeds.ts), replayed with the group size and duration they failed with. */
import { expect, it } from 'vitest';
import { regressionSeeds } from './regression-seeds.js';
import { describeFailures, failingSeeds } from './run-seeds.js';

it('replays the regression seeds', () => {
  const bySeed = new Map(regressionSeeds.map((r) => [r.seed, r]));
  const failures = failingSeeds(
    regressionSeeds.map((r) => r.seed),
    (seed) => ({ nodeCount: bySeed.get(seed)!.nodeCount, duration: bySeed.get(seed)!.duration }),
  );
  expect(failures.length, describeFailures(failures)).toBe(0);
});
