/**
 * The `pg_catalog` tables: each its PostgreSQL 15 OID, its columns in PostgreSQL's order and
 * types (types.ts says where rangedb stands in with a near type), and its rows computed from the
 * catalog snapshot. Tables for objects rangedb does not have (policies, triggers, publications,
 * inheritance, extended statistics, comments) are there and empty, so the queries of psql and
 * the drivers that join them still run and find nothing, as they would in a PostgreSQL database
 * without such objects.
 */
import { hasForeignKeys, type IndexDesc, type SequenceDesc, type TableDesc } from '../catalog/descriptors.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { Datum } from '../types/datum.js';
import { int2Type, int2vectorType, int4Type, int8Type, recordType, typeCategory, typeInfo, typeOfKind, arrayType, type ScalarKind, type SqlType } from '../types/sql-type.js';
import { viewDefinition } from '../plan/view-updatable.js';
import { deparseCheck, deparseDefault, quoteIdent } from './deparse.js';
import { foreignKeyConstraintRow } from './foreign-keys.js';
import { attrdefOid, bootstrapRoleOid, pgCatalogOid, publicSchemaOwnerOid, type CatalogSnapshot } from './snapshot.js';
import { cCollationOid, columns, defaultCollationOid, posixCollationOid, typeCollation, typeStorage } from './types.js';
import { commentDescriptions, pgViewsRows, type Description } from './views.js';

export interface VirtualTable {
  readonly oid: number;
  /** `r` for a table, `v` for a view (pg_roles, pg_settings), as in PostgreSQL. */
  readonly relkind: 'r' | 'v';
  readonly columns: readonly (readonly [string, SqlType])[];
  rows(snapshot: CatalogSnapshot, ctx: EvalContext): Datum[][];
}

/**
 * Schemas of virtual relations besides pg_catalog (information_schema), registered by index.ts:
 * pg_namespace lists each, pg_class and pg_attribute its views, as PostgreSQL's catalogs list
 * the information_schema it creates at initdb (the JDBC driver's getSchemas reads pg_namespace).
 * A registry rather than an import: information-schema.ts builds on this file.
 */
const virtualSchemas: { readonly oid: number; readonly name: string; readonly tables: Readonly<Record<string, VirtualTable>> }[] = [];

export function registerVirtualSchema(oid: number, name: string, tables: Readonly<Record<string, VirtualTable>>): void {
  if (virtualSchemas.some((schema) => schema.oid === oid)) return;
  virtualSchemas.push({ oid, name, tables });
}

export const heapAmOid = 2;
export const btreeAmOid = 403;
export const pgClassOid = 1259;
const defaultTablespaceOid = 1663;

/** The roles rangedb reports: its bootstrap superuser and PostgreSQL 15's pg_database_owner. */
export const roles: readonly { readonly oid: number; readonly name: string; readonly superuser: boolean; readonly login: boolean }[] = [
  { oid: bootstrapRoleOid, name: 'root', superuser: true, login: true },
  { oid: publicSchemaOwnerOid, name: 'pg_database_owner', superuser: false, login: false },
];

/**
 * Attribute numbers of a table's visible columns, by column id: the column's position among all
 * the table's columns (1-based), the number RowDescription reports, so a driver can look a result
 * column up in pg_attribute. A hidden `rowid` keeps its number and has no row, as a dropped
 * column's number stays unused in PostgreSQL.
 */
export function attnums(table: TableDesc): Map<number, number> {
  const numbers = new Map<number, number>();
  table.columns.forEach((column, index) => {
    if (!column.hidden) numbers.set(column.id, index + 1);
  });
  return numbers;
}

/** Whether PostgreSQL would have this index: not the primary index on the hidden rowid of a table without a primary key. */
export function isVisibleIndex(table: TableDesc, index: IndexDesc): boolean {
  const numbers = attnums(table);
  return index.columns.every((column) => numbers.has(column.columnId));
}

const empty = (): Datum[][] => [];

/** `attidentity`: 'a' GENERATED ALWAYS, 'd' BY DEFAULT, '' not an identity column. */
function identityCode(identity: 'always' | 'by default' | undefined): string {
  return identity === 'always' ? 'a' : identity === 'by default' ? 'd' : '';
}

