/**
 * INSERT, UPDATE and DELETE: planned once (target columns, defaults, assignments, the read of
 * UPDATE/DELETE with index selection, CHECKs, RETURNING, all compiled), executed by reading
 * every affected row first — so a statement never sees its own writes (the Halloween problem)
 * — then writing through a `RowWriter` in batches. Tags as PostgreSQL: `INSERT 0 n`,
 * `UPDATE n`, `DELETE n`.
 */
import { containsWindow, windowNotAllowed } from '../plan/expr/window-functions.js';
import type * as ast from '../parser/ast.js';
import { assert } from '../../src/base/assert.js';
import { getRequest } from '../../kv/api/index.js';
import { findColumn, foreignKeysOf, hasForeignKeys, visibleColumns, type ColumnDesc, type TableDesc } from '../catalog/descriptors.js';
import { duplicateColumn, SqlError, undefinedColumn } from '../catalog/errors.js';
import { resolveWriteTarget } from '../catalog/resolve.js';
import type { CompiledExpr } from '../plan/expr/compiled.js';
import { constantExpr } from '../plan/expr/compiled.js';
import { coerce } from '../plan/expr/coerce.js';
import type { ExprCompiler } from '../plan/expr/compile.js';
import { implicitUpdateLocking, type PlanNode } from '../plan/plan.js';
import { codecOf, correlatedSince, planFrom, planQuery, scanNode, tableScope, targetName, type PlanContext } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import { rewriteViewDelete, rewriteViewInsert, rewriteViewUpdate } from '../plan/view-write.js';
import { chooseIndex } from '../plan/spans.js';
import type { Datum } from '../types/datum.js';
import type { SqlType } from '../types/sql-type.js';
import type { ResultColumn } from './contract.js';
import { compileArrayAssignment, compileInsertArrays, subscriptedValueType } from './array-assignment.js';
import { ForeignKeyActions } from './fk.js';
import { buildSource } from './operators.js';
import { generatesRowid, RowWriter, type CheckConstraint } from './row-writer.js';
import { drain, rowsSource, type Runtime } from './runtime.js';
import type { StatementPlan } from './statement.js';

interface Returning {
  readonly columns: ResultColumn[] | undefined;
  readonly exprs: CompiledExpr[];
}

/**
 * RETURNING over the written row — `scope` is the target table's (the default) or, for UPDATE …
 * FROM / DELETE … USING, the joined row's, as PostgreSQL lets RETURNING name the other FROM items'
 * columns (and `*` lists them after the target's): the rows given to `returningRows` are then
 * `[new target row…, other columns…]`.
 */
async function compileReturning(compiler: ExprCompiler, table: TableDesc, alias: string, targets: readonly ast.Target[], scope: Scope = tableScope(table, alias)): Promise<Returning> {
  if (targets.length === 0) return { columns: undefined, exprs: [] };
  const scoped = compiler.withScope(scope);
  const exprs: CompiledExpr[] = [];
  const columns: ResultColumn[] = [];
  for (const target of targets) {
    if (target.expr.kind === 'Star') {
      for (const position of scope.star(target.expr.qualifier)) {
        const column = scope.columns[position]!;
        exprs.push({ type: column.type, eval: (row) => row[position] ?? null, rowIndependent: false, columnIndex: position });
        columns.push({ name: column.name, type: column.type, tableOid: column.tableOid, columnNumber: column.columnNumber });
      }
      continue;
    }
    const expr = await scoped.compileValue(target.expr);
    exprs.push(expr);
    const source = expr.columnIndex === undefined ? undefined : scope.columns[expr.columnIndex];
    columns.push({ name: target.alias ?? targetName(target.expr), type: expr.type, tableOid: source?.tableOid ?? 0, columnNumber: source?.columnNumber ?? 0 });
  }
  return { columns, exprs };
}

export async function compileChecks(compiler: ExprCompiler, table: TableDesc): Promise<CheckConstraint[]> {
  const scoped = compiler.withScope(tableScope(table, table.name));
  return Promise.all(table.checks.map(async (check) => ({ name: check.name, expr: await scoped.compilePredicate(check.expr, 'CHECK') })));
}

/**
 * The WITH CHECK OPTION conditions a write through views carries (view-write.ts), over the base
 * table as the rewritten statement names it (`alias`), innermost view first.
 */
async function compileViewChecks(compiler: ExprCompiler, table: TableDesc, alias: string, viewChecks: readonly ast.ViewCheck[] | undefined): Promise<CheckConstraint[]> {
  if (viewChecks === undefined) return [];
  const scoped = compiler.withScope(tableScope(table, alias));
  const conditions = viewChecks.filter((check): check is ast.ViewCheck & { readonly condition: ast.Expr } => check.condition !== null);
  return Promise.all(conditions.map(async (check) => ({ name: check.view, expr: await scoped.compilePredicate(check.condition, 'CHECK OPTION') })));
}

