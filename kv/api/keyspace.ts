/**
 * The keyspace of DESIGN.md §3, in one place (CockroachDB's `keys` package). Every key the
 * system writes is built here; `pretty.ts` prints any of them and `describeKey` takes them apart.
 *
 * ```
 *   /Min                                    (empty key)
 *   0x01 ─ local: per range or per store, never addressed by SQL ─────────────────────────────
 *     0x01 'i' ∥ int(rangeId) ∥ 'r'|'u' ∥ suffix     range-id-local: /Local/RangeID/7/u/RaftLog/…
 *         'r' replicated (in the Raft state machine): rask applied state, rll- lease,
 *             lgc- GC threshold, stat statistics, abc- abort span (by txn id)
 *         'u' unreplicated (this replica only): rfth hard state, rftl log (∥ index, 8B BE),
 *             rftt truncated state (the low-water mark of the log)
 *     0x01 'k' ∥ esc(anchor) ∥ suffix                range-local: /Local/Range/<anchor>/…
 *         rdsc range descriptor copy (anchor = the range's start key)
 *         txn- ∥ txnId(16B) transaction record (anchor = the transaction's first key)
 *     0x01 's' ∥ name                               store-local: /Local/Store/storeIdent, …/maxOffset
 *     0x01 'z' 'k' ∥ esc(key)                       the lock table (kv/storage/mvcc/keys.ts)
 *   0x02 ∥ key                                      /Meta1/…  descriptors of meta2 ranges
 *   0x03 ∥ key                                      /Meta2/…  descriptors of user ranges, by end key
 *   0x04 ∥ table byte ∥ tuple                       /System/NodeLiveness/3, /System/Descriptor/52, …
 *   0x05 … 0xef                                     plain KV keys (tests, KV benchmarks)
 *   0xf0 ∥ tuple(tableId, indexId, columns…)        /Table/52/1/"alice"/7
 *   0xff 0xff                                       /Max
 * ```
 *
 * Choices:
 * - The local bytes follow CockroachDB's (`\x01i`, `\x01k`, `\x01s`, `rftl`, `rdsc`, `txn-`) so
 *   its documentation reads across. Range-local keys embed the anchor escaped (prefix-free), so
 *   all range-local keys of one anchor form one contiguous block ordered by anchor, and a
 *   transaction record sorts next to its anchor's other range-local keys.
 * - Range-id-local and store-local keys are written raw (not through MVCC) by the replica and
 *   the store; range-local keys go through MVCC (a descriptor is written transactionally by a
 *   split). No request may span the local keyspace and global keys: a global span starts at or
 *   above `localMax` (`isAddressableKey`, enforced by `checkBatch`), so MVCC data iterators
 *   never meet raw local records.
 * - Table data keys are one order-preserving tuple (kv/storage/keys) under one prefix byte, 0xf0:
 *   `0xf0 ∥ int(tableId) ∥ int(indexId) ∥ columns`. Ids are small ints of 2–3 bytes; the tuple
 *   decodes without a schema, which is what lets the pretty-printer show `/Table/52/1/"alice"`.
 *   CockroachDB packs the table id into the first byte instead; one extra byte per key buys a
 *   layout in which plain KV keys below 0xf0 can never collide with SQL data.
 * - System keys are a subsystem byte plus a tuple, so each subsystem is one contiguous span.
 * - The store identity key keeps the bytes src/node/store-ident.ts wrote before this file
 *   existed (`0x01 's' "store-ident"`), so existing stores still open.
 */
import { assert } from '../../src/base/assert.js';
import type { NodeId, RangeId, TxnId } from '../../src/base/ids.js';
import { KeyBuilder } from '../storage/keys/builder.js';
import { encodeKey } from '../storage/keys/encoding.js';
import { escapedLength, writeEscaped } from '../storage/keys/escape.js';
import { intValue, textValue, type KeyValue } from '../storage/keys/key-value.js';
import { writeOrderedInt } from '../storage/keys/ordered-int.js';
import { lockKey, lockTablePrefix } from '../storage/mvcc/keys.js';
import { decodeAnchor, startsWith, txnIdBytes } from './key-bytes.js';
import { compareKeys, keyNext, span, type RKey, type Span } from './span.js';

export { lockKey, lockTablePrefix };

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The smallest key; the start of range 1. */
export const keyMin: Uint8Array = new Uint8Array(0);
/** Larger than every key the system writes; the end of the last range. */
export const keyMax: Uint8Array = Uint8Array.of(0xff, 0xff);

export const localPrefix: Uint8Array = Uint8Array.of(0x01);
/** The end of the local keyspace: every addressable (global) key is ≥ `localMax`. */
export const localMax: Uint8Array = Uint8Array.of(0x02);
export const localRangeIdPrefix: Uint8Array = Uint8Array.of(0x01, 0x69); // 0x01 'i'
export const localRangePrefix: Uint8Array = Uint8Array.of(0x01, 0x6b); // 0x01 'k'
export const localStorePrefix: Uint8Array = Uint8Array.of(0x01, 0x73); // 0x01 's'

