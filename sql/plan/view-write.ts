/**
 * INSERT, UPDATE and DELETE on an automatically updatable view (view-updatable.ts), rewritten
 * into the same statement on the view's base relation — PostgreSQL's rewriteTargetView:
 *
 * ```
 *   CREATE VIEW rich AS SELECT id, name AS who, salary FROM emp WHERE salary >= 100
 *   UPDATE rich SET who = 'x' WHERE id = 1 RETURNING who
 *     ⇒ UPDATE emp SET name = 'x' WHERE salary >= 100 AND id = 1 RETURNING name
 *   INSERT INTO rich (id, who) VALUES (5, 'y')  ⇒  INSERT INTO emp (id, name) VALUES (5, 'y')
 * ```
 *
 * A view column the statement names is replaced by its expression over the base relation; a
 * column it writes must be a plain base column (else 0A000, PostgreSQL's `cannot insert into
 * column … of view …`). UPDATE and DELETE see only the rows the view's WHERE passes; INSERT
 * does not check it, nor does UPDATE check its new rows, unless the view has WITH CHECK OPTION:
 * then the rewritten statement carries the view's WHERE as a `ViewCheck` on each new row
 * (PostgreSQL's WithCheckOption, WCO_VIEW_CHECK), and with CASCADED the WHEREs of the views
 * under it too, whatever their own option (LOCAL: only those that have one of their own). The
 * innermost view's condition is checked first, as PostgreSQL orders them. ON CONFLICT names view columns, and `excluded` is the proposed row of the view. The
 * base may itself be a view: the rewritten statement is planned again and
 * rewritten again, as PostgreSQL recurses. A view that is not automatically updatable is 55000
 * with PostgreSQL's detail and hint.
 */
import type * as ast from '../parser/ast.js';
import type { TableDesc, ViewDesc } from '../catalog/descriptors.js';
import { SqlError, undefinedColumn } from '../catalog/errors.js';
import { lookupRelation, type NameSettings } from '../catalog/resolve.js';
import type { PlanContext } from './context.js';
import { baseReferenceName, columnNotUpdatableDetail, hasUpdatableColumn, noUpdatableColumnsDetail, viewDefinition, viewUpdatability, type UpdatableView } from './view-updatable.js';

type Action = 'insert' | 'update' | 'delete';

/** A view a statement writes, taken apart, with its base relation's name as the rewritten statement gives it. */
interface ViewTarget {
  readonly view: ViewDesc;
  readonly shape: UpdatableView;
  readonly base: ast.QualifiedName;
  /** The name the statement's own expressions use for the view (its alias, else the view's name). */
  readonly reference: string;
  /** Whether the view is the statement's only relation (no UPDATE … FROM, DELETE … USING): a bare name must then be a view column. */
  readonly alone: boolean;
  /** Its WITH CHECK OPTION, if any. */
  readonly checkOption: 'local' | 'cascaded' | undefined;
}

/**
 * A statement into a view, its checks carried on to the rewritten statement on the base: the
 * outer views' conditions (over this view's columns) restated over the base, then this view's
 * own when its option, or a CASCADED one above it, asks for it — put first, so the innermost
 * view's is checked first (PostgreSQL's rewriteTargetView prepends each one).
 */
function carriedChecks(statement: ast.Insert | ast.Update, target: ViewTarget): { readonly viewChecks?: readonly ast.ViewCheck[] } {
  const outer = (statement.viewChecks ?? []).map((check): ast.ViewCheck => ({ ...check, condition: check.condition === null ? null : substitute(check.condition, target) }));
  const inherited = outer.some((check) => check.cascaded);
  if (target.checkOption === undefined && !inherited) return outer.length === 0 ? {} : { viewChecks: outer };
  const own: ast.ViewCheck = { view: target.view.name, condition: target.shape.where, cascaded: inherited || target.checkOption === 'cascaded' };
  return { viewChecks: [own, ...outer] };
}

