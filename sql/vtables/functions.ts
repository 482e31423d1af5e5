/**
 * PostgreSQL's catalog functions over the snapshot (snapshot.ts): what psql's `\d` family and
 * the drivers call — `pg_table_is_visible`, `pg_get_userbyid`, `format_type`,
 * `pg_get_indexdef`, `pg_get_constraintdef`, `pg_get_expr`, `pg_encoding_to_char`,
 * `array_to_string`, the `obj_description` family (initdb's comments only), and the
 * `reg*` input/output functions behind `'t'::regclass` and `oid::regclass::text`.
 *
 * Output follows PostgreSQL 15 to the character: psql prints these strings as they come, and
 * parses `pg_get_indexdef` to show `btree (email)`.
 */
import { SqlError } from '../catalog/errors.js';
import type { FunctionOverload } from '../plan/expr/functions.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { Datum } from '../types/datum.js';
import { formatText } from '../types/text-io.js';
import { parseTypeName } from '../types/resolve.js';
import {
  arrayType,
  boolType,
  bpcharType,
  formatType,
  int4Type,
  int8Type,
  nameType,
  numericType,
  oidType,
  regclassType,
  regtypeType,
  textType,
  timestampType,
  timestamptzType,
  typeOfOid,
  varcharType,
  type SqlType,
} from '../types/sql-type.js';
import { deparseCheck, quoteIdent } from './deparse.js';
import { foreignKeyDefinition } from './foreign-keys.js';
import { CatalogSnapshot } from './snapshot.js';
import { attnums, descriptions, indexDefinition, pgClassOid, roles, sharedDescriptions, virtualTables } from './tables.js';
import { viewDefinition } from './views.js';

function snapshotOf(ctx: EvalContext): CatalogSnapshot {
  const snapshot = ctx.catalog.snapshot;
  if (!(snapshot instanceof CatalogSnapshot)) throw new SqlError('XX000', 'catalog function called without a catalog snapshot');
  return snapshot;
}

/** An overload that reads the catalog snapshot (strict, never constant-folded). */
function catalogOverload(args: readonly (SqlType | 'any')[], result: SqlType, impl: (args: readonly Datum[], snapshot: CatalogSnapshot, argTypes: readonly SqlType[]) => Datum, strict = true): FunctionOverload {
  return { args, result, strict, immutable: false, readsCatalog: true, impl: (values, argTypes, ctx) => impl(values, snapshotOf(ctx), argTypes) };
}

/** An overload that needs no catalog. */
function pureOverload(args: readonly (SqlType | 'any')[], result: SqlType | ((types: readonly SqlType[]) => SqlType), impl: FunctionOverload['impl'], strict = true): FunctionOverload {
  return { args, result, strict, immutable: true, impl };
}

/** The schema-qualified or bare name of a relation, as `regclassout` prints it: qualified unless visible. */
function relationName(snapshot: CatalogSnapshot, oid: number): string | undefined {
  const relation = snapshot.relation(oid);
  const index = snapshot.index(oid);
  const virtual = Object.entries(virtualTables).find(([, table]) => table.oid === oid);
  const name = relation?.name ?? index?.index.name ?? virtual?.[0];
  if (name === undefined) return undefined;
  const schemaId = relation?.schemaId ?? index?.table.schemaId ?? 11;
  if (isVisible(snapshot, oid)) return quoteIdent(name);
  return `${quoteIdent(snapshot.schema(schemaId)?.name ?? '???')}.${quoteIdent(name)}`;
}

/** The relations by name in a schema: tables, sequences and indexes share PostgreSQL's pg_class namespace. */
function relationIn(snapshot: CatalogSnapshot, schemaOid: number, name: string): number | undefined {
  if (schemaOid === 11) return virtualTables[name]?.oid;
  const relation = [...snapshot.tables, ...snapshot.sequences, ...snapshot.views].find((candidate) => candidate.schemaId === schemaOid && candidate.name === name);
  if (relation !== undefined) return relation.id;
  return snapshot.indexes.find((entry) => entry.table.schemaId === schemaOid && entry.index.name === name)?.oid;
}

