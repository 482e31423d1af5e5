/**
 * Expressions back to SQL text, as PostgreSQL's ruleutils prints a stored expression in pretty
 * mode (`pg_get_expr(adbin, adrelid, true)`, `pg_get_constraintdef(oid, true)`): what psql's
 * `\d` shows as a column's default and a CHECK constraint.
 *
 * rangedb keeps DEFAULT and CHECK as the parsed AST, not as PostgreSQL's analysed tree, so this
 * file re-derives what the analysed tree would hold — the types of constants after coercion and
 * the implicit casts the operator chosen needs — from the column types, and prints it with
 * ruleutils' rules:
 *
 * - a constant prints through `get_const_expr`: `int4` bare (`'-1'::integer` when negative), a
 *   numeric with a point bare, booleans as `true`/`false`, anything else quoted with its type
 *   (`'none'::text`); an `unknown` literal takes the type of what it meets;
 * - an implicit cast is hidden at the top of a default and shown inside an operator
 *   (`balance >= 0::numeric`: numeric has no `>=` with integer; `id > 0` on bigint needs no cast,
 *   as PostgreSQL's cross-type integer operators exist);
 * - parentheses only where pretty mode keeps them (`a > 0 AND b > 0`, `(a + b) > 0`).
 */
import type * as ast from '../parser/ast.js';
import { builtinFunctions } from '../plan/expr/functions.js';
import { resolveType } from '../plan/expr/compile.js';
import { parseText, formatText } from '../types/text-io.js';
import { boolType, formatType, int4Type, int8Type, numericType, textType, timestamptzType, typeOfKind, type ScalarKind, type SqlType } from '../types/sql-type.js';
import type { TableDesc } from '../catalog/descriptors.js';

/** An expression's type after analysis; `unknown` for a string literal or NULL that met nothing yet. */
type Typed = SqlType | 'unknown';

const intKinds = new Set(['int2', 'int4', 'int8']);
const floatKinds = new Set(['float4', 'float8']);
const numericRank: Readonly<Record<string, number>> = { int2: 1, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6 };
const comparisonOperators = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const arithmeticOperators = new Set(['+', '-', '*', '/', '%']);

/** A column default as `pg_get_expr(adbin, adrelid, true)` prints it; the default is coerced to `columnType`. */
export function deparseDefault(table: TableDesc, expr: ast.Expr, columnType: SqlType): string {
  return new Deparser(table).top(expr, columnType);
}

/** A CHECK constraint's expression as `pg_get_constraintdef(oid, true)` prints it inside `CHECK (…)`. */
export function deparseCheck(table: TableDesc, expr: ast.Expr): string {
  return new Deparser(table).print(expr, null, false);
}

class Deparser {
  constructor(private readonly table: TableDesc) {}

  /** The top of a default: the expression coerced to the column's type, the coercion hidden. */
  top(expr: ast.Expr, type: SqlType): string {
    // A literal coerced to the column's type is a constant of the type without its modifier
    // (the length coercion on top of it is implicit, hence hidden): `'x'::character varying`.
    if (this.typeOf(expr) === 'unknown') return this.constant(expr, typeOfKind(type.kind === 'array' || type.kind === 'record' ? 'text' : type.kind));
    return this.print(expr, null, false);
  }

  typeOf(expr: ast.Expr): Typed {
    switch (expr.kind) {
      case 'ColumnRef':
        return this.table.columns.find((column) => column.name === expr.path[expr.path.length - 1])?.type ?? 'unknown';
      case 'Literal':
        return literalType(expr.value);
      case 'TypedLiteral':
      case 'Cast':
        return safeResolve(expr.type);
      case 'UnaryOp':
        return this.typeOf(expr.operand);
      case 'BinaryOp': {
        if (!arithmeticOperators.has(expr.operator)) return boolType;
        const [left, right] = this.operandTypes(expr.left, expr.right);
        return wider(left, right);
      }
      case 'FuncCall':
        return functionType(expr.name[expr.name.length - 1]!);
      case 'SqlValueFunction':
        return expr.name === 'current_timestamp' ? timestamptzType() : textType;
      case 'Collate':
        return this.typeOf(expr.arg);
      default:
        return boolType;
    }
  }

