/**
 * COMMENT ON TABLE | VIEW | INDEX | SEQUENCE | COLUMN | SCHEMA … IS 'text' | NULL. A comment lives
 * in its object's descriptor (PostgreSQL keeps it in pg_description, keyed by the object's OID):
 * it is transactional with the rest of the catalog, goes away with its object, and pg_description,
 * `obj_description` and `col_description` read it from the catalog snapshot.
 */
import type * as ast from '../parser/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Descriptor } from '../catalog/descriptors.js';
import { SqlError, undefinedColumn, undefinedSchema, undefinedTable, wrongObjectType } from '../catalog/errors.js';
import { currentDatabase, displayName, lookupRelation } from '../catalog/resolve.js';
import type { SessionSettings } from './contract.js';
import type { StatementPlan } from './statement.js';

/** Longest comment accepted (PostgreSQL's limit is a text value's 1 GB; a descriptor should stay small). */
const commentBytesMax = 64 * 1024;

export function prepareComment(statement: ast.Comment): StatementPlan {
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(_rt, exec) {
      if (statement.comment !== null && new TextEncoder().encode(statement.comment).length > commentBytesMax) {
        throw new SqlError('54000', `comment is too long (${commentBytesMax} bytes at most)`);
      }
      await comment(exec.catalog, exec.settings, statement);
      return { rows: null, tag: () => 'COMMENT', notices: [] };
    },
  };
}

/** `descriptor` with its comment set to `text` (null: removed). */
function withComment<T extends { readonly comment?: string }>(descriptor: T, text: string | null): T {
  const { comment: _old, ...rest } = descriptor;
  return (text === null ? rest : { ...rest, comment: text }) as T;
}

async function comment(catalog: Catalog, settings: SessionSettings, statement: ast.Comment): Promise<void> {
  const text = statement.comment;
  if (statement.objectType === 'schema') {
    const database = await currentDatabase(catalog, settings);
    const schema = await catalog.schema(database.id, statement.object.name);
    if (schema === undefined) throw undefinedSchema(statement.object.name);
    await catalog.writeDescriptor({ ...withComment(schema, text), version: schema.version + 1 });
    return;
  }
  const resolved = await lookupRelation(catalog, settings, statement.object);
  if (resolved === undefined) {
    if (statement.objectType === 'index') throw new SqlError('42P01', `relation "${displayName(statement.object)}" does not exist`);
    throw undefinedTable(displayName(statement.object));
  }
  const descriptor = await catalog.descriptor(resolved.entry.id);
  if (descriptor === undefined) throw undefinedTable(displayName(statement.object));
  const kind = resolved.entry.kind;
  const name = statement.object.name;
  switch (statement.objectType) {
    case 'table':
    case 'view':
    case 'sequence': {
      if (kind !== statement.objectType || descriptor.kind !== statement.objectType) throw wrongObjectType(`"${name}" is not a ${statement.objectType}`);
      await catalog.writeDescriptor({ ...withComment(descriptor, text), version: descriptor.version + 1 });
      return;
    }
    case 'index': {
      if (kind !== 'index' || descriptor.kind !== 'table') throw wrongObjectType(`"${name}" is not an index`);
      const table = descriptor;
      const rewrite = <I extends { readonly name: string; readonly comment?: string }>(index: I): I => (index.name === name ? Object.freeze(withComment(index, text)) : index);
      return write(catalog, table, () => ({ ...table, primaryIndex: rewrite(table.primaryIndex), secondaryIndexes: table.secondaryIndexes.map(rewrite) }));
    }
    case 'column':
      return commentColumn(catalog, descriptor, kind, name, statement.column ?? '', text);
    default:
      return statement.objectType satisfies never;
  }
}

async function commentColumn(catalog: Catalog, descriptor: Descriptor, kind: string, relation: string, columnName: string, text: string | null): Promise<void> {
  if (descriptor.kind === 'table' && kind === 'table') {
    const column = descriptor.columns.find((candidate) => candidate.name === columnName && !candidate.hidden);
    if (column === undefined) throw undefinedColumn(columnName, relation);
    return write(catalog, descriptor, (table) => ({ ...table, columns: table.columns.map((candidate) => (candidate === column ? Object.freeze(withComment(column, text)) : candidate)) }));
  }
  if (descriptor.kind === 'view') {
    const position = descriptor.columns.findIndex((candidate) => candidate.name === columnName);
    if (position < 0) throw undefinedColumn(columnName, relation);
    return write(catalog, descriptor, (view) => ({ ...view, columns: view.columns.map((candidate, index) => (index === position ? Object.freeze(withComment(candidate, text)) : candidate)) }));
  }
  throw wrongObjectType(`"${relation}" is not a table, view, materialized view, composite type, or foreign table`);
}

async function write<D extends Descriptor & { readonly version: number }>(catalog: Catalog, descriptor: D, change: (descriptor: D) => D): Promise<void> {
  await catalog.writeDescriptor({ ...change(descriptor), version: descriptor.version + 1 });
}