/**
 * One SET assignment's value for `column`, coerced as an assignment. A column of `SET (a, b) =
 * (SELECT …)` takes its field of the sub-select, compiled once for all its columns (`rows`, keyed
 * by the shared AST node).
 */
async function compileAssignment(compiler: ExprCompiler, assignment: ast.Assignment, column: ColumnDesc, base: CompiledExpr, rows: Map<ast.Expr, CompiledExpr[]>): Promise<CompiledExpr> {
  const value = await assignedValue(compiler, assignment, rows);
  if (assignment.subscripts !== undefined) return compileArrayAssignment(compiler, column, base, assignment.subscripts, value);
  return coerce(value, column.type, 'assignment', compiler.paramTypes, `column "${column.name}"`);
}

/**
 * What an assignment to the column at `position` starts from: the row's value, or the result of an
 * earlier subscripted assignment to it in the same SET (`SET a[1] = x, a[2] = y` applies both, in
 * order, as PostgreSQL's rewriter merges them); any other repeat is 42601.
 */
function assignmentBase(assignments: readonly { position: number; expr: CompiledExpr; subscripted: boolean }[], assignment: ast.Assignment, column: ColumnDesc, position: number): CompiledExpr {
  const earlier = assignments.find((candidate) => candidate.position === position);
  if (earlier === undefined) return { type: column.type, eval: (row) => row[position] ?? null, rowIndependent: false };
  if (!earlier.subscripted || assignment.subscripts === undefined) throw new SqlError('42601', `multiple assignments to same column "${column.name}"`);
  return earlier.expr;
}

/** Adds (or, for a column assigned again, replaces) the compiled assignment to the column at `position`. */
function noteAssignment(assignments: { position: number; expr: CompiledExpr; subscripted: boolean }[], position: number, expr: CompiledExpr, subscripted: boolean): void {
  const earlier = assignments.findIndex((candidate) => candidate.position === position);
  if (earlier === -1) assignments.push({ position, expr, subscripted });
  else assignments[earlier] = { position, expr, subscripted };
}

/** The assignment's value as written, not yet coerced: its own, or its field of a shared row sub-select. */
async function assignedValue(compiler: ExprCompiler, assignment: ast.Assignment, rows: Map<ast.Expr, CompiledExpr[]>): Promise<CompiledExpr> {
  if (assignment.field === undefined) return compiler.compile(assignment.value);
  let fields = rows.get(assignment.value);
  if (fields === undefined) rows.set(assignment.value, (fields = await compiler.compileRowFields(assignment.value, assignment.field.count)));
  return fields[assignment.field.index]!;
}

/** A column's DEFAULT (or NULL), compiled as an assignment to the column. */
export async function compileDefault(compiler: ExprCompiler, table: TableDesc, position: number): Promise<CompiledExpr> {
  const column = table.columns[position]!;
  if (column.defaultExpr === null) return constantExpr(column.type, null);
  return compiler.withScope(Scope.empty).compileAs(column.defaultExpr, column.type, 'assignment', `column "${column.name}"`);
}

function returningRows(returning: Returning, rows: readonly (readonly Datum[])[], rt: Runtime): Datum[][] {
  return rows.map((row) => returning.exprs.map((expr) => expr.eval(row, rt.ctx)));
}

// ─── INSERT ────────────────────────────────────────────────────────────────────────────────

/** PostgreSQL's 428C9 for a value given to a GENERATED ALWAYS identity column (rewriteTargetListIU). */
function identityAlwaysError(column: ColumnDesc, update: boolean): SqlError {
  const detail = `Column "${column.name}" is an identity column defined as GENERATED ALWAYS.`;
  return update
    ? new SqlError('428C9', `column "${column.name}" can only be updated to DEFAULT`, { detail })
    : new SqlError('428C9', `cannot insert a non-DEFAULT value into column "${column.name}"`, { detail, hint: 'Use OVERRIDING SYSTEM VALUE to override.' });
}

/** Refuses an UPDATE (or ON CONFLICT DO UPDATE) SET of a GENERATED ALWAYS identity column to anything but DEFAULT. */
function checkIdentityUpdate(column: ColumnDesc, value: ast.Expr): void {
  if (column.identity === 'always' && value.kind !== 'DefaultValue') throw identityAlwaysError(column, true);
}

