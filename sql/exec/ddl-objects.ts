/**
 * CREATE/DROP DATABASE, SCHEMA and SEQUENCE; DROP TABLE; TRUNCATE — with PostgreSQL's errors and
 * its `IF [NOT] EXISTS` notices.
 */
import type * as ast from '../parser/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import type { SequenceDesc, TableDesc } from '../catalog/descriptors.js';
import { dependentObjects, duplicateDatabase, duplicateSchema, duplicateTable, objectInUse, SqlError, undefinedDatabase, undefinedSchema, undefinedTable, wrongObjectType } from '../catalog/errors.js';
import { creationSchema, currentDatabase, displayName, lookupRelation } from '../catalog/resolve.js';
import { indexPrefix, putRequest, tablePrefix } from '../../kv/api/index.js';
import { clearDroppedSpansAfterCommit } from './backfill.js';
import type { Notice } from './contract.js';
import { dropDependentViews, dropView, dropViewObjects, refuseDependents } from './ddl-view.js';
import { dropSequenceObjects, dropTableObjects, notice, sequenceValueKey } from './ddl-common.js';
import { detachForeignKeys, truncateClosure } from './ddl-fk.js';
import type { ExecContext, StatementPlan } from './statement.js';

function ddl(tag: string, run: (exec: ExecContext) => Promise<readonly Notice[]>): StatementPlan {
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(_rt, exec) {
      const notices = await run(exec);
      return { rows: null, tag: () => tag, notices };
    },
  };
}

/** Creates a database with its `public` schema. */
export async function createDatabaseObjects(catalog: Catalog, name: string): Promise<void> {
  const id = await catalog.allocateId();
  await catalog.writeDescriptor({ kind: 'database', id, name, version: 1 });
  await catalog.writeName(0, 0, name, id, 'database');
  const schemaId = await catalog.allocateId();
  await catalog.writeDescriptor({ kind: 'schema', id: schemaId, name: 'public', parentId: id, version: 1 });
  await catalog.writeName(id, 0, 'public', schemaId, 'schema');
}

export function prepareCreateDatabase(statement: ast.CreateDatabase): StatementPlan {
  return ddl('CREATE DATABASE', async ({ catalog }) => {
    if ((await catalog.database(statement.name)) !== undefined) throw duplicateDatabase(statement.name);
    await createDatabaseObjects(catalog, statement.name);
    return [];
  });
}

export function prepareCreateSchema(statement: ast.CreateSchema): StatementPlan {
  return ddl('CREATE SCHEMA', async ({ catalog, settings }) => {
    const database = await currentDatabase(catalog, settings);
    if ((await catalog.schema(database.id, statement.name)) !== undefined) {
      if (statement.ifNotExists) return [notice(`schema "${statement.name}" already exists, skipping`, '42P06')];
      throw duplicateSchema(statement.name);
    }
    const id = await catalog.allocateId();
    await catalog.writeDescriptor({ kind: 'schema', id, name: statement.name, parentId: database.id, version: 1 });
    await catalog.writeName(database.id, 0, statement.name, id, 'schema');
    return [];
  });
}

function sequenceOption(options: readonly ast.Option[], names: readonly string[]): bigint | undefined {
  const option = options.find((candidate) => names.includes(candidate.name));
  if (option === undefined || option.value === null) return undefined;
  return BigInt(option.value);
}

/**
 * A new sequence's START, INCREMENT, MINVALUE and MAXVALUE from its options, with PostgreSQL's
 * defaults: an ascending sequence runs from 1 to the type's maximum, a descending one from -1 down
 * to the type's minimum, and starts at its low (ascending) or high (descending) end. `bounds` is
 * the sequence's type's range (bigint for CREATE SEQUENCE, the column's type for an identity
 * column's sequence); `accepted` the options the caller takes on top of the common ones.
 */
export function sequenceSettings(options: readonly ast.Option[], bounds: { readonly min: bigint; readonly max: bigint }, accepted: readonly string[]): { start: bigint; increment: bigint; minValue: bigint; maxValue: bigint } {
  for (const option of options) {
    if (!['start', 'increment', 'minvalue', 'maxvalue', 'cache', 'cycle', 'restart', ...accepted].includes(option.name)) throw new SqlError('0A000', `sequence option ${option.name} is not supported`);
  }
  const increment = sequenceOption(options, ['increment']) ?? 1n;
  if (increment === 0n) throw new SqlError('22023', 'INCREMENT must not be zero');
  const minValue = sequenceOption(options, ['minvalue']) ?? (increment > 0n ? 1n : bounds.min);
  const maxValue = sequenceOption(options, ['maxvalue']) ?? (increment > 0n ? bounds.max : -1n);
  const start = sequenceOption(options, ['start']) ?? (increment > 0n ? minValue : maxValue);
  return { start, increment, minValue, maxValue };
}

