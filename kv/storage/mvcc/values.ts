/**
 * The bytes stored under MVCC keys (layout in `keys.ts`).
 *
 *     newest version   flags ∥ ts(12) ∥ tag ∥ value   (flags: committed, locked; a locked key
 *                      with no committed version holds the flags byte alone)
 *     older version    tag ∥ value
 *     intent           IntentRecord (varint-framed: txn meta, provisional value, history)
 *
 * `tag` is 0 for a deletion tombstone, 1 for a value, so an empty value and a deletion differ.
 * In the API a tombstone is `null`.
 */
import { assert } from '../../../src/base/assert.js';
import { allocBytes } from '../../../src/base/bytes.js';
import { StorageError } from '../../../src/base/errors.js';
import { bytesToHex } from '../../../src/base/hex.js';
import { txnId, txnIdToBytes } from '../../../src/base/ids.js';
import { readTimestamp, timestamp, timestampBytes, writeTimestamp, type Timestamp } from '../../../clock/timestamp.js';
import { ByteReader, ByteWriter } from '../codec.js';
import type { TxnMeta } from './txn.js';

const tombstoneTag = 0;
const valueTag = 1;

/** A committed version: a value, or `null` for a deletion. */
export interface Version {
  readonly timestamp: Timestamp;
  readonly value: Uint8Array | null;
}

/**
 * What the bare (unsuffixed) key holds: the newest committed version, if any, and whether the key
 * is locked by an intent in the lock table. A locked key with no committed version keeps a
 * one-byte placeholder record, so that one point read always tells a reader whether it must also
 * read the lock table.
 */
export interface KeyRecord {
  readonly newest: Version | undefined;
  readonly locked: boolean;
}

export const absentKeyRecord: KeyRecord = Object.freeze({ newest: undefined, locked: false });

const committedFlag = 0x01;
const lockedFlag = 0x02;

export function encodeKeyRecord(record: KeyRecord): Uint8Array {
  assert(record.newest !== undefined || record.locked, 'an empty key record is deleted, not written');
  const flags = (record.newest === undefined ? 0 : committedFlag) | (record.locked ? lockedFlag : 0);
  if (record.newest === undefined) return Uint8Array.of(flags);
  const value = record.newest.value;
  const out = allocBytes(1 + timestampBytes + 1 + (value?.length ?? 0));
  out[0] = flags;
  writeTimestamp(record.newest.timestamp, out, 1);
  out[1 + timestampBytes] = value === null ? tombstoneTag : valueTag;
  if (value !== null) out.set(value, 2 + timestampBytes);
  return out;
}

export function decodeKeyRecord(bytes: Uint8Array): KeyRecord {
  const flags = bytes[0];
  if (flags === undefined || flags > (committedFlag | lockedFlag) || flags === 0) throw new StorageError(`corrupt MVCC key record: flags ${String(flags)}`);
  const locked = (flags & lockedFlag) !== 0;
  if ((flags & committedFlag) === 0) {
    if (bytes.length !== 1) throw new StorageError('corrupt MVCC key record: placeholder with a value');
    return { newest: undefined, locked };
  }
  if (bytes.length < 2 + timestampBytes) throw new StorageError('corrupt MVCC key record: too short');
  return { newest: { timestamp: readTimestamp(bytes, 1), value: decodeTagged(bytes.subarray(1 + timestampBytes)) }, locked };
}

export function encodeTagged(value: Uint8Array | null): Uint8Array {
  const out = allocBytes(1 + (value?.length ?? 0));
  out[0] = value === null ? tombstoneTag : valueTag;
  if (value !== null) out.set(value, 1);
  return out;
}

export function decodeTagged(bytes: Uint8Array): Uint8Array | null {
  const tag = bytes[0];
  if (tag === tombstoneTag && bytes.length === 1) return null;
  if (tag === valueTag) return bytes.subarray(1);
  throw new StorageError(`corrupt MVCC value: tag ${String(tag)}, ${bytes.length} bytes`);
}

/** An earlier write of the same transaction and epoch, kept so reads at older sequences see it. */
export interface IntentHistoryEntry {
  readonly sequence: number;
  readonly value: Uint8Array | null;
}

/**
 * An intent: the provisional write of a pending transaction, and the lock it holds on the key.
 * `txn.sequence` is the sequence of `value`; `history` holds the values of earlier sequences of
 * the same epoch, ascending.
 */
export interface IntentRecord {
  readonly txn: TxnMeta;
  readonly value: Uint8Array | null;
  readonly history: readonly IntentHistoryEntry[];
}

const intentRecordVersion = 1;

export function encodeIntent(record: IntentRecord): Uint8Array {
  const w = new ByteWriter(64 + (record.value?.length ?? 0));
  w.byte(intentRecordVersion);
  writeTxnMeta(w, record.txn);
  writeOptionalValue(w, record.value);
  w.uvarint(record.history.length);
  for (const entry of record.history) {
    w.uvarint(entry.sequence);
    writeOptionalValue(w, entry.value);
  }
  return w.finish();
}