/** The positions of INSERT's target columns; a column may come twice only with subscripts each time (`(a[1], a[2])`). */
function targetPositions(table: TableDesc, names: readonly string[], subscripts?: readonly (readonly ast.AssignmentSubscript[] | null)[]): number[] {
  if (names.length === 0) return visibleColumns(table).map((column) => table.columns.indexOf(column));
  const seen = new Set<string>();
  const subscripted = new Set<string>();
  return names.map((name, index) => {
    const partial = (subscripts?.[index] ?? null) !== null;
    if (seen.has(name) && !(partial && subscripted.has(name))) throw duplicateColumn(name);
    seen.add(name);
    if (partial) subscripted.add(name);
    const column = findColumn(table, name);
    if (column === undefined) throw undefinedColumn(name, table.name);
    return table.columns.indexOf(column);
  });
}

/**
 * CockroachDB's UPSERT as PostgreSQL's ON CONFLICT: a row whose primary key exists overwrites
 * the given columns (the statement's column list, or every visible column) with the new row's
 * values; the columns not given keep theirs. With only key columns given, the key is set to
 * itself, so the existing row still counts as upserted (CockroachDB's count: every row given).
 */
function upsertConflict(table: TableDesc, positions: readonly number[]): ast.OnConflict {
  const keyIds = new Set(table.primaryIndex.columns.map((column) => column.columnId));
  const keyNames = table.primaryIndex.columns.map((key) => table.columns.find((column) => column.id === key.columnId)!.name);
  const given = positions.map((position) => table.columns[position]!);
  const overwritten = given.some((column) => !keyIds.has(column.id)) ? given.filter((column) => !keyIds.has(column.id)) : given;
  const set = overwritten.map((column): ast.Assignment => ({ column: column.name, value: { kind: 'ColumnRef', path: ['excluded', column.name], location: -1 }, location: -1 }));
  return { columns: keyNames, targetWhere: null, constraint: null, action: { kind: 'update', set, where: null } };
}

