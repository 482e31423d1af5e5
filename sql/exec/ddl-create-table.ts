/**
 * CREATE TABLE: columns (SERIAL through an owned sequence), constraints (PRIMARY KEY, UNIQUE,
 * NOT NULL, DEFAULT, CHECK), a hidden `rowid` primary key when none is declared (CockroachDB's:
 * `int8 NOT NULL DEFAULT unique_rowid()`), PostgreSQL's generated constraint names, all written
 * in the statement's transaction; the new table's range is split off after commit.
 */
import type * as ast from '../parser/ast.js';
import { resolveTypeName } from '../types/resolve.js';
import { boolType, formatType, int8Type, type SqlType } from '../types/sql-type.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CheckDesc, ColumnDesc, IndexDesc, SequenceDesc, TableDesc } from '../catalog/descriptors.js';
import { duplicateColumn, duplicateTable, invalidTableDefinition, SqlError, undefinedColumn, undefinedObject } from '../catalog/errors.js';
import { creationSchema } from '../catalog/resolve.js';
import { keyEncodable, missingBtreeOperatorClass } from '../rowcodec/key-datum.js';
import { ExprCompiler } from '../plan/expr/compile.js';
import { tableScope } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import type { ExecContext, StatementPlan } from './statement.js';
import { generatedName, notice, splitAfterCommit, uniqueRelationName } from './ddl-common.js';
import { addForeignKeys, type ForeignKeyDraft } from './ddl-fk.js';
import { sequenceSettings } from './ddl-objects.js';

export function resolveColumnType(typeName: ast.TypeName): { type: SqlType; serial: boolean } {
  const modifiers = typeName.modifiers.map((modifier) => {
    if (modifier.kind !== 'Literal' || modifier.value.type !== 'integer') throw new SqlError('42601', 'type modifiers must be simple constants or identifiers');
    return Number(modifier.value.digits);
  });
  const resolved = resolveTypeName({ names: typeName.names, modifiers, arrayDimensions: typeName.arrayBounds.length });
  return { type: resolved.type, serial: resolved.serial !== undefined };
}

export const nextvalCall = (sequence: string): ast.Expr => ({
  kind: 'FuncCall',
  name: ['nextval'],
  args: [{ kind: 'Literal', value: { type: 'string', value: sequence }, location: -1 }],
  distinct: false,
  star: false,
  variadic: false,
  orderBy: [],
  filter: null,
  location: -1,
});

const uniqueRowIdCall: ast.Expr = { kind: 'FuncCall', name: ['unique_rowid'], args: [], distinct: false, star: false, variadic: false, orderBy: [], filter: null, location: -1 };

interface Draft {
  columns: (ColumnDesc & { nullable: boolean })[];
  primary: { columns: string[]; name: string | null } | null;
  uniques: { columns: string[]; name: string | null }[];
  checks: { expr: ast.Expr; name: string | null; column: string | null }[];
  /** SERIAL and identity columns: each gets a sequence owned by the table. */
  serials: { column: string; identity: { generated: 'always' | 'by default'; options: readonly ast.Option[] } | null }[];
  foreignKeys: ForeignKeyDraft[];
}

