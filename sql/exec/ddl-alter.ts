/**
 * ALTER TABLE: ADD/DROP COLUMN (no rewrite: old rows read the added column's `missingValue`, a
 * dropped column's entries are skipped by id), ADD PRIMARY KEY on a table keyed by its hidden
 * `rowid` (bulk-backfilled into new indexes, backfill.ts: pgbench -i does this), ADD UNIQUE /
 * CHECK, DROP CONSTRAINT, SET/DROP DEFAULT, SET/DROP NOT NULL.
 */
import type * as ast from '../parser/ast.js';
import { assert } from '../../src/base/assert.js';
import { lessEq } from '../../clock/timestamp.js';
import { descriptorKey, getRequest, indexPrefix, keyMax, prefixEnd } from '../../kv/api/index.js';
import type { ColumnDesc, IndexDesc, TableDesc } from '../catalog/descriptors.js';
import { findColumn } from '../catalog/descriptors.js';
import { duplicateColumn, duplicateTable, invalidTableDefinition, SqlError, undefinedColumn, undefinedObject } from '../catalog/errors.js';
import { displayName, lookupTableOrUndefined } from '../catalog/resolve.js';
import { keyEncodable, missingBtreeOperatorClass } from '../rowcodec/key-datum.js';
import { RowCodec } from '../rowcodec/row-codec.js';
import { ExprCompiler } from '../plan/expr/compile.js';
import { tableScope } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import type { Datum } from '../types/datum.js';
import type { Notice } from './contract.js';
import { generatedName, notice, uniqueRelationName } from './ddl-common.js';
import { deleteIndexesAfterCommit, IndexBackfiller, scanSnapshot } from './backfill.js';
import { referencedColumns, resolveColumnType, validateExpressions } from './ddl-create-table.js';
import { addIndex, duplicateInIndex, readAllRows, removeIndex } from './ddl-index.js';
import { addForeignKeys, dropForeignKey, releaseColumn, releaseReferencedIndex, type ForeignKeyDraft } from './ddl-fk.js';
import { ScanSource } from './scan.js';
import { alterColumnType } from './ddl-alter-type.js';
import { addIdentityColumn } from './ddl-add-identity.js';
import { dropDependentViews, refuseDependents } from './ddl-view.js';
import { scanNode } from '../plan/planner.js';
import type { Runtime } from './runtime.js';
import type { ExecContext, StatementPlan } from './statement.js';

export function prepareAlterTable(statement: ast.AlterTable): StatementPlan {
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(rt, exec) {
      const table = await lookupTableOrUndefined(exec.catalog, exec.settings, statement.table);
      if (table === undefined) {
        if (statement.ifExists) return { rows: null, tag: () => 'ALTER TABLE', notices: [notice(`relation "${displayName(statement.table)}" does not exist, skipping`)] };
        throw new SqlError('42P01', `relation "${displayName(statement.table)}" does not exist`);
      }
      let current = table;
      const notices: Notice[] = [];
      const after: AfterCommit[] = [];
      for (const command of statement.commands) current = await alter(rt, exec, current, command, notices, after);
      return { rows: null, tag: () => 'ALTER TABLE', notices, ...(after.length === 0 ? {} : { afterCommit: runAll(after) }) };
    },
  };
}

/** Work a command asks to run once the statement's transaction committed. */
type AfterCommit = () => Promise<void>;

function runAll(work: readonly AfterCommit[]): AfterCommit {
  return async () => {
    for (const run of work) await run();
  };
}

async function write(exec: ExecContext, table: TableDesc): Promise<TableDesc> {
  const updated = { ...table, version: table.version + 1 };
  await exec.catalog.writeDescriptor(updated);
  return updated;
}

function replaceColumn(table: TableDesc, column: ColumnDesc): TableDesc {
  return { ...table, columns: table.columns.map((candidate) => (candidate.id === column.id ? Object.freeze(column) : candidate)) };
}

function columnOrThrow(table: TableDesc, name: string): ColumnDesc {
  const column = findColumn(table, name);
  if (column === undefined || column.hidden) throw undefinedColumn(name, table.name);
  return column;
}

async function hasNulls(table: TableDesc, column: ColumnDesc, rt: Runtime): Promise<boolean> {
  const position = table.columns.indexOf(column);
  return (await readAllRows(table, rt)).some((row) => row[position] === null);
}

