/**
 * The expression compiler: AST expression + scope → `CompiledExpr` (type-checked, coerced,
 * constant-folded where it is free, and turned into closures). One `ExprCompiler` serves one
 * statement: it owns the statement's parameter types (inferred from the first context that needs
 * them) and its slots (values computed by the executor with I/O: `nextval`, subqueries).
 *
 * Aggregation: compiled in a grouping context (`GroupingContext`), an expression equal to a GROUP
 * BY expression reads that group column, an aggregate call registers itself and reads its result
 * column, and a bare column reference is 42803 — PostgreSQL's rule.
 */
import { assert } from '../../../src/base/assert.js';
import type * as ast from '../../parser/ast.js';
import { and3, compareOperator, distinctFrom, not3, or3, type Truth } from '../../types/compare.js';
import type { Datum } from '../../types/datum.js';
import { like } from '../../types/like.js';
import { Numeric } from '../../types/numeric.js';
import { resolveTypeName } from '../../types/resolve.js';
import { arrayLowerBound, arrayType, boolType, float8Type, recordType, formatType, int4Type, int8Type, isInt2vector, nameType, numericType, oidType, textType, timestamptzType, typeCategory, type ScalarType, type SqlType } from '../../types/sql-type.js';
import { catalogFunction } from './catalog-functions.js';
import { regexMatch, similarToRegex } from './regex.js';
import { dateType, timestampType } from '../../types/sql-type.js';
import { offsetSecondsAt } from '../../types/timezone.js';
import { SqlError, undefinedFunction } from '../../catalog/errors.js';
import { ChainedScope, type Scope } from '../scope.js';
import { orderedSetAggregateNames, orderedSetFinal } from './ordered-set.js';
import { canCoerce, castExpr, coerce, commonType, isOpen } from './coerce.js';
import { constantExpr, type CompiledExpr, type EvalContext, type Evaluator } from './compiled.js';
import { checkAggregatedArray, stackAggregatedArrays, stackSubarrays } from './array-build.js';
import { arrayElementAt, arraySlice, type SliceBounds } from './array-subscript.js';
import { arrayDimensionsMax } from '../../types/array-shape.js';

/** One subscript of a run (`[i]` or `[lo:hi]`), taken together as PostgreSQL does. */
type SubscriptStep = Extract<ast.IndirectionStep, { kind: 'index' | 'slice' }>;
import { builtinFunctions, type FunctionOverload } from './functions.js';
import { bindNamedArguments, checkArgumentNames, noNamedFunction } from './named-args.js';
import { binaryOperator, refuseJsonComparison, unaryOperator } from './operators.js';
import { compareRows, pairRowFields, quantifiedRows, rowComparisonOperator, rowsDistinct, type ComparisonOperator } from './row-compare.js';
import { aggregateNames, aggregateResultType, containsAggregate, type AggregateCall, type AggregateOrderKey } from './aggregates.js';
import { aggregateHostOf, aggregateInputs, noteAggregateHost, OuterAggregateFound, readsOnlyColumnsOf, readsOnlyOuterColumns, type AggregateHost } from './outer-aggregates.js';
import { compileWindowCall, containsWindow, isWindowFunctionName, type WindowingContext } from './window-functions.js';
import { sessionFunctions, type SessionFunctionOverload } from './session-functions.js';
import { informationSchemaSetReturningNames, setReturningCall, setReturningNames, type SetReturningCall } from './set-returning.js';
import { requireComparisonFunction, requireElementComparison, requireEqualityOperator, requireOrderingOperator } from './operator-class.js';

/** A value the executor computes with I/O before evaluating a row (or once per statement). */
export type SlotSpec =
  | { readonly kind: 'nextval'; readonly sequence: string }
  | { readonly kind: 'currval'; readonly sequence: string }
  | { readonly kind: 'setval'; readonly sequence: string; readonly value: CompiledExpr }
  | {
      readonly kind: 'subquery';
      /** `row`: a row subquery's one row (its fields), or NULL; `rows`: every row, each its fields. */
      readonly mode: 'exists' | 'scalar' | 'in' | 'array' | 'row' | 'rows';
      readonly query: ast.Query;
      readonly type: SqlType;
      readonly correlated: boolean;
      /**
       * Inside another subquery: its outer row is that subquery's row, so the enclosing subquery's
       * plan fills it (per its own rows), never the statement's top level.
       */
      readonly nested?: boolean;
    }
  /** The statement calls a catalog function: load the catalog snapshot first (one per statement). */
  | { readonly kind: 'catalog' }
  /** A call with a session-wide effect (advisory locks, set_config: session-functions.ts), per row. */
  | { readonly kind: 'session'; readonly name: string; readonly overload: SessionFunctionOverload; readonly args: readonly CompiledExpr[] }
  /** A set-returning call in a SELECT list (set-returning.ts): the projection that claims it sets it per emitted row. */
  | { readonly kind: 'setReturning'; readonly call: SetReturningCall };

/**
 * How the compiler plans a subquery (the engine supplies it): its column types, and whether it
 * referred to `outer` (the enclosing query's scope) — a correlated subquery runs once per row.
 */
export type SubqueryTyper = (query: ast.Query, outer: Scope, ctes?: CteScope) => Promise<{ readonly types: readonly SqlType[]; readonly correlated: boolean }>;

/**
 * The WITH queries a subquery sees — the planner's `PlanContext['ctes']`, opaque here so that
 * the expression compiler does not depend on the planner.
 */
export type CteScope = ReadonlyMap<string, object>;

/** The enclosing query's scope, for a subquery's column references that its own scope lacks. */
export interface OuterScope {
  readonly scope: Scope;
  used: boolean;
}

export interface GroupingContext {
  /** The GROUP BY expressions' keys (see `exprKey`), by group column. */
  readonly groupKeys: readonly string[];
  readonly groupTypes: readonly SqlType[];
  /** Aggregate calls found so far; their results follow the group columns (and the grouping-set column) in the row. */
  readonly aggregates: AggregateCall[];
  /**
   * GROUP BY ROLLUP / CUBE / GROUPING SETS: each set's group columns (positions in `groupKeys`);
   * the row then holds the set's number right after the group columns, for GROUPING(…). Absent
   * for a plain GROUP BY.
   */
  readonly groupingSets?: readonly (readonly number[])[];
  /** Compiles an aggregate's arguments over the input scope. */
  readonly inputCompiler: ExprCompiler;
}

/** An expression's identity for GROUP BY matching: its JSON without locations. */
export function exprKey(expr: ast.Expr): string {
  return JSON.stringify(expr, (key, value: unknown) => (key === 'location' ? undefined : value));
}

const isTrue = (value: Datum): boolean => value === true;

export class ExprCompiler {
  readonly slots: SlotSpec[];

  constructor(
    readonly scope: Scope,
    readonly paramTypes: (SqlType | undefined)[],
    slots: SlotSpec[] = [],
    readonly grouping: GroupingContext | null = null,
    readonly subqueryTyper: SubqueryTyper | null = null,
    readonly outer: OuterScope | null = null,
    /** Where window calls register (a SELECT's targets and ORDER BY); null where none are allowed. */
    readonly windowing: WindowingContext | null = null,
  ) {
    this.slots = slots;
  }

  /** This compiler, with window calls registering in `windowing` (window-functions.ts). */
  withWindowing(windowing: WindowingContext | null): ExprCompiler {
    return new ExprCompiler(this.scope, this.paramTypes, this.slots, this.grouping, this.subqueryTyper, this.outer, windowing);
  }

  /**
   * This compiler, with its subqueries (`x IN (SELECT …)`, scalar, EXISTS) planned where the WITH
   * queries `ctes` are in scope, as PostgreSQL's are. A nested WITH's own `ctes` (which hold the
   * enclosing ones too) win over these.
   */
  withCtes(ctes: CteScope): ExprCompiler {
    const typer = this.subqueryTyper;
    if (typer === null) return this;
    const scoped: SubqueryTyper = (query, outer, inner) => typer(query, outer, inner ?? ctes);
    return new ExprCompiler(this.scope, this.paramTypes, this.slots, this.grouping, scoped, this.outer, this.windowing);
  }

  /** A compiler over another scope sharing this one's parameters, slots and outer scope. */
  withScope(scope: Scope, grouping: GroupingContext | null = null): ExprCompiler {
    return new ExprCompiler(scope, this.paramTypes, this.slots, grouping, this.subqueryTyper, this.outer);
  }

  /** A compiler for a subquery whose enclosing query's row has `outer`'s columns. */
  forSubquery(outer: OuterScope): ExprCompiler {
    return new ExprCompiler(this.scope, this.paramTypes, this.slots, null, this.subqueryTyper, outer);
  }

  /** Compiles `expr` and coerces it to `type` (implicit unless said otherwise). */
  async compileAs(expr: ast.Expr, type: SqlType, context: 'implicit' | 'assignment' = 'implicit', what?: string): Promise<CompiledExpr> {
    return coerce(await this.compile(expr), type, context, this.paramTypes, what);
  }

  /** A WHERE / HAVING / ON condition: boolean (an open one becomes boolean). */
  async compilePredicate(expr: ast.Expr, clause: string): Promise<CompiledExpr> {
    const compiled = await this.compile(expr);
    if (isOpen(compiled)) return coerce(compiled, boolType, 'implicit', this.paramTypes);
    if (compiled.type.kind !== 'bool') throw new SqlError('42804', `argument of ${clause} must be type boolean, not type ${formatTypeName(compiled.type)}`);
    return compiled;
  }

  /** Compiles and resolves an open result to text (a SELECT target's type must be known). */
  async compileValue(expr: ast.Expr): Promise<CompiledExpr> {
    const compiled = await this.compile(expr);
    return isOpen(compiled) ? coerce(compiled, textType, 'implicit', this.paramTypes) : compiled;
  }