/** `pg_table_is_visible`: the relation is the one its bare name finds along the search path. */
function isVisible(snapshot: CatalogSnapshot, oid: number): boolean {
  const relation = snapshot.relation(oid);
  const index = snapshot.index(oid);
  const virtual = Object.entries(virtualTables).find(([, table]) => table.oid === oid);
  const name = relation?.name ?? index?.index.name ?? virtual?.[0];
  const schemaId = relation?.schemaId ?? index?.table.schemaId ?? (virtual === undefined ? undefined : 11);
  if (name === undefined || schemaId === undefined) return false;
  for (const schema of snapshot.searchPath()) {
    const found = relationIn(snapshot, schema.oid, name);
    if (found !== undefined) return found === oid;
  }
  return false;
}

/** Splits `a.b` / `"A"."b"` into its identifiers (unquoted ones lowercased). */
function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([^".\s]+))\s*(\.|$)/y;
  let position = 0;
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null) throw new SqlError('42602', `invalid name syntax`);
    parts.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!.toLowerCase());
    position = pattern.lastIndex;
    if (match[3] === '') break;
  }
  return parts;
}

function regclassIn(snapshot: CatalogSnapshot, text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const parts = splitQualifiedName(text);
  if (parts.length < 1 || parts.length > 3) throw new SqlError('42601', `improper relation name (too many dotted names): ${text}`);
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) {
    for (const schema of snapshot.searchPath()) {
      const found = relationIn(snapshot, schema.oid, name);
      if (found !== undefined) return found;
    }
  } else {
    const schema = snapshot.schemaNamed(parts[parts.length - 2]!);
    if (schema === undefined) throw new SqlError('3F000', `schema "${parts[parts.length - 2]!}" does not exist`);
    const found = relationIn(snapshot, schema.oid, name);
    if (found !== undefined) return found;
  }
  throw new SqlError('42P01', `relation "${text}" does not exist`);
}

/**
 * `pg_get_serial_sequence(table, column)`: the schema-qualified name of the sequence a column's
 * SERIAL default owns (pg_depend's 'a' dependency), or NULL. The table name is parsed as SQL
 * (`"A".b`, lowercased unless quoted); the column name is taken literally — PostgreSQL's rules.
 * ORMs call it to tell auto-incrementing columns (kysely's introspector, Rails, Hibernate).
 */
function serialSequence(snapshot: CatalogSnapshot, tableText: string, columnName: string): string | null {
  const oid = regclassIn(snapshot, tableText);
  const table = snapshot.tables.find((candidate) => candidate.id === oid);
  if (table === undefined) return null;
  const column = table.columns.find((candidate) => candidate.name === columnName && !candidate.hidden);
  if (column === undefined) throw new SqlError('42703', `column "${columnName}" of relation "${table.name}" does not exist`);
  if (column.ownedSequenceId === null) return null;
  const sequence = snapshot.sequences.find((candidate) => candidate.id === column.ownedSequenceId);
  if (sequence === undefined) return null;
  return `${quoteIdent(snapshot.schema(sequence.schemaId)?.name ?? 'public')}.${quoteIdent(sequence.name)}`;
}

/** A type from `(oid, typmod)` as `pg_attribute` stores it, or undefined for an OID rangedb lacks. */
export function typeWithTypmod(oid: number, typmod: number | null): SqlType | undefined {
  const base = typeOfOid(oid);
  if (base === undefined || typmod === null || typmod < 0) return base;
  if (base.kind === 'array') {
    const element = typeWithTypmod(base.element.oid, typmod);
    return element === undefined || element.kind === 'array' || element.kind === 'record' ? base : arrayType(element);
  }
  switch (base.kind) {
    case 'numeric': {
      if (typmod < 4) return base;
      const packed = typmod - 4;
      const scale = ((packed & 0x7ff) ^ 0x400) - 0x400;
      return numericType((packed >> 16) & 0xffff, scale);
    }
    case 'varchar':
      return typmod >= 4 ? varcharType(typmod - 4) : base;
    case 'bpchar':
      return typmod >= 4 ? bpcharType(typmod - 4) : base;
    case 'timestamp':
      return timestampType(typmod);
    case 'timestamptz':
      return timestamptzType(typmod);
    default:
      return base;
  }
}

