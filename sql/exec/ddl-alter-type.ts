/**
 * ALTER TABLE … ALTER COLUMN c [SET DATA] TYPE t [USING e], in the statement's transaction.
 *
 * Every row's new value is computed first — the USING expression, or the assignment cast of the
 * old value — so a value that does not fit fails the statement with the cast's error (22001,
 * 22003, 22P02) and nothing changes. Then one of two paths, as PostgreSQL's ATColumnChangeRequiresRewrite
 * decides between a catalog-only change and a table rewrite:
 *
 * - **No rewrite** when the stored bytes stay right: integer to integer (the value and key
 *   encodings are one zigzag varint / ordered int for int2, int4 and int8) and text to varchar
 *   and back (one UTF-8 encoding), provided every value came through the cast unchanged (a cast
 *   to varchar(n) may cut trailing blanks). Only the descriptor changes.
 * - **Rewrite** otherwise: every index of the table is deleted and written again from the
 *   converted rows (the rows are read whole, as SET NOT NULL and ADD CHECK read them). A
 *   conversion that makes two keys equal fails with 23505, as PostgreSQL's rebuilt index does.
 *
 * A column a view reads is refused (0A000, PostgreSQL's message): the view's columns are fixed.
 */
import type * as ast from '../parser/ast.js';
import { putRequest, type Request } from '../../kv/api/index.js';
import { allIndexes, findColumn, foreignKeysOf, referencedByOf, type ColumnDesc, type ForeignKeyDesc, type TableDesc } from '../catalog/descriptors.js';
import { assert } from '../../src/base/assert.js';
import { SqlError, undefinedColumn } from '../catalog/errors.js';
import { ExprCompiler } from '../plan/expr/compile.js';
import type { CompiledExpr } from '../plan/expr/compiled.js';
import { tableScope } from '../plan/planner.js';
import { RowCodec } from '../rowcodec/row-codec.js';
import type { Datum } from '../types/datum.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import { deleteTableData } from './ddl-common.js';
import { resolveColumnType, validateExpressions } from './ddl-create-table.js';
import { duplicateInIndex, readAllRows } from './ddl-index.js';
import { foreignKeyTypesCompatible } from './fk.js';
import type { Runtime } from './runtime.js';
import type { ExecContext } from './statement.js';

type AlterColumnType = Extract<ast.AlterTableCommand, { kind: 'AlterColumnType' }>;

/** Puts per KV batch while rewriting. */
const rewriteRequestsMax = 2048;

export async function alterColumnType(rt: Runtime, exec: ExecContext, table: TableDesc, command: AlterColumnType): Promise<TableDesc> {
  const column = findColumn(table, command.column);
  if (column === undefined || column.hidden) throw undefinedColumn(command.column, table.name);
  const { type, serial } = resolveColumnType(command.type);
  if (serial) throw new SqlError('42704', `type "${command.type.names.at(-1) ?? ''}" does not exist`);
  await refuseIfViewsRead(exec, table, column);
  await refuseIfForeignKeysBreak(exec, table, column, type);
  const convert = await conversion(table, column, type, command.using);
  const position = table.columns.indexOf(column);
  const rows = await readAllRows(table, rt);
  let unchanged = true;
  const converted = rows.map((row) => {
    const value = convert.eval(row, rt.ctx);
    if (!sameDatum(row[position] ?? null, value)) unchanged = false;
    const next = row.slice();
    next[position] = value;
    return next;
  });
  const missingValue = column.missingValue === undefined ? undefined : convert.eval(table.columns.map((candidate) => (candidate === column ? column.missingValue! : null)), rt.ctx);
  const { missingValue: _old, ...rest } = column;
  const changed: ColumnDesc = Object.freeze({ ...rest, type, ...(missingValue === undefined || missingValue === null ? {} : { missingValue }) });
  const updated: TableDesc = { ...table, version: table.version + 1, columns: table.columns.map((candidate) => (candidate === column ? changed : candidate)) };
  await validateExpressions(exec, updated);
  await exec.catalog.writeDescriptor(updated);
  if (!(unchanged && sameStorage(column.type, type))) await rewrite(rt, exec, table, updated, converted);
  return updated;
}

/**
 * 42804 when a foreign key on the column — as the referencing or the referenced side — would
 * join columns of incompatible types after the change, as PostgreSQL's ALTER refuses it (it
 * re-creates the constraint and fails there); before, the ALTER went through and the foreign
 * key's later statements failed instead.
 */