export const meta1Prefix: Uint8Array = Uint8Array.of(0x02);
export const meta2Prefix: Uint8Array = Uint8Array.of(0x03);
/** Meta1 holds the descriptors of meta2 ranges, keyed by their end keys (the last is meta2's max). */
export const meta1KeyMax: Uint8Array = Uint8Array.of(0x02, 0xff, 0xff);
/** Meta2 holds the descriptors of user ranges, keyed by their end keys (the last is `keyMax`). */
export const meta2KeyMax: Uint8Array = Uint8Array.of(0x03, 0xff, 0xff);
export const metaMax: Uint8Array = Uint8Array.of(0x04);

export const systemPrefix: Uint8Array = Uint8Array.of(0x04);
export const systemMax: Uint8Array = Uint8Array.of(0x05);

export const tableDataPrefix: Uint8Array = Uint8Array.of(0xf0);
export const tableDataMax: Uint8Array = Uint8Array.of(0xf1);

// ─── range-id-local ──────────────────────────────────────────────────────────────────────────

/** The 4-byte suffixes of range-id-local keys, with whether they are replicated. */
export const rangeIdSuffixes = Object.freeze({
  RangeAppliedState: { bytes: 'rask', replicated: true },
  RangeLease: { bytes: 'rll-', replicated: true },
  RangeGCThreshold: { bytes: 'lgc-', replicated: true },
  RangeStats: { bytes: 'stat', replicated: true },
  AbortSpan: { bytes: 'abc-', replicated: true },
  RaftHardState: { bytes: 'rfth', replicated: false },
  RaftLog: { bytes: 'rftl', replicated: false },
  RaftTruncatedState: { bytes: 'rftt', replicated: false },
} as const);
export type RangeIdSuffix = keyof typeof rangeIdSuffixes;

const replicatedByte = 0x72; // 'r'
const unreplicatedByte = 0x75; // 'u'

/** All keys of a range id: `0x01 'i' ∥ int(rangeId)`. */
export function rangeIdPrefix(rangeId: RangeId): Uint8Array {
  const builder = new KeyBuilder(16);
  builder.pushBytes(localRangeIdPrefix);
  writeOrderedInt(builder, BigInt(rangeId));
  return builder.finish();
}

/** The replicated (`'r'`) or unreplicated (`'u'`) keys of a range id. */
export function rangeIdPartPrefix(rangeId: RangeId, replicated: boolean): Uint8Array {
  const cacheKey = replicated ? rangeId : -rangeId;
  let prefix = partPrefixCache.get(cacheKey);
  if (prefix === undefined) {
    prefix = concat(rangeIdPrefix(rangeId), Uint8Array.of(replicated ? replicatedByte : unreplicatedByte));
    if (partPrefixCache.size >= partPrefixCacheEntriesMax) partPrefixCache.clear();
    partPrefixCache.set(cacheKey, prefix);
  }
  return prefix;
}

/**
 * Range-id prefixes, built once per range (every Raft log append and applied-state write needs
 * one). Callers copy out of the returned array (`concat`) and never write into it.
 */
const partPrefixCache = new Map<number, Uint8Array>();
const partPrefixCacheEntriesMax = 4096;

/** The suffixes as bytes, encoded once (keys are built on every request's hot path). */
const rangeIdSuffixBytes = Object.fromEntries(Object.entries(rangeIdSuffixes).map(([name, { bytes }]) => [name, ascii(bytes)])) as Record<RangeIdSuffix, Uint8Array>;

function rangeIdKey(rangeId: RangeId, suffix: RangeIdSuffix, detail?: Uint8Array): Uint8Array {
  const part = rangeIdPartPrefix(rangeId, rangeIdSuffixes[suffix].replicated);
  return detail === undefined ? concat(part, rangeIdSuffixBytes[suffix]) : concat(part, rangeIdSuffixBytes[suffix], detail);
}

export const raftHardStateKey = (rangeId: RangeId): Uint8Array => rangeIdKey(rangeId, 'RaftHardState');
export const raftTruncatedStateKey = (rangeId: RangeId): Uint8Array => rangeIdKey(rangeId, 'RaftTruncatedState');
export const rangeAppliedStateKey = (rangeId: RangeId): Uint8Array => rangeIdKey(rangeId, 'RangeAppliedState');
export const rangeLeaseKey = (rangeId: RangeId): Uint8Array => rangeIdKey(rangeId, 'RangeLease');
export const rangeGCThresholdKey = (rangeId: RangeId): Uint8Array => rangeIdKey(rangeId, 'RangeGCThreshold');
export const rangeStatsKey = (rangeId: RangeId): Uint8Array => rangeIdKey(rangeId, 'RangeStats');

