/**
 * Expressions: libpg-query's expression nodes (A_Expr, BoolExpr, SubLink, FuncCall, …) into
 * `Expr`. Every node tag without a case here is refused with 0A000 naming it.
 */
import type * as pg from 'libpg-query';
import type * as ast from '../ast.js';
import { bodyOf, loc, stringOf, strings, tagOf, type Context } from './context.js';

export function expr(node: pg.Node, ctx: Context): ast.Expr {
  const tag = tagOf(node);
  switch (tag) {
    case 'ColumnRef':
      return columnRef(bodyOf(node));
    case 'A_Const':
      return literal(bodyOf(node));
    case 'ParamRef': {
      const param = bodyOf<pg.ParamRef>(node);
      return { kind: 'Parameter', index: param.number ?? 0, location: loc(param.location) };
    }
    case 'A_Expr':
      return aExpr(bodyOf(node), ctx);
    case 'BoolExpr':
      return boolExpr(bodyOf(node), ctx);
    case 'NullTest': {
      const test = bodyOf<pg.NullTest>(node);
      return { kind: 'IsNull', arg: required(test.arg, ctx), negated: test.nulltesttype === 'IS_NOT_NULL', location: loc(test.location) };
    }
    case 'BooleanTest':
      return booleanTest(bodyOf(node), ctx);
    case 'TypeCast':
      return typeCast(bodyOf(node), ctx);
    case 'FuncCall':
      return funcCall(bodyOf(node), ctx);
    case 'SubLink':
      return subLink(bodyOf(node), ctx);
    case 'CaseExpr':
      return caseExpr(bodyOf(node), ctx);
    case 'CoalesceExpr': {
      const coalesce = bodyOf<pg.CoalesceExpr>(node);
      return { kind: 'Coalesce', args: exprs(coalesce.args, ctx), location: loc(coalesce.location) };
    }
    case 'MinMaxExpr': {
      const minMax = bodyOf<pg.MinMaxExpr>(node);
      return { kind: 'MinMax', op: minMax.op === 'IS_GREATEST' ? 'greatest' : 'least', args: exprs(minMax.args, ctx), location: loc(minMax.location) };
    }
    case 'SQLValueFunction':
      return sqlValueFunction(bodyOf(node));
    case 'CollateClause': {
      const collate = bodyOf<pg.CollateClause>(node);
      return { kind: 'Collate', arg: required(collate.arg, ctx), collation: strings(collate.collname), location: loc(collate.location) };
    }
    case 'A_ArrayExpr': {
      const array = bodyOf<pg.A_ArrayExpr>(node);
      return { kind: 'ArrayConstructor', elements: exprs(array.elements, ctx), location: loc(array.location) };
    }
    case 'RowExpr': {
      const row = bodyOf<pg.RowExpr>(node);
      return { kind: 'RowConstructor', args: exprs(row.args, ctx), explicit: row.row_format === 'COERCE_EXPLICIT_CALL', location: loc(row.location) };
    }
    case 'A_Indirection':
      return indirection(bodyOf(node), ctx);
    case 'SetToDefault':
      return { kind: 'DefaultValue', location: loc(bodyOf<pg.SetToDefault>(node).location) };
    case 'GroupingFunc': {
      const grouping = bodyOf<pg.GroupingFunc>(node);
      return { kind: 'GroupingFunc', args: exprs(grouping.args, ctx), location: loc(grouping.location) };
    }
    case 'CurrentOfExpr':
      return ctx.unsupported('WHERE CURRENT OF is not supported', -1);
    default:
      return ctx.unsupported(`expressions of type ${tag} are not supported`, locationOf(node));
  }
}