  /** The operand types an operator works on: an unknown side takes the other's type. */
  private operandTypes(left: ast.Expr, right: ast.Expr): [SqlType, SqlType] {
    const l = this.typeOf(left);
    const r = this.typeOf(right);
    if (l === 'unknown' && r === 'unknown') return [textType, textType];
    if (l === 'unknown') return [r as SqlType, r as SqlType];
    if (r === 'unknown') return [l, l];
    return [l, r];
  }

  /**
   * `expr`, with `castTo` the type the enclosing operator needs it as (null: as it is), and
   * `paren` whether the parent is an operator that wants its non-simple operands in parentheses.
   */
  print(expr: ast.Expr, castTo: SqlType | null, paren: boolean, parent?: ast.Expr): string {
    const own = this.typeOf(expr);
    if (own === 'unknown') return this.constant(expr, castTo ?? textType);
    const text = this.printBare(expr, parent, paren);
    if (castTo === null || castTo.oid === own.oid) return text;
    const operand = isSimple(expr) ? text : `(${text})`;
    return `${operand}::${formatType(castTo)}`;
  }

  private printBare(expr: ast.Expr, parent: ast.Expr | undefined, paren: boolean): string {
    switch (expr.kind) {
      case 'ColumnRef':
        return quoteIdent(expr.path[expr.path.length - 1]!);
      case 'Literal':
        return this.constant(expr, literalType(expr.value) as SqlType);
      case 'TypedLiteral':
        return this.constant({ kind: 'Literal', value: { type: 'string', value: expr.value }, location: -1 }, safeResolve(expr.type) as SqlType);
      case 'Cast': {
        const type = safeResolve(expr.type) as SqlType;
        if (this.typeOf(expr.arg) === 'unknown') return this.constant(expr.arg, type);
        const inner = this.print(expr.arg, null, false, expr);
        return `${isSimple(expr.arg) ? inner : `(${inner})`}::${formatType(type)}`;
      }
      case 'BinaryOp':
        return this.wrap(this.binary(expr), expr, parent, paren);
      case 'UnaryOp':
        return `${expr.operator}${this.print(expr.operand, null, true, expr)}`;
      case 'And':
      case 'Or': {
        const word = expr.kind === 'And' ? ' AND ' : ' OR ';
        const text = expr.args.map((arg) => this.print(arg, null, true, expr)).join(word);
        return this.wrap(text, expr, parent, paren);
      }
      case 'Not':
        return this.wrap(`NOT ${this.print(expr.arg, null, true, expr)}`, expr, parent, paren);
      case 'IsNull':
        return this.wrap(`${this.print(expr.arg, null, true, expr)} IS ${expr.negated ? 'NOT ' : ''}NULL`, expr, parent, paren);
      case 'Between': {
        const [argType, lowType] = this.operandTypes(expr.arg, expr.low);
        const low = `${this.operand(expr.arg, argType, lowType, expr)} >= ${this.operand(expr.low, lowType, argType, expr)}`;
        const high = `${this.operand(expr.arg, argType, lowType, expr)} <= ${this.operand(expr.high, lowType, argType, expr)}`;
        return this.wrap(expr.negated ? `NOT (${low} AND ${high})` : `${low} AND ${high}`, { kind: 'And', args: [], location: -1 }, parent, paren);
      }
      case 'InList': {
        // `x IN (…)` is stored as `x = ANY (ARRAY[…])`, the array of x's own type; a varchar x
        // compares as text, so the array is cast as a whole: `ARRAY['x'::character varying]::text[]`.
        const argType = this.typeOf(expr.arg);
        const own = argType === 'unknown' ? textType : typeOfKind(argType.kind === 'array' || argType.kind === 'record' ? 'text' : argType.kind);
        const type = operatorType(own);
        const items = expr.list.map((item) => this.print(item, own, false, expr)).join(', ');
        const array = type.oid === own.oid ? `ARRAY[${items}]` : `ARRAY[${items}]::${formatType(type)}[]`;
        const text = `${this.print(expr.arg, type, true, expr)} ${expr.negated ? '<> ALL' : '= ANY'} (${array})`;
        return this.wrap(text, expr, parent, paren);
      }
      case 'Like': {
        const operator = { like: '~~', ilike: '~~*', similar: '~' }[expr.mode];
        return this.wrap(`${this.print(expr.arg, textType, true, expr)} ${expr.negated ? '!' : ''}${operator} ${this.print(expr.pattern, textType, true, expr)}`, expr, parent, paren);
      }
      case 'FuncCall':
        return `${expr.name[expr.name.length - 1]!}(${expr.args.map((arg) => this.functionArgument(expr, arg)).join(', ')})`;
      case 'SqlValueFunction':
        return expr.name.toUpperCase();
      case 'Collate':
        return `${this.print(expr.arg, null, true, expr)} COLLATE ${expr.collation.map(quoteIdent).join('.')}`;
      case 'Coalesce':
        return `COALESCE(${expr.args.map((arg) => this.print(arg, null, false, expr)).join(', ')})`;
      default:
        return expr.kind;
    }
  }

