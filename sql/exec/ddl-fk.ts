/**
 * FOREIGN KEY in DDL: resolving `REFERENCES t [(cols)]` against the referenced table's PRIMARY
 * KEY or UNIQUE constraints (PostgreSQL's `transformFkeyGetPrimaryKey` and
 * `transformFkeyCheckAttrs`), writing the constraint on the referencing table and its
 * back-reference on the referenced one in the same transaction, validating existing rows for
 * ALTER TABLE … ADD CONSTRAINT, and what DROP CONSTRAINT, DROP TABLE and TRUNCATE do to them.
 *
 * No index is created on the referencing columns (PostgreSQL does not either): a parent DELETE
 * uses one when the user made it, and scans the child otherwise (fk.ts).
 */
import type * as ast from '../parser/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import { findColumn, foreignKeysOf, referencedByOf, type ForeignKeyBackReference, type ForeignKeyDesc, type IndexDesc, type TableDesc } from '../catalog/descriptors.js';
import { SqlError, undefinedTable, wrongObjectType } from '../catalog/errors.js';
import { displayName, lookupRelation, type NameSettings } from '../catalog/resolve.js';
import { formatType } from '../types/sql-type.js';
import type { Notice } from './contract.js';
import { generatedName, notice } from './ddl-common.js';
import { checkParents, foreignKeyTypesCompatible, ResolvedForeignKey, uniqueIndexOn } from './fk.js';
import { scanNode } from '../plan/planner.js';
import { drain, type Runtime } from './runtime.js';
import { ScanSource } from './scan.js';

type ForeignKeyConstraint = Extract<ast.Constraint, { kind: 'ForeignKey' }>;

/** A FOREIGN KEY as written, with the column it was declared on (a column constraint) or null. */
export interface ForeignKeyDraft {
  readonly constraint: ForeignKeyConstraint;
  readonly column: string | null;
}

/** Every constraint name of `table` (indexes' constraints, CHECKs, foreign keys). */
function constraintNames(table: TableDesc): Set<string> {
  return new Set([table.primaryIndex.name, ...table.secondaryIndexes.filter((index) => index.constraint !== 'none').map((index) => index.name), ...table.checks.map((check) => check.name), ...foreignKeysOf(table).map((fk) => fk.name)]);
}

function missingColumn(name: string): SqlError {
  return new SqlError('42703', `column "${name}" referenced in foreign key constraint does not exist`);
}

/** The referenced table: the table being created itself (a self-reference), or an existing table. */
async function referencedTable(catalog: Catalog, settings: NameSettings, child: TableDesc, schemaName: string, name: ast.QualifiedName): Promise<TableDesc> {
  if (name.name === child.name && (name.schema === null || name.schema === schemaName)) {
    const existing = await catalog.descriptor(child.id);
    if (existing === undefined || existing.kind === 'table') return child;
  }
  const resolved = await lookupRelation(catalog, settings, name);
  if (resolved === undefined) throw undefinedTable(displayName(name));
  if (resolved.entry.id === child.id) return child;
  const descriptor = await catalog.descriptor(resolved.entry.id);
  if (descriptor?.kind !== 'table') throw wrongObjectType(`referenced relation "${name.name}" is not a table`);
  if (descriptor.parentId !== child.parentId) throw new SqlError('0A000', 'cross-database references are not implemented');
  return descriptor;
}

/**
 * The constraint `draft` describes on `child`, checked: the columns exist, are as many as the
 * referenced ones, those are the referenced table's PRIMARY KEY (when not named) or exactly a
 * PRIMARY KEY / UNIQUE constraint (42830), and each pair of types has an equality (42804).
 */
