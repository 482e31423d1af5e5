/**
 * A randomized serializability check over the real KV server: concurrent `runTxn` workers do
 * seeded mixes of reads then writes (mostly of rows just read, sometimes blind) on six rows spread over three
 * ranges, each write installing a value unique to its attempt. The committed attempts' reads and
 * writes form a history whose version order is read back from the store itself (each committed
 * write must be the version visible at its transaction's commit timestamp); dsg.ts then builds
 * the direct serialization graph (ww, wr, rw) and requires it to be acyclic, and every value read
 * to come from a committed transaction. A lost update, write skew, read skew or an aborted read
 * anywhere in the run fails the test with the cycle it formed (dsg.test.ts shows the checker
 * rejects each).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compare, type Timestamp } from '../../../clock/timestamp.js';
import { mvccGet } from '../../../kv/storage/mvcc/read.js';
import { SeededRandom } from '../../../src/env/random.js';
import { ParallelCommits, runTxn, type Txn, type TxnDeps } from '../../../txn/index.js';
import { checkSerializable, describeCycle, type CommittedTxn } from './dsg.js';
import { dec, enc, openTestKv, rowKey, rowKeyString, seed, stillPendingAfter, tableState, type TestKv } from './harness.js';

const rowIds = [1, 2, 3, 4, 5, 6];
const workers = 6;
const txnsPerWorker = 6;
/** A run takes about a second; far longer means transactions wait on each other for good. */
const runMsMax = 20_000;
const thinkMs = [0, 0, 1, 2, 5];

type PlanOp = { readonly kind: 'read' | 'write'; readonly id: number };

/**
 * Reads of 2–3 distinct rows, then writes of 1–2 rows — usually rows it read (read-modify-write:
 * lost updates and write skew need both transactions to read before either writes), now and
 * then one it did not (a blind write).
 */
function plan(random: SeededRandom): PlanOp[] {
  const unread = [...rowIds];
  const take = (from: number[]): number => from.splice(random.int(from.length), 1)[0] ?? 1;
  const read = Array.from({ length: 2 + random.int(2) }, () => take(unread));
  const writable = [...read];
  const writes = Array.from({ length: 1 + random.int(2) }, () => (random.int(5) === 0 ? take(unread) : take(writable)));
  return [...read.map((id) => ({ kind: 'read', id }) as const), ...writes.map((id) => ({ kind: 'write', id }) as const)];
}

interface Attempt {
  readonly txn: Txn;
  readonly reads: Map<string, string | undefined>;
  readonly writes: Map<string, string>;
}

interface Recorder {
  readonly committed: (CommittedTxn & { readonly commitTs: Timestamp })[];
  readonly allWrites: Set<string>;
  gaveUp: number;
  /** Per worker, what it is doing now (for the report of a run that does not finish). */
  readonly progress: string[];
}

async function worker(t: TestKv, deps: TxnDeps, seedValue: number, index: number, recorder: Recorder): Promise<void> {
  const random = new SeededRandom(seedValue * 1000 + index);
  for (let n = 0; n < txnsPerWorker; n++) {
    const ops = plan(random);
    const name = `w${index}.${n}`;
    let attemptNumber = 0;
    let last: Attempt | undefined;
    try {
      await runTxn(
        t.kv.sender,
        deps,
        async (txn) => {
          attemptNumber++;
          const attempt: Attempt = { txn, reads: new Map(), writes: new Map() };
          last = attempt;
          const plan = ops.map((o) => `${o.kind} ${o.id}`).join(', ');
          for (const op of ops) {
            const key = rowKeyString(op.id);
            const doing = (what: string): void => {
              recorder.progress[index] = `${name} attempt ${attemptNumber} [${plan}] priority ${txn.transaction.priority}: ${what}`;
            };
            // Think time between operations, so transactions overlap in many more ways.
            await t.env.timers.sleep(thinkMs[random.int(thinkMs.length)] ?? 0);
            doing(`${op.kind} ${key}`);
            if (op.kind === 'read') {
              attempt.reads.set(key, dec(await txn.get(rowKey(op.id))));
              continue;
            }
            const value = `${name}.a${attemptNumber}.r${op.id}`;
            recorder.allWrites.add(value);
            await txn.put(rowKey(op.id), enc(value));
            attempt.writes.set(key, value);
          }
          recorder.progress[index] = `${name} attempt ${attemptNumber}: commit`;
        },
        { name, attemptsMax: 30 },
      );
    } catch (error) {
      // Giving up after attemptsMax retryable errors is allowed (the attempt rolled back);
      // anything else is a failure of the test.
      expect((error as { errorClass?: string }).errorClass, String(error)).toBe('retryable');
      recorder.gaveUp++;
      continue;
    }
    recorder.progress[index] = `${name} done`;
    const committed = last;
    expect(committed).toBeDefined();
    if (committed === undefined) continue;
    recorder.committed.push({ name: `${name}.a${attemptNumber}`, reads: committed.reads, writes: committed.writes, commitTs: committed.txn.transaction.writeTimestamp });
  }
}