  /** `nextval('s')` keeps PostgreSQL's regclass argument; other arguments print as they are. */
  private functionArgument(call: ast.FuncCall, arg: ast.Expr): string {
    const name = call.name[call.name.length - 1]!;
    if ((name === 'nextval' || name === 'currval') && arg.kind === 'Literal' && arg.value.type === 'string') return `${quoteLiteral(arg.value.value)}::regclass`;
    return this.print(arg, null, false, call);
  }

  private binary(expr: ast.BinaryOp): string {
    const operator = expr.operator === '!=' ? '<>' : expr.operator;
    if (!comparisonOperators.has(operator) && !arithmeticOperators.has(operator)) {
      return `${this.print(expr.left, null, true, expr)} ${operator} ${this.print(expr.right, null, true, expr)}`;
    }
    const [left, right] = this.operandTypes(expr.left, expr.right);
    return `${this.operand(expr.left, left, right, expr)} ${operator} ${this.operand(expr.right, right, left, expr)}`;
  }

  /** One side of a comparison or arithmetic operator: cast where PostgreSQL has no cross-type operator. */
  private operand(expr: ast.Expr, own: SqlType, other: SqlType, parent: ast.Expr): string {
    return this.print(expr, operandCast(own, other), true, parent);
  }

  private wrap(text: string, expr: ast.Expr, parent: ast.Expr | undefined, paren: boolean): string {
    return paren && parent !== undefined && needsParens(expr, parent) ? `(${text})` : text;
  }

  /** A constant of `type` as `get_const_expr` prints it (the literal coerced to `type` first). */
  constant(expr: ast.Expr, type: SqlType): string {
    const raw = literalText(expr);
    if (raw === null) return `NULL::${formatType(type)}`;
    let text = raw;
    try {
      text = formatText(type, parseText(type, raw));
    } catch {
      // Keep the text as written: printing a stored default must not fail.
    }
    switch (type.kind) {
      case 'int4':
        return text.startsWith('-') ? `'${text}'::integer` : text;
      case 'numeric':
        return /^[0-9]/.test(text) && /[eE.]/.test(text) ? (type.typmod >= 0 ? `${text}::${formatType(type)}` : text) : `'${text}'::${formatType(type)}`;
      case 'bool':
        return text === 't' || text === 'true' ? 'true' : 'false';
      default:
        return `${quoteLiteral(text)}::${formatType(type)}`;
    }
  }
}

/** The text of a literal (or of a unary minus on one), null for NULL. */
function literalText(expr: ast.Expr): string | null {
  if (expr.kind === 'UnaryOp' && expr.operator === '-') {
    const inner = literalText(expr.operand);
    return inner === null ? null : `-${inner}`;
  }
  if (expr.kind !== 'Literal') return expr.kind === 'TypedLiteral' ? expr.value : '';
  switch (expr.value.type) {
    case 'integer':
      return expr.value.digits;
    case 'numeric':
      return expr.value.text;
    case 'string':
    case 'bitString':
      return expr.value.value;
    case 'boolean':
      return expr.value.value ? 'true' : 'false';
    case 'null':
      return null;
  }
}

function literalType(value: ast.LiteralValue): Typed {
  switch (value.type) {
    case 'integer': {
      const n = BigInt(value.digits);
      if (n >= -2147483648n && n <= 2147483647n) return int4Type;
      return n >= -(1n << 63n) && n < 1n << 63n ? int8Type : numericType();
    }
    case 'numeric':
      return numericType();
    case 'boolean':
      return boolType;
    default:
      return 'unknown';
  }
}