function attributeRow(relid: number, name: string, type: SqlType, attnum: number, notNull: boolean, hasDefault: boolean, identity = ''): Datum[] {
  const facts = typeStorage(type);
  return [relid, name, type.oid, -1, facts.length, attnum, type.kind === 'array' ? 1 : 0, -1, type.typmod, facts.byValue, facts.align, facts.storage, '', notNull, hasDefault, false, identity, '', false, true, 0, typeCollation(type), null, null, null, null];
}

function classRow(oid: number, name: string, namespace: number, kind: string, am: number, natts: number, checks: number, hasIndex: boolean): Datum[] {
  const replident = kind === 'r' ? 'd' : 'n';
  return [oid, name, namespace, 0, 0, bootstrapRoleOid, am, kind === 'v' ? 0 : oid, 0, 0, -1, 0, 0, hasIndex, false, 'p', kind, natts, checks, false, false, false, false, false, true, replident, false, 0, 0, 0, null, null, null];
}

/** Where `relhastriggers` sits in a pg_class row. */
const relhastriggersColumn = 20;

/** Where `reloptions` sits in a pg_class row. */
const reloptionsColumn = 31;

/**
 * A view's reloptions as pg_class shows them — `name=value` as written, a bare name `=true`, the
 * CHECK OPTION clause as `check_option=…` — null when none. Only a definition with a WITH is parsed.
 */
function viewRelOptions(definition: string): string[] | null {
  if (!/\bwith\b/i.test(definition)) return null;
  const options = viewDefinition(definition).options ?? [];
  return options.length === 0 ? null : options.map((option) => `${option.name}=${option.value ?? 'true'}`);
}

function tableClassRows(snapshot: CatalogSnapshot): Datum[][] {
  const rows: Datum[][] = [];
  for (const table of snapshot.tables) {
    const indexes = snapshot.indexes.filter((entry) => entry.table === table && isVisibleIndex(table, entry.index));
    const row = classRow(table.id, table.name, table.schemaId, 'r', heapAmOid, Math.max(0, ...attnums(table).values()), table.checks.length, indexes.length > 0);
    // relhastriggers: PostgreSQL's foreign keys are triggers on both tables, and psql's \d lists them only when it is set.
    row[relhastriggersColumn] = hasForeignKeys(table);
    rows.push(row);
    for (const entry of indexes) rows.push(classRow(entry.oid, entry.index.name, table.schemaId, 'i', btreeAmOid, entry.index.columns.length, 0, false));
  }
  for (const sequence of snapshot.sequences) rows.push(classRow(sequence.id, sequence.name, sequence.schemaId, 'S', 0, 3, 0, false));
  for (const view of snapshot.views) {
    const row = classRow(view.id, view.name, view.schemaId, 'v', 0, view.columns.length, 0, false);
    row[reloptionsColumn] = viewRelOptions(view.definition);
    rows.push(row);
  }
  for (const [name, table] of Object.entries(virtualTables)) rows.push(classRow(table.oid, name, pgCatalogOid, table.relkind, table.relkind === 'r' ? heapAmOid : 0, table.columns.length, 0, false));
  for (const schema of virtualSchemas) {
    for (const [name, table] of Object.entries(schema.tables)) rows.push(classRow(table.oid, name, schema.oid, table.relkind, table.relkind === 'r' ? heapAmOid : 0, table.columns.length, 0, false));
  }
  return rows;
}

function attributeRows(snapshot: CatalogSnapshot): Datum[][] {
  const rows: Datum[][] = [];
  for (const table of snapshot.tables) {
    const numbers = attnums(table);
    for (const column of table.columns) {
      const attnum = numbers.get(column.id);
      // An identity column's nextval is no default to PostgreSQL's catalogs (atthasdef false).
      if (attnum !== undefined) rows.push(attributeRow(table.id, column.name, column.type, attnum, !column.nullable, column.defaultExpr !== null && column.identity === undefined, identityCode(column.identity)));
    }
    for (const entry of snapshot.indexes) {
      if (entry.table !== table || !isVisibleIndex(table, entry.index)) continue;
      entry.index.columns.forEach((key, position) => {
        const column = table.columns.find((candidate) => candidate.id === key.columnId)!;
        rows.push(attributeRow(entry.oid, column.name, column.type, position + 1, false, false));
      });
    }
  }
  for (const sequence of snapshot.sequences) {
    rows.push(attributeRow(sequence.id, 'last_value', int8Type, 1, true, false), attributeRow(sequence.id, 'log_cnt', int8Type, 2, true, false), attributeRow(sequence.id, 'is_called', typeOfKind('bool'), 3, true, false));
  }
  for (const view of snapshot.views) view.columns.forEach((column, position) => rows.push(attributeRow(view.id, column.name, column.type, position + 1, false, false)));
  for (const table of [...Object.values(virtualTables), ...virtualSchemas.flatMap((schema) => Object.values(schema.tables))]) {
    table.columns.forEach(([name, type], position) => rows.push(attributeRow(table.oid, name, type, position + 1, false, false)));
  }
  return rows;
}

