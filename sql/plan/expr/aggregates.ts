/**
 * Aggregate functions: `count`, `sum`, `avg`, `min`, `max`, `bool_and`, `bool_or`,
 * `string_agg`, `array_agg`, `jsonb_agg`, `jsonb_object_agg`, `json_agg`, `json_object_agg`
 * (json text written as PostgreSQL's json.c does: json-functions.ts), the variance and standard
 * deviation family (variance.ts), with PostgreSQL's result types (sum of int4 is int8, of int8
 * numeric; avg of integers and numeric is numeric, of floats float8) and NULL handling (ignored,
 * except `count(*)`, `array_agg` and `jsonb_agg`, where NULL is an element; an empty group gives
 * NULL, `count` 0).
 *
 * An ordered aggregate (`string_agg(x, ',' ORDER BY y)`, `array_agg(DISTINCT x ORDER BY x
 * DESC)`) gets its ORDER BY expressions appended to its arguments: its accumulator holds the
 * group's rows, sorts them stably when the result is asked for, and feeds the plain accumulator
 * in that order (PostgreSQL's sort inside nodeAgg), so the executor evaluates one argument list.
 */
import { arithmetic } from '../../types/arithmetic.js';
import { castDatum } from '../../types/cast.js';
import { compareDatums } from '../../types/compare.js';
import { datumsKey } from '../../rowcodec/datum-key.js';
import type { Datum } from '../../types/datum.js';
import { Numeric } from '../../types/numeric.js';
import { arrayType, boolType, float8Type, formatType, int8Type, intervalType, jsonType, jsonbType, numericType, textType, type SqlType } from '../../types/sql-type.js';
import { SqlError } from '../../catalog/errors.js';
import type { CompiledExpr, EvalContext } from './compiled.js';
import { checkAggregatedArray, stackAggregatedArrays } from './array-build.js';
import { printJsonb, type JsonNode } from '../../types/jsonb-text.js';
import { toJsonNode } from './jsonb-functions.js';
import { jsonArrayAccumulator, jsonObjectAccumulator } from './json-aggregates.js';
import { varianceAccumulator, varianceAggregateNames, varianceResultType } from './variance.js';
import { orderedSetAggregateNames } from './ordered-set.js';
import { hasOperatorClass } from './operator-class.js';