function safeResolve(type: ast.TypeName): Typed {
  try {
    return resolveType(type);
  } catch {
    return 'unknown';
  }
}

function functionType(name: string): Typed {
  if (name === 'nextval' || name === 'currval' || name === 'setval') return int8Type;
  const overload = builtinFunctions.get(name)?.[0];
  if (overload === undefined || typeof overload.result === 'function') return 'unknown';
  return overload.result;
}

/** The type PostgreSQL's operators take a value of `type` as (varchar has none of its own: text). */
function operatorType(type: SqlType): SqlType {
  return type.kind === 'varchar' ? textType : type;
}

/**
 * The cast one operand of `own op other` needs: none where PostgreSQL has an operator for the
 * pair (same type, integers of any width, float4/float8, name/text, date/timestamp), else the
 * narrower side goes to the wider one; varchar goes to text.
 */
function operandCast(own: SqlType, other: SqlType): SqlType | null {
  if (own.kind === 'varchar') return textType;
  if (own.oid === other.oid) return null;
  if (intKinds.has(own.kind) && intKinds.has(other.kind)) return null;
  if (floatKinds.has(own.kind) && floatKinds.has(other.kind)) return null;
  const ownRank = numericRank[own.kind];
  const otherRank = numericRank[other.kind];
  // The operator takes the wider type without a modifier: `balance >= 0::numeric` on numeric(12,2).
  if (ownRank !== undefined && otherRank !== undefined) return ownRank < otherRank ? typeOfKind(other.kind as ScalarKind) : null;
  if (own.kind === 'bpchar' && (other.kind === 'text' || other.kind === 'varchar')) return textType;
  return null;
}

function wider(left: SqlType, right: SqlType): SqlType {
  const l = numericRank[left.kind];
  const r = numericRank[right.kind];
  if (l === undefined || r === undefined) return left;
  return l >= r ? left : right;
}

/** ruleutils' `isSimpleNode`: a column, a constant or a function call needs no parentheses anywhere. */
function isSimple(expr: ast.Expr): boolean {
  return expr.kind === 'ColumnRef' || expr.kind === 'Literal' || expr.kind === 'FuncCall' || expr.kind === 'TypedLiteral' || expr.kind === 'SqlValueFunction' || expr.kind === 'Coalesce';
}

/** Whether pretty mode parenthesizes `expr` as an operand of `parent` (ruleutils' `isSimpleNode`, negated). */
function needsParens(expr: ast.Expr, parent: ast.Expr): boolean {
  if (isSimple(expr)) return false;
  const boolean = (node: ast.Expr): boolean => node.kind === 'And' || node.kind === 'Or' || node.kind === 'Not';
  if (boolean(expr)) {
    if (!boolean(parent)) return false;
    if (expr.kind === 'Or') return parent.kind !== 'Or';
    return parent.kind === 'And' || parent.kind === 'Or' ? false : true;
  }
  if (expr.kind === 'BinaryOp' && parent.kind === 'BinaryOp') {
    const low = (op: string): boolean => op === '+' || op === '-';
    const high = (op: string): boolean => op === '*' || op === '/' || op === '%';
    if (!(low(expr.operator) || high(expr.operator))) return true;
    if (!(low(parent.operator) || high(parent.operator))) return true;
    if (high(expr.operator) && low(parent.operator)) return false;
    if (low(expr.operator) && high(parent.operator)) return true;
    return parent.right === expr;
  }
  return !boolean(parent);
}

/** An identifier as PostgreSQL's `quote_ident` prints it. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !reservedWords.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A string constant, quoted as `simple_quote_literal` does. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** PostgreSQL's reserved key words (those `quote_ident` must quote). */
const reservedWords = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently ' +
    'constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp current_user default ' +
    'deferrable desc distinct do else end except false fetch for foreign freeze from full grant group having ilike in initially inner ' +
    'intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or ' +
    'order outer overlaps placing primary references returning right select session_user similar some symmetric table tablesample then ' +
    'to trailing true union unique user using variadic verbose when where window with'
  ).split(' '),
);
