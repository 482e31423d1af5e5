/**
 * The MVCC GC queue: collects the versions no read may see any more (CockroachDB's
 * `mvccGCQueue`, pkg/kv/kvserver/mvcc_gc_queue.go and gc/gc.go).
 *
 * Every UPDATE leaves the version it replaced, every DELETE a tombstone over the versions below
 * it; reads at older timestamps (AS OF SYSTEM TIME, a long transaction) still see them, so they
 * stay for a while: the GC TTL (`kv.gc.ttl_seconds`, 4 hours by default as CockroachDB ≥ 23.1).
 * Past it, the GC threshold of the range — a low-water mark of reads — moves up to
 * `now − ttl`, reads at or below it are refused (BatchTimestampBeforeGCError, SQLSTATE 72000),
 * and the versions only such reads could see are removed.
 *
 * ```
 *   timer (every gcQueueIntervalNanos) ─► pass: for each replica, one at a time
 *     due? (gcDue: non-live versions seen ≥ one TTL ago, a threshold above the current one)
 *       threshold := min(now − ttl, just below the oldest protected reader)
 *       scan the range's versions (engine iterator; no latches: only a candidate list)
 *       ─► GC requests of ≤ gcRequestKeysMax keys ─► DistSender ─► Replica: write latches on
 *          each key (non-MVCC: every reader of the key is excluded), threshold re-checked,
 *          mvccGarbageCollect per key, threshold persisted through Raft
 * ```
 *
 * Scoring. CockroachDB scores a range by `GCBytesAge` (non-live bytes × their age, kept in the
 * MVCC stats). Our stats have no age, so the queue keeps the age itself, per range and in memory:
 * the moment it first saw non-live versions (`valCount − liveCount > 0`). None of them can be
 * older than that moment, so none is collectible before one TTL after it; the range is due then.
 * After a pass the versions left (shadowed after the threshold) start a new wait from the pass.
 * Garbage thus lives between one and about two TTLs (plus one interval), and a restart forgets
 * the moments (each range waits one TTL again) — a deviation from CockroachDB's exact score,
 * bounded and cheap: no stats format change, no scan of a range that cannot have garbage yet.
 *
 * Protection. The threshold never reaches a read that may still run: the store's reader horizon
 * (`setReaderHorizon`: the SQL engine's oldest open transaction — its historical reads and the
 * snapshot reads of its backfills are at or above its start) holds it just below that reader,
 * CockroachDB's protected timestamps in one process.
 *
 * Latching (common.md's invariant): evaluation reads the live engine, so every change a reader
 * could see must be under a latch it conflicts with. The GC request write-latches each key it
 * names without a timestamp (classify.ts: GC is not an MVCC request), which conflicts with every
 * reader and writer of the key; a reader elsewhere in the range checked the old threshold and
 * reads keys GC does not touch.
 *
 * Not collected here yet: transaction records (finalized ones and abandoned PENDING ones) — see
 * the note at the end of the file.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { Logger } from '../../src/base/logger.js';
import type { RangeId } from '../../src/base/ids.js';
import type { TimerHandle, Timers } from '../../src/env/env.js';
import type { HybridClock } from '../../clock/hlc.js';
import { addNanos, isZero, less, lessEq, min, prev, type Timestamp } from '../../clock/timestamp.js';
import {
  batchHeader,
  batchRequest,
  compareKeys,
  gcRequest,
  getRequest,
  isFinalized,
  keyNext,
  localMax,
  pushTxnRequest,
  settingKey,
  type GCKey,
  type Sender,
  type Transaction,
  type TxnMeta,
} from '../api/index.js';
import { IndeterminateCommitError, TransactionPushError } from '../eval/index.js';
import type { Reader } from '../storage/engine.js';
import { dataSpan, decodeDataKey, decodeIntent, decodeKeyRecord, decodeLockKey, decodeTagged, lockSpan, nextDataEntry, type MvccStats } from '../storage/mvcc/index.js';
import type { Replica } from './replica.js';

/** The cluster setting that holds the GC TTL, in seconds (sql/exec/admin-settings.ts lists it). */
export const gcTtlSettingName = 'kv.gc.ttl_seconds';

