/**
 * Datums to and from the wire: result columns as RowDescription fields, values as text or
 * binary DataRow fields, Bind parameters back into datums — all through sql/types, so what a
 * client reads is PostgreSQL's output function (text) or send function (binary) byte for byte.
 */
import type { FormatCode, RowDescriptionField } from '../pgwire/backend-messages.js';
import { decodeBinary, encodeBinary } from '../types/binary-io.js';
import type { Datum } from '../types/datum.js';
import type { SqlType } from '../types/sql-type.js';
import { formatText, parseText, type TextContext } from '../types/text-io.js';
import type { ResultColumn } from '../exec/contract.js';
import { SessionError } from './errors.js';

/** pg_type.typlen of each fixed-size type; -1 (varlena) otherwise. */
const fixedSizes: Readonly<Record<string, number>> = Object.freeze({
  bool: 1, int2: 2, int4: 4, int8: 8, float4: 4, float8: 8, oid: 4, date: 4, timestamp: 8, timestamptz: 8,
  interval: 16, uuid: 16, name: 64, regclass: 4, regtype: 4, regproc: 4, unknown: -2,
});

export function typeSize(type: SqlType): number {
  return type.kind === 'array' ? -1 : (fixedSizes[type.kind] ?? -1);
}

export function rowDescriptionFields(columns: readonly ResultColumn[], formats: readonly FormatCode[]): RowDescriptionField[] {
  return columns.map((column, i) => ({
    name: column.name,
    tableOid: column.tableOid,
    columnAttributeNumber: column.columnNumber,
    typeOid: column.type.oid,
    typeSize: typeSize(column.type),
    typeModifier: column.type.typmod,
    formatCode: formats[i] ?? 0,
  }));
}

/**
 * Expands a Bind's format codes (none: all text; one: for all; else one each) to `count` codes.
 * 08P01 for a count that fits neither rule; 22023 for a code other than 0 or 1, as PostgreSQL.
 */
export function expandFormats(codes: readonly number[], count: number, what: 'parameter' | 'result'): readonly FormatCode[] {
  if (codes.length > 1 && codes.length !== count) {
    throw new SessionError('08P01', what === 'result' ? `bind message has ${codes.length} result formats but query has ${count} columns` : `bind message has ${codes.length} parameter formats but ${count} parameters`);
  }
  for (const code of codes) if (code !== 0 && code !== 1) throw new SessionError('22023', `unsupported format code: ${code}`);
  if (codes.length === 0) return sameFormat(0, count);
  if (codes.length === 1) return sameFormat(codes[0] as FormatCode, count);
  return codes as FormatCode[];
}

/** Shared lists of one format for up to this many columns or parameters (every Bind makes two). */
const sameFormatCountMax = 64;
const sameFormats: readonly (readonly FormatCode[])[][] = [[], []];

/** `count` times `format`, frozen: the common lists are made once, not twice per Bind. */
function sameFormat(format: FormatCode, count: number): readonly FormatCode[] {
  if (count > sameFormatCountMax) return new Array<FormatCode>(count).fill(format);
  const cache = sameFormats[format]!;
  return (cache[count] ??= Object.freeze(new Array<FormatCode>(count).fill(format)));
}

/** One DataRow field: null, text (a string the writer encodes as UTF-8) or binary bytes. */
export function encodeField(type: SqlType, datum: Datum, format: FormatCode, context: TextContext): Uint8Array | string | null {
  if (datum === null) return null;
  return format === 1 ? encodeBinary(type, datum) : formatText(type, datum, context);
}

/** A Bind parameter as a datum of `type`. */
export function decodeParameter(type: SqlType, bytes: Uint8Array | null, format: FormatCode, context: TextContext): Datum {
  if (bytes === null) return null;
  if (format === 1) return decodeBinary(type, bytes);
  // The reader's parameters are Buffer views already: no second view per parameter to decode them.
  const text = Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return parseText(type, text, context);
}
