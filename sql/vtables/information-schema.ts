/**
 * `information_schema`: the SQL standard's views of the catalog, as PostgreSQL 15 computes them
 * (its `information_schema.sql`), for ORMs and migration tools (knex, kysely, drizzle, Flyway,
 * Liquibase), which read tables, columns, keys and sequences from here rather than from
 * `pg_catalog`. Rows are computed from the same catalog snapshot as `pg_catalog` (snapshot.ts),
 * so the two always agree.
 *
 * The column types are the standard's domains over PostgreSQL's types: `sql_identifier` is
 * `name`, `character_data` and `yes_or_no` are `character varying`, `cardinal_number` is
 * `integer`. Where PostgreSQL derives a value from its own OIDs (the names of the NOT NULL
 * constraints, `<schema oid>_<table oid>_<attnum>_not_null`), rangedb uses its own OIDs, so such
 * names differ from a PostgreSQL database's. Views are listed as rangedb has them: not updatable.
 *
 * Like PostgreSQL, `tables` and `columns` list the system relations too (of `pg_catalog` and of
 * this schema), which is why tools filter on `table_schema`.
 */
import type { ColumnDesc, SequenceDesc, TableDesc, ViewDesc } from '../catalog/descriptors.js';
import { hasUpdatableColumn, viewDefinition as viewCreateStatement, viewDefinitionQuery, viewUpdatability } from '../plan/view-updatable.js';
import type { Datum } from '../types/datum.js';
import { formatType, intervalTypmodParts, type SqlType } from '../types/sql-type.js';
import { deparseCheck, deparseDefault } from './deparse.js';
import { positionsInUniqueConstraint, referentialConstraintRows } from './foreign-keys.js';
import { pgCatalogOid, type CatalogSnapshot, type ForeignKeyEntry } from './snapshot.js';
import { attnums, columnsReferenced, isVisibleIndex, virtualTables, type VirtualTable } from './tables.js';
import { columns } from './types.js';
import { viewDefinition } from './views.js';

/** The OID PostgreSQL 15 gives `information_schema` in a fresh cluster varies; rangedb fixes one. */
export const informationSchemaOid = 13_000;

const yes = (condition: boolean): string => (condition ? 'YES' : 'NO');

/** PostgreSQL's `_pg_char_max_length`: the declared length of char(n)/varchar(n), else null. */
function charMaxLength(type: SqlType): number | null {
  return type.kind === 'varchar' || type.kind === 'bpchar' ? (type.length ?? null) : null;
}

/** PostgreSQL's `_pg_char_octet_length` in a UTF8 database: 4 bytes a character, 1 GiB when unbounded. */
function charOctetLength(type: SqlType): number | null {
  if (type.kind === 'text') return 1_073_741_824;
  if (type.kind !== 'varchar' && type.kind !== 'bpchar') return null;
  return type.length === undefined ? 1_073_741_824 : type.length * 4;
}

/** `_pg_numeric_precision`, `_pg_numeric_precision_radix` and `_pg_numeric_scale`. */
function numericFacts(type: SqlType): readonly [number | null, number | null, number | null] {
  switch (type.kind) {
    case 'int2':
      return [16, 2, 0];
    case 'int4':
      return [32, 2, 0];
    case 'int8':
      return [64, 2, 0];
    case 'float4':
      return [24, 2, null];
    case 'float8':
      return [53, 2, null];
    case 'numeric':
      return [type.precision ?? null, 10, type.precision === undefined ? null : (type.scale ?? 0)];
    default:
      return [null, null, null];
  }
}

/** `_pg_datetime_precision`: fractional digits of date/time types (6 when not declared). */
function datetimePrecision(type: SqlType): number | null {
  switch (type.kind) {
    case 'date':
      return 0;
    case 'timestamp':
    case 'timestamptz':
      return type.precision ?? 6;
    case 'interval': {
      const { precision } = intervalTypmodParts(type);
      return precision > 6 ? 6 : precision;
    }
    default:
      return null;
  }
}