function constraintDefinition(snapshot: CatalogSnapshot, oid: number): string | null {
  const entry = snapshot.constraint(oid);
  if (entry === undefined) return null;
  const table = entry.table;
  if (entry.kind === 'check') {
    return `CHECK (${deparseCheck(table, table.checks[entry.number - 1]!.expr)})`;
  }
  if (entry.kind === 'foreign') return foreignKeyDefinition(snapshot, entry);
  const numbers = attnums(table);
  const names = entry.index.columns.filter((key) => numbers.has(key.columnId)).map((key) => quoteIdent(table.columns.find((column) => column.id === key.columnId)!.name));
  return `${entry.index.constraint === 'primary' ? 'PRIMARY KEY' : 'UNIQUE'} (${names.join(', ')})`;
}

function arrayToString(values: readonly Datum[], element: SqlType, separator: string, nullText: string | null, ctx: EvalContext): string {
  const parts: string[] = [];
  for (const value of values) {
    if (value === null) {
      if (nullText !== null) parts.push(nullText);
      continue;
    }
    parts.push(typeof value === 'string' ? value : formatText(element, value, ctx.textContext));
  }
  return parts.join(separator);
}

/** The OID of a pg_catalog table named as obj_description's second argument names it. */
function classOid(name: string): number | undefined {
  return virtualTables[name.replace(/^pg_catalog\./, '')]?.oid;
}

const elementOf = (type: SqlType): SqlType => (type.kind === 'array' ? type.element : type);
const encodings: Readonly<Record<number, string>> = { 0: 'SQL_ASCII', 6: 'UTF8', 8: 'LATIN1' };
const nullResult = (): Datum => null;