  async compile(expr: ast.Expr): Promise<CompiledExpr> {
    if (this.grouping !== null) {
      const grouped = this.fromGroup(expr);
      if (grouped !== undefined) return grouped;
    }
    switch (expr.kind) {
      case 'ColumnRef':
        return this.columnRef(expr);
      case 'Literal':
        return literal(expr.value);
      case 'TypedLiteral': {
        const type = resolveType(expr.type);
        return coerce({ type: textType, eval: () => expr.value, rowIndependent: true, unknownLiteral: { text: expr.value } }, type, 'explicit', this.paramTypes);
      }
      case 'Parameter':
        return this.parameter(expr);
      case 'Cast': {
        const regCast = await this.regCast(expr);
        if (regCast !== undefined) return regCast;
        const type = resolveType(expr.type);
        // `ARRAY[]::int[]`: an empty constructor takes its type from the cast (PostgreSQL's transformArrayExpr).
        if (expr.arg.kind === 'ArrayConstructor' && expr.arg.elements.length === 0 && type.kind === 'array') return { type, eval: () => [], rowIndependent: true };
        const inner = await this.compile(expr.arg);
        if (isOpen(inner)) return coerce(inner, type, 'explicit', this.paramTypes);
        return coerce(inner, type, 'explicit', this.paramTypes);
      }
      case 'UnaryOp':
        return unaryOperator(expr.operator, await this.compile(expr.operand), this.paramTypes);
      case 'BinaryOp':
        if (expr.left.kind === 'RowConstructor' || expr.right.kind === 'RowConstructor') return this.rowComparison(expr);
        return binaryOperator(expr.operator, await this.compile(expr.left), await this.compile(expr.right), this.paramTypes);
      case 'And':
      case 'Or':
        return this.logical(expr);
      case 'Not': {
        const arg = await this.compilePredicate(expr.arg, 'NOT');
        const inner = arg.eval;
        return { type: boolType, eval: (row, ctx) => not3(inner(row, ctx) as Truth), rowIndependent: arg.rowIndependent };
      }
      case 'IsNull': {
        if (expr.arg.kind === 'RowConstructor') return this.rowIsNull(expr.arg, expr.negated);
        const arg = await this.compileValue(expr.arg);
        const inner = arg.eval;
        const negated = expr.negated;
        return { type: boolType, eval: (row, ctx) => (inner(row, ctx) === null) !== negated, rowIndependent: arg.rowIndependent };
      }
      case 'IsBool':
        return this.isBool(expr);
      case 'IsDistinctFrom': {
        if (expr.left.kind === 'RowConstructor' || expr.right.kind === 'RowConstructor') return this.rowDistinct(expr);
        const left = await this.compile(expr.left);
        const right = await this.compile(expr.right);
        const type = commonType([left, right], 'IS DISTINCT FROM');
        requireEquals('=', left, right, type);
        const l = coerce(left, type, 'implicit', this.paramTypes).eval;
        const r = coerce(right, type, 'implicit', this.paramTypes).eval;
        const negated = expr.negated;
        return { type: boolType, eval: (row, ctx) => distinctFrom(type, l(row, ctx), r(row, ctx)) !== negated, rowIndependent: left.rowIndependent && right.rowIndependent };
      }
      case 'Between':
        return this.between(expr);
      case 'InList':
        return expr.arg.kind === 'RowConstructor' ? this.rowInList(expr, expr.arg) : this.inList(expr);
      case 'Like':
        return this.like(expr);
      case 'Case':
        return this.caseExpr(expr);
      case 'Coalesce':
        return this.coalesce(expr);
      case 'NullIf': {
        const left = await this.compile(expr.left);
        const right = await this.compile(expr.right);
        const type = commonType([left, right], 'NULLIF');
        requireEquals('=', left, right, type);
        const l = coerce(left, type, 'implicit', this.paramTypes).eval;
        const r = coerce(right, type, 'implicit', this.paramTypes).eval;
        return { type, eval: (row, ctx) => { const a = l(row, ctx); return compareOperator('=', type, a, r(row, ctx)) === true ? null : a; }, rowIndependent: left.rowIndependent && right.rowIndependent };
      }
      case 'MinMax':
        return this.minMax(expr);
      case 'FuncCall':
        return this.funcCall(expr);
      case 'SqlValueFunction':
        return sqlValueFunction(expr);
      case 'SubqueryExpr':
        return this.subquery(expr);
      case 'InSubquery':
        return expr.arg.kind === 'RowConstructor' ? this.quantifiedSubquery(expr.arg, '=', false, expr.query) : this.inSubquery(expr);
      case 'Collate':
        return this.compile(expr.arg);
      case 'Star':
        throw new SqlError('42601', 'a "*" is only allowed in a SELECT list or count(*)');
      case 'DefaultValue':
        throw new SqlError('42601', 'DEFAULT is not allowed in this context');
      case 'ArrayConstructor':
        return this.arrayConstructor(expr);
      case 'QuantifiedComparison':
        return this.quantified(expr);
      case 'Indirection':
        return this.indirection(expr);
      case 'RowConstructor':
        return this.rowValue(expr);
      case 'GroupingFunc':
        return this.groupingFunc(expr);
      default:
        return assertNeverExpr(expr);
    }
  }

  private fromGroup(expr: ast.Expr): CompiledExpr | undefined {
    const grouping = this.grouping!;
    const index = grouping.groupKeys.indexOf(exprKey(expr));
    if (index !== -1) {
      const type = grouping.groupTypes[index]!;
      return { type, eval: (row) => row[index] ?? null, rowIndependent: false, columnIndex: index };
    }
    if (expr.kind === 'FuncCall' && expr.name.length === 1 && aggregateNames.has(expr.name[0]!)) return undefined;
    if (expr.kind === 'ColumnRef') {
      const position = grouping.inputCompiler.scope.resolve(expr.path);
      const column = grouping.inputCompiler.scope.columns[position]!;
      const name = column.table === null ? column.name : `${column.table}.${column.name}`;
      throw new SqlError('42803', `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`);
    }
    return undefined;
  }

  private columnRef(expr: ast.ColumnRef): CompiledExpr {
    if (expr.position !== undefined) {
      // `*` over two columns of one name (planner.ts expandTargets): the column at its position.
      const index = expr.position;
      const column = this.scope.columns[index];
      assert(column !== undefined && column.name === expr.path[expr.path.length - 1], 'a positional column reference into the scope it was expanded from');
      return { type: column.type, eval: (row) => row[index] ?? null, rowIndependent: false, columnIndex: index };
    }
    let index: number;
    try {
      index = this.scope.resolve(expr.path);
    } catch (error) {
      const wholeRow = this.wholeRowRef(expr.path, error);
      if (wholeRow !== undefined) return wholeRow;
      const outer = this.outer;
      if (outer === null || !(error instanceof SqlError) || (error.sqlState !== '42703' && error.sqlState !== '42P01')) throw error;
      let outerIndex: number;
      try {
        outerIndex = outer.scope.resolve(expr.path);
      } catch (outerError) {
        // An ungrouped column of a grouped outer query (scope.ts GroupedScope) is named as such.
        if (outerError instanceof SqlError && outerError.sqlState === '42803') throw outerError;
        throw error;
      }
      outer.used = true;
      const type = outer.scope.columns[outerIndex]!.type;
      // Constant while the subquery runs for one outer row: usable in the subquery's key spans.
      return { type, eval: (_row, ctx) => ctx.outer.row[outerIndex] ?? null, rowIndependent: true };
    }
    const type = this.scope.columns[index]!.type;
    return { type, eval: (row) => row[index] ?? null, rowIndependent: false, columnIndex: index };
  }

  /**
   * A bare name that is no column but a FROM item of this query (`to_jsonb(t) FROM t`): its row
   * as a record of its visible columns, named as they are (PostgreSQL's whole-row Var). Only at
   * this query's level; undefined otherwise, so the caller's error stands.
   */
  private wholeRowRef(path: readonly string[], error: unknown): CompiledExpr | undefined {
    if (path.length !== 1 || !(error instanceof SqlError) || error.sqlState !== '42703') return undefined;
    const table = path[0]!;
    if (!this.scope.columns.some((column) => column.table === table)) return undefined;
    const positions = this.scope.star([table]);
    const type = recordType(positions.map((position) => ({ name: this.scope.columns[position]!.name, type: this.scope.columns[position]!.type })));
    return { type, eval: (row) => Object.freeze(positions.map((position) => row[position] ?? null)), rowIndependent: false };
  }

  private parameter(expr: ast.Parameter): CompiledExpr {
    const index = expr.index - 1;
    if (index < 0 || index >= 65535) throw new SqlError('42P02', `there is no parameter $${expr.index}`);
    while (this.paramTypes.length <= index) this.paramTypes.push(undefined);
    const known = this.paramTypes[index];
    if (known === undefined) return { type: textType, eval: (_row, ctx) => ctx.params[index] ?? null, rowIndependent: true, openParam: index };
    return { type: known, eval: (_row, ctx) => ctx.params[index] ?? null, rowIndependent: true };
  }

  private async logical(expr: ast.And | ast.Or): Promise<CompiledExpr> {
    const args = await inOrder(expr.args, (arg) => this.compilePredicate(arg, expr.kind === 'And' ? 'AND' : 'OR'));
    const evals = args.map((arg) => arg.eval);
    const rowIndependent = args.every((arg) => arg.rowIndependent);
    if (expr.kind === 'And') {
      return {
        type: boolType,
        eval: (row, ctx) => {
          let result: Truth = true;
          for (const e of evals) {
            result = and3(result, e(row, ctx) as Truth);
            if (result === false) return false;
          }
          return result;
        },
        rowIndependent,
      };
    }
    return {
      type: boolType,
      eval: (row, ctx) => {
        let result: Truth = false;
        for (const e of evals) {
          result = or3(result, e(row, ctx) as Truth);
          if (result === true) return true;
        }
        return result;
      },
      rowIndependent,
    };
  }