export function prepareCreateSequence(statement: ast.CreateSequence): StatementPlan {
  return ddl('CREATE SEQUENCE', async ({ catalog, settings }) => {
    const { database, schema } = await creationSchema(catalog, settings, statement.name);
    if ((await catalog.lookup(database.id, schema.id, statement.name.name)) !== undefined) {
      if (statement.ifNotExists) return [notice(`relation "${statement.name.name}" already exists, skipping`, '42P07')];
      throw duplicateTable(statement.name.name);
    }
    const { start, increment, minValue, maxValue } = sequenceSettings(statement.options, { min: -9223372036854775807n, max: 9223372036854775807n }, ['as', 'owned_by']);
    const id = await catalog.allocateId();
    const sequence: SequenceDesc = { kind: 'sequence', id, name: statement.name.name, parentId: database.id, schemaId: schema.id, version: 1, start, increment, minValue, maxValue, ownerTableId: null };
    await catalog.writeDescriptor(sequence);
    await catalog.writeName(database.id, schema.id, statement.name.name, id, 'sequence');
    return [];
  });
}

const dropTags: Record<ast.Drop['objectType'], string> = { table: 'DROP TABLE', view: 'DROP VIEW', index: 'DROP INDEX', sequence: 'DROP SEQUENCE', schema: 'DROP SCHEMA', database: 'DROP DATABASE' };

export function prepareDrop(statement: ast.Drop, dropIndex: (exec: ExecContext, name: ast.QualifiedName, ifExists: boolean, cascade: boolean, cascaded: string[]) => Promise<Notice | undefined>): StatementPlan {
  const tag = dropTags[statement.objectType];
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(_rt, exec) {
      const notices: Notice[] = [];
      const cascaded: string[] = [];
      // DROP TABLE, SCHEMA and DATABASE leave the tables' rows to a ClearRange after the commit (dropTableObjects).
      const droppedTables: number[] = [];
      for (const name of statement.names) {
        const result = await dropOne(exec, statement, name, dropIndex, cascaded, droppedTables);
        if (result !== undefined) notices.push(result);
      }
      // The objects named are not cascades: DROP VIEW v CASCADE lists only what v took with it.
      const named = new Set(statement.names.map((name) => `${statement.objectType} ${name.name}`));
      const cascadeNotices = cascadeNotice(cascaded.filter((object) => !named.has(object)));
      const afterCommit = droppedTables.length === 0 ? undefined : clearDroppedSpansAfterCommit(exec.deps, exec.readers, droppedTables.map((id) => tablePrefix(id)), exec.deps.logger, { droppedTables });
      return { rows: null, tag: () => tag, notices: cascadeNotices === undefined ? notices : [...notices, cascadeNotices], ...(afterCommit === undefined ? {} : { afterCommit }) };
    },
  };
}

async function dropOne(
  exec: ExecContext,
  statement: ast.Drop,
  name: ast.QualifiedName,
  dropIndex: (exec: ExecContext, name: ast.QualifiedName, ifExists: boolean, cascade: boolean, cascaded: string[]) => Promise<Notice | undefined>,
  cascaded: string[],
  droppedTables: number[],
): Promise<Notice | undefined> {
  const { catalog, settings } = exec;
  switch (statement.objectType) {
    case 'view':
      return dropView(catalog, settings, name, statement, cascaded);
    case 'table':
    case 'sequence': {
      const resolved = await lookupRelation(catalog, settings, name);
      if (resolved === undefined) {
        if (statement.ifExists) return notice(`${statement.objectType} "${displayName(name)}" does not exist, skipping`);
        throw new SqlError('42P01', `${statement.objectType} "${displayName(name)}" does not exist`);
      }
      const descriptor = await catalog.descriptor(resolved.entry.id);
      if (statement.objectType === 'table') {
        if (resolved.entry.kind !== 'table' || descriptor?.kind !== 'table') {
          throw new SqlError('42809', `"${name.name}" is not a table`, resolved.entry.kind === 'view' ? { hint: 'Use DROP VIEW to remove a view.' } : {});
        }
        if (!statement.cascade) await refuseDependents(catalog, descriptor, `table ${descriptor.name}`);
        await dropDependentViews(catalog, descriptor, cascaded);
        await detachForeignKeys(catalog, descriptor, statement.cascade, await droppedTableIds(exec, statement), cascaded);
        await dropTableObjects(catalog, descriptor, { keepData: true });
        droppedTables.push(descriptor.id);
      } else {
        if (resolved.entry.kind !== 'sequence' || descriptor?.kind !== 'sequence') throw wrongObjectType(`"${name.name}" is not a sequence`);
        if (descriptor.ownerTableId !== null && !statement.cascade) {
          const owner = await catalog.descriptor(descriptor.ownerTableId);
          if (owner?.kind === 'table') throw dependentObjects(`cannot drop sequence ${descriptor.name} because other objects depend on it`);
        }
        await dropSequenceObjects(catalog, descriptor);
      }
      return undefined;
    }
    case 'index':
      return dropIndex(exec, name, statement.ifExists, statement.cascade, cascaded);
    case 'schema':
      return dropSchema(exec, name.name, statement, droppedTables);
    case 'database':
      return dropDatabase(exec, name.name, statement, droppedTables);
    default:
      return statement.objectType satisfies never;
  }
}

