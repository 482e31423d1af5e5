/**
 * The bank workload in the simulator (bench/workloads/bank.ts; Jepsen's `bank`): `clients`
 * transfer loops, one scanner and one range changer (splits and merges of the account ranges),
 * all on the simulated store's virtual time.
 *
 * Checked on every scan (one transaction reading every balance and every transfer record):
 * - `bankViolation`: money conserved, no negative balance, balances equal to what the records
 *   present say;
 * - real-time order: every transfer acknowledged before the scan began is in it (a single node's
 *   clock is monotonic and transactions commit-wait, so a later transaction reads above it).
 * And at the end: every acknowledged transfer has its record, and no record exists for a
 * transfer that was not acknowledged — except one whose outcome was reported ambiguous.
 */
import { AmbiguousResultError, compareKeys, keysEqual } from '../../../kv/api/index.js';
import { accountKey, accountsEnd, accountsStart, bankViolation, decodeBalance, encodeBalance, encodeTransfer, initBank, pickAccounts, readBank, runTransfer, transferKey, type BankConfig, type BankSnapshot } from '../../../bench/workloads/bank.js';
import type { Txn } from '../../../txn/index.js';
import type { RandomSource } from '../../env/env.js';
import { SeededRandom } from '../../env/random.js';
import type { Kv } from '../../node/kv.js';
import type { Trace } from '../raft/trace.js';
import { drawAbandon, runAbandoned, type Put } from './abandon.js';
import type { Clients } from './clients.js';
import { EventKind } from './env.js';
import type { KvSimOptions } from './options.js';
import { ProcessCrashedError, type SimNode } from './process.js';

/** A broken invariant of the bank. */
export class BankViolation extends Error {
  override readonly name = 'BankViolation';
}

export interface BankStats {
  readonly acked: number;
  /** Transfers that found their source empty (nothing written). */
  readonly empty: number;
  /** Transfers whose outcome is unknown (AmbiguousResultError, or the process crashed under them). */
  readonly ambiguous: number;
  /** Transfers the process crashed under. */
  readonly crashed: number;
  /** Transfers that failed with a definite error (retries exhausted): nothing may be committed. */
  readonly failed: number;
  /** Transfers whose client dropped them mid-way (abandon.ts): nothing may be committed. */
  readonly abandoned: number;
  readonly scans: number;
  readonly splits: number;
  readonly merges: number;
  /** Splits and merges refused (a conflict with a concurrent one): expected, counted. */
  readonly rangeChangesRefused: number;
  /** Ranges over the accounts at the end. */
  readonly accountRanges: number;
}

/** Workload event codes (the second trace field of `EventKind.Workload`). */
const Op = { Acked: 1, Empty: 2, Ambiguous: 3, Failed: 4, Scan: 5, Split: 6, Merge: 7, Refused: 8, Abandoned: 9 } as const;

export class BankSim {
  private readonly config: BankConfig;
  private readonly acked: string[] = [];
  private readonly ambiguous = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly abandoned = new Set<string>();
  private empty = 0;
  /** Transfers in flight when the process crashed (counted among the ambiguous too). */
  private crashed = 0;
  /** Transfers begun (the busy phase ends at `transfersMax`). */
  private started = 0;
  private scans = 0;
  private splits = 0;
  private merges = 0;
  private refused = 0;

  constructor(
    private readonly node: SimNode,
    private readonly options: KvSimOptions,
    private readonly trace: Trace,
    private readonly clients: Clients,
    private readonly random: RandomSource,
  ) {
    this.config = { accounts: options.accounts, ranges: options.ranges, initialBalance: options.initialBalance };
  }

  async init(): Promise<void> {
    await this.node.run((kv) => initBank(kv, this.config));
    this.event([Op.Scan, 0], () => `bank initialised: ${this.config.accounts} accounts over ${this.config.ranges} ranges`);
  }

  /** The transfer loops, the scanner and the range changer; each returns once the busy phase ends. */
  loops(): Promise<void>[] {
    // Each loop draws from its own stream, so one loop's draws never shift another's.
    return [
      ...Array.from({ length: this.options.clients }, (_, c) => this.client(c, new SeededRandom(this.random.uint32()))),
      this.scanner(),
      this.rangeChanger(new SeededRandom(this.random.uint32())),
    ];
  }

