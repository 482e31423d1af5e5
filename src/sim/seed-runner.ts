/**
 * The seed loop both simulator CLIs run (`npm run sim:raft`, `npm run sim:kv`): each seed in
 * turn, a failure's report printed (the run goes on to the next seed), progress every
 * `progressEvery` seeds with the wall time spent, and the failing seeds listed at the end — the
 * process exits 1 if there were any.
 */
import { realEnv } from '../env/real.js';
import { silentLogger } from '../base/logger.js';

export interface SeedRun {
  /** The first line printed, naming what runs. */
  readonly title: string;
  readonly start: number;
  readonly seeds: number;
  /** Seeds between two progress lines. */
  readonly progressEvery: number;
  /** Runs one seed: the line to print for a pass (undefined: none), or throws. */
  run(seed: number): Promise<string | undefined> | string | undefined;
  /** The report of a simulation failure, or undefined for any other error (which is rethrown). */
  failureReport(error: unknown): string | undefined;
  readonly out: (line: string) => void;
}

export async function runSeeds(options: SeedRun): Promise<void> {
  const { start, seeds, out } = options;
  const failed: number[] = [];
  const clock = realEnv({ logger: silentLogger() }).clock;
  const started = clock.monotonicNanos();
  const elapsed = (): string => `${(Number(clock.monotonicNanos() - started) / 1e9).toFixed(1)}s`;
  out(options.title);
  for (let seed = start; seed < start + seeds; seed++) {
    try {
      const line = await options.run(seed);
      if (line !== undefined) out(line);
    } catch (error) {
      const report = options.failureReport(error);
      if (report === undefined) throw error;
      failed.push(seed);
      out(report);
      out(`FAILED seed ${seed}`);
    }
    const done = seed - start + 1;
    if (done % options.progressEvery === 0 || done === seeds) out(`${done}/${seeds} seeds, ${failed.length} failed, ${elapsed()}`);
  }
  if (failed.length > 0) {
    out(`failing seeds: ${failed.join(' ')}`);
    process.exit(1);
  }
}