/** The catalog functions, by name; installed into the planner by `installVirtualTables`. */
export const catalogFunctions: ReadonlyMap<string, readonly FunctionOverload[]> = new Map<string, readonly FunctionOverload[]>([
  ['pg_table_is_visible', [catalogOverload([oidType], boolType, ([oid], snapshot) => isVisible(snapshot, oid as number))]],
  ['pg_type_is_visible', [pureOverload([oidType], boolType, ([oid]) => typeOfOid(oid as number) !== undefined)]],
  ['pg_get_userbyid', [pureOverload([oidType], nameType, ([oid]) => roles.find((role) => role.oid === oid)?.name ?? `unknown (OID=${String(oid)})`)]],
  [
    'format_type',
    [
      pureOverload(
        [oidType, int4Type],
        textType,
        ([oid, typmod]) => {
          if (oid === null) return null;
          const type = typeWithTypmod(oid as number, typmod as number | null);
          return type === undefined ? '???' : formatType(type);
        },
        false,
      ),
    ],
  ],
  [
    'pg_get_indexdef',
    [
      catalogOverload([oidType], textType, ([oid], snapshot) => indexDefinition(snapshot, oid as number, 0)),
      catalogOverload([oidType, int4Type, boolType], textType, ([oid, column], snapshot) => indexDefinition(snapshot, oid as number, column as number)),
    ],
  ],
  // A set-returning function in PostgreSQL: the partitioned tables above a partition. rangedb has no
  // partitions, so there are none; as a scalar, NULL stands for that empty set where psql's \d
  // uses it (`confrelid IN (SELECT pg_partition_ancestors(t) UNION ALL VALUES (t))`).
  ['pg_partition_ancestors', [catalogOverload([regclassType], regclassType, () => null)]],
  // pg_trigger is empty (rangedb's foreign keys are no triggers), but psql's \d names this function
  // in its query once relhastriggers is set.
  ['pg_get_triggerdef', [catalogOverload([oidType], textType, () => null), catalogOverload([oidType, boolType], textType, () => null)]],
  [
    'pg_get_constraintdef',
    [
      catalogOverload([oidType], textType, ([oid], snapshot) => constraintDefinition(snapshot, oid as number)),
      catalogOverload([oidType, boolType], textType, ([oid], snapshot) => constraintDefinition(snapshot, oid as number)),
    ],
  ],
  // rangedb's pg_node_tree columns already hold the expression's text (see tables.ts).
  ['pg_get_expr', [pureOverload([textType, oidType], textType, ([text]) => text ?? null), pureOverload([textType, oidType, boolType], textType, ([text]) => text ?? null)]],
  // The effective search path, pg_catalog first when asked for the implicit schemas too
  // (current_schemas(true)); the JDBC driver's getSchemas and getTables send it.
  ['current_schemas', [catalogOverload([boolType], arrayType(nameType), ([implicit], snapshot) => snapshot.searchPath().filter((schema, index) => implicit === true || index > 0 || snapshot.settings.searchPath.includes(schema.name)).map((schema) => schema.name))]],
  ['pg_get_serial_sequence', [catalogOverload([textType, textType], textType, ([table, column], snapshot) => serialSequence(snapshot, table as string, column as string))]],
  ['pg_get_partkeydef', [pureOverload([oidType], textType, nullResult)]],
  ['pg_get_statisticsobjdef_columns', [pureOverload([oidType], textType, nullResult)]],
  ['pg_relation_is_publishable', [catalogOverload([oidType], boolType, ([oid], snapshot) => snapshot.relation(oid as number)?.kind === 'table')]],
  ['pg_encoding_to_char', [pureOverload([int4Type], nameType, ([encoding]) => encodings[encoding as number] ?? '')]],
  [
    'obj_description',
    [
      catalogOverload([oidType], textType, ([oid], snapshot) => descriptions(snapshot).find((entry) => entry.objoid === oid && entry.objsubid === 0)?.description ?? null),
      catalogOverload([oidType, nameType], textType, ([oid, catalog], snapshot) => descriptions(snapshot).find((entry) => entry.objoid === oid && entry.objsubid === 0 && entry.classoid === classOid(catalog as string))?.description ?? null),
    ],
  ],
  ['col_description', [catalogOverload([oidType, int4Type], textType, ([oid, column], snapshot) => descriptions(snapshot).find((entry) => entry.objoid === oid && entry.objsubid === column && entry.classoid === pgClassOid)?.description ?? null)]],
  [
    'pg_get_viewdef',
    [
      catalogOverload([oidType], textType, ([oid], snapshot) => viewDefinition(snapshot, oid as number)),
      catalogOverload([oidType, boolType], textType, ([oid], snapshot) => viewDefinition(snapshot, oid as number)),
      catalogOverload([textType], textType, ([name], snapshot) => viewDefinition(snapshot, regclassIn(snapshot, name as string))),
    ],
  ],
  ['shobj_description', [catalogOverload([oidType, nameType], textType, ([oid, catalog], snapshot) => sharedDescriptions(snapshot).find((entry) => entry.objoid === oid && entry.classoid === classOid(catalog as string))?.description ?? null)]],
  ['quote_ident', [pureOverload([textType], textType, ([text]) => quoteIdent(text as string))]],
  [
    'array_to_string',
    [
      pureOverload(['any', textType], textType, ([values, separator], types, ctx) => arrayToString(values as readonly Datum[], elementOf(types[0]!), separator as string, null, ctx)),
      pureOverload(['any', textType, textType], textType, ([values, separator, nullText], types, ctx) => (values === null || separator === null ? null : arrayToString(values as readonly Datum[], elementOf(types[0]!), separator as string, nullText as string | null, ctx)), false),
    ],
  ],
  // array_upper, array_lower, array_length and cardinality: sql/plan/expr/array-shape-functions.ts.
  // Storage per relation or database is not accounted yet: the sizes are unknown (NULL), not a made-up 0.
  ['pg_table_size', [pureOverload([oidType], int8Type, nullResult)]],
  ['pg_relation_size', [pureOverload([oidType], int8Type, nullResult)]],
  ['pg_total_relation_size', [pureOverload([oidType], int8Type, nullResult)]],
  ['pg_indexes_size', [pureOverload([oidType], int8Type, nullResult)]],
  ['pg_database_size', [pureOverload([nameType], int8Type, nullResult), pureOverload([oidType], int8Type, nullResult)]],
  ['pg_tablespace_size', [pureOverload([oidType], int8Type, nullResult), pureOverload([nameType], int8Type, nullResult)]],
  ['getdatabaseencoding', [pureOverload([], nameType, () => 'UTF8')]],
  ['pg_char_to_encoding', [pureOverload([nameType], int4Type, ([name]) => Number(Object.entries(encodings).find(([, text]) => text === (name as string).toUpperCase())?.[0] ?? -1))]],
  ['pg_size_pretty', [pureOverload([int8Type], textType, ([bytes]) => sizePretty(bytes as bigint))]],
  // Every user is trusted (insecure mode, one superuser role): every privilege is held.
  ['has_database_privilege', [pureOverload(['any'], boolType, () => true), { ...pureOverload(['any'], boolType, () => true), variadic: true }]],
  ['has_table_privilege', [{ ...pureOverload(['any'], boolType, () => true), variadic: true }]],
  ['has_schema_privilege', [{ ...pureOverload(['any'], boolType, () => true), variadic: true }]],
  ['has_sequence_privilege', [{ ...pureOverload(['any'], boolType, () => true), variadic: true }]],
  ['has_column_privilege', [{ ...pureOverload(['any'], boolType, () => true), variadic: true }]],
  // pg_has_role([user,] role, privilege): psql 15.20's \l+ asks it of pg_read_all_stats for the Size column.
  ['pg_has_role', [{ ...pureOverload(['any'], boolType, () => true), variadic: true }]],
  // pg_proc is empty (rangedb's built-in functions are not catalogued): nothing to describe.
  ['pg_function_is_visible', [pureOverload([oidType], boolType, () => true)]],
  ['pg_collation_is_visible', [pureOverload([oidType], boolType, () => true)]],
  ['pg_statistics_obj_is_visible', [pureOverload([oidType], boolType, () => true)]],
  // pg_default and pg_global live in the data directory: PostgreSQL gives their location as ''.
  ['pg_tablespace_location', [pureOverload([oidType], textType, () => '')]],
  ['pg_get_function_result', [pureOverload([oidType], textType, nullResult)]],
  ['pg_get_function_arguments', [pureOverload([oidType], textType, nullResult)]],
  ['pg_get_function_identity_arguments', [pureOverload([oidType], textType, nullResult)]],
  ['regclassin', [catalogOverload([textType], regclassType, ([text], snapshot) => regclassIn(snapshot, text as string))]],
  ['regclassout', [catalogOverload([oidType], textType, ([oid], snapshot) => relationName(snapshot, oid as number) ?? String(oid))]],
  [
    'regtypein',
    [
      pureOverload([textType], regtypeType, ([text]) => {
        try {
          return parseTypeName((text as string).replace(/^pg_catalog\./, '')).type.oid;
        } catch {
          throw new SqlError('42704', `type "${text as string}" does not exist`);
        }
      }),
    ],
  ],
  ['regtypeout', [pureOverload([oidType], textType, ([oid]) => (oid === 0 ? '-' : formatTypeOid(oid as number)))]],
  [
    'regnamespacein',
    [
      catalogOverload([textType], oidType, ([text], snapshot) => {
        const schema = snapshot.schemaNamed(splitQualifiedName(text as string)[0] ?? '');
        if (schema === undefined) throw new SqlError('3F000', `schema "${text as string}" does not exist`);
        return schema.oid;
      }),
    ],
  ],
  ['regnamespaceout', [catalogOverload([oidType], textType, ([oid], snapshot) => (oid === 0 ? '-' : (snapshot.schema(oid as number)?.name ?? String(oid))))]],
  [
    'regrolein',
    [
      pureOverload([textType], oidType, ([text]) => {
        const role = roles.find((candidate) => candidate.name === text);
        if (role === undefined) throw new SqlError('42704', `role "${text as string}" does not exist`);
        return role.oid;
      }),
    ],
  ],
  ['regroleout', [pureOverload([oidType], textType, ([oid]) => (oid === 0 ? '-' : (roles.find((role) => role.oid === oid)?.name ?? String(oid))))]],
]);

/** PostgreSQL 15's `pg_size_pretty(bigint)`: bytes below 10 kB, then kB, MB, GB, TB rounded half away from zero. */
export function sizePretty(bytes: bigint): string {
  const limit = 10n * 1024n;
  const limit2 = limit * 2n - 1n;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  const halfRounded = (x: bigint): bigint => (x + (x < 0n ? -1n : 1n)) / 2n;
  if (abs(bytes) < limit) return `${bytes} bytes`;
  let size = bytes >> 9n; // one extra bit kept for rounding
  for (const unit of ['kB', 'MB', 'GB']) {
    if (abs(size) < limit2) return `${halfRounded(size)} ${unit}`;
    size >>= 10n;
  }
  return `${halfRounded(size)} TB`;
}

function formatTypeOid(oid: number): string {
  const type = typeOfOid(oid);
  return type === undefined ? String(oid) : formatType(type);
}
