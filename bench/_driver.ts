/**
 * A closed-loop load driver for the benchmarks: `clients` concurrent loops, each running one
 * operation at a time for `seconds`, recording each operation's latency and how many attempts
 * it took (a transaction retried twice took 3).
 */
import { nowMs } from './_report.js';

/** One operation's outcome: how many attempts it made; 0 means it did no work (not counted). */
export type Operation = (client: number, n: number) => Promise<number>;

export interface LoadResult {
  readonly operations: number;
  readonly operationsPerSecond: number;
  /** Attempts beyond the first, summed over every operation. */
  readonly retries: number;
  readonly retriesPerSecond: number;
  readonly latenciesMs: readonly number[];
  readonly elapsedMs: number;
}

export async function closedLoop(clients: number, seconds: number, operation: Operation): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let retries = 0;
  const start = nowMs();
  const deadline = start + seconds * 1000;
  const client = async (id: number): Promise<void> => {
    for (let n = 0; nowMs() < deadline; n++) {
      const opStart = nowMs();
      const attempts = await operation(id, n);
      if (attempts === 0) continue;
      latenciesMs.push(nowMs() - opStart);
      retries += attempts - 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, id) => client(id)));
  const elapsedMs = nowMs() - start;
  return {
    operations: latenciesMs.length,
    operationsPerSecond: (latenciesMs.length / elapsedMs) * 1000,
    retries,
    retriesPerSecond: (retries / elapsedMs) * 1000,
    latenciesMs,
    elapsedMs,
  };
}