function resolveDraft(child: TableDesc, parent: TableDesc, draft: ForeignKeyDraft, name: string): ForeignKeyDesc {
  const constraint = draft.constraint;
  if (constraint.match === 'partial') throw new SqlError('0A000', 'MATCH PARTIAL not yet implemented');
  const columnNames = draft.column !== null ? [draft.column] : constraint.columns;
  const columns = columnNames.map((columnName) => {
    const column = findColumn(child, columnName);
    if (column === undefined || column.hidden) throw missingColumn(columnName);
    return column;
  });
  let referenced;
  if (constraint.referencedColumns.length === 0) {
    const hasPrimaryKey = !parent.primaryIndex.columns.some((key) => parent.columns.find((column) => column.id === key.columnId)?.hidden === true);
    if (!hasPrimaryKey) throw new SqlError('42704', `there is no primary key for referenced table "${parent.name}"`);
    referenced = parent.primaryIndex.columns.map((key) => parent.columns.find((column) => column.id === key.columnId)!);
  } else {
    referenced = constraint.referencedColumns.map((columnName) => {
      const column = findColumn(parent, columnName);
      if (column === undefined || column.hidden) throw missingColumn(columnName);
      return column;
    });
  }
  if (columns.length !== referenced.length) throw new SqlError('42830', 'number of referencing and referenced columns for foreign key disagree');
  const referencedIds = referenced.map((column) => column.id);
  if (new Set(referencedIds).size !== referencedIds.length || uniqueIndexOn(parent, referencedIds) === undefined) {
    throw new SqlError('42830', `there is no unique constraint matching given keys for referenced table "${parent.name}"`);
  }
  columns.forEach((column, index) => {
    const target = referenced[index]!;
    if (!foreignKeyTypesCompatible(column.type, target.type)) {
      throw new SqlError('42804', `foreign key constraint "${name}" cannot be implemented`, { detail: `Key columns "${column.name}" and "${target.name}" are of incompatible types: ${formatType(column.type)} and ${formatType(target.type)}.` });
    }
  });
  return Object.freeze({ name, columnIds: columns.map((column) => column.id), referencedTableId: parent.id, referencedColumnIds: referencedIds, onDelete: constraint.onDelete, onUpdate: constraint.onUpdate, match: constraint.match });
}

/** PostgreSQL's generated name, `<table>_<col>[_<col>…]_fkey`, made unique among the table's constraints. */
function foreignKeyName(child: TableDesc, draft: ForeignKeyDraft): string {
  const names = constraintNames(child);
  if (draft.constraint.name !== null) {
    if (names.has(draft.constraint.name)) throw new SqlError('42710', `constraint "${draft.constraint.name}" for relation "${child.name}" already exists`);
    return draft.constraint.name;
  }
  const base = generatedName(child.name, draft.column !== null ? [draft.column] : draft.constraint.columns, 'fkey');
  for (let suffix = 0; ; suffix++) {
    const tail = suffix === 0 ? '' : String(suffix);
    const candidate = base.slice(0, 63 - tail.length) + tail;
    if (!names.has(candidate)) return candidate;
  }
}

/**
 * Adds the foreign keys `drafts` to `child` (not yet written: the caller writes the returned
 * descriptor) and writes each other referenced table's descriptor with its back-reference.
 * With `rt`, the child's existing rows are checked first (ALTER TABLE; 23503 on one that does
 * not match).
 */
export async function addForeignKeys(catalog: Catalog, settings: NameSettings, schemaName: string, child: TableDesc, drafts: readonly ForeignKeyDraft[], rt?: Runtime): Promise<TableDesc> {
  let current = child;
  for (const draft of drafts) {
    const parent = await referencedTable(catalog, settings, current, schemaName, draft.constraint.table);
    const self = parent.id === current.id;
    const fk = resolveDraft(current, self ? current : parent, draft, foreignKeyName(current, draft));
    current = { ...current, foreignKeys: [...foreignKeysOf(current), fk] };
    const reference = Object.freeze({ originTableId: current.id, name: fk.name });
    if (self) current = { ...current, referencedBy: [...referencedByOf(current), reference] };
    if (rt !== undefined) await validateRows(rt, new ResolvedForeignKey(current, self ? current : parent, fk), current);
    if (!self) await catalog.writeDescriptor({ ...parent, referencedBy: [...referencedByOf(parent), reference], version: parent.version + 1 });
  }
  return current;
}

/** 23503 if an existing row of the child has no parent (ALTER TABLE … ADD FOREIGN KEY). */
async function validateRows(rt: Runtime, fk: ResolvedForeignKey, child: TableDesc): Promise<void> {
  const rows = (await drain(new ScanSource(scanNode(child, null), rt))).filter((row) => fk.needsCheck(row, rt.ctx));
  await checkParents(rt, fk, rows);
}

/** Removes the constraint from the parent's back-references (the parent is re-read: it may be the table itself). */
async function removeBackReference(catalog: Catalog, child: TableDesc, fk: ForeignKeyDesc): Promise<void> {
  const parent = await catalog.descriptor(fk.referencedTableId);
  if (parent?.kind !== 'table') return;
  const referencedBy = referencedByOf(parent).filter((reference) => !(reference.originTableId === child.id && reference.name === fk.name));
  await catalog.writeDescriptor({ ...parent, referencedBy, version: parent.version + 1 });
}