export async function prepareInsert(pctx: PlanContext, statement: ast.Insert): Promise<StatementPlan> {
  // The statement's own WITH was planned around it (modifying-ctes.ts prepareWithClause).
  assert(statement.with === null, 'an INSERT without its WITH');
  // Into an automatically updatable view: the same INSERT into its base relation (view-write.ts).
  const intoView = await rewriteViewInsert(pctx, statement);
  if (intoView !== null) return prepareInsert(pctx, intoView);
  const table = await resolveWriteTarget(pctx.catalog, pctx.settings, statement.table, 'insert');
  const compiler = pctx.compiler;
  const positions = targetPositions(table, statement.columns, statement.columnSubscripts);
  // `(a[1], …)`: those source values are elements (or slices), built into the column's array below.
  const subscriptsAt = (index: number): readonly ast.AssignmentSubscript[] | null => statement.columnSubscripts?.[index] ?? null;
  const sourceType = (index: number): SqlType => {
    const column = table.columns[positions[index]!]!;
    const subscripts = subscriptsAt(index);
    return subscripts === null ? column.type : subscriptedValueType(column, subscripts);
  };
  if (statement.upsert && statement.columnSubscripts !== undefined) throw new SqlError('0A000', 'UPSERT into an element of a column is not supported');
  // OVERRIDING USER VALUE: identity columns take their sequence's value whatever the statement
  // gives them; without OVERRIDING SYSTEM VALUE a GENERATED ALWAYS one takes no value but DEFAULT.
  const userOverridden = (position: number): boolean => statement.overriding === 'user' && table.columns[position]!.identity !== undefined;
  const refusesValue = (position: number): boolean => statement.overriding === null && table.columns[position]!.identity === 'always';
  // Defaults are compiled only where used: a default's nextval must not run for a given value.
  const compiledDefaults = new Map<number, CompiledExpr>();
  const defaultOf = async (position: number): Promise<CompiledExpr> => {
    let compiled = compiledDefaults.get(position);
    if (compiled === undefined) compiledDefaults.set(position, (compiled = await tracked(() => compileDefault(compiler, table, position))));
    return compiled;
  };
  const defaultsExcept = async (provided: (position: number) => boolean): Promise<(CompiledExpr | null)[]> => {
    const exprs: (CompiledExpr | null)[] = [];
    for (let position = 0; position < table.columns.length; position++) exprs.push(provided(position) ? null : await defaultOf(position));
    return exprs;
  };
  // Each source row becomes a full row: target columns from the source, the rest from defaults.
  let source: PlanNode;
  let rowExprs: (CompiledExpr | null)[];
  // VALUES rows, when the statement calls nextval/currval/setval: evaluated one by one after
  // that row's sequence slots are filled, so `VALUES (DEFAULT), (nextval('s'))` gets a value per
  // row (evaluated up front, as the values node does, they read slots not filled yet: NULL).
  // Each row fills only the slots its own expressions and the omitted columns' defaults use, so
  // a row that gives a SERIAL column a value consumes nothing from its sequence (PostgreSQL's
  // count: VALUES (DEFAULT), (100), (DEFAULT) takes 1 and 2).
  let valuesRows: { readonly exprs: CompiledExpr[]; readonly slots: readonly number[] }[] | null = null;
  const slotsUsed = new Map<CompiledExpr, readonly number[]>();
  const tracked = async (compile: () => Promise<CompiledExpr>): Promise<CompiledExpr> => {
    const before = compiler.slots.length;
    const compiled = await compile();
    const added: number[] = [];
    for (let index = before; index < compiler.slots.length; index++) {
      const kind = compiler.slots[index]!.kind;
      if (kind === 'nextval' || kind === 'currval' || kind === 'setval' || kind === 'session') added.push(index);
    }
    if (!slotsUsed.has(compiled)) slotsUsed.set(compiled, added);
    return compiled;
  };
  const sourceWidth = positions.length;
  if (statement.source === null) {
    source = { kind: 'values', rows: [[]], width: 0 };
    rowExprs = await defaultsExcept(() => false);
  } else if (statement.source.kind === 'Values' && statement.source.orderBy.length === 0 && statement.source.limit === null) {
    const rows: CompiledExpr[][] = [];
    for (const row of statement.source.rows) {
      if (row.length > sourceWidth) throw new SqlError('42601', 'INSERT has more expressions than target columns');
      if (row.length < sourceWidth && statement.columns.length > 0) throw new SqlError('42601', 'INSERT has more target columns than expressions');
      const compiled: CompiledExpr[] = [];
      for (let index = 0; index < row.length; index++) {
        const position = positions[index]!;
        const column = table.columns[position]!;
        const expr = row[index]!;
        if (containsWindow(expr)) throw windowNotAllowed('VALUES');
        if (expr.kind !== 'DefaultValue' && refusesValue(position)) throw identityAlwaysError(column, false);
        if (expr.kind === 'DefaultValue' && subscriptsAt(index) !== null) throw new SqlError('0A000', 'cannot set an array element to DEFAULT');
        compiled.push(expr.kind === 'DefaultValue' || userOverridden(position) ? await defaultOf(position) : await tracked(() => compiler.withScope(Scope.empty).compileAs(expr, sourceType(index), 'assignment', `column "${column.name}"`)));
      }
      for (let index = row.length; index < sourceWidth; index++) compiled.push(await defaultOf(positions[index]!));
      rows.push(compiled);
    }
    source = { kind: 'values', rows, width: sourceWidth };
    rowExprs = await defaultsExcept((position) => positions.includes(position));
    const omittedSlots = rowExprs.flatMap((expr) => (expr === null ? [] : (slotsUsed.get(expr) ?? [])));
    valuesRows = rows.map((exprs) => ({ exprs, slots: [...new Set([...exprs.flatMap((expr) => slotsUsed.get(expr) ?? []), ...omittedSlots])] }));
  } else {
    const planned = await planQuery(pctx, statement.source);
    if (planned.columns.length > sourceWidth) throw new SqlError('42601', 'INSERT has more expressions than target columns');
    const refused = positions.slice(0, planned.columns.length).find(refusesValue);
    if (refused !== undefined) throw identityAlwaysError(table.columns[refused]!, false);
    const exprs = planned.columns.map((column, index) => {
      const target = table.columns[positions[index]!]!;
      return coerce({ type: column.type, eval: (row) => row[index] ?? null, rowIndependent: false }, sourceType(index), 'assignment', compiler.paramTypes, `column "${target.name}"`);
    });
    source = { kind: 'project', input: planned.node, exprs, rowSlots: false, width: exprs.length };
    rowExprs = await defaultsExcept((position) => {
      const index = positions.indexOf(position);
      return index !== -1 && index < planned.columns.length && !userOverridden(position);
    });
  }
  if (statement.columnSubscripts !== undefined) {
    const arrays = await compileInsertArrays(compiler.withScope(Scope.empty), table.columns, positions, statement.columnSubscripts);
    for (const [position, expr] of arrays) rowExprs[position] = expr;
  }
  const checks = await compileChecks(compiler, table);
  const viewChecks = await compileViewChecks(compiler, table, statement.alias ?? table.name, statement.viewChecks);
  const returning = await compileReturning(compiler, table, statement.alias ?? table.name, statement.returning);
  if (statement.upsert && statement.onConflict !== null) throw new SqlError('42601', 'UPSERT takes no ON CONFLICT clause', { hint: 'Use INSERT … ON CONFLICT instead.' });
  const onConflict = statement.upsert ? upsertConflict(table, positions) : statement.onConflict;
  const upsert = onConflict !== null && onConflict.action.kind === 'update' ? await compileUpsert(pctx, table, statement.alias ?? table.name, onConflict) : null;
  // DO NOTHING with a target skips only rows that conflict on that constraint (the arbiter); a
  // conflict on another still fails with 23505. Without a target, every unique constraint is one.
  const arbiter = onConflict === null || upsert !== null ? undefined : onConflict.constraint !== null ? conflictConstraint(table, onConflict.constraint).id : onConflict.columns.length > 0 ? conflictTarget(table, onConflict.columns).id : undefined;
  const hasRowSlots = compiler.slots.some((slot) => slot.kind === 'nextval' || slot.kind === 'setval' || slot.kind === 'currval' || slot.kind === 'session');
  // ON CONFLICT / UPSERT read the keys they write: their rows' writes go as before.
  const freshRowids = onConflict === null && generatesRowid(table, (position) => rowExprs[position] !== null && rowExprs[position] !== undefined);
  return {
    columns: returning.columns,
    paramTypes: [],
    isDdl: false,
    node: source,
    async execute(rt, exec) {
      const lazyValues = hasRowSlots ? valuesRows : null;
      const input: readonly (readonly Datum[] | NonNullable<typeof valuesRows>[number])[] = lazyValues ?? (await drain(buildSource(source, rt)));
      const codec = codecOf(table);
      // Only in an implicit transaction: its commit follows at once, one phase when the rows'
      // range is the only one written. In an explicit one the held rows joined writes on other
      // ranges and made the commit a parallel commit — a staging round, then the explicit
      // commit, before waiters on its locks move: TPC-B (8 clients, scale 10, 40 s, quiet, A/B
      // alternating) ran 618 and 638 tps with them held against 719 and 676 without.
      const writer = new RowWriter(rt.txn, table, codec, checks, rt.ctx, viewChecks, freshRowids && rt.txn.implicit);
      const foreignKeys = hasForeignKeys(table) ? new ForeignKeyActions(exec.catalog, table) : null;
      const written: Datum[][] = [];
      const seen = new Set<string>();
      for (const item of input) {
        let sourceRow: readonly Datum[];
        if (lazyValues === null) {
          if (hasRowSlots) await rt.fillRowSlots();
          sourceRow = item as readonly Datum[];
        } else {
          const { exprs, slots } = item as NonNullable<typeof valuesRows>[number];
          await rt.fillRowSlots(slots);
          sourceRow = exprs.map((expr) => expr.eval([], rt.ctx));
        }
        const row = table.columns.map((_column, position) => {
          const expr = rowExprs[position];
          if (expr !== null && expr !== undefined) return expr.eval(sourceRow, rt.ctx);
          return sourceRow[positions.indexOf(position)] ?? null;
        });
        if (upsert !== null) {
          const existing = await upsert.existing(rt, codec, row, seen);
          if (existing !== undefined) {
            const updated = await upsert.apply(existing, row, rt);
            if (updated === undefined) continue;
            writer.validate(updated);
            await writer.update(existing, updated);
            foreignKeys?.updated(existing, updated);
            written.push(updated);
            continue;
          }
        }
        writer.validate(row);
        if (onConflict !== null && upsert === null && (await conflicts(rt, codec, row, seen, arbiter))) continue;
        await writer.insert(row);
        foreignKeys?.inserted(row);
        written.push(row);
      }
      await writer.flush();
      writer.checkViews(written);
      await foreignKeys?.finish(rt);
      const count = written.length;
      return { rows: returning.columns === undefined ? null : rowsSource(returningRows(returning, written, rt)), tag: () => `INSERT 0 ${count}`, notices: [] };
    },
  };
}

