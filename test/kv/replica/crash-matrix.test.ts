/**
 * The crash matrix of the store's Ready loop (kv/replica/store.ts, `Store.processReady`): a
 * deterministic workload — single writes, concurrent writes, a split, a transaction over both
 * ranges — runs on an engine that "dies" at its k-th commit, for every k: that commit and every
 * later one never land (the process is gone), and the engine then keeps a prefix of what was
 * committed before, from the synced commits only (a power loss, nothing written back) to every
 * commit that returned (kill -9, the OS keeps the process's writes) — each prefix LevelDB's
 * ordered write-ahead log can leave behind (kv/storage/memory-engine.ts, `crash`). Each
 * (k, prefix) pair is a fresh run of the same workload; the store is then reopened on what
 * survived, and must
 * - open (Raft starting with commit ≥ applied: an applied index made durable ahead of the hard
 *   state's commit index is the bug this guards, see `RaftLogStorage.open`);
 * - hold every write acknowledged before the death (acknowledged = durable);
 * - take new writes.
 * A second, longer workload passes `raftLogAppliedEntriesMax` entries, and crashes around the
 * commit that truncates the log (the truncated state must never pass a durable applied index).
 *
 * Everything is deterministic: a manual clock, timers that never fire (a single voter needs no
 * ticks), a seeded random source, and an in-memory engine whose commits resolve in microtasks.
 * The run is replayed for each prefix, and must replay identically.
 */
import { describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, compareKeys, getRequest, putRequest, raftTruncatedStateKey } from '../../../kv/api/index.js';
import type { CommitOptions, WriteOp } from '../../../kv/storage/engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { rangeId } from '../../../src/base/ids.js';
import { limits } from '../../../src/base/limits.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn } from '../../../txn/index.js';
import { stillEnv } from './replica-harness.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
/** Before the real clock the restarted store runs on: the restart comes later. */

/** A `MemoryEngine` whose process dies at its `dieAt`-th commit (1-based): it and every later one never resolve. */
export class DyingEngine extends MemoryEngine {
  /** Commits that landed, in order. */
  commits = 0;
  /** The numbers (1-based) of the commits that landed and wrote range 1's truncated state. */
  readonly truncations: number[] = [];
  private dead = false;
  private onDeath: () => void = () => undefined;
  /** Resolves when the process died. */
  readonly died = new Promise<void>((resolve) => (this.onDeath = resolve));

  constructor(private dieAt: number | undefined) {
    super();
  }

  override commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    if (!this.dead && this.commits + 1 === this.dieAt) {
      this.dead = true;
      this.onDeath();
    }
    if (this.dead) return new Promise<void>(() => undefined); // the process is gone: nothing resolves
    this.commits++;
    const truncatedState = raftTruncatedStateKey(rangeId(1));
    if (ops.some((op) => op.kind === 'put' && compareKeys(op.key, truncatedState) === 0)) this.truncations.push(this.commits);
    return super.commit(ops, options);
  }

  /** The machine restarts with `unsyncedKept` of the unsynced commits; a new process may commit. */
  restart(unsyncedKept: number): void {
    this.crash({ unsyncedKept });
    this.dead = false;
    this.dieAt = undefined;
  }
}


/** Lets every pending callback run (macrotask turns; no time passes). */
async function flush(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function put(kv: Kv, key: string, acked: Map<string, string>, value = `v-${key}`): Promise<void> {
  await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(k(key), enc(value))]));
  acked.set(key, value);
}

async function get(kv: Kv, key: string): Promise<string | undefined> {
  const response = await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [getRequest(k(key))]));
  return dec(response.responses[0].value);
}

/**
 * The workload: one write (the lease is taken on the way), waves of concurrent writes (their
 * proposals meet a Ready cycle in flight), a wave of large ones (together past
 * `raftMessageBytesMax`: a Ready hands out only part of what it commits, and the rest is applied
 * early in the next cycle, ahead of its batch), a split, writes on both sides, and a transaction
 * writing one key in each range (intents, EndTxn, asynchronous resolution). `acked` collects the
 * writes acknowledged, each the moment its caller learns of it.
 */
async function workload(kv: Kv, acked: Map<string, string>): Promise<void> {
  await put(kv, 'first', acked);
  for (let wave = 0; wave < 3; wave++) await Promise.all(['a', 'b', 'c'].map((p) => put(kv, `${p}${wave}`, acked)));
  const large = 'L'.repeat(limits.raftMessageBytesMax / 3);
  await Promise.all(['g', 'h', 'i', 'j'].map((p) => put(kv, `${p}-large`, acked, `${p}${large}`)));
  await kv.split(k('m'));
  acked.set('split', 'done');
  await Promise.all(['d', 'n', 'x'].map((p) => put(kv, `${p}0`, acked)));
  await runTxn(kv.sender, kv.txnDeps, async (txn) => {
    await txn.put(k('e-txn'), enc('v-e-txn'));
    await txn.put(k('y-txn'), enc('v-y-txn'));
  });
  acked.set('e-txn', 'v-e-txn');
  acked.set('y-txn', 'v-y-txn');
  await Promise.all(['f', 'z'].map((p) => put(kv, `${p}0`, acked)));
}

interface Run {
  readonly engine: DyingEngine;
  readonly acked: ReadonlyMap<string, string>;
  readonly died: boolean;
  /** Commits since the last synced one when the process died (what a crash may lose). */
  readonly unsynced: number;
  /** Readies applied early, ahead of their cycle's batch (`Store.metrics`), in a run that lived. */
  readonly earlyApplied?: number;
}