/** What the queue needs from its store. */
export interface GcQueueHost {
  readonly engine: Reader;
  readonly clock: HybridClock;
  readonly timers: Timers;
  readonly logger: Logger;
  /** The DistSender: GC requests and the setting's read go through it (a range may split meanwhile). */
  readonly db: Sender;
  /** Every replica on the store, in key order. */
  replicas(): readonly Replica[];
  /** Parallel commits' recovery of a STAGING record (txn-recovery.ts). */
  readonly txnRecovery: { recover(record: Transaction): Promise<Transaction> };
  /** Resolves `key`'s intent of the finalized transaction `record`. */
  resolveIntent(key: Uint8Array, record: Transaction): Promise<void>;
}

/** The oldest timestamp a read that may still run needs, or undefined if there is none. */
export type ReaderHorizonFn = () => Timestamp | undefined;

/** Versions no read above `threshold` needs any more: non-live ones (shadowed, or tombstones). */
export function nonLiveVersions(stats: Readonly<MvccStats>): number {
  return stats.valCount - stats.liveCount;
}

/**
 * What the queue collects in a range: non-live versions, and intents (those of transactions
 * abandoned longer than a TTL ago are cleaned up, see `cleanUpAbandonedIntents`).
 */
export function gcCandidates(stats: Readonly<MvccStats>): number {
  return nonLiveVersions(stats) + stats.intentCount;
}

/**
 * The threshold a GC at `now` may set: `now − ttl`, held strictly below the oldest protected
 * reader (a read at the threshold is refused). Undefined when the TTL reaches back before time 0.
 */
export function gcThresholdFor(now: Timestamp, ttlNanos: bigint, oldestReader: Timestamp | undefined): Timestamp | undefined {
  assert(ttlNanos >= 0n, 'negative GC TTL');
  if (now.wallNanos <= ttlNanos) return undefined;
  const byTtl = addNanos(now, -ttlNanos);
  if (oldestReader === undefined) return byTtl;
  if (isZero(oldestReader)) return undefined;
  return min(byTtl, prev(oldestReader));
}

/** Per-range scoring state (see the file comment). */
export interface GcRangeState {
  /** Wall time (ns) at which non-live versions were first seen since the last pass, if any. */
  garbageSinceNanos: bigint | undefined;
}

/**
 * Whether a range is due: it has non-live versions, seen at least one TTL ago (none of them
 * could be collectible before), and the threshold would move up.
 */
export function gcDue(input: { readonly nonLive: number; readonly garbageSinceNanos: bigint | undefined; readonly nowNanos: bigint; readonly ttlNanos: bigint; readonly currentThreshold: Timestamp; readonly newThreshold: Timestamp | undefined }): boolean {
  if (input.nonLive <= 0 || input.garbageSinceNanos === undefined || input.newThreshold === undefined) return false;
  if (input.nowNanos - input.garbageSinceNanos < input.ttlNanos) return false;
  return less(input.currentThreshold, input.newThreshold);
}

/** The outcome of one range's GC (logs, tests, `SHOW RANGES`). */
export interface GcRangeResult {
  readonly rangeId: RangeId;
  readonly threshold: Timestamp;
  /** Keys named in GC requests. */
  readonly keys: number;
  /** GC requests sent. */
  readonly requests: number;
  /** Versions removed, as the range's stats count them. */
  readonly versionsRemoved: number;
  /** Intents of abandoned (or finalized) transactions resolved. */
  readonly intentsResolved: number;
}

/** Per-key walk state of `scanGarbage`. */
interface KeyWalk {
  readonly key: Uint8Array;
  /** The newest version is at or below the threshold. */
  readonly newestBelow: boolean;
  readonly newestTombstone: boolean;
  /** History versions (older than the newest) at or below the threshold. */
  below: number;
  /** Whether the first of those is a tombstone. */
  firstBelowTombstone: boolean;
}

/** Whether `mvccGarbageCollect` at the threshold would remove something of the walked key. */
function hasGarbage(walk: KeyWalk): boolean {
  if (walk.newestBelow) return walk.below > 0 || walk.newestTombstone;
  return walk.below >= 2 || (walk.below === 1 && walk.firstBelowTombstone);
}

/**
 * Keys in `[start, end)` with versions a GC at `threshold` would remove, at most
 * `limits.gcRequestKeysMax` of them or `limits.gcRequestKeyBytesMax` bytes, examining at most
 * `limits.gcScanEntriesMax` engine entries; `resumeKey` is where the next chunk starts. Reads
 * the engine without latches: the list is only a candidate list, each key is decided again under
 * its latch by the GC request.
 */
