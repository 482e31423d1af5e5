/**
 * Catalog descriptors: what a database, schema, table or sequence is, as stored under
 * `descriptorKey(id)` (versioned: every change writes `version + 1`). Tables extend the row
 * codec's `TableDescriptor` (sql/rowcodec/table.ts) with what SQL needs on top: hidden columns,
 * DEFAULT and CHECK expressions (kept as our AST, which is plain data), index constraint kinds,
 * and the id counters that make column and index ids never reused.
 *
 * Encoding: JSON, with types as `format_type` text (`character varying(10)`, read back by
 * `parseTypeName`), datums as their text form, bigints as strings. Descriptors are small and read
 * rarely (the engine caches them by catalog version), so a readable format beats a compact one:
 * `SHOW` and debugging can print them as they are.
 */
import { assert } from '../../src/base/assert.js';
import type { Direction } from '../../kv/api/index.js';
import type { Expr, ReferentialAction } from '../parser/ast.js';
import type { Datum } from '../types/datum.js';
import { formatText, parseText } from '../types/text-io.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import { parseTypeName } from '../types/resolve.js';
import type { ColumnDescriptor, IndexDescriptor, TableDescriptor } from '../rowcodec/table.js';

export interface DatabaseDescriptor {
  readonly kind: 'database';
  readonly id: number;
  readonly name: string;
  readonly version: number;
}

export interface SchemaDescriptor {
  readonly kind: 'schema';
  readonly id: number;
  readonly name: string;
  readonly parentId: number;
  readonly version: number;
  /** COMMENT ON SCHEMA (absent: none). */
  readonly comment?: string;
}

/**
 * A view that reads a table or view (CockroachDB's `DependedOnBy`, PostgreSQL's pg_depend rows of
 * a view's rule): kept on the referenced descriptor so that DROP, DROP COLUMN, RENAME and ALTER
 * COLUMN TYPE of what the view reads find the view without scanning every descriptor.
 */
export interface DependentView {
  readonly viewId: number;
  /** The ids of the columns the view's query may use (every column a `*` expanded to, or its names matched). */
  readonly columnIds: readonly number[];
}

export interface ColumnDesc extends ColumnDescriptor {
  /** The hidden `rowid` of a table without a primary key: not in `*`, not in INSERT's default list. */
  readonly hidden: boolean;
  /** DEFAULT, as our AST (null: none). */
  readonly defaultExpr: Expr | null;
  /** The sequence a SERIAL or identity column owns (dropped with the column's table). */
  readonly ownedSequenceId: number | null;
  /**
   * GENERATED ALWAYS | BY DEFAULT AS IDENTITY (absent: not an identity column). The column's
   * `defaultExpr` is then its owned sequence's nextval — how INSERT fills it — but the catalogs
   * show no default (PostgreSQL keeps no pg_attrdef row for an identity), and INSERT refuses a
   * value for an ALWAYS column without OVERRIDING SYSTEM VALUE (428C9), UPDATE any but DEFAULT.
   */
  readonly identity?: 'always' | 'by default';
  /** COMMENT ON COLUMN (absent: none). */
  readonly comment?: string;
}

export interface IndexDesc extends IndexDescriptor {
  readonly columns: readonly { readonly columnId: number; readonly direction: Direction }[];
  /** Whether the index backs a PRIMARY KEY or UNIQUE constraint (`t_pkey`, `t_a_key`), or is a plain index. */
  readonly constraint: 'primary' | 'unique' | 'none';
  /** COMMENT ON INDEX (absent: none). */
  readonly comment?: string;
  /**
   * The number its pg_catalog OID is made from (sql/vtables/snapshot.ts), when not its id: the
   * id it had before TRUNCATE moved it to a new id, so its OID stays what it was (PostgreSQL
   * keeps an index's OID across TRUNCATE). Absent: its id.
   */
  readonly oidSlot?: number;
}

export interface CheckDesc {
  readonly name: string;
  readonly expr: Expr;
}

/**
 * A FOREIGN KEY of the table it is stored on (the referencing, "origin" table): its columns must
 * match a row of `referencedTableId`'s PRIMARY KEY or UNIQUE constraint on `referencedColumnIds`
 * (same order as `columnIds`). The referenced table stores a back-reference
 * (`ForeignKeyBackReference`), CockroachDB's inbound FK: a DELETE on the parent finds the
 * constraints it must act on from its own descriptor, without reading every table's.
 */
