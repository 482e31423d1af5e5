/**
 * `SqlType`: the type of a SQL value, a readonly `kind`-tagged union carrying PostgreSQL's type
 * OID, its type modifier (`typmod`, encoded exactly as PostgreSQL stores it in
 * `pg_attribute.atttypmod`) and the modifier's meaning (precision, scale, length). Every type has
 * an array type (`_int4` = 1007, …) so catalog queries can report `int4[]` columns.
 *
 * `formatType(type)` prints a type as PostgreSQL's `format_type(oid, typmod)` does
 * (`character varying(10)`, `numeric(10,2)`, `timestamp(3) with time zone`, `integer[]`).
 *
 * Values are frozen; build them with the factories (`int4Type`, `varcharType(10)`, …).
 */
import { assert, assertNever } from '../../src/base/assert.js';

/** The scalar kinds, named as PostgreSQL's `pg_type.typname`. */
export type ScalarKind =
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'numeric'
  | 'text'
  | 'varchar'
  | 'bpchar'
  | 'bytea'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'uuid'
  | 'json'
  | 'jsonb'
  | 'jsonpath'
  | 'oid'
  | 'name'
  | 'regclass'
  | 'regtype'
  | 'regproc'
  | 'unknown';

interface Scalar<K extends ScalarKind> {
  readonly kind: K;
  readonly oid: number;
  /** PostgreSQL's `atttypmod`: -1 when the type has no modifier. */
  readonly typmod: number;
}

export type BoolType = Scalar<'bool'>;
export type Int2Type = Scalar<'int2'>;
export type Int4Type = Scalar<'int4'>;
export type Int8Type = Scalar<'int8'>;
export type Float4Type = Scalar<'float4'>;
export type Float8Type = Scalar<'float8'>;
export interface NumericType extends Scalar<'numeric'> {
  /** Total significant digits (1..1000), or undefined for unconstrained `numeric`. */
  readonly precision: number | undefined;
  /** Digits after the point (PostgreSQL 15 allows -1000..1000); 0 when only precision is given. */
  readonly scale: number | undefined;
}
export type TextType = Scalar<'text'>;
export interface VarcharType extends Scalar<'varchar'> {
  /** Maximum length in characters, or undefined for unbounded `character varying`. */
  readonly length: number | undefined;
}
export interface BpcharType extends Scalar<'bpchar'> {
  /** Blank-padded length in characters; undefined for bare `bpchar` (no padding, no limit). */
  readonly length: number | undefined;
}
export type ByteaType = Scalar<'bytea'>;
export type DateType = Scalar<'date'>;
export interface TimestampType extends Scalar<'timestamp'> {
  /** Fractional-second digits kept (0..6), or undefined for the full microsecond precision. */
  readonly precision: number | undefined;
}
export interface TimestamptzType extends Scalar<'timestamptz'> {
  readonly precision: number | undefined;
}
export type IntervalType = Scalar<'interval'>;
export type UuidType = Scalar<'uuid'>;
/** json: the input text kept verbatim (validated, whitespace, key order and duplicate keys kept). */
export type JsonType = Scalar<'json'>;
export type JsonbType = Scalar<'jsonb'>;
/** The SQL/JSON path language (jsonpath-parse.ts); its datum is the path as written, checked, printed canonical. */
export type JsonpathType = Scalar<'jsonpath'>;
export type OidType = Scalar<'oid'>;
export type NameType = Scalar<'name'>;
export type RegclassType = Scalar<'regclass'>;
export type RegtypeType = Scalar<'regtype'>;
export type RegprocType = Scalar<'regproc'>;
export type UnknownType = Scalar<'unknown'>;

export type ScalarType =
  | BoolType
  | Int2Type
  | Int4Type
  | Int8Type
  | Float4Type
  | Float8Type
  | NumericType
  | TextType
  | VarcharType
  | BpcharType
  | ByteaType
  | DateType
  | TimestampType
  | TimestamptzType
  | IntervalType
  | UuidType
  | JsonType
  | JsonbType
  | JsonpathType
  | OidType
  | NameType
  | RegclassType
  | RegtypeType
  | RegprocType
  | UnknownType;

