/**
 * MVCC GC under load: the store's GC (kv/replica/gc-queue.ts `MvccGcQueue.gcRange`, the code a
 * queue pass runs on a range that is due) collecting every range while the workloads run, with a
 * TTL of virtual milliseconds instead of hours.
 *
 * - `loop`: every `gcEveryMs` or so, each range's GC threshold moves up to `now − gcTtlMs`, held
 *   strictly below the start of the oldest workload operation in flight (`Clients.track`) — the
 *   store's reader horizon, as SQL's open transactions hold it. Historical reads (snapshots.ts)
 *   are not protected: reading at or below the threshold they must fail with "before GC
 *   threshold", and above it return what they would have without GC.
 * - `finalSweep`: once the workloads are over and every abandoned transaction (abandon.ts) and
 *   every coordinator a crash killed is past the liveness threshold, one last GC of every range,
 *   then the check that its abandoned-intent cleanup did its job: no intent at or below the
 *   threshold is left on any range — every such transaction was pushed, aborted (or recovered)
 *   and its intents resolved.
 *
 * The queue's scoring (`gcDue`, a range due a TTL after garbage was first seen, TTLs in whole
 * seconds, a pass every minute) is not driven: the simulation picks the threshold itself.
 */
import { compareKeys, localMax, prettyKey } from '../../../kv/api/index.js';
import { decodeIntent, decodeLockKey, lockSpan } from '../../../kv/storage/mvcc/index.js';
import type { Replica } from '../../../kv/replica/replica.js';
import { formatTimestamp, less, lessEq, max, timestamp, zeroTimestamp, type Timestamp } from '../../../clock/timestamp.js';
import { limits } from '../../base/limits.js';
import type { RandomSource } from '../../env/env.js';
import type { Kv } from '../../node/kv.js';
import type { Trace } from '../raft/trace.js';
import type { Clients } from './clients.js';
import { EventKind, microsPerMs, simEpochNanos } from './env.js';
import { ProcessCrashedError, type SimNode } from './process.js';

/** A broken promise of the GC. */
export class GcViolation extends Error {
  override readonly name = 'GcViolation';
}

export interface GcStats {
  /** GCs of a range (one `gcRange` each). */
  readonly ranges: number;
  readonly versionsRemoved: number;
  /** Intents of abandoned transactions the GC resolved. */
  readonly intentsResolved: number;
}

export interface GcOptions {
  readonly ttlMs: number;
  readonly everyMs: number;
}

/** Workload event codes (the second trace field of `EventKind.Workload`; the registers' are below 30). */
const Op = { Collected: 31, Swept: 32 } as const;

/** Virtual time past the liveness threshold the final sweep waits, so that every push finds its pushee expired (µs). */
const sweepMarginUs = 10 * microsPerMs;

export class GcSim {
  /** The highest threshold the GC sent for any range (set before the request: it may apply before its answer comes). */
  thresholdMax: Timestamp = zeroTimestamp;
  private ranges = 0;
  private versionsRemoved = 0;
  private intentsResolved = 0;

  constructor(
    private readonly node: SimNode,
    private readonly clients: Clients,
    private readonly trace: Trace,
    private readonly options: GcOptions,
    private readonly random: RandomSource,
  ) {}

  stats(): GcStats {
    return { ranges: this.ranges, versionsRemoved: this.versionsRemoved, intentsResolved: this.intentsResolved };
  }

  /** Collects every range every `everyMs` or so until the busy phase ends. */
  async loop(): Promise<void> {
    for (let pass = 1; !this.clients.stopping; pass++) {
      await this.clients.sleep(1 + this.random.int(this.options.everyMs));
      const threshold = this.thresholdAt(this.clients.oldestProtectedUs());
      if (this.clients.stopping || threshold === undefined) continue;
      try {
        await this.clients.track(`gc ${pass}`, () => this.node.run((kv) => this.collect(kv, threshold)), false);
      } catch (error) {
        if (!(error instanceof ProcessCrashedError)) throw error;
      }
    }
  }