  private async isBool(expr: ast.IsBool): Promise<CompiledExpr> {
    const arg = await this.compilePredicate(expr.arg, `IS ${expr.test.toUpperCase()}`);
    const inner = arg.eval;
    const want: Datum = expr.test === 'true' ? true : expr.test === 'false' ? false : null;
    const negated = expr.negated;
    return { type: boolType, eval: (row, ctx) => (inner(row, ctx) === want) !== negated, rowIndependent: arg.rowIndependent };
  }

  private async between(expr: ast.Between): Promise<CompiledExpr> {
    const arg = await this.compile(expr.arg);
    const low = await this.compile(expr.low);
    const high = await this.compile(expr.high);
    const type = commonType([arg, low, high], 'BETWEEN');
    const a = coerce(arg, type, 'implicit', this.paramTypes).eval;
    const l = coerce(low, type, 'implicit', this.paramTypes).eval;
    const h = coerce(high, type, 'implicit', this.paramTypes).eval;
    const { negated, symmetric } = expr;
    return {
      type: boolType,
      eval: (row, ctx) => {
        const value = a(row, ctx);
        const lo = l(row, ctx);
        const hi = h(row, ctx);
        let result = and3(compareOperator('>=', type, value, lo), compareOperator('<=', type, value, hi));
        // SYMMETRIC is PostgreSQL's `(x >= lo AND x <= hi) OR (x >= hi AND x <= lo)`, not a swap
        // of ordered bounds: with a NULL bound it is NULL where the first half is false
        // (`5 BETWEEN SYMMETRIC 10 AND NULL` is NULL; found by test/fuzz, seed 103).
        if (symmetric) result = or3(result, and3(compareOperator('>=', type, value, hi), compareOperator('<=', type, value, lo)));
        return negated ? not3(result) : result;
      },
      rowIndependent: arg.rowIndependent && low.rowIndependent && high.rowIndependent,
    };
  }

  /** `x IN (a, b)`: the list's values, coerced to one type with x (exposed for index spans). */
  async inListParts(expr: ast.InList): Promise<{ arg: CompiledExpr; list: CompiledExpr[]; type: SqlType }> {
    const arg = await this.compile(expr.arg);
    const list = await inOrder(expr.list, (item) => this.compile(item));
    const type = commonType([arg, ...list], 'IN');
    // PostgreSQL has no equality for json (jsonb's is its own): `json IN (…)` is 42883, `NOT IN` names `<>`.
    for (const item of list) requireEquals(expr.negated ? '<>' : '=', arg, item, type);
    return { arg: coerce(arg, type, 'implicit', this.paramTypes), list: list.map((item) => coerce(item, type, 'implicit', this.paramTypes)), type };
  }

  private async inList(expr: ast.InList): Promise<CompiledExpr> {
    const { arg, list, type } = await this.inListParts(expr);
    const a = arg.eval;
    const items = list.map((item) => item.eval);
    const negated = expr.negated;
    return {
      type: boolType,
      eval: (row, ctx) => {
        const value = a(row, ctx);
        let result: Truth = false;
        for (const item of items) {
          result = or3(result, compareOperator('=', type, value, item(row, ctx)));
          if (result === true) break;
        }
        return negated ? not3(result) : result;
      },
      rowIndependent: arg.rowIndependent && list.every((item) => item.rowIndependent),
    };
  }

  /** LIKE's and SIMILAR TO's operands, compiled as text, with their evaluators. */
  private async likeOperands(expr: ast.Like): Promise<{ arg: CompiledExpr; pattern: CompiledExpr; escape: CompiledExpr | null; a: Evaluator; p: Evaluator; e: Evaluator | undefined }> {
    const arg = await this.compileAs(expr.arg, textType);
    const pattern = await this.compileAs(expr.pattern, textType);
    const escape = expr.escape === null ? null : await this.compileAs(expr.escape, textType);
    return { arg, pattern, escape, a: arg.eval, p: pattern.eval, e: escape?.eval };
  }

  private async like(expr: ast.Like): Promise<CompiledExpr> {
    if (expr.mode === 'similar') return this.similarTo(expr);
    const { arg, pattern, a, p, e } = await this.likeOperands(expr);
    const caseInsensitive = expr.mode === 'ilike';
    const negated = expr.negated;
    return {
      type: boolType,
      eval: (row, ctx) => {
        const result = like(a(row, ctx) as string | null, p(row, ctx) as string | null, { escape: e === undefined ? undefined : (e(row, ctx) as string | null), caseInsensitive });
        return negated ? not3(result) : result;
      },
      rowIndependent: arg.rowIndependent && pattern.rowIndependent,
    };
  }

  /** `x [NOT] SIMILAR TO pattern [ESCAPE e]`: the pattern as an anchored regular expression (regex.ts). */
  private async similarTo(expr: ast.Like): Promise<CompiledExpr> {
    const { arg, pattern, escape, a, p, e } = await this.likeOperands(expr);
    const negated = expr.negated;
    return {
      type: boolType,
      eval: (row, ctx) => {
        const text = a(row, ctx) as string | null;
        const source = p(row, ctx) as string | null;
        const escapeText = e === undefined ? '\\' : (e(row, ctx) as string | null);
        if (text === null || source === null || (e !== undefined && escapeText === null)) return null;
        const matched = regexMatch(text, similarToRegex(source, escapeText), false);
        return negated ? !matched : matched;
      },
      rowIndependent: arg.rowIndependent && pattern.rowIndependent && (escape?.rowIndependent ?? true),
    };
  }

  private async caseExpr(expr: ast.Case): Promise<CompiledExpr> {
    const subject = expr.arg === null ? null : await this.compile(expr.arg);
    const conditions: Evaluator[] = [];
    let subjectType: SqlType | null = null;
    if (subject !== null) {
      const whens = await inOrder(expr.whens, (when) => this.compile(when.condition));
      subjectType = commonType([subject, ...whens], 'CASE/WHEN');
      for (const when of whens) requireEquals('=', subject, when, subjectType);
      const s = coerce(subject, subjectType, 'implicit', this.paramTypes).eval;
      for (const when of whens) {
        const w = coerce(when, subjectType, 'implicit', this.paramTypes).eval;
        const type = subjectType;
        conditions.push((row, ctx) => compareOperator('=', type, s(row, ctx), w(row, ctx)));
      }
    } else {
      for (const when of expr.whens) conditions.push((await this.compilePredicate(when.condition, 'CASE/WHEN')).eval);
    }
    const results = await inOrder(expr.whens, (when) => this.compile(when.result));
    const otherwise = expr.else === null ? literal({ type: 'null' }) : await this.compile(expr.else);
    const type = commonType([...results, otherwise], 'CASE');
    const resultEvals = results.map((result) => coerce(result, type, 'implicit', this.paramTypes).eval);
    const elseEval = coerce(otherwise, type, 'implicit', this.paramTypes).eval;
    return {
      type,
      eval: (row, ctx) => {
        for (let index = 0; index < conditions.length; index++) if (isTrue(conditions[index]!(row, ctx))) return resultEvals[index]!(row, ctx);
        return elseEval(row, ctx);
      },
      rowIndependent: false,
    };
  }

  private async coalesce(expr: ast.Coalesce): Promise<CompiledExpr> {
    const args = await inOrder(expr.args, (arg) => this.compile(arg));
    const type = commonType(args, 'COALESCE');
    const evals = args.map((arg) => coerce(arg, type, 'implicit', this.paramTypes).eval);
    return {
      type,
      eval: (row, ctx) => {
        for (const e of evals) {
          const value = e(row, ctx);
          if (value !== null) return value;
        }
        return null;
      },
      rowIndependent: args.every((arg) => arg.rowIndependent),
    };
  }

  private async minMax(expr: ast.MinMax): Promise<CompiledExpr> {
    const args = await inOrder(expr.args, (arg) => this.compile(arg));
    const type = commonType(args, expr.op.toUpperCase());
    requireComparisonFunction(type);
    const evals = args.map((arg) => coerce(arg, type, 'implicit', this.paramTypes).eval);
    const wantGreater = expr.op === 'greatest';
    return {
      type,
      eval: (row, ctx) => {
        let best: Datum = null;
        for (const e of evals) {
          const value = e(row, ctx);
          if (value === null) continue;
          if (best === null || compareOperator(wantGreater ? '>' : '<', type, value, best) === true) best = value;
        }
        return best;
      },
      rowIndependent: args.every((arg) => arg.rowIndependent),
    };
  }

