/**
 * Where MVCC data lives in the engine (the versioned-value pattern).
 *
 *     newest version   escape(key)                     → flags ∥ ts(12) ∥ tag ∥ value
 *     older versions   escape(key) ∥ ~ts(12)           → tag ∥ value         (newest first)
 *     intent           0x01 'z' 'k' ∥ escape(key)      → IntentRecord        (the lock table)
 *
 * `escape` (kv/storage/keys/escape) is prefix-free and order-preserving, so all versions of a key
 * sit together, keys keep their order, and a timestamp suffix never changes the order of two
 * keys. `~ts` is the bitwise complement of the 12-byte timestamp, so newer versions sort first.
 *
 * The newest committed version is kept at the bare escaped key, without a timestamp suffix, so
 * that the most common read — the latest value — is one point lookup rather than a seek: LevelDB
 * offers synchronous point reads to Node but only asynchronous iteration (TiKV's Percolator
 * layout inlines the latest value for the same reason). Writing a newer version moves the
 * previous newest into the history under its timestamp.
 *
 * Intents are separated into a lock table in the range-local keyspace (0x01 'z' 'k', as
 * CockroachDB's `/Local/Lock`), holding the transaction's metadata and the provisional value.
 * The newest-version record carries a `locked` flag (a one-byte placeholder when the key has no
 * committed version), so a read needs the lock table only for keys that are actually locked:
 * one point lookup per key, and scans walk one iterator instead of two.
 * MVCC keys must therefore not begin with 0x01 'z' (`checkUserKey`).
 */
import { assert } from '../../../src/base/assert.js';
import { allocBytes } from '../../../src/base/bytes.js';
import { InvalidInputError, LimitExceededError } from '../../../src/base/errors.js';
import { limits } from '../../../src/base/limits.js';
import { timestamp, timestampBytes, type Timestamp } from '../../../clock/timestamp.js';
import { entryPending, type EngineIterator, type KeyValue } from '../engine.js';
import { escapedLength, readEscaped, writeEscaped } from '../keys/escape.js';

/** The range-local prefix reserved for non-MVCC records (lock table, …). */
export const localLockedPrefix = Uint8Array.of(0x01, 0x7a); // 0x01 'z'
export const lockTablePrefix = Uint8Array.of(0x01, 0x7a, 0x6b); // 0x01 'z' 'k'

/**
 * Data keys carry no prefix, so the reserved local keyspace sorts among them: a data span that
 * covers user keys on both sides of 0x01 'z' (a scan from the empty key, say) also covers the
 * lock table. Data iterators must step over it (`nextDataEntry`).
 */
const localLockedPrefixEnd = Uint8Array.of(0x01, 0x7b);

function isLocalLockedKey(engineKey: Uint8Array): boolean {
  return engineKey.length >= 2 && engineKey[0] === localLockedPrefix[0] && engineKey[1] === localLockedPrefix[1];
}

/**
 * The next entry of a data-span iterator, skipping the reserved local keyspace (one seek past
 * it). Reverse seeks land on the last key ≤ 0x01 'z', which is below it: no engine key is
 * exactly 0x01 'z'.
 */
export async function nextDataEntry(it: EngineIterator, reverse: boolean): Promise<KeyValue | undefined> {
  for (;;) {
    const kv = await it.next();
    if (kv === undefined || !isLocalLockedKey(kv.key)) return kv;
    it.seek(reverse ? localLockedPrefix : localLockedPrefixEnd);
  }
}

/**
 * `nextDataEntry` without awaiting: the next data entry if the iterator has it at hand
 * (`EngineIterator.tryNext`), else `entryPending` — then await `nextDataEntry`. Stepping over
 * the local keyspace seeks, which leaves nothing at hand.
 */
export function tryNextDataEntry(it: EngineIterator, reverse: boolean): KeyValue | undefined | typeof entryPending {
  if (it.tryNext === undefined) return entryPending;
  for (;;) {
    const kv = it.tryNext();
    if (kv === entryPending || kv === undefined || !isLocalLockedKey(kv.key)) return kv;
    it.seek(reverse ? localLockedPrefix : localLockedPrefixEnd);
  }
}

