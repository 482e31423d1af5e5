/**
 * Runs the bank workload (bench/workloads/bank.ts) in this process: `clients` transfer loops and
 * one scanner that checks the invariants after every scan (and fails the run on the first
 * violation). The transfers keep going until at least `runMsMin` have passed *and* the scanner
 * has completed `scansMin` scans, so every counted scan ran against concurrent transfers; a
 * scanner that cannot finish them within `runMsMax` fails the run (it is starved).
 */
import { compareKeys } from '../../kv/api/index.js';
import { SeededRandom } from '../../src/env/random.js';
import type { Kv } from '../../src/node/kv.js';
import { accountsEnd, accountsStart, bankViolation, readBank, runTransfer, type BankConfig } from '../../bench/workloads/bank.js';

export interface BankRunOptions {
  readonly clients: number;
  readonly runMsMin: number;
  readonly runMsMax: number;
  readonly scansMin: number;
  /** The scanner also reads the transfer records and checks the balances against them. */
  readonly scanTransfers: boolean;
  readonly seed: number;
  /** Transfer ids are `<idPrefix>.<client>.<n>`. */
  readonly idPrefix: string;
}

export interface BankRunResult {
  /** Ids of the acknowledged transfers (those that moved money). */
  readonly acked: readonly string[];
  readonly scans: number;
}

export async function runBank(kv: Kv, config: BankConfig, options: BankRunOptions): Promise<BankRunResult> {
  let minTimeOver = false;
  let maxTimeOver = false;
  let failed = false;
  let scans = 0;
  const acked: string[] = [];
  const done = (): boolean => failed || maxTimeOver || (minTimeOver && scans >= options.scansMin);
  const minTimer = setTimeout(() => (minTimeOver = true), options.runMsMin);
  const maxTimer = setTimeout(() => (maxTimeOver = true), options.runMsMax);
  const client = async (c: number): Promise<void> => {
    const random = new SeededRandom(options.seed + c);
    for (let n = 0; !done(); n++) {
      const { transfer } = await runTransfer(kv, random, config, `${options.idPrefix}.${c}.${n}`);
      if (transfer !== undefined) acked.push(transfer.id);
    }
  };
  const scanner = async (): Promise<void> => {
    while (!done()) {
      const violation = bankViolation(await readBank(kv, options.scanTransfers), config);
      if (violation !== undefined) throw new Error(`scan ${scans + 1}: ${violation}`);
      scans++;
    }
  };
  // A failing loop stops the others, so the store is not closed under them.
  const loops = [...Array.from({ length: options.clients }, (_, c) => client(c)), scanner()].map((loop) => loop.catch((error: unknown) => ((failed = true), Promise.reject(error))));
  const outcomes = await Promise.allSettled(loops);
  clearTimeout(minTimer);
  clearTimeout(maxTimer);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  if (scans < options.scansMin) throw new Error(`the scanner completed ${scans} of ${options.scansMin} scans in ${options.runMsMax} ms under ${options.clients} transfer clients`);
  return { acked, scans };
}

/** Ranges holding at least one account key. */
export async function accountRanges(kv: Kv): Promise<number> {
  const ranges = await kv.ranges();
  return ranges.filter((d) => compareKeys(d.startKey, accountsEnd) < 0 && compareKeys(d.endKey, accountsStart) > 0).length;
}