interface Upsert {
  /** The existing row the proposed one conflicts with on the target constraint, or undefined. */
  existing(rt: Runtime, codec: ReturnType<typeof codecOf>, row: readonly Datum[], seen: Set<string>): Promise<Datum[] | undefined>;
  /** The existing row after the DO UPDATE SET, or undefined when its WHERE rejects it. */
  apply(existing: readonly Datum[], proposed: readonly Datum[], rt: Runtime): Promise<Datum[] | undefined>;
}

/** The primary key or unique index ON CONFLICT (cols) names, or 42P10 (PostgreSQL's arbiter inference). */
function conflictTarget(table: TableDesc, columns: readonly string[]): TableDesc['primaryIndex'] {
  const ids = columns.map((name) => {
    const column = findColumn(table, name);
    if (column === undefined) throw undefinedColumn(name);
    return column.id;
  });
  const sameColumns = (index: { columns: readonly { columnId: number }[] }): boolean => index.columns.length === ids.length && index.columns.every((column) => ids.includes(column.columnId));
  const target = [table.primaryIndex, ...table.secondaryIndexes.filter((index) => index.unique)].find(sameColumns);
  if (target === undefined) throw new SqlError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  return target;
}

/**
 * The primary key or unique constraint ON CONFLICT ON CONSTRAINT names: the arbiter, as an
 * inferred target is (a conflict on any other constraint still fails with 23505). A unique index
 * made by CREATE UNIQUE INDEX is no constraint (42704, as in PostgreSQL); a CHECK or foreign key
 * has no index to arbitrate with (42809).
 */