export interface ForeignKeyDesc {
  readonly name: string;
  readonly columnIds: readonly number[];
  readonly referencedTableId: number;
  readonly referencedColumnIds: readonly number[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
  /** MATCH SIMPLE: a NULL in any column skips the check; MATCH FULL: all NULL or none. */
  readonly match: 'simple' | 'full';
}

/** The referenced side of a foreign key: the constraint `name` stored on table `originTableId`. */
export interface ForeignKeyBackReference {
  readonly originTableId: number;
  readonly name: string;
}

export interface TableDesc extends TableDescriptor {
  readonly kind: 'table';
  readonly parentId: number;
  readonly schemaId: number;
  readonly version: number;
  readonly columns: readonly ColumnDesc[];
  readonly primaryIndex: IndexDesc;
  readonly secondaryIndexes: readonly IndexDesc[];
  readonly checks: readonly CheckDesc[];
  /** Outbound foreign keys (absent in descriptors written before foreign keys existed: none). */
  readonly foreignKeys?: readonly ForeignKeyDesc[];
  /** Inbound foreign keys: the constraints of other tables (or this one) that reference this table. */
  readonly referencedBy?: readonly ForeignKeyBackReference[];
  readonly nextColumnId: number;
  readonly nextIndexId: number;
  /** COMMENT ON TABLE (absent: none). */
  readonly comment?: string;
  /** The views that read this table (absent: none). */
  readonly dependedOnBy?: readonly DependentView[];
}

/** A view's output column: its name and type, fixed when the view was created (as PostgreSQL's pg_attribute rows of a view). */
export interface ViewColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly comment?: string;
}

/** What a view reads: a table or view, and that relation's `nextColumnId` when the view was created. */
export interface ViewDependency {
  readonly id: number;
  /** Columns with this id or above were added after the view: a `*` in its query must not pick them up. */
  readonly nextColumnId: number;
}

/**
 * A view: PostgreSQL's `_RETURN` rule kept as the CREATE VIEW statement's text, parsed and planned
 * again at each use (the rule expanded into the referencing query), with the output columns fixed
 * at creation (CREATE OR REPLACE may only append columns).
 */
export interface ViewDesc {
  readonly kind: 'view';
  readonly id: number;
  readonly name: string;
  readonly parentId: number;
  readonly schemaId: number;
  readonly version: number;
  /** The CREATE VIEW statement (its query is what the view runs). */
  readonly definition: string;
  /**
   * The search_path the view was created under: its unqualified names are resolved through it at
   * every use, as PostgreSQL's rule, bound at creation, would have them (absent: the user's own).
   */
  readonly searchPath?: readonly string[];
  readonly columns: readonly ViewColumn[];
  readonly dependsOn: readonly ViewDependency[];
  readonly dependedOnBy?: readonly DependentView[];
  readonly comment?: string;
}

export interface SequenceDesc {
  readonly kind: 'sequence';
  readonly id: number;
  readonly name: string;
  readonly parentId: number;
  readonly schemaId: number;
  readonly version: number;
  readonly start: bigint;
  readonly increment: bigint;
  readonly minValue: bigint;
  readonly maxValue: bigint;
  /** The table whose SERIAL column owns it (dropped with that table), or null. */
  readonly ownerTableId: number | null;
  readonly comment?: string;
}

export type Descriptor = DatabaseDescriptor | SchemaDescriptor | TableDesc | SequenceDesc | ViewDesc;
export type RelationDescriptor = TableDesc | SequenceDesc | ViewDesc;

const text = new TextEncoder();
const untext = new TextDecoder();

interface StoredColumn {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly missing?: string;
  readonly hidden: boolean;
  readonly defaultExpr: Expr | null;
  readonly ownedSequenceId: number | null;
  readonly identity?: 'always' | 'by default';
  readonly comment?: string;
}

function storeColumn(column: ColumnDesc): StoredColumn {
  const missing = column.missingValue === undefined || column.missingValue === null ? {} : { missing: formatText(column.type, column.missingValue) };
  const comment = column.comment === undefined ? {} : { comment: column.comment };
  return { id: column.id, name: column.name, type: formatType(column.type), nullable: column.nullable, ...missing, hidden: column.hidden, defaultExpr: column.defaultExpr, ownedSequenceId: column.ownedSequenceId, ...(column.identity === undefined ? {} : { identity: column.identity }), ...comment };
}