function indexRows(snapshot: CatalogSnapshot): Datum[][] {
  return snapshot.indexes
    .filter((entry) => isVisibleIndex(entry.table, entry.index))
    .map(({ oid, table, index }) => {
      const numbers = attnums(table);
      const keys = index.columns.map((key) => numbers.get(key.columnId)!);
      const collations = index.columns.map((key) => typeCollation(table.columns.find((column) => column.id === key.columnId)!.type));
      // indoption: INDOPTION_DESC (1) | INDOPTION_NULLS_FIRST (2); a descending key sorts NULLs first.
      const options = index.columns.map((key) => (key.direction === 'descending' ? 3 : 0));
      const primary = index.constraint === 'primary';
      // indkey and indoption are int2vector (subscripts from 0); indcollation and indclass, oidvector, are their text.
      const vector = (values: readonly number[]): string => values.join(' ');
      return [oid, table.id, keys.length, keys.length, index.unique, false, primary, false, true, false, true, false, true, true, false, keys, vector(collations), vector(keys.map(() => 0)), options, null, null];
    });
}

function constraintRows(snapshot: CatalogSnapshot): Datum[][] {
  // Not the key of a hidden rowid (a table without a PRIMARY KEY has no such constraint in PostgreSQL).
  return snapshot.constraints.filter((entry) => entry.kind !== 'index' || isVisibleIndex(entry.table, entry.index)).map((entry) => {
    const table = entry.table;
    const numbers = attnums(table);
    if (entry.kind === 'index') {
      const indexOid = snapshot.indexes.find((candidate) => candidate.table === table && candidate.index === entry.index)!.oid;
      const keys = entry.index.columns.map((key) => numbers.get(key.columnId)!);
      const type = entry.index.constraint === 'primary' ? 'p' : 'u';
      return [entry.oid, entry.index.name, table.schemaId, type, false, false, true, table.id, 0, indexOid, 0, 0, ' ', ' ', ' ', true, 0, false, keys, null, null, null, null, null, null, null];
    }
    if (entry.kind === 'foreign') return foreignKeyConstraintRow(entry);
    const check = table.checks[entry.number - 1]!;
    const referenced = columnsReferenced(check.expr).flatMap((name) => {
      const column = table.columns.find((candidate) => candidate.name === name);
      const attnum = column === undefined ? undefined : numbers.get(column.id);
      return attnum === undefined ? [] : [attnum];
    });
    return [entry.oid, check.name, table.schemaId, 'c', false, false, true, table.id, 0, 0, 0, 0, ' ', ' ', ' ', true, 0, false, [...new Set(referenced)], null, null, null, null, null, null, deparseCheck(table, check.expr)];
  });
}

/** The column names an expression refers to, in order of appearance. */
export function columnsReferenced(expr: unknown): string[] {
  if (expr === null || typeof expr !== 'object') return [];
  if (Array.isArray(expr)) return expr.flatMap(columnsReferenced);
  const node = expr as { kind?: string; path?: readonly string[] };
  if (node.kind === 'ColumnRef' && node.path !== undefined) return [node.path[node.path.length - 1]!];
  return Object.values(node).flatMap(columnsReferenced);
}

function attrdefRows(snapshot: CatalogSnapshot): Datum[][] {
  return snapshot.tables.flatMap((table) => {
    const numbers = attnums(table);
    return table.columns.flatMap((column) => {
      const attnum = numbers.get(column.id);
      if (attnum === undefined || column.defaultExpr === null || column.identity !== undefined) return [];
      return [[attrdefOid(table.id, attnum), table.id, attnum, deparseDefault(table, column.defaultExpr, column.type)]];
    });
  });
}

