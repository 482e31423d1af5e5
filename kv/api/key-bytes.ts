/**
 * Byte-level helpers of keyspace.ts and describe.ts. Internal to kv/api: not re-exported by
 * index.ts, so the API's surface stays the keyspace itself.
 */
import { assert } from '../../src/base/assert.js';
import { txnId as toTxnId, txnIdToBytes, type TxnId } from '../../src/base/ids.js';
import { bytesToHex } from '../../src/base/hex.js';
import { readEscaped } from '../storage/keys/escape.js';
import { readOrderedInt } from '../storage/keys/ordered-int.js';
import { KeyReader } from '../storage/keys/reader.js';
import { compareKeys } from './span.js';


export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  return key.length >= prefix.length && compareKeys(key.subarray(0, prefix.length), prefix) === 0;
}

/** Reads an escaped anchor at `offset`; asserts it is well formed. */
export function decodeAnchor(key: Uint8Array, offset: number): { readonly anchor: Uint8Array; readonly end: number } {
  const escaped = readEscaped(key, offset);
  assert(escaped !== undefined, 'malformed range-local key');
  return { anchor: Uint8Array.from(escaped.bytes), end: escaped.end };
}

/** Reads the range id of a range-id-local key; returns it and the offset after it. */
export function decodeRangeIdAt(key: Uint8Array, offset: number): { readonly rangeId: bigint; readonly end: number } {
  const reader = new KeyReader(key, offset, 0x00);
  const rangeId = readOrderedInt(reader, 'range id');
  return { rangeId, end: reader.offset };
}

export function uint64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, false);
  return out;
}

export function txnIdBytes(id: TxnId): Uint8Array {
  return txnIdToBytes(id);
}

export function txnIdFromKeyBytes(bytes: Uint8Array): TxnId {
  assert(bytes.length === 16, 'transaction id must be 16 bytes');
  return toTxnId(bytesToHex(bytes));
}