function loadColumn(stored: StoredColumn): ColumnDesc {
  const type: SqlType = parseTypeName(stored.type).type;
  const missingValue: Datum | undefined = stored.missing === undefined ? undefined : parseText(type, stored.missing);
  const comment = stored.comment === undefined ? {} : { comment: stored.comment };
  return Object.freeze({ id: stored.id, name: stored.name, type, nullable: stored.nullable, ...(missingValue === undefined ? {} : { missingValue }), hidden: stored.hidden, defaultExpr: stored.defaultExpr, ownedSequenceId: stored.ownedSequenceId, ...(stored.identity === undefined ? {} : { identity: stored.identity }), ...comment });
}

interface StoredViewColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** The descriptor's stored bytes. */
export function encodeDescriptor(descriptor: Descriptor): Uint8Array {
  switch (descriptor.kind) {
    case 'table':
      return text.encode(JSON.stringify({ ...descriptor, columns: descriptor.columns.map(storeColumn) }));
    case 'sequence':
      return text.encode(JSON.stringify({ ...descriptor, start: String(descriptor.start), increment: String(descriptor.increment), minValue: String(descriptor.minValue), maxValue: String(descriptor.maxValue) }));
    case 'view':
      return text.encode(JSON.stringify({ ...descriptor, columns: descriptor.columns.map((column): StoredViewColumn => ({ ...column, type: formatType(column.type) })) }));
    default:
      return text.encode(JSON.stringify(descriptor));
  }
}

/** Reads back what `encodeDescriptor` wrote (frozen). */
export function decodeDescriptor(bytes: Uint8Array): Descriptor {
  const raw = JSON.parse(untext.decode(bytes)) as Record<string, unknown> & { kind: Descriptor['kind'] };
  switch (raw.kind) {
    case 'table': {
      const stored = raw as unknown as Omit<TableDesc, 'columns'> & { columns: StoredColumn[] };
      return Object.freeze({ ...stored, columns: Object.freeze(stored.columns.map(loadColumn)) }) as TableDesc;
    }
    case 'sequence': {
      const stored = raw as unknown as Record<'start' | 'increment' | 'minValue' | 'maxValue', string> & Omit<SequenceDesc, 'start' | 'increment' | 'minValue' | 'maxValue'>;
      return Object.freeze({ ...stored, start: BigInt(stored.start), increment: BigInt(stored.increment), minValue: BigInt(stored.minValue), maxValue: BigInt(stored.maxValue) });
    }
    case 'view': {
      const stored = raw as unknown as Omit<ViewDesc, 'columns'> & { columns: StoredViewColumn[] };
      const columns = stored.columns.map((column): ViewColumn => Object.freeze({ ...column, type: parseTypeName(column.type).type }));
      return Object.freeze({ ...stored, columns: Object.freeze(columns) });
    }
    case 'database':
    case 'schema':
      return Object.freeze(raw as unknown as Descriptor);
    default:
      assert(false, () => `unknown descriptor kind ${String(raw.kind)}`);
  }
}

/** The visible columns of a table, in order (what `*` expands to). */
export function visibleColumns(table: TableDesc): readonly ColumnDesc[] {
  return table.columns.filter((column) => !column.hidden);
}

/** Every index of the table, primary first. */
export function allIndexes(table: TableDesc): readonly IndexDesc[] {
  return [table.primaryIndex, ...table.secondaryIndexes];
}

/** The column named `name`, or undefined. */
export function findColumn(table: TableDesc, name: string): ColumnDesc | undefined {
  return table.columns.find((column) => column.name === name);
}

/** The table's foreign keys (outbound). */
export function foreignKeysOf(table: TableDesc): readonly ForeignKeyDesc[] {
  return table.foreignKeys ?? [];
}

/** The foreign keys that reference the table (inbound). */
export function referencedByOf(table: TableDesc): readonly ForeignKeyBackReference[] {
  return table.referencedBy ?? [];
}

/** Whether a write to the table has foreign keys to check or act on (the fast path of every DML is `false`). */
export function hasForeignKeys(table: TableDesc): boolean {
  return (table.foreignKeys?.length ?? 0) > 0 || (table.referencedBy?.length ?? 0) > 0;
}