function addConstraint(draft: Draft, constraint: ast.Constraint, column: string | null, tableName: string): void {
  switch (constraint.kind) {
    case 'NotNull':
    case 'Null': {
      const target = draft.columns.find((candidate) => candidate.name === column)!;
      target.nullable = constraint.kind === 'Null';
      return;
    }
    case 'Default': {
      const index = draft.columns.findIndex((candidate) => candidate.name === column);
      if (draft.serials.some((serial) => serial.column === column && serial.identity !== null)) throw new SqlError('42601', `both default and identity specified for column "${column}" of table "${tableName}"`);
      draft.columns[index] = { ...draft.columns[index]!, defaultExpr: constraint.expr };
      return;
    }
    case 'PrimaryKey':
      if (draft.primary !== null) throw invalidTableDefinition(`multiple primary keys for table "${tableName}" are not allowed`);
      draft.primary = { columns: column === null ? [...constraint.columns] : [column], name: constraint.name };
      return;
    case 'Unique':
      if (constraint.nullsNotDistinct) throw new SqlError('0A000', 'NULLS NOT DISTINCT is not supported');
      draft.uniques.push({ columns: column === null ? [...constraint.columns] : [column], name: constraint.name });
      return;
    case 'Check':
      draft.checks.push({ expr: constraint.expr, name: constraint.name, column });
      return;
    case 'ForeignKey':
      draft.foreignKeys.push({ constraint, column });
      return;
    case 'Identity': {
      const target = draft.columns.find((candidate) => candidate.name === column)!;
      const existing = draft.serials.find((serial) => serial.column === column);
      if (existing?.identity !== null && existing !== undefined) throw new SqlError('42601', `multiple identity specifications for column "${target.name}" of table "${tableName}"`);
      if (existing !== undefined || target.defaultExpr !== null) throw new SqlError('42601', `both default and identity specified for column "${target.name}" of table "${tableName}"`);
      if (target.type.kind !== 'int2' && target.type.kind !== 'int4' && target.type.kind !== 'int8') throw new SqlError('22023', 'identity column type must be smallint, integer, or bigint');
      target.nullable = false;
      draft.serials.push({ column: target.name, identity: { generated: constraint.generated, options: constraint.options } });
      return;
    }
    default:
      return constraint satisfies never;
  }
}

/** The columns an expression names (for a CHECK's generated name). */
export function referencedColumns(expr: unknown, out: string[] = []): string[] {
  if (expr === null || typeof expr !== 'object') return out;
  if (Array.isArray(expr)) {
    for (const item of expr) referencedColumns(item, out);
    return out;
  }
  const node = expr as { kind?: string; path?: string[] };
  if (node.kind === 'ColumnRef' && node.path !== undefined) out.push(node.path[node.path.length - 1]!);
  for (const value of Object.values(node)) referencedColumns(value, out);
  return out;
}

export async function prepareCreateTable(statement: ast.CreateTable): Promise<StatementPlan> {
  return {
    columns: undefined,
    paramTypes: [],
    isDdl: true,
    async execute(_rt, exec) {
      const created = await createTable(exec, statement);
      if (created === undefined) return { rows: null, tag: () => 'CREATE TABLE', notices: [notice(`relation "${statement.name.name}" already exists, skipping`, '42P07')] };
      return { rows: null, tag: () => 'CREATE TABLE', notices: [], afterCommit: splitAfterCommit(exec.deps, created.id, exec.deps.logger) };
    },
  };
}

