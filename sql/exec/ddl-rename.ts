/**
 * ALTER TABLE | INDEX | VIEW | SEQUENCE … RENAME TO, RENAME COLUMN, RENAME CONSTRAINT, with
 * PostgreSQL's errors. A rename writes new descriptors and namespace entries in the statement's
 * transaction (so it commits or rolls back with it), and every write moves the catalog version:
 * a prepared statement planned against the old name is planned again at its next execution
 * (engine.ts), and fails then as PostgreSQL's would if it named the old name.
 *
 * Names inside stored expressions are names, not OIDs: a CHECK that reads a renamed column is
 * rewritten, and so is the `nextval('seq')` default of a column whose owned sequence is renamed.
 * A view keeps its query as text: renaming a relation or column a view reads rewrites the view's
 * text to follow (ddl-view-rename.ts), and so does moving it to another schema, as PostgreSQL's
 * stored rule follows by OID and column number.
 */
import type * as ast from '../parser/ast.js';
import { assert } from '../../src/base/assert.js';
import type { Catalog } from '../catalog/catalog.js';
import { findColumn, type ColumnDesc, type Descriptor, type IndexDesc, type RelationDescriptor, type TableDesc } from '../catalog/descriptors.js';
import { duplicateColumn, duplicateTable, SqlError, undefinedColumn, undefinedObject, undefinedTable, wrongObjectType } from '../catalog/errors.js';
import { displayName, lookupRelation, type NameSettings, type ResolvedRelation } from '../catalog/resolve.js';
import { nextvalCall } from './ddl-create-table.js';
import { followColumnRename, followRelationRename } from './ddl-view-rename.js';
import { notice } from './ddl-common.js';
import type { StatementPlan } from './statement.js';

const tags: Record<ast.Rename['statementType'], string> = { table: 'ALTER TABLE', index: 'ALTER INDEX', view: 'ALTER VIEW', sequence: 'ALTER SEQUENCE' };

export function prepareRename(statement: ast.Rename): StatementPlan {
  const tag = tags[statement.statementType];
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(_rt, exec) {
      const resolved = await lookupRelation(exec.catalog, exec.settings, statement.relation);
      if (resolved === undefined) {
        if (statement.ifExists) return { rows: null, tag: () => tag, notices: [notice(`relation "${displayName(statement.relation)}" does not exist, skipping`)] };
        throw undefinedTable(displayName(statement.relation));
      }
      checkStatementType(statement, resolved);
      const descriptor = await exec.catalog.descriptor(resolved.entry.id);
      if (descriptor === undefined || !isRelation(descriptor)) throw undefinedTable(displayName(statement.relation));
      switch (statement.target) {
        case 'relation':
          await renameRelation(exec.catalog, exec.settings, resolved, descriptor, statement.newName);
          break;
        case 'column':
          await renameColumn(exec.catalog, exec.settings, descriptor, statement.oldName ?? '', statement.newName);
          break;
        case 'constraint':
          await renameConstraint(exec.catalog, descriptor, statement.oldName ?? '', statement.newName);
          break;
        case 'schema':
          await moveToSchema(exec.catalog, exec.settings, resolved, descriptor, statement.newName);
          break;
        default:
          return statement.target satisfies never;
      }
      return { rows: null, tag: () => tag, notices: [] };
    },
  };
}

function isRelation(descriptor: Descriptor): descriptor is RelationDescriptor {
  return descriptor.kind === 'table' || descriptor.kind === 'sequence' || descriptor.kind === 'view';
}

/**
 * PostgreSQL's RangeVarCallbackForAlterRelation: ALTER SEQUENCE and ALTER VIEW insist on their
 * kind (42809); ALTER TABLE and ALTER INDEX rename any relation.
 */
function checkStatementType(statement: ast.Rename, resolved: ResolvedRelation): void {
  const kind = resolved.entry.kind;
  if (statement.statementType === 'sequence' && kind !== 'sequence') throw wrongObjectType(`"${statement.relation.name}" is not a sequence`);
  if (statement.statementType === 'view' && kind !== 'view') throw wrongObjectType(`"${statement.relation.name}" is not a view`);
}