export function exprs(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.Expr[] {
  return (nodes ?? []).map((node) => expr(node, ctx));
}

/** An expression the grammar guarantees is present. */
export function required(node: pg.Node | undefined, ctx: Context): ast.Expr {
  if (node === undefined) return ctx.unsupported('an expression without an operand', -1);
  return expr(node, ctx);
}

export function optional(node: pg.Node | undefined, ctx: Context): ast.Expr | null {
  return node === undefined ? null : expr(node, ctx);
}

/** The location of any node that has one, for errors about it; -1 if it has none. */
export function locationOf(node: pg.Node): number {
  const body = bodyOf<{ location?: number }>(node);
  return typeof body === 'object' && body !== null ? loc(body.location) : -1;
}

function columnRef(ref: pg.ColumnRef): ast.ColumnRef | ast.Star {
  const fields = ref.fields ?? [];
  const last = fields[fields.length - 1];
  if (last !== undefined && tagOf(last) === 'A_Star') {
    return { kind: 'Star', qualifier: strings(fields.slice(0, -1)), location: loc(ref.location) };
  }
  return { kind: 'ColumnRef', path: strings(fields), location: loc(ref.location) };
}

export function literal(constant: pg.A_Const): ast.Literal {
  return { kind: 'Literal', value: literalValue(constant), location: loc(constant.location) };
}

function literalValue(constant: pg.A_Const): ast.LiteralValue {
  if (constant.isnull === true) return { type: 'null' };
  if (constant.ival !== undefined) return { type: 'integer', digits: String(constant.ival.ival ?? 0) };
  if (constant.fval !== undefined) {
    const text = constant.fval.fval ?? '0';
    // Integers beyond int32 arrive as Float; keep them integers (their digits) for the planner.
    return /^-?\d+$/.test(text) ? { type: 'integer', digits: text } : { type: 'numeric', text };
  }
  if (constant.boolval !== undefined) return { type: 'boolean', value: constant.boolval.boolval ?? false };
  if (constant.bsval !== undefined) return { type: 'bitString', value: bitDigits(constant.bsval.bsval ?? 'b') };
  return { type: 'string', value: constant.sval?.sval ?? '' };
}

/** PostgreSQL keeps `B'101'` as `b101` and `X'ff'` as `xff`; the AST holds binary digits. */
function bitDigits(text: string): string {
  const digits = text.slice(1);
  if (text[0] !== 'x') return digits;
  return [...digits].map((digit) => parseInt(digit, 16).toString(2).padStart(4, '0')).join('');
}

function operatorName(names: readonly pg.Node[] | undefined): { operator: string; operatorSchema: string | null } {
  const parts = strings(names);
  return { operator: parts[parts.length - 1] ?? '', operatorSchema: parts.length > 1 ? parts[0]! : null };
}

function listItems(node: pg.Node | undefined, ctx: Context): ast.Expr[] {
  if (node === undefined || tagOf(node) !== 'List') return ctx.unsupported('a list operand that is not a list', -1);
  return exprs(bodyOf<pg.List>(node).items, ctx);
}

function aExpr(e: pg.A_Expr, ctx: Context): ast.Expr {
  const location = loc(e.location);
  const { operator, operatorSchema } = operatorName(e.name);
  switch (e.kind) {
    case 'AEXPR_OP':
      if (e.lexpr === undefined) return { kind: 'UnaryOp', operator, operatorSchema, operand: required(e.rexpr, ctx), location };
      return { kind: 'BinaryOp', operator, operatorSchema, left: expr(e.lexpr, ctx), right: required(e.rexpr, ctx), location };
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return {
        kind: 'QuantifiedComparison',
        quantifier: e.kind === 'AEXPR_OP_ANY' ? 'any' : 'all',
        operator,
        left: required(e.lexpr, ctx),
        right: { kind: 'array', expr: required(e.rexpr, ctx) },
        location,
      };
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT':
      return { kind: 'IsDistinctFrom', left: required(e.lexpr, ctx), right: required(e.rexpr, ctx), negated: e.kind === 'AEXPR_NOT_DISTINCT', location };
    case 'AEXPR_NULLIF':
      return { kind: 'NullIf', left: required(e.lexpr, ctx), right: required(e.rexpr, ctx), location };
    case 'AEXPR_IN':
      return { kind: 'InList', arg: required(e.lexpr, ctx), list: listItems(e.rexpr, ctx), negated: operator === '<>', location };
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR':
      return like(e, operator, ctx);
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const [low, high] = listItems(e.rexpr, ctx);
      return {
        kind: 'Between',
        arg: required(e.lexpr, ctx),
        low: low!,
        high: high!,
        negated: e.kind === 'AEXPR_NOT_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN_SYM',
        symmetric: e.kind === 'AEXPR_BETWEEN_SYM' || e.kind === 'AEXPR_NOT_BETWEEN_SYM',
        location,
      };
    }
    default:
      return ctx.unsupported(`the operator form ${String(e.kind)} is not supported`, location);
  }
}

