/**
 * `describeKey`: any byte string taken apart into the keyspace's structure (the inverse of the
 * builders in keyspace.ts), and `buildKey`, the inverse of `describeKey`. Total: malformed or
 * unknown bytes describe as `raw` (or keep an undecodable `rest`), never throw, because the
 * pretty-printer runs on keys from logs, corrupt stores and fuzzers.
 *
 * Invariant (tested for every kind): `buildKey(describeKey(k))` equals `k`, byte for byte.
 */
import { rangeId as toRangeId, type RangeId, type TxnId } from '../../src/base/ids.js';
import { appendKeyValue, readKeyValue, type DecodedKeyValue } from '../storage/keys/encoding.js';
import { KeyBuilder } from '../storage/keys/builder.js';
import { KeyDecodeError } from '../storage/keys/errors.js';
import { readEscaped } from '../storage/keys/escape.js';
import {
  keyMax,
  localRangeIdPrefix,
  localRangePrefix,
  lockKey,
  lockTablePrefix,
  meta1Key,
  meta1Prefix,
  meta2Key,
  meta2Prefix,
  rangeDescriptorKey,
  rangeIdPartPrefix,
  rangeIdSuffixes,
  storeIdentKey,
  storeMaxOffsetKey,
  systemPrefix,
  systemTables,
  tableDataPrefix,
  transactionKey,
  type RangeIdSuffix,
  type SystemTable,
} from './keyspace.js';
import { decodeRangeIdAt, startsWith, txnIdBytes, txnIdFromKeyBytes, uint64Bytes } from './key-bytes.js';
import { keysEqual } from './span.js';

export type KeyDescription =
  | { readonly kind: 'min' }
  | { readonly kind: 'max' }
  | {
      readonly kind: 'rangeIdLocal';
      readonly rangeId: RangeId;
      readonly suffix: RangeIdSuffix;
      /** Only for RaftLog entry keys (undefined for the log prefix itself). */
      readonly logIndex: bigint | undefined;
      /** Only for AbortSpan keys. */
      readonly txnId: TxnId | undefined;
    }
  | { readonly kind: 'rangeDescriptor'; readonly anchor: Uint8Array }
  | { readonly kind: 'transaction'; readonly anchor: Uint8Array; readonly txnId: TxnId }
  | { readonly kind: 'storeIdent' }
  | { readonly kind: 'storeMaxOffset' }
  | { readonly kind: 'lock'; readonly key: Uint8Array }
  | { readonly kind: 'meta1' | 'meta2'; readonly key: Uint8Array }
  | { readonly kind: 'system'; readonly table: SystemTable; readonly elements: readonly DecodedKeyValue[]; readonly rest: Uint8Array }
  | { readonly kind: 'table'; readonly elements: readonly DecodedKeyValue[]; readonly rest: Uint8Array }
  | { readonly kind: 'raw'; readonly key: Uint8Array };

export type KeyDescriptionKind = KeyDescription['kind'];

const raw = (key: Uint8Array): KeyDescription => ({ kind: 'raw', key });

export function describeKey(key: Uint8Array): KeyDescription {
  if (key.length === 0) return { kind: 'min' };
  if (keysEqual(key, keyMax)) return { kind: 'max' };
  if (startsWith(key, localRangeIdPrefix)) return describeRangeIdLocal(key);
  if (startsWith(key, localRangePrefix)) return describeRangeLocal(key);
  if (keysEqual(key, storeIdentKey)) return { kind: 'storeIdent' };
  if (keysEqual(key, storeMaxOffsetKey)) return { kind: 'storeMaxOffset' };
  if (startsWith(key, lockTablePrefix)) {
    const escaped = readEscaped(key, lockTablePrefix.length);
    return escaped?.end === key.length ? { kind: 'lock', key: Uint8Array.from(escaped.bytes) } : raw(key);
  }
  if (key[0] === meta1Prefix[0]) return { kind: 'meta1', key: key.subarray(1) };
  if (key[0] === meta2Prefix[0]) return { kind: 'meta2', key: key.subarray(1) };
  if (key[0] === systemPrefix[0]) return describeSystem(key);
  if (key[0] === tableDataPrefix[0]) return describeTable(key);
  return raw(key);
}