/** A one-dimensional array (PostgreSQL arrays of any dimension share one type). */
export interface ArrayType {
  readonly kind: 'array';
  readonly oid: number;
  /** The element's modifier, as PostgreSQL stores it for array columns. */
  readonly typmod: number;
  readonly element: ScalarType;
}

/**
 * An anonymous composite (PostgreSQL's `record`, OID 2249) whose fields are known where it is
 * made: the value of a set-returning function with OUT parameters called in a SELECT list
 * (`information_schema._pg_expandarray(a)` is `(x, n)`), read field by field with `(expr).field`
 * (PostgreSQL's FieldSelect). Its datum is `readonly Datum[]`, one value per field, in order.
 * Not storable in a table column (PostgreSQL: "column … has pseudo-type record").
 */
export interface RecordType {
  readonly kind: 'record';
  readonly oid: number;
  readonly typmod: number;
  readonly fields: readonly RecordField[];
}

export interface RecordField {
  readonly name: string;
  readonly type: SqlType;
}

export type SqlType = ScalarType | ArrayType | RecordType;
export type SqlTypeKind = SqlType['kind'];

interface TypeInfo {
  readonly oid: number;
  readonly arrayOid: number | undefined;
  /** `format_type`'s name without modifiers. */
  readonly displayName: string;
}

/** OIDs and names from PostgreSQL's `pg_type.dat`. */
export const typeInfo: Readonly<Record<ScalarKind, TypeInfo>> = Object.freeze({
  bool: { oid: 16, arrayOid: 1000, displayName: 'boolean' },
  int2: { oid: 21, arrayOid: 1005, displayName: 'smallint' },
  int4: { oid: 23, arrayOid: 1007, displayName: 'integer' },
  int8: { oid: 20, arrayOid: 1016, displayName: 'bigint' },
  float4: { oid: 700, arrayOid: 1021, displayName: 'real' },
  float8: { oid: 701, arrayOid: 1022, displayName: 'double precision' },
  numeric: { oid: 1700, arrayOid: 1231, displayName: 'numeric' },
  text: { oid: 25, arrayOid: 1009, displayName: 'text' },
  varchar: { oid: 1043, arrayOid: 1015, displayName: 'character varying' },
  bpchar: { oid: 1042, arrayOid: 1014, displayName: 'character' },
  bytea: { oid: 17, arrayOid: 1001, displayName: 'bytea' },
  date: { oid: 1082, arrayOid: 1182, displayName: 'date' },
  timestamp: { oid: 1114, arrayOid: 1115, displayName: 'timestamp without time zone' },
  timestamptz: { oid: 1184, arrayOid: 1185, displayName: 'timestamp with time zone' },
  interval: { oid: 1186, arrayOid: 1187, displayName: 'interval' },
  uuid: { oid: 2950, arrayOid: 2951, displayName: 'uuid' },
  json: { oid: 114, arrayOid: 199, displayName: 'json' },
  jsonb: { oid: 3802, arrayOid: 3807, displayName: 'jsonb' },
  jsonpath: { oid: 4072, arrayOid: 4073, displayName: 'jsonpath' },
  oid: { oid: 26, arrayOid: 1028, displayName: 'oid' },
  name: { oid: 19, arrayOid: 1003, displayName: 'name' },
  regclass: { oid: 2205, arrayOid: 2210, displayName: 'regclass' },
  regtype: { oid: 2206, arrayOid: 2211, displayName: 'regtype' },
  regproc: { oid: 24, arrayOid: 1008, displayName: 'regproc' },
  unknown: { oid: 705, arrayOid: undefined, displayName: 'unknown' },
});

/** PostgreSQL's VARHDRSZ, added to length and numeric modifiers. */
const varHeaderBytes = 4;

function scalar<K extends ScalarKind>(kind: K): Scalar<K> {
  return Object.freeze({ kind, oid: typeInfo[kind].oid, typmod: -1 });
}