/** LIKE / ILIKE / SIMILAR TO; the grammar wraps a pattern with ESCAPE in like_escape / similar_to_escape. */
function like(e: pg.A_Expr, operator: string, ctx: Context): ast.Like {
  const mode = e.kind === 'AEXPR_LIKE' ? 'like' : e.kind === 'AEXPR_ILIKE' ? 'ilike' : 'similar';
  let pattern = required(e.rexpr, ctx);
  let escape: ast.Expr | null = null;
  if (pattern.kind === 'FuncCall' && pattern.name.length === 2 && pattern.name[0] === 'pg_catalog') {
    const wrapper = pattern.name[1];
    if (wrapper === 'like_escape' || wrapper === 'similar_to_escape') {
      escape = pattern.args[1] ?? null;
      pattern = pattern.args[0]!;
    }
  }
  return { kind: 'Like', mode, arg: required(e.lexpr, ctx), pattern, escape, negated: operator.startsWith('!'), location: loc(e.location) };
}

function boolExpr(e: pg.BoolExpr, ctx: Context): ast.Expr {
  const args = exprs(e.args, ctx);
  const location = loc(e.location);
  switch (e.boolop) {
    case 'AND_EXPR':
      return { kind: 'And', args, location };
    case 'OR_EXPR':
      return { kind: 'Or', args, location };
    default:
      return { kind: 'Not', arg: args[0]!, location };
  }
}

function booleanTest(test: pg.BooleanTest, ctx: Context): ast.IsBool {
  const kind = test.booltesttype ?? 'IS_TRUE';
  const negated = kind.startsWith('IS_NOT_');
  const value = kind.endsWith('TRUE') ? 'true' : kind.endsWith('FALSE') ? 'false' : 'unknown';
  return { kind: 'IsBool', arg: required(test.arg, ctx), test: value, negated, location: loc(test.location) };
}

export function typeName(type: pg.TypeName | undefined, ctx: Context): ast.TypeName {
  if (type === undefined) return ctx.unsupported('a missing type name', -1);
  if (type.setof === true) ctx.unsupported('SETOF types are not supported', type.location);
  if (type.pct_type === true) ctx.unsupported('%TYPE references are not supported', type.location);
  const arrayBounds = (type.arrayBounds ?? []).map((bound) => bodyOf<pg.Integer>(bound).ival ?? 0);
  return { kind: 'TypeName', names: strings(type.names), modifiers: exprs(type.typmods, ctx), arrayBounds, location: loc(type.location) };
}

function typeCast(cast: pg.TypeCast, ctx: Context): ast.Expr {
  const type = typeName(cast.typeName, ctx);
  const arg = required(cast.arg, ctx);
  // `date '2024-01-01'` is a cast the grammar marks with location -1: a typed literal.
  if (cast.location === -1 && arg.kind === 'Literal' && arg.value.type === 'string') {
    return { kind: 'TypedLiteral', type, value: arg.value.value, location: type.location };
  }
  return { kind: 'Cast', arg, type, location: loc(cast.location) };
}

