/**
 * `prettyKey`: any key in CockroachDB's readable form, for logs, errors, `SHOW RANGES` and tests.
 *
 * ```
 *   /Min   /Max
 *   /Local/RangeID/7/u/RaftLog/logIndex:12       /Local/RangeID/7/r/RangeLease
 *   /Local/Range/Table/52/1/"a"/RangeDescriptor  /Local/Range/"b"/Transaction/<32 hex digits>
 *   /Local/Store/storeIdent                      /Local/Lock/"b"
 *   /Meta1/Max   /Meta2/"b"   /Meta2/Table/52
 *   /System/NodeLiveness/3   /System/Namespace/1/29/"t"
 *   /Table/52/1/"alice"/7
 *   /"plain"   /"\x00\xff"                        (bytes outside every structure)
 * ```
 *
 * Nested keys (the anchor of a range-local key, the key inside a meta key) print with their own
 * structure. Bytes that do not decode print quoted, printable ASCII as is and the rest as `\xNN`.
 */
import { assertNever } from '../../src/base/assert.js';
import type { DecodedKeyValue } from '../storage/keys/encoding.js';
import type { KeyValue } from '../storage/keys/key-value.js';
import { describeKey, type KeyDescription } from './describe.js';
import { rangeIdSuffixes } from './keyspace.js';

export function prettyKey(key: Uint8Array): string {
  return prettyDescription(describeKey(key));
}

export function prettyDescription(description: KeyDescription): string {
  switch (description.kind) {
    case 'min':
      return '/Min';
    case 'max':
      return '/Max';
    case 'rangeIdLocal': {
      const part = rangeIdSuffixes[description.suffix].replicated ? 'r' : 'u';
      const base = `/Local/RangeID/${description.rangeId}/${part}/${description.suffix}`;
      if (description.logIndex !== undefined) return `${base}/logIndex:${description.logIndex}`;
      if (description.txnId !== undefined) return `${base}/${description.txnId}`;
      return base;
    }
    case 'rangeDescriptor':
      return `/Local/Range${prettyKey(description.anchor)}/RangeDescriptor`;
    case 'transaction':
      return `/Local/Range${prettyKey(description.anchor)}/Transaction/${description.txnId}`;
    case 'storeIdent':
      return '/Local/Store/storeIdent';
    case 'storeMaxOffset':
      return '/Local/Store/maxOffset';
    case 'lock':
      return `/Local/Lock${prettyKey(description.key)}`;
    case 'meta1':
      return `/Meta1${prettyKey(description.key)}`;
    case 'meta2':
      return `/Meta2${prettyKey(description.key)}`;
    case 'system':
      return `/System/${description.table}${prettyElements(description.elements, description.rest)}`;
    case 'table':
      return `/Table${prettyElements(description.elements, description.rest)}`;
    case 'raw':
      return `/${quoteBytes(description.key)}`;
    default:
      return assertNever(description, 'key description');
  }
}

function prettyElements(elements: readonly DecodedKeyValue[], rest: Uint8Array): string {
  const parts = elements.map((element) => `/${prettyKeyValue(element.value)}`);
  if (rest.length > 0) parts.push(`/${quoteBytes(rest)}`);
  return parts.join('');
}

/** One decoded column value as CockroachDB prints it in a key. */
export function prettyKeyValue(value: KeyValue): string {
  switch (value.kind) {
    case 'null':
      return 'NULL';
    case 'bool':
    case 'int':
    case 'float':
    case 'decimal':
      return String(value.value);
    case 'text':
      return JSON.stringify(value.value);
    case 'bytes':
      return quoteBytes(value.value);
    case 'date':
      return `date:${value.value}`;
    case 'timestamp':
      return `ts:${value.value}`;
    case 'timestamptz':
      return `tstz:${value.value}`;
    default:
      return assertNever(value, 'key value');
  }
}

/** `"…"` with printable ASCII as is, `\"` and `\\`, and every other byte as `\xNN`. */
export function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}