export const boolType: BoolType = scalar('bool');
export const int2Type: Int2Type = scalar('int2');
export const int4Type: Int4Type = scalar('int4');
export const int8Type: Int8Type = scalar('int8');
export const float4Type: Float4Type = scalar('float4');
export const float8Type: Float8Type = scalar('float8');
export const textType: TextType = scalar('text');
export const byteaType: ByteaType = scalar('bytea');
export const dateType: DateType = scalar('date');
export const intervalType: IntervalType = scalar('interval');
export const uuidType: UuidType = scalar('uuid');
export const jsonType: JsonType = scalar('json');
export const jsonbType: JsonbType = scalar('jsonb');
export const jsonpathType: JsonpathType = scalar('jsonpath');
export const oidType: OidType = scalar('oid');
export const nameType: NameType = scalar('name');
export const regclassType: RegclassType = scalar('regclass');
export const regtypeType: RegtypeType = scalar('regtype');
export const regprocType: RegprocType = scalar('regproc');
export const unknownType: UnknownType = scalar('unknown');

export const numericPrecisionMax = 1000;
export const numericScaleMin = -1000;
export const numericScaleMax = 1000;
/** PostgreSQL's MaxAttrSize-derived limit on `varchar(n)` / `char(n)`. */
export const characterLengthMax = 10485760;

/** `numeric`, `numeric(p)` (scale 0) or `numeric(p, s)`. Range errors are the caller's (see resolve.ts). */
export function numericType(precision?: number, scale?: number): NumericType {
  if (precision === undefined) {
    assert(scale === undefined, 'numeric scale without precision');
    return Object.freeze({ kind: 'numeric', oid: typeInfo.numeric.oid, typmod: -1, precision: undefined, scale: undefined });
  }
  const s = scale ?? 0;
  assert(Number.isInteger(precision) && precision >= 1 && precision <= numericPrecisionMax, () => `bad numeric precision ${precision}`);
  assert(Number.isInteger(s) && s >= numericScaleMin && s <= numericScaleMax, () => `bad numeric scale ${s}`);
  const typmod = ((precision << 16) | (s & 0x7ff)) + varHeaderBytes;
  return Object.freeze({ kind: 'numeric', oid: typeInfo.numeric.oid, typmod, precision, scale: s });
}

export function varcharType(length?: number): VarcharType {
  assert(length === undefined || (Number.isInteger(length) && length >= 1 && length <= characterLengthMax), 'bad varchar length');
  const typmod = length === undefined ? -1 : length + varHeaderBytes;
  return Object.freeze({ kind: 'varchar', oid: typeInfo.varchar.oid, typmod, length });
}

/** `character(n)`; `bpcharType()` is the bare `bpchar` type (no length, no padding). */
export function bpcharType(length?: number): BpcharType {
  assert(length === undefined || (Number.isInteger(length) && length >= 1 && length <= characterLengthMax), 'bad char length');
  const typmod = length === undefined ? -1 : length + varHeaderBytes;
  return Object.freeze({ kind: 'bpchar', oid: typeInfo.bpchar.oid, typmod, length });
}

export function timestampType(precision?: number): TimestampType {
  assert(precision === undefined || (Number.isInteger(precision) && precision >= 0 && precision <= 6), 'bad timestamp precision');
  return Object.freeze({ kind: 'timestamp', oid: typeInfo.timestamp.oid, typmod: precision ?? -1, precision });
}

export function timestamptzType(precision?: number): TimestamptzType {
  assert(precision === undefined || (Number.isInteger(precision) && precision >= 0 && precision <= 6), 'bad timestamptz precision');
  return Object.freeze({ kind: 'timestamptz', oid: typeInfo.timestamptz.oid, typmod: precision ?? -1, precision });
}

/** PostgreSQL's interval field masks (`INTERVAL_MASK`), by field name. */
export const intervalFieldMasks = Object.freeze({ year: 1 << 2, month: 1 << 1, day: 1 << 3, hour: 1 << 10, minute: 1 << 11, second: 1 << 12 } as const);
export const intervalFullRange = 0x7fff;
export const intervalFullPrecision = 0xffff;

/**
 * `interval [fields] [(precision)]`: `range` is a mask of `intervalFieldMasks` (or the full range),
 * `precision` fractional-second digits 0–6 (or full). The typmod is PostgreSQL's
 * `(range << 16) | precision`; `interval` alone has typmod -1.
 */