/** The prefix of a range's Raft log; entries sort by index under it. */
export const raftLogPrefix = (rangeId: RangeId): Uint8Array => rangeIdKey(rangeId, 'RaftLog');

/** The Raft log entry at `logIndex` (8 bytes big-endian, so entries sort by index). */
export function raftLogKey(rangeId: RangeId, logIndex: number): Uint8Array {
  assert(Number.isSafeInteger(logIndex) && logIndex >= 0, () => `bad log index ${logIndex}`);
  // Big-endian, written from the number (a safe integer) without a BigInt or a DataView:
  // a log key is made for every entry appended and every entry truncated.
  const detail = new Uint8Array(8);
  const high = Math.floor(logIndex / 0x1_0000_0000);
  const low = logIndex >>> 0;
  detail[0] = high >>> 24;
  detail[1] = (high >>> 16) & 0xff;
  detail[2] = (high >>> 8) & 0xff;
  detail[3] = high & 0xff;
  detail[4] = low >>> 24;
  detail[5] = (low >>> 16) & 0xff;
  detail[6] = (low >>> 8) & 0xff;
  detail[7] = low & 0xff;
  return rangeIdKey(rangeId, 'RaftLog', detail);
}

/** The abort-span entry of a transaction on a range (poisons its reads after an abort). */
export function abortSpanKey(rangeId: RangeId, txnId: TxnId): Uint8Array {
  return rangeIdKey(rangeId, 'AbortSpan', txnIdBytes(txnId));
}

// ─── range-local ─────────────────────────────────────────────────────────────────────────────

export const rangeLocalSuffixes = Object.freeze({ RangeDescriptor: 'rdsc', Transaction: 'txn-' } as const);
export type RangeLocalSuffix = keyof typeof rangeLocalSuffixes;
const rangeDescriptorSuffix = ascii(rangeLocalSuffixes.RangeDescriptor);
const transactionSuffix = ascii(rangeLocalSuffixes.Transaction);

/** All range-local keys anchored at `anchor`: `0x01 'k' ∥ esc(anchor)`. */
export function rangeLocalPrefix(anchor: Uint8Array): Uint8Array {
  const out = new Uint8Array(localRangePrefix.length + escapedLength(anchor));
  out.set(localRangePrefix, 0);
  writeEscaped(anchor, out, localRangePrefix.length);
  return out;
}

/** The range's copy of its own descriptor, anchored at its start key. */
export function rangeDescriptorKey(startKey: Uint8Array): Uint8Array {
  return concat(rangeLocalPrefix(startKey), rangeDescriptorSuffix);
}

/** The transaction record of `txnId`, anchored at the transaction's first key (DESIGN §5). */
export function transactionKey(anchor: Uint8Array, txnId: TxnId): Uint8Array {
  return concat(rangeLocalPrefix(anchor), transactionSuffix, txnIdBytes(txnId));
}

// ─── store-local ─────────────────────────────────────────────────────────────────────────────

/** Which cluster, node and store a data folder belongs to (bytes kept from before this file). */
export const storeIdentKey: Uint8Array = concat(localStorePrefix, ascii('store-ident'));

/**
 * The max clock offset (nanoseconds, 8 bytes big-endian) of the last process that served from
 * this store: a restarted store waits out twice the larger of it and its own before serving
 * (`kv/replica/store.ts` `waitOutPreviousProcess`).
 */
export const storeMaxOffsetKey: Uint8Array = concat(localStorePrefix, ascii('max-offset'));

// ─── meta ────────────────────────────────────────────────────────────────────────────────────

export const meta1Key = (key: Uint8Array): Uint8Array => concat(meta1Prefix, key);
export const meta2Key = (key: Uint8Array): Uint8Array => concat(meta2Prefix, key);

/**
 * The meta key that addresses the range holding `key` (CockroachDB's `RangeMetaKey`): a user key
 * is addressed through meta2, a meta2 key through meta1, and a meta1 key by the first range.
 * Descriptors are stored under the meta key of their *end* key, so a lookup of `key` reads the
 * first meta entry strictly after `rangeMetaKey(key)`.
 */
export function rangeMetaKey(key: RKey | Uint8Array): Uint8Array {
  if (key.length === 0) return keyMin;
  if (key[0] === meta1Prefix[0]) return keyMin;
  if (key[0] === meta2Prefix[0]) return meta1Key(key.subarray(1));
  return meta2Key(key);
}

/**
 * The meta span to scan for the descriptor of the range holding `key`: its first entry is that
 * descriptor (CockroachDB's `RangeLookup`). Undefined for a meta1 key, whose range is the first
 * one — found from the range-local descriptor copy of range 1, not from meta.
 */