function conflictConstraint(table: TableDesc, name: string): TableDesc['primaryIndex'] {
  const target = [table.primaryIndex, ...table.secondaryIndexes.filter((index) => index.unique && index.constraint !== 'none')].find((index) => index.name === name);
  if (target !== undefined) return target;
  if (table.checks.some((check) => check.name === name) || foreignKeysOf(table).some((fk) => fk.name === name)) throw new SqlError('42809', 'constraint in ON CONFLICT clause has no associated index');
  throw new SqlError('42704', `constraint "${name}" for table "${table.name}" does not exist`);
}

/**
 * ON CONFLICT (cols) DO UPDATE SET … [WHERE …]: the target must be the primary key or a unique
 * index; SET and WHERE see the existing row by the table's name and the proposed one as
 * `excluded` (PostgreSQL's scope).
 */
async function compileUpsert(pctx: PlanContext, table: TableDesc, alias: string, onConflict: ast.OnConflict): Promise<Upsert> {
  assert(onConflict.action.kind === 'update', 'an upsert');
  if (onConflict.targetWhere !== null) throw new SqlError('0A000', 'ON CONFLICT with a target WHERE is not supported yet');
  if (onConflict.columns.length === 0 && onConflict.constraint === null) throw new SqlError('42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', { hint: 'For example, ON CONFLICT (column_name).' });
  const target = onConflict.constraint !== null ? conflictConstraint(table, onConflict.constraint) : conflictTarget(table, onConflict.columns);
  const scope = tableScope(table, alias).concat(tableScope(table, 'excluded'));
  const compiler = pctx.compiler.withScope(scope);
  const assignments: { position: number; expr: CompiledExpr; subscripted: boolean }[] = [];
  const rowSources = new Map<ast.Expr, CompiledExpr[]>();
  const slotsBeforeSet = pctx.compiler.slots.length;
  for (const assignment of onConflict.action.set) {
    const column = findColumn(table, assignment.column);
    if (column === undefined) throw undefinedColumn(assignment.column, table.name);
    const position = table.columns.indexOf(column);
    if (containsWindow(assignment.value)) throw windowNotAllowed('UPDATE');
    checkIdentityUpdate(column, assignment.value);
    const base = assignmentBase(assignments, assignment, column, position);
    const expr = assignment.value.kind === 'DefaultValue' ? await compileDefault(pctx.compiler, table, position) : await compileAssignment(compiler, assignment, column, base, rowSources);
    noteAssignment(assignments, position, expr, assignment.subscripts !== undefined);
  }
  // Sub-selects correlated to the existing row or to `excluded` run once per conflicting row, as
  // UPDATE's SET and WHERE do (the WHERE's first: the SET's run only for a row it keeps).
  const setSlots = correlatedSince(pctx.compiler, slotsBeforeSet);
  const slotsBeforeWhere = pctx.compiler.slots.length;
  const where = onConflict.action.where === null ? null : await compiler.compilePredicate(onConflict.action.where, 'WHERE');
  const whereSlots = correlatedSince(pctx.compiler, slotsBeforeWhere);
  const isPrimary = target.id === table.primaryIndex.id;
  const pkPositions = table.primaryIndex.columns.map((column) => table.columns.findIndex((candidate) => candidate.id === column.columnId));
  return {
    async existing(rt, codec, row, seen) {
      let key: Uint8Array;
      if (isPrimary) key = codec.primaryKey(row);
      else {
        const entry = codec.indexEntry(target.id, row);
        if (!entry.unique) return undefined; // a NULL in the target: never a conflict
        key = entry.key;
      }
      const id = Buffer.from(key).toString('hex');
      if (seen.has(id)) throw new SqlError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time', { hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.' });
      seen.add(id);
      const found = await rt.txn.get(key);
      if (found === undefined) return undefined;
      if (isPrimary) return codec.decodePrimary(key, found);
      const partial = codec.decodeIndexEntry(target.id, key, found);
      const primaryKey = codec.primaryKeyFromValues(pkPositions.map((position) => partial[position] ?? null));
      const value = await rt.txn.get(primaryKey);
      return value === undefined ? undefined : codec.decodePrimary(primaryKey, value);
    },
    async apply(existing, proposed, rt) {
      const both = [...existing, ...proposed];
      if (whereSlots !== undefined) await rt.fillCorrelated(whereSlots, both);
      if (where !== null && where.eval(both, rt.ctx) !== true) return undefined;
      if (setSlots !== undefined) await rt.fillCorrelated(setSlots, both);
      const updated = [...existing];
      for (const { position, expr } of assignments) updated[position] = expr.eval(both, rt.ctx);
      return updated;
    },
  };
}