export function intervalTypeWith(range: number, precision: number): IntervalType {
  assert(Number.isInteger(range) && range > 0 && range <= intervalFullRange, 'bad interval range');
  assert(precision === intervalFullPrecision || (Number.isInteger(precision) && precision >= 0 && precision <= 6), 'bad interval precision');
  if (range === intervalFullRange && precision === intervalFullPrecision) return intervalType;
  return Object.freeze({ kind: 'interval', oid: typeInfo.interval.oid, typmod: range * 65536 + precision });
}

/** The range mask and precision of an interval type's modifier. */
export function intervalTypmodParts(type: IntervalType): { range: number; precision: number } {
  if (type.typmod === -1) return { range: intervalFullRange, precision: intervalFullPrecision };
  return { range: Math.floor(type.typmod / 65536) & 0x7fff, precision: type.typmod & 0xffff };
}

const intervalRangeNames: ReadonlyMap<number, string> = new Map([
  [intervalFieldMasks.year, ' year'],
  [intervalFieldMasks.month, ' month'],
  [intervalFieldMasks.day, ' day'],
  [intervalFieldMasks.hour, ' hour'],
  [intervalFieldMasks.minute, ' minute'],
  [intervalFieldMasks.second, ' second'],
  [intervalFieldMasks.year | intervalFieldMasks.month, ' year to month'],
  [intervalFieldMasks.day | intervalFieldMasks.hour, ' day to hour'],
  [intervalFieldMasks.day | intervalFieldMasks.hour | intervalFieldMasks.minute, ' day to minute'],
  [intervalFieldMasks.day | intervalFieldMasks.hour | intervalFieldMasks.minute | intervalFieldMasks.second, ' day to second'],
  [intervalFieldMasks.hour | intervalFieldMasks.minute, ' hour to minute'],
  [intervalFieldMasks.hour | intervalFieldMasks.minute | intervalFieldMasks.second, ' hour to second'],
  [intervalFieldMasks.minute | intervalFieldMasks.second, ' minute to second'],
  [intervalFullRange, ''],
]);

/** The field names of an interval range mask (`' day to second'`), or undefined for an invalid one. */
export function intervalRangeName(range: number): string | undefined {
  return intervalRangeNames.get(range);
}

/** PostgreSQL's `record` pseudo-type OID, the type OID a row value of a RecordType is sent with. */
export const recordOid = 2249;

export function recordType(fields: readonly RecordField[]): RecordType {
  assert(fields.length > 0, 'a record has fields');
  return Object.freeze({ kind: 'record', oid: recordOid, typmod: -1, fields: Object.freeze(fields.map((field) => Object.freeze({ ...field }))) });
}

/**
 * PostgreSQL's `int2vector` (OID 22): an int2 array whose subscripts start at 0, printed as its
 * numbers separated by spaces (`1 3`) — the type of `pg_index.indkey` and `indoption`, which
 * drivers subscript (`indoption[n - 1]`) and expand (`_pg_expandarray(indkey)`). PostgreSQL's
 * own is an array type too (`typelem` int2, `typcategory` 'A', lower bound 0).
 */
export const int2vectorOid = 22;

export function int2vectorType(): ArrayType {
  return Object.freeze({ kind: 'array', oid: int2vectorOid, typmod: -1, element: scalar('int2') });
}

/** Whether `type` is `int2vector`: an array with lower bound 0 and space-separated text. */
export function isInt2vector(type: SqlType): boolean {
  return type.kind === 'array' && type.oid === int2vectorOid;
}

/** The subscript of an array type's first element: 0 for int2vector, else 1. */
export function arrayLowerBound(type: ArrayType): number {
  return type.oid === int2vectorOid ? 0 : 1;
}

export function arrayType(element: ScalarType): ArrayType {
  const oid = typeInfo[element.kind].arrayOid;
  assert(oid !== undefined, () => `type ${element.kind} has no array type`);
  return Object.freeze({ kind: 'array', oid, typmod: element.typmod, element });
}

