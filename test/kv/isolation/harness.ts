/**
 * The isolation tests' world: a single-node KV server (`openKv`) over a `MemoryEngine`, split
 * into three ranges so that a transaction touching rows 1, 2 and 3 commits across ranges
 * (two-phase commit with intents on every range, the record on the first written key's):
 *
 * ```
 *   r1 [/Min, "i")       r2 ["i", "q")        r3 ["q", /Max)
 *      a/row/1, a/row/4     i/row/2, i/row/5     q/row/3, q/row/6
 * ```
 *
 * Time is real (the server's timers and Raft ticks run), but the wall clock can be jumped
 * forward (`JumpClock`) to make an abandoned transaction's record expire without waiting 5 s.
 */
import { expect } from 'vitest';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { batchHeader, batchRequest, getRequest, isRetryableError, type Sender } from '../../../kv/api/index.js';
import { silentLogger } from '../../../src/base/logger.js';
import type { Env, EnvClock } from '../../../src/env/env.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn, type TxnDeps, type TxnOptions } from '../../../txn/index.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

export const splitKeys: readonly string[] = ['i', 'q'];
const rangePrefixes = ['q', 'a', 'i'] as const; // by id % 3: row 1 on r1, 2 on r2, 3 on r3

/** The key of row `id`: rows 1, 2, 3 land on three different ranges. */
export const rowKeyString = (id: number): string => `${rangePrefixes[id % 3] ?? 'a'}/row/${id}`;
export const rowKey = (id: number): Uint8Array => enc(rowKeyString(id));
/** The span holding every row key (and nothing else the tests write). */
export const tableStart = enc('a/row/');
export const tableEnd = enc('q/row0');

/** A wall clock that runs in real time and can be stepped forward (as NTP might). */
export class JumpClock implements EnvClock {
  private offsetNanos = 0n;

  constructor(private readonly base: EnvClock) {}

  nowNanos(): bigint {
    return this.base.nowNanos() + this.offsetNanos;
  }

  /** The monotonic clock is not stepped: durations stay real. */
  monotonicNanos(): bigint {
    return this.base.monotonicNanos();
  }

  jump(nanos: bigint): void {
    expect(nanos >= 0n).toBe(true);
    this.offsetNanos += nanos;
  }
}

export interface TestKv {
  readonly kv: Kv;
  readonly env: Env;
  readonly engine: MemoryEngine;
}

export interface TestKvOptions {
  readonly maxClockOffsetNanos?: bigint;
  /** Replaces the real wall clock (e.g. a `JumpClock`). */
  readonly clock?: EnvClock;
  /** Keys to split at; default `splitKeys` (three ranges). */
  readonly splitAt?: readonly string[];
}

/** Opens the server, splits it and checks the ranges are there. Close with `kv.close()`. */
export async function openTestKv(options: TestKvOptions = {}): Promise<TestKv> {
  const base = realEnv({ logger: silentLogger() });
  const env: Env = options.clock === undefined ? base : { ...base, clock: options.clock };
  const engine = new MemoryEngine();
  const kv = await openKv({ engine, env, ...(options.maxClockOffsetNanos === undefined ? {} : { maxClockOffsetNanos: options.maxClockOffsetNanos }) });
  const splitAt = options.splitAt ?? splitKeys;
  for (const key of splitAt) await kv.split(enc(key));
  const ranges = await kv.ranges();
  expect(ranges.length).toBeGreaterThanOrEqual(splitAt.length + 1);
  for (const key of splitAt) expect(ranges.some((r) => dec(r.startKey) === key)).toBe(true);
  return { kv, env, engine };
}

/**
 * A transaction for a scripted scenario. It sends each write at once (no write buffer): the
 * scenarios lay an intent down at a chosen step ("T1 writes x, then T2 reads x and waits"). The
 * randomized checker, the bank test and `seed` run with the node's default buffering.
 */
export function newTxn(t: TestKv, options: TxnOptions = {}, deps: TxnDeps = t.kv.txnDeps): Txn {
  return new Txn(t.kv.sender, deps, { writeBufferBytesMax: 0, ...options });
}

/** Writes `rows` (id → value) in one committed transaction (retried if it must be). */
export async function seed(t: TestKv, rows: Readonly<Record<number, string>>): Promise<void> {
  await runTxn(
    t.kv.sender,
    t.kv.txnDeps,
    async (txn) => {
      for (const [id, value] of Object.entries(rows)) await txn.put(rowKey(Number(id)), enc(value));
    },
    { name: 'seed' },
  );
}

/**
 * Every row as `key → value`, read by a fresh transaction (which resolves leftover intents).
 * Through runTxn: a value written at a pushed timestamp may lie above the clock's now, in the
 * reader's uncertainty interval, and a read may have to restart for it.
 */
export async function tableState(t: TestKv): Promise<Map<string, string>> {
  const rows = await runTxn(t.kv.sender, t.kv.txnDeps, (txn) => txn.scan(tableStart, tableEnd), { name: 'final-read' });
  return new Map(rows.map((row) => [dec(row.key) ?? '', dec(row.value) ?? '']));
}

/** A non-transactional consistent read of `key` at the clock's now. */
export async function readNow(sender: Sender, deps: TxnDeps, key: Uint8Array): Promise<string | undefined> {
  const now = deps.clock.now();
  const response = await sender.send(batchRequest(batchHeader({ timestamp: now, now }), [getRequest(key)] as const));
  return dec(response.responses[0].value);
}

export type Settled<T> = { readonly status: 'fulfilled'; readonly value: T } | { readonly status: 'rejected'; readonly error: unknown };

/** Never rejects: the promise's outcome as a value. */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (error: unknown) => ({ status: 'rejected', error }) as const,
  );
}

/** Whether `promise` is still pending after `ms` of real time (returns as soon as it settles). */
export async function stillPendingAfter(env: Env, promise: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  const startNanos = env.clock.monotonicNanos();
  while (!done && elapsedMs(env, startNanos) < ms) await env.timers.sleep(Math.min(5, ms));
  return !done;
}

/** Asserts `outcome` is a retryable rejection (TransactionRetry, WriteTooOld, TransactionAborted, …). */
export function expectRetryable(outcome: Settled<unknown>): void {
  expect(outcome.status).toBe('rejected');
  if (outcome.status === 'rejected') expect(isRetryableError(outcome.error), String(outcome.error)).toBe(true);
}

/** Milliseconds of the env's monotonic clock since `startNanos`. */
export function elapsedMs(env: Env, startNanos: bigint): number {
  return Number(env.clock.monotonicNanos() - startNanos) / 1e6;
}
