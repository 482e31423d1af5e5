/**
 * `npm run bench -- tscache [--entries=100000] [--ops=300000] [--rows=0]`: the timestamp cache on
 * point reads (`--rows=1`: on row spans `[k, k·ff)`, as a scan of one row records them).
 *
 * Ours: `TimestampCache` (kv/concurrency/timestamp-cache.ts, a B+tree). Reference: the sorted
 * array it replaced (bench/_array-timestamp-cache.ts), in the same run on the same keys and
 * timestamps. Keys look like a table's primary keys (a 4-byte prefix and an 8-byte big-endian
 * row id). Phases, each timed for both:
 *
 * - `fill`: `--entries` point reads of distinct keys in random order (the cache grows to
 *   `--entries`; every add inserts an interval);
 * - `reread`: `--ops` point reads of random keys already held, at increasing timestamps (pgbench
 *   select-only once the cache is full: every add updates an interval);
 * - `evict`: `--ops` point reads of new keys into a cache capped at `--entries`, so eviction runs
 *   every `entries/4` adds;
 * - `getMax`: `--ops` point lookups of random held keys (what a write asks before it lands).
 *
 * Reported: re-read adds/s vs the reference, and every phase's ops/s in `extra`.
 */
import { timestamp, type Timestamp } from '../clock/timestamp.js';
import { TimestampCache, type Span, type TimestampCacheValue } from '../kv/concurrency/index.js';
import type { TxnId } from '../src/base/ids.js';
import { ArrayTimestampCache } from './_array-timestamp-cache.js';
import { flag, nowMs, permutation, progress, report, round } from './_report.js';

const entries = flag('entries', 100_000);
const ops = flag('ops', 300_000);
const rows = flag('rows', 0) === 1;

interface Cache {
  add(span: Span, ts: Timestamp, txnId: TxnId | undefined): void;
  getMax(span: Span): TimestampCacheValue;
  readonly size: number;
}

function rowKey(id: number, suffix: number[] = []): Uint8Array {
  const key = new Uint8Array(12 + suffix.length);
  key.set([0xf6, 0x6a, 0x89, 0x88]);
  new DataView(key.buffer).setBigUint64(4, BigInt(id));
  key.set(suffix, 12);
  return key;
}

/** The span a read of row `id` records: its key, or with `--rows=1` its row span. */
function rowSpan(id: number): Span {
  return rows ? { start: rowKey(id), end: rowKey(id, [0xff]) } : { start: rowKey(id) };
}

interface PhaseRates {
  readonly fill: number;
  readonly reread: number;
  readonly evict: number;
  readonly getMax: number;
}

/** Ops per second of `body(i)` for i in [0, n). */
function timed(n: number, body: (i: number) => void): number {
  const start = nowMs();
  for (let i = 0; i < n; i++) body(i);
  return (n / (nowMs() - start)) * 1000;
}

function runPhases(make: (spansMax: number) => Cache, n: number, m: number): PhaseRates {
  const fillOrder = permutation(n, 7);
  const rereadOrder = permutation(n, 11);
  const keys = Array.from({ length: n }, (_, i) => rowSpan(i * 2));
  const fresh = Array.from({ length: m }, (_, i) => rowSpan(i * 2 + 1));
  const cache = make(n);
  let tick = 10;
  const fill = timed(n, (i) => cache.add(keys[fillOrder[i]!]!, timestamp(BigInt(tick++)), undefined));
  const reread = timed(m, (i) => cache.add(keys[rereadOrder[i % n]!]!, timestamp(BigInt(tick++)), undefined));
  let sink = 0;
  const getMax = timed(m, (i) => {
    sink += cache.getMax(keys[rereadOrder[(i * 7) % n]!]!).timestamp.logical;
  });
  const evict = timed(m, (i) => cache.add(fresh[i]!, timestamp(BigInt(tick++)), undefined));
  if (sink !== 0 || cache.size > n) throw new Error('unexpected cache state');
  return { fill, reread, evict, getMax };
}

function describe(rates: PhaseRates): string {
  return `fill ${Math.round(rates.fill)}/s, reread ${Math.round(rates.reread)}/s, evict ${Math.round(rates.evict)}/s, getMax ${Math.round(rates.getMax)}/s`;
}

function main(): void {
  const ours = (spansMax: number): Cache => new TimestampCache(timestamp(1n), { spansMax });
  const theirs = (spansMax: number): Cache => new ArrayTimestampCache(timestamp(1n), spansMax);
  progress(`tscache: ${entries} entries, ${ops} ops per phase, ${rows ? 'row spans' : 'points'}; warming up`);
  runPhases(ours, 5_000, 20_000);
  runPhases(theirs, 5_000, 20_000);
  const tree = runPhases(ours, entries, ops);
  progress(`B+tree:       ${describe(tree)}`);
  const array = runPhases(theirs, entries, ops);
  progress(`sorted array: ${describe(array)}`);
  report({
    bench: 'tscache',
    metric: `${rows ? 'row-span' : 'point'} re-reads/s into a timestamp cache of ${entries} entries, B+tree vs sorted array`,
    unit: 'adds/s',
    value: tree.reread,
    reference: array.reread,
    extra: {
      fillPerSecond: round(tree.fill),
      evictPerSecond: round(tree.evict),
      getMaxPerSecond: round(tree.getMax),
      referenceFillPerSecond: round(array.fill),
      referenceEvictPerSecond: round(array.evict),
      referenceGetMaxPerSecond: round(array.getMax),
    },
  });
}

main();