  async stats(): Promise<BankStats> {
    const ranges = await this.node.run((kv) => kv.ranges());
    const accountRanges = ranges.filter((d) => compareKeys(d.startKey, accountsEnd) < 0 && compareKeys(d.endKey, accountsStart) > 0).length;
    return {
      acked: this.acked.length,
      empty: this.empty,
      ambiguous: this.ambiguous.size,
      crashed: this.crashed,
      failed: this.failed.size,
      abandoned: this.abandoned.size,
      scans: this.scans,
      splits: this.splits,
      merges: this.merges,
      rangeChangesRefused: this.refused,
      accountRanges,
    };
  }

  private async client(c: number, random: SeededRandom): Promise<void> {
    for (let n = 0; !this.clients.stopping; n++) {
      if (++this.started > this.options.transfersMax) {
        this.clients.stopping = true;
        return;
      }
      const id = `t.${c}.${n}`;
      if (drawAbandon(random, this.options.abandonChance)) {
        await this.abandonTransfer(id, c, n, random);
        continue;
      }
      try {
        const { transfer, attempts } = await this.clients.track(id, () => this.node.run((kv) => runTransfer(kv, random, this.config, id)));
        if (transfer === undefined) {
          this.empty++;
          this.event([Op.Empty, c, n], () => `${id}: source empty`);
        } else {
          this.acked.push(id);
          this.event([Op.Acked, c, n, transfer.from, transfer.to, Number(transfer.amount), attempts], () => `${id}: acked ${transfer.from}→${transfer.to} ${transfer.amount} (${attempts} attempts)`);
        }
      } catch (error) {
        if (error instanceof AmbiguousResultError || error instanceof ProcessCrashedError) {
          // A crash under a transfer leaves its outcome unknown: its commit may have been durable.
          if (error instanceof ProcessCrashedError) this.crashed++;
          this.ambiguous.add(id);
          this.event([Op.Ambiguous, c, n], () => `${id}: ambiguous: ${error.message}`);
        } else {
          // A definite failure (retries exhausted under contention) is allowed; its writes are not.
          this.failed.add(id);
          this.event([Op.Failed, c, n], () => `${id}: failed: ${error instanceof Error ? error.message : String(error)}`);
          if (!(error instanceof Error && 'errorClass' in error)) throw error;
        }
      }
      if (this.options.thinkMsMax > 0) await this.clients.sleep(random.int(this.options.thinkMsMax + 1));
    }
  }

  /** Transfer `id`, written and then abandoned by its client (abandon.ts); it must never commit. */
  private async abandonTransfer(id: string, c: number, n: number, random: RandomSource): Promise<void> {
    const { from, to } = pickAccounts(random, this.config.accounts);
    const holdMs = random.int(this.options.abandonHoldMsMax + 1);
    const writes = async (txn: Txn): Promise<Put[]> => {
      const fromBalance = decodeBalance((await txn.get(accountKey(from)))!);
      const toBalance = decodeBalance((await txn.get(accountKey(to)))!);
      const amount = fromBalance > 0n ? fromBalance : 1n; // an overdraft if it ever committed
      return [
        { key: accountKey(from), value: encodeBalance(fromBalance - amount) },
        { key: accountKey(to), value: encodeBalance(toBalance + amount) },
        { key: transferKey(id), value: encodeTransfer({ id, from, to, amount }) },
      ];
    };
    const outcome = await runAbandoned(this.node, this.clients, id, holdMs, writes);
    if (outcome === 'crashed') this.crashed++;
    this.abandoned.add(id);
    this.event([Op.Abandoned, c, n, holdMs], () => `${id}: abandoned ${from}→${to} after holding it ${holdMs} ms${outcome === 'crashed' ? ' (the process crashed under it)' : ''}`);
  }