async function renameRelation(catalog: Catalog, settings: NameSettings, resolved: ResolvedRelation, descriptor: RelationDescriptor, newName: string): Promise<void> {
  const { database, schema, entry } = resolved;
  if ((await catalog.lookup(database.id, schema.id, newName)) !== undefined) throw duplicateTable(newName);
  if (entry.kind === 'index') {
    if (descriptor.kind !== 'table') throw undefinedTable(entry.name);
    const index = [descriptor.primaryIndex, ...descriptor.secondaryIndexes].find((candidate) => candidate.name === entry.name);
    if (index === undefined) throw undefinedTable(entry.name);
    await renameIndex(catalog, descriptor, index, newName);
    return;
  }
  // The views reading it are rewritten while its old name still resolves.
  if (descriptor.kind !== 'sequence') await followRelationRename(catalog, settings, descriptor, newName);
  const current = await catalog.descriptor(descriptor.id);
  assert(current !== undefined && isRelation(current), 'a renamed relation exists');
  await catalog.deleteName(database.id, schema.id, descriptor.name);
  await catalog.writeName(database.id, schema.id, newName, descriptor.id, entry.kind);
  await catalog.writeDescriptor({ ...current, name: newName, version: current.version + 1 });
  if (descriptor.kind === 'sequence' && descriptor.ownerTableId !== null) await repointOwnedDefault(catalog, descriptor.ownerTableId, descriptor.id, schema.name, newName);
}

/**
 * SET SCHEMA: the relation's name entry (and its indexes', and its owned sequences', which
 * PostgreSQL moves along) go to the new schema, its descriptor names it. The views that read it
 * are rewritten to name it in its new schema (ddl-view-rename.ts).
 */
async function moveToSchema(catalog: Catalog, settings: NameSettings, resolved: ResolvedRelation, descriptor: RelationDescriptor, schemaName: string): Promise<void> {
  const { database, schema, entry } = resolved;
  if (entry.kind === 'index') throw wrongObjectType(`"${entry.name}" is an index`);
  const target = await catalog.schema(database.id, schemaName);
  if (target === undefined) throw new SqlError('3F000', `schema "${schemaName}" does not exist`);
  if (target.id === schema.id) return; // PostgreSQL: nothing to do
  if (descriptor.kind === 'sequence' && descriptor.ownerTableId !== null) throw new SqlError('0A000', `cannot move an owned sequence into another schema`, { detail: `Sequence "${descriptor.name}" is linked to table "${(await catalog.descriptor(descriptor.ownerTableId))?.name ?? '?'}".` });
  const kind = entry.kind;
  assert(kind === 'table' || kind === 'view' || kind === 'sequence', 'a relation name names a relation');
  const moving: { name: string; id: number; kind: 'table' | 'view' | 'sequence' | 'index' }[] = [{ name: descriptor.name, id: descriptor.id, kind }];
  const owned: RelationDescriptor[] = [];
  if (descriptor.kind === 'table') {
    for (const index of [descriptor.primaryIndex, ...descriptor.secondaryIndexes]) {
      if ((await catalog.lookup(database.id, schema.id, index.name))?.id === descriptor.id) moving.push({ name: index.name, id: descriptor.id, kind: 'index' });
    }
    for (const column of descriptor.columns) {
      const sequence = column.ownedSequenceId === undefined || column.ownedSequenceId === null ? undefined : await catalog.descriptor(column.ownedSequenceId);
      if (sequence?.kind === 'sequence') {
        owned.push(sequence);
        moving.push({ name: sequence.name, id: sequence.id, kind: 'sequence' });
      }
    }
  }
  for (const item of moving) {
    if ((await catalog.lookup(database.id, target.id, item.name)) !== undefined) throw new SqlError('42P07', `relation "${item.name}" already exists in schema "${schemaName}"`);
  }
  // The views reading it are rewritten to name its new schema while its old name still resolves.
  if (descriptor.kind !== 'sequence') await followRelationRename(catalog, settings, descriptor, descriptor.name, schemaName);
  for (const item of moving) {
    await catalog.deleteName(database.id, schema.id, item.name);
    await catalog.writeName(database.id, target.id, item.name, item.id, item.kind);
  }
  for (const sequence of owned) await catalog.writeDescriptor({ ...sequence, schemaId: target.id, version: sequence.version + 1 });
  await catalog.writeDescriptor({ ...descriptor, schemaId: target.id, version: descriptor.version + 1 });
  for (const sequence of owned) await repointOwnedDefault(catalog, descriptor.id, sequence.id, schemaName, sequence.name);
}

/** The SERIAL column's `nextval('old')` default, rewritten to name the sequence's new name. */
async function repointOwnedDefault(catalog: Catalog, tableId: number, sequenceId: number, schemaName: string, sequenceName: string): Promise<void> {
  const table = await catalog.descriptor(tableId);
  if (table?.kind !== 'table') return;
  const columns = table.columns.map((column) =>
    column.ownedSequenceId === sequenceId ? Object.freeze({ ...column, defaultExpr: nextvalCall(schemaName === 'public' ? sequenceName : `${schemaName}.${sequenceName}`) }) : column,
  );
  await catalog.writeDescriptor({ ...table, columns, version: table.version + 1 });
}

