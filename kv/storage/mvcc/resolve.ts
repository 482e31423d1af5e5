/**
 * Intent resolution: the second phase of two-phase commit. Once a transaction's record says
 * COMMITTED or ABORTED, each intent is resolved — committed as a version at the transaction's
 * commit timestamp, or removed. A PENDING resolution moves an intent up to a pushed timestamp.
 *
 * Resolution is idempotent (an idempotent receiver): resolving an intent that is gone, or that
 * belongs to another transaction, changes nothing and reports so.
 *
 * Writes at sequences the transaction rolled back (`ignoredSequences`, from savepoints) are
 * discarded: the intent falls back to the latest write that was not rolled back, or disappears.
 */
import { assert } from '../../../src/base/assert.js';
import { compare, formatTimestamp, lessEq, max, type Timestamp } from '../../../clock/timestamp.js';
import type { ReadWriter } from '../engine.js';
import { compareKeys } from '../engine.js';
import { afterVersionsKey, decodeLockKey, lockSpan, newestKey, nextDataEntry } from './keys.js';
import type { MvccStats } from './stats.js';
import { isIgnored, type SequenceRange } from './txn.js';
import type { TxnId } from '../../../src/base/ids.js';
import { absentKeyRecord, decodeIntent, decodeKeyRecord, type IntentRecord, type KeyRecord } from './values.js';
import { readIntentIfLocked, readKeyRecord } from './visibility.js';
import { commitVersion, removeIntent, removeIntentRecord, writeIntent } from './write.js';

export type TxnStatus = 'PENDING' | 'COMMITTED' | 'ABORTED';

export interface IntentResolution {
  readonly txnId: TxnId;
  readonly epoch: number;
  readonly status: TxnStatus;
  /** COMMITTED: the commit timestamp. PENDING: the timestamp to push the intent to. */
  readonly timestamp: Timestamp;
  readonly ignoredSequences: readonly SequenceRange[];
}

/**
 * Resolves the intent on `key`; returns its size (`intentBytes`), or 0 when no intent of the
 * transaction was found.
 */
export function mvccResolveIntent(rw: ReadWriter, stats: MvccStats, key: Uint8Array, resolution: IntentResolution): number {
  return mvccResolveIntentWithin(rw, stats, key, resolution, Number.MAX_SAFE_INTEGER).bytes;
}

/**
 * Resolves the intent on `key` if its `intentBytes` are at most `maxBytes` (the budget is checked
 * before the intent is resolved, so a command paging its resolution never passes its budget by a
 * value); `bytes` is the intent's size, 0 when no intent of the transaction was found, and
 * `resolved` false when the intent was found and left alone because it did not fit.
 */
export function mvccResolveIntentWithin(rw: ReadWriter, stats: MvccStats, key: Uint8Array, resolution: IntentResolution, maxBytes: number): { readonly bytes: number; readonly resolved: boolean } {
  const record = readKeyRecord(rw, key);
  const intent = readIntentIfLocked(rw, key, record);
  if (intent === undefined || intent.txn.id !== resolution.txnId) return { bytes: 0, resolved: false };
  const bytes = intentBytes(key, intent);
  if (bytes > maxBytes) return { bytes, resolved: false };
  resolveFound(rw, stats, key, record, intent, resolution);
  return { bytes, resolved: true };
}

/**
 * What resolving an intent adds to the Raft command, about: its key and value (a commit writes
 * the value as a version; history entries are dropped, not written). Budgets of resolution count
 * these bytes as well as intents — a count alone let a few large values (1,000 rows of 2 MB)
 * build a command past `raftCommandBytesMax`, refused every time it was retried.
 */
export function intentBytes(key: Uint8Array, intent: IntentRecord): number {
  return key.length + (intent.value?.length ?? 0);
}

export interface ResolveRangeResult {
  /** Intents of the transaction resolved. */
  readonly resolved: number;
  /** Their `intentBytes`. */
  readonly bytes: number;
  readonly resumeSpan: { readonly start: Uint8Array; readonly end: Uint8Array } | undefined;
}

/**
 * Resolves every intent of the transaction in `[start, end)`, at most `maxIntents` of them and
 * at most `maxBytes` of `intentBytes` — except that the first always goes when `firstAlways` (a
 * caller with nothing resolved yet must make progress: a value alone past the budget still fits
 * a command, having been written by one); the rest is the resume span. The budget is checked
 * before each intent is taken, so it is never passed by a value.
 */