  /**
   * After the workloads (no operation in flight, none to come but the final checks): waits until
   * every transaction abandoned up to `lastAbandonedUs` — and any a crash left — is past the
   * liveness threshold, collects every range, and checks that no intent at or below the
   * threshold is left.
   */
  async finalSweep(lastAbandonedUs: number): Promise<void> {
    const expiredAtUs = Math.max(lastAbandonedUs, this.clients.scheduler.now) + Number(limits.txnLivenessThresholdNanos / 1_000n) + sweepMarginUs;
    await this.clients.sleep((expiredAtUs - this.clients.scheduler.now) / microsPerMs);
    const threshold = this.thresholdAt(undefined);
    if (threshold === undefined) return;
    const left = await this.node.run(async (kv) => {
      await this.collect(kv, threshold);
      return intentsAtOrBelow(kv, threshold);
    });
    this.event([Op.Swept, left.length], () => `final GC at ${formatTimestamp(threshold)}: ${left.length} intents left at or below it`);
    if (left.length > 0) throw new GcViolation(`the final GC at ${formatTimestamp(threshold)} left intents of transactions abandoned long ago: ${left.slice(0, 5).join(', ')}`);
  }

  /** `now − ttl`, strictly below `oldestProtectedUs`; undefined when that is not above time 0. */
  private thresholdAt(oldestProtectedUs: number | undefined): Timestamp | undefined {
    let limitUs = this.clients.scheduler.now - this.options.ttlMs * microsPerMs;
    if (oldestProtectedUs !== undefined) limitUs = Math.min(limitUs, oldestProtectedUs - 1);
    return limitUs <= 0 ? undefined : timestamp(simEpochNanos + BigInt(limitUs) * 1_000n);
  }

  /** Collects every range whose threshold is below `threshold`, one after the other. */
  private async collect(kv: Kv, threshold: Timestamp): Promise<void> {
    for (const replica of kv.store.replicas()) {
      if (replica.isDestroyed || !less(replica.gcThreshold, threshold)) continue;
      this.thresholdMax = max(this.thresholdMax, threshold);
      const result = await kv.store.gcQueue.gcRange(replica, threshold);
      this.ranges++;
      this.versionsRemoved += result.versionsRemoved;
      this.intentsResolved += result.intentsResolved;
      this.event([Op.Collected, replica.rangeId, result.keys, result.intentsResolved], () => `GC of r${replica.rangeId} at ${formatTimestamp(threshold)}: ${result.keys} keys, ${result.versionsRemoved} versions removed, ${result.intentsResolved} intents resolved`);
    }
  }

  private event(fields: readonly number[], describe: () => string): void {
    this.trace.record(this.clients.scheduler.now, [EventKind.Workload, ...fields], describe);
  }
}

/** The intents on the store written at or below `threshold`, as `key@r<range> by <txn>`. */
async function intentsAtOrBelow(kv: Kv, threshold: Timestamp): Promise<string[]> {
  const found: string[] = [];
  for (const replica of kv.store.replicas()) if (!replica.isDestroyed) found.push(...(await replicaIntentsAtOrBelow(kv, replica, threshold)));
  return found;
}

async function replicaIntentsAtOrBelow(kv: Kv, replica: Replica, threshold: Timestamp): Promise<string[]> {
  const desc = replica.descriptor;
  const start = compareKeys(desc.startKey, localMax) < 0 ? localMax : desc.startKey;
  const found: string[] = [];
  const it = kv.store.engine.iterate(lockSpan(start, desc.endKey));
  try {
    for (let entry = await it.next(); entry !== undefined; entry = await it.next()) {
      const intent = decodeIntent(entry.value);
      if (lessEq(intent.txn.writeTimestamp, threshold)) found.push(`${prettyKey(decodeLockKey(entry.key))}@r${replica.rangeId} by ${intent.txn.id}`);
    }
  } finally {
    it.close();
  }
  return found;
}
