/**
 * Operator resolution: `left op right` → the types both sides are coerced to, the result type
 * and the evaluator — PostgreSQL's operator catalog for the operators rangedb has (arithmetic on
 * numbers and intervals, date and timestamp arithmetic, comparisons on any type, `||`, regular
 * expressions, jsonb's in jsonb-operators.ts).
 */
import { arithmetic, negate, type ArithmeticOperator } from '../../types/arithmetic.js';
import { compareOperator, trimTrailingBlanks } from '../../types/compare.js';
import { dateAddDays, dateDifference, intervalScale, timestampAddInterval, timestamptzAddInterval, timestampDifference } from '../../types/datetime-arithmetic.js';
import type { Datum, Interval } from '../../types/datum.js';
import { negate as negateDatum } from '../../types/arithmetic.js';
import { formatText } from '../../types/text-io.js';
import { boolType, byteaType, dateType, float8Type, formatType, int4Type, intervalType, numericType, textType, timestampType, typeCategory, unknownType, type SqlType } from '../../types/sql-type.js';
import { SqlError } from '../../catalog/errors.js';
import { arrayAppend, arrayCat, arrayPrepend } from './array-shape-functions.js';
import { coerce, commonType, isOpen } from './coerce.js';
import type { CompiledExpr, EvalContext } from './compiled.js';
import { timeZoneFromSetting } from '../../types/timezone.js';
import { regexMatch } from './regex.js';
import { strictBinary } from './strict.js';
import { jsonOperator } from './json-operators.js';
import { jsonbOperator, jsonbOperatorNames } from './jsonb-operators.js';
import { powerFloat8, powerNumeric } from './math-functions.js';
import { hasOperatorClass, requireElementComparison } from './operator-class.js';
import type { Numeric } from '../../types/numeric.js';

const comparisons = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const arithmeticOperators = new Set(['+', '-', '*', '/', '%']);
const regexOperators = new Set(['~', '~*', '!~', '!~*']);