  private async scanner(): Promise<void> {
    while (!this.clients.stopping) {
      const ackedBefore = this.acked.length;
      const scan = this.scans + 1;
      let snapshot: BankSnapshot;
      try {
        snapshot = await this.clients.track(`scan ${scan}`, () => this.node.run((kv) => readBank(kv, true)));
      } catch (error) {
        if (!(error instanceof ProcessCrashedError)) throw error;
        this.event([Op.Scan, scan, -1], () => `scan ${scan}: the process crashed under it`);
        continue;
      }
      const violation = bankViolation(snapshot, this.config);
      if (violation !== undefined) throw new BankViolation(`scan ${scan}: ${violation}`);
      const missing = this.acked.slice(0, ackedBefore).filter((id) => !snapshot.transfers!.has(id));
      if (missing.length > 0) throw new BankViolation(`scan ${scan}: transfers acknowledged before it began are missing: ${missing.slice(0, 5).join(', ')}`);
      this.scans = scan;
      this.event([Op.Scan, scan, snapshot.transfers!.size], () => `scan ${scan}: ok, ${snapshot.transfers!.size} records`);
      // A virtual millisecond between scans: a scan that costs no virtual time (no engine delays,
      // no intents met) would otherwise spin at one instant while the transfers wait on the clock.
      await this.clients.sleep(1);
    }
  }

  /** Splits a random account range at a random account, or merges two neighbouring account ranges. */
  private async rangeChanger(random: SeededRandom): Promise<void> {
    const every = this.options.rangeChangeEveryMs;
    if (every === 0) return;
    while (!this.clients.stopping) {
      await this.clients.sleep(1 + random.int(2 * every));
      if (this.clients.stopping) return;
      const merge = random.int(2) === 0;
      const pick = random.uint32();
      try {
        await this.clients.track('range change', () => this.node.run((kv) => this.changeRanges(kv, merge, pick)));
      } catch (error) {
        // A split or merge racing another (its descriptor changed) is refused, as is one the
        // process crashed under (whether it happened is seen in meta2); anything else is a bug.
        const refused = error instanceof ProcessCrashedError || (error instanceof Error && 'errorClass' in error && error.errorClass === 'conflict');
        if (!refused) throw error;
        this.refused++;
        this.event([Op.Refused, merge ? 1 : 0], () => `${merge ? 'merge' : 'split'} refused: ${error.message}`);
      }
    }
  }

  /** Merges a range within the accounts with its right neighbour (if there are two), or splits one at an account drawn from `pick`. */
  private async changeRanges(kv: Kv, merge: boolean, pick: number): Promise<void> {
    const ranges = await kv.ranges();
    const accountRanges = ranges.filter((d) => compareKeys(d.startKey, accountsStart) >= 0 && compareKeys(d.endKey, accountsEnd) <= 0);
    if (merge && accountRanges.length >= 2) {
      const left = accountRanges[pick % (accountRanges.length - 1)]!;
      await kv.merge(left.startKey);
      this.merges++;
      this.event([Op.Merge, left.rangeId], () => `merged r${left.rangeId} with its right neighbour`);
      return;
    }
    const account = 1 + (pick % (this.config.accounts - 1));
    const key = accountKey(account);
    if (ranges.some((d) => keysEqual(d.startKey, key))) return;
    await kv.split(key);
    this.splits++;
    this.event([Op.Split, account], () => `split at account ${account}`);
  }

  /** At the end (no crash can come any more): the final scan and every transfer's outcome against the records. */
  async finalCheck(): Promise<void> {
    const final = await this.node.run((kv) => readBank(kv, true));
    const violation = bankViolation(final, this.config);
    if (violation !== undefined) throw new BankViolation(`final scan: ${violation}`);
    const records = final.transfers!;
    const lost = this.acked.filter((id) => !records.has(id));
    if (lost.length > 0) throw new BankViolation(`acknowledged transfers without a record: ${lost.slice(0, 5).join(', ')}`);
    const ackedSet = new Set(this.acked);
    const phantom = [...records.keys()].filter((id) => !ackedSet.has(id) && !this.ambiguous.has(id));
    if (phantom.length > 0) {
      const reported = phantom.some((id) => this.abandoned.has(id)) ? ' (abandoned by their client)' : phantom.some((id) => this.failed.has(id)) ? ' (reported failed)' : '';
      throw new BankViolation(`records of transfers never acknowledged: ${phantom.slice(0, 5).join(', ')}${reported}`);
    }
  }

  private event(fields: readonly number[], describe: () => string): void {
    this.trace.record(this.clients.scheduler.now, [EventKind.Workload, ...fields], describe);
  }
}
