/**
 * Execution statistics for EXPLAIN ANALYZE: what each plan node did while the statement really
 * ran — the rows it produced, how many times it was started (loops), the time spent in it, and
 * for a node that reads KV (a scan, a lookup join) the batches it sent and the rows and bytes
 * they read. CockroachDB's EXPLAIN ANALYZE gathers the same from each processor's stats
 * collector (`execstats`: rows, KV rows decoded, KV bytes read, KV time, max memory); PostgreSQL's
 * from each node's `Instrumentation` (actual rows, loops, time).
 *
 * The statistics are opt-in per run: EXPLAIN ANALYZE registers them for its run's evaluation
 * context (`gatherStatsFor`; every operator, scan and memory account sees the context), and then
 * `buildSource` wraps every operator it builds (`instrument`) — an ordinary statement pays one
 * WeakMap lookup per operator built, nothing per row.
 *
 * Times come from the injected clock (`now`, the node's physical clock: Env's, a manual one in
 * tests), are inclusive of the node's inputs (a parent's time covers its children's, as
 * PostgreSQL's actual time does) and include the awaits on KV. They are measurements for a
 * human, never asserted by tests.
 */
import { assert } from '../../src/base/assert.js';
import type { PlanNode } from '../plan/plan.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { RowBatch, RowSource } from './runtime.js';

/** What one plan node did (summed over its loops). */
export interface NodeStats {
  /** Times the operator was started (a lateral join's right side: once per left row). */
  loops: number;
  /** Rows it passed up. */
  rows: number;
  /** Time inside its `next` (its inputs' included), nanoseconds. */
  nanos: bigint;
  /** KV batches it sent, the requests in them, the rows (key-value pairs) and bytes they read. */
  kvBatches: number;
  kvRequests: number;
  kvRows: number;
  kvBytes: number;
  /** Time waiting for those batches, nanoseconds. */
  kvNanos: bigint;
}

/** The statistics of one statement run (see the module comment). */
export class ExecStats {
  private readonly byNode = new Map<PlanNode, NodeStats>();
  private memoryBytesPeak = 0;

  constructor(
    /** The physical clock, in nanoseconds (HybridClock.physicalNow). */
    readonly now: () => bigint,
  ) {}

  /** The node's statistics so far; undefined if it never started. */
  of(node: PlanNode): NodeStats | undefined {
    return this.byNode.get(node);
  }

  /** The most memory any one operator's account held at once (memory.ts), bytes. */
  get maxMemoryBytes(): number {
    return this.memoryBytesPeak;
  }

  /** Every node's KV reads, summed: the statement's. */
  kvTotals(): { readonly rows: number; readonly bytes: number; readonly batches: number } {
    let rows = 0;
    let bytes = 0;
    let batches = 0;
    for (const stats of this.byNode.values()) {
      rows += stats.kvRows;
      bytes += stats.kvBytes;
      batches += stats.kvBatches;
    }
    return { rows, bytes, batches };
  }

  /**
   * Wraps `node`'s operator so its rows and time are counted, and a loop when it is first pulled
   * (an operator built and never pulled — a LIMIT 0's input — did not run, as in PostgreSQL).
   */
  instrument(node: PlanNode, source: RowSource): RowSource {
    const stats = this.statsFor(node);
    const now = this.now;
    let started = false;
    return {
      async next(): Promise<RowBatch | null> {
        if (!started) {
          started = true;
          stats.loops++;
        }
        const start = now();
        try {
          const batch = await source.next();
          if (batch !== null) stats.rows += batch.length;
          return batch;
        } finally {
          stats.nanos += now() - start;
        }
      },
    };
  }

  /** Counts one KV batch `node` sent: its requests, the rows and bytes it read, its time. */
  recordKv(node: PlanNode, read: { readonly requests: number; readonly rows: number; readonly bytes: number; readonly nanos: bigint }): void {
    assert(read.requests > 0, 'a KV batch holds requests');
    const stats = this.statsFor(node);
    stats.kvBatches++;
    stats.kvRequests += read.requests;
    stats.kvRows += read.rows;
    stats.kvBytes += read.bytes;
    stats.kvNanos += read.nanos;
  }

  /** Notes an operator's memory account at `bytes` (the peak is kept). */
  recordMemory(bytes: number): void {
    if (bytes > this.memoryBytesPeak) this.memoryBytesPeak = bytes;
  }

  private statsFor(node: PlanNode): NodeStats {
    let stats = this.byNode.get(node);
    if (stats === undefined) {
      stats = { loops: 0, rows: 0, nanos: 0n, kvBatches: 0, kvRequests: 0, kvRows: 0, kvBytes: 0, kvNanos: 0n };
      this.byNode.set(node, stats);
    }
    return stats;
  }
}

/** The statistics being gathered for a run, by its evaluation context (weakly held). */
const statsByContext = new WeakMap<EvalContext, ExecStats>();

/** Gathers `stats` for the run of `ctx` until `stopGathering`. */
export function gatherStatsFor(ctx: EvalContext, stats: ExecStats): void {
  assert(!statsByContext.has(ctx), 'one EXPLAIN ANALYZE per run');
  statsByContext.set(ctx, stats);
}

export function stopGathering(ctx: EvalContext): void {
  statsByContext.delete(ctx);
}

/** The statistics gathered for the run of `ctx`, undefined when none are (not EXPLAIN ANALYZE). */
export function statsOf(ctx: EvalContext): ExecStats | undefined {
  return statsByContext.get(ctx);
}