export async function mvccResolveIntentRange(
  rw: ReadWriter,
  stats: MvccStats,
  start: Uint8Array,
  end: Uint8Array,
  resolution: IntentResolution,
  maxIntents = Number.MAX_SAFE_INTEGER,
  maxBytes = Number.MAX_SAFE_INTEGER,
  firstAlways = true,
): Promise<ResolveRangeResult> {
  assert(compareKeys(start, end) < 0, 'resolve span must be non-empty');
  // Read the lock table first, then resolve: the writes below must not disturb the iteration.
  const found: { key: Uint8Array; intent: IntentRecord }[] = [];
  let bytes = 0;
  let resumeSpan: ResolveRangeResult['resumeSpan'];
  const it = rw.iterate(lockSpan(start, end));
  try {
    for (let kv = await it.next(); kv !== undefined; kv = await it.next()) {
      const intent = decodeIntent(kv.value);
      if (intent.txn.id !== resolution.txnId) continue;
      const key = decodeLockKey(kv.key);
      const size = intentBytes(key, intent);
      if (found.length === maxIntents || ((found.length > 0 || !firstAlways) && bytes + size > maxBytes)) {
        resumeSpan = { start: Uint8Array.from(key), end };
        break;
      }
      bytes += size;
      found.push({ key: Uint8Array.from(key), intent });
    }
  } finally {
    it.close();
  }
  const records = await readKeyRecords(rw, found.map((f) => f.key));
  found.forEach(({ key, intent }, i) => resolveFound(rw, stats, key, records[i]!, intent, resolution));
  return { resolved: found.length, bytes, resumeSpan };
}

/** Entries `readKeyRecords` steps over before it seeks instead (history versions, unlocked keys). */
const recordScanStepsMax = 8;

/**
 * The key records of `keys` (ascending, locked: each has a record), read by one iterator over
 * their data span rather than a point read each: a bulk load's intents sit on consecutive keys
 * with nothing in between, where the next entry is the next record (a LevelDB point read costs
 * several times an iterator step). Entries in between (older versions, unlocked keys) are
 * stepped over up to `recordScanStepsMax`, then sought past, so sparse intents cost a seek each.
 */
async function readKeyRecords(reader: ReadWriter, keys: readonly Uint8Array[]): Promise<KeyRecord[]> {
  if (keys.length === 0) return [];
  const first = newestKey(keys[0]!);
  const it = reader.iterate({ lowerBound: first, upperBound: afterVersionsKey(newestKey(keys[keys.length - 1]!)) });
  const records: KeyRecord[] = [];
  try {
    let entry = await nextDataEntry(it, false);
    for (const key of keys) {
      const target = newestKey(key);
      for (let steps = 0; entry !== undefined && compareKeys(entry.key, target) < 0; steps++) {
        if (steps === recordScanStepsMax) it.seek(target);
        entry = await nextDataEntry(it, false);
      }
      const found = entry !== undefined && compareKeys(entry.key, target) === 0;
      records.push(found ? decodeKeyRecord(entry!.value) : absentKeyRecord);
    }
  } finally {
    it.close();
  }
  return records;
}

function resolveFound(rw: ReadWriter, stats: MvccStats, key: Uint8Array, record: KeyRecord, intent: IntentRecord, resolution: IntentResolution): void {
  assert(record.locked, 'resolving an intent on an unlocked key');
  if (resolution.status === 'ABORTED' || intent.txn.epoch < resolution.epoch) {
    // An aborted transaction's intents are dead whatever their epoch: a pusher may abort the
    // record before it learns of a restart, so it resolves with an epoch older than an intent
    // the restarted transaction already rewrote (CockroachDB's "ABORT with an older epoch").
    // An intent of an older epoch was not rewritten after the restart: it is dead either way.
    removeIntent(rw, stats, key, record, intent);
    return;
  }
  // A resolution older than the intent's epoch comes from a stale view of the record: it can only
  // be a push (a commit is decided at the transaction's latest epoch), and its ignored sequences
  // belong to the older epoch, so it moves the timestamp and nothing else.
  const stale = intent.txn.epoch > resolution.epoch;
  assert(!stale || resolution.status === 'PENDING', () => `committing epoch ${resolution.epoch} below the intent's epoch ${intent.txn.epoch}`);
  const surviving = stale ? intent : survivingWrite(intent, resolution.ignoredSequences);
  if (surviving === undefined) {
    removeIntent(rw, stats, key, record, intent);
    return;
  }
  if (resolution.status === 'COMMITTED') {
    assert(lessEq(intent.txn.writeTimestamp, resolution.timestamp), () =>
      `commit at ${formatTimestamp(resolution.timestamp)} below the intent at ${formatTimestamp(intent.txn.writeTimestamp)}`);
    removeIntentRecord(rw, stats, key, intent);
    commitVersion(rw, stats, key, { newest: record.newest, locked: false }, { timestamp: resolution.timestamp, value: surviving.value });
    return;
  }
  // PENDING: push the intent's timestamp forward (never back) and drop rolled-back writes.
  const pushed = max(intent.txn.writeTimestamp, resolution.timestamp);
  if (compare(pushed, intent.txn.writeTimestamp) === 0 && surviving.history.length === intent.history.length) return;
  writeIntent(rw, stats, key, record, intent, { ...surviving, txn: { ...surviving.txn, writeTimestamp: pushed } });
}

/** The intent with writes at ignored sequences removed, or undefined if none survives. */
function survivingWrite(intent: IntentRecord, ignored: readonly SequenceRange[]): IntentRecord | undefined {
  if (ignored.length === 0) return intent;
  const history = intent.history.filter((e) => !isIgnored(e.sequence, ignored));
  if (!isIgnored(intent.txn.sequence, ignored)) return { ...intent, history };
  const last = history.pop();
  if (last === undefined) return undefined;
  return { txn: { ...intent.txn, sequence: last.sequence }, value: last.value, history };
}
