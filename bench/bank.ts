/**
 * `npm run bench -- bank [--accounts=1000] [--ranges=8] [--clients=32] [--seconds=5] [--scanner=1]`:
 * the bank workload (bench/workloads/bank.ts) — transfers/s, retries/s, p50/p99, scans/s.
 * `--scanner=0` leaves the scanner out of both runs (to tell its cost from the transfers').
 *
 * Ours: a single-node rangedb (`openKv` over a `LevelEngine`), the accounts split over
 * `--ranges` ranges (and the transfer records in one more); `--clients` concurrent clients loop
 * serializable transfer transactions (read two balances, write both and a transfer record, all
 * synced through Raft), while one more client loops full scans in a transaction and fails hard if
 * the total changed or a balance went negative.
 *
 * Reference: the same transfer loop on raw `classic-level` in the same run — get both balances,
 * then one synced batch putting both balances and the record — made safe by a per-key mutex in
 * this process (taken in key order). It has no isolation across processes, no MVCC, no Raft and no
 * transaction retries: it is the cost of the bare reads and synced writes. Its scanner reads
 * through a LevelDB iterator (an implicit snapshot) and checks the same invariants.
 *
 * Worker mode, for the kill -9 test (test/kv/bank-crash.test.ts):
 * `node dist/bench/bank.js --worker --store=DIR [--seconds=S] [--clients=32]` opens (or
 * initialises) the bank in DIR, prints `ready` on stdout, then one line `ack <transferId>` after
 * each acknowledged transfer and `scan <n>` after each scan that found the invariants intact,
 * until killed or `--seconds` pass; then it checks the ledger, prints
 * `done <transfers>` and exits 0. A broken invariant prints `violation: …` on stderr and exits 1.
 */
import { randomBytes } from 'node:crypto';
import { ClassicLevel } from 'classic-level';
import { LevelEngine } from '../kv/storage/level-engine.js';
import { silentLogger } from '../src/base/logger.js';
import { realEnv } from '../src/env/real.js';
import { SeededRandom } from '../src/env/random.js';
import { openKv, type Kv } from '../src/node/kv.js';
import { closedLoop, type LoadResult } from './_driver.js';
import { benchDir, flag, nowMs, percentile, progress, report, round } from './_report.js';
import {
  accountKey,
  accountOfKey,
  accountsEnd,
  accountsStart,
  assertBank,
  bankViolation,
  decodeBalance,
  encodeBalance,
  encodeTransfer,
  initBank,
  pickAccounts,
  readBank,
  runTransfer,
  transferKey,
  type BankConfig,
} from './workloads/bank.js';

const config: BankConfig = { accounts: flag('accounts', 1000), ranges: flag('ranges', 8), initialBalance: 1000n };
const clients = flag('clients', 32);
const seconds = flag('seconds', 5);
const scanner = flag('scanner', 1) !== 0;