export async function scanGarbage(reader: Reader, start: Uint8Array, end: Uint8Array, threshold: Timestamp): Promise<{ keys: Uint8Array[]; resumeKey: Uint8Array | undefined }> {
  const keys: Uint8Array[] = [];
  let keyBytes = 0;
  let entries = 0;
  let walk: KeyWalk | undefined;
  const flush = (): void => {
    if (walk !== undefined && hasGarbage(walk)) {
      keys.push(walk.key);
      keyBytes += walk.key.length;
    }
    walk = undefined;
  };
  const it = reader.iterate(dataSpan(start, end));
  try {
    for (let kv = await nextDataEntry(it, false); kv !== undefined; kv = await nextDataEntry(it, false)) {
      const decoded = decodeDataKey(kv.key);
      if (decoded.timestamp === undefined) {
        flush();
        // Full: stop at a key boundary, so each key is decided from all of its versions.
        if (keys.length >= limits.gcRequestKeysMax || keyBytes >= limits.gcRequestKeyBytesMax || entries >= limits.gcScanEntriesMax) {
          return { keys, resumeKey: Uint8Array.from(decoded.userKey) };
        }
        const newest = decodeKeyRecord(kv.value).newest;
        walk = { key: Uint8Array.from(decoded.userKey), newestBelow: newest !== undefined && lessEq(newest.timestamp, threshold), newestTombstone: newest?.value === null, below: 0, firstBelowTombstone: false };
      } else if (walk !== undefined && lessEq(decoded.timestamp, threshold)) {
        // History versions come newest first (complemented timestamps).
        if (walk.below === 0) walk.firstBelowTombstone = decodeTagged(kv.value) === null;
        walk.below++;
      }
      entries++;
    }
    flush();
  } finally {
    it.close();
  }
  return { keys, resumeKey: undefined };
}

/**
 * The store's MVCC GC queue (singular update queue: one pass at a time, one range at a time,
 * bounded requests). Driven by the injected timers; `runPass` and `gcRange` are also called
 * directly by tests.
 */
export class MvccGcQueue {
  private readonly states = new Map<RangeId, GcRangeState>();
  private readerHorizon: ReaderHorizonFn = () => undefined;
  private timer: TimerHandle | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;
  /** Passes run, ranges collected, versions removed (metrics, tests). */
  readonly metrics = { passes: 0, ranges: 0, versionsRemoved: 0 };

  constructor(private readonly host: GcQueueHost) {}

  /** Installs the oldest reader to protect (the SQL engine's open transactions). */
  setReaderHorizon(horizon: ReaderHorizonFn): void {
    this.readerHorizon = horizon;
  }

  /** Schedules passes every `limits.gcQueueIntervalNanos`. */
  start(): void {
    assert(this.timer === undefined && !this.stopped, 'GC queue started twice');
    this.schedule();
  }

