/**
 * Queries: SelectStmt (a SELECT, a set operation or VALUES) with its WITH, ORDER BY, LIMIT and
 * locking clauses, and the FROM items they read.
 */
import type * as pg from 'libpg-query';
import type * as ast from '../ast.js';
import { assert } from '../../../src/base/assert.js';
import { GrammarCheckError } from '../errors.js';
import { bodyOf, loc, qualifiedName, strings, tagOf, type Context } from './context.js';
import { expr, exprs, funcCall, locationOf, optional, sortBys, typeName, windowSpec } from './expr.js';

/** A SelectStmt node (wrapped) as a query; `location` is used when the query has no target to point at. */
export function query(node: pg.Node, ctx: Context, location = -1): ast.Query {
  if (tagOf(node) !== 'SelectStmt') return ctx.unsupported(`${tagOf(node)} as a subquery is not supported`, locationOf(node));
  return selectStmt(bodyOf(node), ctx, location);
}

export function selectStmt(s: pg.SelectStmt, ctx: Context, location: number): ast.Query {
  if (s.intoClause !== undefined) ctx.unsupported('SELECT INTO is not supported', location);
  if (s.limitOption === 'LIMIT_OPTION_WITH_TIES') ctx.unsupported('FETCH … WITH TIES is not supported', location);
  const tail = {
    with: s.withClause === undefined ? null : withClause(s.withClause, ctx),
    orderBy: sortBys(s.sortClause, ctx),
    limit: optional(s.limitCount, ctx),
    offset: optional(s.limitOffset, ctx),
    locking: (s.lockingClause ?? []).map((node) => lockingClause(bodyOf(node))),
  };
  switch (s.op ?? 'SETOP_NONE') {
    case 'SETOP_NONE':
      break;
    case 'SETOP_UNION':
    case 'SETOP_INTERSECT':
    case 'SETOP_EXCEPT': {
      // PostgreSQL's transformSetOperationStmt: a set operation's rows are no table rows to lock.
      const locking = tail.locking[0];
      if (locking !== undefined) throw new GrammarCheckError(`FOR ${locking.strength.toUpperCase()} is not allowed with UNION/INTERSECT/EXCEPT`, null, '0A000');
      const left = selectStmt(s.larg ?? {}, ctx, location);
      const right = selectStmt(s.rarg ?? {}, ctx, -1);
      const op = s.op === 'SETOP_UNION' ? 'union' : s.op === 'SETOP_INTERSECT' ? 'intersect' : 'except';
      return { kind: 'SetOperation', op, all: s.all ?? false, left, right, ...tail, location: left.location };
    }
  }
  if (s.valuesLists !== undefined) {
    const rows = s.valuesLists.map((row) => exprs(bodyOf<pg.List>(row).items, ctx));
    return { kind: 'Values', rows, ...tail, location: rows[0]?.[0]?.location ?? location };
  }
  const targets = (s.targetList ?? []).map((node) => target(bodyOf(node), ctx));
  return {
    kind: 'Select',
    distinct: distinct(s.distinctClause, ctx),
    targets,
    from: (s.fromClause ?? []).map((node) => fromItem(node, ctx)),
    where: optional(s.whereClause, ctx),
    ...groupBy(s, ctx),
    having: optional(s.havingClause, ctx),
    window: (s.windowClause ?? []).map((node) => windowSpec(bodyOf(node), ctx)),
    ...tail,
    location: location >= 0 ? location : (targets[0]?.location ?? -1),
  };
}