function stringFlag(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

interface BankRun {
  readonly transfers: LoadResult;
  readonly scans: number;
  readonly scansPerSecond: number;
}

/** Loops `scan` until `until` resolves; the scans done. */
async function scanLoop(scan: () => Promise<void>, until: Promise<unknown>): Promise<number> {
  if (!scanner) return until.then(() => 0);
  let done = false;
  const stop = (): void => void (done = true);
  until.then(stop, stop);
  let scans = 0;
  while (!done) {
    await scan();
    scans++;
  }
  return scans;
}

async function openBank(dir: string): Promise<Kv> {
  const kv = await openKv({ engine: await LevelEngine.open(dir), env: realEnv({ logger: silentLogger() }) });
  await initBank(kv, config);
  return kv;
}

async function runOurs(): Promise<BankRun> {
  const kv = await openBank(benchDir('bank'));
  try {
    progress(`rangedb: ${(await kv.ranges()).length} ranges`);
    const randoms = Array.from({ length: clients }, (_, c) => new SeededRandom(2000 + c));
    const load = closedLoop(clients, seconds, async (c, n) => {
      const outcome = await runTransfer(kv, randoms[c]!, config, `${c}.${n}`);
      return outcome.transfer === undefined ? 0 : outcome.attempts;
    });
    const start = nowMs();
    const scans = await scanLoop(async () => assertBank(await readBank(kv, false), config), load);
    const elapsedMs = nowMs() - start;
    const transfers = await load;
    assertBank(await readBank(kv, true), config);
    return { transfers, scans, scansPerSecond: (scans / elapsedMs) * 1000 };
  } finally {
    await kv.close();
  }
}

/** Locks on keys in this process only: a chain of promises per key. */
class KeyMutex {
  private readonly tails = new Map<number, Promise<void>>();

  /** Takes the locks on `keys` in ascending order (no deadlock); resolves with the release. */
  async lock(keys: readonly number[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const k of [...keys].sort((a, b) => a - b)) {
      const previous = this.tails.get(k) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      this.tails.set(k, tail);
      releases.push(() => {
        release();
        if (this.tails.get(k) === tail) this.tails.delete(k);
      });
      await previous;
    }
    return () => releases.forEach((r) => r());
  }
}

async function runReference(): Promise<BankRun> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(benchDir('bank-ref'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  await db.batch(Array.from({ length: config.accounts }, (_, a) => ({ type: 'put' as const, key: accountKey(a), value: encodeBalance(config.initialBalance) })), { sync: true });
  const mutex = new KeyMutex();
  const randoms = Array.from({ length: clients }, (_, c) => new SeededRandom(2000 + c));
  const load = closedLoop(clients, seconds, async (c, n) => {
    const random = randoms[c]!;
    const { from, to } = pickAccounts(random, config.accounts);
    const release = await mutex.lock([from, to]);
    try {
      const fromBalance = decodeBalance((await db.get(accountKey(from)))!);
      const toBalance = decodeBalance((await db.get(accountKey(to)))!);
      if (fromBalance <= 0n) return 0;
      const amount = 1n + BigInt(random.int(Number(fromBalance)));
      await db.batch(
        [
          { type: 'put', key: accountKey(from), value: encodeBalance(fromBalance - amount) },
          { type: 'put', key: accountKey(to), value: encodeBalance(toBalance + amount) },
          { type: 'put', key: transferKey(`${c}.${n}`), value: encodeTransfer({ id: `${c}.${n}`, from, to, amount }) },
        ],
        { sync: true },
      );
      return 1;
    } finally {
      release();
    }
  });
  const start = nowMs();
  const scans = await scanLoop(async () => {
    const rows = await db.iterator({ gte: accountsStart, lt: accountsEnd }).all();
    assertBank({ balances: new Map(rows.map(([k, v]) => [accountOfKey(k), decodeBalance(v)])), transfers: undefined }, config);
  }, load);
  const elapsedMs = nowMs() - start;
  const transfers = await load;
  await db.close();
  return { transfers, scans, scansPerSecond: (scans / elapsedMs) * 1000 };
}

function describe(name: string, r: BankRun): string {
  const t = r.transfers;
  return `${name}: ${Math.round(t.operationsPerSecond)} transfers/s (${t.operations}), ${round(t.retriesPerSecond)} retries/s, p50 ${round(percentile(t.latenciesMs, 50), 2)} ms, p99 ${round(percentile(t.latenciesMs, 99), 2)} ms, ${r.scans} scans (${round(r.scansPerSecond)}/s), invariants held`;
}

async function bench(): Promise<void> {
  progress(`bank: ${config.accounts} accounts over ${config.ranges} ranges, ${clients} transfer clients + 1 scanner, ${seconds}s per run`);
  const reference = await runReference();
  progress(describe('classic-level + in-process key mutex', reference));
  const ours = await runOurs();
  progress(describe('rangedb', ours));
  report({
    bench: 'bank',
    metric: `bank transfers/s, ${config.accounts} accounts, ${config.ranges} ranges, ${clients} clients${scanner ? ' + a scanner' : ', no scanner'}; reference: classic-level with an in-process key mutex`,
    unit: 'transfers/s',
    value: ours.transfers.operationsPerSecond,
    reference: reference.transfers.operationsPerSecond,
    extra: {
      retriesPerSecond: ours.transfers.retriesPerSecond,
      p50Ms: percentile(ours.transfers.latenciesMs, 50),
      p99Ms: percentile(ours.transfers.latenciesMs, 99),
      scansPerSecond: ours.scansPerSecond,
      referenceP50Ms: percentile(reference.transfers.latenciesMs, 50),
      referenceP99Ms: percentile(reference.transfers.latenciesMs, 99),
      referenceScansPerSecond: reference.scansPerSecond,
    },
  });
}

/** The kill -9 worker: see the header. Transfer ids are `<run>.<client>.<n>`, `run` random per process. */
async function worker(store: string): Promise<void> {
  const kv = await openBank(store);
  const run = randomBytes(4).toString('hex');
  const fail = (violation: string): never => {
    process.stderr.write(`violation: ${violation}\n`);
    process.exit(1);
  };
  process.stdout.write('ready\n');
  const randoms = Array.from({ length: clients }, () => new SeededRandom(randomBytes(4).readUInt32BE(0)));
  const load = closedLoop(clients, seconds, async (c, n) => {
    const id = `${run}.${c}.${n}`;
    const outcome = await runTransfer(kv, randoms[c]!, config, id);
    if (outcome.transfer === undefined) return 0;
    process.stdout.write(`ack ${id}\n`); // synchronous on a pipe: written before the next transfer starts
    return outcome.attempts;
  });
  let scans = 0;
  await scanLoop(async () => {
    const violation = bankViolation(await readBank(kv, false), config);
    if (violation !== undefined) fail(violation);
    process.stdout.write(`scan ${++scans}\n`);
  }, load);
  const { operations } = await load;
  const violation = bankViolation(await readBank(kv, true), config);
  if (violation !== undefined) fail(violation);
  await kv.close();
  process.stdout.write(`done ${operations}\n`);
}

const store = stringFlag('store');
if (process.argv.includes('--worker')) {
  if (store === undefined) throw new Error('--worker needs --store=DIR');
  await worker(store);
} else {
  await bench();
}