async function createTable(exec: ExecContext, statement: ast.CreateTable): Promise<TableDesc | undefined> {
  const catalog = exec.catalog;
  const { database, schema } = await creationSchema(catalog, exec.settings, statement.name);
  const name = statement.name.name;
  if ((await catalog.lookup(database.id, schema.id, name)) !== undefined) {
    if (statement.ifNotExists) return undefined;
    throw duplicateTable(name);
  }
  const draft: Draft = { columns: [], primary: null, uniques: [], checks: [], serials: [], foreignKeys: [] };
  for (const definition of statement.columns) {
    if (draft.columns.some((column) => column.name === definition.name)) throw duplicateColumn(definition.name);
    const { type, serial } = resolveColumnType(definition.type);
    draft.columns.push({ id: draft.columns.length + 1, name: definition.name, type, nullable: !serial, hidden: false, defaultExpr: null, ownedSequenceId: null });
    if (serial) draft.serials.push({ column: definition.name, identity: null });
    for (const constraint of definition.constraints) addConstraint(draft, constraint, definition.name, name);
  }
  for (const constraint of statement.constraints) addConstraint(draft, constraint, null, name);
  const columnId = (column: string): number => {
    const found = draft.columns.find((candidate) => candidate.name === column);
    if (found === undefined) throw undefinedColumn(column);
    return found.id;
  };
  const taken = new Set<string>([name]);
  const indexName = async (explicit: string | null, columns: readonly string[], suffix: string): Promise<string> => {
    const chosen = explicit ?? (await uniqueRelationName(catalog, database.id, schema.id, suffix === 'pkey' ? `${name}_pkey` : generatedName(name, columns, suffix), taken));
    if (taken.has(chosen) || (await catalog.lookup(database.id, schema.id, chosen)) !== undefined) throw duplicateTable(chosen);
    taken.add(chosen);
    return chosen;
  };
  let primaryIndex: IndexDesc;
  if (draft.primary === null) {
    const rowidName = draft.columns.some((column) => column.name === 'rowid') ? 'rowid_1' : 'rowid';
    draft.columns.push({ id: draft.columns.length + 1, name: rowidName, type: int8Type, nullable: false, hidden: true, defaultExpr: uniqueRowIdCall, ownedSequenceId: null });
    primaryIndex = { id: 1, name: await indexName(null, [], 'pkey'), unique: true, columns: [{ columnId: draft.columns.length, direction: 'ascending' }], constraint: 'primary' };
  } else {
    const ids = draft.primary.columns.map(columnId);
    if (new Set(ids).size !== ids.length) throw duplicateColumn(draft.primary.columns.find((column, index) => draft.primary!.columns.indexOf(column) !== index)!);
    for (const id of ids) {
      const column = draft.columns[id - 1]!;
      column.nullable = false;
      const noOperatorClass = missingBtreeOperatorClass(column.type);
      if (noOperatorClass !== undefined) throw undefinedObject(noOperatorClass);
      if (!keyEncodable(column.type)) throw new SqlError('0A000', `column ${column.name} of type ${column.type.kind} cannot be part of a primary key yet`);
    }
    primaryIndex = { id: 1, name: await indexName(draft.primary.name, [], 'pkey'), unique: true, columns: ids.map((id) => ({ columnId: id, direction: 'ascending' })), constraint: 'primary' };
  }
  const secondaryIndexes: IndexDesc[] = [];
  for (const unique of draft.uniques) {
    const ids = unique.columns.map(columnId);
    // A UNIQUE constraint is a btree index: json and jsonpath have no operator class for one (42704).
    const noOperatorClass = ids.map((id) => missingBtreeOperatorClass(draft.columns[id - 1]!.type)).find((reason) => reason !== undefined);
    if (noOperatorClass !== undefined) throw undefinedObject(noOperatorClass);
    secondaryIndexes.push({ id: secondaryIndexes.length + 2, name: await indexName(unique.name, unique.columns, 'key'), unique: true, columns: ids.map((id) => ({ columnId: id, direction: 'ascending' })), constraint: 'unique' });
  }
  const tableId = await catalog.allocateId();
  const checks: CheckDesc[] = [];
  for (const check of draft.checks) {
    const columns = check.column !== null ? [check.column] : referencedColumns(check.expr).slice(0, 1);
    const checkName = check.name ?? generatedName(name, columns, 'check');
    let unique = checkName;
    for (let suffix = 1; checks.some((existing) => existing.name === unique); suffix++) unique = `${checkName}${suffix}`;
    checks.push({ name: unique, expr: check.expr });
  }
  // SERIAL and identity columns: a sequence each, owned by the table.
  for (const serialColumn of draft.serials) {
    const column = draft.columns.find((candidate) => candidate.name === serialColumn.column)!;
    const owned = await createOwnedSequence(catalog, database.id, schema, tableId, name, column, serialColumn.identity?.options ?? [], taken);
    const index = draft.columns.indexOf(column);
    draft.columns[index] = { ...column, ...owned, ...(serialColumn.identity === null ? {} : { identity: serialColumn.identity.generated }) };
  }
  const declared: TableDesc = {
    kind: 'table',
    id: tableId,
    name,
    parentId: database.id,
    schemaId: schema.id,
    version: 1,
    columns: draft.columns.map((column) => Object.freeze({ ...column })),
    primaryIndex,
    secondaryIndexes,
    checks,
    nextColumnId: draft.columns.length + 1,
    nextIndexId: secondaryIndexes.length + 2,
  };
  const table = draft.foreignKeys.length === 0 ? declared : await addForeignKeys(catalog, exec.settings, schema.name, declared, draft.foreignKeys);
  await validateExpressions(exec, table);
  await catalog.writeDescriptor(table);
  await catalog.writeName(database.id, schema.id, name, tableId, 'table');
  for (const index of [primaryIndex, ...secondaryIndexes]) await catalog.writeName(database.id, schema.id, index.name, tableId, 'index');
  return table;
}