function describeRangeIdLocal(key: Uint8Array): KeyDescription {
  let decoded: { rangeId: bigint; end: number };
  try {
    decoded = decodeRangeIdAt(key, localRangeIdPrefix.length);
  } catch (error) {
    if (error instanceof KeyDecodeError) return raw(key);
    throw error;
  }
  if (decoded.rangeId <= 0n || decoded.rangeId > BigInt(Number.MAX_SAFE_INTEGER)) return raw(key);
  const rangeId = toRangeId(Number(decoded.rangeId));
  for (const [name, { bytes, replicated }] of Object.entries(rangeIdSuffixes) as [RangeIdSuffix, (typeof rangeIdSuffixes)[RangeIdSuffix]][]) {
    const prefix = Uint8Array.from(Buffer.concat([rangeIdPartPrefix(rangeId, replicated), Buffer.from(bytes, 'latin1')]));
    if (!startsWith(key, prefix)) continue;
    const detail = key.subarray(prefix.length);
    if (detail.length === 0) return { kind: 'rangeIdLocal', rangeId, suffix: name, logIndex: undefined, txnId: undefined };
    if (name === 'RaftLog' && detail.length === 8) {
      const logIndex = new DataView(detail.buffer, detail.byteOffset, 8).getBigUint64(0, false);
      return { kind: 'rangeIdLocal', rangeId, suffix: name, logIndex, txnId: undefined };
    }
    if (name === 'AbortSpan' && detail.length === 16) {
      return { kind: 'rangeIdLocal', rangeId, suffix: name, logIndex: undefined, txnId: txnIdFromKeyBytes(detail) };
    }
    return raw(key);
  }
  return raw(key);
}

function describeRangeLocal(key: Uint8Array): KeyDescription {
  const escaped = readEscaped(key, localRangePrefix.length);
  if (escaped === undefined) return raw(key);
  const anchor = Uint8Array.from(escaped.bytes);
  const suffix = Buffer.from(key.subarray(escaped.end, escaped.end + 4)).toString('latin1');
  const detail = key.subarray(escaped.end + 4);
  if (suffix === 'rdsc' && detail.length === 0) return { kind: 'rangeDescriptor', anchor };
  if (suffix === 'txn-' && detail.length === 16) return { kind: 'transaction', anchor, txnId: txnIdFromKeyBytes(detail) };
  return raw(key);
}

/** Decodes elements from `offset` until the end or the first malformed byte. */
function decodeElements(key: Uint8Array, offset: number): { elements: readonly DecodedKeyValue[]; rest: Uint8Array } {
  const elements: DecodedKeyValue[] = [];
  let at = offset;
  while (at < key.length) {
    try {
      const element = readKeyValue(key, at);
      elements.push(element);
      at = element.end;
    } catch (error) {
      if (error instanceof KeyDecodeError) break;
      throw error;
    }
  }
  return { elements: Object.freeze(elements), rest: key.subarray(at) };
}

function describeSystem(key: Uint8Array): KeyDescription {
  const entry = Object.entries(systemTables).find(([, byte]) => byte === key[1]);
  if (entry === undefined) return raw(key);
  return { kind: 'system', table: entry[0] as SystemTable, ...decodeElements(key, 2) };
}

function describeTable(key: Uint8Array): KeyDescription {
  const decoded = decodeElements(key, 1);
  const first = decoded.elements[0];
  if (first === undefined || first.value.kind !== 'int' || first.direction !== 'ascending' || first.value.value <= 0n) return raw(key);
  return { kind: 'table', ...decoded };
}

/** The key `description` describes: `buildKey(describeKey(k))` is `k`. */
export function buildKey(description: KeyDescription): Uint8Array {
  switch (description.kind) {
    case 'min':
      return new Uint8Array(0);
    case 'max':
      return keyMax;
    case 'rangeIdLocal': {
      const { bytes, replicated } = rangeIdSuffixes[description.suffix];
      const detail = description.logIndex !== undefined ? uint64Bytes(description.logIndex) : description.txnId !== undefined ? txnIdBytes(description.txnId) : new Uint8Array(0);
      return Uint8Array.from(Buffer.concat([rangeIdPartPrefix(description.rangeId, replicated), Buffer.from(bytes, 'latin1'), detail]));
    }
    case 'rangeDescriptor':
      return rangeDescriptorKey(description.anchor);
    case 'transaction':
      return transactionKey(description.anchor, description.txnId);
    case 'storeIdent':
      return storeIdentKey;
    case 'storeMaxOffset':
      return storeMaxOffsetKey;
    case 'lock':
      return lockKey(description.key);
    case 'meta1':
      return meta1Key(description.key);
    case 'meta2':
      return meta2Key(description.key);
    case 'system':
      return withElements(Uint8Array.of(systemPrefix[0]!, systemTables[description.table]), description.elements, description.rest);
    case 'table':
      return withElements(tableDataPrefix, description.elements, description.rest);
    case 'raw':
      return description.key;
  }
}

function withElements(prefix: Uint8Array, elements: readonly DecodedKeyValue[], rest: Uint8Array): Uint8Array {
  const builder = new KeyBuilder();
  builder.pushBytes(prefix);
  for (const element of elements) appendKeyValue(builder, element.value, element.direction);
  builder.pushBytes(rest);
  return builder.finish();
}
