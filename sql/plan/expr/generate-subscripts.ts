/**
 * `generate_subscripts(array, dim [, reverse])`, PostgreSQL's set-returning function: the
 * subscripts of dimension `dim` of `array`, from its lower bound up (or down, `reverse` true).
 * No rows for a dimension the array lacks (an empty array has none) or for any NULL argument
 * (the function is strict; the callers never expand NULL arguments).
 */
import { SqlError } from '../../catalog/errors.js';
import { arrayShape } from '../../types/array-shape.js';
import type { Datum } from '../../types/datum.js';
import { arrayLowerBound, boolType, formatType, int4Type, type SqlType } from '../../types/sql-type.js';
import { canCoerce, coerce, isOpen } from './coerce.js';
import type { CompiledExpr } from './compiled.js';

const name = 'generate_subscripts';

function noFunction(args: readonly CompiledExpr[]): SqlError {
  return new SqlError('42883', `function ${name}(${args.map((arg) => (isOpen(arg) ? 'unknown' : formatType(arg.type))).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** A set-returning call's shape (set-returning.ts SetReturningCall, which imports this file). */
interface SubscriptsCall {
  readonly name: string;
  readonly type: SqlType;
  readonly args: readonly CompiledExpr[];
  readonly expand: (args: readonly Datum[]) => Iterator<Datum>;
}

/** Resolves `generate_subscripts(anyarray, integer [, boolean])`; 42883 for any other arguments. */
export function generateSubscriptsCall(args: readonly CompiledExpr[], paramTypes: (SqlType | undefined)[]): SubscriptsCall {
  const [array, dimension, reverse] = args;
  if (array === undefined || dimension === undefined || args.length > 3) throw noFunction(args);
  if (isOpen(array)) throw new SqlError('42804', 'could not determine polymorphic type because input has type unknown');
  const fits = (arg: CompiledExpr | undefined, type: SqlType): boolean => arg === undefined || isOpen(arg) || canCoerce(arg.type, type, 'implicit');
  if (array.type.kind !== 'array' || !fits(dimension, int4Type) || !fits(reverse, boolType)) throw noFunction(args);
  const lowerBound = arrayLowerBound(array.type);
  const coerced = [array, coerce(dimension, int4Type, 'implicit', paramTypes), ...(reverse === undefined ? [] : [coerce(reverse, boolType, 'implicit', paramTypes)])];
  return {
    name,
    type: int4Type,
    args: coerced,
    expand: ([values, dimensionNumber, reversed]) => subscripts(values as readonly Datum[], lowerBound, dimensionNumber as number, reversed === true),
  };
}

function* subscripts(array: readonly Datum[], defaultLowerBound: number, dimension: number, reverse: boolean): Iterator<Datum> {
  const shape = arrayShape(array, defaultLowerBound);
  if (dimension < 1 || dimension > shape.lengths.length) return;
  const lower = shape.lowerBounds[dimension - 1]!;
  const upper = lower + shape.lengths[dimension - 1]! - 1;
  if (reverse) for (let subscript = upper; subscript >= lower; subscript--) yield subscript;
  else for (let subscript = lower; subscript <= upper; subscript++) yield subscript;
}