async function alter(rt: Runtime, exec: ExecContext, table: TableDesc, command: ast.AlterTableCommand, notices: Notice[], after: AfterCommit[]): Promise<TableDesc> {
  switch (command.kind) {
    case 'AddColumn':
      return addColumn(rt, exec, table, command, notices);
    case 'DropColumn':
      return dropColumn(exec, table, command, notices);
    case 'AddConstraint':
      return addConstraint(rt, exec, table, command.constraint, after);
    case 'DropConstraint':
      return dropConstraint(exec, table, command, notices);
    case 'SetDefault': {
      const column = columnOrThrow(table, command.column);
      // An identity column's nextval is its identity, not a default to replace (ATExecColumnDefault).
      if (column.identity !== undefined) throw new SqlError('42601', `column "${column.name}" of relation "${table.name}" is an identity column`, command.default === null ? { hint: 'Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.' } : {});
      const updated = replaceColumn(table, { ...column, defaultExpr: command.default });
      await validateExpressions(exec, updated);
      return write(exec, updated);
    }
    case 'SetNotNull': {
      const column = columnOrThrow(table, command.column);
      if (!column.nullable) return table;
      if (await hasNulls(table, column, rt)) throw new SqlError('23502', `column "${column.name}" of relation "${table.name}" contains null values`);
      return write(exec, replaceColumn(table, { ...column, nullable: false }));
    }
    case 'DropNotNull': {
      const column = columnOrThrow(table, command.column);
      if (table.primaryIndex.columns.some((indexColumn) => indexColumn.columnId === column.id)) throw invalidTableDefinition(`column "${column.name}" is in a primary key`);
      if (column.identity !== undefined) throw new SqlError('42601', `column "${column.name}" of relation "${table.name}" is an identity column`);
      return write(exec, replaceColumn(table, { ...column, nullable: true }));
    }
    case 'AlterColumnType':
      return alterColumnType(rt, exec, table, command);
    default:
      return command satisfies never;
  }
}

async function addColumn(rt: Runtime, exec: ExecContext, table: TableDesc, command: Extract<ast.AlterTableCommand, { kind: 'AddColumn' }>, notices: Notice[]): Promise<TableDesc> {
  const definition = command.column;
  if (findColumn(table, definition.name) !== undefined) {
    if (command.ifNotExists) {
      notices.push(notice(`column "${definition.name}" of relation "${table.name}" already exists, skipping`, '42701'));
      return table;
    }
    throw duplicateColumn(definition.name, table.name);
  }
  const { type, serial } = resolveColumnType(definition.type);
  if (serial) throw new SqlError('0A000', 'adding a SERIAL column is not supported yet');
  let column: ColumnDesc = { id: table.nextColumnId, name: definition.name, type, nullable: true, hidden: false, defaultExpr: null, ownedSequenceId: null };
  const foreignKeys: ForeignKeyDraft[] = [];
  let identity: Extract<ast.Constraint, { kind: 'Identity' }> | undefined;
  for (const constraint of definition.constraints) {
    if (constraint.kind === 'ForeignKey') foreignKeys.push({ constraint, column: definition.name });
    else if (constraint.kind === 'Identity') {
      if (identity !== undefined) throw new SqlError('42601', `multiple identity specifications for column "${definition.name}" of table "${table.name}"`);
      identity = constraint;
    }
    else if (constraint.kind === 'NotNull') column = { ...column, nullable: false };
    else if (constraint.kind === 'Null') column = { ...column, nullable: true };
    else if (constraint.kind === 'Default') column = { ...column, defaultExpr: constraint.expr };
    else throw new SqlError('0A000', `${constraint.kind} in ADD COLUMN is not supported yet`);
  }
  if (identity !== undefined) {
    // A sequence of its own and every existing row numbered (ddl-add-identity.ts).
    const numbered = await addIdentityColumn(rt, exec, table, await schemaNameOf(exec, table), column, identity);
    const updated = foreignKeys.length === 0 ? numbered : await addForeignKeys(exec.catalog, exec.settings, await schemaNameOf(exec, table), numbered, foreignKeys, rt);
    await validateExpressions(exec, updated);
    return write(exec, updated);
  }
  if (column.defaultExpr !== null) {
    // The default of the rows that exist now, evaluated once (PostgreSQL's attmissingval; a
    // volatile default such as now() is therefore the same for every existing row).
    const compiled = await new ExprCompiler(Scope.empty, []).compileAs(column.defaultExpr, type, 'assignment', `column "${column.name}"`);
    const value: Datum = compiled.eval([], rt.ctx);
    if (value !== null) column = { ...column, missingValue: value };
  }
  if (!column.nullable && column.missingValue === undefined && (await readAllRows(table, rt)).length > 0) {
    throw new SqlError('23502', `column "${column.name}" of relation "${table.name}" contains null values`);
  }
  const added: TableDesc = { ...table, columns: [...table.columns, Object.freeze(column)], nextColumnId: table.nextColumnId + 1 };
  const updated = foreignKeys.length === 0 ? added : await addForeignKeys(exec.catalog, exec.settings, await schemaNameOf(exec, table), added, foreignKeys, rt);
  await validateExpressions(exec, updated);
  return write(exec, updated);
}

