/**
 * A fixed band of KV simulation seeds, and the regression seeds, on every test run: each runs a
 * whole store under the bank workload on virtual time and must keep every invariant (see
 * src/sim/kv/bank.ts). A failure prints the seed's report — its profile, the replay command and
 * the trace tail. More seeds: `npm run sim:kv -- --seeds 200`.
 */
import { describe, expect, it } from 'vitest';
import { defaultDurationMs } from '../../../src/sim/kv/options.js';
import { KvSimFailure, simulateKvSeed, type KvProfileOverrides } from '../../../src/sim/kv/simulation.js';
import { kvRegressionSeeds } from './regression-seeds.js';

/** Seeds 1..seedCount: about 1–3 s of CPU each. */
const seedCount = 10;

async function expectSeedPasses(seed: number, durationMs?: number, overrides?: KvProfileOverrides): Promise<void> {
  try {
    const result = await simulateKvSeed(seed, { ...(durationMs === undefined ? {} : { durationMs }), ...(overrides === undefined ? {} : { overrides }) });
    // A crash may strike before the first transfer and scan finish; the run must still end checked.
    if (result.crashes === 0) expect(result.stats.acked + result.stats.empty).toBeGreaterThan(0);
    if (result.crashes === 0) expect(result.stats.scans).toBeGreaterThan(0);
    expect(result.stats.acked + result.stats.empty + result.stats.ambiguous).toBeGreaterThan(0);
  } catch (error) {
    if (error instanceof KvSimFailure) expect.fail(error.report);
    throw error;
  }
}

describe('kv simulation', () => {
  for (let seed = 1; seed <= seedCount; seed++) {
    it(`seed ${seed}`, () => expectSeedPasses(seed), 120_000);
  }
  // A regression seed inside the band with the default duration already ran above.
  for (const { seed, durationMs, overrides, found } of kvRegressionSeeds.filter((r) => r.seed > seedCount || r.durationMs !== defaultDurationMs || r.overrides !== undefined)) {
    it(`regression seed ${seed} (${found.slice(0, 60)}…)`, () => expectSeedPasses(seed, durationMs, overrides), 120_000);
  }
});
