/**
 * Branded identifiers. A `NodeId` is a number at run time but the compiler will not let a
 * `RangeId` be passed where a `NodeId` is wanted (STYLE.md: never overload names).
 */
import { assert } from './assert.js';
import { hexToBytes } from './hex.js';

declare const brand: unique symbol;
/** A value of type `T` that the compiler tells apart from other `T`s by the tag `B`. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type NodeId = Brand<number, 'NodeId'>;
export type StoreId = Brand<number, 'StoreId'>;
export type RangeId = Brand<number, 'RangeId'>;
export type ReplicaId = Brand<number, 'ReplicaId'>;
/** A transaction id: 16 random bytes (a v4 UUID), hex-formatted for logs. */
export type TxnId = Brand<string, 'TxnId'>;

function positiveInt(value: number, what: string): void {
  assert(Number.isSafeInteger(value), () => `${what} must be an integer: ${value}`);
  assert(value > 0, () => `${what} must be positive: ${value}`);
}

export function nodeId(value: number): NodeId {
  positiveInt(value, 'NodeId');
  return value as NodeId;
}
export function storeId(value: number): StoreId {
  positiveInt(value, 'StoreId');
  return value as StoreId;
}
export function rangeId(value: number): RangeId {
  positiveInt(value, 'RangeId');
  return value as RangeId;
}
export function replicaId(value: number): ReplicaId {
  positiveInt(value, 'ReplicaId');
  return value as ReplicaId;
}

const txnIdPattern = /^[0-9a-f]{32}$/;

/** A `TxnId` from its 32 lowercase hex digits. */
export function txnId(hex: string): TxnId {
  assert(txnIdPattern.test(hex), () => `TxnId must be 32 lowercase hex digits: ${hex}`);
  return hex as TxnId;
}

/**
 * Where `txnIdFromBytes` sets the version and variant bits: the caller's bytes are left alone,
 * and no Buffer is allocated per transaction begun.
 */
const txnIdScratch = Buffer.alloc(16);

/** A `TxnId` from 16 random bytes (taken from `Env.random`, never from `Math.random`). */
export function txnIdFromBytes(bytes: Uint8Array): TxnId {
  assert(bytes.length === 16, 'TxnId needs 16 bytes');
  txnIdScratch.set(bytes);
  txnIdScratch[6] = (txnIdScratch[6]! & 0x0f) | 0x40; // version 4
  txnIdScratch[8] = (txnIdScratch[8]! & 0x3f) | 0x80; // RFC 4122 variant
  // One flat string. Two hex digits appended at a time (byteToHex) made a tree of 16 cons
  // strings, ~350 bytes where the flat id takes ~50, and the id lives as long as what keeps it —
  // the timestamp cache's read entries name their transaction — so the tree was promoted with it.
  return txnIdScratch.toString('hex') as TxnId; // 32 lowercase hex digits by construction
}

/** The most transaction ids whose bytes `txnIdToBytes` remembers. */
const txnIdBytesCacheMax = 1024;
const txnIdBytesCache = new Map<TxnId, Uint8Array>();

/**
 * The 16 bytes of a transaction id (how keys and intents store it). A transaction's id is
 * converted several times (its record key, each intent), so recent answers are remembered: the
 * returned array is shared and must not be modified.
 */
export function txnIdToBytes(id: TxnId): Uint8Array {
  const cached = txnIdBytesCache.get(id);
  if (cached !== undefined) return cached;
  const bytes = hexToBytes(id);
  assert(bytes !== undefined && bytes.length === 16, () => `malformed TxnId ${id}`);
  if (txnIdBytesCache.size >= txnIdBytesCacheMax) txnIdBytesCache.delete(txnIdBytesCache.keys().next().value!);
  txnIdBytesCache.set(id, bytes);
  return bytes;
}

/** The short form of a transaction id used in logs (its first 8 hex digits). */
export function shortTxnId(id: TxnId): string {
  return id.slice(0, 8);
}