/**
 * ALTER TABLE … DROP CONSTRAINT of a foreign key: the child without it (not yet written), and
 * the parent without its back-reference (written); undefined if `name` is no foreign key.
 */
export async function dropForeignKey(catalog: Catalog, table: TableDesc, name: string): Promise<TableDesc | undefined> {
  const fk = foreignKeysOf(table).find((candidate) => candidate.name === name);
  if (fk === undefined) return undefined;
  let updated: TableDesc = { ...table, foreignKeys: foreignKeysOf(table).filter((candidate) => candidate !== fk) };
  if (fk.referencedTableId === table.id) updated = { ...updated, referencedBy: referencedByOf(updated).filter((reference) => !(reference.originTableId === table.id && reference.name === name)) };
  else await removeBackReference(catalog, table, fk);
  return updated;
}

/**
 * Before DROP TABLE `table`: its own foreign keys leave their parents' back-references; the
 * foreign keys of other tables that reference it are refused (2BP01), or with CASCADE dropped
 * from those tables (named in `cascaded`, for PostgreSQL's NOTICE). `dropping` are the ids of tables the same
 * statement drops (their references do not count).
 */
export async function detachForeignKeys(catalog: Catalog, table: TableDesc, cascade: boolean, dropping: ReadonlySet<number>, cascaded: string[]): Promise<void> {
  const inbound: ForeignKeyBackReference[] = [];
  for (const reference of referencedByOf(table)) {
    if (reference.originTableId === table.id || dropping.has(reference.originTableId)) continue;
    // A table dropped earlier in the same statement (DROP TABLE child, parent) left its back-reference here.
    if ((await catalog.descriptor(reference.originTableId))?.kind === 'table') inbound.push(reference);
  }
  if (inbound.length > 0 && !cascade) {
    const details: string[] = [];
    for (const reference of inbound) details.push(`constraint ${reference.name} on table ${await tableName(catalog, reference.originTableId)} depends on table ${table.name}`);
    throw new SqlError('2BP01', `cannot drop table ${table.name} because other objects depend on it`, { detail: details.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
  }
  for (const reference of inbound) {
    const child = await catalog.descriptor(reference.originTableId);
    if (child?.kind !== 'table') continue;
    await catalog.writeDescriptor({ ...child, foreignKeys: foreignKeysOf(child).filter((fk) => !(fk.name === reference.name && fk.referencedTableId === table.id)), version: child.version + 1 });
    cascaded.push(`constraint ${reference.name} on table ${child.name}`);
  }
  for (const fk of foreignKeysOf(table)) {
    if (fk.referencedTableId !== table.id && !dropping.has(fk.referencedTableId)) await removeBackReference(catalog, table, fk);
  }
}

async function tableName(catalog: Catalog, id: number): Promise<string> {
  const descriptor = await catalog.descriptor(id);
  return descriptor?.kind === 'table' ? descriptor.name : String(id);
}

/**
 * TRUNCATE's rule: a table referenced by another table's foreign key is truncated only with it
 * (0A000 otherwise), or with CASCADE, which adds the referencing tables (transitively) to the
 * list, with PostgreSQL's NOTICE for each.
 */
export async function truncateClosure(catalog: Catalog, tables: readonly TableDesc[], cascade: boolean): Promise<{ tables: TableDesc[]; notices: Notice[] }> {
  const all = [...tables];
  const notices: Notice[] = [];
  for (let index = 0; index < all.length; index++) {
    const table = all[index]!;
    for (const reference of referencedByOf(table)) {
      if (all.some((candidate) => candidate.id === reference.originTableId)) continue;
      const child = await catalog.descriptor(reference.originTableId);
      if (child?.kind !== 'table') continue;
      if (!cascade) {
        throw new SqlError('0A000', 'cannot truncate a table referenced in a foreign key constraint', { detail: `Table "${child.name}" references "${table.name}".`, hint: `Truncate table "${child.name}" at the same time, or use TRUNCATE ... CASCADE.` });
      }
      all.push(child);
      notices.push(notice(`truncate cascades to table "${child.name}"`));
    }
  }
  return { tables: all, notices };
}

/** The foreign keys referencing `table` (inbound), each with the table it is on (re-read: it may be `table` itself). */
async function inboundForeignKeys(catalog: Catalog, table: TableDesc): Promise<{ child: TableDesc; fk: ForeignKeyDesc }[]> {
  const found: { child: TableDesc; fk: ForeignKeyDesc }[] = [];
  for (const reference of referencedByOf(table)) {
    const child = reference.originTableId === table.id ? table : await catalog.descriptor(reference.originTableId);
    if (child?.kind !== 'table') continue;
    const fk = foreignKeysOf(child).find((candidate) => candidate.name === reference.name && candidate.referencedTableId === table.id);
    if (fk !== undefined) found.push({ child, fk });
  }
  return found;
}

/**
 * Drops the inbound foreign keys `dependents` of `table` (CASCADE of a DROP that they depend on):
 * each child loses its constraint, `table` its back-references; returns `table` as written.
 */
async function dropInbound(catalog: Catalog, table: TableDesc, dependents: readonly { child: TableDesc; fk: ForeignKeyDesc }[], cascaded: string[]): Promise<TableDesc> {
  let current = table;
  for (const { child, fk } of dependents) {
    cascaded.push(`constraint ${fk.name} on table ${child.name}`);
    if (child.id === table.id) current = { ...current, foreignKeys: foreignKeysOf(current).filter((candidate) => candidate.name !== fk.name) };
    else {
      const fresh = await catalog.descriptor(child.id);
      if (fresh?.kind === 'table') await catalog.writeDescriptor({ ...fresh, foreignKeys: foreignKeysOf(fresh).filter((candidate) => !(candidate.name === fk.name && candidate.referencedTableId === table.id)), version: fresh.version + 1 });
    }
    current = { ...current, referencedBy: referencedByOf(current).filter((reference) => !(reference.originTableId === child.id && reference.name === fk.name)) };
  }
  const written = { ...current, version: current.version + 1 };
  await catalog.writeDescriptor(written);
  return written;
}

function dependentsError(what: string, dependents: readonly { child: TableDesc; fk: ForeignKeyDesc }[], on: string): SqlError {
  return new SqlError('2BP01', `cannot drop ${what} because other objects depend on it`, {
    detail: dependents.map(({ child, fk }) => `constraint ${fk.name} on table ${child.name} depends on ${on}`).join('\n'),
    hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  });
}

/**
 * Before dropping unique `index` of `table` (DROP CONSTRAINT, DROP INDEX): the foreign keys that
 * reference exactly its columns, and have no other unique index to stand on, are refused
 * (2BP01) or with CASCADE dropped (named in `cascaded`). Returns `table`, re-written if changed.
 */
export async function releaseReferencedIndex(catalog: Catalog, table: TableDesc, index: IndexDesc, what: string, cascade: boolean, cascaded: string[]): Promise<TableDesc> {
  if (!index.unique || referencedByOf(table).length === 0) return table;
  const without: TableDesc = { ...table, secondaryIndexes: table.secondaryIndexes.filter((candidate) => candidate.id !== index.id) };
  const sameColumns = (ids: readonly number[]): boolean => ids.length === index.columns.length && index.columns.every((column) => ids.includes(column.columnId));
  const dependents = (await inboundForeignKeys(catalog, table)).filter(({ fk }) => sameColumns(fk.referencedColumnIds) && uniqueIndexOn(without, fk.referencedColumnIds) === undefined);
  if (dependents.length === 0) return table;
  if (!cascade) throw dependentsError(what, dependents, `index ${index.name}`);
  return dropInbound(catalog, table, dependents, cascaded);
}

/**
 * Before ALTER TABLE … DROP COLUMN: the table's own foreign keys on the column go with it (as in
 * PostgreSQL, silently), and those of any table that reference it are refused (2BP01) or with
 * CASCADE dropped (named in `cascaded`). Returns `table`, re-written if changed.
 */
export async function releaseColumn(catalog: Catalog, table: TableDesc, columnId: number, cascade: boolean, cascaded: string[]): Promise<TableDesc> {
  let current = table;
  for (const fk of foreignKeysOf(table).filter((candidate) => candidate.columnIds.includes(columnId))) {
    const updated = await dropForeignKey(catalog, current, fk.name);
    if (updated !== undefined) current = { ...updated, version: updated.version + 1 };
    await catalog.writeDescriptor(current);
  }
  const dependents = (await inboundForeignKeys(catalog, current)).filter(({ fk }) => fk.referencedColumnIds.includes(columnId));
  if (dependents.length === 0) return current;
  const column = table.columns.find((candidate) => candidate.id === columnId)!;
  if (!cascade) throw dependentsError(`column ${column.name} of table ${table.name}`, dependents, `column ${column.name} of table ${table.name}`);
  return dropInbound(catalog, current, dependents, cascaded);
}