/** ON CONFLICT DO NOTHING: whether the row's key in the arbiter (undefined: its primary key or any unique entry) exists or was inserted by this statement. */
async function conflicts(rt: Runtime, codec: ReturnType<typeof codecOf>, row: readonly Datum[], seen: Set<string>, arbiter: number | undefined): Promise<boolean> {
  const unique = codec.indexEntries(row).filter((entry) => entry.unique && (arbiter === undefined || entry.indexId === arbiter));
  const keys = [...(arbiter === undefined || arbiter === codec.table.primaryIndex.id ? [codec.primaryKey(row)] : []), ...unique.map((entry) => entry.key)];
  const ids = keys.map((key) => Buffer.from(key).toString('hex'));
  if (ids.some((id) => seen.has(id))) return true;
  const response = await rt.txn.batch(keys.map((key) => getRequest(key)));
  if (response.responses.some((result) => result.kind === 'get' && result.value !== undefined)) return true;
  for (const id of ids) seen.add(id);
  return false;
}

// ─── UPDATE / DELETE ───────────────────────────────────────────────────────────────────────

/**
 * The rows an UPDATE or DELETE changes: the target table's (locked) scan, joined with the
 * `FROM` / `USING` items if any — rows are `[target columns…, other columns…]` — and filtered.
 */
async function planTargetRead(pctx: PlanContext, table: TableDesc, alias: string, where: ast.Expr | null, others: readonly ast.FromItem[] = []): Promise<{ node: PlanNode; compiler: ExprCompiler }> {
  const from = others.length === 0 ? null : await planFrom(pctx, others);
  const targetScope = tableScope(table, alias);
  const compiler = pctx.compiler.withScope(from === null ? targetScope : targetScope.concat(from.scope));
  const choice = await chooseIndex(table, where, compiler);
  let node: PlanNode = scanNode(table, choice, implicitUpdateLocking);
  if (from !== null) node = { kind: 'join', joinType: 'cross', left: node, right: from.node, on: null, width: node.width + from.node.width };
  if (where !== null) {
    const slotsBefore = pctx.compiler.slots.length;
    const predicate = await compiler.compilePredicate(where, 'WHERE');
    const correlatedSlots = correlatedSince(pctx.compiler, slotsBefore);
    node = { kind: 'filter', input: node, predicate, ...(correlatedSlots === undefined ? {} : { correlatedSlots }), width: node.width };
  }
  return { node, compiler };
}

