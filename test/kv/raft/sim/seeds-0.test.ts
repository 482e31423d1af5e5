/**
 * The Raft simulation in CI, part 1 of 2 (seeds 0..299): 3- and 5-node groups by
 * seed parity, each seed a run with its own fault profile. Split in two files so vitest runs
 * them on two workers. `npm run sim:raft -- --start S --seeds N` runs more.
 */
import { describe, expect, it } from 'vitest';
import { describeFailures, failingSeeds, range } from './run-seeds.js';

describe('raft simulation', () => {
  it('keeps every safety property and loses no acknowledged write (seeds 0..299)', () => {
    const failures = failingSeeds(range(0, 300));
    expect(failures.length, describeFailures(failures)).toBe(0);
  }, 300_000); // CPU-bound: generous for a loaded 2-core machine
});