function typeRows(): Datum[][] {
  const row = (type: SqlType, name: string, element: number, array: number): Datum[] => {
    const facts = typeStorage(type);
    const category = typeCategory(type);
    const preferred = type.kind === 'text' || type.kind === 'float8' || type.kind === 'timestamptz' || type.kind === 'oid' || type.kind === 'bool' || type.kind === 'interval';
    return [type.oid, name, pgCatalogOid, bootstrapRoleOid, facts.length, facts.byValue, 'b', category, preferred, true, ',', 0, 0, element, array, 0, 0, 0, 0, 0, 0, 0, facts.align, facts.storage, false, 0, -1, 0, typeCollation(type), null, null, null];
  };
  return (Object.keys(typeInfo) as ScalarKind[]).flatMap((kind) => {
    const info = typeInfo[kind];
    const scalar = typeOfKind(kind);
    if (info.arrayOid === undefined) return [row(scalar, kind, 0, 0)];
    return [row(scalar, kind, 0, info.arrayOid), row(arrayType(scalar), `_${kind}`, info.oid, 0)];
  }).concat([
    // int2vector: an int2 array type of its own (pg_index.indkey); record: the pseudo-type ('p') of anonymous row values.
    row(int2vectorType(), 'int2vector', int2Type.oid, 1006),
    row(recordType([{ name: 'f1', type: int4Type }]), 'record', 0, 2287).map((value, index) => (index === 6 ? 'p' : value)),
  ]);
}

function dependRows(snapshot: CatalogSnapshot): Datum[][] {
  // A SERIAL column's sequence is owned by the column: PostgreSQL records an 'a' (auto) dependency.
  return snapshot.sequences.flatMap((sequence) => {
    const table = snapshot.tables.find((candidate) => candidate.id === sequence.ownerTableId);
    if (table === undefined) return [];
    const column = table.columns.find((candidate) => candidate.ownedSequenceId === sequence.id);
    const attnum = column === undefined ? undefined : attnums(table).get(column.id);
    return attnum === undefined ? [] : [[pgClassOid, sequence.id, 0, pgClassOid, table.id, attnum, 'a']];
  });
}

/**
 * A sequence's `seqtypid`: rangedb's sequences count in int8; a SERIAL column's sequence reports
 * its column's type, as PostgreSQL creates it `AS integer` for serial, `AS smallint` for smallserial.
 */
function sequenceType(snapshot: CatalogSnapshot, sequence: SequenceDesc): SqlType {
  const table = snapshot.tables.find((candidate) => candidate.id === sequence.ownerTableId);
  const column = table?.columns.find((candidate) => candidate.ownedSequenceId === sequence.id);
  return column !== undefined && (column.type.kind === 'int2' || column.type.kind === 'int4') ? column.type : int8Type;
}

export const pgNamespaceOid = 2615;
export const pgDatabaseOid = 1262;

/**
 * The comments rangedb has: COMMENT ON's (views.ts), and the one PostgreSQL's initdb gives the
 * public schema unless the user commented it. `obj_description` and `col_description` read these.
 */
export function descriptions(snapshot: CatalogSnapshot): Description[] {
  const numbers = new Map(snapshot.tables.map((table) => [table.id, attnums(table)]));
  const comments = commentDescriptions(snapshot, (tableId, columnId) => numbers.get(tableId)?.get(columnId), { pgClass: pgClassOid, pgNamespace: pgNamespaceOid });
  const schema = snapshot.schemaNamed('public');
  if (schema === undefined || schema.comment !== undefined) return comments;
  return [{ objoid: schema.oid, classoid: pgNamespaceOid, objsubid: 0, description: 'standard public schema' }, ...comments];
}

export function sharedDescriptions(snapshot: CatalogSnapshot): { objoid: number; classoid: number; description: string }[] {
  return snapshot.databases.filter((database) => database.name === 'postgres').map((database) => ({ objoid: database.id, classoid: pgDatabaseOid, description: 'default administrative connection database' }));
}

function settingRows(ctx: EvalContext): Datum[][] {
  return [...ctx.settings.all.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, setting]) => [name, setting, null, 'Client Connection Defaults', '', null, 'user', 'string', 'session', null, null, null, setting, setting, null, null, false]);
}