/** Each target row once (a join may match it several times; PostgreSQL then uses one match). */
function firstPerTarget(rows: readonly Datum[][], table: TableDesc, joined: boolean): Datum[][] {
  if (!joined) return rows as Datum[][];
  const codec = codecOf(table);
  const seen = new Set<string>();
  return rows.filter((row) => {
    const id = Buffer.from(codec.primaryKey(row.slice(0, table.columns.length))).toString('latin1');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export async function prepareUpdate(pctx: PlanContext, statement: ast.Update): Promise<StatementPlan> {
  assert(statement.with === null, 'an UPDATE without its WITH (modifying-ctes.ts)');
  const ofView = await rewriteViewUpdate(pctx, statement);
  if (ofView !== null) return prepareUpdate(pctx, ofView);
  const table = await resolveWriteTarget(pctx.catalog, pctx.settings, statement.table, 'update');
  const alias = statement.alias ?? table.name;
  const read = await planTargetRead(pctx, table, alias, statement.where, statement.from);
  const joined = statement.from.length > 0;
  const width = table.columns.length;
  const assignments: { position: number; expr: CompiledExpr; subscripted: boolean }[] = [];
  const rowSources = new Map<ast.Expr, CompiledExpr[]>();
  const slotsBeforeSet = pctx.compiler.slots.length;
  for (const assignment of statement.set) {
    const column = findColumn(table, assignment.column);
    if (column === undefined) throw undefinedColumn(assignment.column, table.name);
    const position = table.columns.indexOf(column);
    const base = assignmentBase(assignments, assignment, column, position);
    if (containsWindow(assignment.value)) throw windowNotAllowed('UPDATE');
    checkIdentityUpdate(column, assignment.value);
    const expr = assignment.value.kind === 'DefaultValue' ? await compileDefault(pctx.compiler, table, position) : await compileAssignment(read.compiler, assignment, column, base, rowSources);
    noteAssignment(assignments, position, expr, assignment.subscripts !== undefined);
  }
  // Correlated sub-selects in SET (`n = (SELECT … WHERE d.id = t.id)`, `(a, b) = (SELECT …)`) run once per row written.
  const setSlots = correlatedSince(pctx.compiler, slotsBeforeSet);
  const checks = await compileChecks(pctx.compiler, table);
  const viewChecks = await compileViewChecks(pctx.compiler, table, alias, statement.viewChecks);
  const returning = await compileReturning(pctx.compiler, table, alias, statement.returning, read.compiler.scope);
  const hasRowSlots = pctx.compiler.slots.some((slot) => slot.kind === 'nextval' || slot.kind === 'setval' || slot.kind === 'currval' || slot.kind === 'session');
  return {
    columns: returning.columns,
    paramTypes: [],
    isDdl: false,
    node: read.node,
    async execute(rt, exec) {
      const rows = firstPerTarget(await drain(buildSource(read.node, rt)), table, joined);
      const writer = new RowWriter(rt.txn, table, codecOf(table), checks, rt.ctx, viewChecks);
      const foreignKeys = hasForeignKeys(table) ? new ForeignKeyActions(exec.catalog, table) : null;
      const updated: Datum[][] = [];
      // RETURNING's rows: the new target row, then the FROM items' columns of the match used.
      const returned: Datum[][] = [];
      for (const joinedRow of rows) {
        if (hasRowSlots) await rt.fillRowSlots(undefined, joinedRow);
        if (setSlots !== undefined) await rt.fillCorrelated(setSlots, joinedRow);
        const oldRow = joined ? joinedRow.slice(0, width) : joinedRow;
        const newRow = [...oldRow];
        for (const { position, expr } of assignments) newRow[position] = expr.eval(joinedRow, rt.ctx);
        writer.validate(newRow);
        await writer.update(oldRow, newRow);
        foreignKeys?.updated(oldRow, newRow);
        updated.push(newRow);
        if (returning.columns !== undefined) returned.push(joined ? [...newRow, ...joinedRow.slice(width)] : newRow);
      }
      await writer.flush();
      writer.checkViews(updated);
      await foreignKeys?.finish(rt);
      const count = updated.length;
      return { rows: returning.columns === undefined ? null : rowsSource(returningRows(returning, returned, rt)), tag: () => `UPDATE ${count}`, notices: [] };
    },
  };
}

export async function prepareDelete(pctx: PlanContext, statement: ast.Delete): Promise<StatementPlan> {
  assert(statement.with === null, 'a DELETE without its WITH (modifying-ctes.ts)');
  const fromView = await rewriteViewDelete(pctx, statement);
  if (fromView !== null) return prepareDelete(pctx, fromView);
  const table = await resolveWriteTarget(pctx.catalog, pctx.settings, statement.table, 'delete');
  const alias = statement.alias ?? table.name;
  const read = await planTargetRead(pctx, table, alias, statement.where, statement.using);
  const joined = statement.using.length > 0;
  const returning = await compileReturning(pctx.compiler, table, alias, statement.returning, read.compiler.scope);
  return {
    columns: returning.columns,
    paramTypes: [],
    isDdl: false,
    node: read.node,
    async execute(rt, exec) {
      const joinedRows = firstPerTarget(await drain(buildSource(read.node, rt)), table, joined);
      const rows = joinedRows.map((row) => (joined ? row.slice(0, table.columns.length) : row));
      const writer = new RowWriter(rt.txn, table, codecOf(table), [], rt.ctx);
      const foreignKeys = hasForeignKeys(table) ? new ForeignKeyActions(exec.catalog, table) : null;
      for (const row of rows) {
        await writer.delete(row);
        foreignKeys?.deleted(row);
      }
      await writer.flush();
      await foreignKeys?.finish(rt);
      const count = rows.length;
      return { rows: returning.columns === undefined ? null : rowsSource(returningRows(returning, joinedRows, rt)), tag: () => `DELETE ${count}`, notices: [] };
    },
  };
}