export function rangeLookupSpan(key: RKey | Uint8Array): Span | undefined {
  const metaKey = rangeMetaKey(key);
  if (metaKey.length === 0) return undefined;
  const end = metaKey[0] === meta1Prefix[0] ? meta2Prefix : metaMax;
  return span(keyNext(metaKey), end);
}

// ─── system ──────────────────────────────────────────────────────────────────────────────────

/** The subsystems of the system keyspace, each one contiguous span `0x04 ∥ byte ∥ tuple`. */
export const systemTables = Object.freeze({
  NodeLiveness: 0x6c, // 'l': (nodeId) → liveness record
  Descriptor: 0x64, // 'd': (descriptorId) → table/database/schema descriptor
  Namespace: 0x6e, // 'n': (parentId, parentSchemaId, name) → descriptorId
  Settings: 0x73, // 's': (name) → cluster setting value
  Users: 0x75, // 'u': (username) → role record
  Generator: 0x67, // 'g': (name) → a counter (range ids, node ids, store ids, descriptor ids)
} as const);
export type SystemTable = keyof typeof systemTables;

/** `0x04 ∥ subsystem byte ∥ encodeKey(values)`. */
export function systemKey(table: SystemTable, values: readonly KeyValue[]): Uint8Array {
  return concat(systemPrefix, Uint8Array.of(systemTables[table]), encodeKey(values));
}

export const systemTablePrefix = (table: SystemTable): Uint8Array => systemKey(table, []);
export const nodeLivenessKey = (nodeId: NodeId): Uint8Array => systemKey('NodeLiveness', [intValue(BigInt(nodeId))]);
export const descriptorKey = (descriptorId: number): Uint8Array => systemKey('Descriptor', [intValue(BigInt(descriptorId))]);
export const settingKey = (name: string): Uint8Array => systemKey('Settings', [textValue(name)]);
export const userKey = (username: string): Uint8Array => systemKey('Users', [textValue(username)]);
export const generatorKey = (name: 'range-id' | 'node-id' | 'store-id' | 'descriptor-id'): Uint8Array => systemKey('Generator', [textValue(name)]);
export function namespaceKey(parentId: number, parentSchemaId: number, name: string): Uint8Array {
  return systemKey('Namespace', [intValue(BigInt(parentId)), intValue(BigInt(parentSchemaId)), textValue(name)]);
}

// ─── table data ──────────────────────────────────────────────────────────────────────────────

/** `/Table/<tableId>`: every key of a table. */
export function tablePrefix(tableId: number): Uint8Array {
  assert(Number.isSafeInteger(tableId) && tableId > 0, () => `bad table id ${tableId}`);
  return concat(tableDataPrefix, encodeKey([intValue(BigInt(tableId))]));
}

/** `/Table/<tableId>/<indexId>`: every key of one index. */
export function indexPrefix(tableId: number, indexId: number): Uint8Array {
  assert(Number.isSafeInteger(indexId) && indexId > 0, () => `bad index id ${indexId}`);
  return concat(tablePrefix(tableId), encodeKey([intValue(BigInt(indexId))]));
}

/** `/Table/<tableId>/<indexId>/<columns…>` with the columns in the order-preserving encoding. */
export function tableKey(tableId: number, indexId: number, columns: readonly KeyValue[]): Uint8Array {
  return concat(indexPrefix(tableId, indexId), encodeKey(columns));
}

// ─── addressing ──────────────────────────────────────────────────────────────────────────────

export const isLocalKey = (key: Uint8Array): boolean => key.length > 0 && key[0] === localPrefix[0];

/**
 * Whether `key` may appear in a request: the addressable keyspace is `[localMax, keyMax]` (a
 * request reaches local records only through their anchor, and a span starting at /Min would
 * cover the raw local records, which MVCC iterators cannot read).
 */
export const isAddressableKey = (key: Uint8Array): boolean => compareKeys(localMax, key) <= 0 && compareKeys(key, keyMax) <= 0;

/**
 * The global key that decides which range holds `key` (CockroachDB's `keys.Addr`): the anchor of
 * a range-local or lock-table key, the key itself for a global key. Range-id-local and
 * store-local keys belong to no key range; asking for their address is a programming error.
 */
export function addressKey(key: Uint8Array): RKey {
  if (!isLocalKey(key)) return key as RKey;
  if (startsWith(key, localRangePrefix)) return decodeAnchor(key, localRangePrefix.length).anchor as RKey;
  if (startsWith(key, lockTablePrefix)) return decodeAnchor(key, lockTablePrefix.length).anchor as RKey;
  return assertNotAddressable(key);
}

function assertNotAddressable(key: Uint8Array): never {
  assert(false, () => `key 0x${Buffer.from(key).toString('hex')} is not addressable`);
}