async function dropColumn(exec: ExecContext, table: TableDesc, command: Extract<ast.AlterTableCommand, { kind: 'DropColumn' }>, notices: Notice[]): Promise<TableDesc> {
  const column = findColumn(table, command.column);
  if (column === undefined || column.hidden) {
    if (command.ifExists) {
      notices.push(notice(`column "${command.column}" of relation "${table.name}" does not exist, skipping`));
      return table;
    }
    throw undefinedColumn(command.column, table.name);
  }
  if (table.primaryIndex.columns.some((indexColumn) => indexColumn.columnId === column.id)) throw new SqlError('0A000', `cannot drop column ${column.name} because it is part of the primary key`);
  if (!command.cascade) await refuseDependents(exec.catalog, table, `column ${column.name} of table ${table.name}`, [column.id]);
  const cascaded: string[] = [];
  await dropDependentViews(exec.catalog, table, cascaded, [column.id]);
  for (const view of cascaded) notices.push(notice(`drop cascades to ${view}`));
  // Dropping the views rewrote this table's descriptor (their back-references): continue from it.
  let current = cascaded.length === 0 ? table : ((await exec.catalog.descriptor(table.id)) as TableDesc);
  const constraintsDropped: string[] = [];
  current = await releaseColumn(exec.catalog, current, column.id, command.cascade, constraintsDropped);
  for (const constraint of constraintsDropped) notices.push(notice(`drop cascades to ${constraint}`));
  for (const index of table.secondaryIndexes) {
    if (index.columns.some((indexColumn) => indexColumn.columnId === column.id)) current = await removeIndex(exec, current, index);
  }
  const checks = current.checks.filter((check) => !referencedColumns(check.expr).includes(column.name));
  return write(exec, { ...current, columns: current.columns.filter((candidate) => candidate.id !== column.id), checks });
}

async function addConstraint(rt: Runtime, exec: ExecContext, table: TableDesc, constraint: ast.Constraint, after: AfterCommit[]): Promise<TableDesc> {
  switch (constraint.kind) {
    case 'PrimaryKey':
      return addPrimaryKey(rt, exec, table, constraint.columns, constraint.name, after);
    case 'Unique': {
      const columns = constraint.columns.map((name) => columnOrThrow(table, name));
      // A UNIQUE constraint is a btree index: json and jsonpath have no operator class for one (42704).
      const noOperatorClass = columns.map((column) => missingBtreeOperatorClass(column.type)).find((reason) => reason !== undefined);
      if (noOperatorClass !== undefined) throw undefinedObject(noOperatorClass);
      const name = constraint.name ?? (await uniqueRelationName(exec.catalog, table.parentId, table.schemaId, generatedName(table.name, constraint.columns, 'key')));
      if ((await exec.catalog.lookup(table.parentId, table.schemaId, name)) !== undefined) throw duplicateTable(name);
      const index: IndexDesc = { id: table.nextIndexId, name, unique: true, columns: columns.map((column) => ({ columnId: column.id, direction: 'ascending' })), constraint: 'unique' };
      return addIndex(rt, exec, table, index);
    }
    case 'Check': {
      const name = constraint.name ?? generatedName(table.name, referencedColumns(constraint.expr).slice(0, 1), 'check');
      if (table.checks.some((check) => check.name === name)) throw new SqlError('42710', `constraint "${name}" for relation "${table.name}" already exists`);
      const updated: TableDesc = { ...table, checks: [...table.checks, { name, expr: constraint.expr }] };
      const predicate = await new ExprCompiler(tableScope(updated, updated.name), []).compilePredicate(constraint.expr, 'CHECK');
      for (const row of await readAllRows(table, rt)) {
        if (predicate.eval(row, rt.ctx) === false) throw new SqlError('23514', `check constraint "${name}" of relation "${table.name}" is violated by some row`);
      }
      return write(exec, updated);
    }
    case 'ForeignKey':
      return write(exec, await addForeignKeys(exec.catalog, exec.settings, await schemaNameOf(exec, table), table, [{ constraint, column: null }], rt));
    default:
      throw new SqlError('0A000', `ADD CONSTRAINT ${constraint.kind} is not supported`);
  }
}