  /**
   * Stops scheduling; a pass in progress stops before its next range or request. Not waited for:
   * its requests go through the store, which waits for (and bounds) the requests it serves when
   * it closes, and fails the later ones.
   */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.host.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.host.timers.setTimeout(() => {
      this.timer = undefined;
      this.runPass().then(
        () => this.schedule(),
        (error: unknown) => {
          if (!this.stopped) this.host.logger.warn({ err: error }, 'MVCC GC pass failed; retried at the next interval');
          this.schedule();
        },
      );
    }, Number(limits.gcQueueIntervalNanos / 1_000_000n));
  }

  /**
   * One pass: every range that is due is collected, one after the other. A failure is logged and
   * leaves the range for the next pass. Returns what was collected.
   */
  async runPass(): Promise<GcRangeResult[]> {
    while (this.pass !== undefined) await this.pass;
    let done!: () => void;
    this.pass = new Promise((resolve) => (done = resolve));
    const results: GcRangeResult[] = [];
    try {
      this.metrics.passes++;
      const ttlNanos = await this.ttlNanos();
      for (const replica of this.host.replicas()) {
        if (this.stopped) break;
        if (replica.isDestroyed) continue;
        try {
          const result = await this.maybeGcRange(replica, ttlNanos);
          if (result !== undefined) results.push(result);
        } catch (error) {
          if (this.stopped) break;
          this.host.logger.warn({ err: error, rangeId: replica.rangeId }, 'MVCC GC of a range failed; retried at the next pass');
        }
      }
    } finally {
      this.pass = undefined;
      done();
    }
    return results;
  }

  /** Scores `replica` (see the file comment) and collects it if it is due. */
  private async maybeGcRange(replica: Replica, ttlNanos: bigint): Promise<GcRangeResult | undefined> {
    const state = this.stateOf(replica.rangeId);
    const now = this.host.clock.now();
    const nonLive = gcCandidates(replica.stats);
    if (nonLive <= 0) state.garbageSinceNanos = undefined;
    else state.garbageSinceNanos ??= now.wallNanos;
    const threshold = gcThresholdFor(now, ttlNanos, this.readerHorizon());
    if (!gcDue({ nonLive, garbageSinceNanos: state.garbageSinceNanos, nowNanos: now.wallNanos, ttlNanos, currentThreshold: replica.gcThreshold, newThreshold: threshold })) return undefined;
    assert(threshold !== undefined, 'a due range has a threshold');
    const result = await this.gcRange(replica, threshold);
    state.garbageSinceNanos = gcCandidates(replica.stats) > 0 ? now.wallNanos : undefined;
    return result;
  }

  /**
   * Collects `replica`'s versions below `threshold` (at most now, and at or below which no
   * protected read runs — the caller's choice) and raises its GC threshold there. The threshold
   * moves only with requests that remove something: where nothing is collected, no read needs
   * refusing.
   */
  async gcRange(replica: Replica, threshold: Timestamp): Promise<GcRangeResult> {
    const desc = replica.descriptor;
    const end = desc.endKey;
    const valCountBefore = replica.stats.valCount;
    let keys = 0;
    let requests = 0;
    let from: Uint8Array | undefined = compareKeys(desc.startKey, localMax) < 0 ? localMax : desc.startKey;
    while (from !== undefined && !this.stopped) {
      const chunk = await scanGarbage(this.host.engine, from, end, threshold);
      if (chunk.keys.length > 0) {
        const gcKeys: GCKey[] = chunk.keys.map((key) => Object.freeze({ key, timestamp: threshold }));
        const span = { key: chunk.keys[0]!, endKey: keyNext(chunk.keys[chunk.keys.length - 1]!) };
        await this.host.db.send(batchRequest(batchHeader({ timestamp: this.host.clock.now() }), [gcRequest(span.key, span.endKey, gcKeys, threshold)]));
        keys += chunk.keys.length;
        requests++;
      }
      from = chunk.resumeKey;
    }
    // Other writes may have landed meanwhile: the difference is an estimate for logs and metrics.
    const versionsRemoved = Math.max(0, valCountBefore - replica.stats.valCount);
    const intentsResolved = this.stopped ? 0 : await this.cleanUpAbandonedIntents(replica, threshold);
    this.metrics.ranges++;
    this.metrics.versionsRemoved += versionsRemoved;
    const result = { rangeId: replica.rangeId, threshold, keys, requests, versionsRemoved, intentsResolved };
    this.host.logger.info(result, 'MVCC GC collected a range');
    return result;
  }

  /**
   * Intents written at or below `threshold` — more than a TTL ago, far past the liveness
   * threshold of a live coordinator, which heartbeats — belong to transactions whose coordinator
   * most likely died (CockroachDB's GC cleans intents older than gc.intent_age_threshold the same
   * way). Each one's transaction is pushed to abort without waiting: an expired PENDING record is
   * aborted, a STAGING one is recovered first (txn-recovery.ts) and pushed again, a finalized
   * one is returned as it is, a live one refuses (TransactionPushError) and is left alone. The
   * intents of a finalized transaction are then resolved. Without this an abandoned intent on a
   * key no one reads again would stay forever (a reader that meets it pushes and resolves it).
   * At most `limits.gcIntentTxnsMax` transactions and `limits.gcScanEntriesMax` intents a pass.
   */
  private async cleanUpAbandonedIntents(replica: Replica, threshold: Timestamp): Promise<number> {
    const desc = replica.descriptor;
    const start = compareKeys(desc.startKey, localMax) < 0 ? localMax : desc.startKey;
    const byTxn = new Map<string, { meta: TxnMeta; keys: Uint8Array[] }>();
    const it = this.host.engine.iterate(lockSpan(start, desc.endKey));
    try {
      let entries = 0;
      for (let kv = await it.next(); kv !== undefined && entries < limits.gcScanEntriesMax; kv = await it.next(), entries++) {
        const intent = decodeIntent(kv.value);
        if (!lessEq(intent.txn.writeTimestamp, threshold)) continue;
        let entry = byTxn.get(intent.txn.id);
        if (entry === undefined) {
          if (byTxn.size >= limits.gcIntentTxnsMax) continue;
          entry = { meta: intent.txn, keys: [] };
          byTxn.set(intent.txn.id, entry);
        }
        entry.keys.push(Uint8Array.from(decodeLockKey(kv.key)));
      }
    } finally {
      it.close();
    }
    let resolved = 0;
    for (const { meta, keys } of byTxn.values()) {
      if (this.stopped) break;
      const record = await this.abortIfAbandoned(meta);
      if (record === undefined) continue;
      for (const key of keys) await this.host.resolveIntent(key, record);
      resolved += keys.length;
      this.host.logger.info({ rangeId: replica.rangeId, txn: meta.id, status: record.status, intents: keys.length }, 'MVCC GC resolved the intents of an abandoned transaction');
    }
    return resolved;
  }

  /**
   * Pushes `meta` to abort without waiting; its finalized record, or undefined if it is alive.
   * The store uses it too, for the intents an inconsistent read met (`Store.afterApply`).
   */
  async abortIfAbandoned(meta: TxnMeta): Promise<Transaction | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = this.host.clock.now();
      try {
        const response = await this.host.db.send(batchRequest(batchHeader({ timestamp: now }), [pushTxnRequest({ pusher: undefined, pushee: meta, pushTo: now, pushType: 'abort' })] as const));
        const pushee = response.responses[0].pusheeTxn;
        return isFinalized(pushee.status) ? pushee : undefined;
      } catch (error) {
        if (error instanceof TransactionPushError) return undefined; // its coordinator is alive
        if (!(error instanceof IndeterminateCommitError)) throw error;
        await this.host.txnRecovery.recover(error.record); // then push again: it is finalized now
      }
    }
    return undefined;
  }

  private stateOf(rangeId: RangeId): GcRangeState {
    let state = this.states.get(rangeId);
    if (state === undefined) {
      state = { garbageSinceNanos: undefined };
      this.states.set(rangeId, state);
    }
    return state;
  }

  /** The scoring state of a range (SHOW RANGES, tests). */
  rangeState(rangeId: RangeId): Readonly<GcRangeState> | undefined {
    return this.states.get(rangeId);
  }

  /**
   * The GC TTL: the `kv.gc.ttl_seconds` cluster setting, read inconsistently (committed values:
   * an open SET CLUSTER SETTING is not waited for), else `limits.gcTtlNanosDefault`. A value that
   * does not parse is logged and the default used.
   */
  async ttlNanos(): Promise<bigint> {
    const response = await this.host.db.send(batchRequest(batchHeader({ timestamp: this.host.clock.now(), readConsistency: 'inconsistent' }), [getRequest(settingKey(gcTtlSettingName))] as const));
    const stored = response.responses[0].value;
    if (stored === undefined) return limits.gcTtlNanosDefault;
    const parsed = parseTtlSeconds(new TextDecoder().decode(stored));
    if (parsed === undefined) {
      this.host.logger.warn({ setting: gcTtlSettingName }, 'unreadable GC TTL setting; using the default');
      return limits.gcTtlNanosDefault;
    }
    return parsed * 1_000_000_000n;
  }
}

/** The seconds of a stored setting row (`{"value":"…"}`, as sql/exec/admin-settings.ts writes it). */
export function parseTtlSeconds(json: string): bigint | undefined {
  try {
    const value = (JSON.parse(json) as { value?: unknown }).value;
    if (typeof value !== 'string' || !/^\d{1,12}$/.test(value)) return undefined;
    return BigInt(value);
  } catch {
    return undefined;
  }
}

/*
 * Transaction records (not removed yet). Abandoned PENDING/STAGING transactions whose intents the
 * queue meets are aborted (or recovered) and their intents resolved (`cleanUpAbandonedIntents`),
 * but every record stays. CockroachDB's GC also removes finalized records older than the
 * threshold; that needs a guard first: today a missing record is created by HeartbeatTxn
 * (PENDING) and by EndTxn (COMMITTED), so a late EndTxn of a transaction whose ABORTED record
 * was removed would commit it — its intents already resolved away. CockroachDB guards record
 * creation with the timestamp cache on the record key (CanCreateTxnRecord); ours must do the
 * same before records may be removed.
 */
