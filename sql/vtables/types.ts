/**
 * What `pg_type` and `pg_attribute` say about each type's storage (`typlen`, `typbyval`,
 * `typalign`, `typstorage`) and collation, from PostgreSQL 15's `pg_type.dat`; and the column
 * types of the virtual tables, written as PostgreSQL's `format_type` prints them.
 */
import { assert } from '../../src/base/assert.js';
import {
  varcharType,
  arrayType,
  boolType,
  byteaType,
  float4Type,
  int2Type,
  int2vectorType,
  int4Type,
  int8Type,
  nameType,
  oidType,
  regprocType,
  textType,
  timestamptzType,
  type ScalarKind,
  type SqlType,
} from '../types/sql-type.js';

export interface TypeStorage {
  readonly length: number;
  readonly byValue: boolean;
  readonly align: 'c' | 's' | 'i' | 'd';
  readonly storage: 'p' | 'x' | 'm';
}

const storage: Readonly<Record<ScalarKind, TypeStorage>> = {
  bool: { length: 1, byValue: true, align: 'c', storage: 'p' },
  int2: { length: 2, byValue: true, align: 's', storage: 'p' },
  int4: { length: 4, byValue: true, align: 'i', storage: 'p' },
  int8: { length: 8, byValue: true, align: 'd', storage: 'p' },
  float4: { length: 4, byValue: true, align: 'i', storage: 'p' },
  float8: { length: 8, byValue: true, align: 'd', storage: 'p' },
  numeric: { length: -1, byValue: false, align: 'i', storage: 'm' },
  text: { length: -1, byValue: false, align: 'i', storage: 'x' },
  varchar: { length: -1, byValue: false, align: 'i', storage: 'x' },
  bpchar: { length: -1, byValue: false, align: 'i', storage: 'x' },
  bytea: { length: -1, byValue: false, align: 'i', storage: 'x' },
  date: { length: 4, byValue: true, align: 'i', storage: 'p' },
  timestamp: { length: 8, byValue: true, align: 'd', storage: 'p' },
  timestamptz: { length: 8, byValue: true, align: 'd', storage: 'p' },
  interval: { length: 16, byValue: false, align: 'd', storage: 'p' },
  uuid: { length: 16, byValue: false, align: 'c', storage: 'p' },
  json: { length: -1, byValue: false, align: 'i', storage: 'x' },
  jsonb: { length: -1, byValue: false, align: 'i', storage: 'x' },
  jsonpath: { length: -1, byValue: false, align: 'i', storage: 'x' },
  oid: { length: 4, byValue: true, align: 'i', storage: 'p' },
  name: { length: 64, byValue: false, align: 'c', storage: 'p' },
  regclass: { length: 4, byValue: true, align: 'i', storage: 'p' },
  regtype: { length: 4, byValue: true, align: 'i', storage: 'p' },
  regproc: { length: 4, byValue: true, align: 'i', storage: 'p' },
  unknown: { length: -2, byValue: false, align: 'c', storage: 'p' },
};

/** The storage facts of `type` (an array is a varlena aligned as its element). */
export function typeStorage(type: SqlType): TypeStorage {
  if (type.kind === 'array') return { length: -1, byValue: false, align: storage[type.element.kind].align === 'd' ? 'd' : 'i', storage: 'x' };
  if (type.kind === 'record') return { length: -1, byValue: false, align: 'd', storage: 'x' };
  return storage[type.kind];
}

/** `pg_collation` OIDs: the database default, "C" and "POSIX". */
export const defaultCollationOid = 100;
export const cCollationOid = 950;
export const posixCollationOid = 951;

/** `pg_type.typcollation`: the default collation for the string types, "C" for name, 0 otherwise. */
export function typeCollation(type: SqlType): number {
  const kind = type.kind === 'array' ? type.element.kind : type.kind;
  if (kind === 'text' || kind === 'varchar' || kind === 'bpchar') return defaultCollationOid;
  return kind === 'name' ? cCollationOid : 0;
}

/**
 * A virtual table column's type from its PostgreSQL spelling. Where rangedb lacks the type it
 * stands in with the nearest one: `"char"` is text; `xid` is oid (both unsigned 32-bit);
 * `pg_node_tree` and `anyarray` are text, `aclitem[]` is `text[]` (items in their text form); `oidvector` is text
 * in its PostgreSQL output form (`1 3`, what drivers split on spaces). `int2vector` is the real
 * type (sql-type.ts: subscripts from 0, printed `1 3`), which drivers subscript and expand.
 */
export function columnType(spelling: string): SqlType {
  switch (spelling) {
    case 'oid':
    case 'xid':
      return oidType;
    case 'name':
      return nameType;
    case 'integer':
      return int4Type;
    case 'smallint':
      return int2Type;
    case 'bigint':
      return int8Type;
    case 'real':
      return float4Type;
    case 'boolean':
      return boolType;
    case '"char"':
    case 'text':
    case 'pg_node_tree':
    case 'anyarray':
      return textType;
    case 'aclitem[]':
      return arrayType(textType);
    case 'bytea':
      return byteaType;
    case 'character varying':
      return varcharType();
    case 'regproc':
      return regprocType;
    case 'timestamp with time zone':
      return timestamptzType();
    case 'text[]':
    case '"char"[]':
      return arrayType(textType);
    case 'int2vector':
      return int2vectorType();
    case 'oidvector':
      return textType;
    case 'oid[]':
      return arrayType(oidType);
    case 'smallint[]':
      return arrayType(int2Type);
    default:
      assert(false, () => `no column type for ${spelling}`);
  }
}

/** `"a oid, b name"` → the columns of a virtual table. */
export function columns(spec: string): (readonly [string, SqlType])[] {
  return spec.split(', ').map((column) => {
    const space = column.indexOf(' ');
    return [column.slice(0, space), columnType(column.slice(space + 1))] as const;
  });
}