async function refuseIfForeignKeysBreak(exec: ExecContext, table: TableDesc, column: ColumnDesc, type: SqlType): Promise<void> {
  const typeOf = (owner: TableDesc, columnId: number): { name: string; type: SqlType } => {
    const found = owner.columns.find((candidate) => candidate.id === columnId);
    assert(found !== undefined, 'a foreign key names its table columns');
    return found.id === column.id && owner.id === table.id ? { name: found.name, type } : found;
  };
  const check = (fk: ForeignKeyDesc, child: TableDesc, parent: TableDesc): void => {
    fk.columnIds.forEach((childColumn, index) => {
      const from = typeOf(child, childColumn);
      const to = typeOf(parent, fk.referencedColumnIds[index]!);
      if (foreignKeyTypesCompatible(from.type, to.type)) return;
      throw new SqlError('42804', `foreign key constraint "${fk.name}" cannot be implemented`, { detail: `Key columns "${from.name}" and "${to.name}" are of incompatible types: ${formatType(from.type)} and ${formatType(to.type)}.` });
    });
  };
  for (const fk of foreignKeysOf(table)) {
    if (!fk.columnIds.includes(column.id) && !(fk.referencedTableId === table.id && fk.referencedColumnIds.includes(column.id))) continue;
    const parent = fk.referencedTableId === table.id ? table : await exec.catalog.descriptor(fk.referencedTableId);
    if (parent?.kind === 'table') check(fk, table, parent);
  }
  for (const reference of referencedByOf(table)) {
    if (reference.originTableId === table.id) continue; // a self-reference was checked above
    const child = await exec.catalog.descriptor(reference.originTableId);
    if (child?.kind !== 'table') continue;
    const fk = foreignKeysOf(child).find((candidate) => candidate.name === reference.name && candidate.referencedTableId === table.id);
    if (fk !== undefined && fk.referencedColumnIds.includes(column.id)) check(fk, child, table);
  }
}

/** 0A000 when a view reads the column, with PostgreSQL's message and detail. */
async function refuseIfViewsRead(exec: ExecContext, table: TableDesc, column: ColumnDesc): Promise<void> {
  for (const dependent of table.dependedOnBy ?? []) {
    if (!dependent.columnIds.includes(column.id)) continue;
    const view = await exec.catalog.descriptor(dependent.viewId);
    if (view?.kind !== 'view') continue;
    throw new SqlError('0A000', 'cannot alter type of a column used by a view or rule', { detail: `rule _RETURN on view ${view.name} depends on column "${column.name}"` });
  }
}

/**
 * The new value of a row's column: `using` coerced to `type` by assignment, or the old value's
 * assignment cast — 42804 with PostgreSQL's hint when there is none.
 */
async function conversion(table: TableDesc, column: ColumnDesc, type: SqlType, using: ast.Expr | null): Promise<CompiledExpr> {
  const compiler = new ExprCompiler(tableScope(table, table.name), []);
  if (using !== null) {
    return compiler.compileAs(using, type, 'assignment').catch((error: unknown) => {
      if (error instanceof SqlError && error.sqlState === '42804') throw new SqlError('42804', `result of USING clause for column "${column.name}" cannot be cast automatically to type ${formatType(type)}`, { hint: 'You might need to add an explicit cast.' });
      throw error;
    });
  }
  const reference: ast.Expr = { kind: 'ColumnRef', path: [column.name], location: -1 };
  return compiler.compileAs(reference, type, 'assignment').catch((error: unknown) => {
    if (error instanceof SqlError && (error.sqlState === '42804' || error.sqlState === '42846')) {
      throw new SqlError('42804', `column "${column.name}" cannot be cast automatically to type ${formatType(type)}`, { hint: `You might need to specify "USING ${column.name}::${formatType(type)}".` });
    }
    throw error;
  });
}

const integerKinds = new Set(['int2', 'int4', 'int8']);
const stringKinds = new Set(['text', 'varchar']);

/** Whether values of `from`, unchanged, are stored (value and key encodings) as values of `to`. */
function sameStorage(from: SqlType, to: SqlType): boolean {
  if (integerKinds.has(from.kind) && integerKinds.has(to.kind)) return true;
  return stringKinds.has(from.kind) && stringKinds.has(to.kind);
}

/** Whether a converted value is the old one (an int4 42 and an int8 42n are: same encoding). */
function sameDatum(before: Datum, after: Datum): boolean {
  if (before === after) return true;
  if ((typeof before === 'number' || typeof before === 'bigint') && (typeof after === 'number' || typeof after === 'bigint')) return BigInt(before) === BigInt(after);
  return false;
}

/** Deletes every index entry of the table and writes the converted rows under the new descriptor. */
async function rewrite(rt: Runtime, exec: ExecContext, table: TableDesc, updated: TableDesc, rows: readonly Datum[][]): Promise<void> {
  await deleteTableData(exec.catalog, table);
  const codec = new RowCodec(updated);
  let requests: Request[] = [];
  const flush = async (): Promise<void> => {
    if (requests.length > 0) await rt.txn.batch(requests);
    requests = [];
  };
  for (const index of allIndexes(updated)) {
    const primary = index.id === updated.primaryIndex.id;
    const seen = new Set<string>();
    for (const row of rows) {
      const entry = primary ? { ...codec.encodePrimary(row), unique: true } : codec.indexEntry(index.id, row);
      if (entry.unique) {
        const key = Buffer.from(entry.key).toString('latin1');
        if (seen.has(key)) throw duplicateInIndex(updated, index, row, rt);
        seen.add(key);
      }
      requests.push(putRequest(entry.key, entry.value));
      if (requests.length >= rewriteRequestsMax) await flush();
    }
  }
  await flush();
}
