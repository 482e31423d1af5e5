/**
 * A real local `Sender` for coordinator tests: one range over `[a, z)` evaluated by kv/eval's
 * `evaluateBatch` over a `MemoryEngine`, each batch's buffered writes committed to the engine.
 *
 * There are no latches yet (kv/concurrency is not wired in), so a simple mutex serialises
 * every `send`: evaluation of one batch never interleaves with another's, which is what latches
 * would guarantee for overlapping spans. Heartbeats and refreshes go through the same mutex.
 *
 * Time is a `ManualClock` shared by a `HybridClock`, a `StaticClockBound` and `FakeTimers`, whose
 * callbacks run only when the test advances them: nothing here sleeps for real.
 */
import { HybridClock, ManualClock, StaticClockBound, timestamp, type Timestamp } from '../../clock/index.js';
import { batchHeader, batchRequest, batchResponse, getRequest, putRequest, rangeDescriptor, type BatchRequest, type BatchResponse, type RangeDescriptor, type Request, type RKey, type Sender } from '../../kv/api/index.js';
import { evaluateBatch } from '../../kv/eval/index.js';
import { Batch } from '../../kv/storage/batch.js';
import { MemoryEngine } from '../../kv/storage/memory-engine.js';
import { emptyStats, type MvccStats } from '../../kv/storage/mvcc/index.js';
import { nodeId, rangeId, replicaId, storeId } from '../../src/base/ids.js';
import type { TimerHandle, Timers } from '../../src/env/env.js';
import { SeededRandom } from '../../src/env/random.js';
import type { TxnDeps } from '../../txn/index.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

const descriptor: RangeDescriptor = rangeDescriptor({
  rangeId: rangeId(1),
  startKey: enc('a') as RKey,
  endKey: enc('z') as RKey,
  replicas: [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' }],
  nextReplicaId: replicaId(2),
  generation: 0,
});

/** Lets every pending promise callback run (real macrotask turns; no time passes). */
export async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** `Timers` on the manual clock: callbacks run in due order only inside `advance`. */
export class FakeTimers implements Timers {
  private nextId = 1;
  private readonly pending = new Map<number, { dueNanos: bigint; callback: () => void }>();

  constructor(private readonly clock: ManualClock) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { dueNanos: this.clock.nowNanos() + BigInt(Math.ceil(delayMs)) * 1_000_000n, callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }

  /** Moves the clock forward by `ms`, running each timer due on the way at its due time. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.nowNanos() + BigInt(ms) * 1_000_000n;
    for (;;) {
      await flush();
      const due = [...this.pending.entries()].filter(([, t]) => t.dueNanos <= target).sort((a, b) => (a[1].dueNanos < b[1].dueNanos ? -1 : 1))[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      if (due[1].dueNanos > this.clock.nowNanos()) this.clock.set(due[1].dueNanos);
      due[1].callback();
    }
    this.clock.set(target);
    await flush();
  }

  /** Advances 1ms at a time until `promise` settles (at most `msMax`); its result. */
  async drive<T>(promise: Promise<T>, msMax = 10_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    for (let ms = 0; ms < msMax && !settled; ms++) await this.advance(1);
    return tracked;
  }
}

/** The local one-range sender; `batches` records everything it evaluated or refused. */
export class LocalSender implements Sender {
  readonly engine = new MemoryEngine();
  readonly stats: MvccStats = emptyStats();
  readonly batches: BatchRequest[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly clock: HybridClock) {}

  send<const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> {
    const run = this.tail.then(() => this.evaluate(batch));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async evaluate<const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> {
    this.batches.push(batch);
    this.clock.update(batch.header.now);
    const now = this.clock.now();
    const rw = new Batch(this.engine);
    const result = await evaluateBatch({ rangeId: descriptor.rangeId, descriptor, stats: this.stats, now }, rw, batch);
    await this.engine.commit(rw.ops, { sync: false });
    return batchResponse(batch, { txn: result.updatedTxn, now }, result.responses);
  }

  /**
   * A non-transactional put at `ts` (another client's write). `now` is the clock reading its
   * header carries (default `ts`); a write at a future timestamp, like a transaction pushed into
   * the future, carries the clock's real reading and must not move the clock.
   */
  async putAt(key: string, value: string, ts: Timestamp, now: Timestamp = ts): Promise<void> {
    await this.send(batchRequest(batchHeader({ timestamp: ts, now }), [putRequest(enc(key), enc(value))]));
  }

  /** A non-transactional read at `ts` (fails on an unresolved intent). */
  async getAt(key: string, ts: Timestamp): Promise<string | undefined> {
    const response = await this.send(batchRequest(batchHeader({ timestamp: ts }), [getRequest(enc(key))]));
    return dec(response.responses[0].value);
  }

  /** The kinds of the requests of every batch sent, one string per batch. */
  kinds(): string[] {
    return this.batches.map((b) => b.requests.map((r) => r.kind).join(','));
  }
}

export interface World {
  readonly manual: ManualClock;
  readonly clock: HybridClock;
  readonly timers: FakeTimers;
  readonly sender: LocalSender;
  readonly deps: TxnDeps;
}

export const startNanos = 1_000_000_000_000n;

/**
 * A fresh world at `startNanos`, with a clock bound (and max offset) of `uncertaintyNanos`.
 * Its transactions send each write at once (no write buffer): these tests follow every batch
 * the stack sends; write-buffer.test.ts turns the buffer on with `writeBufferBytesMax`.
 */
export function world(uncertaintyNanos = 5_000_000n, seed = 7, writeBufferBytesMax = 0): World {
  const manual = new ManualClock(startNanos);
  const clock = new HybridClock(manual, { maxOffsetNanos: uncertaintyNanos });
  const timers = new FakeTimers(manual);
  const sender = new LocalSender(clock);
  const deps: TxnDeps = { clock, clockBound: new StaticClockBound(manual, uncertaintyNanos), timers, random: new SeededRandom(seed), writeBufferBytesMax };
  return { manual, clock, timers, sender, deps };
}

export const ts = (wallNanos: bigint, logical = 0): Timestamp => timestamp(wallNanos, logical);
