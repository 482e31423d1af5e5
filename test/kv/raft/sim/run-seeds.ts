/**
 * Runs a range of simulation seeds and collects the failures, so a test can report every
 * failing seed (each with its replay command and trace tail) rather than only the first.
 */
import { SimFailure, simulateSeed, type SeedRun } from '../../../../src/sim/raft/simulation.js';

export function failingSeeds(seeds: readonly number[], run: (seed: number) => SeedRun = () => ({})): SimFailure[] {
  const failures: SimFailure[] = [];
  for (const seed of seeds) {
    try {
      simulateSeed(seed, run(seed));
    } catch (error) {
      if (!(error instanceof SimFailure)) throw error;
      failures.push(error);
    }
  }
  return failures;
}

/** One message naming every failing seed, then each report. */
export function describeFailures(failures: readonly SimFailure[]): string {
  const seeds = failures.map((f) => `${f.seed} (nodes ${f.nodeCount})`).join(', ');
  return `failing seeds: ${seeds}\n\n${failures.map((f) => f.report).join('\n\n')}`;
}

export function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
