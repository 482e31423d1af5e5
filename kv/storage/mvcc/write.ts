/**
 * MVCC writes: `mvccPut`, `mvccConditionalPut`, `mvccDelete`, `mvccDeleteRange`.
 *
 * A non-transactional write commits a version directly. A transactional write leaves an intent —
 * a lock-table record with the transaction's metadata and provisional value — that
 * `mvccResolveIntent` later commits or aborts (the prepare half of two-phase commit).
 *
 * Every write first checks, in this order:
 * 1. an intent of another transaction on the key → `WriteIntentError` (wait, push, retry);
 * 2. the writer's own intent at the same epoch and a sequence it already wrote → a replay:
 *    a no-op if the value is the same (idempotent receiver), `IdempotencyMismatchError` if not;
 * 3. a committed version at or above the write timestamp → `WriteTooOldError` carrying the
 *    timestamp just above it, so the writer can move up and retry.
 *
 * The `stats` argument is adjusted by exactly the delta of the write.
 */
import { assert } from '../../../src/base/assert.js';
import { LimitExceededError } from '../../../src/base/errors.js';
import { limits } from '../../../src/base/limits.js';
import { equal, less, lessEq, max, next, type Timestamp } from '../../../clock/timestamp.js';
import type { ReadWriter } from '../engine.js';
import { ConditionFailedError, IdempotencyMismatchError, WriteIntentError, WriteTooOldError } from './errors.js';
import { checkUserKey, lockKey, newestKey, versionKey } from './keys.js';
import { mvccScan } from './read.js';
import { statsForNewVersion, type MvccStats } from './stats.js';
import type { MvccTxn, TxnMeta } from './txn.js';
import { encodeIntent, encodeKeyRecord, encodeTagged, type IntentHistoryEntry, type IntentRecord, type KeyRecord, type Version } from './values.js';
import { ownIntentView, readIntentIfLocked, readKeyRecordAt } from './visibility.js';

export interface WriteOptions {
  /** The writing transaction; its write leaves an intent. Absent: the write commits at once. */
  readonly txn?: MvccTxn;
}

export interface WriteResult {
  /**
   * The timestamp the write landed at: the requested one, or above it when the transaction's own
   * intent had been pushed higher (a transaction never writes below its pushed intent). The
   * coordinator must move its write timestamp up to it.
   */
  readonly timestamp: Timestamp;
}

/**
 * Writes `value` (or a tombstone, for `null`) at `key`. Synchronous: a write reads only the key's
 * record and intent, which are point reads.
 */
export function mvccPut(
  rw: ReadWriter,
  stats: MvccStats,
  key: Uint8Array,
  timestamp: Timestamp,
  value: Uint8Array | null,
  options: WriteOptions = {},
): WriteResult {
  const plan = prepareWrite(rw, key, timestamp, value, options.txn);
  if (plan.kind === 'replay') return { timestamp: plan.replayed.txn.writeTimestamp };
  applyWrite(rw, stats, key, plan, value, options.txn);
  return { timestamp: plan.timestamp };
}

export function mvccDelete(rw: ReadWriter, stats: MvccStats, key: Uint8Array, timestamp: Timestamp, options: WriteOptions = {}): WriteResult {
  return mvccPut(rw, stats, key, timestamp, null, options);
}

export interface ConditionalPutOptions extends WriteOptions {
  /** Also succeed when the key is absent (or deleted), whatever `expected` says. */
  readonly allowIfAbsent?: boolean;
}

/**
 * Writes `value` only if the key's current value — as the writer sees it: its own intent, or
 * else the newest committed version — equals `expected` (`undefined`: the key must be absent).
 * Otherwise throws `ConditionFailedError` with the value found. Used for unique indexes.
 */
export function mvccConditionalPut(
  rw: ReadWriter,
  stats: MvccStats,
  key: Uint8Array,
  timestamp: Timestamp,
  value: Uint8Array | null,
  expected: Uint8Array | undefined,
  options: ConditionalPutOptions = {},
): WriteResult {
  const plan = prepareWrite(rw, key, timestamp, value, options.txn);
  if (plan.kind === 'replay') return { timestamp: plan.replayed.txn.writeTimestamp };
  const newest = plan.record.newest;
  // A transaction's condition is about what it could have read: a version committed above its
  // read timestamp (below its pushed write timestamp) is WriteTooOld — retryable, so the
  // coordinator refreshes its reads there first — never a failed condition it may not see yet.
  if (options.txn !== undefined && plan.ownValue === undefined && newest !== undefined && less(options.txn.readTimestamp, newest.timestamp)) {
    throw new WriteTooOldError(key, options.txn.readTimestamp, next(newest.timestamp));
  }
  const current = plan.ownValue !== undefined ? plan.ownValue.value : (newest?.value ?? null);
  const actual = current ?? undefined;
  const matches = actual === undefined ? expected === undefined || options.allowIfAbsent === true : expected !== undefined && Buffer.compare(actual, expected) === 0;
  if (!matches) throw new ConditionFailedError(key, actual === undefined ? undefined : Uint8Array.from(actual));
  applyWrite(rw, stats, key, plan, value, options.txn);
  return { timestamp: plan.timestamp };
}