function noOperator(operator: string, left: SqlType, right: SqlType): SqlError {
  return new SqlError('42883', `operator does not exist: ${formatType(left)} ${operator} ${formatType(right)}`, { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
}


/** Brings both sides to one type (an open side takes the other's type). */
function unify(left: CompiledExpr, right: CompiledExpr, paramTypes: (SqlType | undefined)[], what: string): [CompiledExpr, CompiledExpr, SqlType] {
  const type = commonType([left, right], what);
  return [coerce(left, type, 'implicit', paramTypes), coerce(right, type, 'implicit', paramTypes), type];
}

/**
 * The operands of a comparison brought to the type it compares in (42883 when none exists): one
 * field pair of a row comparison (row-compare.ts) resolves as the scalar comparison would.
 */
/**
 * PostgreSQL has no comparison operators for json or jsonpath (only jsonb's; operator-class.ts):
 * 42883, even against an untyped literal. An array of them has its operators, which fail on the
 * element (requireElementComparison).
 */
export function refuseJsonComparison(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr): void {
  const json = (expr: CompiledExpr): boolean => !isOpen(expr) && expr.type.kind !== 'array' && !hasOperatorClass(expr.type);
  const shown = (expr: CompiledExpr): SqlType => (isOpen(expr) ? unknownType : expr.type);
  if (json(leftIn) || json(rightIn)) throw noOperator(operator, shown(leftIn), shown(rightIn));
}

export function comparisonOperands(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): [CompiledExpr, CompiledExpr, SqlType] {
  refuseJsonComparison(operator, leftIn, rightIn);
  if (!isOpen(leftIn) && !isOpen(rightIn) && !comparable(leftIn.type, rightIn.type)) throw noOperator(operator, leftIn.type, rightIn.type);
  return unify(leftIn, rightIn, paramTypes, 'operator');
}

/** `left operator right`. */
export function binaryOperator(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  if (comparisons.has(operator)) {
    const op = (operator === '!=' ? '<>' : operator) as '=' | '<>' | '<' | '<=' | '>' | '>=';
    refuseJsonComparison(operator, leftIn, rightIn);
    if (!isOpen(leftIn) && !isOpen(rightIn) && !comparable(leftIn.type, rightIn.type)) throw noOperator(operator, leftIn.type, rightIn.type);
    const [left, right, type] = unify(leftIn, rightIn, paramTypes, 'operator');
    if (type.kind === 'array') requireElementComparison(type, op !== '=' && op !== '<>');
    return strictBinary(boolType, left, right, (a, b) => compareOperator(op, type, a, b));
  }
  if ((operator === '||' || operator === '-') && leftIn.type.kind === 'jsonb' && !isOpen(leftIn)) {
    // jsonb's concatenation and deletion (jsonb-operators.ts), ahead of text's || and arithmetic's -.
    const compiled = jsonbOperator(operator, leftIn, rightIn, paramTypes);
    if (compiled !== undefined) return compiled;
  }
  if (operator === '||' && (leftIn.type.kind === 'array' || rightIn.type.kind === 'array') && !(isOpen(leftIn) && isOpen(rightIn))) return arrayConcat(leftIn, rightIn, paramTypes);
  if (operator === '||' && !(isOpen(leftIn) && isOpen(rightIn)) && (leftIn.type.kind === 'bytea' || isOpen(leftIn)) && (rightIn.type.kind === 'bytea' || isOpen(rightIn))) {
    // bytea || bytea (PostgreSQL's byteacat): the bytes of both.
    const left = coerce(leftIn, byteaType, 'implicit', paramTypes);
    const right = coerce(rightIn, byteaType, 'implicit', paramTypes);
    return strictBinary(byteaType, left, right, (a, b) => {
      const bytes = new Uint8Array((a as Uint8Array).length + (b as Uint8Array).length);
      bytes.set(a as Uint8Array);
      bytes.set(b as Uint8Array, (a as Uint8Array).length);
      return bytes;
    });
  }
  if (operator === '||') {
    const left = isOpen(leftIn) ? coerce(leftIn, textType, 'implicit', paramTypes) : leftIn;
    const right = isOpen(rightIn) ? coerce(rightIn, textType, 'implicit', paramTypes) : rightIn;
    if (typeCategory(left.type) !== 'S' && typeCategory(right.type) !== 'S') throw noOperator(operator, left.type, right.type);
    const lt = left.type;
    const rt = right.type;
    return strictBinary(textType, left, right, (a, b, ctx) => asText(lt, a, ctx) + asText(rt, b, ctx));
  }
  if ((operator === '*' || operator === '/') && !(isOpen(leftIn) && isOpen(rightIn)) && (leftIn.type.kind === 'interval' || (rightIn.type.kind === 'interval' && operator === '*'))) return intervalScaleOperator(operator, leftIn, rightIn, paramTypes);
  if (arithmeticOperators.has(operator)) return arithmeticOperator(operator as ArithmeticOperator, leftIn, rightIn, paramTypes);
  if (bitwiseOperators.has(operator)) return bitwiseOperator(operator, leftIn, rightIn, paramTypes);
  if ((operator === '@>' || operator === '<@' || operator === '&&') && (leftIn.type.kind === 'array' || rightIn.type.kind === 'array')) return arrayContainment(operator, leftIn, rightIn, paramTypes);
  if (operator === '^') return powerOperator(leftIn, rightIn, paramTypes);
  if (regexOperators.has(operator)) return regexOperator(operator, leftIn, rightIn, paramTypes);
  const json = jsonOperator(operator, leftIn, rightIn, paramTypes);
  if (json !== undefined) return json;
  if (jsonbOperatorNames.has(operator)) {
    const compiled = jsonbOperator(operator, leftIn, rightIn, paramTypes);
    if (compiled !== undefined) return compiled;
  }
  throw noOperator(operator, leftIn.type, rightIn.type);
}

const bitwiseOperators = new Set(['&', '|', '#', '<<', '>>']);
const integerKinds = new Set(['int2', 'int4', 'int8']);

/** Wraps a shifted integer to its type's width, as C's shifts on int16/int32/int64 do (no overflow error, as PostgreSQL's int4shl). */
function wrapInteger(kind: string, value: number | bigint): number | bigint {
  if (kind === 'int8') return BigInt.asIntN(64, value as bigint);
  return kind === 'int2' ? ((value as number) << 16) >> 16 : (value as number) | 0;
}

/**
 * The integers' bitwise operators: `&`, `|`, `#` (xor) over two integers of one type (the wider
 * of the two), and `<<`, `>>` (arithmetic) shifting the left type by an int4 count.
 */
function bitwiseOperator(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const integer = (expr: CompiledExpr): boolean => isOpen(expr) || integerKinds.has(expr.type.kind);
  if (!integer(leftIn) || !integer(rightIn) || (isOpen(leftIn) && isOpen(rightIn) && operator !== '<<' && operator !== '>>')) throw noOperator(operator, leftIn.type, rightIn.type);
  if (operator === '<<' || operator === '>>') {
    const left = isOpen(leftIn) ? coerce(leftIn, int4Type, 'implicit', paramTypes) : leftIn;
    const right = coerce(rightIn, int4Type, 'implicit', paramTypes);
    const kind = left.type.kind;
    return strictBinary(left.type, left, right, (a, b) => {
      const count = b as number;
      if (kind === 'int8') return wrapInteger(kind, operator === '<<' ? (a as bigint) << BigInt(count & 63) : (a as bigint) >> BigInt(count & 63));
      return wrapInteger(kind, operator === '<<' ? (a as number) << count : (a as number) >> count);
    });
  }
  const [left, right, type] = unify(leftIn, rightIn, paramTypes, 'operator');
  const kind = type.kind;
  return strictBinary(type, left, right, (a, b) => {
    if (kind === 'int8') return operator === '&' ? (a as bigint) & (b as bigint) : operator === '|' ? (a as bigint) | (b as bigint) : (a as bigint) ^ (b as bigint);
    return operator === '&' ? (a as number) & (b as number) : operator === '|' ? (a as number) | (b as number) : (a as number) ^ (b as number);
  });
}

/** `interval * number`, `number * interval`, `interval / number`: PostgreSQL's interval_mul / interval_div (the number as float8). */
function intervalScaleOperator(operator: '*' | '/', leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const intervalFirst = leftIn.type.kind === 'interval';
  const span = coerce(intervalFirst ? leftIn : rightIn, intervalType, 'implicit', paramTypes);
  const factorIn = intervalFirst ? rightIn : leftIn;
  if (!isOpen(factorIn) && typeCategory(factorIn.type) !== 'N') throw noOperator(operator, leftIn.type, rightIn.type);
  const factor = coerce(factorIn, float8Type, 'implicit', paramTypes);
  return strictBinary(intervalType, span, factor, (a, b) => intervalScale(a as Interval, b as number, operator === '/'));
}

/**
 * Arrays' `@>` (contains), `<@` (is contained by) and `&&` (overlap), PostgreSQL's
 * array_contain_compare: elements compared by equality of the element type, a NULL element
 * matching nothing, duplicates ignored.
 */
function arrayContainment(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const arrayOf = leftIn.type.kind === 'array' && !isOpen(leftIn) ? leftIn.type : rightIn.type;
  if (arrayOf.kind !== 'array' || (!isOpen(leftIn) && !isOpen(rightIn) && (leftIn.type.kind !== 'array' || rightIn.type.kind !== 'array'))) throw noOperator(operator, leftIn.type, rightIn.type);
  const [left, right, type] = unify(leftIn, rightIn, paramTypes, 'operator');
  if (type.kind !== 'array') throw noOperator(operator, leftIn.type, rightIn.type);
  requireElementComparison(type, false);
  const element = type.element;
  const has = (haystack: readonly Datum[], needle: Datum): boolean => needle !== null && haystack.some((item) => item !== null && compareOperator('=', element, item, needle) === true);
  const contains = (outer: readonly Datum[], inner: readonly Datum[]): boolean => inner.every((item) => has(outer, item));
  return strictBinary(boolType, left, right, (a, b) => {
    const l = a as readonly Datum[];
    const r = b as readonly Datum[];
    if (operator === '@>') return contains(l, r);
    if (operator === '<@') return contains(r, l);
    return l.some((item) => has(r, item));
  });
}

/** `~`, `~*`, `!~`, `!~*`: POSIX regular-expression match over text (name and varchar convert). */
function regexOperator(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const left = isOpen(leftIn) ? coerce(leftIn, textType, 'implicit', paramTypes) : leftIn;
  const right = isOpen(rightIn) ? coerce(rightIn, textType, 'implicit', paramTypes) : rightIn;
  if (typeCategory(left.type) !== 'S' || typeCategory(right.type) !== 'S') throw noOperator(operator, left.type, right.type);
  const negated = operator.startsWith('!');
  const caseInsensitive = operator.endsWith('*');
  return strictBinary(boolType, left, right, (a, b) => regexMatch(a as string, b as string, caseInsensitive) !== negated);
}

/** `array || array`, `array || element`, `element || array` (PostgreSQL's array_cat, array_append, array_prepend; NULL arrays are empty). */
function arrayConcat(leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const arrayType = leftIn.type.kind === 'array' && !isOpen(leftIn) ? leftIn.type : rightIn.type;
  if (arrayType.kind !== 'array') throw noOperator('||', leftIn.type, rightIn.type);
  const side = (expr: CompiledExpr): { expr: CompiledExpr; array: boolean } => {
    if (isOpen(expr)) return { expr: coerce(expr, arrayType, 'implicit', paramTypes), array: true };
    if (expr.type.kind === 'array') return { expr: coerce(expr, arrayType, 'implicit', paramTypes), array: true };
    return { expr: coerce(expr, arrayType.element, 'implicit', paramTypes), array: false };
  };
  const left = side(leftIn);
  const right = side(rightIn);
  const l = left.expr.eval;
  const r = right.expr.eval;
  return {
    type: arrayType,
    eval: (row, ctx) => {
      const a = l(row, ctx);
      const b = r(row, ctx);
      if (left.array && right.array) return arrayCat(a as readonly Datum[] | null, b as readonly Datum[] | null);
      return left.array ? arrayAppend(a as readonly Datum[] | null, b) : arrayPrepend(a, b as readonly Datum[] | null);
    },
    rowIndependent: leftIn.rowIndependent && rightIn.rowIndependent,
  };
}

function asText(type: SqlType, value: Datum, ctx: EvalContext): string {
  // char(n) meets || as text, which drops its trailing blanks (PostgreSQL's bpchar-to-text cast).
  if (typeof value === 'string') return type.kind === 'bpchar' ? trimTrailingBlanks(value) : value;
  return formatText(type, value, ctx.textContext);
}

function comparable(left: SqlType, right: SqlType): boolean {
  const l = typeCategory(left);
  const r = typeCategory(right);
  if (l === r) return l !== 'U' || left.kind === right.kind;
  return false;
}

function arithmeticOperator(operator: ArithmeticOperator, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const lk = leftIn.type.kind;
  const rk = rightIn.type.kind;
  const temporal = temporalArithmetic(operator, leftIn, rightIn, paramTypes);
  if (temporal !== undefined) return temporal;
  if (isOpen(leftIn) && isOpen(rightIn)) throw new SqlError('42725', `operator is not unique: unknown ${operator} unknown`, { hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.' });
  const leftCategory = isOpen(leftIn) ? 'N' : typeCategory(leftIn.type);
  const rightCategory = isOpen(rightIn) ? 'N' : typeCategory(rightIn.type);
  const intervals = (lk === 'interval' || isOpen(leftIn)) && (rk === 'interval' || isOpen(rightIn)) && (operator === '+' || operator === '-');
  if (!intervals && (leftCategory !== 'N' || rightCategory !== 'N')) throw noOperator(operator, leftIn.type, rightIn.type);
  const [unifiedType, mixedFloat4] = arithmeticType(leftIn, rightIn);
  const type = mixedFloat4 ? float8Type : unifiedType;
  const left = coerce(leftIn, type, 'implicit', paramTypes);
  const right = coerce(rightIn, type, 'implicit', paramTypes);
  return strictBinary(type, left, right, (a, b) => arithmetic(operator, type, a, b));
}

/**
 * `x ^ y`: PostgreSQL has it for float8 and numeric only, so numeric (or an open side with
 * numeric) stays numeric and every other number — integers, float4 — goes to float8.
 */
function powerOperator(leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const sides = [leftIn, rightIn];
  if (sides.some((side) => !isOpen(side) && typeCategory(side.type) !== 'N')) throw noOperator('^', leftIn.type, rightIn.type);
  const isNumeric = (side: CompiledExpr): boolean => !isOpen(side) && side.type.kind === 'numeric';
  const isFloat = (side: CompiledExpr): boolean => !isOpen(side) && (side.type.kind === 'float8' || side.type.kind === 'float4');
  const numericPower = sides.some(isNumeric) && !sides.some(isFloat);
  const type = numericPower ? numericType() : float8Type;
  const left = coerce(leftIn, type, 'implicit', paramTypes);
  const right = coerce(rightIn, type, 'implicit', paramTypes);
  return strictBinary(type, left, right, (a, b) => (numericPower ? powerNumeric(a as Numeric, b as Numeric) : powerFloat8(a as number, b as number)));
}

/**
 * The operands' common type, and whether it is float4 met with another number type: PostgreSQL
 * has float4 arithmetic only with float4 (or float8), so float4 with an integer or numeric
 * resolves to float8, its category's preferred type (`1.0::float4 / 3` is 0.3333333333333333).
 */
function arithmeticType(left: CompiledExpr, right: CompiledExpr): [SqlType, boolean] {
  const type = commonType([left, right], 'operator');
  const other = (expr: CompiledExpr): boolean => !isOpen(expr) && expr.type.kind !== 'float4';
  return [type, type.kind === 'float4' && (other(left) || other(right))];
}

function temporalArithmetic(operator: ArithmeticOperator, left: CompiledExpr, right: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr | undefined {
  const lk = left.type.kind;
  const rk = right.type.kind;
  const isInt = (kind: string): boolean => kind === 'int4' || kind === 'int2';
  if (lk === 'date' && (isInt(rk) || (isOpen(right) && operator !== '-')) && (operator === '+' || operator === '-')) {
    const r = coerce(right, int4Type, 'implicit', paramTypes);
    return strictBinary(dateType, left, r, (a, b) => dateAddDays(a as number, operator === '-' ? -(b as number) : (b as number)));
  }
  if (isInt(lk) && rk === 'date' && operator === '+') return strictBinary(dateType, right, left, (a, b) => dateAddDays(a as number, b as number));
  if (lk === 'date' && (rk === 'date' || isOpen(right)) && operator === '-') {
    const r = coerce(right, dateType, 'implicit', paramTypes);
    return strictBinary(int4Type, left, r, (a, b) => dateDifference(a as number, b as number));
  }
  const isTs = (kind: string): boolean => kind === 'timestamp' || kind === 'timestamptz' || kind === 'date';
  if (isTs(lk) && (rk === 'interval' || isOpen(right)) && (operator === '+' || operator === '-')) {
    const l = lk === 'date' ? coerce(left, timestampType(), 'implicit', paramTypes) : left;
    const r = coerce(right, intervalType, 'implicit', paramTypes);
    const withTz = lk === 'timestamptz';
    return strictBinary(l.type, l, r, (a, b, ctx) => {
      const span = operator === '-' ? (negateDatum(intervalType, b) as Interval) : (b as Interval);
      return withTz ? timestamptzAddInterval(a as bigint, span, timeZoneFromSetting(ctx.settings.timeZone)) : timestampAddInterval(a as bigint, span);
    });
  }
  if (lk === 'interval' && isTs(rk) && operator === '+') return temporalArithmetic(operator, right, left, paramTypes);
  if ((lk === 'timestamp' || lk === 'timestamptz') && (rk === lk || isOpen(right)) && operator === '-') {
    const r = coerce(right, left.type, 'implicit', paramTypes);
    return strictBinary(intervalType, left, r, (a, b) => timestampDifference(a as bigint, b as bigint));
  }
  return undefined;
}

/** `-x`, `+x`. */
export function unaryOperator(operator: string, operandIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const operand = isOpen(operandIn) ? coerce(operandIn, operandIn.unknownLiteral !== undefined ? textType : int4Type, 'implicit', paramTypes) : operandIn;
  const type = operand.type;
  if (operator === '+') return operand;
  if (operator === '~' && integerKinds.has(type.kind)) {
    // Bitwise not (PostgreSQL's int4not): every bit flipped.
    const bits = operand.eval;
    return { type, eval: (row, ctx) => { const value = bits(row, ctx); return value === null ? null : type.kind === 'int8' ? ~(value as bigint) : ~(value as number); }, rowIndependent: operand.rowIndependent };
  }
  if (operator !== '-') throw new SqlError('42883', `operator does not exist: ${operator} ${formatType(type)}`);
  const inner = operand.eval;
  if (operand.constant !== undefined) {
    const value = negate(type, operand.constant.value);
    return { type, eval: () => value, rowIndependent: true, constant: { value } };
  }
  return { type, eval: (row, ctx) => negate(type, inner(row, ctx)), rowIndependent: operand.rowIndependent };
}