/** `INSERT INTO view …` as an INSERT into its base relation; null when the target is no view. */
export async function rewriteViewInsert(ctx: PlanContext, statement: ast.Insert): Promise<ast.Insert | null> {
  const target = await viewTarget(ctx, statement.table, statement.alias, 'insert', true);
  if (target === null) return null;
  const given = statement.columns.length > 0 ? statement.columns : implicitColumns(target.view, statement.source);
  const columns = given.map((name) => writtenColumn(target, name, 'insert'));
  return {
    ...statement,
    table: target.base,
    alias: baseAlias(target.shape),
    columns,
    onConflict: statement.onConflict === null ? null : onConflictOnBase(statement.onConflict, target),
    returning: substituteTargets(statement.returning, target),
    ...carriedChecks(statement, target),
  };
}

/**
 * ON CONFLICT over a view: the conflict target's view columns as base columns (one that is no
 * base column matches no constraint: 42P10, as PostgreSQL), DO UPDATE's columns as UPDATE's,
 * and `excluded.c` as view column c's expression over the proposed row.
 */
function onConflictOnBase(onConflict: ast.OnConflict, target: ViewTarget): ast.OnConflict {
  const columns = onConflict.columns.map((name) => {
    const index = target.view.columns.findIndex((column) => column.name === name);
    if (index === -1) throw undefinedColumn(name);
    const base = target.shape.columns[index]!.baseColumn;
    if (base === null) throw new SqlError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    return base;
  });
  const targetWhere = onConflict.targetWhere === null ? null : substitute(onConflict.targetWhere, target);
  if (onConflict.action.kind === 'nothing') return { ...onConflict, columns, targetWhere };
  // PostgreSQL names the command's own verb: a DO UPDATE of an expression column is 'cannot insert into column'.
  const set = onConflict.action.set.map((assignment): ast.Assignment => ({ ...assignment, column: writtenColumn(target, assignment.column, 'insert'), value: substitute(assignment.value, target, false, true) }));
  const where = onConflict.action.where === null ? null : substitute(onConflict.action.where, target, false, true);
  return { ...onConflict, columns, targetWhere, action: { kind: 'update', set, where } };
}

/** `UPDATE view …` as an UPDATE of its base relation's rows the view shows; null when the target is no view. */
export async function rewriteViewUpdate(ctx: PlanContext, statement: ast.Update): Promise<ast.Update | null> {
  const target = await viewTarget(ctx, statement.table, statement.alias, 'update', statement.from.length === 0);
  if (target === null) return null;
  const set = statement.set.map((assignment): ast.Assignment => ({ ...assignment, column: writtenColumn(target, assignment.column, 'update'), value: substitute(assignment.value, target) }));
  return {
    ...statement,
    table: target.base,
    alias: baseAlias(target.shape),
    set,
    where: conjunction(target.shape.where, statement.where === null ? null : substitute(statement.where, target)),
    returning: substituteTargets(statement.returning, target),
    ...carriedChecks(statement, target),
  };
}

/** `DELETE FROM view …` as a DELETE of its base relation's rows the view shows; null when the target is no view. */
export async function rewriteViewDelete(ctx: PlanContext, statement: ast.Delete): Promise<ast.Delete | null> {
  const target = await viewTarget(ctx, statement.table, statement.alias, 'delete', statement.using.length === 0);
  if (target === null) return null;
  return {
    ...statement,
    table: target.base,
    alias: baseAlias(target.shape),
    where: conjunction(target.shape.where, statement.where === null ? null : substitute(statement.where, target)),
    returning: substituteTargets(statement.returning, target),
  };
}

/**
 * The view `name` names, checked updatable for `action`; null when it names no view (the caller
 * resolves it as a table, with that path's errors).
 */
