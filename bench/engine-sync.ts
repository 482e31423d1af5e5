/**
 * `npm run bench -- engine-sync [--writers=16] [--seconds=5] [--ops=10]`: group commit.
 *
 * `--writers` concurrent writers each commit synced write batches of `--ops` 100-byte puts
 * through one `LevelEngine`, as fast as their commits are acknowledged, for `--seconds`.
 * Reported: batches/s and per-batch commit latency p50/p99. Reference: the same batches from a
 * single writer (every batch pays a whole fsync), so the ratio shows how well the group-commit
 * queue shares fsyncs among concurrent writers.
 */
import { LevelEngine } from '../kv/storage/level-engine.js';
import type { WriteOp } from '../kv/storage/engine.js';
import { benchDir, flag, nowMs, percentile, progress, report, round } from './_report.js';

const writers = flag('writers', 16);
const seconds = flag('seconds', 5);
const opsPerBatch = flag('ops', 10);
const value = new Uint8Array(100).fill(3);

interface RunResult {
  readonly batchesPerSecond: number;
  readonly latenciesMs: number[];
  readonly syncs: number;
}

async function run(writerCount: number): Promise<RunResult> {
  const engine = await LevelEngine.open(benchDir(`sync${writerCount}`));
  const latenciesMs: number[] = [];
  let batches = 0;
  const deadline = nowMs() + seconds * 1000;
  const writer = async (id: number): Promise<void> => {
    for (let n = 0; nowMs() < deadline; n++) {
      const ops: WriteOp[] = [];
      for (let i = 0; i < opsPerBatch; i++) ops.push({ kind: 'put', key: new TextEncoder().encode(`w${id}/${n}/${i}`), value });
      const start = nowMs();
      await engine.commit(ops, { sync: true });
      latenciesMs.push(nowMs() - start);
      batches++;
    }
  };
  const start = nowMs();
  await Promise.all(Array.from({ length: writerCount }, (_, id) => writer(id)));
  const elapsedMs = nowMs() - start;
  const { syncs } = engine.groupCommitStats();
  await engine.close();
  return { batchesPerSecond: (batches / elapsedMs) * 1000, latenciesMs, syncs };
}

async function main(): Promise<void> {
  progress(`engine-sync: ${opsPerBatch}-put synced batches, ${seconds}s per run`);
  const single = await run(1);
  progress(`1 writer: ${Math.round(single.batchesPerSecond)} batches/s, p50 ${round(percentile(single.latenciesMs, 50), 2)} ms, ${single.syncs} fsyncs`);
  const many = await run(writers);
  const p50 = percentile(many.latenciesMs, 50);
  const p99 = percentile(many.latenciesMs, 99);
  progress(`${writers} writers: ${Math.round(many.batchesPerSecond)} batches/s, p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms, ${many.syncs} fsyncs for ${many.latenciesMs.length} batches`);
  report({
    bench: 'engine-sync',
    metric: `synced batches/s, ${writers} concurrent writers vs 1 writer`,
    unit: 'batches/s',
    value: many.batchesPerSecond,
    reference: single.batchesPerSecond,
    extra: { p50Ms: p50, p99Ms: p99, referenceP50Ms: percentile(single.latenciesMs, 50), referenceP99Ms: percentile(single.latenciesMs, 99), batchesPerFsync: many.latenciesMs.length / many.syncs },
  });
}

await main();