/** Renames an index (and the PRIMARY KEY or UNIQUE constraint it backs: they share the name). */
async function renameIndex(catalog: Catalog, table: TableDesc, index: IndexDesc, newName: string): Promise<void> {
  const renamed = Object.freeze({ ...index, name: newName });
  const updated: TableDesc = {
    ...table,
    version: table.version + 1,
    primaryIndex: table.primaryIndex === index ? renamed : table.primaryIndex,
    secondaryIndexes: table.secondaryIndexes.map((candidate) => (candidate === index ? renamed : candidate)),
  };
  await catalog.deleteName(table.parentId, table.schemaId, index.name);
  await catalog.writeName(table.parentId, table.schemaId, newName, table.id, 'index');
  await catalog.writeDescriptor(updated);
}

async function renameColumn(catalog: Catalog, settings: NameSettings, relation: RelationDescriptor, oldName: string, newName: string): Promise<void> {
  if (relation.kind === 'sequence') throw wrongObjectType(`"${relation.name}" is not a table, view, materialized view, composite type, index, or foreign table`);
  if (relation.kind === 'view') {
    const position = relation.columns.findIndex((column) => column.name === oldName);
    if (position < 0) throw undefinedColumn(oldName);
    if (relation.columns.some((column) => column.name === newName)) throw duplicateColumn(newName, relation.name);
    await followColumnRename(catalog, settings, relation, oldName, newName);
    const columns = relation.columns.map((column, index) => (index === position ? Object.freeze({ ...column, name: newName }) : column));
    await catalog.writeDescriptor({ ...relation, columns, version: relation.version + 1 });
    return;
  }
  const column = findColumn(relation, oldName);
  if (column === undefined || column.hidden) throw undefinedColumn(oldName);
  if (findColumn(relation, newName) !== undefined) throw duplicateColumn(newName, relation.name);
  await followColumnRename(catalog, settings, relation, oldName, newName);
  const renamed: ColumnDesc = Object.freeze({ ...column, name: newName });
  const checks = relation.checks.map((check) => Object.freeze({ ...check, expr: renameColumnRefs(check.expr, oldName, newName) }));
  await catalog.writeDescriptor({ ...relation, version: relation.version + 1, columns: relation.columns.map((candidate) => (candidate === column ? renamed : candidate)), checks });
}

/**
 * `expr` with every reference to column `oldName` pointing at `newName` (a CHECK expression reads
 * only its own table's columns, so any `c` or `t.c` is the renamed column).
 */
export function renameColumnRefs(expr: ast.Expr, oldName: string, newName: string): ast.Expr {
  const visit = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(visit);
    const record = node as Record<string, unknown>;
    if (record['kind'] === 'ColumnRef') {
      const path = record['path'] as readonly string[];
      if (path[path.length - 1] === oldName) return { ...record, path: [...path.slice(0, -1), newName] };
      return record;
    }
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(record)) copy[key] = visit(record[key]);
    return copy;
  };
  return visit(expr) as ast.Expr;
}

async function renameConstraint(catalog: Catalog, relation: RelationDescriptor, oldName: string, newName: string): Promise<void> {
  if (relation.kind !== 'table') throw wrongObjectType(`"${relation.name}" is not a table`);
  const index = [relation.primaryIndex, ...relation.secondaryIndexes].find((candidate) => candidate.name === oldName && candidate.constraint !== 'none');
  if (index !== undefined) {
    if ((await catalog.lookup(relation.parentId, relation.schemaId, newName)) !== undefined) throw duplicateTable(newName);
    await renameIndex(catalog, relation, index, newName);
    return;
  }
  const check = relation.checks.find((candidate) => candidate.name === oldName);
  if (check === undefined) throw undefinedObject(`constraint "${oldName}" for table "${relation.name}" does not exist`);
  const taken = relation.checks.some((candidate) => candidate.name === newName) || [relation.primaryIndex, ...relation.secondaryIndexes].some((candidate) => candidate.constraint !== 'none' && candidate.name === newName);
  if (taken) throw new SqlError('42710', `constraint "${newName}" for relation "${relation.name}" already exists`);
  const checks = relation.checks.map((candidate) => (candidate === check ? Object.freeze({ ...candidate, name: newName }) : candidate));
  await catalog.writeDescriptor({ ...relation, checks, version: relation.version + 1 });
}