export function funcCall(call: pg.FuncCall, ctx: Context): ast.FuncCall {
  const location = loc(call.location);
  // `name => value` / `name := value` (PostgreSQL's NamedArgExpr): the value, its name kept aside.
  const named = (call.args ?? []).map((arg) => (tagOf(arg) === 'NamedArgExpr' ? bodyOf<pg.NamedArgExpr>(arg) : null));
  const argNames = named.map((arg) => arg?.name ?? null);
  return {
    kind: 'FuncCall',
    name: strings(call.funcname),
    args: (call.args ?? []).map((arg, index) => required(named[index]?.arg ?? arg, ctx)),
    distinct: call.agg_distinct ?? false,
    star: call.agg_star ?? false,
    variadic: call.func_variadic ?? false,
    orderBy: sortBys(call.agg_order, ctx),
    filter: optional(call.agg_filter, ctx),
    ...(call.over === undefined ? {} : { over: windowSpec(call.over, ctx) }),
    ...(call.agg_within_group === true ? { withinGroup: true } : {}),
    ...(argNames.some((name) => name !== null) ? { argNames } : {}),
    location,
  };
}

/** PostgreSQL's FRAMEOPTION_* bits (nodes/parsenodes.h), as libpg-query passes them in `frameOptions`. */
const frameOption = {
  nonDefault: 0x1,
  range: 0x2,
  rows: 0x4,
  groups: 0x8,
  startUnboundedPreceding: 0x20,
  startUnboundedFollowing: 0x80,
  startCurrentRow: 0x200,
  startOffsetPreceding: 0x800,
  startOffsetFollowing: 0x2000,
  endUnboundedPreceding: 0x40,
  endUnboundedFollowing: 0x100,
  endCurrentRow: 0x400,
  endOffsetPreceding: 0x1000,
  endOffsetFollowing: 0x4000,
  excludeCurrentRow: 0x8000,
  excludeGroup: 0x10000,
  excludeTies: 0x20000,
} as const;

/**
 * A WindowDef (`OVER …`, or an entry of a WINDOW clause) as a `WindowSpec`. The grammar has
 * already refused the impossible frames (`frame start cannot be UNBOUNDED FOLLOWING`, …) and
 * filled in a lone start's end (CURRENT ROW); without FRAMEOPTION_NONDEFAULT there is no frame
 * clause.
 */
export function windowSpec(def: pg.WindowDef, ctx: Context): ast.WindowSpec {
  const options = def.frameOptions ?? 0;
  const location = loc(def.location);
  let frame: ast.WindowFrame | null = null;
  if ((options & frameOption.nonDefault) !== 0) {
    const mode = (options & frameOption.rows) !== 0 ? 'rows' : (options & frameOption.groups) !== 0 ? 'groups' : 'range';
    const bound = (unboundedPreceding: number, unboundedFollowing: number, currentRow: number, preceding: number, following: number, offset: pg.Node | undefined): ast.FrameBound => {
      if ((options & unboundedPreceding) !== 0) return { kind: 'unbounded preceding' };
      if ((options & unboundedFollowing) !== 0) return { kind: 'unbounded following' };
      if ((options & currentRow) !== 0) return { kind: 'current row' };
      const kind = (options & preceding) !== 0 ? 'preceding' : (options & following) !== 0 ? 'following' : undefined;
      if (kind === undefined || offset === undefined) return ctx.unsupported(`window frame options ${options}`, location);
      return { kind, offset: expr(offset, ctx) };
    };
    const o = frameOption;
    const start = bound(o.startUnboundedPreceding, o.startUnboundedFollowing, o.startCurrentRow, o.startOffsetPreceding, o.startOffsetFollowing, def.startOffset);
    const end = bound(o.endUnboundedPreceding, o.endUnboundedFollowing, o.endCurrentRow, o.endOffsetPreceding, o.endOffsetFollowing, def.endOffset);
    const exclude = (options & o.excludeCurrentRow) !== 0 ? 'current row' : (options & o.excludeGroup) !== 0 ? 'group' : (options & o.excludeTies) !== 0 ? 'ties' : 'no others';
    frame = { mode, start, end, exclude };
  }
  return {
    name: def.name ?? null,
    refName: def.refname ?? null,
    partitionBy: exprs(def.partitionClause, ctx),
    orderBy: sortBys(def.orderClause, ctx),
    frame,
    location,
  };
}