/** Throws if `key` may not be used as an MVCC key. */
export function checkUserKey(key: Uint8Array): void {
  if (key.length > limits.keyBytesMax) throw new LimitExceededError('keyBytesMax', limits.keyBytesMax, key.length);
  if (key.length >= 2 && key[0] === localLockedPrefix[0] && key[1] === localLockedPrefix[1]) {
    throw new InvalidInputError('keys beginning 0x01 0x7a are reserved for the lock table');
  }
}

/** The key of the newest version of `key`. */
export function newestKey(key: Uint8Array): Uint8Array {
  const out = allocBytes(escapedLength(key));
  writeEscaped(key, out, 0);
  return out;
}

/** The key of an older version of `key` at `ts`. */
export function versionKey(key: Uint8Array, ts: Timestamp): Uint8Array {
  const escaped = escapedLength(key);
  const out = allocBytes(escaped + timestampBytes);
  writeEscaped(key, out, 0);
  writeComplementedTimestamp(ts, out, escaped);
  return out;
}

/** The lock-table key holding the intent on `key`. */
export function lockKey(key: Uint8Array): Uint8Array {
  const out = allocBytes(lockTablePrefix.length + escapedLength(key));
  out.set(lockTablePrefix, 0);
  writeEscaped(key, out, lockTablePrefix.length);
  return out;
}

/** Engine bounds of the data of user keys in `[start, end)`. */
export function dataSpan(start: Uint8Array, end: Uint8Array): { lowerBound: Uint8Array; upperBound: Uint8Array } {
  return { lowerBound: newestKey(start), upperBound: newestKey(end) };
}

/** Engine bounds of the lock table for user keys in `[start, end)`. */
export function lockSpan(start: Uint8Array, end: Uint8Array): { lowerBound: Uint8Array; upperBound: Uint8Array } {
  return { lowerBound: lockKey(start), upperBound: lockKey(end) };
}

/**
 * A key greater than every version key of `key` and at most the newest key of any larger user
 * key: the escaped key with its terminator byte 0x01 raised to 0x02.
 */
export function afterVersionsKey(escapedKey: Uint8Array): Uint8Array {
  const out = Uint8Array.from(escapedKey);
  assert(out[out.length - 1] === 0x01, 'not an escaped key');
  out[out.length - 1] = 0x02;
  return out;
}

/** A decoded data key: the user key and, for an older version, its timestamp. */
export interface DataKey {
  readonly userKey: Uint8Array;
  /** The escaped user key (the newest version's engine key). */
  readonly escapedKey: Uint8Array;
  /** Undefined for the newest version (its timestamp is in the value). */
  readonly timestamp: Timestamp | undefined;
}

export function decodeDataKey(engineKey: Uint8Array): DataKey {
  const escaped = readEscaped(engineKey, 0);
  assert(escaped !== undefined, 'malformed MVCC key');
  const escapedKey = engineKey.subarray(0, escaped.end);
  if (escaped.end === engineKey.length) return { userKey: escaped.bytes, escapedKey, timestamp: undefined };
  assert(engineKey.length === escaped.end + timestampBytes, 'malformed MVCC version suffix');
  return { userKey: escaped.bytes, escapedKey, timestamp: readComplementedTimestamp(engineKey, escaped.end) };
}

/** The user key of a lock-table key. */
export function decodeLockKey(engineKey: Uint8Array): Uint8Array {
  const escaped = readEscaped(engineKey, lockTablePrefix.length);
  assert(escaped !== undefined && escaped.end === engineKey.length, 'malformed lock-table key');
  return escaped.bytes;
}

function writeComplementedTimestamp(ts: Timestamp, out: Uint8Array, offset: number): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, timestampBytes);
  view.setBigUint64(0, ~ts.wallNanos & 0xffff_ffff_ffff_ffffn, false);
  view.setUint32(8, ~ts.logical >>> 0, false);
}

function readComplementedTimestamp(bytes: Uint8Array, offset: number): Timestamp {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, timestampBytes);
  return timestamp(~view.getBigUint64(0, false) & 0xffff_ffff_ffff_ffffn, ~view.getUint32(8, false) >>> 0);
}
