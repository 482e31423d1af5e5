/**
 * `mvccClearRange`: removes every version of every user key in `[start, end)` outright — no
 * tombstones, no history left — and takes exactly what it removed out of the range's stats
 * (CockroachDB's `ClearMVCCIteratorRange` under its ClearRange command).
 *
 * This is not an MVCC operation: a read at any timestamp, however old, finds nothing afterwards.
 * It is only correct for a span no one can read or write any more (a dropped index, a junk span
 * no descriptor names); the caller owns that argument (kv/eval/clear-range.ts states it).
 *
 * Intents are never cleared: if the span holds any, nothing is removed and they are returned for
 * the caller to resolve first (`WriteIntentError`). An intent may belong to a STAGING
 * transaction that is implicitly committed; removing it would make recovery find the write
 * missing and abort a transaction whose other writes are already visible (CockroachDB's
 * ClearRange checks for locks for the same reason).
 *
 * Bounded: at most `keysMax` user keys and about `bytesMax` engine-key bytes per call (the
 * deletes are the Raft command's payload); the rest is the resume span, which always starts at a
 * user key whose versions are all still there.
 */
import { assert } from '../../../src/base/assert.js';
import { limits } from '../../../src/base/limits.js';
import type { ReadWriter } from '../engine.js';
import { WriteIntentError, type Intent } from './errors.js';
import { checkUserKey, dataSpan, decodeDataKey, decodeLockKey, lockSpan, nextDataEntry } from './keys.js';
import { liveBytesOf, versionBytes, type MvccStats } from './stats.js';
import { decodeIntent, decodeKeyRecord, decodeTagged } from './values.js';

export interface ClearRangeLimits {
  /** Most user keys cleared by one call. */
  readonly keysMax: number;
  /** Engine-key bytes after which the call stops at the next user key. */
  readonly bytesMax: number;
}

export interface ClearRangeResult {
  /** User keys whose versions were removed. */
  readonly keys: number;
  /** Engine entries deleted (newest records and older versions). */
  readonly entries: number;
  /** Where to continue, if the limits stopped the call before `end`. */
  readonly resumeSpan: { readonly start: Uint8Array; readonly end: Uint8Array } | undefined;
}

/**
 * Clears `[start, end)` (see the file comment). Throws `WriteIntentError` (before writing
 * anything) if the span holds intents.
 */
export async function mvccClearRange(rw: ReadWriter, stats: MvccStats, start: Uint8Array, end: Uint8Array, bounds: ClearRangeLimits): Promise<ClearRangeResult> {
  checkUserKey(start);
  assert(bounds.keysMax > 0 && bounds.bytesMax > 0, 'clear limits are positive');
  const intents = await intentsIn(rw, start, end, limits.writeIntentErrorIntentsMax);
  if (intents.length > 0) throw new WriteIntentError(intents);
  const doomed: Uint8Array[] = [];
  let keys = 0;
  let bytes = 0;
  let resume: Uint8Array | undefined;
  const it = rw.iterate(dataSpan(start, end));
  try {
    for (let kv = await nextDataEntry(it, false); kv !== undefined; kv = await nextDataEntry(it, false)) {
      const decoded = decodeDataKey(kv.key);
      if (decoded.timestamp === undefined) {
        // A newest-version record opens a user key: the only place the call may stop.
        if (keys >= bounds.keysMax || bytes >= bounds.bytesMax) {
          resume = Uint8Array.from(decoded.userKey);
          break;
        }
        keys++;
        const record = decodeKeyRecord(kv.value);
        assert(!record.locked, 'a locked key record without an intent');
        const newest = record.newest;
        if (newest !== undefined) {
          stats.keyCount--;
          stats.keyBytes -= decoded.userKey.length;
          stats.valCount--;
          stats.valBytes -= versionBytes(newest.value);
          if (newest.value !== null) {
            stats.liveCount--;
            stats.liveBytes -= liveBytesOf(decoded.userKey, newest.value);
          }
        }
      } else {
        stats.valCount--;
        stats.valBytes -= versionBytes(decodeTagged(kv.value));
      }
      doomed.push(Uint8Array.from(kv.key));
      bytes += kv.key.length;
    }
  } finally {
    it.close();
  }
  for (const key of doomed) rw.delete(key);
  return { keys, entries: doomed.length, resumeSpan: resume === undefined ? undefined : { start: resume, end } };
}

/** Up to `max` intents on user keys in `[start, end)`, from the lock table. */
async function intentsIn(rw: ReadWriter, start: Uint8Array, end: Uint8Array, max: number): Promise<Intent[]> {
  const intents: Intent[] = [];
  const it = rw.iterate({ ...lockSpan(start, end), limit: max });
  try {
    for (let kv = await it.next(); kv !== undefined; kv = await it.next()) {
      intents.push({ key: Uint8Array.from(decodeLockKey(kv.key)), txn: decodeIntent(kv.value).txn });
    }
  } finally {
    it.close();
  }
  return intents;
}
