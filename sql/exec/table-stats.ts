/**
 * Table statistics for join planning (sql/plan/join-planning.ts's `TableStatistics`): a table's
 * row count estimated from the MVCC stats of the ranges that hold it — their live keys, divided
 * among the table's indexes (each row is one live key per index). Exact enough to tell a ten-row
 * table from a million-row one, which is all the lookup-vs-hash choice needs; CockroachDB's
 * `CREATE STATISTICS` histograms are the fuller version.
 *
 * Range descriptors are read from meta2 and row counts kept per table for `refreshNanos` (10 s),
 * so planning pays for a meta read at most once per interval. A range this node does not hold
 * (no local stats) leaves the table unknown: the planner then assumes a middling size.
 */
import { keyMax, prefixEnd, tablePrefix, type RangeDescriptor } from '../../kv/api/index.js';
import type { TableDesc } from '../catalog/descriptors.js';
import type { TableStatistics } from '../plan/context.js';
import { rangesOverlapping, readRangeDescriptors } from './admin-target.js';
import type { SqlEngineDeps } from './contract.js';

const refreshNanosDefault = 10_000_000_000n;

export class RangeTableStatistics implements TableStatistics {
  private readonly rows = new Map<number, { readonly count: number | undefined; readonly atNanos: bigint }>();
  private descriptors: { readonly list: Promise<RangeDescriptor[]>; readonly atNanos: bigint } | undefined;

  constructor(
    private readonly deps: SqlEngineDeps,
    private readonly refreshNanos = refreshNanosDefault,
  ) {}

  async rowCount(table: TableDesc): Promise<number | undefined> {
    const ranges = this.deps.ranges;
    if (ranges === undefined) return undefined;
    const now = this.deps.txnDeps.clock.now().wallNanos;
    const cached = this.rows.get(table.id);
    if (cached !== undefined && now - cached.atNanos < this.refreshNanos) return cached.count;
    const prefix = tablePrefix(table.id);
    let live = 0;
    let known = true;
    for (const descriptor of rangesOverlapping(await this.rangeDescriptors(now), { start: prefix, end: prefixEnd(prefix, keyMax) })) {
      const status = ranges.rangeStatus(descriptor.rangeId);
      if (status === undefined) {
        known = false;
        break;
      }
      live += status.liveCount;
    }
    const count = known ? Math.round(live / (1 + table.secondaryIndexes.length)) : undefined;
    this.rows.set(table.id, { count, atNanos: now });
    return count;
  }

  private rangeDescriptors(now: bigint): Promise<RangeDescriptor[]> {
    if (this.descriptors === undefined || now - this.descriptors.atNanos >= this.refreshNanos) {
      const list = readRangeDescriptors(this.deps);
      this.descriptors = { list, atNanos: now };
      // A failed read is reported to its callers and forgotten, so the next call reads again.
      list.catch(() => {
        if (this.descriptors?.list === list) this.descriptors = undefined;
      });
    }
    return this.descriptors.list;
  }
}