  private async funcCall(expr: ast.FuncCall): Promise<CompiledExpr> {
    const name = expr.name[expr.name.length - 1]!;
    if (expr.name.length === 2 && expr.name[0] === 'information_schema' && informationSchemaSetReturningNames.has(name) && expr.over === undefined) return this.setReturning(expr, name);
    if (expr.name.length > 1 && expr.name[0] !== 'pg_catalog') throw undefinedFunction(`function ${expr.name.join('.')}() does not exist`);
    if (expr.argNames !== undefined) return this.namedCall(expr, name, expr.argNames);
    if (expr.over !== undefined || isWindowFunctionName(name)) {
      const isFunction = (builtinFunctions.get(name) ?? catalogFunction(name)) !== undefined;
      return compileWindowCall(this.windowing, this.withWindowing(null), expr, name, isFunction);
    }
    if (aggregateNames.has(name)) return this.aggregate(expr, name);
    if (expr.filter !== null || expr.distinct || expr.orderBy.length > 0) throw new SqlError('42809', `${name} is not an aggregate function`);
    if (name === 'nextval' || name === 'currval' || name === 'setval') return this.sequenceFunction(expr, name);
    const session = sessionFunctions.get(name);
    if (session !== undefined) return this.sessionFunction(expr, name, session);
    if (setReturningNames.has(name)) return this.setReturning(expr, name);
    const overloads = builtinFunctions.get(name) ?? catalogFunction(name);
    const args = await inOrder(expr.args, (arg) => this.compile(arg));
    if (overloads === undefined) throw noFunction(name, args);
    const chosen = chooseOverload(overloads, args);
    if (chosen === undefined) throw noFunction(name, args);
    if (chosen.readsCatalog === true) this.needCatalog();
    return this.callOverload(chosen, args);
  }

  /**
   * A call with named arguments (`make_interval(days => 3)`): bound to a builtin overload's
   * parameter names (named-args.ts). Window functions, aggregates and the functions that are
   * not in the builtin table declare no names, so a name matches nothing there (42883), as for
   * PostgreSQL's builtins without proargnames.
   */
  private async namedCall(expr: ast.FuncCall, name: string, argNames: readonly (string | null)[]): Promise<CompiledExpr> {
    checkArgumentNames(argNames);
    // jsonb_path_query(…, silent => true): a set-returning function with parameter names.
    if (setReturningNames.has(name) && expr.over === undefined) return this.setReturning(expr, name);
    const args = await inOrder(expr.args, (arg) => this.compile(arg));
    const overloads = expr.over === undefined && expr.filter === null && !expr.distinct && expr.orderBy.length === 0 ? builtinFunctions.get(name) : undefined;
    const bound = overloads === undefined ? undefined : bindNamedArguments(overloads, args, argNames);
    if (bound === undefined) throw noNamedFunction(name, args, argNames);
    if (bound.overload.readsCatalog === true) this.needCatalog();
    return this.callOverload(bound.overload, bound.args);
  }

  /** Asks the executor for the catalog snapshot (catalog functions read it synchronously). */
  private needCatalog(): void {
    if (!this.slots.some((slot) => slot.kind === 'catalog')) this.slots.push({ kind: 'catalog' });
  }

  /** A call of the chosen overload: arguments coerced to its types, constant-folded when it is immutable. */
  private callOverload(chosen: FunctionOverload, args: readonly CompiledExpr[]): CompiledExpr {
    const coerced = args.map((arg, index) => {
      const declared = chosen.args[Math.min(index, chosen.args.length - 1)]!;
      return declared === 'any' ? (isOpen(arg) ? coerce(arg, textType, 'implicit', this.paramTypes) : arg) : coerce(arg, declared, 'implicit', this.paramTypes);
    });
    const argTypes = coerced.map((arg) => arg.type);
    const type = typeof chosen.result === 'function' ? chosen.result(argTypes) : chosen.result;
    const evals = coerced.map((arg) => arg.eval);
    const { impl, strict } = chosen;
    const evaluate: Evaluator = (row, ctx) => {
      const values = evals.map((e) => e(row, ctx));
      if (strict && values.some((value) => value === null)) return null;
      return impl(values, argTypes, ctx);
    };
    const rowIndependent = coerced.every((arg) => arg.rowIndependent);
    if (chosen.immutable && coerced.every((arg) => arg.constant !== undefined)) {
      return constantExpr(type, evaluate([], undefined as unknown as EvalContext));
    }
    return { type, eval: evaluate, rowIndependent };
  }

  private async sequenceFunction(expr: ast.FuncCall, name: 'nextval' | 'currval' | 'setval'): Promise<CompiledExpr> {
    const first = expr.args[0];
    if (first === undefined || first.kind !== 'Literal' || first.value.type !== 'string') {
      throw new SqlError('0A000', `${name}() takes a sequence name literal in rangedb`);
    }
    const sequence = first.value.value;
    const slot = this.slots.length;
    if (name === 'setval') {
      if (expr.args.length !== 2) throw noFunction(name, []);
      this.slots.push({ kind: 'setval', sequence, value: await this.compileAs(expr.args[1]!, int8Type) });
    } else {
      if (expr.args.length !== 1) throw noFunction(name, []);
      this.slots.push({ kind: name, sequence });
    }
    return { type: int8Type, eval: (_row, ctx) => ctx.slots[slot] ?? null, rowIndependent: false };
  }

  /** A call of session-functions.ts: its arguments coerced to the first overload they fit, its value a row slot. */
  private async sessionFunction(expr: ast.FuncCall, name: string, overloads: readonly SessionFunctionOverload[]): Promise<CompiledExpr> {
    const args = await inOrder(expr.args, (arg) => this.compile(arg));
    const overload = overloads.find((candidate) => candidate.args.length === args.length && args.every((arg, index) => isOpen(arg) || canCoerce(arg.type, candidate.args[index]!, 'implicit')));
    if (overload === undefined) throw noFunction(name, args);
    const coerced = args.map((arg, index) => coerce(arg, overload.args[index]!, 'implicit', this.paramTypes));
    const slot = this.slots.length;
    this.slots.push({ kind: 'session', name, overload, args: coerced });
    return { type: overload.result, eval: (_row, ctx) => ctx.slots[slot] ?? null, rowIndependent: false };
  }

  /** A set-returning call: a slot that the SELECT list's projection fills row by row (`claimSetReturning`). */
  private async setReturning(expr: ast.FuncCall, name: string): Promise<CompiledExpr> {
    const before = this.slots.length;
    const args = await inOrder(expr.args, (arg) => this.compile(arg));
    if (unclaimedSetReturning(this.slots, before)) throw new SqlError('0A000', 'set-returning functions nested in the arguments of another are not supported yet');
    const call = setReturningCall(name, args, this.paramTypes, expr.argNames);
    const slot = this.slots.length;
    this.slots.push({ kind: 'setReturning', call });
    return { type: call.type, eval: (_row, ctx) => ctx.slots[slot] ?? null, rowIndependent: false };
  }

  private async aggregate(expr: ast.FuncCall, name: string): Promise<CompiledExpr> {
    const grouping = this.grouping;
    // SQL gives an aggregate to the innermost query whose columns its arguments read (PostgreSQL's
    // agglevelsup): `(SELECT min(o.x) FROM t) FROM o` aggregates over o, in the outer query.
    if (this.outer !== null && readsOnlyOuterColumns(aggregateInputs(expr), grouping?.inputCompiler.scope ?? this.scope)) return this.outerAggregate(expr, name, this.outer);
    if (grouping === null) throw new SqlError('42803', `aggregate functions are not allowed in ${this.scope === undefined ? 'this context' : 'WHERE'}`);
    if (containsWindow(expr.args) || containsWindow(expr.filter)) throw new SqlError('42803', 'aggregate function calls cannot contain window function calls');
    if (containsAggregate(expr.args)) throw new SqlError('42803', 'aggregate function calls cannot be nested');
    const input = grouping.inputCompiler;
    if (orderedSetAggregateNames.has(name) || expr.withinGroup === true) return this.orderedSetAggregate(expr, name, grouping);
    const args = await inOrder(expr.args, (arg) => input.compileValue(arg));
    const filter = expr.filter === null ? null : await input.compilePredicate(expr.filter, 'FILTER');
    const type = aggregateResultType(name, expr.star, args.map((arg) => arg.type));
    const index = grouping.groupKeys.length + (grouping.groupingSets === undefined ? 0 : 1) + grouping.aggregates.length;
    const ordered = await this.aggregateOrder(expr, input);
    // PostgreSQL sorts an aggregate's ORDER BY, then its DISTINCT, in that order (transformAggregateCall).
    if (expr.distinct) for (const arg of args) requireEqualityOperator(arg.type);
    grouping.aggregates.push({ name, star: expr.star, distinct: expr.distinct, args: [...args, ...ordered.exprs], filter, type, ...(ordered.keys.length === 0 ? {} : { orderBy: ordered.keys }) });
    return { type, eval: (row) => row[index] ?? null, rowIndependent: false, columnIndex: index };
  }

  /**
   * An aggregate of the enclosing query (outer-aggregates.ts): compiled by that query, whose row
   * — the one this correlated subquery runs with — holds its value.
   */
  private async outerAggregate(expr: ast.FuncCall, name: string, outer: OuterScope): Promise<CompiledExpr> {
    const host = aggregateHostOf(outer.scope);
    if (host === undefined || !readsOnlyColumnsOf(aggregateInputs(expr), host.levelScope)) {
      throw new SqlError('0A000', 'an aggregate over the columns of a query two or more levels out is not supported yet');
    }
    const { columnIndex, type } = await host.compileAggregate(expr, name);
    outer.used = true;
    return { type, eval: (_row, ctx) => ctx.outer.row[columnIndex] ?? null, rowIndependent: true };
  }

  /**
   * This compiler as the host of a subquery's aggregate over its columns (outer-aggregates.ts):
   * a grouped query registers it; a SELECT list not grouped yet becomes grouped
   * (`OuterAggregateFound`); anywhere else it is an aggregate where none may be (42803).
   */
  private asAggregateHost(): AggregateHost {
    const grouping = this.grouping;
    return {
      levelScope: grouping?.inputCompiler.scope ?? this.scope,
      compileAggregate: async (expr, name) => {
        if (grouping === null && this.windowing !== null) throw new OuterAggregateFound(this.scope);
        const compiled = await this.aggregate(expr, name);
        assert(compiled.columnIndex !== undefined, 'an aggregate is a column of its aggregate row');
        return { columnIndex: compiled.columnIndex, type: compiled.type };
      },
    };
  }