export interface DeleteRangeResult {
  /** The keys deleted (those with a visible value), in order. */
  readonly keys: readonly Uint8Array[];
  readonly resumeSpan: { readonly start: Uint8Array; readonly end: Uint8Array } | undefined;
}

/** Deletes every key of `[start, end)` that has a visible value at `timestamp`. */
export async function mvccDeleteRange(
  rw: ReadWriter,
  stats: MvccStats,
  start: Uint8Array,
  end: Uint8Array,
  timestamp: Timestamp,
  options: WriteOptions & { readonly maxKeys?: number } = {},
): Promise<DeleteRangeResult> {
  const txn = options.txn;
  const readOptions = txn === undefined ? {} : { txn: { ...txn, readTimestamp: timestamp } };
  const scan = await mvccScan(rw, start, end, timestamp, { ...readOptions, ...(options.maxKeys === undefined ? {} : { maxKeys: options.maxKeys }) });
  for (const row of scan.rows) mvccPut(rw, stats, row.key, timestamp, null, options);
  return { keys: scan.rows.map((r) => r.key), resumeSpan: scan.resumeSpan };
}

type WritePlan =
  | {
      readonly kind: 'write';
      /** The timestamp the version or intent is written at. */
      readonly timestamp: Timestamp;
      /** The key's record before the write. */
      readonly record: KeyRecord;
      /** Where the record lives: `newestKey(key)`, encoded once for the read and the write. */
      readonly recordKey: Uint8Array;
      /** The writer's own live intent, if any. */
      readonly ownIntent: IntentRecord | undefined;
      /** What the writer's own intent shows it, if anything. */
      readonly ownValue: { readonly value: Uint8Array | null } | undefined;
    }
  | { readonly kind: 'replay'; readonly replayed: IntentRecord };

/**
 * Validates the write's input and plans it; a replay (a verified idempotent retry) needs no
 * further work.
 */
function prepareWrite(rw: ReadWriter, key: Uint8Array, timestamp: Timestamp, value: Uint8Array | null, txn: MvccTxn | undefined): WritePlan {
  checkUserKey(key);
  if (value !== null && value.length > limits.valueBytesMax) throw new LimitExceededError('valueBytesMax', limits.valueBytesMax, value.length);
  const plan = planWrite(rw, key, timestamp, txn);
  if (plan.kind === 'replay') checkReplay(key, plan.replayed, value, txn!);
  return plan;
}

/** The checks of the header, in order; decides where the write goes. */
function planWrite(rw: ReadWriter, key: Uint8Array, timestamp: Timestamp, txn: MvccTxn | undefined): WritePlan {
  if (txn !== undefined) assert(equal(txn.meta.writeTimestamp, timestamp), 'a transactional write must be at the transaction write timestamp');
  const recordKey = newestKey(key);
  const record = readKeyRecordAt(rw, recordKey);
  const newest = record.newest;
  const intent = readIntentIfLocked(rw, key, record);
  let ownIntent: IntentRecord | undefined;
  let writeTimestamp = timestamp;
  if (intent !== undefined) {
    if (txn === undefined || intent.txn.id !== txn.meta.id) throw new WriteIntentError([{ key, txn: intent.txn }]);
    const view = ownIntentView(key, intent, txn); // throws on an epoch regression
    if (intent.txn.epoch === txn.meta.epoch && txn.meta.sequence <= intent.txn.sequence) return { kind: 'replay', replayed: intent };
    ownIntent = intent;
    // A pushed intent stays at its pushed timestamp: never write below it.
    writeTimestamp = max(timestamp, intent.txn.writeTimestamp);
    assert(newest === undefined || !lessEq(writeTimestamp, newest.timestamp), 'a committed version above a live intent');
    return { kind: 'write', timestamp: writeTimestamp, record, recordKey, ownIntent, ownValue: view.visible ? { value: view.value } : undefined };
  }
  if (newest !== undefined && lessEq(writeTimestamp, newest.timestamp)) throw new WriteTooOldError(key, writeTimestamp, next(newest.timestamp));
  return { kind: 'write', timestamp: writeTimestamp, record, recordKey, ownIntent, ownValue: undefined };
}