async function schemaNameOf(exec: ExecContext, table: TableDesc): Promise<string> {
  const schema = await exec.catalog.descriptor(table.schemaId);
  return schema?.name ?? 'public';
}

/**
 * Re-keys a table that has only its hidden rowid key by `columns`. ALTER TABLE is transactional:
 * a duplicate or NULL key, or a rollback, leaves the table as it was.
 *
 * The rows are rebuilt by the bulk index backfiller (backfill.ts, where the argument for its
 * correctness lives): the old primary index is scanned page by page in this transaction
 * (`ScanSource`), and each chunk of `sqlBackfillChunkRowsMax` rows is written under **new**
 * index ids — the primary index and every secondary index, which end in the primary key — as one
 * non-transactional batch: no intents to lay down and resolve, one Raft proposal per chunk, and
 * no more than a chunk of rows in memory whatever the table's size. Each new primary key is a
 * conditional put expecting no value, so a duplicate fails in the store (23505 "could not create
 * unique index"). The transaction itself writes only the descriptor that switches to the new
 * ids (and the backfiller's fence) — the table stays readable, and other tables unaffected, while
 * the backfill runs; the old indexes' data is deleted after the commit.
 */
async function addPrimaryKey(rt: Runtime, exec: ExecContext, table: TableDesc, names: readonly string[], explicitName: string | null, after: AfterCommit[]): Promise<TableDesc> {
  const rowid = table.columns.find((column) => column.hidden && table.primaryIndex.columns.length === 1 && table.primaryIndex.columns[0]!.columnId === column.id);
  if (rowid === undefined) throw invalidTableDefinition(`multiple primary keys for table "${table.name}" are not allowed`);
  const columns = names.map((name) => columnOrThrow(table, name));
  for (const column of columns) {
    const noOperatorClass = missingBtreeOperatorClass(column.type);
    if (noOperatorClass !== undefined) throw undefinedObject(noOperatorClass);
    if (!keyEncodable(column.type)) throw new SqlError('0A000', `column ${column.name} of type ${column.type.kind} cannot be part of a primary key yet`);
  }
  const pkName = explicitName ?? table.primaryIndex.name;
  if (explicitName !== null && explicitName !== table.primaryIndex.name && (await exec.catalog.lookup(table.parentId, table.schemaId, explicitName)) !== undefined) throw duplicateTable(explicitName);
  const positions = columns.map((column) => table.columns.indexOf(column));
  // New ids for every index: the old ones stay intact, and readable, until the commit.
  const primaryIndex: IndexDesc = { id: table.nextIndexId, name: pkName, unique: true, columns: columns.map((column) => ({ columnId: column.id, direction: 'ascending' })), constraint: 'primary' };
  const secondaryIndexes = table.secondaryIndexes.map((index, i) => Object.freeze({ ...index, id: table.nextIndexId + 1 + i }));
  const updated: TableDesc = {
    ...table,
    version: table.version + 1,
    columns: table.columns.filter((column) => column.id !== rowid.id).map((column) => (positions.includes(table.columns.indexOf(column)) ? Object.freeze({ ...column, nullable: false }) : column)),
    primaryIndex,
    secondaryIndexes,
    nextIndexId: table.nextIndexId + 1 + secondaryIndexes.length,
  };
  // A transaction that has written nothing yet reads the rows outside itself (`scanSnapshot`),
  // then adds the old primary index's span to its read set (`Txn.recordRead`), so its commit
  // refreshes the span up to the commit timestamp: a write to the old index since fails the
  // commit (40001, and the retry backfills again), and the refresh leaves the timestamp cache at
  // the commit timestamp over it, so a transaction that still writes with the old descriptor
  // after the commit is pushed above it, where its own refresh meets the new catalog version and
  // fails. (Without the span in the read set the snapshot protected the old index only up to the
  // snapshot: such a writer was pushed just above it, below the commit, refreshed cleanly, and
  // its committed row was cleared with the old index — review H2 of session 8; with the catalog
  // lease, writers that never read the version lost rows the same way, H1.) A read in the
  // transaction instead costs a refresh of everything read so far after each page once the
  // descriptor write was pushed above the lease: 18× slower at pgbench -i -s 2. Its descriptor,
  // written first, holds an intent on the catalog version that keeps new statements out until
  // the commit. One that has written (an explicit block) may have rows of its own in the table:
  // it reads them in the transaction, locking the descriptor instead, and refreshes the whole
  // scan at commit. Either way one backfill of this table runs at a time: the descriptor is
  // locked or written before the spans are cleared.
  const ownWrites = rt.txn.transaction.sequence > 0;
  if (ownWrites) await rt.txn.batch([getRequest(descriptorKey(table.id), 'exclusive')]);
  else await exec.catalog.writeDescriptor(updated);
  const backfiller = new IndexBackfiller(exec.deps, updated, new RowCodec(updated), [primaryIndex.id, ...secondaryIndexes.map((index) => index.id)], (row) => duplicateInIndex(updated, primaryIndex, row, rt));
  await backfiller.clear();
  const keyColumns = positions.map((position, index) => ({ position, name: columns[index]!.name }));
  const rowidPosition = table.columns.indexOf(rowid);
  try {
    if (ownWrites) await backfillRows(rt, table, backfiller, keyColumns, rowidPosition);
    else {
      const readTimestamp = rt.txn.transaction.readTimestamp;
      const snapshot = await scanSnapshot(exec.deps, table, new RowCodec(table), rt.cancel, readTimestamp, (rows) => addRows(table, backfiller, rows, keyColumns, rowidPosition));
      // Recorded as read at the transaction's read timestamp: the snapshot must be at or above it.
      assert(lessEq(rt.txn.transaction.readTimestamp, snapshot), 'the snapshot is at or above the read timestamp its span is recorded at');
      const prefix = indexPrefix(table.id, table.primaryIndex.id);
      rt.txn.recordRead(prefix, prefixEnd(prefix, keyMax));
    }
    await backfiller.flush();
  } catch (error) {
    // The entries written so far are unreachable; deleting them now only saves the space (the
    // next attempt clears the spans anyway).
    await backfiller.clear().catch(() => undefined);
    throw error;
  }
  if (ownWrites) await exec.catalog.writeDescriptor(updated);
  await backfiller.fence(rt.txn);
  if (pkName !== table.primaryIndex.name) {
    await exec.catalog.deleteName(table.parentId, table.schemaId, table.primaryIndex.name);
    await exec.catalog.writeName(table.parentId, table.schemaId, pkName, table.id, 'index');
  }
  after.push(deleteIndexesAfterCommit(exec.deps, exec.readers, table.id, [table.primaryIndex.id, ...table.secondaryIndexes.map((index) => index.id)], exec.deps.logger));
  return updated;
}

