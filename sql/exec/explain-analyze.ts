/**
 * EXPLAIN's options and EXPLAIN ANALYZE.
 *
 * EXPLAIN ANALYZE runs the statement — its writes really happen, as in PostgreSQL: wrap it in
 * BEGIN … ROLLBACK to look without changing — throws its rows away, and prints the plan with
 * what each node did (exec-stats.ts): its actual row count and loops, its time, and for the
 * nodes that read KV the batches, rows and bytes they read and the time they waited, after a
 * header with the statement's totals, as CockroachDB's EXPLAIN ANALYZE prints them:
 *
 * ```
 * planning time: 110µs
 * execution time: 2.1ms
 * distribution: local
 * vectorized: false
 * result: SELECT 2
 * rows decoded from KV: 2 (46 B, 1 KV batch)
 * maximum memory usage: 0 B
 * • scan
 * │ actual row count: 2
 * │ loops: 1
 * │ execution time: 1.9ms
 * │ KV batches: 1 (1 request)
 * │ KV rows read: 2
 * │ KV bytes read: 46 B
 * │ KV time: 1.8ms
 * │ table: t@t_pkey
 * │ spans: FULL SCAN
 * ```
 *
 * The options are PostgreSQL's (explain.c ExplainQuery), checked with its errors: ANALYZE,
 * VERBOSE, COSTS, SETTINGS, BUFFERS, WAL, TIMING, SUMMARY (booleans) and FORMAT. TIMING off
 * leaves the times out, SUMMARY off the planning and execution time (both default to ANALYZE,
 * and TIMING or WAL without ANALYZE is 22023); VERBOSE, COSTS, SETTINGS, BUFFERS and WAL are
 * accepted and change nothing (rangedb's plans have no costs or buffers: the KV figures are
 * always shown). FORMAT TEXT is the only format rangedb prints; JSON, XML and YAML are 0A000.
 */
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import type { PlanNode } from '../plan/plan.js';
import type { ExecStats } from './exec-stats.js';

export interface ExplainOptions {
  readonly analyze: boolean;
  /** Per-node and KV times (default: ANALYZE). */
  readonly timing: boolean;
  /** Planning and execution time in the header (default: ANALYZE). */
  readonly summary: boolean;
}

const booleanOptions: ReadonlySet<string> = new Set(['analyze', 'verbose', 'costs', 'settings', 'buffers', 'wal', 'timing', 'summary']);

/** EXPLAIN's options checked as PostgreSQL's ExplainQuery checks them (the first bad one fails). */
export function explainOptions(options: readonly ast.Option[]): ExplainOptions {
  const set = new Map<string, boolean>();
  for (const option of options) {
    if (option.name === 'format') {
      const format = option.value ?? '';
      if (!['text', 'json', 'xml', 'yaml'].includes(format)) throw new SqlError('22023', `unrecognized value for EXPLAIN option "format": "${format}"`);
      if (format !== 'text') throw new SqlError('0A000', `EXPLAIN (FORMAT ${format.toUpperCase()}) is not supported`, { hint: 'rangedb prints plans as text only.' });
    } else if (booleanOptions.has(option.name)) {
      set.set(option.name, optionBoolean(option));
    } else {
      throw new SqlError('42601', `unrecognized EXPLAIN option "${option.name}"`);
    }
  }
  const analyze = set.get('analyze') ?? false;
  if (set.get('wal') === true && !analyze) throw new SqlError('22023', 'EXPLAIN option WAL requires ANALYZE');
  const timing = set.get('timing') ?? analyze;
  if (timing && !analyze) throw new SqlError('22023', 'EXPLAIN option TIMING requires ANALYZE');
  return { analyze, timing, summary: set.get('summary') ?? analyze };
}

/** PostgreSQL's defGetBoolean: no value, 1/0, true/false/on/off in any case; else 42601. */
function optionBoolean(option: ast.Option): boolean {
  const value = option.value?.toLowerCase();
  if (value === undefined || value === 'true' || value === 'on' || value === '1') return true;
  if (value === 'false' || value === 'off' || value === '0') return false;
  throw new SqlError('42601', `${option.name} requires a Boolean value`);
}

/** The lines EXPLAIN ANALYZE shows under a node's heading (see the module comment). */
export function nodeStatsLines(stats: ExecStats, node: PlanNode, timing: boolean): string[] {
  const of = stats.of(node);
  if (of === undefined || of.loops === 0) return ['never executed'];
  const lines = [`actual row count: ${of.rows}`, `loops: ${of.loops}`];
  if (timing) lines.push(`execution time: ${formatNanos(of.nanos)}`);
  if (of.kvBatches > 0) {
    lines.push(`KV batches: ${of.kvBatches} (${plural(of.kvRequests, 'request')})`, `KV rows read: ${of.kvRows}`, `KV bytes read: ${formatBytes(of.kvBytes)}`);
    if (timing) lines.push(`KV time: ${formatNanos(of.kvNanos)}`);
  }
  return lines;
}

/** The header lines of EXPLAIN ANALYZE: the statement's totals. */
export function statementStatsLines(stats: ExecStats, result: string): string[] {
  const kv = stats.kvTotals();
  return [`result: ${result}`, `rows decoded from KV: ${kv.rows} (${formatBytes(kv.bytes)}, ${plural(kv.batches, 'KV batch', 'KV batches')})`, `maximum memory usage: ${formatBytes(stats.maxMemoryBytes)}`];
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A duration for a human: µs under a millisecond, ms under a second, else s. */
export function formatNanos(nanos: bigint): string {
  if (nanos < 1_000_000n) return `${nanos / 1000n}µs`;
  if (nanos < 1_000_000_000n) return `${(Number(nanos) / 1e6).toFixed(1)}ms`;
  return `${(Number(nanos) / 1e9).toFixed(2)}s`;
}

/** A size for a human, in binary units as CockroachDB prints them (`46 B`, `1.5 KiB`). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