/** The ids of the tables a DROP TABLE names (foreign keys among them do not hold the drop back). */
async function droppedTableIds(exec: ExecContext, statement: ast.Drop): Promise<Set<number>> {
  const ids = new Set<number>();
  for (const name of statement.names) {
    const resolved = await lookupRelation(exec.catalog, exec.settings, name);
    if (resolved?.entry.kind === 'table') ids.add(resolved.entry.id);
  }
  return ids;
}

/**
 * Drops every object of a schema. The tables' rows are left to the ClearRange after the commit,
 * as DROP TABLE's (their ids, pushed on `droppedTables`, are never reused): deleting them row by
 * row in the transaction wrote an intent per row and resolved each after the commit.
 */
async function dropSchemaContents(catalog: Catalog, databaseId: number, schemaId: number, droppedTables: number[]): Promise<void> {
  for (const entry of await catalog.listNames(databaseId, schemaId)) {
    if (entry.kind === 'table' || entry.kind === 'view') {
      // Views go with what they read, wherever they are (CASCADE); a view dropped so is gone from the catalog here.
      const relation = await catalog.descriptor(entry.id);
      if (relation?.kind === 'table' || relation?.kind === 'view') await dropDependentViews(catalog, relation, []);
      // Foreign keys from outside the schema are dropped with it (CASCADE); those inside go with their tables.
      if (relation?.kind === 'table') await detachForeignKeys(catalog, relation, true, new Set(), []);
      if (relation?.kind === 'table') {
        await dropTableObjects(catalog, relation, { keepData: true });
        droppedTables.push(relation.id);
      }
      if (relation?.kind === 'view') await dropViewObjects(catalog, relation, []);
    }
  }
  for (const entry of await catalog.listNames(databaseId, schemaId)) {
    const descriptor = await catalog.descriptor(entry.id);
    if (descriptor?.kind === 'sequence') await dropSequenceObjects(catalog, descriptor);
    else await catalog.deleteName(databaseId, schemaId, entry.name);
  }
}