function applyWrite(rw: ReadWriter, stats: MvccStats, key: Uint8Array, plan: WritePlan & { kind: 'write' }, value: Uint8Array | null, txn: MvccTxn | undefined): void {
  if (txn === undefined) {
    commitVersion(rw, stats, key, plan.record, { timestamp: plan.timestamp, value }, plan.recordKey);
    return;
  }
  const meta: TxnMeta = { ...txn.meta, writeTimestamp: plan.timestamp };
  const previous = plan.ownIntent;
  let history: readonly IntentHistoryEntry[] = [];
  if (previous !== undefined && previous.txn.epoch === meta.epoch) {
    history = [...previous.history, { sequence: previous.txn.sequence, value: previous.value }];
    if (history.length > limits.intentHistoryEntriesMax) {
      throw new LimitExceededError('intentHistoryEntriesMax', limits.intentHistoryEntriesMax, history.length);
    }
  }
  writeIntent(rw, stats, key, plan.record, previous, { txn: meta, value, history }, plan.recordKey);
}

/**
 * Writes (or replaces) the intent on `key` and marks the key record locked, adjusting the intent
 * statistics. `record` is the key's record before the write; `recordKey` is where it lives.
 */
export function writeIntent(
  rw: ReadWriter,
  stats: MvccStats,
  key: Uint8Array,
  record: KeyRecord,
  previous: IntentRecord | undefined,
  intent: IntentRecord,
  recordKey: Uint8Array = newestKey(key),
): void {
  assert(record.locked === (previous !== undefined), 'the locked flag must match the lock table');
  if (previous === undefined) {
    stats.intentCount++;
    stats.intentBytes += key.length;
    rw.put(recordKey, encodeKeyRecord({ newest: record.newest, locked: true }));
  } else {
    stats.intentBytes -= previous.value?.length ?? 0;
  }
  stats.intentBytes += intent.value?.length ?? 0;
  rw.put(lockKey(key), encodeIntent(intent));
}

/** Removes the intent on `key` and unlocks the key record, adjusting the intent statistics. */
export function removeIntent(rw: ReadWriter, stats: MvccStats, key: Uint8Array, record: KeyRecord, previous: IntentRecord): void {
  removeIntentRecord(rw, stats, key, previous);
  writeKeyRecord(rw, key, { newest: record.newest, locked: false });
}

/**
 * Removes the lock-table record only; the caller rewrites the key record (as committing does).
 */
export function removeIntentRecord(rw: ReadWriter, stats: MvccStats, key: Uint8Array, previous: IntentRecord): void {
  stats.intentCount--;
  stats.intentBytes -= key.length + (previous.value?.length ?? 0);
  rw.delete(lockKey(key));
}

/**
 * Commits `version` as the key's newest, moving the previous newest into the history. The key
 * stays locked only if `record` is locked (a resolution removes the lock first). `recordKey` is
 * where the key's record lives.
 */
export function commitVersion(
  rw: ReadWriter,
  stats: MvccStats,
  key: Uint8Array,
  record: KeyRecord,
  version: Version,
  recordKey: Uint8Array = newestKey(key),
): void {
  const previousNewest = record.newest;
  if (previousNewest !== undefined) {
    assert(lessEq(previousNewest.timestamp, version.timestamp) && !equal(previousNewest.timestamp, version.timestamp), 'versions must ascend');
    rw.put(versionKey(key, previousNewest.timestamp), encodeTagged(previousNewest.value));
  }
  rw.put(recordKey, encodeKeyRecord({ newest: version, locked: record.locked }));
  statsForNewVersion(stats, key, previousNewest, version);
}

/** Writes the key record, or deletes it when it holds nothing. */
export function writeKeyRecord(rw: ReadWriter, key: Uint8Array, record: KeyRecord): void {
  if (record.newest === undefined && !record.locked) rw.delete(newestKey(key));
  else rw.put(newestKey(key), encodeKeyRecord(record));
}

/** A replayed write must carry the value originally written at its sequence. */
function checkReplay(key: Uint8Array, intent: IntentRecord, value: Uint8Array | null, txn: MvccTxn): void {
  const sequence = txn.meta.sequence;
  const written = sequence === intent.txn.sequence ? { sequence, value: intent.value } : intent.history.find((e) => e.sequence === sequence);
  if (written === undefined) throw new IdempotencyMismatchError(key, sequence);
  const same = written.value === null || value === null ? written.value === value : Buffer.compare(written.value, value) === 0;
  if (!same) throw new IdempotencyMismatchError(key, sequence);
}
