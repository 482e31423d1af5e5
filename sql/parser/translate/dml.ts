/** INSERT, UPDATE and DELETE. */
import type * as pg from 'libpg-query';
import type * as ast from '../ast.js';
import { GrammarCheckError } from '../errors.js';
import { bodyOf, loc, qualifiedName, tagOf, type Context } from './context.js';
import { expr, optional } from './expr.js';
import { fromItem, query, targets, withClause } from './query.js';

interface Base {
  readonly location: number;
  readonly text: string;
}

function tableOf(range: pg.RangeVar | undefined, ctx: Context): { table: ast.QualifiedName; alias: string | null } {
  if (range === undefined) return ctx.unsupported('a statement without a table', -1);
  if (range.alias?.colnames !== undefined) ctx.unsupported('column aliases on the target table are not supported', range.location);
  return { table: qualifiedName(range), alias: range.alias?.aliasname ?? null };
}

/** The column name of an INSERT column or an UPDATE SET target (`a[1]`, `a.f`: `subscriptsOf`). */
function columnName(t: pg.ResTarget, ctx: Context): string {
  if (t.indirection?.some((node) => tagOf(node) !== 'A_Indices' && tagOf(node) !== 'String') === true) ctx.unsupported('assigning to a field or element of a column is not supported', t.location);
  return t.name ?? '';
}

/** The steps of a target `a[i]…` / `a[lo:hi]…` / `a.f` (undefined for a whole column). */
function subscriptsOf(t: pg.ResTarget, ctx: Context): ast.AssignmentSubscript[] | undefined {
  if (t.indirection === undefined) return undefined;
  return t.indirection.map((node): ast.AssignmentSubscript => {
    if (tagOf(node) === 'String') return { kind: 'field', name: bodyOf<pg.String>(node).sval ?? '' };
    if (tagOf(node) !== 'A_Indices') return ctx.unsupported('assigning to a field or element of a column is not supported', t.location);
    const indices = bodyOf<pg.A_Indices>(node);
    if (indices.is_slice === true) return { kind: 'slice', lower: optional(indices.lidx, ctx), upper: optional(indices.uidx, ctx) };
    if (indices.uidx === undefined) return ctx.unsupported('a subscript without an index', t.location);
    return { kind: 'index', index: expr(indices.uidx, ctx) };
  });
}

/** `column` and, for `a[i] = …`, its subscripts. */
function target(t: pg.ResTarget, ctx: Context): { column: string; subscripts?: ast.AssignmentSubscript[] } {
  const column = columnName(t, ctx);
  const subscripts = subscriptsOf(t, ctx);
  return subscripts === undefined ? { column } : { column, subscripts };
}

/**
 * UPDATE's / ON CONFLICT DO UPDATE's SET list. The grammar gives `SET (a, b) = source` as one
 * target per column, each a MultiAssignRef holding the same source and its column's number: a row
 * constructor is split into one plain assignment per column (its fields counted against the
 * columns: PostgreSQL's 42601), a sub-select is kept once, shared, with each column's field.
 */