/** `data_type`: `format_type(oid, NULL)` for a built-in type, `ARRAY` for an array. */
function dataType(type: SqlType): string {
  if (type.kind === 'array') return 'ARRAY';
  if (type.kind === 'bpchar') return 'character';
  return formatType(type.typmod === -1 ? type : plainType(type));
}

/** The type without its modifier, as `format_type(oid, NULL)` sees it. */
function plainType(type: SqlType): SqlType {
  switch (type.kind) {
    case 'numeric':
      return { ...type, typmod: -1, precision: undefined, scale: undefined } as SqlType;
    case 'varchar':
      return { ...type, typmod: -1, length: undefined } as SqlType;
    case 'timestamp':
    case 'timestamptz':
      return { ...type, typmod: -1, precision: undefined } as SqlType;
    case 'interval':
      return { ...type, typmod: -1 } as SqlType;
    default:
      return type;
  }
}

/** `udt_name`: the type's `typname` (`int4`, `varchar`, `_int4` for an array of int4). */
function udtName(type: SqlType): string {
  if (type.kind === 'array') return `_${udtName(type.element)}`;
  return type.kind;
}

interface UserColumn {
  readonly table: TableDesc;
  readonly column: ColumnDesc;
  readonly attnum: number;
}

/** Every visible column of the user's tables, with its attribute number. */
function userColumns(snapshot: CatalogSnapshot): UserColumn[] {
  const out: UserColumn[] = [];
  for (const table of snapshot.tables) {
    const numbers = attnums(table);
    for (const column of table.columns) {
      const attnum = numbers.get(column.id);
      if (attnum !== undefined) out.push({ table, column, attnum });
    }
  }
  return out;
}

const schemaName = (snapshot: CatalogSnapshot, schemaId: number): string => snapshot.schema(schemaId)?.name ?? '';

/** The name PostgreSQL 15 gives the CHECK that stands for a NOT NULL column in these views. */
const notNullName = (table: TableDesc, attnum: number): string => `${table.schemaId}_${table.id}_${attnum}_not_null`;

/** The columns named by a PRIMARY KEY or UNIQUE index, in key order. */
function keyColumns(table: TableDesc, columnIds: readonly number[]): string[] {
  return columnIds.flatMap((id) => {
    const column = table.columns.find((candidate) => candidate.id === id);
    return column === undefined || column.hidden ? [] : [column.name];
  });
}

function schemataRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  const schemas = [
    { name: 'pg_catalog', owner: 'root' },
    { name: 'information_schema', owner: 'root' },
    ...snapshot.schemas.filter((schema) => schema.oid !== pgCatalogOid).map((schema) => ({ name: schema.name, owner: schema.name === 'public' ? 'pg_database_owner' : 'root' })),
  ];
  return schemas.map((schema) => [database, schema.name, schema.owner, null, null, null, null]);
}

function tableRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  const rows: Datum[][] = snapshot.tables.map((table) => [database, schemaName(snapshot, table.schemaId), table.name, 'BASE TABLE', null, null, null, null, null, 'YES', 'NO', null]);
  // A view is insertable into when it is automatically updatable with a column to write (sql/plan/view-updatable.ts).
  for (const view of snapshot.views) rows.push([database, schemaName(snapshot, view.schemaId), view.name, 'VIEW', null, null, null, null, null, yes(viewWrites(snapshot, view).insert), 'NO', null]);
  for (const [name, table] of Object.entries(virtualTables)) rows.push(systemTableRow(database, 'pg_catalog', name, table));
  for (const [name, table] of Object.entries(informationSchemaTables)) rows.push(systemTableRow(database, 'information_schema', name, table));
  return rows;
}