async function viewTarget(ctx: PlanContext, name: ast.QualifiedName, alias: string | null, action: Action, alone: boolean): Promise<ViewTarget | null> {
  const resolved = await lookupRelation(ctx.catalog, ctx.settings, name);
  if (resolved?.entry.kind !== 'view') return null;
  const view = await ctx.catalog.descriptor(resolved.entry.id);
  if (view?.kind !== 'view') return null;
  // The view's names resolve as they did when it was created, not through the caller's search_path.
  const settings: NameSettings = view.searchPath === undefined ? ctx.settings : { ...ctx.settings, searchPath: view.searchPath };
  const definition = viewDefinition(view.definition);
  const query = definition.query;
  const from = query.kind === 'Select' && query.from.length === 1 && query.from[0]!.kind === 'TableRef' ? query.from[0] : undefined;
  const baseRelation = from === undefined ? undefined : await lookupRelation(ctx.catalog, settings, from.name);
  const baseDescriptor = baseRelation === undefined ? undefined : await ctx.catalog.descriptor(baseRelation.entry.id);
  const baseKind = baseDescriptor?.kind === 'table' || baseDescriptor?.kind === 'view' ? baseDescriptor : undefined;
  const shape = viewUpdatability(query, view.columns.length, () => (baseKind === undefined ? undefined : columnsAtCreation(view, baseKind)));
  const detail = !shape.updatable ? shape.detail : baseKind === undefined ? 'Views that do not select from a single table or view are not automatically updatable.' : action !== 'delete' && !hasUpdatableColumn(shape) ? noUpdatableColumnsDetail : null;
  if (detail !== null || !shape.updatable) throw notAutomaticallyUpdatable(view.name, action, detail ?? '');
  const base: ast.QualifiedName = { catalog: null, schema: baseRelation!.schema.name, name: baseRelation!.entry.name };
  return { view, shape, base, reference: alias ?? view.name, alone, checkOption: definition.checkOption };
}

/** The base relation's columns as the view's `*` saw them when it was created (later ones are cut: views.ts). */
function columnsAtCreation(view: ViewDesc, base: TableDesc | ViewDesc): string[] {
  const dependency = view.dependsOn.find((candidate) => candidate.id === base.id);
  if (base.kind === 'view') return base.columns.map((column) => column.name).slice(0, dependency === undefined ? undefined : dependency.nextColumnId - 1);
  return base.columns.filter((column) => !column.hidden && (dependency === undefined || column.id < dependency.nextColumnId)).map((column) => column.name);
}

/** PostgreSQL's 55000 for a write into a view that is not automatically updatable. */
function notAutomaticallyUpdatable(view: string, action: Action, detail: string): SqlError {
  const verb = action === 'insert' ? 'insert into' : action === 'update' ? 'update' : 'delete from';
  const enable = action === 'insert' ? 'inserting into' : action === 'update' ? 'updating' : 'deleting from';
  const upper = action.toUpperCase();
  return new SqlError('55000', `cannot ${verb} view "${view}"`, {
    detail,
    hint: `To enable ${enable} the view, provide an INSTEAD OF ${upper} trigger or an unconditional ON ${upper} DO INSTEAD rule.`,
  });
}

/** The base column a write of view column `name` writes: 42703 for no such view column, 0A000 for one that is no base column. */
function writtenColumn(target: ViewTarget, name: string, action: 'insert' | 'update'): string {
  const index = target.view.columns.findIndex((column) => column.name === name);
  if (index === -1) throw undefinedColumn(name, target.view.name);
  const base = target.shape.columns[index]!.baseColumn;
  if (base === null) throw new SqlError('0A000', `cannot ${action === 'insert' ? 'insert into' : 'update'} column "${name}" of view "${target.view.name}"`, { detail: columnNotUpdatableDetail });
  return base;
}

/**
 * The view columns an INSERT without a column list fills: the first ones, as many as its source
 * gives (all of them when that is not known before planning: a `*` in its SELECT).
 */
function implicitColumns(view: ViewDesc, source: ast.Query | null): string[] {
  const names = view.columns.map((column) => column.name);
  if (source === null) return [];
  const width = source.kind === 'Values' ? source.rows[0]?.length : source.kind === 'Select' && !source.targets.some((target) => target.expr.kind === 'Star') ? source.targets.length : undefined;
  return width === undefined ? names : names.slice(0, width);
}

/** The rewritten statement's alias for the base: the view query's own alias, so its expressions resolve. */
function baseAlias(shape: UpdatableView): string | null {
  return shape.base.alias === null ? null : baseReferenceName(shape.base);
}

function conjunction(left: ast.Expr | null, right: ast.Expr | null): ast.Expr | null {
  if (left === null || right === null) return left ?? right;
  return { kind: 'And', args: [left, right], location: -1 };
}