/**
 * The sequence a SERIAL or identity column owns — named `<table>_<column>_seq` (made unique), with
 * the column type's range and an identity's sequence options (`SEQUENCE NAME` is refused) — and
 * the column's nextval default and owned-sequence id. The table owns it: DROP TABLE drops it.
 */
export async function createOwnedSequence(
  catalog: Catalog,
  databaseId: number,
  schema: { readonly id: number; readonly name: string },
  tableId: number,
  tableName: string,
  column: ColumnDesc,
  options: readonly ast.Option[],
  taken: Set<string>,
): Promise<{ defaultExpr: ast.Expr; ownedSequenceId: number }> {
  if (options.some((option) => option.name === 'sequence_name')) throw new SqlError('0A000', 'SEQUENCE NAME in an identity specification is not supported');
  const sequenceName = await uniqueRelationName(catalog, databaseId, schema.id, generatedName(tableName, [column.name], 'seq'), taken);
  taken.add(sequenceName);
  const max = column.type.kind === 'int2' ? 32767n : column.type.kind === 'int4' ? 2147483647n : 9223372036854775807n;
  const settings = sequenceSettings(options, { min: -max - 1n, max }, []);
  const sequenceId = await catalog.allocateId();
  const sequence: SequenceDesc = { kind: 'sequence', id: sequenceId, name: sequenceName, parentId: databaseId, schemaId: schema.id, version: 1, ...settings, ownerTableId: tableId };
  await catalog.writeDescriptor(sequence);
  await catalog.writeName(databaseId, schema.id, sequenceName, sequenceId, 'sequence');
  return { defaultExpr: nextvalCall(schema.name === 'public' ? sequenceName : `${schema.name}.${sequenceName}`), ownedSequenceId: sequenceId };
}

/** Type-checks DEFAULTs and CHECKs now, so a bad one fails the CREATE, not every INSERT. */
export async function validateExpressions(exec: ExecContext, table: TableDesc): Promise<void> {
  const compiler = new ExprCompiler(Scope.empty, []);
  for (const column of table.columns) {
    if (column.defaultExpr === null) continue;
    await compiler.compileAs(column.defaultExpr, column.type, 'assignment', `column "${column.name}"`).catch((error: unknown) => {
      if (error instanceof SqlError && error.sqlState === '42804') {
        throw new SqlError('42804', `column "${column.name}" is of type ${formatTypeText(column.type)} but default expression is of type ${error.message.replace(/.* but expression is of type /, '')}`, { hint: 'You will need to rewrite or cast the expression.' });
      }
      throw error;
    });
  }
  const scoped = compiler.withScope(tableScope(table, table.name));
  for (const check of table.checks) {
    const compiled = await scoped.compile(check.expr);
    if (compiled.type.kind !== boolType.kind && compiled.unknownLiteral === undefined) throw new SqlError('42804', `argument of CHECK must be type boolean, not type ${formatTypeText(compiled.type)}`);
  }
  void exec;
}

function formatTypeText(type: SqlType): string {
  return formatType(type);
}

export type { Catalog };
