/**
 * Per-range MVCC statistics, kept exact under every operation (CockroachDB's `MVCCStats`): the
 * split queue, the GC queue, the allocator and `SHOW RANGES` read them, so they must never
 * drift. Each MVCC write adjusts them by a delta; `computeStats` recomputes them from scratch,
 * and tests check after every operation that both agree.
 *
 * Definitions (byte counts use user-key and value lengths, not the engine's layout, so they mean
 * the same whatever the storage format):
 * - `keyCount`/`keyBytes`: user keys with at least one committed version, and their lengths.
 * - `valCount`/`valBytes`: committed versions (tombstones included); each counts its value
 *   length plus 12 bytes of timestamp.
 * - `liveCount`/`liveBytes`: keys whose newest committed version is a value; key plus value
 *   length of that version.
 * - `intentCount`/`intentBytes`: intents; key plus provisional value length.
 *
 * `computeStats` also checks that exactly the keys with an intent have a locked key record.
 */
import { timestampBytes } from '../../../clock/timestamp.js';
import type { Reader } from '../engine.js';
import { dataSpan, decodeDataKey, decodeLockKey, lockSpan, nextDataEntry } from './keys.js';
import { decodeIntent, decodeKeyRecord, decodeTagged, type Version } from './values.js';
import { StorageError } from '../../../src/base/errors.js';

export interface MvccStats {
  liveBytes: number;
  liveCount: number;
  keyBytes: number;
  keyCount: number;
  valBytes: number;
  valCount: number;
  intentBytes: number;
  intentCount: number;
}

export function emptyStats(): MvccStats {
  return { liveBytes: 0, liveCount: 0, keyBytes: 0, keyCount: 0, valBytes: 0, valCount: 0, intentBytes: 0, intentCount: 0 };
}

/** The fields of `MvccStats`, in a fixed order (for codecs that write them one by one). */
export const mvccStatsFields: readonly (keyof MvccStats)[] = Object.freeze(['liveBytes', 'liveCount', 'keyBytes', 'keyCount', 'valBytes', 'valCount', 'intentBytes', 'intentCount']);

/** `into -= delta`, field by field. */
export function subtractStats(into: MvccStats, delta: Readonly<MvccStats>): void {
  for (const field of mvccStatsFields) into[field] -= delta[field];
}

/** `into += delta`, field by field. */
export function addStats(into: MvccStats, delta: Readonly<MvccStats>): void {
  into.liveBytes += delta.liveBytes;
  into.liveCount += delta.liveCount;
  into.keyBytes += delta.keyBytes;
  into.keyCount += delta.keyCount;
  into.valBytes += delta.valBytes;
  into.valCount += delta.valCount;
  into.intentBytes += delta.intentBytes;
  into.intentCount += delta.intentCount;
}

/** Bytes a committed version counts in `valBytes`. */
export function versionBytes(value: Uint8Array | null): number {
  return timestampBytes + (value?.length ?? 0);
}

/** Bytes a live key counts in `liveBytes`. */
export function liveBytesOf(key: Uint8Array, value: Uint8Array): number {
  return key.length + value.length;
}

/**
 * Adjusts `stats` for a new committed version `version` of `key` on top of `previousNewest`
 * (undefined when the key had no committed version).
 */
export function statsForNewVersion(stats: MvccStats, key: Uint8Array, previousNewest: Version | undefined, version: Version): void {
  if (previousNewest === undefined) {
    stats.keyCount++;
    stats.keyBytes += key.length;
  } else if (previousNewest.value !== null) {
    stats.liveCount--;
    stats.liveBytes -= liveBytesOf(key, previousNewest.value);
  }
  stats.valCount++;
  stats.valBytes += versionBytes(version.value);
  if (version.value !== null) {
    stats.liveCount++;
    stats.liveBytes += liveBytesOf(key, version.value);
  }
}

/** Recomputes the statistics of user keys in `[start, end)` from the engine. */
export async function computeStats(reader: Reader, start: Uint8Array, end: Uint8Array): Promise<MvccStats> {
  const stats = emptyStats();
  let lockedKeys = 0;
  const data = reader.iterate(dataSpan(start, end));
  try {
    for (let kv = await nextDataEntry(data, false); kv !== undefined; kv = await nextDataEntry(data, false)) {
      const decoded = decodeDataKey(kv.key);
      if (decoded.timestamp === undefined) {
        const record = decodeKeyRecord(kv.value);
        if (record.locked) lockedKeys++;
        const newest = record.newest;
        if (newest === undefined) continue; // a placeholder for a lock on a key with no version
        stats.keyCount++;
        stats.keyBytes += decoded.userKey.length;
        stats.valCount++;
        stats.valBytes += versionBytes(newest.value);
        if (newest.value !== null) {
          stats.liveCount++;
          stats.liveBytes += liveBytesOf(decoded.userKey, newest.value);
        }
      } else {
        stats.valCount++;
        stats.valBytes += versionBytes(decodeTagged(kv.value));
      }
    }
  } finally {
    data.close();
  }
  const locks = reader.iterate(lockSpan(start, end));
  try {
    for (let kv = await locks.next(); kv !== undefined; kv = await locks.next()) {
      const record = decodeIntent(kv.value);
      const key = decodeLockKey(kv.key);
      stats.intentCount++;
      stats.intentBytes += key.length + (record.value?.length ?? 0);
    }
  } finally {
    locks.close();
  }
  if (lockedKeys !== stats.intentCount) {
    throw new StorageError(`${lockedKeys} key records are locked but the lock table holds ${stats.intentCount} intents`);
  }
  return stats;
}
