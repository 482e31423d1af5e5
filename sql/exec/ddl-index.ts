/**
 * CREATE INDEX (backfilled in the statement's transaction by scanning the primary index) and
 * DROP INDEX. A unique index whose backfill finds a duplicate fails as PostgreSQL does: 23505
 * `could not create unique index "i"`, DETAIL `Key (a)=(1) is duplicated.`
 */
import type * as ast from '../parser/ast.js';
import { putRequest, type Request } from '../../kv/api/index.js';
import type { IndexDesc, TableDesc } from '../catalog/descriptors.js';
import { dependentObjects, duplicateTable, SqlError, undefinedColumn, undefinedObject, wrongObjectType } from '../catalog/errors.js';
import { displayName, lookupRelation, resolveTable } from '../catalog/resolve.js';
import { keyEncodable, missingBtreeOperatorClass } from '../rowcodec/key-datum.js';
import { RowCodec } from '../rowcodec/row-codec.js';
import { scanNode } from '../plan/planner.js';
import type { Datum } from '../types/datum.js';
import { formatText } from '../types/text-io.js';
import type { Notice } from './contract.js';
import { deleteIndexData, generatedName, notice, uniqueRelationName } from './ddl-common.js';
import { drain, type Runtime } from './runtime.js';
import { ScanSource } from './scan.js';
import type { ExecContext, StatementPlan } from './statement.js';
import { releaseReferencedIndex } from './ddl-fk.js';

const backfillRequestsMax = 2048;

/** Every row of `table`, read through its primary index in `rt`'s transaction. */
export async function readAllRows(table: TableDesc, rt: Runtime): Promise<Datum[][]> {
  return drain(new ScanSource(scanNode(table, null), rt));
}

/** Writes `index`'s entries for every row of `table` (now described by `updated`), checking uniqueness. */
export async function backfillIndex(updated: TableDesc, index: IndexDesc, rows: readonly Datum[][], rt: Runtime): Promise<void> {
  const codec = new RowCodec(updated);
  const seen = new Map<string, readonly Datum[]>();
  let requests: Request[] = [];
  for (const row of rows) {
    const entry = codec.indexEntry(index.id, row);
    if (entry.unique) {
      const id = Buffer.from(entry.key).toString('latin1');
      if (seen.has(id)) throw duplicateInIndex(updated, index, row, rt);
      seen.set(id, row);
    }
    requests.push(putRequest(entry.key, entry.value));
    if (requests.length >= backfillRequestsMax) {
      await rt.txn.batch(requests);
      requests = [];
    }
  }
  if (requests.length > 0) await rt.txn.batch(requests);
}

export function duplicateInIndex(table: TableDesc, index: IndexDesc, row: readonly Datum[], rt: Runtime): SqlError {
  const columns = index.columns.map((column) => table.columns.findIndex((candidate) => candidate.id === column.columnId));
  const names = columns.map((position) => table.columns[position]!.name).join(', ');
  const values = columns.map((position) => formatText(table.columns[position]!.type, row[position] ?? null, rt.ctx.textContext)).join(', ');
  return new SqlError('23505', `could not create unique index "${index.name}"`, { detail: `Key (${names})=(${values}) is duplicated.` });
}

export function prepareCreateIndex(statement: ast.CreateIndex): StatementPlan {
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(rt, exec) {
      const notices = await createIndex(rt, exec, statement);
      return { rows: null, tag: () => 'CREATE INDEX', notices };
    },
  };
}