/** Per row, the committed writes ordered by commit timestamp, each checked against the store. */
async function versionOrder(t: TestKv, recorder: Recorder): Promise<Map<string, string[]>> {
  const order = new Map<string, string[]>();
  for (const id of rowIds) {
    const key = rowKeyString(id);
    const writers = recorder.committed.filter((c) => c.writes.has(key)).sort((a, b) => compare(a.commitTs, b.commitTs));
    writers.forEach((writer, i) => {
      const previous = writers[i - 1];
      if (previous !== undefined) expect(compare(previous.commitTs, writer.commitTs), `two commits of ${key} at one timestamp`).toBeLessThan(0);
    });
    for (const writer of writers) {
      // The version the store shows at the commit timestamp is this transaction's write.
      const visible = await mvccGet(t.engine, rowKey(id), writer.commitTs, { inconsistent: true });
      expect(dec(visible.value?.value ?? undefined), `${writer.name}'s write of ${key} at its commit timestamp`).toBe(writer.writes.get(key));
    }
    order.set(key, writers.map((w) => w.writes.get(key) ?? ''));
  }
  return order;
}

describe('randomized serializability check (direct serialization graph)', () => {
  let t: TestKv;
  beforeEach(async () => {
    t = await openTestKv();
  });
  afterEach(async () => {
    await t.kv.close();
  });

  // Parallel commits on: the commits of writes over several ranges go out with their STAGING
  // record, and are made explicit asynchronously (txn/committer.ts).
  for (const [seedValue, parallel] of [1, 2, 3].flatMap((seedValue) => [[seedValue, false] as const, [seedValue, true] as const])) {
    it(`concurrent read-modify-writes on six rows over three ranges are serializable (seed ${seedValue}${parallel ? ', parallel commits' : ''})`, async () => {
      const initial = new Map(rowIds.map((id) => [rowKeyString(id), `init.r${id}`]));
      await seed(t, Object.fromEntries(rowIds.map((id) => [id, `init.r${id}`])));
      const setting = new ParallelCommits(parallel);
      const deps: TxnDeps = { ...t.kv.txnDeps, random: new SeededRandom(seedValue), parallelCommits: setting };
      const recorder: Recorder = { committed: [], allWrites: new Set(), gaveUp: 0, progress: [] };
      const run = Promise.all(Array.from({ length: workers }, (_, i) => worker(t, deps, seedValue, i, recorder)));
      const stuck = await stillPendingAfter(t.env, run, runMsMax);
      expect(stuck, `workers still busy after ${runMsMax} ms:\n${recorder.progress.join('\n')}`).toBe(false);
      await run;
      const final = await tableState(t);
      const order = await versionOrder(t, recorder);
      for (const [key, versions] of order) expect(final.get(key), `final value of ${key}`).toBe(versions[versions.length - 1] ?? initial.get(key));
      const committedWrites = new Set(recorder.committed.flatMap((c) => [...c.writes.values()]));
      const abortedWrites = new Set([...recorder.allWrites].filter((v) => !committedWrites.has(v)));
      const verdict = checkSerializable({ initial, committed: recorder.committed, abortedWrites, versionOrder: order });
      const why = verdict.serializable ? '' : `${verdict.anomaly} ${describeCycle(verdict.cycle ?? [])}`;
      expect(verdict.serializable, why).toBe(true);
      // The run must have been a real test: most transactions committed, and they conflicted.
      expect(recorder.committed.length).toBeGreaterThanOrEqual((workers * txnsPerWorker * 3) / 4);
      expect(recorder.committed.length + recorder.gaveUp).toBe(workers * txnsPerWorker);
      expect(abortedWrites.size).toBeGreaterThan(0);
      if (parallel) expect(setting.stagedCommits, 'commits staged in parallel').toBeGreaterThan(0);
      else expect(setting.stagedCommits).toBe(0);
    });
  }
});
