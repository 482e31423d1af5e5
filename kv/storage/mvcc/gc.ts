/**
 * Garbage collection of old versions below a threshold (the low-water mark of reads): no read
 * may run at or below `threshold` any more, so for each key only the versions a read above it
 * can see are kept — every version newer than the threshold, plus the newest one at or below it
 * unless that one is a deletion. Intents are never collected; they are resolved instead.
 */
import { assert } from '../../../src/base/assert.js';
import { lessEq, type Timestamp } from '../../../clock/timestamp.js';
import type { ReadWriter } from '../engine.js';
import { afterVersionsKey, checkUserKey, decodeDataKey, newestKey, versionKey } from './keys.js';
import { versionBytes, type MvccStats } from './stats.js';
import { decodeTagged } from './values.js';
import { readKeyRecord } from './visibility.js';
import { writeKeyRecord } from './write.js';

export interface GcResult {
  /** Versions removed. */
  readonly versions: number;
}

/** Collects the versions of `key` no read above `threshold` can see. */
export async function mvccGarbageCollect(rw: ReadWriter, stats: MvccStats, key: Uint8Array, threshold: Timestamp): Promise<GcResult> {
  checkUserKey(key);
  const record = readKeyRecord(rw, key);
  const newest = record.newest;
  if (newest === undefined) return { versions: 0 };
  // When the newest version is at or below the threshold it is the one reads see there, and all
  // older versions are garbage. Otherwise the first older version at or below the threshold is
  // the one to keep (if it is a value), and everything older than it is garbage.
  let keepFirstAtThreshold = !lessEq(newest.timestamp, threshold);
  const doomed: { key: Uint8Array; value: Uint8Array | null }[] = [];
  const it = rw.iterate({ lowerBound: versionKey(key, threshold), upperBound: afterVersionsKey(newestKey(key)) });
  try {
    for (let kv = await it.next(); kv !== undefined; kv = await it.next()) {
      const decoded = decodeDataKey(kv.key);
      assert(decoded.timestamp !== undefined && lessEq(decoded.timestamp, threshold), 'history entry outside the GC span');
      const value = decodeTagged(kv.value);
      if (keepFirstAtThreshold) {
        keepFirstAtThreshold = false;
        if (value !== null) continue;
      }
      doomed.push({ key: Uint8Array.from(kv.key), value });
    }
  } finally {
    it.close();
  }
  for (const version of doomed) {
    rw.delete(version.key);
    stats.valCount--;
    stats.valBytes -= versionBytes(version.value);
  }
  if (lessEq(newest.timestamp, threshold) && newest.value === null) {
    // The newest version is a deletion below the threshold and everything older is gone: no read
    // can see the key any more. A lock on it stays (as a placeholder record).
    writeKeyRecord(rw, key, { newest: undefined, locked: record.locked });
    stats.valCount--;
    stats.valBytes -= versionBytes(null);
    stats.keyCount--;
    stats.keyBytes -= key.length;
    return { versions: doomed.length + 1 };
  }
  return { versions: doomed.length };
}