/** DISTINCT is a list holding one empty node; DISTINCT ON holds the expressions. */
function distinct(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.Expr[] | null {
  if (nodes === undefined) return null;
  return nodes.filter((node) => Object.keys(node).length > 0).map((node) => expr(node, ctx));
}

/** PostgreSQL's cap on the grouping sets one GROUP BY expands to (parse_agg.c's 4096, 54001). */
const groupingSetsMax = 4096;

/**
 * GROUP BY. Without ROLLUP / CUBE / GROUPING SETS, its expressions. With them, the clause is
 * expanded here as PostgreSQL's expand_grouping_sets does: each item is a list of sets (a plain
 * expression one set of itself, `()` the empty set, ROLLUP (a, b) the sets (a, b), (a), (), CUBE
 * every subset, GROUPING SETS the concatenation of its items' lists, a parenthesized `(a, b)`
 * inside them one set of both), and the clause is the cartesian product of its items' lists. The
 * result is `groupBy`, every distinct expression once, and `groupingSets`, each set as positions
 * in it; GROUP BY DISTINCT drops repeated sets (without it a repeated set repeats its rows).
 */
function groupBy(s: pg.SelectStmt, ctx: Context): { groupBy: ast.Expr[]; groupingSets?: number[][] } {
  const items = s.groupClause ?? [];
  if (!items.some((node) => tagOf(node) === 'GroupingSet')) {
    // Without grouping sets, DISTINCT has no repeated sets to drop (PostgreSQL accepts it and ignores it).
    return { groupBy: items.map((node) => expr(node, ctx)) };
  }
  const exprsSeen: ast.Expr[] = [];
  const keys: string[] = [];
  const position = (node: pg.Node): number => {
    const value = expr(node, ctx);
    const key = JSON.stringify(value, (name, field: unknown) => (name === 'location' ? undefined : field));
    let index = keys.indexOf(key);
    if (index === -1) {
      index = keys.length;
      keys.push(key);
      exprsSeen.push(value);
    }
    return index;
  };
  const tooMany = (): never => {
    throw new GrammarCheckError(`too many grouping sets present (maximum ${groupingSetsMax})`, null, '54001');
  };
  // One element of ROLLUP / CUBE / GROUPING SETS: `(a, b)` is both columns, anything else one expression.
  const element = (node: pg.Node): number[] => (tagOf(node) === 'RowExpr' ? (bodyOf<pg.RowExpr>(node).args ?? []).map(position) : [position(node)]);
  const setsOf = (node: pg.Node, topLevel: boolean): number[][] => {
    if (tagOf(node) !== 'GroupingSet') return [topLevel ? [position(node)] : element(node)];
    const set = bodyOf<pg.GroupingSet>(node);
    const content = set.content ?? [];
    switch (set.kind) {
      case 'GROUPING_SET_EMPTY':
        return [[]];
      case 'GROUPING_SET_ROLLUP': {
        const elements = content.map(element);
        return elements.map((_, index) => elements.slice(0, elements.length - index).flat()).concat([[]]);
      }
      case 'GROUPING_SET_CUBE': {
        const elements = content.map(element);
        if (elements.length > 12) throw new GrammarCheckError('CUBE is limited to 12 elements', null, '54011');
        const sets: number[][] = [];
        for (let mask = (1 << elements.length) - 1; mask >= 0; mask--) sets.push(elements.filter((_, index) => (mask & (1 << (elements.length - 1 - index))) !== 0).flat());
        return sets;
      }
      case 'GROUPING_SET_SETS':
        return content.flatMap((item) => setsOf(item, false));
      default:
        return ctx.unsupported(`grouping set kind ${set.kind ?? '?'}`, locationOf(node));
    }
  };
  let sets: number[][] = [[]];
  for (const item of items) {
    const choices = setsOf(item, true);
    if (sets.length * choices.length > groupingSetsMax) tooMany();
    sets = sets.flatMap((prefix) => choices.map((choice) => [...prefix, ...choice]));
  }
  let normalized = sets.map((set) => [...new Set(set)].sort((a, b) => a - b));
  if (s.groupDistinct === true) {
    const seen = new Set<string>();
    normalized = normalized.filter((set) => {
      const key = set.join(',');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return { groupBy: exprsSeen, groupingSets: normalized };
}

export function target(t: pg.ResTarget, ctx: Context): ast.Target {
  const location = loc(t.location);
  if (t.val === undefined) return ctx.unsupported('a target without a value', location);
  return { expr: expr(t.val, ctx), alias: t.name ?? null, location };
}

export function targets(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.Target[] {
  return (nodes ?? []).map((node) => target(bodyOf(node), ctx));
}

export function withClause(w: pg.WithClause, ctx: Context): ast.With {
  const ctes = (w.ctes ?? []).map((node): ast.CommonTableExpr => {
    const cte = bodyOf<pg.CommonTableExpr>(node);
    const location = loc(cte.location);
    if (cte.search_clause !== undefined || cte.cycle_clause !== undefined) ctx.unsupported('SEARCH and CYCLE clauses are not supported', location);
    if (cte.ctequery === undefined) return ctx.unsupported('a WITH query without a body', location);
    const materialized = cte.ctematerialized === 'CTEMaterializeAlways' ? 'always' : cte.ctematerialized === 'CTEMaterializeNever' ? 'never' : 'default';
    const name = cte.ctename ?? '';
    return { name, columns: strings(cte.aliascolnames), query: cteBody(cte.ctequery, location, ctx), materialized, location };
  });
  return { recursive: w.recursive ?? false, ctes };
}

/** A WITH query's body: a query, or INSERT / UPDATE / DELETE (a data-modifying statement, PostgreSQL 9.1+). */
function cteBody(node: pg.Node, location: number, ctx: Context): ast.CommonTableExpr['query'] {
  const tag = tagOf(node);
  if (tag === 'InsertStmt' || tag === 'UpdateStmt' || tag === 'DeleteStmt') {
    const statement = ctx.statement(node, location, '');
    assert(statement.kind === 'Insert' || statement.kind === 'Update' || statement.kind === 'Delete', 'a data-modifying WITH query');
    return statement;
  }
  if (tag !== 'SelectStmt') return ctx.unsupported(`${tag} in WITH is not supported`, location);
  return query(node, ctx, location);
}

const lockStrengths: Record<string, ast.LockingClause['strength']> = {
  LCS_FORUPDATE: 'update',
  LCS_FORNOKEYUPDATE: 'no key update',
  LCS_FORSHARE: 'share',
  LCS_FORKEYSHARE: 'key share',
};

function lockingClause(c: pg.LockingClause): ast.LockingClause {
  const wait = c.waitPolicy === 'LockWaitError' ? 'nowait' : c.waitPolicy === 'LockWaitSkip' ? 'skip locked' : 'block';
  const tables = (c.lockedRels ?? []).map((node) => qualifiedName(bodyOf(node)));
  return { strength: lockStrengths[c.strength ?? 'LCS_FORUPDATE'] ?? 'update', tables, wait };
}

export function alias(a: pg.Alias | undefined): ast.Alias | null {
  return a === undefined ? null : { name: a.aliasname ?? '', columns: strings(a.colnames) };
}

export function tableRef(range: pg.RangeVar, ctx: Context): ast.TableRef {
  if (range.relpersistence === 't') ctx.unsupported('temporary tables are not supported', range.location);
  return { kind: 'TableRef', name: qualifiedName(range), alias: alias(range.alias), only: range.inh !== true, location: loc(range.location) };
}

export function fromItem(node: pg.Node, ctx: Context): ast.FromItem {
  const tag = tagOf(node);
  switch (tag) {
    case 'RangeVar':
      return tableRef(bodyOf(node), ctx);
    case 'RangeSubselect': {
      const sub = bodyOf<pg.RangeSubselect>(node);
      if (sub.subquery === undefined) return ctx.unsupported('a FROM subquery without a query', -1);
      const subquery = query(sub.subquery, ctx);
      return { kind: 'SubqueryRef', query: subquery, alias: alias(sub.alias), lateral: sub.lateral ?? false, location: subquery.location };
    }
    case 'RangeFunction':
      return functionRef(bodyOf(node), ctx);
    case 'JoinExpr':
      return join(bodyOf(node), ctx);
    default:
      return ctx.unsupported(`${tag} in FROM is not supported`, locationOf(node));
  }
}

function functionRef(f: pg.RangeFunction, ctx: Context): ast.FunctionRef {
  const functions = f.functions ?? [];
  if (f.is_rowsfrom === true || functions.length !== 1) ctx.unsupported('ROWS FROM is not supported', -1);
  const [call, columnDefinitions] = bodyOf<pg.List>(functions[0]!).items ?? [];
  if (columnDefinitions !== undefined && Object.keys(columnDefinitions).length > 0) {
    ctx.unsupported('column definition lists for functions in FROM are not supported', -1);
  }
  if (call === undefined || tagOf(call) !== 'FuncCall') return ctx.unsupported('this function form in FROM is not supported', -1);
  const translated = funcCall(bodyOf(call), ctx);
  // `AS x (a int, b text)`: the columns of a function returning record (json_to_record), as ColumnDefs.
  const definitions = f.coldeflist === undefined ? null : f.coldeflist.map((node) => functionColumn(bodyOf<pg.ColumnDef>(node), ctx));
  return { kind: 'FunctionRef', call: translated, alias: alias(f.alias), columnDefinitions: definitions, withOrdinality: f.ordinality ?? false, lateral: f.lateral ?? false, location: translated.location };
}

function functionColumn(c: pg.ColumnDef, ctx: Context): ast.FunctionColumn {
  if (c.colname === undefined || c.typeName === undefined) return ctx.unsupported('a column definition without a name or type', loc(c.location));
  return { name: c.colname, type: typeName(c.typeName, ctx), location: loc(c.location) };
}

const joinTypes: Record<string, ast.Join['joinType']> = { JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full' };

function join(j: pg.JoinExpr, ctx: Context): ast.Join {
  if (j.larg === undefined || j.rarg === undefined) return ctx.unsupported('a join without two sides', -1);
  const left = fromItem(j.larg, ctx);
  const right = fromItem(j.rarg, ctx);
  const natural = j.isNatural ?? false;
  const using = strings(j.usingClause);
  const on = optional(j.quals, ctx);
  let joinType = joinTypes[j.jointype ?? 'JOIN_INNER'];
  if (joinType === undefined) return ctx.unsupported(`join type ${String(j.jointype)} is not supported`, left.location);
  if (joinType === 'inner' && on === null && using.length === 0 && !natural) joinType = 'cross';
  const usingAlias = j.join_using_alias?.aliasname ?? null;
  return { kind: 'Join', joinType, natural, left, right, on, using, usingAlias, alias: alias(j.alias), location: left.location };
}