  /**
   * `percentile_cont(f) / percentile_disc(f) / mode() WITHIN GROUP (ORDER BY x)` (ordered-set.ts):
   * the aggregation collects each group's sorted non-NULL x; the direct argument (a fraction, or an
   * array of them) is compiled here, over the group's output row, and the final function combines
   * the two. PostgreSQL's signatures: percentile_cont over float8 (x cast to it) gives float8,
   * percentile_disc and mode give x's type; a fraction array gives an array.
   */
  private async orderedSetAggregate(expr: ast.FuncCall, name: string, grouping: GroupingContext): Promise<CompiledExpr> {
    if (expr.withinGroup !== true) throw new SqlError('42809', `WITHIN GROUP is required for ordered-set aggregate ${name}`);
    if (expr.distinct) throw new SqlError('42809', `cannot use DISTINCT with WITHIN GROUP`);
    if (containsAggregate(expr.orderBy.map((sortBy) => sortBy.expr))) throw new SqlError('42803', 'aggregate function calls cannot be nested');
    const input = grouping.inputCompiler;
    const direct = await inOrder(expr.args, (arg) => this.compile(arg));
    const sortBy = expr.orderBy[0];
    const sorts = await inOrder(expr.orderBy, (entry) => input.compileValue(entry.expr));
    const signature = (): string => `${name}(${[...direct, ...sorts].map((arg) => formatType(arg.type)).join(', ')})`;
    const noMatch = (): SqlError => new SqlError('42883', `function ${signature()} does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
    // A plain aggregate with WITHIN GROUP is looked up with its direct and sort arguments together: none matches (42883).
    if (!orderedSetAggregateNames.has(name) || sortBy === undefined || sorts.length !== 1 || direct.length !== (name === 'mode' ? 0 : 1)) throw noMatch();
    if (sortBy.using !== null) throw new SqlError('0A000', 'ORDER BY … USING inside an aggregate is not supported yet');
    let sort = sorts[0]!;
    let fraction: CompiledExpr | null = null;
    let arrayResult = false;
    if (name !== 'mode') {
      const given = direct[0]!;
      arrayResult = given.type.kind === 'array';
      const fractionType = arrayResult ? arrayType(float8Type) : float8Type;
      if (!isOpen(given) && !canCoerce(given.type, fractionType, 'implicit')) throw noMatch();
      fraction = coerce(given, fractionType, 'implicit', this.paramTypes);
    }
    if (name === 'percentile_cont') {
      if (sort.type.kind === 'interval') throw new SqlError('0A000', 'percentile_cont over interval is not supported yet');
      if (!isOpen(sort) && !canCoerce(sort.type, float8Type, 'implicit')) throw noMatch();
      sort = coerce(sort, float8Type, 'implicit', this.paramTypes);
    } else if (isOpen(sort)) sort = coerce(sort, textType, 'implicit', this.paramTypes);
    const sortType = sort.type;
    requireOrderingOperator(sortType);
    if (sortType.kind === 'array' || sortType.kind === 'record') throw new SqlError('0A000', `${name} over ${formatType(sortType)} values is not supported yet`);
    const filter = expr.filter === null ? null : await input.compilePredicate(expr.filter, 'FILTER');
    const descending = sortBy.direction === 'desc';
    const key: AggregateOrderKey = { type: sort.type, descending, nullsFirst: sortBy.nulls === 'default' ? descending : sortBy.nulls === 'first' };
    const index = grouping.groupKeys.length + (grouping.groupingSets === undefined ? 0 : 1) + grouping.aggregates.length;
    // The group's state is its sorted values (an array of the sort type); the final function makes the result.
    grouping.aggregates.push({ name, star: false, distinct: false, args: [sort, sort], filter, type: arrayType(sortType), orderBy: [key] });
    const valueType = name === 'percentile_cont' ? float8Type : sortType;
    const type = arrayResult ? arrayType(valueType) : valueType;
    const fractionEval = fraction?.eval;
    return {
      type,
      eval: (row, ctx) => orderedSetFinal(name, (row[index] ?? null) as readonly Datum[] | null, fractionEval === undefined ? null : fractionEval(row, ctx), sortType),
      rowIndependent: false,
    };
  }

  /**
   * `GROUPING(a, b, …)` (PostgreSQL's GroupingFunc): an int4 with one bit per argument, the first
   * the highest, set where the row's grouping set leaves the argument out — a lookup by the set
   * number the aggregation writes after the group columns. Each argument must be a GROUP BY
   * expression (42803); over a plain GROUP BY every bit is 0.
   */
  private groupingFunc(expr: ast.GroupingFunc): CompiledExpr {
    const grouping = this.grouping;
    const notGrouping = (): SqlError => new SqlError('42803', 'arguments to GROUPING must be grouping expressions of the associated query level');
    if (grouping === null) throw notGrouping();
    if (expr.args.length > 31) throw new SqlError('54023', 'GROUPING must have fewer than 32 arguments');
    const columns = expr.args.map((arg) => {
      const index = grouping.groupKeys.indexOf(exprKey(arg));
      if (index === -1) throw notGrouping();
      return index;
    });
    const sets = grouping.groupingSets;
    if (sets === undefined) return constantExpr(int4Type, 0);
    const masks = sets.map((set) => columns.reduce((mask, column) => (mask << 1) | (set.includes(column) ? 0 : 1), 0));
    const setColumn = grouping.groupKeys.length;
    return { type: int4Type, eval: (row) => masks[row[setColumn] as number] ?? null, rowIndependent: false };
  }

  /**
   * An aggregate's `ORDER BY` (aggregates.ts sorts the group by it): its expressions over the
   * input, and their keys. With DISTINCT each must be one of the arguments (PostgreSQL's 42P10:
   * the distinct values would have no single sort value otherwise).
   */
  private async aggregateOrder(expr: ast.FuncCall, input: ExprCompiler): Promise<{ exprs: CompiledExpr[]; keys: AggregateOrderKey[] }> {
    if (expr.orderBy.length === 0) return { exprs: [], keys: [] };
    if (containsAggregate(expr.orderBy.map((sortBy) => sortBy.expr))) throw new SqlError('42803', 'aggregate function calls cannot be nested');
    if (expr.distinct) {
      const argKeys = expr.args.map(exprKey);
      if (!expr.orderBy.every((sortBy) => argKeys.includes(exprKey(sortBy.expr)))) throw new SqlError('42P10', 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list');
    }
    const exprs = await inOrder(expr.orderBy, async (sortBy) => {
      if (sortBy.using !== null) throw new SqlError('0A000', 'ORDER BY … USING inside an aggregate is not supported yet');
      return input.compileValue(sortBy.expr);
    });
    const keys = expr.orderBy.map((sortBy, position): AggregateOrderKey => {
      requireOrderingOperator(exprs[position]!.type);
      const descending = sortBy.direction === 'desc';
      return { type: exprs[position]!.type, descending, nullsFirst: sortBy.nulls === 'default' ? descending : sortBy.nulls === 'first' };
    });
    return { exprs, keys };
  }

  /**
   * `ARRAY[a, b]`: the elements' common type. When that is an array type (`ARRAY[[1,2],[3,4]]`,
   * `ARRAY[ARRAY[1], ARRAY[2]]`) the result has one more dimension (array-build.ts).
   */
  private async arrayConstructor(expr: ast.ArrayConstructor): Promise<CompiledExpr> {
    const elements = await inOrder(expr.elements, (element) => this.compile(element));
    if (elements.some((element) => element.type.kind === 'record')) throw new SqlError('0A000', 'arrays of records are not supported yet');
    if (elements.length === 0) throw new SqlError('42P18', 'cannot determine type of empty array', { hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].' });
    const elementType = commonType(elements, 'ARRAY');
    if (elementType.kind === 'record') throw new SqlError('0A000', 'arrays of records are not supported yet');
    const evals = elements.map((element) => coerce(element, elementType, 'implicit', this.paramTypes).eval);
    const rowIndependent = elements.every((element) => element.rowIndependent);
    if (elementType.kind === 'array') {
      const type = isInt2vector(elementType) ? arrayType(elementType.element) : elementType;
      return { type, eval: (row, ctx) => stackSubarrays(evals.map((e) => e(row, ctx) as readonly Datum[] | null)), rowIndependent };
    }
    return { type: arrayType(elementType), eval: (row, ctx) => evals.map((e) => e(row, ctx)), rowIndependent };
  }

  /** `x op ANY (array)` / `x op ALL (array)`, with SQL's NULL rules. */
  private async quantified(expr: ast.QuantifiedComparison): Promise<CompiledExpr> {
    if (expr.right.kind === 'subquery') {
      if (expr.quantifier === 'any' && expr.operator === '=' && expr.left.kind !== 'RowConstructor') return this.inSubquery({ kind: 'InSubquery', arg: expr.left, query: expr.right.query, location: expr.location });
      const op = rowComparisonOperator(expr.operator);
      if (op === undefined) throw new SqlError('0A000', `operator ${expr.operator} with ANY/ALL (subquery) is not supported yet`);
      return this.quantifiedSubquery(expr.left, op, expr.quantifier === 'all', expr.right.query);
    }
    if (expr.left.kind === 'RowConstructor') throw new SqlError('0A000', 'a row compared with ANY/ALL (array) is not supported yet');
    const operator = expr.operator === '!=' ? '<>' : expr.operator;
    if (!['=', '<>', '<', '<=', '>', '>='].includes(operator)) throw new SqlError('0A000', `operator ${expr.operator} with ANY/ALL is not supported yet`);
    let left = await this.compile(expr.left);
    let right = await this.compile(expr.right.expr);
    // An untyped right side is named `unknown`, as PostgreSQL resolves the operator before the array literal.
    if (isOpen(right)) refuseJsonComparison(operator, left, right);
    if (isOpen(right) && right.type.kind !== 'array') {
      const elementType = isOpen(left) ? textType : left.type;
      if (elementType.kind === 'array' || elementType.kind === 'record') throw new SqlError('0A000', `arrays of ${elementType.kind}s are not supported`);
      right = coerce(right, arrayType(elementType), 'implicit', this.paramTypes);
    }
    if (right.type.kind !== 'array') throw new SqlError('42809', `op ANY/ALL (array) requires array on right side`);
    const elementType = right.type.element;
    refuseJsonComparison(operator, left, { type: elementType, eval: () => null, rowIndependent: true });
    left = coerce(left, elementType, 'implicit', this.paramTypes);
    const l = left.eval;
    const r = right.eval;
    const all = expr.quantifier === 'all';
    const op = operator as '=' | '<>' | '<' | '<=' | '>' | '>=';
    return {
      type: boolType,
      eval: (row, ctx) => {
        const values = r(row, ctx) as readonly Datum[] | null;
        if (values === null) return null;
        const value = l(row, ctx);
        let result: Truth = all;
        for (const item of values) {
          const truth = compareOperator(op, elementType, value, item);
          result = all ? and3(result, truth) : or3(result, truth);
          if (result === !all) return result;
        }
        return result;
      },
      rowIndependent: left.rowIndependent && right.rowIndependent,
    };
  }

  /**
   * Casts that read the catalog, as PostgreSQL's `reg*` types: `'t'::regclass` (a name → its
   * OID, through the search path), `oid::regclass::text` (an OID → its name), and the same for
   * `regtype`, `regnamespace` and `regrole`. Undefined when the cast is an ordinary one.
   */
  private async regCast(expr: ast.Cast): Promise<CompiledExpr | undefined> {
    const target = regKind(expr.type);
    if (target !== undefined) {
      const arg = await this.compile(expr.arg);
      if (isOpen(arg) || typeCategory(arg.type) === 'S') return this.catalogCall(`${target}in`, [coerce(arg, textType, 'implicit', this.paramTypes)]);
      if (target === 'regclass' || target === 'regtype') return undefined;
      // regnamespace and regrole are kept as their OID (rangedb has no such types of its own).
      return coerce(arg, oidType, 'explicit', this.paramTypes);
    }
    if (expr.arg.kind !== 'Cast' || expr.type.arrayBounds.length > 0) return undefined;
    const inner = regKind(expr.arg.type);
    const to = resolveType(expr.type);
    if (inner === undefined || typeCategory(to) !== 'S') return undefined;
    const oid = coerce(await this.compile(expr.arg), oidType, 'explicit', this.paramTypes);
    return coerce(this.catalogCall(`${inner}out`, [oid]), to, 'explicit', this.paramTypes);
  }

  /**
   * A `regclass` or `regtype` result column as the name PostgreSQL's output function prints
   * (`accounts`, `public.t` when not visible, `integer`); undefined for any other type. A
   * statement's result goes through it after sorting, so ORDER BY still compares OIDs, as in
   * PostgreSQL.
   */
  regOutput(expr: CompiledExpr): CompiledExpr | undefined {
    if (expr.type.kind !== 'regclass' && expr.type.kind !== 'regtype') return undefined;
    return this.catalogCall(`${expr.type.kind}out`, [coerce(expr, oidType, 'explicit', this.paramTypes)]);
  }

  /** A call of catalog function `name` on compiled arguments. */
  private catalogCall(name: string, args: readonly CompiledExpr[]): CompiledExpr {
    const overloads = catalogFunction(name);
    if (overloads === undefined) throw noFunction(name, args);
    const chosen = chooseOverload(overloads, args);
    if (chosen === undefined) throw noFunction(name, args);
    if (chosen.readsCatalog === true) this.needCatalog();
    return this.callOverload(chosen, args);
  }

  /**
   * `arr[i]` (from the array's lower bound — 1, or 0 for an int2vector — NULL outside it),
   * `arr[lo:hi]`, and `(rec).field`, PostgreSQL's FieldSelect on a record value (a set-returning
   * function's row: `(information_schema._pg_expandarray(indkey)).n`). `(rec).*` is expanded by the
   * SELECT list (planner.ts recordStarFields); anywhere else it is 0A000.
   */
  private async indirection(expr: ast.Indirection): Promise<CompiledExpr> {
    let current = await this.compile(expr.arg);
    for (let index = 0; index < expr.steps.length; ) {
      const step = expr.steps[index]!;
      if (step.kind === 'star') throw new SqlError('0A000', 'row expansion (expr).* is not supported yet');
      if (step.kind === 'field') {
        current = fieldSelect(current, step.name);
        index++;
        continue;
      }
      if (current.type.kind !== 'array') throw new SqlError('42804', `cannot subscript type ${formatTypeName(current.type)} because it does not support subscripting`);
      let end = index;
      while (end < expr.steps.length && (expr.steps[end]!.kind === 'index' || expr.steps[end]!.kind === 'slice')) end++;
      const run = expr.steps.slice(index, end) as readonly SubscriptStep[];
      if (run.length > arrayDimensionsMax) throw new SqlError('54000', `number of array dimensions (${run.length}) exceeds the maximum allowed (${arrayDimensionsMax})`);
      current = run.some((subscript) => subscript.kind === 'slice') ? await this.slice(current, run) : await this.subscript(current, run as readonly Extract<SubscriptStep, { kind: 'index' }>[]);
      index = end;
    }
    return current;
  }

  /** `arr[i][j]…`: the element at those subscripts (array-subscript.ts), NULL if any is NULL. */
  private async subscript(array: CompiledExpr, steps: readonly { readonly kind: 'index'; readonly index: ast.Expr }[]): Promise<CompiledExpr> {
    assert(array.type.kind === 'array', 'subscripting an array');
    const lowerBound = arrayLowerBound(array.type);
    const values = array.eval;
    const compiled = await inOrder(steps, (step) => this.compileAs(step.index, int4Type));
    const indexes = compiled.map((index) => index.eval);
    return {
      type: array.type.element,
      eval: (row, ctx) => {
        const items = values(row, ctx) as readonly Datum[] | null;
        const subscripts = indexes.map((index) => index(row, ctx) as number | null);
        if (items === null || subscripts.includes(null)) return null;
        return arrayElementAt(items, lowerBound, subscripts as number[]);
      },
      rowIndependent: array.rowIndependent && compiled.every((index) => index.rowIndependent),
    };
  }

  /**
   * `arr[lower:upper]…` (either bound may be omitted; a bare `[n]` is `[1:n]`): the sub-array
   * clipped to the array, lower bounds 1 (`{}` when empty); NULL when a given bound is NULL.
   */
  private async slice(array: CompiledExpr, steps: readonly SubscriptStep[]): Promise<CompiledExpr> {
    assert(array.type.kind === 'array', 'slicing an array');
    const values = array.eval;
    const lowerBound = arrayLowerBound(array.type);
    const compileBound = async (bound: ast.Expr | null): Promise<CompiledExpr | null> => (bound === null ? null : this.compileAs(bound, int4Type));
    const bounds = await inOrder(steps, async (step) =>
      step.kind === 'index' ? { lower: constantExpr(int4Type, 1), upper: await this.compileAs(step.index, int4Type) } : { lower: await compileBound(step.lower), upper: await compileBound(step.upper) },
    );
    const parts = bounds.flatMap((bound) => [bound.lower, bound.upper]).filter((part): part is CompiledExpr => part !== null);
    return {
      type: isInt2vector(array.type) ? arrayType(array.type.element) : array.type,
      eval: (row, ctx) => {
        const items = values(row, ctx) as readonly Datum[] | null;
        if (items === null) return null;
        const given: SliceBounds[] = [];
        for (const bound of bounds) {
          const lower = bound.lower === null ? undefined : (bound.lower.eval(row, ctx) as number | null);
          const upper = bound.upper === null ? undefined : (bound.upper.eval(row, ctx) as number | null);
          if (lower === null || upper === null) return null;
          given.push({ lower, upper });
        }
        return arraySlice(items, lowerBound, given);
      },
      rowIndependent: array.rowIndependent && parts.every((part) => part.rowIndependent),
    };
  }

  /** The outer scope of a subquery of this query: its columns, then its own outer query's (scope.ts ChainedScope). */
  private subqueryOuter(): Scope {
    const scope = this.outer === null ? this.scope : new ChainedScope(this.scope, this.outer);
    noteAggregateHost(scope, this.asAggregateHost());
    return scope;
  }

  /** Marks the subquery slots planned since `from` (inside the subquery just planned) as nested. */
  private markNested(from: number): void {
    for (let index = from; index < this.slots.length; index++) {
      const slot = this.slots[index]!;
      if (slot.kind === 'subquery') this.slots[index] = { ...slot, nested: true };
    }
  }

  private async subquery(expr: ast.SubqueryExpr): Promise<CompiledExpr> {
    if (this.subqueryTyper === null) throw new SqlError('0A000', 'subqueries are not supported here');
    const nestedFrom = this.slots.length;
    const { types, correlated } = await this.subqueryTyper(expr.query, this.subqueryOuter());
    this.markNested(nestedFrom);
    if (expr.mode !== 'exists' && types.length !== 1) throw new SqlError('42601', 'subquery must return only one column');
    if (expr.mode === 'array' && types[0]!.kind === 'array') return this.arraySubqueryOfArrays(expr.query, arrayType(types[0]!.element), correlated);
    const type = expr.mode === 'exists' ? boolType : expr.mode === 'array' ? arrayType(types[0] as ScalarType) : types[0]!;
    const slot = this.slots.length;
    this.slots.push({ kind: 'subquery', mode: expr.mode, query: expr.query, type, correlated });
    return { type, eval: (_row, ctx) => ctx.slots[slot] ?? null, rowIndependent: !correlated };
  }

  /** `ARRAY(SELECT a)` over arrays: one more dimension, accumulated as array_agg does (array-build.ts). */
  private arraySubqueryOfArrays(query: ast.Query, type: SqlType, correlated: boolean): CompiledExpr {
    const slot = this.slots.length;
    this.slots.push({ kind: 'subquery', mode: 'array', query, type, correlated });
    return {
      type,
      eval: (_row, ctx) => {
        const subarrays = (ctx.slots[slot] ?? []) as readonly Datum[];
        return subarrays.length === 0 ? [] : stackAggregatedArrays(subarrays.map((subarray) => checkAggregatedArray(subarray as readonly Datum[] | null)));
      },
      rowIndependent: !correlated,
    };
  }

  private async inSubquery(expr: ast.InSubquery): Promise<CompiledExpr> {
    if (this.subqueryTyper === null) throw new SqlError('0A000', 'subqueries are not supported here');
    const nestedFrom = this.slots.length;
    const { types, correlated } = await this.subqueryTyper(expr.query, this.subqueryOuter());
    this.markNested(nestedFrom);
    if (types.length !== 1) throw new SqlError('42601', 'subquery has too many columns');
    const probe = await this.compileAs(expr.arg, types[0]!);
    const slot = this.slots.length;
    const type = types[0]!;
    requireEquals('=', probe, { type, eval: () => null, rowIndependent: true }, type);
    this.slots.push({ kind: 'subquery', mode: 'in', query: expr.query, type, correlated });
    const p = probe.eval;
    return {
      type: boolType,
      eval: (row, ctx) => {
        const values = (ctx.slots[slot] ?? []) as readonly Datum[];
        const value = p(row, ctx);
        let result: Truth = false;
        for (const item of values) {
          result = or3(result, compareOperator('=', type, value, item));
          if (result === true) break;
        }
        return result;
      },
      rowIndependent: probe.rowIndependent && !correlated,
    };
  }

  /** `ROW(a, b)` / `(a, b)` as a value: an anonymous record with fields f1, f2, … (text where a field's type is open). */
  private async rowValue(expr: ast.RowConstructor): Promise<CompiledExpr> {
    if (expr.args.length === 0) throw new SqlError('0A000', 'a row with no fields is not supported yet');
    const fields = await inOrder(expr.args, (arg) => this.compileValue(arg));
    const evals = fields.map((field) => field.eval);
    const type = recordType(fields.map((field, index) => ({ name: `f${index + 1}`, type: field.type })));
    return { type, eval: (row, ctx) => evals.map((e) => e(row, ctx)), rowIndependent: fields.every((field) => field.rowIndependent) };
  }

  /** `ROW(a, b) IS [NOT] NULL`: PostgreSQL's rule — IS NULL when every field is, IS NOT NULL when none is. */
  private async rowIsNull(arg: ast.RowConstructor, negated: boolean): Promise<CompiledExpr> {
    const fields = await inOrder(arg.args, (field) => this.compileValue(field));
    const evals = fields.map((field) => field.eval);
    return {
      type: boolType,
      eval: (row, ctx) => (negated ? evals.every((e) => e(row, ctx) !== null) : evals.every((e) => e(row, ctx) === null)),
      rowIndependent: fields.every((field) => field.rowIndependent),
    };
  }

  /** `(a, b) op (c, d)` and `(a, b) op (SELECT x, y …)`: a row comparison (row-compare.ts). */
  private async rowComparison(expr: ast.BinaryOp): Promise<CompiledExpr> {
    const op = rowComparisonOperator(expr.operator);
    if (op === undefined) throw new SqlError('42883', `operator does not exist: record ${expr.operator} record`, { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
    const { pairs, rowIndependent } = await this.rowPairs(op, expr.left, expr.right);
    return { type: boolType, eval: (row, ctx) => compareRows(op, pairs, row, row, ctx), rowIndependent };
  }

  /** `ROW(a, b) IS [NOT] DISTINCT FROM ROW(c, d)`: the OR of the fields' IS DISTINCT FROM. */
  private async rowDistinct(expr: ast.IsDistinctFrom): Promise<CompiledExpr> {
    const { pairs, rowIndependent } = await this.rowPairs('=', expr.left, expr.right);
    const negated = expr.negated;
    return { type: boolType, eval: (row, ctx) => rowsDistinct(pairs, row, ctx) !== negated, rowIndependent };
  }

  private async rowPairs(operator: ComparisonOperator, leftExpr: ast.Expr, rightExpr: ast.Expr): Promise<{ pairs: ReturnType<typeof pairRowFields>; rowIndependent: boolean }> {
    const left = await this.rowOperand(leftExpr, rightExpr.kind === 'RowConstructor' ? rightExpr.args.length : undefined);
    const right = await this.rowOperand(rightExpr, leftExpr.kind === 'RowConstructor' ? leftExpr.args.length : undefined);
    if (left === undefined || right === undefined) {
      // A row against a scalar (or a record value): PostgreSQL finds no operator for the pair.
      const other = left === undefined ? await this.compileValue(leftExpr) : await this.compileValue(rightExpr);
      const otherName = formatTypeName(other.type);
      throw new SqlError('42883', `operator does not exist: ${left === undefined ? otherName : 'record'} ${operator} ${left === undefined ? 'record' : otherName}`, { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
    }
    return { pairs: pairRowFields(operator, left, right, this.paramTypes), rowIndependent: [...left, ...right].every((field) => field.rowIndependent) };
  }

  /**
   * A row comparison's operand: `(a, b)` / `ROW(a)` field by field; a scalar subquery facing a
   * row of `width` fields is a row subquery (PostgreSQL's ROWCOMPARE sublink): at most one row
   * (21000 past it), NULL fields when it has none. Undefined for any other expression.
   */
  private async rowOperand(expr: ast.Expr, width: number | undefined): Promise<CompiledExpr[] | undefined> {
    if (expr.kind === 'RowConstructor') return inOrder(expr.args, (arg) => this.compile(arg));
    if (expr.kind !== 'SubqueryExpr' || expr.mode !== 'scalar' || width === undefined) return undefined;
    const { types, slot, correlated } = await this.rowSubquerySlot(expr.query, 'row', width);
    return types.map((type, index): CompiledExpr => ({ type, eval: (_row, ctx) => (ctx.slots[slot] as readonly Datum[] | null | undefined)?.[index] ?? null, rowIndependent: !correlated }));
  }

  /**
   * `SET (a, b, …) = (SELECT …)`'s source: the row sub-select's `width` fields, read from one slot
   * (the subquery runs once per row written; more than one row is 21000, none gives NULLs).
   */
  async compileRowFields(expr: ast.Expr, width: number): Promise<CompiledExpr[]> {
    assert(expr.kind === 'SubqueryExpr' && expr.mode === 'scalar', 'a multiple-column assignment from a sub-select');
    // PostgreSQL's transformMultiAssignRef: a count mismatch is one message either way.
    const { types, slot, correlated } = await this.rowSubquerySlot(expr.query, 'row', width, 'number of columns does not match number of values');
    return types.map((type, index): CompiledExpr => ({ type, eval: (_row, ctx) => (ctx.slots[slot] as readonly Datum[] | null | undefined)?.[index] ?? null, rowIndependent: !correlated }));
  }

  /** A subquery of `width` columns (42601 otherwise) whose slot holds its row (`row`) or rows (`rows`), each as its fields. */
  private async rowSubquerySlot(query: ast.Query, mode: 'row' | 'rows', width: number, mismatch?: string): Promise<{ types: readonly SqlType[]; slot: number; correlated: boolean }> {
    if (this.subqueryTyper === null) throw new SqlError('0A000', 'subqueries are not supported here');
    const nestedFrom = this.slots.length;
    const { types, correlated } = await this.subqueryTyper(query, this.subqueryOuter());
    this.markNested(nestedFrom);
    if (types.length !== width && mismatch !== undefined) throw new SqlError('42601', mismatch);
    if (types.length > width) throw new SqlError('42601', 'subquery has too many columns');
    if (types.length < width) throw new SqlError('42601', 'subquery has too few columns');
    const slot = this.slots.length;
    this.slots.push({ kind: 'subquery', mode, query, type: recordType(types.map((type, index) => ({ name: `f${index + 1}`, type }))), correlated });
    return { types, slot, correlated };
  }

  /** `(a, b) IN ((1, 2), (3, 4))`: the OR of row equalities, each pair of fields typed on its own. */
  private async rowInList(expr: ast.InList, arg: ast.RowConstructor): Promise<CompiledExpr> {
    const fields = await inOrder(arg.args, (field) => this.compile(field));
    const items = await inOrder(expr.list, async (item) => {
      const right = await this.rowOperand(item, fields.length);
      if (right === undefined) throw new SqlError('42883', `operator does not exist: record = ${formatTypeName((await this.compileValue(item)).type)}`, { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
      return { pairs: pairRowFields('=', fields, right, this.paramTypes), rowIndependent: right.every((field) => field.rowIndependent) };
    });
    const negated = expr.negated;
    return {
      type: boolType,
      eval: (row, ctx) => {
        let result: Truth = false;
        for (const item of items) {
          result = or3(result, compareRows('=', item.pairs, row, row, ctx));
          if (result === true) break;
        }
        return negated ? not3(result) : result;
      },
      rowIndependent: fields.every((field) => field.rowIndependent) && items.every((item) => item.rowIndependent),
    };
  }

  /**
   * `x op ANY|ALL (SELECT …)` for any comparison, and `(a, b) IN (SELECT x, y …)` /
   * `(a, b) op ANY|ALL (SELECT …)`: each subquery row compared as a row comparison
   * (row-compare.ts quantifiedRows has the NULL rules). The subquery's rows are its slot's.
   */
  private async quantifiedSubquery(left: ast.Expr, op: ComparisonOperator, all: boolean, query: ast.Query): Promise<CompiledExpr> {
    const fields = left.kind === 'RowConstructor' ? await inOrder(left.args, (arg) => this.compile(arg)) : [await this.compile(left)];
    const { types, slot, correlated } = await this.rowSubquerySlot(query, 'rows', fields.length);
    const columns = types.map((type, index): CompiledExpr => ({ type, eval: (row) => row[index] ?? null, rowIndependent: false }));
    const pairs = pairRowFields(op, fields, columns, this.paramTypes);
    return {
      type: boolType,
      eval: (row, ctx) => quantifiedRows(op, all, pairs, row, (ctx.slots[slot] ?? []) as readonly (readonly Datum[])[], ctx),
      rowIndependent: fields.every((field) => field.rowIndependent) && !correlated,
    };
  }
}

const regKinds = new Set(['regclass', 'regtype', 'regnamespace', 'regrole']);

/** `regclass` (or `pg_catalog.regclass`, …) when the type name is one of the catalog-reading `reg*` types. */
function regKind(type: ast.TypeName): 'regclass' | 'regtype' | 'regnamespace' | 'regrole' | undefined {
  const name = type.names[type.names.length - 1]!;
  if (type.arrayBounds.length > 0 || !regKinds.has(name)) return undefined;
  if (type.names.length > 1 && type.names[0] !== 'pg_catalog') return undefined;
  return name as 'regclass' | 'regtype' | 'regnamespace' | 'regrole';
}

function assertNeverExpr(expr: never): never {
  assert(false, () => `unknown expression ${JSON.stringify(expr)}`);
}

function formatTypeName(type: SqlType): string {
  return formatType(type);
}

/**
 * `(rec).name`: the field of a record value (PostgreSQL's FieldSelect), NULL when the record is.
 * 42809 on a value that is no record, 42703 for a field the record lacks — PostgreSQL's errors.
 */
function fieldSelect(record: CompiledExpr, name: string): CompiledExpr {
  const type = record.type;
  if (type.kind !== 'record') throw new SqlError('42809', `column notation .${name} applied to type ${formatType(type)}, which is not a composite type`);
  const index = type.fields.findIndex((field) => field.name === name);
  if (index === -1) throw new SqlError('42703', `could not identify column "${name}" in record data type`);
  const inner = record.eval;
  return {
    type: type.fields[index]!.type,
    eval: (row, ctx) => {
      const values = inner(row, ctx) as readonly Datum[] | null;
      return values === null ? null : (values[index] ?? null);
    },
    rowIndependent: record.rowIndependent,
  };
}

export function resolveType(typeName: ast.TypeName): SqlType {
  const modifiers = typeName.modifiers.map((modifier) => {
    if (modifier.kind !== 'Literal' || modifier.value.type !== 'integer') throw new SqlError('42601', 'type modifiers must be simple constants or identifiers');
    return Number(modifier.value.digits);
  });
  return resolveTypeName({ names: typeName.names, modifiers, arrayDimensions: typeName.arrayBounds.length }).type;
}

/** A literal: integers are int4, int8 or numeric by size; strings and NULL stay open (unknown). */
export function literal(value: ast.LiteralValue): CompiledExpr {
  switch (value.type) {
    case 'integer': {
      const n = BigInt(value.digits);
      if (n >= -2147483648n && n <= 2147483647n) return constantExpr(int4Type, Number(n));
      if (n >= -(1n << 63n) && n < 1n << 63n) return constantExpr(int8Type, n);
      return constantExpr(numericType(), Numeric.parse(value.digits));
    }
    case 'numeric':
      return constantExpr(numericType(), Numeric.parse(value.text));
    case 'string':
      return { type: textType, eval: () => value.value, rowIndependent: true, unknownLiteral: { text: value.value }, constant: { value: value.value } };
    case 'boolean':
      return constantExpr(boolType, value.value);
    case 'null':
      return { type: textType, eval: () => null, rowIndependent: true, unknownLiteral: { text: null }, constant: { value: null } };
    case 'bitString':
      throw new SqlError('0A000', 'bit strings are not supported yet');
    default:
      return assertNeverExpr(value);
  }
}

function localMicros(ctx: EvalContext): bigint {
  return ctx.txnTimestampMicros + BigInt(offsetSecondsAt(ctx.textContext.timeZone, ctx.txnTimestampMicros)) * 1_000_000n;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function sqlValueFunction(expr: ast.SqlValueFunction): CompiledExpr {
  switch (expr.name) {
    case 'current_timestamp':
      return { type: timestamptzType(), eval: (_row, ctx) => ctx.txnTimestampMicros, rowIndependent: true };
    // The transaction's time as the wall clock of the session's TimeZone reads it.
    case 'localtimestamp':
      return { type: timestampType(), eval: (_row, ctx) => localMicros(ctx), rowIndependent: true };
    case 'current_date':
      return { type: dateType, eval: (_row, ctx) => Number(floorDiv(localMicros(ctx), 86_400_000_000n)), rowIndependent: true };
    case 'current_user':
    case 'current_role':
    case 'user':
    case 'session_user':
      return { type: nameType, eval: (_row, ctx) => ctx.settings.user, rowIndependent: true };
    case 'current_catalog':
      return { type: nameType, eval: (_row, ctx) => ctx.database, rowIndependent: true };
    case 'current_schema':
      return { type: nameType, eval: () => 'public', rowIndependent: true };
    default:
      throw new SqlError('0A000', `${expr.name} is not supported yet`);
  }
}

function chooseOverload(overloads: readonly FunctionOverload[], args: readonly CompiledExpr[]): FunctionOverload | undefined {
  const fits = (overload: FunctionOverload, exact: boolean): boolean => {
    if (!overload.variadic && overload.args.length !== args.length) return false;
    if (overload.variadic && args.length < overload.args.length) return false;
    return args.every((arg, index) => {
      const declared = overload.args[Math.min(index, overload.args.length - 1)]!;
      if (declared === 'any' || isOpen(arg)) return true;
      return exact ? arg.type.kind === declared.kind : canCoerce(arg.type, declared, 'implicit');
    });
  };
  const exact = overloads.find((overload) => fits(overload, true));
  if (exact !== undefined) return exact;
  // PostgreSQL's func_select_candidate keeps the candidates with the most exactly matching
  // argument types first: power(2, 0.5) is power(numeric, numeric), not power(float8, float8).
  const exactMatches = (overload: FunctionOverload): number => args.filter((arg, index) => {
    const declared = overload.args[Math.min(index, overload.args.length - 1)]!;
    return declared !== 'any' && !isOpen(arg) && arg.type.kind === declared.kind;
  }).length;
  let best: FunctionOverload | undefined;
  for (const overload of overloads) {
    if (fits(overload, false) && (best === undefined || exactMatches(overload) > exactMatches(best))) best = overload;
  }
  return best;
}

const claimedSetReturning = new WeakSet<SlotSpec>();

/**
 * The set-returning slots compiled since `from` that no projection has taken yet (a subquery's
 * own projection takes its calls first), now taken: the caller's projection sets them.
 */
export function claimSetReturning(slots: readonly SlotSpec[], from = 0): { readonly slot: number; readonly call: SetReturningCall }[] {
  const claimed: { slot: number; call: SetReturningCall }[] = [];
  for (let index = from; index < slots.length; index++) {
    const spec = slots[index]!;
    if (spec.kind !== 'setReturning' || claimedSetReturning.has(spec)) continue;
    claimedSetReturning.add(spec);
    claimed.push({ slot: index, call: spec.call });
  }
  return claimed;
}

/**
 * Whether a set-returning call was compiled since slot `from` at this query level: one inside a
 * subquery there (`x IN (SELECT unnest(…))`) was claimed by the subquery's own projection.
 */
export function unclaimedSetReturning(slots: readonly SlotSpec[], from: number): boolean {
  return slots.slice(from).some((spec) => spec.kind === 'setReturning' && !claimedSetReturning.has(spec));
}

function noFunction(name: string, args: readonly CompiledExpr[]): SqlError {
  const types = args.map((arg) => (isOpen(arg) ? 'unknown' : formatTypeName(arg.type))).join(', ');
  return undefinedFunction(`function ${name}(${types}) does not exist`, 'No function matches the given name and argument types. You might need to add explicit type casts.');
}

export { castExpr };

/**
 * `f` over `items`, one after another. Compiling is asynchronous (a subquery is typed by planning
 * it) and compilations must not interleave: a subquery's nested slots are the ones pushed while it
 * is typed (`markNested`), so two subqueries compiled concurrently claimed each other's slots, and
 * a correlated subquery marked nested was never run (found by test/fuzz: in `WHERE x NOT IN
 * (correlated) AND (y IN (SELECT …)) IS NULL` the first conjunct was always true).
 */
export async function inOrder<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await f(item));
  return results;
}

/**
 * An equality PostgreSQL would look up for `left operator right` compared in `type` (IS DISTINCT
 * FROM, NULLIF, CASE x WHEN, IN): 42883 for json or jsonpath, or an array of them (operator-class.ts).
 */
function requireEquals(operator: string, left: CompiledExpr, right: CompiledExpr, type: SqlType): void {
  refuseJsonComparison(operator, left, right);
  if (type.kind === 'array') requireElementComparison(type, false);
}