/** The unmodified type of `kind` (for a modifier-carrying kind, the unconstrained type). */
export function typeOfKind(kind: ScalarKind): ScalarType {
  switch (kind) {
    case 'numeric':
      return numericType();
    case 'varchar':
      return varcharType();
    case 'bpchar':
      return bpcharType();
    case 'timestamp':
      return timestampType();
    case 'timestamptz':
      return timestamptzType();
    default:
      return scalar(kind) as ScalarType;
  }
}

/** The type with OID `oid` (no modifier), or undefined if rangedb does not know it. */
export function typeOfOid(oid: number): SqlType | undefined {
  if (oid === int2vectorOid) return int2vectorType();
  for (const kind of Object.keys(typeInfo) as ScalarKind[]) {
    const info = typeInfo[kind];
    if (info.oid === oid) return typeOfKind(kind);
    if (info.arrayOid === oid) return arrayType(typeOfKind(kind));
  }
  return undefined;
}

/** `pg_type.typname`: `int4`, `_int4`, `bpchar`, … */
export function typeName(type: SqlType): string {
  if (isInt2vector(type)) return 'int2vector';
  return type.kind === 'array' ? `_${type.element.kind}` : type.kind;
}

/** The type as PostgreSQL's `format_type(oid, typmod)` prints it. */
export function formatType(type: SqlType): string {
  if (isInt2vector(type)) return 'int2vector';
  if (type.kind === 'array') return `${formatType(type.element)}[]`;
  if (type.kind === 'record') return 'record';
  const name = typeInfo[type.kind].displayName;
  switch (type.kind) {
    case 'numeric':
      return type.precision === undefined ? name : `numeric(${type.precision},${type.scale ?? 0})`;
    case 'varchar':
      return type.length === undefined ? name : `${name}(${type.length})`;
    case 'bpchar':
      return type.length === undefined ? 'bpchar' : `${name}(${type.length})`;
    case 'timestamp':
      return type.precision === undefined ? name : `timestamp(${type.precision}) without time zone`;
    case 'timestamptz':
      return type.precision === undefined ? name : `timestamp(${type.precision}) with time zone`;
    case 'interval': {
      const { range, precision } = intervalTypmodParts(type);
      return `interval${intervalRangeName(range) ?? ''}${precision === intervalFullPrecision ? '' : `(${precision})`}`;
    }
    default:
      return name;
  }
}

/** Whether two types are the same type, modifiers included (records: the same fields' types). */
export function sameType(left: SqlType, right: SqlType): boolean {
  if (left.kind === 'record' && right.kind === 'record') {
    return left.fields.length === right.fields.length && left.fields.every((field, index) => sameType(field.type, right.fields[index]!.type));
  }
  return left.oid === right.oid && left.typmod === right.typmod;
}

/** The kinds whose values are integers held in a JS number. */
export function isSmallIntKind(kind: SqlTypeKind): kind is 'int2' | 'int4' {
  return kind === 'int2' || kind === 'int4';
}

/** The kinds stored as a JS string. */
export function isStringKind(kind: SqlTypeKind): kind is 'text' | 'varchar' | 'bpchar' | 'name' | 'uuid' | 'json' | 'jsonb' | 'jsonpath' | 'unknown' {
  switch (kind) {
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'uuid':
    case 'json':
    case 'jsonb':
    case 'jsonpath':
    case 'unknown':
      return true;
    default:
      return false;
  }
}

/** PostgreSQL's type category (`pg_type.typcategory`), used to pick implicit casts. */
export function typeCategory(type: SqlType): 'B' | 'N' | 'S' | 'U' | 'D' | 'T' | 'A' | 'P' | 'X' {
  switch (type.kind) {
    case 'bool':
      return 'B';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'numeric':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
      return 'N';
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
      return 'S';
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return 'D';
    case 'interval':
      return 'T';
    case 'array':
      return 'A';
    case 'record':
      return 'P';
    case 'unknown':
      return 'X';
    case 'bytea':
    case 'uuid':
    case 'json':
    case 'jsonb':
    case 'jsonpath':
      return 'U';
    default:
      return assertNever(type, 'type');
  }
}