export function decodeIntent(bytes: Uint8Array): IntentRecord {
  const r = new ByteReader(bytes, 'intent record');
  const version = r.byte();
  if (version !== intentRecordVersion) throw new StorageError(`corrupt intent record: version ${version}`);
  const txn = readTxnMeta(r);
  const value = readOptionalValue(r);
  const count = r.uvarint();
  const history: IntentHistoryEntry[] = [];
  for (let i = 0; i < count; i++) history.push({ sequence: r.uvarint(), value: readOptionalValue(r) });
  r.end();
  return { txn, value, history };
}

/**
 * The last transaction metadata encoded or decoded, without its sequence, and its bytes. The
 * intents of one transaction differ only in their sequence (and the value): a bulk write's
 * thousands of intents, and the resolution and reads that meet them, encode and decode the same
 * id, anchor key, epoch, timestamps and priority over and over — a hex id string, an anchor copy,
 * two bigints and two timestamps each time (a tenth of a 100,000-row COPY's resolution). The
 * encoding is self-delimiting, so the same bytes always decode to the same fields: a match on the
 * bytes is a match on the fields. One entry per direction; module state, but deterministic (a
 * cache of a pure function).
 */
interface TxnMetaPrefix {
  readonly meta: Omit<TxnMeta, 'sequence'>;
  readonly bytes: Uint8Array;
}
let lastWritten: TxnMetaPrefix | undefined;
let lastRead: TxnMetaPrefix | undefined;

function samePrefix(a: Omit<TxnMeta, 'sequence'>, b: TxnMeta): boolean {
  if (a.id !== b.id || a.epoch !== b.epoch || a.priority !== b.priority) return false;
  if (a.writeTimestamp.wallNanos !== b.writeTimestamp.wallNanos || a.writeTimestamp.logical !== b.writeTimestamp.logical) return false;
  if (a.minTimestamp.wallNanos !== b.minTimestamp.wallNanos || a.minTimestamp.logical !== b.minTimestamp.logical) return false;
  if (a.key === b.key) return true;
  if (a.key.length !== b.key.length) return false;
  for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return false;
  return true;
}

function writeTxnMeta(w: ByteWriter, txn: TxnMeta): void {
  let prefix = lastWritten;
  if (prefix === undefined || !samePrefix(prefix.meta, txn)) {
    const p = new ByteWriter(48 + txn.key.length);
    p.raw(txnIdToBytes(txn.id));
    p.bytes(txn.key);
    p.uvarint(txn.epoch);
    writeTs(p, txn.writeTimestamp);
    writeTs(p, txn.minTimestamp);
    p.uvarint(txn.priority);
    const { id, key, epoch, writeTimestamp, minTimestamp, priority } = txn;
    prefix = lastWritten = { meta: { id, key: Uint8Array.from(key), epoch, writeTimestamp, minTimestamp, priority }, bytes: p.finish() };
  }
  w.raw(prefix.bytes);
  w.uvarint(txn.sequence);
}

function readTxnMeta(r: ByteReader): TxnMeta {
  const cached = lastRead;
  if (cached !== undefined && r.skipIfNext(cached.bytes)) return { ...cached.meta, sequence: r.uvarint() };
  const start = r.position;
  const id = txnId(bytesToHex(r.raw(16)));
  const key = Uint8Array.from(r.bytes());
  const epoch = r.uvarint();
  const writeTimestamp = readTs(r);
  const minTimestamp = readTs(r);
  const priority = r.uvarint();
  lastRead = { meta: { id, key, epoch, writeTimestamp, minTimestamp, priority }, bytes: Uint8Array.from(r.consumed(start)) };
  const sequence = r.uvarint();
  return { id, key, epoch, writeTimestamp, minTimestamp, priority, sequence };
}

function writeTs(w: ByteWriter, ts: Timestamp): void {
  w.uint64(ts.wallNanos).uvarint(ts.logical);
}

function readTs(r: ByteReader): Timestamp {
  const wall = r.uint64();
  const logical = r.uvarint();
  if (logical > 0xffff_ffff) throw new StorageError('corrupt timestamp: logical out of range');
  return timestamp(wall, logical);
}

function writeOptionalValue(w: ByteWriter, value: Uint8Array | null): void {
  if (value === null) w.byte(tombstoneTag);
  else w.byte(valueTag).bytes(value);
}

function readOptionalValue(r: ByteReader): Uint8Array | null {
  const tag = r.byte();
  if (tag === tombstoneTag) return null;
  if (tag === valueTag) return Uint8Array.from(r.bytes());
  throw new StorageError(`corrupt intent record: value tag ${tag}`);
}
