/** INSERT, UPDATE and DELETE. */
import type * as pg from 'libpg-query';
import type * as ast from '../ast.js';
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

/** The column name of an INSERT column or an UPDATE SET target; `a.b` / `a[1]` are refused. */
function columnName(t: pg.ResTarget, ctx: Context): string {
  if (t.indirection !== undefined) ctx.unsupported('assigning to a field or element of a column is not supported', t.location);
  return t.name ?? '';
}

function assignments(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.Assignment[] {
  return (nodes ?? []).map((node) => {
    const t = bodyOf<pg.ResTarget>(node);
    const location = loc(t.location);
    if (t.val === undefined) return ctx.unsupported('an assignment without a value', location);
    if (tagOf(t.val) === 'MultiAssignRef') ctx.unsupported('SET (a, b) = (…) is not supported', location);
    return { column: columnName(t, ctx), value: expr(t.val, ctx), location };
  });
}

export function insert(s: pg.InsertStmt, base: Base, ctx: Context): ast.Insert {
  return {
    kind: 'Insert',
    ...base,
    with: s.withClause === undefined ? null : withClause(s.withClause, ctx),
    ...tableOf(s.relation, ctx),
    columns: (s.cols ?? []).map((node) => columnName(bodyOf(node), ctx)),
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