/** Every table of `pg_catalog` rangedb has, by name. */
/** `pg_get_indexdef(oid[, column])` and pg_indexes.indexdef: PostgreSQL's CREATE INDEX text, or one key column's name. */
export function indexDefinition(snapshot: CatalogSnapshot, oid: number, column: number): string | null {
  const entry = snapshot.index(oid);
  if (entry === undefined) return null;
  const { table, index } = entry;
  const names = index.columns.map((key) => {
    const name = quoteIdent(table.columns.find((candidate) => candidate.id === key.columnId)!.name);
    return key.direction === 'descending' ? `${name} DESC` : name;
  });
  if (column > 0) return column <= names.length ? names[column - 1]!.replace(/ DESC$/, '') : '';
  const schema = snapshot.schema(table.schemaId)?.name ?? 'public';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(schema)}.${quoteIdent(table.name)} USING btree (${names.join(', ')})`;
}

export const virtualTables: Readonly<Record<string, VirtualTable>> = {
  pg_namespace: {
    oid: pgNamespaceOid,
    relkind: 'r',
    columns: columns('oid oid, nspname name, nspowner oid, nspacl aclitem[]'),
    // PostgreSQL 15's public schema: usage for everyone, usage and create for the database owner.
    rows: (snapshot) => [
      ...snapshot.schemas.map((schema) => [schema.oid, schema.name, schema.owner, schema.name === 'public' ? ['pg_database_owner=UC/pg_database_owner', '=U/pg_database_owner'] : null]),
      ...virtualSchemas.map((schema) => [schema.oid, schema.name, bootstrapRoleOid, null]),
    ],
  },
  pg_class: {
    oid: pgClassOid,
    relkind: 'r',
    columns: columns(
      'oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages integer, reltuples real, relallvisible integer, reltoastrelid oid, relhasindex boolean, relisshared boolean, relpersistence "char", relkind "char", relnatts smallint, relchecks smallint, relhasrules boolean, relhastriggers boolean, relhassubclass boolean, relrowsecurity boolean, relforcerowsecurity boolean, relispopulated boolean, relreplident "char", relispartition boolean, relrewrite oid, relfrozenxid xid, relminmxid xid, relacl aclitem[], reloptions text[], relpartbound pg_node_tree',
    ),
    rows: tableClassRows,
  },
  pg_attribute: {
    oid: 1249,
    relkind: 'r',
    columns: columns(
      'attrelid oid, attname name, atttypid oid, attstattarget integer, attlen smallint, attnum smallint, attndims integer, attcacheoff integer, atttypmod integer, attbyval boolean, attalign "char", attstorage "char", attcompression "char", attnotnull boolean, atthasdef boolean, atthasmissing boolean, attidentity "char", attgenerated "char", attisdropped boolean, attislocal boolean, attinhcount integer, attcollation oid, attacl aclitem[], attoptions text[], attfdwoptions text[], attmissingval anyarray',
    ),
    rows: attributeRows,
  },
  pg_index: {
    oid: 2610,
    relkind: 'r',
    columns: columns(
      'indexrelid oid, indrelid oid, indnatts smallint, indnkeyatts smallint, indisunique boolean, indnullsnotdistinct boolean, indisprimary boolean, indisexclusion boolean, indimmediate boolean, indisclustered boolean, indisvalid boolean, indcheckxmin boolean, indisready boolean, indislive boolean, indisreplident boolean, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree',
    ),
    rows: indexRows,
  },
  pg_constraint: {
    oid: 2606,
    relkind: 'r',
    columns: columns(
      'oid oid, conname name, connamespace oid, contype "char", condeferrable boolean, condeferred boolean, convalidated boolean, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype "char", confdeltype "char", confmatchtype "char", conislocal boolean, coninhcount integer, connoinherit boolean, conkey smallint[], confkey smallint[], conpfeqop oid[], conppeqop oid[], conffeqop oid[], confdelsetcols smallint[], conexclop oid[], conbin pg_node_tree',
    ),
    rows: constraintRows,
  },
  pg_attrdef: { oid: 2604, relkind: 'r', columns: columns('oid oid, adrelid oid, adnum smallint, adbin pg_node_tree'), rows: attrdefRows },
  pg_am: {
    oid: 2601,
    relkind: 'r',
    columns: columns('oid oid, amname name, amhandler regproc, amtype "char"'),
    rows: () => [
      [heapAmOid, 'heap', 0, 't'],
      [btreeAmOid, 'btree', 0, 'i'],
    ],
  },
  pg_type: {
    oid: 1247,
    relkind: 'r',
    columns: columns(
      'oid oid, typname name, typnamespace oid, typowner oid, typlen smallint, typbyval boolean, typtype "char", typcategory "char", typispreferred boolean, typisdefined boolean, typdelim "char", typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign "char", typstorage "char", typnotnull boolean, typbasetype oid, typtypmod integer, typndims integer, typcollation oid, typdefaultbin pg_node_tree, typdefault text, typacl aclitem[]',
    ),
    rows: typeRows,
  },
  pg_database: {
    oid: pgDatabaseOid,
    relkind: 'r',
    columns: columns(
      'oid oid, datname name, datdba oid, encoding integer, datlocprovider "char", datistemplate boolean, datallowconn boolean, datconnlimit integer, datfrozenxid xid, datminmxid xid, dattablespace oid, datcollate text, datctype text, daticulocale text, datcollversion text, datacl aclitem[]',
    ),
    rows: (snapshot) => snapshot.databases.map((database) => [database.id, database.name, bootstrapRoleOid, 6, 'c', false, true, -1, 0, 1, defaultTablespaceOid, 'C', 'C.UTF-8', null, null, null]),
  },
  pg_roles: {
    oid: 12000,
    relkind: 'v',
    columns: columns(
      'rolname name, rolsuper boolean, rolinherit boolean, rolcreaterole boolean, rolcreatedb boolean, rolcanlogin boolean, rolreplication boolean, rolconnlimit integer, rolpassword text, rolvaliduntil timestamp with time zone, rolbypassrls boolean, rolconfig text[], oid oid',
    ),
    rows: () => roles.map((role) => [role.name, role.superuser, true, role.superuser, role.superuser, role.login, role.superuser, -1, '********', null, role.superuser, null, role.oid]),
  },
  pg_auth_members: { oid: 1261, relkind: 'r', columns: columns('roleid oid, member oid, grantor oid, admin_option boolean'), rows: empty },
  pg_collation: {
    oid: 3456,
    relkind: 'r',
    columns: columns('oid oid, collname name, collnamespace oid, collowner oid, collprovider "char", collisdeterministic boolean, collencoding integer, collcollate text, collctype text, colliculocale text, collversion text'),
    rows: () => [
      [defaultCollationOid, 'default', pgCatalogOid, bootstrapRoleOid, 'd', true, -1, null, null, null, null],
      [cCollationOid, 'C', pgCatalogOid, bootstrapRoleOid, 'c', true, -1, 'C', 'C', null, null],
      [posixCollationOid, 'POSIX', pgCatalogOid, bootstrapRoleOid, 'c', true, -1, 'POSIX', 'POSIX', null, null],
    ],
  },
  pg_sequence: {
    oid: 2224,
    relkind: 'r',
    columns: columns('seqrelid oid, seqtypid oid, seqstart bigint, seqincrement bigint, seqmax bigint, seqmin bigint, seqcache bigint, seqcycle boolean'),
    rows: (snapshot) => snapshot.sequences.map((sequence) => [sequence.id, sequenceType(snapshot, sequence).oid, sequence.start, sequence.increment, sequence.maxValue, sequence.minValue, 1n, false]),
  },
  pg_depend: { oid: 2608, relkind: 'r', columns: columns('classid oid, objid oid, objsubid integer, refclassid oid, refobjid oid, refobjsubid integer, deptype "char"'), rows: dependRows },
  pg_tablespace: {
    oid: 1213,
    relkind: 'r',
    columns: columns('oid oid, spcname name, spcowner oid, spcacl aclitem[], spcoptions text[]'),
    rows: () => [
      [defaultTablespaceOid, 'pg_default', bootstrapRoleOid, null, null],
      [1664, 'pg_global', bootstrapRoleOid, null, null],
    ],
  },
  // The view tools list indexes with (drizzle-kit, Rails, pgAdmin): one row per index of a table.
  pg_indexes: {
    oid: 12077,
    relkind: 'v',
    columns: columns('schemaname name, tablename name, indexname name, tablespace name, indexdef text'),
    rows: (snapshot) => snapshot.indexes.map((entry) => [snapshot.schema(entry.table.schemaId)?.name ?? 'public', entry.table.name, entry.index.name, null, indexDefinition(snapshot, entry.oid, 0)]),
  },
  pg_settings: {
    oid: 12104,
    relkind: 'v',
    columns: columns(
      'name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, vartype text, source text, min_val text, max_val text, enumvals text[], boot_val text, reset_val text, sourcefile text, sourceline integer, pending_restart boolean',
    ),
    rows: (_snapshot, ctx) => settingRows(ctx),
  },
  pg_description: {
    oid: 2609,
    relkind: 'r',
    columns: columns('objoid oid, classoid oid, objsubid integer, description text'),
    rows: (snapshot) => descriptions(snapshot).map((entry) => [entry.objoid, entry.classoid, entry.objsubid, entry.description]),
  },
  pg_shdescription: {
    oid: 2396,
    relkind: 'r',
    columns: columns('objoid oid, classoid oid, description text'),
    rows: (snapshot) => sharedDescriptions(snapshot).map((entry) => [entry.objoid, entry.classoid, entry.description]),
  },
  pg_views: { oid: 12019, relkind: 'v', columns: columns('schemaname name, viewname name, viewowner name, definition text'), rows: pgViewsRows },
  pg_inherits: { oid: 2611, relkind: 'r', columns: columns('inhrelid oid, inhparent oid, inhseqno integer, inhdetachpending boolean'), rows: empty },
  pg_policy: {
    oid: 3256,
    relkind: 'r',
    columns: columns('oid oid, polname name, polrelid oid, polcmd "char", polpermissive boolean, polroles oid[], polqual pg_node_tree, polwithcheck pg_node_tree'),
    rows: empty,
  },
  pg_statistic_ext: {
    oid: 3381,
    relkind: 'r',
    columns: columns('oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget integer, stxkeys int2vector, stxkind "char"[], stxexprs pg_node_tree'),
    rows: empty,
  },
  pg_publication: {
    oid: 6104,
    relkind: 'r',
    columns: columns('oid oid, pubname name, pubowner oid, puballtables boolean, pubinsert boolean, pubupdate boolean, pubdelete boolean, pubtruncate boolean, pubviaroot boolean'),
    rows: empty,
  },
  pg_publication_namespace: { oid: 6237, relkind: 'r', columns: columns('oid oid, pnpubid oid, pnnspid oid'), rows: empty },
  // prattrs is an int2vector in PostgreSQL; psql's \d subscripts it, so it is an array here (types.ts).
  pg_publication_rel: { oid: 6106, relkind: 'r', columns: columns('oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs smallint[]'), rows: empty },
  pg_trigger: {
    oid: 2620,
    relkind: 'r',
    columns: columns(
      'oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype smallint, tgenabled "char", tgisinternal boolean, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable boolean, tginitdeferred boolean, tgnargs smallint, tgattr int2vector, tgargs bytea, tgqual pg_node_tree, tgoldtable name, tgnewtable name',
    ),
    rows: empty,
  },
  // rangedb's built-in functions are not catalogued yet: \df finds none (it lists no pg_catalog ones either).
  pg_proc: {
    oid: 1255,
    relkind: 'r',
    columns: columns(
      'oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost real, prorows real, provariadic oid, prosupport regproc, prokind "char", prosecdef boolean, proleakproof boolean, proisstrict boolean, proretset boolean, provolatile "char", proparallel "char", pronargs smallint, pronargdefaults smallint, prorettype oid, proargtypes oidvector, proallargtypes oid[], proargmodes "char"[], proargnames text[], proargdefaults pg_node_tree, protrftypes oid[], prosrc text, probin text, prosqlbody pg_node_tree, proconfig text[], proacl aclitem[]',
    ),
    rows: empty,
  },
  pg_extension: {
    oid: 3079,
    relkind: 'r',
    columns: columns('oid oid, extname name, extowner oid, extnamespace oid, extrelocatable boolean, extversion text, extconfig oid[], extcondition text[]'),
    rows: empty,
  },
};
