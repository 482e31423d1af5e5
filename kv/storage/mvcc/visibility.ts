/**
 * The visibility rules shared by reads and writes: which version of a key a reader sees, when
 * an intent conflicts, and when a value is uncertain.
 *
 * A reader at `readTimestamp` with uncertainty limit `L` (≥ readTimestamp) sees, for one key:
 * 1. its own intent, if the intent's epoch is the reader's and some write of it at a sequence
 *    ≤ the reader's sequence was not rolled back (savepoints);
 * 2. otherwise, another transaction's intent at a timestamp ≤ max(readTimestamp, L) is a
 *    conflict — the reader cannot know whether that write will commit below it;
 * 3. otherwise the newest committed version at or below `readTimestamp`, unless a committed
 *    version lies in `(readTimestamp, L]`: then the read is uncertain and must restart higher.
 */
import { compare, lessEq, max, type Timestamp } from '../../../clock/timestamp.js';
import type { Reader } from '../engine.js';
import { ReadWithinUncertaintyIntervalError, TxnEpochRegressionError } from './errors.js';
import { afterVersionsKey, decodeDataKey, lockKey, newestKey, versionKey } from './keys.js';
import { isIgnored, type MvccTxn } from './txn.js';
import { absentKeyRecord, decodeIntent, decodeKeyRecord, decodeTagged, type IntentRecord, type KeyRecord, type Version } from './values.js';
import { StorageError } from '../../../src/base/errors.js';

/** The intent on `key`, if any. */
export function readIntent(reader: Reader, key: Uint8Array): IntentRecord | undefined {
  const bytes = reader.get(lockKey(key));
  return bytes === undefined ? undefined : decodeIntent(bytes);
}

/** The key's record: its newest committed version and whether it is locked. One point read. */
export function readKeyRecord(reader: Reader, key: Uint8Array): KeyRecord {
  return readKeyRecordAt(reader, newestKey(key));
}

/** `readKeyRecord` given the engine key of the record (`newestKey(key)`), for callers that reuse it. */
export function readKeyRecordAt(reader: Reader, engineKey: Uint8Array): KeyRecord {
  const bytes = reader.get(engineKey);
  return bytes === undefined ? absentKeyRecord : decodeKeyRecord(bytes);
}

/** The intent of a key whose record says it is locked; undefined for an unlocked key. */
export function readIntentIfLocked(reader: Reader, key: Uint8Array, record: KeyRecord): IntentRecord | undefined {
  if (!record.locked) return undefined;
  const intent = readIntent(reader, key);
  if (intent === undefined) throw new StorageError('key record is locked but the lock table has no intent');
  return intent;
}

/** The newest older (history) version of `key` at or below `ts`. */
export async function readHistoryAtOrBelow(reader: Reader, key: Uint8Array, ts: Timestamp): Promise<Version | undefined> {
  const lowerBound = versionKey(key, ts);
  const it = reader.iterate({ lowerBound, upperBound: afterVersionsKey(newestKey(key)) });
  try {
    const kv = await it.next();
    if (kv === undefined) return undefined;
    const decoded = decodeDataKey(kv.key);
    if (decoded.timestamp === undefined) return undefined;
    return { timestamp: decoded.timestamp, value: decodeTagged(kv.value) };
  } finally {
    it.close();
  }
}

/** What a reader's own intent shows it: a value (or tombstone), or nothing (look below). */
export type OwnIntentView = { readonly visible: true; readonly value: Uint8Array | null } | { readonly visible: false };

/** Applies rule 1 of the header to an intent of the reader's own transaction. */
export function ownIntentView(key: Uint8Array, record: IntentRecord, txn: MvccTxn): OwnIntentView {
  if (record.txn.epoch < txn.meta.epoch) return { visible: false }; // a dead write of an earlier epoch
  if (record.txn.epoch > txn.meta.epoch) throw new TxnEpochRegressionError(key, txn.meta.epoch, record.txn.epoch);
  const readSequence = txn.meta.sequence;
  if (record.txn.sequence <= readSequence && !isIgnored(record.txn.sequence, txn.ignoredSequences)) {
    return { visible: true, value: record.value };
  }
  for (let i = record.history.length - 1; i >= 0; i--) {
    const entry = record.history[i]!;
    if (entry.sequence <= readSequence && !isIgnored(entry.sequence, txn.ignoredSequences)) return { visible: true, value: entry.value };
  }
  return { visible: false };
}

/** Rule 2: does another transaction's intent block a reader? */
export function intentConflicts(record: IntentRecord, readTimestamp: Timestamp, uncertaintyLimit: Timestamp): boolean {
  return lessEq(record.txn.writeTimestamp, max(readTimestamp, uncertaintyLimit));
}

/**
 * Rule 3: the committed version visible at `readTimestamp`, given the key's newest version.
 * Throws `ReadWithinUncertaintyIntervalError` for a version in `(readTimestamp, limit]`.
 */
export async function visibleCommitted(
  reader: Reader,
  key: Uint8Array,
  newest: Version | undefined,
  readTimestamp: Timestamp,
  uncertaintyLimit: Timestamp,
): Promise<Version | undefined> {
  if (newest === undefined) return undefined;
  if (lessEq(newest.timestamp, readTimestamp)) return newest;
  const limit = max(readTimestamp, uncertaintyLimit);
  if (lessEq(newest.timestamp, limit)) throw new ReadWithinUncertaintyIntervalError(key, readTimestamp, newest.timestamp, limit);
  const older = await readHistoryAtOrBelow(reader, key, limit);
  if (older === undefined) return undefined;
  if (compare(older.timestamp, readTimestamp) > 0) throw new ReadWithinUncertaintyIntervalError(key, readTimestamp, older.timestamp, limit);
  return older;
}