/** Feeds `table`'s rows, read in the transaction, to the backfiller. */
async function backfillRows(rt: Runtime, table: TableDesc, backfiller: IndexBackfiller, keyColumns: readonly KeyColumn[], rowidPosition: number): Promise<void> {
  const source = new ScanSource(scanNode(table, null), rt);
  for (let batch = await source.next(); batch !== null; batch = await source.next()) await addRows(table, backfiller, batch, keyColumns, rowidPosition);
}

interface KeyColumn {
  readonly position: number;
  readonly name: string;
}

/** Feeds rows (old layout, ours to change: the rowid is dropped in place) to the backfiller; 23502 on a NULL key column. */
async function addRows(table: TableDesc, backfiller: IndexBackfiller, rows: Datum[][], keyColumns: readonly KeyColumn[], rowidPosition: number): Promise<void> {
  for (const row of rows) {
    for (const { position, name } of keyColumns) {
      if (row[position] === null) throw new SqlError('23502', `column "${name}" of relation "${table.name}" contains null values`);
    }
    row.splice(rowidPosition, 1);
    await backfiller.add(row);
  }
}

async function dropConstraint(exec: ExecContext, table: TableDesc, command: Extract<ast.AlterTableCommand, { kind: 'DropConstraint' }>, notices: Notice[]): Promise<TableDesc> {
  const index = table.secondaryIndexes.find((candidate) => candidate.name === command.name && candidate.constraint !== 'none');
  if (index !== undefined) {
    const cascaded: string[] = [];
    const released = await releaseReferencedIndex(exec.catalog, table, index, `constraint ${index.name} on table ${table.name}`, command.cascade, cascaded);
    for (const constraint of cascaded) notices.push(notice(`drop cascades to ${constraint}`));
    return removeIndex(exec, released, index);
  }
  if (table.checks.some((check) => check.name === command.name)) return write(exec, { ...table, checks: table.checks.filter((check) => check.name !== command.name) });
  const withoutForeignKey = await dropForeignKey(exec.catalog, table, command.name);
  if (withoutForeignKey !== undefined) return write(exec, withoutForeignKey);
  if (table.primaryIndex.name === command.name) throw new SqlError('0A000', 'dropping a primary key is not supported yet');
  if (command.ifExists) {
    notices.push(notice(`constraint "${command.name}" of relation "${table.name}" does not exist, skipping`));
    return table;
  }
  throw undefinedObject(`constraint "${command.name}" of relation "${table.name}" does not exist`);
}
