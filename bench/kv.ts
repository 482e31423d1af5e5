/**
 * `npm run bench -- kv [--clients=64] [--seconds=5] [--warmup-seconds=1] [--keys=100000] [--value-bytes=100]`:
 * single-key write transactions with synced durability.
 *
 * Ours: a single-node rangedb (`openKv` over a `LevelEngine`: Raft-replicated ranges, latches,
 * lock table, group commit); `--clients` concurrent clients each loop
 * `runTxn(sender, deps, txn => txn.put(key, value))` on a random key of `--keys`. A transaction
 * is acknowledged once its write is durable (synced through Raft).
 *
 * Reference: raw `classic-level` in the same run, `--clients` concurrent writers each looping
 * `db.batch([one put], { sync: true })` on random keys: LevelDB's own write queue (it merges
 * concurrent writes into one fsync as it sees fit) and nothing else — no MVCC, no Raft, no
 * transactions. Reported: transactions/s vs the reference's synced batches/s, p50/p99 latency of
 * both, and retries/s (attempts beyond the first that `runTxn` made).
 *
 * Extra figures `onePhase*`: a third run where the put rides in the committing batch
 * (`txn.commit([putRequest(key, value)])`), which kv/eval commits in one phase — no intent, no
 * record, one Raft round instead of two (the write buffering CockroachDB does for such txns).
 */
import { ClassicLevel } from 'classic-level';
import { putRequest } from '../kv/api/index.js';
import { LevelEngine } from '../kv/storage/level-engine.js';
import { silentLogger } from '../src/base/logger.js';
import { realEnv } from '../src/env/real.js';
import { SeededRandom } from '../src/env/random.js';
import { openKv } from '../src/node/kv.js';
import { runTxn } from '../txn/index.js';
import { closedLoop, type LoadResult } from './_driver.js';
import { benchDir, flag, percentile, progress, report, round } from './_report.js';

const clients = flag('clients', 64);
const seconds = flag('seconds', 5);
/** Unmeasured seconds of the same load before each measured run: JIT compilation, caches, a fresh store's first lease. */
const warmupSeconds = flag('warmup-seconds', 1);
const keys = flag('keys', 100_000);
const valueBytes = flag('value-bytes', 100);
const value = new Uint8Array(valueBytes).fill(7);

/** Plain KV keys (kv/api/keyspace.ts: 0x05…0xef): `0x10 ∥ u32be(n)`. */
function key(n: number): Uint8Array {
  const bytes = new Uint8Array(5);
  bytes[0] = 0x10;
  new DataView(bytes.buffer).setUint32(1, n);
  return bytes;
}

function describe(name: string, r: LoadResult): string {
  const p50 = round(percentile(r.latenciesMs, 50), 2);
  const p99 = round(percentile(r.latenciesMs, 99), 2);
  return `${name}: ${Math.round(r.operationsPerSecond)}/s (${r.operations} in ${round(r.elapsedMs / 1000, 2)}s), p50 ${p50} ms, p99 ${p99} ms, ${r.retries} retries`;
}

async function runReference(): Promise<LoadResult> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(benchDir('kv-ref'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const randoms = Array.from({ length: clients }, (_, c) => new SeededRandom(1000 + c));
  const put = async (c: number): Promise<number> => {
    await db.batch([{ type: 'put', key: key(randoms[c]!.int(keys)), value }], { sync: true });
    return 1;
  };
  if (warmupSeconds > 0) await closedLoop(clients, warmupSeconds, put);
  const result = await closedLoop(clients, seconds, put);
  await db.close();
  return result;
}

async function runOurs(onePhase: boolean): Promise<LoadResult> {
  const kv = await openKv({ engine: await LevelEngine.open(benchDir('kv')), env: realEnv({ logger: silentLogger() }) });
  const randoms = Array.from({ length: clients }, (_, c) => new SeededRandom(1000 + c));
  const write = async (c: number): Promise<number> => {
    const k = key(randoms[c]!.int(keys));
    let attempts = 0;
    await runTxn(kv.sender, kv.txnDeps, (txn) => {
      attempts++;
      return onePhase ? txn.commit([putRequest(k, value)]) : txn.put(k, value);
    });
    return attempts;
  };
  try {
    if (warmupSeconds > 0) await closedLoop(clients, warmupSeconds, write);
    return await closedLoop(clients, seconds, write);
  } finally {
    await kv.close();
  }
}

async function main(): Promise<void> {
  progress(`kv: single-key synced write transactions, ${clients} clients, ${keys} keys, ${valueBytes}-byte values, ${seconds}s per run after ${warmupSeconds}s of warm-up`);
  const reference = await runReference();
  progress(describe('classic-level, one synced put per batch', reference));
  const ours = await runOurs(false);
  progress(describe('rangedb runTxn(put)', ours));
  const onePhase = await runOurs(true);
  progress(describe('rangedb runTxn(commit([put])), one phase', onePhase));
  report({
    bench: 'kv',
    metric: `single-key write txns/s through runTxn, ${clients} clients, synced; reference: classic-level synced 1-put batches/s, ${clients} writers`,
    unit: 'txns/s',
    value: ours.operationsPerSecond,
    reference: reference.operationsPerSecond,
    extra: {
      p50Ms: percentile(ours.latenciesMs, 50),
      p99Ms: percentile(ours.latenciesMs, 99),
      retriesPerSecond: ours.retriesPerSecond,
      referenceP50Ms: percentile(reference.latenciesMs, 50),
      referenceP99Ms: percentile(reference.latenciesMs, 99),
      onePhaseTxnsPerSecond: onePhase.operationsPerSecond,
      onePhaseP50Ms: percentile(onePhase.latenciesMs, 50),
      onePhaseP99Ms: percentile(onePhase.latenciesMs, 99),
    },
  });
}

await main();