async function createIndex(rt: Runtime, exec: ExecContext, statement: ast.CreateIndex): Promise<Notice[]> {
  const { catalog, settings } = exec;
  if (statement.where !== null) throw new SqlError('0A000', 'partial indexes are not supported yet');
  if (statement.include.length > 0) throw new SqlError('0A000', 'INCLUDE is not supported yet');
  if (statement.method !== 'btree') throw new SqlError('0A000', `access method "${statement.method}" is not supported`);
  const table = await resolveTable(catalog, settings, statement.table);
  const columns = statement.columns.map((element) => {
    if (element.column === null) throw new SqlError('0A000', 'expression indexes are not supported yet');
    const column = table.columns.find((candidate) => candidate.name === element.column && !candidate.hidden) ?? table.columns.find((candidate) => candidate.name === element.column);
    if (column === undefined) throw undefinedColumn(element.column);
    const noOperatorClass = missingBtreeOperatorClass(column.type);
    if (noOperatorClass !== undefined) throw undefinedObject(noOperatorClass);
    if (!keyEncodable(column.type)) throw new SqlError('0A000', `column ${column.name} of type ${column.type.kind} cannot be indexed yet`);
    if (element.nulls !== 'default') throw new SqlError('0A000', 'NULLS FIRST/LAST in an index is not supported yet');
    return { columnId: column.id, direction: element.direction === 'desc' ? ('descending' as const) : ('ascending' as const), name: column.name };
  });
  let name = statement.name;
  if (name !== null && (await catalog.lookup(table.parentId, table.schemaId, name)) !== undefined) {
    if (statement.ifNotExists) return [notice(`relation "${name}" already exists, skipping`, '42P07')];
    throw duplicateTable(name);
  }
  name ??= await uniqueRelationName(catalog, table.parentId, table.schemaId, generatedName(table.name, columns.map((column) => column.name), 'idx'));
  const index: IndexDesc = { id: table.nextIndexId, name, unique: statement.unique, columns: columns.map(({ columnId, direction }) => ({ columnId, direction })), constraint: 'none' };
  await addIndex(rt, exec, table, index);
  return [];
}

/** Adds `index` to `table`: descriptor, name, backfill. */
export async function addIndex(rt: Runtime, exec: ExecContext, table: TableDesc, index: IndexDesc): Promise<TableDesc> {
  const updated: TableDesc = { ...table, version: table.version + 1, secondaryIndexes: [...table.secondaryIndexes, index], nextIndexId: Math.max(table.nextIndexId, index.id + 1) };
  // The descriptor first: its intent claims the new index id before any entry is written under
  // it, so a concurrent ADD PRIMARY KEY (which locks the descriptor, then clears and bulk-writes
  // the spans of the next ids: backfill.ts) waits for us instead of meeting our entries' intents.
  await exec.catalog.writeDescriptor(updated);
  const rows = await readAllRows(table, rt);
  await backfillIndex(updated, index, rows, rt);
  await exec.catalog.writeName(table.parentId, table.schemaId, index.name, table.id, 'index');
  return updated;
}

/** Removes `index` from `table`: data, name, descriptor. */
export async function removeIndex(exec: ExecContext, table: TableDesc, index: IndexDesc): Promise<TableDesc> {
  await deleteIndexData(exec.catalog, table, index);
  await exec.catalog.deleteName(table.parentId, table.schemaId, index.name);
  const updated: TableDesc = { ...table, version: table.version + 1, secondaryIndexes: table.secondaryIndexes.filter((candidate) => candidate.id !== index.id) };
  await exec.catalog.writeDescriptor(updated);
  return updated;
}

/**
 * DROP INDEX: an index a UNIQUE or PRIMARY KEY constraint owns is refused (2BP01); a unique index
 * a foreign key stands on is refused too, or with CASCADE taken with the foreign keys (named in
 * `cascaded` for the statement's notice), as PostgreSQL drops the dependent constraints.
 */
export async function dropIndex(exec: ExecContext, name: ast.QualifiedName, ifExists: boolean, cascade = false, cascaded: string[] = []): Promise<Notice | undefined> {
  const resolved = await lookupRelation(exec.catalog, exec.settings, name);
  if (resolved === undefined) {
    if (ifExists) return notice(`index "${displayName(name)}" does not exist, skipping`);
    throw undefinedObject(`index "${displayName(name)}" does not exist`);
  }
  if (resolved.entry.kind !== 'index') throw wrongObjectType(`"${name.name}" is not an index`);
  const table = await exec.catalog.descriptor(resolved.entry.id);
  if (table?.kind !== 'table') throw undefinedObject(`index "${displayName(name)}" does not exist`);
  if (table.primaryIndex.name === name.name) throw dependentObjects(`cannot drop index ${name.name} because constraint ${name.name} on table ${table.name} requires it`);
  const index = table.secondaryIndexes.find((candidate) => candidate.name === name.name);
  if (index === undefined) throw undefinedObject(`index "${displayName(name)}" does not exist`);
  if (index.constraint !== 'none') throw new SqlError('2BP01', `cannot drop index ${name.name} because constraint ${name.name} on table ${table.name} requires it`, { hint: `You can drop constraint ${name.name} on table ${table.name} instead.` });
  // A UNIQUE index a foreign key stands on (CREATE UNIQUE INDEX, then REFERENCES t (cols)): 2BP01, or CASCADE.
  await removeIndex(exec, await releaseReferencedIndex(exec.catalog, table, index, `index ${index.name}`, cascade, cascaded), index);
  return undefined;
}
