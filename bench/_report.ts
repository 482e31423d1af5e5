/**
 * Shared helpers of the benchmarks: timing, progress on stderr, percentiles and the one JSON
 * line every benchmark ends with (README "Benchmarks").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchResult {
  readonly bench: string;
  readonly metric: string;
  readonly unit: string;
  readonly value: number;
  readonly reference: number;
  /** Further figures of the same run, e.g. latency percentiles (`p99Ms`). */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Prints the result line: `{"bench", "metric", "unit", "value", "reference", "ratio"}`. */
export function report(result: BenchResult): void {
  const ratio = result.reference === 0 ? 0 : result.value / result.reference;
  const { extra, ...main } = result;
  const rounded = Object.fromEntries(Object.entries(extra ?? {}).map(([k, v]) => [k, round(v, 3)]));
  console.log(JSON.stringify({ ...main, value: round(result.value), reference: round(result.reference), ratio: round(ratio, 3), ...rounded }));
}

export function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function nowMs(): number {
  return performance.now();
}

/** The p-th percentile (0–100) of `samples`, by nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A temp folder removed at exit. */
export function benchDir(name: string): string {
  const path = mkdtempSync(join(tmpdir(), `rangedb-bench-${name}-`));
  process.on('exit', () => rmSync(path, { recursive: true, force: true }));
  return path;
}

/** A deterministic shuffle of 0…n-1 (xorshift), so both sides of a comparison see the same order. */
export function permutation(n: number, seed = 1): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  let x = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const j = x % (i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

export function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}