/** The writes an automatically updatable view takes (PostgreSQL's relation_is_updatable), through views it reads. */
interface ViewWrites {
  readonly insert: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

const noWrites: ViewWrites = { insert: false, update: false, delete: false };

function viewWrites(snapshot: CatalogSnapshot, view: ViewDesc, depth = 0): ViewWrites {
  if (depth > viewWritesDepthMax) return noWrites;
  const query = viewDefinitionQuery(view.definition);
  const from = query.kind === 'Select' && query.from.length === 1 && query.from[0]!.kind === 'TableRef' ? query.from[0] : undefined;
  const base = from === undefined ? undefined : snapshotRelation(snapshot, view, from.name);
  if (base === undefined) return noWrites;
  const dependency = view.dependsOn.find((candidate) => candidate.id === base.id);
  const starColumns = base.kind === 'view' ? base.columns.map((column) => column.name) : base.columns.filter((column) => !column.hidden && (dependency === undefined || column.id < dependency.nextColumnId)).map((column) => column.name);
  const shape = viewUpdatability(query, view.columns.length, () => starColumns.slice(0, view.columns.length));
  if (!shape.updatable) return noWrites;
  const writable = hasUpdatableColumn(shape);
  const own: ViewWrites = { insert: writable, update: writable, delete: true };
  if (base.kind === 'table') return own;
  const below = viewWrites(snapshot, base, depth + 1);
  return { insert: own.insert && below.insert, update: own.update && below.update, delete: own.delete && below.delete };
}

/** How deep views over views are followed (views.ts's nesting limit). */
const viewWritesDepthMax = 32;

/** The table or view `name` names for `view` (its schema, else the view's search path at creation). */
function snapshotRelation(snapshot: CatalogSnapshot, view: ViewDesc, name: { readonly schema: string | null; readonly name: string }): TableDesc | ViewDesc | undefined {
  const schemaIds = name.schema !== null ? [snapshot.schemaNamed(name.schema)?.oid] : (view.searchPath ?? snapshot.settings.searchPath).map((raw) => snapshot.schemaNamed(raw.replace(/^"|"$/g, ''))?.oid);
  for (const schemaId of schemaIds) {
    if (schemaId === undefined) continue;
    const relation = snapshot.tables.find((table) => table.schemaId === schemaId && table.name === name.name) ?? snapshot.views.find((candidate) => candidate.schemaId === schemaId && candidate.name === name.name);
    if (relation !== undefined) return relation;
  }
  return undefined;
}

function systemTableRow(database: string, schema: string, name: string, table: VirtualTable): Datum[] {
  const view = table.relkind === 'v';
  return [database, schema, name, view ? 'VIEW' : 'BASE TABLE', null, null, null, null, null, yes(!view), 'NO', null];
}

function columnRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  const rows = userColumns(snapshot).map(({ table, column, attnum }) => {
    if (column.identity !== undefined) {
      const sequence = snapshot.sequences.find((candidate) => candidate.id === column.ownedSequenceId);
      const identity = sequence === undefined ? null : { generation: column.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT', start: sequence.start, increment: sequence.increment, max: sequence.maxValue, min: sequence.minValue };
      return columnRow(database, schemaName(snapshot, table.schemaId), table.name, column.name, attnum, column.type, column.nullable, null, true, identity);
    }
    return columnRow(database, schemaName(snapshot, table.schemaId), table.name, column.name, attnum, column.type, column.nullable, column.defaultExpr === null ? null : deparseDefault(table, column.defaultExpr, column.type));
  });
  for (const view of snapshot.views) {
    view.columns.forEach((column, index) => rows.push(columnRow(database, schemaName(snapshot, view.schemaId), view.name, column.name, index + 1, column.type, true, null, false)));
  }
  for (const [tableName, table] of Object.entries(virtualTables)) {
    table.columns.forEach(([name, type], index) => rows.push(columnRow(database, 'pg_catalog', tableName, name, index + 1, type, true, null)));
  }
  for (const [tableName, table] of Object.entries(informationSchemaTables)) {
    table.columns.forEach(([name, type], index) => rows.push(columnRow(database, 'information_schema', tableName, name, index + 1, type, true, null)));
  }
  return rows;
}

/** An identity column's facts for information_schema.columns (its generation and its sequence's settings). */
interface IdentityFacts {
  readonly generation: string;
  readonly start: bigint;
  readonly increment: bigint;
  readonly max: bigint;
  readonly min: bigint;
}

function columnRow(database: string, schema: string, table: string, name: string, attnum: number, type: SqlType, nullable: boolean, defaultText: string | null, updatable = true, identity: IdentityFacts | null = null): Datum[] {
  const [precision, radix, scale] = numericFacts(type);
  return [
    database, schema, table, name, attnum, defaultText, yes(nullable), dataType(type),
    charMaxLength(type), charOctetLength(type), precision, radix, scale, datetimePrecision(type),
    type.kind === 'interval' && type.typmod !== -1 ? intervalFieldsName(type) : null, null,
    null, null, null,
    null, null, null,
    null, null, null,
    database, 'pg_catalog', udtName(type),
    null, null, null, null, String(attnum),
    'NO', identity === null ? 'NO' : 'YES', identity?.generation ?? null,
    identity === null ? null : String(identity.start), identity === null ? null : String(identity.increment), identity === null ? null : String(identity.max), identity === null ? null : String(identity.min),
    'NO', 'NEVER', null, yes(updatable),
  ];
}

/** `interval_type`: the declared fields of an interval column (`DAY TO SECOND`), null for none. */
function intervalFieldsName(type: SqlType): string | null {
  const printed = formatType(type);
  const match = /^interval (.+?)(\(\d\))?$/.exec(printed);
  return match === null ? null : match[1]!.toUpperCase();
}

interface ConstraintRow {
  readonly table: TableDesc;
  readonly name: string;
  readonly type: 'PRIMARY KEY' | 'UNIQUE' | 'CHECK' | 'FOREIGN KEY';
  /** Key columns (PRIMARY KEY, UNIQUE), or the columns a CHECK reads. */
  readonly keys: readonly string[];
  /** For CHECK: its clause as `check_constraints.check_clause` prints it. */
  readonly clause: string | null;
  /** Whether it is the CHECK standing for a NOT NULL column. */
  readonly notNull: boolean;
  /** For FOREIGN KEY: the constraint, with what it references. */
  readonly foreign?: ForeignKeyEntry;
}

/** The constraints of the user's tables: keys and CHECKs from the snapshot, plus one CHECK per NOT NULL column. */
function constraintRows(snapshot: CatalogSnapshot): ConstraintRow[] {
  const rows: ConstraintRow[] = [];
  for (const entry of snapshot.constraints) {
    const table = entry.table;
    if (entry.kind === 'index') {
      if (!isVisibleIndex(table, entry.index)) continue; // the hidden rowid's key: PostgreSQL has no such constraint
      const type = entry.index.constraint === 'primary' ? 'PRIMARY KEY' : 'UNIQUE';
      rows.push({ table, name: entry.index.name, type, keys: keyColumns(table, entry.index.columns.map((key) => key.columnId)), clause: null, notNull: false });
    } else if (entry.kind === 'foreign') {
      rows.push({ table, name: entry.fk.name, type: 'FOREIGN KEY', keys: keyColumns(table, entry.fk.columnIds), clause: null, notNull: false, foreign: entry });
    } else {
      const check = table.checks[entry.number - 1]!;
      const keys = [...new Set(columnsReferenced(check.expr))].filter((name) => table.columns.some((column) => column.name === name && !column.hidden));
      rows.push({ table, name: check.name, type: 'CHECK', keys, clause: `((${deparseCheck(table, check.expr)}))`, notNull: false });
    }
  }
  for (const { table, column, attnum } of userColumns(snapshot)) {
    if (!column.nullable) rows.push({ table, name: notNullName(table, attnum), type: 'CHECK', keys: [column.name], clause: `${column.name} IS NOT NULL`, notNull: true });
  }
  return rows;
}

function tableConstraintRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  return constraintRows(snapshot).map((c) => {
    const schema = schemaName(snapshot, c.table.schemaId);
    return [database, schema, c.name, database, schema, c.table.name, c.type, 'NO', 'NO', 'YES', c.type === 'UNIQUE' ? 'YES' : null];
  });
}

function keyColumnUsageRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  return constraintRows(snapshot)
    .filter((c) => c.type !== 'CHECK')
    .flatMap((c) => {
      const schema = schemaName(snapshot, c.table.schemaId);
      const positions = c.foreign === undefined ? null : positionsInUniqueConstraint(c.foreign);
      return c.keys.map((name, index) => [database, schema, c.name, database, schema, c.table.name, name, index + 1, positions?.[index] ?? null]);
    });
}

/** The columns each key or CHECK constraint uses (PostgreSQL leaves out the NOT NULL checks). */
function constraintColumnUsageRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  return constraintRows(snapshot)
    .filter((c) => !c.notNull)
    .flatMap((c) => {
      const schema = schemaName(snapshot, c.table.schemaId);
      if (c.foreign !== undefined) {
        // A foreign key uses the referenced table's columns (PostgreSQL's confrelid/confkey).
        const referenced = c.foreign.referenced;
        const names = keyColumns(referenced, c.foreign.fk.referencedColumnIds);
        return names.map((name) => [database, schemaName(snapshot, referenced.schemaId), referenced.name, name, database, schema, c.name]);
      }
      return c.keys.map((name) => [database, schema, c.table.name, name, database, schema, c.name]);
    });
}

function checkConstraintRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  return constraintRows(snapshot)
    .filter((c) => c.type === 'CHECK')
    .map((c) => [database, schemaName(snapshot, c.table.schemaId), c.name, c.clause]);
}

function sequenceRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  return snapshot.sequences.map((sequence) => {
    const [type, precision] = sequenceType(snapshot, sequence);
    return [database, schemaName(snapshot, sequence.schemaId), sequence.name, type, precision, 2, 0, String(sequence.start), String(sequence.minValue), String(sequence.maxValue), String(sequence.increment), 'NO'];
  });
}

/**
 * A sequence's type: a SERIAL's is its column's (`serial` makes an `integer` sequence, as
 * PostgreSQL's `CREATE SEQUENCE … AS integer`); a sequence of its own is `bigint`.
 */
function sequenceType(snapshot: CatalogSnapshot, sequence: SequenceDesc): readonly [string, number] {
  const owner = snapshot.tables.find((table) => table.id === sequence.ownerTableId);
  const column = owner?.columns.find((candidate) => candidate.ownedSequenceId === sequence.id);
  if (column?.type.kind === 'int2') return ['smallint', 16];
  if (column?.type.kind === 'int4') return ['integer', 32];
  return ['bigint', 64];
}


const identifiers = (names: string): string =>
  names
    .split(' ')
    .map((name) => `${name} name`)
    .join(', ');

/** The views of `information_schema` rangedb has, by name, with PostgreSQL 15's columns in order. */
export const informationSchemaTables: Readonly<Record<string, VirtualTable>> = {
  schemata: {
    oid: 13_001,
    relkind: 'v',
    columns: columns(`${identifiers('catalog_name schema_name schema_owner default_character_set_catalog default_character_set_schema default_character_set_name')}, sql_path character varying`),
    rows: schemataRows,
  },
  tables: {
    oid: 13_002,
    relkind: 'v',
    columns: columns(
      `${identifiers('table_catalog table_schema table_name')}, table_type character varying, self_referencing_column_name name, reference_generation character varying, ${identifiers('user_defined_type_catalog user_defined_type_schema user_defined_type_name')}, is_insertable_into character varying, is_typed character varying, commit_action character varying`,
    ),
    rows: tableRows,
  },
  columns: {
    oid: 13_003,
    relkind: 'v',
    columns: columns(
      [
        identifiers('table_catalog table_schema table_name column_name'),
        'ordinal_position integer, column_default character varying, is_nullable character varying, data_type character varying',
        'character_maximum_length integer, character_octet_length integer, numeric_precision integer, numeric_precision_radix integer, numeric_scale integer, datetime_precision integer',
        'interval_type character varying, interval_precision integer',
        identifiers('character_set_catalog character_set_schema character_set_name collation_catalog collation_schema collation_name domain_catalog domain_schema domain_name udt_catalog udt_schema udt_name scope_catalog scope_schema scope_name'),
        'maximum_cardinality integer, dtd_identifier name, is_self_referencing character varying, is_identity character varying, identity_generation character varying',
        'identity_start character varying, identity_increment character varying, identity_maximum character varying, identity_minimum character varying, identity_cycle character varying',
        'is_generated character varying, generation_expression character varying, is_updatable character varying',
      ].join(', '),
    ),
    rows: columnRows,
  },
  table_constraints: {
    oid: 13_004,
    relkind: 'v',
    columns: columns(
      `${identifiers('constraint_catalog constraint_schema constraint_name table_catalog table_schema table_name')}, constraint_type character varying, is_deferrable character varying, initially_deferred character varying, enforced character varying, nulls_distinct character varying`,
    ),
    rows: tableConstraintRows,
  },
  key_column_usage: {
    oid: 13_005,
    relkind: 'v',
    columns: columns(`${identifiers('constraint_catalog constraint_schema constraint_name table_catalog table_schema table_name column_name')}, ordinal_position integer, position_in_unique_constraint integer`),
    rows: keyColumnUsageRows,
  },
  constraint_column_usage: {
    oid: 13_006,
    relkind: 'v',
    columns: columns(identifiers('table_catalog table_schema table_name column_name constraint_catalog constraint_schema constraint_name')),
    rows: constraintColumnUsageRows,
  },
  check_constraints: {
    oid: 13_007,
    relkind: 'v',
    columns: columns(`${identifiers('constraint_catalog constraint_schema constraint_name')}, check_clause character varying`),
    rows: checkConstraintRows,
  },
  referential_constraints: {
    oid: 13_008,
    relkind: 'v',
    columns: columns(`${identifiers('constraint_catalog constraint_schema constraint_name unique_constraint_catalog unique_constraint_schema unique_constraint_name')}, match_option character varying, update_rule character varying, delete_rule character varying`),
    rows: referentialConstraintRows,
  },
  sequences: {
    oid: 13_009,
    relkind: 'v',
    columns: columns(
      `${identifiers('sequence_catalog sequence_schema sequence_name')}, data_type character varying, numeric_precision integer, numeric_precision_radix integer, numeric_scale integer, start_value character varying, minimum_value character varying, maximum_value character varying, increment character varying, cycle_option character varying`,
    ),
    rows: sequenceRows,
  },
  views: {
    oid: 13_010,
    relkind: 'v',
    columns: columns(
      `${identifiers('table_catalog table_schema table_name')}, view_definition character varying, check_option character varying, is_updatable character varying, is_insertable_into character varying, is_trigger_updatable character varying, is_trigger_deletable character varying, is_trigger_insertable_into character varying`,
    ),
    rows: (snapshot) =>
      snapshot.views.map((view) => {
        // is_updatable: UPDATE and DELETE both (PostgreSQL's pg_relation_is_updatable(oid) & 20 = 20).
        const writes = viewWrites(snapshot, view);
        const checkOption = viewCreateStatement(view.definition).checkOption?.toUpperCase() ?? 'NONE';
        return [snapshot.settings.database, schemaName(snapshot, view.schemaId), view.name, viewDefinition(snapshot, view.id), checkOption, yes(writes.update && writes.delete), yes(writes.insert), 'NO', 'NO', 'NO'];
      }),
  },
};