async function dropSchema(exec: ExecContext, name: string, statement: ast.Drop, droppedTables: number[]): Promise<Notice | undefined> {
  const { catalog, settings } = exec;
  const database = await currentDatabase(catalog, settings);
  const schema = await catalog.schema(database.id, name);
  if (schema === undefined) {
    if (statement.ifExists) return notice(`schema "${name}" does not exist, skipping`);
    throw undefinedSchema(name);
  }
  const contents = await catalog.listNames(database.id, schema.id);
  if (contents.length > 0 && !statement.cascade) {
    const first = contents.find((entry) => entry.kind === 'table') ?? contents[0]!;
    throw new SqlError('2BP01', `cannot drop schema ${name} because other objects depend on it`, { detail: `${first.kind} ${name}.${first.name} depends on schema ${name}`, hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
  }
  await dropSchemaContents(catalog, database.id, schema.id, droppedTables);
  await catalog.deleteName(database.id, 0, name);
  await catalog.deleteDescriptor(schema.id);
  return cascadeNotice(contents.filter((entry) => entry.kind === 'table' || entry.kind === 'view' || entry.kind === 'sequence').map((entry) => `${entry.kind} ${name}.${entry.name}`));
}

/** PostgreSQL's NOTICE for the objects a CASCADE dropped. */
function cascadeNotice(objects: readonly string[]): Notice | undefined {
  if (objects.length === 0) return undefined;
  if (objects.length === 1) return notice(`drop cascades to ${objects[0]}`);
  return { ...notice(`drop cascades to ${objects.length} other objects`), detail: objects.map((object) => `drop cascades to ${object}`).join('\n') };
}

async function dropDatabase(exec: ExecContext, name: string, statement: ast.Drop, droppedTables: number[]): Promise<Notice | undefined> {
  const { catalog, settings } = exec;
  const database = await catalog.database(name);
  if (database === undefined) {
    if (statement.ifExists) return notice(`database "${name}" does not exist, skipping`);
    throw undefinedDatabase(name);
  }
  if (name === settings.database) throw objectInUse('cannot drop the currently open database');
  for (const entry of await catalog.listNames(database.id, 0)) {
    await dropSchemaContents(catalog, database.id, entry.id, droppedTables);
    await catalog.deleteName(database.id, 0, entry.name);
    await catalog.deleteDescriptor(entry.id);
  }
  await catalog.deleteName(0, 0, name);
  await catalog.deleteDescriptor(database.id);
  return undefined;
}

/**
 * TRUNCATE: each table gets new ids for all its indexes in a new descriptor version (PostgreSQL
 * gives a truncated table a new relfilenode; CockroachDB new index ids), so the table is empty
 * for the transaction at once and for everyone at the commit, and the old indexes' data is
 * cleared outright after the commit — a ClearRange per range once no older transaction is open
 * (reader-horizon.ts), as DROP TABLE's and ADD PRIMARY KEY's — instead of an intent per row
 * written now and resolved later. Rows the transaction writes after the TRUNCATE go to the new
 * indexes; foreign keys name columns, not indexes, so they hold unchanged.
 */
export function prepareTruncate(statement: ast.Truncate): StatementPlan {
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(_rt, exec) {
      const { catalog, settings } = exec;
      const named: TableDesc[] = [];
      for (const name of statement.tables) {
        const resolved = await lookupRelation(catalog, settings, name);
        if (resolved === undefined) throw undefinedTable(displayName(name));
        const descriptor = await catalog.descriptor(resolved.entry.id);
        if (descriptor?.kind !== 'table') throw wrongObjectType(`"${name.name}" is not a table`);
        named.push(descriptor);
      }
      const { tables, notices } = await truncateClosure(catalog, named, statement.cascade);
      // The descriptors are written first: the transaction's first write anchors its record, in
      // the system range. pgbench -i truncates and then COPYs a million rows in one block;
      // anchored in the table's own range, the commit had to resolve every one of those intents
      // inside one EndTxn command (155 MB, over raftCommandBytesMax) instead of leaving them to
      // asynchronous resolution.
      const cleared: Uint8Array[] = [];
      for (const table of tables) {
        await catalog.writeDescriptor(withNewIndexIds(table));
        for (const index of [table.primaryIndex, ...table.secondaryIndexes]) cleared.push(indexPrefix(table.id, index.id));
      }
      if (statement.restartIdentity) {
        for (const table of tables) {
          for (const column of table.columns) {
            if (column.ownedSequenceId !== null) await catalog.txn.batch([putRequest(sequenceValueKey(column.ownedSequenceId), encodeCount(0n))]);
          }
        }
      }
      const afterCommit = clearDroppedSpansAfterCommit(exec.deps, exec.readers, cleared, exec.deps.logger, { truncatedTables: tables.map((table) => table.id) });
      return { rows: null, tag: () => 'TRUNCATE TABLE', notices, afterCommit };
    },
  };
}

/** `table`'s next version with every index under a new id (from `nextIndexId`; ids are never reused). */
function withNewIndexIds(table: TableDesc): TableDesc {
  const indexes = [table.primaryIndex, ...table.secondaryIndexes];
  // Each keeps the number its OID is made from: PostgreSQL's TRUNCATE keeps the index's OID.
  const renumbered = indexes.map((index, i) => Object.freeze({ ...index, id: table.nextIndexId + i, oidSlot: index.oidSlot ?? index.id }));
  return { ...table, version: table.version + 1, primaryIndex: renumbered[0]!, secondaryIndexes: renumbered.slice(1), nextIndexId: table.nextIndexId + indexes.length };
}

/** A sequence's call count as the KV increment stores it (8 bytes big-endian two's complement). */
function encodeCount(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value);
  return bytes;
}

export function prepareMaintenance(statement: ast.Vacuum | ast.Analyze): StatementPlan {
  return ddl(statement.kind === 'Vacuum' ? 'VACUUM' : 'ANALYZE', () => Promise.resolve([]));
}