function assignments(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.Assignment[] {
  // The sub-select of the `SET (…) = (SELECT …)` being read: its columns come in order, colno 1 first.
  let shared: ast.Expr | undefined;
  return (nodes ?? []).map((node) => {
    const t = bodyOf<pg.ResTarget>(node);
    const location = loc(t.location);
    if (t.val === undefined) return ctx.unsupported('an assignment without a value', location);
    if (t.indirection !== undefined && tagOf(t.val) === 'SetToDefault') throw new GrammarCheckError(tagOf(t.indirection[0]!) === 'String' ? 'cannot set a subfield to DEFAULT' : 'cannot set an array element to DEFAULT', null, '0A000');
    if (tagOf(t.val) !== 'MultiAssignRef') return { ...target(t, ctx), value: expr(t.val, ctx), location };
    const multi = bodyOf<pg.MultiAssignRef>(t.val);
    const source = multi.source;
    const index = (multi.colno ?? 1) - 1;
    const count = multi.ncolumns ?? 1;
    if (source === undefined) return ctx.unsupported('an assignment without a value', location);
    if (tagOf(source) === 'RowExpr') {
      const fields = bodyOf<pg.RowExpr>(source).args ?? [];
      if (fields.length !== count) throw new GrammarCheckError('number of columns does not match number of values', null, '42601');
      return { ...target(t, ctx), value: expr(fields[index]!, ctx), location };
    }
    if (tagOf(source) === 'SubLink' && bodyOf<pg.SubLink>(source).subLinkType === 'EXPR_SUBLINK') {
      if (index === 0 || shared === undefined) shared = expr(source, ctx);
      return { ...target(t, ctx), value: shared, field: { index, count }, location };
    }
    throw new GrammarCheckError('source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression', null, '0A000');
  });
}

/** An INSERT's column list: the names and, when any has them (`(a[1], a[2])`), each one's subscripts. */
function insertColumns(nodes: readonly pg.Node[] | undefined, ctx: Context): Pick<ast.Insert, 'columns' | 'columnSubscripts'> {
  const targets = (nodes ?? []).map((node) => target(bodyOf<pg.ResTarget>(node), ctx));
  const columns = targets.map((column) => column.column);
  if (targets.every((column) => column.subscripts === undefined)) return { columns };
  return { columns, columnSubscripts: targets.map((column) => column.subscripts ?? null) };
}

export function insert(s: pg.InsertStmt, base: Base, ctx: Context): ast.Insert {
  return {
    kind: 'Insert',
    ...base,
    with: s.withClause === undefined ? null : withClause(s.withClause, ctx),
    ...tableOf(s.relation, ctx),
    ...insertColumns(s.cols, ctx),
    source: s.selectStmt === undefined ? null : query(s.selectStmt, ctx, base.location),
    onConflict: s.onConflictClause === undefined ? null : onConflict(s.onConflictClause, ctx),
    returning: targets(s.returningList, ctx),
    overriding: s.override === 'OVERRIDING_SYSTEM_VALUE' ? 'system' : s.override === 'OVERRIDING_USER_VALUE' ? 'user' : null,
    upsert: false,
  };
}

function onConflict(c: pg.OnConflictClause, ctx: Context): ast.OnConflict {
  const columns = (c.infer?.indexElems ?? []).map((node) => {
    const elem = bodyOf<pg.IndexElem>(node);
    if (elem.name === undefined) ctx.unsupported('expressions in an ON CONFLICT target are not supported', loc(c.location));
    return elem.name;
  });
  const action: ast.OnConflict['action'] =
    c.action === 'ONCONFLICT_UPDATE' ? { kind: 'update', set: assignments(c.targetList, ctx), where: optional(c.whereClause, ctx) } : { kind: 'nothing' };
  return { columns, targetWhere: optional(c.infer?.whereClause, ctx), constraint: c.infer?.conname ?? null, action };
}

export function update(s: pg.UpdateStmt, base: Base, ctx: Context): ast.Update {
  return {
    kind: 'Update',
    ...base,
    with: s.withClause === undefined ? null : withClause(s.withClause, ctx),
    ...tableOf(s.relation, ctx),
    set: assignments(s.targetList, ctx),
    from: (s.fromClause ?? []).map((node) => fromItem(node, ctx)),
    where: optional(s.whereClause, ctx),
    returning: targets(s.returningList, ctx),
  };
}

export function deleteStatement(s: pg.DeleteStmt, base: Base, ctx: Context): ast.Delete {
  return {
    kind: 'Delete',
    ...base,
    with: s.withClause === undefined ? null : withClause(s.withClause, ctx),
    ...tableOf(s.relation, ctx),
    using: (s.usingClause ?? []).map((node) => fromItem(node, ctx)),
    where: optional(s.whereClause, ctx),
    returning: targets(s.returningList, ctx),
  };
}

