/**
 * The transaction record: kv/api's `Transaction` stored on the range that holds its anchor key,
 * at the engine key `txnRecordPrefix ∥ transactionKey(anchor, id)`.
 *
 * The record is not versioned (CockroachDB keeps it as an "inline" MVCC value with no
 * timestamp): every update replaces it. MVCC reserves the local prefix 0x01 'z' for non-MVCC
 * records and keeps every data iterator off it (kv/storage/mvcc/keys.ts), so the record lives
 * beside the lock table (0x01 'z' 'k') under 0x01 'z' 't'. Latches are taken on
 * `transactionKey(anchor, id)` itself (kv/api `requestKeys`).
 *
 * Encoding: one version byte (1), then UTF-8 JSON in which bigints are decimal strings and bytes
 * are hex, so an unknown later version is detected rather than misread.
 */
import { assert } from '../../src/base/assert.js';
import { StorageError } from '../../src/base/errors.js';
import { txnId, type TxnId } from '../../src/base/ids.js';
import { timestamp, type Timestamp } from '../../clock/timestamp.js';
import { transaction, transactionKey, transactionStatuses, type Span, type Transaction, type TransactionStatus, type TxnMeta } from '../api/index.js';
import type { Reader, ReadWriter } from '../storage/engine.js';
import { localLockedPrefix } from '../storage/mvcc/index.js';

const recordVersion = 1;

/** 0x01 'z' 't': non-MVCC transaction records. */
export const txnRecordPrefix: Uint8Array = Uint8Array.of(localLockedPrefix[0]!, localLockedPrefix[1]!, 0x74);

export function txnRecordEngineKey(anchor: Uint8Array, id: TxnId): Uint8Array {
  const key = transactionKey(anchor, id);
  const out = new Uint8Array(txnRecordPrefix.length + key.length);
  out.set(txnRecordPrefix, 0);
  out.set(key, txnRecordPrefix.length);
  return out;
}

type TsJson = readonly [string, number];
const tsJson = (ts: Timestamp): TsJson => [ts.wallNanos.toString(), ts.logical];
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function tsFrom(value: unknown): Timestamp {
  assertRecord(Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number', 'timestamp');
  return timestamp(BigInt(value[0] as string), value[1] as number);
}

function bytesFrom(value: unknown): Uint8Array {
  assertRecord(typeof value === 'string' && /^([0-9a-f]{2})*$/.test(value), 'bytes');
  return Uint8Array.from(Buffer.from(value, 'hex'));
}

function assertRecord(condition: boolean, what: string): asserts condition {
  if (!condition) throw new StorageError(`corrupt transaction record: bad ${what}`);
}

export function encodeTxnRecord(txn: Transaction): Uint8Array {
  const json = JSON.stringify({
    id: txn.id,
    key: hex(txn.key),
    epoch: txn.epoch,
    writeTimestamp: tsJson(txn.writeTimestamp),
    minTimestamp: tsJson(txn.minTimestamp),
    priority: txn.priority,
    sequence: txn.sequence,
    name: txn.name,
    status: txn.status,
    readTimestamp: tsJson(txn.readTimestamp),
    globalUncertaintyLimit: tsJson(txn.globalUncertaintyLimit),
    ignoredSequences: txn.ignoredSequences.map((r) => [r.start, r.end]),
    lockSpans: txn.lockSpans.map((s) => [hex(s.key), s.endKey === undefined ? null : hex(s.endKey)]),
    inFlightWrites: txn.inFlightWrites.map((w) => [hex(w.key), w.sequence]),
    lastHeartbeat: tsJson(txn.lastHeartbeat),
  });
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(1 + body.length);
  out[0] = recordVersion;
  out.set(body, 1);
  return out;
}

export function decodeTxnRecord(bytes: Uint8Array): Transaction {
  assertRecord(bytes.length > 1 && bytes[0] === recordVersion, `version ${bytes[0]}`);
  const o = JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as Record<string, unknown>;
  assertRecord(typeof o['id'] === 'string' && typeof o['name'] === 'string', 'id or name');
  assertRecord(transactionStatuses.includes(o['status'] as TransactionStatus), 'status');
  const list = (name: string): unknown[][] => {
    const value = o[name];
    assertRecord(Array.isArray(value) && value.every(Array.isArray), name);
    return value as unknown[][];
  };
  const int = (name: string): number => {
    const value = o[name];
    assertRecord(typeof value === 'number' && Number.isSafeInteger(value), name);
    return value;
  };
  return transaction({
    id: txnId(o['id'] as string),
    key: bytesFrom(o['key']),
    epoch: int('epoch'),
    writeTimestamp: tsFrom(o['writeTimestamp']),
    minTimestamp: tsFrom(o['minTimestamp']),
    priority: int('priority'),
    sequence: int('sequence'),
    name: o['name'] as string,
    status: o['status'] as TransactionStatus,
    readTimestamp: tsFrom(o['readTimestamp']),
    globalUncertaintyLimit: tsFrom(o['globalUncertaintyLimit']),
    ignoredSequences: Object.freeze(list('ignoredSequences').map(([start, end]) => Object.freeze({ start: start as number, end: end as number }))),
    lockSpans: Object.freeze(list('lockSpans').map(([key, endKey]): Span => Object.freeze({ key: bytesFrom(key), endKey: endKey === null ? undefined : bytesFrom(endKey) }))),
    inFlightWrites: Object.freeze(list('inFlightWrites').map(([key, sequence]) => Object.freeze({ key: bytesFrom(key), sequence: sequence as number }))),
    lastHeartbeat: tsFrom(o['lastHeartbeat']),
  });
}

/** The record of `id` anchored at `anchor`, if one was written. */
export function readTxnRecord(reader: Reader, anchor: Uint8Array, id: TxnId): Transaction | undefined {
  const bytes = reader.get(txnRecordEngineKey(anchor, id));
  return bytes === undefined ? undefined : decodeTxnRecord(bytes);
}

export function writeTxnRecord(rw: ReadWriter, txn: Transaction): void {
  assert(txn.key.length > 0, 'a transaction record needs an anchor key');
  rw.put(txnRecordEngineKey(txn.key, txn.id), encodeTxnRecord(txn));
}

/**
 * The record a transaction has when none was written (CockroachDB's "synthesized" record):
 * PENDING, from its metadata, its last heartbeat taken as its start (`minTimestamp`).
 */
export function synthesizeTxnRecord(meta: TxnMeta): Transaction {
  return transaction({
    ...meta,
    name: '',
    status: 'PENDING',
    readTimestamp: meta.minTimestamp,
    globalUncertaintyLimit: meta.minTimestamp,
    ignoredSequences: [],
    lockSpans: [],
    inFlightWrites: [],
    lastHeartbeat: meta.minTimestamp,
  });
}