export function sortBys(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.SortBy[] {
  return (nodes ?? []).map((node) => {
    const sort = bodyOf<pg.SortBy>(node);
    const direction = sort.sortby_dir === 'SORTBY_ASC' ? 'asc' : sort.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'default';
    const nulls = sort.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'first' : sort.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'last' : 'default';
    const using = sort.sortby_dir === 'SORTBY_USING' ? operatorName(sort.useOp).operator : null;
    return { expr: required(sort.node, ctx), direction, nulls, using };
  });
}

function subLink(link: pg.SubLink, ctx: Context): ast.Expr {
  const location = loc(link.location);
  if (link.subselect === undefined) return ctx.unsupported('a subquery without a query', location);
  const query = ctx.query(link.subselect);
  switch (link.subLinkType) {
    case 'EXISTS_SUBLINK':
      return { kind: 'SubqueryExpr', mode: 'exists', query, location };
    case 'EXPR_SUBLINK':
      return { kind: 'SubqueryExpr', mode: 'scalar', query, location };
    case 'ARRAY_SUBLINK':
      return { kind: 'SubqueryExpr', mode: 'array', query, location };
    case 'ANY_SUBLINK':
    case 'ALL_SUBLINK': {
      const left = required(link.testexpr, ctx);
      if (link.operName === undefined) return { kind: 'InSubquery', arg: left, query, location };
      const quantifier = link.subLinkType === 'ANY_SUBLINK' ? 'any' : 'all';
      return { kind: 'QuantifiedComparison', quantifier, operator: operatorName(link.operName).operator, left, right: { kind: 'subquery', query }, location };
    }
    default:
      return ctx.unsupported(`subqueries of type ${String(link.subLinkType)} are not supported`, location);
  }
}

function caseExpr(e: pg.CaseExpr, ctx: Context): ast.Case {
  const whens = (e.args ?? []).map((node) => {
    const when = bodyOf<pg.CaseWhen>(node);
    return { condition: required(when.expr, ctx), result: required(when.result, ctx) };
  });
  return { kind: 'Case', arg: optional(e.arg, ctx), whens, else: optional(e.defresult, ctx), location: loc(e.location) };
}

const sqlValueFunctions: Record<pg.SQLValueFunctionOp, ast.SqlValueFunction['name']> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

function sqlValueFunction(f: pg.SQLValueFunction): ast.SqlValueFunction {
  const op = f.op ?? 'SVFOP_CURRENT_DATE';
  return { kind: 'SqlValueFunction', name: sqlValueFunctions[op], precision: op.endsWith('_N') ? (f.typmod ?? 0) : null, location: loc(f.location) };
}

function indirection(e: pg.A_Indirection, ctx: Context): ast.Indirection {
  const steps = (e.indirection ?? []).map((node): ast.IndirectionStep => {
    switch (tagOf(node)) {
      case 'String':
        return { kind: 'field', name: stringOf(node) };
      case 'A_Star':
        return { kind: 'star' };
      default: {
        const indices = bodyOf<pg.A_Indices>(node);
        if (indices.is_slice === true) return { kind: 'slice', lower: optional(indices.lidx, ctx), upper: optional(indices.uidx, ctx) };
        return { kind: 'index', index: required(indices.uidx, ctx) };
      }
    }
  });
  const arg = required(e.arg, ctx);
  return { kind: 'Indirection', arg, steps, location: arg.location };
}