type Workload = (kv: Kv, acked: Map<string, string>) => Promise<void>;

/**
 * Enough writes, 100 at a time, to pass `raftLogAppliedEntriesMax` entries at or below the
 * applied index: range 1's log is truncated (its first entries deleted, the truncated state
 * moved up) in the batch of one cycle, with that cycle's appends and their application.
 */
async function truncatingWorkload(kv: Kv, acked: Map<string, string>): Promise<void> {
  await put(kv, 'first', acked);
  for (let i = 0; i <= limits.raftLogAppliedEntriesMax + 100; i += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, j) => put(kv, `t${String(i + j).padStart(5, '0')}`, acked)));
  }
}

async function runUntilDeath(dieAt: number | undefined, work: Workload = workload): Promise<Run> {
  const engine = new DyingEngine(dieAt);
  const acked = new Map<string, string>();
  const run = (async () => {
    const kv = await openKv({ engine, env: stillEnv() });
    await work(kv, acked);
    return kv;
  })();
  const outcome = await Promise.race([run.then((kv) => ({ kv })), engine.died.then(() => undefined)]);
  if (outcome !== undefined) {
    const unsynced = engine.unsyncedCommitCount;
    const earlyApplied = outcome.kv.store.metrics.earlyApplied;
    await outcome.kv.close();
    return { engine, acked, died: false, unsynced, earlyApplied };
  }
  await flush(); // answers given before the death reach their callers
  return { engine, acked: new Map(acked), died: true, unsynced: engine.unsyncedCommitCount };
}

/** Restarts on what survived and checks the store; the failures found, as text. */
async function restartAndCheck(run: Run, unsyncedKept: number): Promise<string[]> {
  run.engine.restart(unsyncedKept);
  let kv: Kv;
  try {
    kv = await openKv({ engine: run.engine, env: realEnv({ logger: silentLogger() }) });
  } catch (error) {
    return [`restart failed: ${(error as Error).message}`];
  }
  const failures: string[] = [];
  try {
    for (const replica of kv.store.replicas()) {
      const status = replica.raw.status();
      if (status.commit < replica.appliedIndex) failures.push(`r${replica.rangeId}: commit ${status.commit} below applied ${replica.appliedIndex}`);
    }
    if (run.acked.has('split') && (await kv.ranges()).length < 2) failures.push('the acknowledged split is gone');
    const writes = [...run.acked].filter(([key]) => key !== 'split');
    for (let i = 0; i < writes.length; i += 100) {
      const chunk = writes.slice(i, i + 100);
      const found = await Promise.all(chunk.map(([key]) => get(kv, key)));
      chunk.forEach(([key, value], j) => found[j] !== value && failures.push(`acknowledged ${key} is gone`));
    }
    const fresh = new Map<string, string>();
    await put(kv, 'after-restart', fresh);
    if ((await get(kv, 'after-restart')) !== 'v-after-restart') failures.push('a write after the restart is not readable');
  } finally {
    await kv.close();
  }
  return failures;
}

describe('crash matrix of the Ready loop', () => {
  const summary = { crashPoints: 0, prefixes: 0 };

  /** Dies at commit `dieAt`, then restarts on every prefix of the unsynced commits; the failures. */
  async function crashAt(dieAt: number, commits: number, work: Workload): Promise<string[]> {
    summary.crashPoints++;
    const failures: string[] = [];
    const first = await runUntilDeath(dieAt, work);
    expect(first.died).toBe(true);
    for (let kept = 0; kept <= first.unsynced; kept++) {
      summary.prefixes++;
      const run = kept === 0 ? first : await runUntilDeath(dieAt, work);
      // Same seed, same run: the replay dies at the same point with the same answers given.
      expect([...run.acked.keys()]).toEqual([...first.acked.keys()]);
      expect(run.unsynced).toBe(first.unsynced);
      for (const failure of await restartAndCheck(run, kept)) failures.push(`die at commit ${dieAt}/${commits}, keep ${kept}/${run.unsynced} unsynced: ${failure}`);
    }
    return failures;
  }

  it('restarts with every acknowledged write after a crash at every commit, keeping every prefix of the unsynced ones', async () => {
    const full = await runUntilDeath(undefined);
    expect(full.died).toBe(false);
    expect(full.earlyApplied).toBeGreaterThan(0); // the matrix covers early application
    const commits = full.engine.commits;
    expect(commits).toBeGreaterThan(15);
    const failures: string[] = [];
    for (let dieAt = 1; dieAt <= commits; dieAt++) failures.push(...(await crashAt(dieAt, commits, workload)));
    expect(failures).toEqual([]);
    // The matrix must include crashes that leave unsynced commits behind (what it is about).
    expect(summary.prefixes).toBeGreaterThan(summary.crashPoints);
  }, 120_000);

  it('restarts with every acknowledged write after a crash around a log truncation, keeping every prefix', async () => {
    const full = await runUntilDeath(undefined, truncatingWorkload);
    expect(full.died).toBe(false);
    // The first "truncation" is the bootstrap's initial truncated state; the last, the log's.
    expect(full.engine.truncations).toHaveLength(2);
    const truncation = full.engine.truncations[1];
    const failures: string[] = [];
    // Just before, at, and just after the commit that truncates (the run is long: not every commit).
    for (let dieAt = truncation! - 2; dieAt <= Math.min(truncation! + 2, full.engine.commits); dieAt++) failures.push(...(await crashAt(dieAt, full.engine.commits, truncatingWorkload)));
    expect(failures).toEqual([]);
  }, 240_000);
});