export const aggregateNames: ReadonlySet<string> = new Set(['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'jsonb_agg', 'jsonb_object_agg', 'json_agg', 'json_object_agg', ...varianceAggregateNames, ...orderedSetAggregateNames]);

/** Whether an AST (sub)tree calls an aggregate of this query level (a subquery's own aggregates do not count). */
export function containsAggregate(expr: unknown): boolean {
  if (expr === null || typeof expr !== 'object') return false;
  if (Array.isArray(expr)) return expr.some(containsAggregate);
  const node = expr as { kind?: string; name?: unknown; query?: unknown; over?: unknown };
  // An aggregate used as a window function (`sum(x) OVER ()`) is not one; its arguments and window may hold some.
  if (node.kind === 'FuncCall' && node.over === undefined && Array.isArray(node.name) && aggregateNames.has(node.name[node.name.length - 1] as string)) return true;
  // A subquery is its own query level: `SubqueryExpr`, `InSubquery`, and the `subquery` right side of `x op ANY|ALL (SELECT …)`.
  if (node.kind === 'SubqueryExpr' || node.kind === 'InSubquery' || node.kind === 'subquery') return false;
  return Object.values(node).some(containsAggregate);
}

export interface AggregateCall {
  readonly name: string;
  readonly star: boolean;
  readonly distinct: boolean;
  readonly args: readonly CompiledExpr[];
  readonly filter: CompiledExpr | null;
  readonly type: SqlType;
  /**
   * `ORDER BY` inside the call: one key per expression, whose values are the last
   * `orderBy.length` entries of `args` (after the aggregate's own arguments).
   */
  readonly orderBy?: readonly AggregateOrderKey[];
}

export interface AggregateOrderKey {
  readonly type: SqlType;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export function aggregateResultType(name: string, star: boolean, argTypes: readonly SqlType[]): SqlType {
  if (name === 'count') return int8Type;
  const arg = argTypes[0];
  const noMatch = (): SqlError => new SqlError('42883', `function ${name}(${argTypes.map(formatType).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  if (star || arg === undefined) throw noMatch();
  switch (name) {
    case 'sum':
      if (arg.kind === 'int2' || arg.kind === 'int4') return int8Type;
      if (arg.kind === 'int8' || arg.kind === 'numeric') return numericType();
      if (arg.kind === 'float4' || arg.kind === 'float8' || arg.kind === 'interval') return arg;
      throw noMatch();
    case 'avg':
      if (arg.kind === 'int2' || arg.kind === 'int4' || arg.kind === 'int8' || arg.kind === 'numeric') return numericType();
      if (arg.kind === 'float4' || arg.kind === 'float8') return float8Type;
      if (arg.kind === 'interval') return intervalType;
      throw noMatch();
    case 'min':
    case 'max':
      // No min / max over jsonb (PostgreSQL has none), nor json or jsonpath (no order at all: operator-class.ts).
      if (arg.kind === 'array' || arg.kind === 'jsonb' || !hasOperatorClass(arg)) throw noMatch();
      return arg;
    case 'bool_and':
    case 'bool_or':
    case 'every':
      if (arg.kind !== 'bool') throw noMatch();
      return boolType;
    case 'string_agg':
      if (argTypes.length !== 2) throw noMatch();
      return textType;
    case 'array_agg':
      if (argTypes.length !== 1) throw noMatch();
      if (arg.kind === 'record') throw new SqlError('0A000', 'array_agg of records is not supported yet');
      // Arrays accumulate into an array of one more dimension, of the same type (array-build.ts).
      return arg.kind === 'array' ? arrayType(arg.element) : arrayType(arg.kind === 'unknown' ? textType : arg);
    case 'jsonb_agg':
    case 'json_agg':
      if (argTypes.length !== 1) throw noMatch();
      return name === 'json_agg' ? jsonType : jsonbType;
    case 'jsonb_object_agg':
    case 'json_object_agg':
      if (argTypes.length !== 2) throw noMatch();
      return name === 'json_object_agg' ? jsonType : jsonbType;
    default: {
      const variance = varianceAggregateNames.has(name) && argTypes.length === 1 ? varianceResultType(arg) : undefined;
      if (variance === undefined) throw noMatch();
      return variance;
    }
  }
}

/** One group's running state of one aggregate. */
export interface Accumulator {
  add(values: readonly Datum[]): void;
  result(): Datum;
}

/**
 * A fresh accumulator for `call`. `ctx` is the run's evaluation context: an aggregate that turns
 * its inputs into text (jsonb_agg's to_jsonb conversion of a timestamptz, say) needs the session's
 * settings, as a scalar function does.
 */
export function newAccumulator(call: AggregateCall, ctx: EvalContext): Accumulator {
  return call.orderBy === undefined || call.orderBy.length === 0 ? unorderedAccumulator(call, ctx) : orderedAccumulator(call, call.orderBy, ctx);
}

/**
 * The group's rows held until the result is asked for, then sorted by the ORDER BY keys (stable:
 * ties keep their input order, as PostgreSQL's sort of one group's few rows in practice does) and
 * fed to a plain accumulator without the keys.
 */
function orderedAccumulator(call: AggregateCall, keys: readonly AggregateOrderKey[], ctx: EvalContext): Accumulator {
  const argCount = call.args.length - keys.length;
  const rows: (readonly Datum[])[] = [];
  const compare = (left: readonly Datum[], right: readonly Datum[]): number => {
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      const a = left[argCount + index] ?? null;
      const b = right[argCount + index] ?? null;
      if (a === null || b === null) {
        if (a === b) continue;
        return (a === null) === key.nullsFirst ? -1 : 1;
      }
      const order = compareDatums(key.type, a, b);
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  };
  return {
    add: (values) => void rows.push(values),
    result() {
      const inner = unorderedAccumulator(call, ctx);
      for (const row of [...rows].sort(compare)) inner.add(row.slice(0, argCount));
      return inner.result();
    },
  };
}

function unorderedAccumulator(call: AggregateCall, ctx: EvalContext): Accumulator {
  const inner = baseAccumulator(call, ctx);
  if (!call.distinct) return inner;
  // A hash set of the values' equality keys (the DISTINCT operator's): a linear search here made
  // count(DISTINCT x) quadratic — about 4 s for 3,000 rows.
  const seen = new Set<string>();
  const types = [call.args[0]!.type];
  const one: Datum[] = [null];
  return {
    add(values) {
      one[0] = values[0] ?? null;
      const key = datumsKey(types, one);
      if (seen.has(key)) return;
      seen.add(key);
      inner.add(values);
    },
    result: () => inner.result(),
  };
}

function baseAccumulator(call: AggregateCall, ctx: EvalContext): Accumulator {
  const argType = call.args[0]?.type;
  switch (call.name) {
    case 'count': {
      let count = 0n;
      const star = call.star;
      return { add: (values) => { if (star || values[0] !== null) count++; }, result: () => count };
    }
    case 'sum':
      return sumAccumulator(argType!, call.type);
    case 'avg':
      return avgAccumulator(argType!, call.type);
    case 'min':
    case 'max': {
      let best: Datum = null;
      const sign = call.name === 'min' ? -1 : 1;
      return {
        add: (values) => {
          const value = values[0] ?? null;
          if (value !== null && (best === null || Math.sign(compareDatums(argType!, value, best)) === sign)) best = value;
        },
        result: () => best,
      };
    }
    case 'bool_and':
    case 'every':
    case 'bool_or': {
      let result: boolean | null = null;
      const isAnd = call.name !== 'bool_or';
      return {
        add: (values) => {
          const value = values[0];
          if (value === null || value === undefined) return;
          result = result === null ? (value as boolean) : isAnd ? result && (value as boolean) : result || (value as boolean);
        },
        result: () => result,
      };
    }
    case 'percentile_cont':
    case 'percentile_disc':
    case 'mode': {
      // An ordered-set aggregate's state: its non-NULL sort values, in sort order (ordered-set.ts finishes it).
      const values: Datum[] = [];
      return { add: (inputs) => void (inputs[0] === null || inputs[0] === undefined ? undefined : values.push(inputs[0])), result: () => (values.length === 0 ? null : values) };
    }
    case 'array_agg': {
      if (argType?.kind === 'array') {
        const subarrays: (readonly Datum[])[] = [];
        return { add: (values) => void subarrays.push(checkAggregatedArray((values[0] ?? null) as readonly Datum[] | null)), result: () => (subarrays.length === 0 ? null : stackAggregatedArrays(subarrays)) };
      }
      const elements: Datum[] = [];
      return { add: (values) => void elements.push(values[0] ?? null), result: () => (elements.length === 0 ? null : [...elements]) };
    }
    case 'string_agg': {
      let result: string | null = null;
      return {
        add: (values) => {
          const value = values[0];
          if (value === null || value === undefined) return;
          result = result === null ? (value as string) : result + ((values[1] as string | null) ?? '') + (value as string);
        },
        result: () => result,
      };
    }
    case 'json_agg':
      return jsonArrayAccumulator(jsonInputType(argType!), ctx);
    case 'json_object_agg':
      return jsonObjectAccumulator(jsonInputType(argType!), jsonInputType(call.args[1]!.type), ctx);
    case 'jsonb_agg': {
      // Every input is an element, SQL NULL as JSON null; no rows at all give SQL NULL.
      const items: JsonNode[] = [];
      const type = jsonInputType(argType!);
      return {
        add: (values) => void items.push(toJsonNode(type, values[0] ?? null, ctx)),
        result: () => (items.length === 0 ? null : printJsonb({ kind: 'array', items: [...items] })),
      };
    }
    case 'jsonb_object_agg':
      return objectAccumulator(jsonInputType(argType!), jsonInputType(call.args[1]!.type), ctx);
    default:
      if (varianceAggregateNames.has(call.name)) return varianceAccumulator(call.name, argType!);
      throw new SqlError('0A000', `aggregate ${call.name} is not supported`);
  }
}

/** An argument still of type unknown (a bare string literal) is text, as PostgreSQL's "any" argument prints it. */
function jsonInputType(type: SqlType): SqlType {
  return type.kind === 'unknown' ? textType : type;
}

/**
 * jsonb_object_agg: the group's (key, value) pairs as one object, a later duplicate key
 * replacing the earlier value (jsonb keeps the last). A key is the text of a scalar (to_jsonb's
 * rendering, unquoted); a NULL key and an array or jsonb key are 22023, as PostgreSQL 15's
 * jsonb_object_agg_transfn says (invalid parameter value).
 */
function objectAccumulator(keyType: SqlType, valueType: SqlType, ctx: EvalContext): Accumulator {
  let entries: Map<string, JsonNode> | null = null;
  return {
    add(values) {
      const key = values[0] ?? null;
      if (key === null) throw new SqlError('22023', 'field name must not be null');
      const keyNode = toJsonNode(keyType, key, ctx);
      if (keyNode.kind !== 'scalar' || keyType.kind === 'jsonb' || keyType.kind === 'array') throw new SqlError('22023', 'key value must be scalar, not array, composite, or json');
      const text = keyNode.text.startsWith('"') ? (JSON.parse(keyNode.text) as string) : keyNode.text;
      entries ??= new Map();
      entries.set(text, toJsonNode(valueType, values[1] ?? null, ctx));
    },
    result: () => (entries === null ? null : printJsonb({ kind: 'object', entries: new Map(entries) })),
  };
}

function sumAccumulator(argType: SqlType, resultType: SqlType): Accumulator {
  let sum: Datum = null;
  return {
    add(values) {
      const value = values[0] ?? null;
      if (value === null) return;
      const converted = argType.kind === resultType.kind ? value : castDatum(value, argType, resultType);
      sum = sum === null ? converted : arithmetic('+', resultType, sum, converted);
    },
    result: () => sum,
  };
}

function avgAccumulator(argType: SqlType, resultType: SqlType): Accumulator {
  const sumType = resultType.kind === 'numeric' ? numericType() : resultType;
  const sum = sumAccumulator(argType, sumType);
  let count = 0n;
  return {
    add(values) {
      if (values[0] === null || values[0] === undefined) return;
      count++;
      sum.add(values);
    },
    result() {
      const total = sum.result();
      if (total === null) return null;
      if (resultType.kind === 'numeric') return (total as Numeric).div(Numeric.fromBigInt(count));
      if (resultType.kind === 'float8') return (total as number) / Number(count);
      return arithmetic('/', resultType, total, Number(count));
    },
  };
}