/** RETURNING over the view: each view column by its expression, named as the view names it. */
function substituteTargets(targets: readonly ast.Target[], target: ViewTarget): ast.Target[] {
  return targets.flatMap((item): ast.Target[] => {
    const star = item.expr.kind === 'Star' ? item.expr : undefined;
    if (star !== undefined && (star.qualifier.length === 0 || (star.qualifier.length === 1 && star.qualifier[0] === target.reference))) {
      return target.view.columns.map((column, index) => ({ expr: target.shape.columns[index]!.expr, alias: column.name, location: item.location }));
    }
    const expr = substitute(item.expr, target);
    // An unaliased view column keeps the view's name for it (PostgreSQL names the output after the view column).
    const alias = item.alias ?? (item.expr.kind === 'ColumnRef' && expr !== item.expr ? item.expr.path[item.expr.path.length - 1]! : null);
    return [{ ...item, expr, alias }];
  });
}

const queryKinds: ReadonlySet<string> = new Set(['Select', 'SetOperation', 'Values']);

/**
 * `expr` with each reference to a view column replaced by that column's expression over the base:
 * `v.c` anywhere (a subquery may read it as an outer column), a bare `c` outside subqueries (inside
 * one, a bare name is the subquery's own first). `v.x` for no view column x is 42703.
 */
function substitute(expr: ast.Expr, target: ViewTarget, nested = false, excluded = false): ast.Expr {
  return replaceIn(expr, target, nested, excluded) as ast.Expr;
}

function replaceIn(node: unknown, target: ViewTarget, nested: boolean, excluded: boolean): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((item) => replaceIn(item, target, nested, excluded));
  const record = node as { readonly kind?: string };
  if (record.kind === 'ColumnRef') {
    const ref = node as ast.ColumnRef;
    if (excluded && ref.path.length === 2 && ref.path[0] === 'excluded') return excludedColumn(ref.path[1]!, target);
    const replaced = replaceColumn(ref, target, nested);
    return excluded && replaced !== ref ? requalified(replaced, target, baseReferenceName(target.shape.base)) : replaced;
  }
  const inner = nested || (record.kind !== undefined && queryKinds.has(record.kind));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = replaceIn(value, target, inner, excluded);
  return out;
}

/** `excluded.c` over a view: view column c's expression, its base columns read from the proposed row (`excluded`). */
function excludedColumn(name: string, target: ViewTarget): ast.Expr {
  const index = target.view.columns.findIndex((column) => column.name === name);
  if (index === -1) throw new SqlError('42703', `column excluded.${name} does not exist`);
  return requalified(target.shape.columns[index]!.expr, target, 'excluded');
}

/**
 * A view column's expression with its base columns qualified by `name` — in ON CONFLICT DO
 * UPDATE, where a bare name could be the target's or `excluded`'s, the target's own name or
 * `excluded`. Subqueries are left alone (a bare name there is theirs first).
 */
function requalified(expr: ast.Expr, target: ViewTarget, name: string): ast.Expr {
  const reference = baseReferenceName(target.shape.base);
  const visit = (node: unknown, nested: boolean): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((item) => visit(item, nested));
    const record = node as { readonly kind?: string };
    if (record.kind === 'ColumnRef' && !nested) {
      const ref = node as ast.ColumnRef;
      const own = ref.path.length === 1 || (ref.path.length === 2 && ref.path[0] === reference);
      return own ? { ...ref, path: [name, ref.path[ref.path.length - 1]!] } : ref;
    }
    const inner = nested || (record.kind !== undefined && queryKinds.has(record.kind));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) out[key] = visit(value, inner);
    return out;
  };
  return visit(expr, false) as ast.Expr;
}

function replaceColumn(ref: ast.ColumnRef, target: ViewTarget, nested: boolean): ast.Expr {
  const qualified = ref.path.length === 2 && ref.path[0] === target.reference;
  if (!qualified && (nested || ref.path.length !== 1)) return ref;
  const name = ref.path[ref.path.length - 1]!;
  const index = target.view.columns.findIndex((column) => column.name === name);
  if (index === -1) {
    if (qualified) throw new SqlError('42703', `column ${target.reference}.${name} does not exist`);
    // A base column the view does not show is no column of the statement's.
    if (target.alone) throw undefinedColumn(name);
    return ref;
  }
  return target.shape.columns[index]!.expr;
}
