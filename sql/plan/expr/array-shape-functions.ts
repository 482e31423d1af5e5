/**
 * The array functions whose answer depends on an array's shape (array-shape.ts), as PostgreSQL
 * 15's arrayfuncs.c / array_userfuncs.c compute them:
 *
 * - reading the shape: array_dims, array_ndims, array_lower, array_upper, array_length,
 *   cardinality (NULL for a dimension the array does not have);
 * - building one: array_fill(value, lengths[, lower bounds]), trim_array;
 * - combining: array_cat (and `||`) of arrays of equal dimensions or one dimension apart, whose
 *   inner dimensions and lower bounds must match (2202E); array_append / array_prepend on an
 *   empty or 1-D array only (22000), keeping its lower bound;
 * - searching 1-D arrays only: array_position(s) and array_remove refuse more dimensions with
 *   0A000, and answer subscripts counted from the array's own lower bound.
 */
import { limits } from '../../../src/base/limits.js';
import { SqlError } from '../../catalog/errors.js';
import { arrayShape, checkArrayDimensions, elementCount, formatDimensions, sameShape, shapedArray, type ArrayShape } from '../../types/array-shape.js';
import { distinctFrom } from '../../types/compare.js';
import type { Datum } from '../../types/datum.js';
import { arrayLowerBound, arrayType, formatType, int4Type, textType, type SqlType } from '../../types/sql-type.js';
import { arraySlice } from './array-subscript.js';
import type { FunctionOverload } from './function-overload.js';

/** PostgreSQL's MaxArraySize: the most elements an array holds (54000 past it). */
export const arrayElementsMax = 134217727;

/**
 * The most elements array_fill builds here: one per byte of the largest value a client may write
 * (`limits.valueBytesMax`), far below MaxArraySize — a 134-million-element JS array would take
 * the node's heap, not give an error.
 */
const arrayFillElementsMax = limits.valueBytesMax;

function incompatible(detail: string): SqlError {
  return new SqlError('2202E', 'cannot concatenate incompatible arrays', { detail });
}

/** `array_cat(left, right)` / `left || right`: NULL is no array; an empty side gives the other. */
export function arrayCat(left: readonly Datum[] | null, right: readonly Datum[] | null): readonly Datum[] | null {
  if (left === null || left.length === 0) return right ?? left;
  if (right === null || right.length === 0) return left;
  const leftShape = arrayShape(left);
  const rightShape = arrayShape(right);
  const leftDimensions = leftShape.lengths.length;
  const rightDimensions = rightShape.lengths.length;
  const elements = [...left, ...right];
  if (leftDimensions === rightDimensions) {
    if (!sameShape(innerShape(leftShape), innerShape(rightShape))) throw incompatible('Arrays with differing element dimensions are not compatible for concatenation.');
    return shapedArray(elements, { lengths: [leftShape.lengths[0]! + rightShape.lengths[0]!, ...leftShape.lengths.slice(1)], lowerBounds: leftShape.lowerBounds });
  }
  if (leftDimensions === rightDimensions - 1) {
    if (!sameShape(leftShape, innerShape(rightShape))) throw incompatible('Arrays with differing dimensions are not compatible for concatenation.');
    return shapedArray(elements, { lengths: [rightShape.lengths[0]! + 1, ...rightShape.lengths.slice(1)], lowerBounds: rightShape.lowerBounds });
  }
  if (leftDimensions === rightDimensions + 1) {
    if (!sameShape(rightShape, innerShape(leftShape))) throw incompatible('Arrays with differing dimensions are not compatible for concatenation.');
    return shapedArray(elements, { lengths: [leftShape.lengths[0]! + 1, ...leftShape.lengths.slice(1)], lowerBounds: leftShape.lowerBounds });
  }
  throw incompatible(`Arrays of ${leftDimensions} and ${rightDimensions} dimensions are not compatible for concatenation.`);
}

function innerShape(shape: ArrayShape): ArrayShape {
  return { lengths: shape.lengths.slice(1), lowerBounds: shape.lowerBounds.slice(1) };
}

/** The lower bound of a 1-D (or empty: 1) array; 22000 past one dimension (array_append / array_prepend). */
function oneDimensionalLowerBound(array: readonly Datum[]): number {
  const shape = arrayShape(array);
  if (shape.lengths.length > 1) throw new SqlError('22000', 'argument must be empty or one-dimensional array');
  return shape.lowerBounds[0] ?? 1;
}

/** `array_append(array, element)`: NULL is the empty array; the lower bound stays. */
export function arrayAppend(array: readonly Datum[] | null, element: Datum): readonly Datum[] {
  const values = array ?? [];
  const lowerBound = oneDimensionalLowerBound(values);
  return shapedArray([...values, element], { lengths: [values.length + 1], lowerBounds: [lowerBound] });
}

/** `array_prepend(element, array)`: NULL is the empty array; the lower bound stays (PostgreSQL 15 re-bases it). */
export function arrayPrepend(element: Datum, array: readonly Datum[] | null): readonly Datum[] {
  const values = array ?? [];
  const lowerBound = oneDimensionalLowerBound(values);
  return shapedArray([element, ...values], { lengths: [values.length + 1], lowerBounds: [lowerBound] });
}

/** The lower bound of a 1-D (or empty) array; 0A000 past one dimension (`what` is PostgreSQL's verb). */
function searchableLowerBound(array: readonly Datum[], what: string): number {
  const shape = arrayShape(array);
  if (shape.lengths.length > 1) throw new SqlError('0A000', `${what} multidimensional arrays is not supported`);
  return shape.lowerBounds[0] ?? 1;
}

/** The subscripts (from the array's lower bound) of the elements not distinct from `wanted`, from subscript `from` on. */
export function arrayPositions(array: readonly Datum[], element: SqlType, wanted: Datum, from: number | undefined): number[] {
  const lowerBound = searchableLowerBound(array, 'searching for elements in');
  const found: number[] = [];
  for (let index = Math.max((from ?? lowerBound) - lowerBound, 0); index < array.length; index++) {
    if (!distinctFrom(element, array[index] ?? null, wanted)) found.push(index + lowerBound);
  }
  return found;
}

/** `array_remove(array, value)`: the other elements, the lower bound kept. */
export function arrayRemove(array: readonly Datum[], element: SqlType, unwanted: Datum): readonly Datum[] {
  const lowerBound = searchableLowerBound(array, 'removing elements from');
  const kept = array.filter((value) => distinctFrom(element, value ?? null, unwanted));
  return shapedArray(kept, { lengths: [kept.length], lowerBounds: [lowerBound] });
}

/** `array_lower` / `array_upper` / `array_length` of dimension `dimension` (from 1); NULL where there is none. */
function dimensionFact(array: readonly Datum[], dimension: number, fact: 'lower' | 'upper' | 'length', defaultLowerBound: number): number | null {
  const shape = arrayShape(array, defaultLowerBound);
  if (dimension < 1 || dimension > shape.lengths.length) return null;
  const lower = shape.lowerBounds[dimension - 1]!;
  const length = shape.lengths[dimension - 1]!;
  return fact === 'lower' ? lower : fact === 'upper' ? lower + length - 1 : length;
}

function dimensionNulls(message: string): SqlError {
  return new SqlError('22004', message);
}

function readDimensionList(values: readonly Datum[], what: 'Dimension' | 'Low bound'): number[] {
  const shape = arrayShape(values);
  if (shape.lengths.length > 1) throw new SqlError('2202E', 'wrong number of array subscripts', { detail: `${what} array must be one dimensional.` });
  if (values.includes(null)) throw dimensionNulls(`${what === 'Dimension' ? 'dimension' : 'low bound'} values cannot be null`);
  return values as number[];
}

/** `array_fill(value, lengths[, lowerBounds])`. */
export function arrayFill(value: Datum, lengthsArray: readonly Datum[] | null, lowerBoundsArray: readonly Datum[] | null | undefined): readonly Datum[] {
  if (lengthsArray === null || lowerBoundsArray === null) throw dimensionNulls('dimension array or low bound array cannot be null');
  const lengths = readDimensionList(lengthsArray, 'Dimension');
  const lowerBounds = lowerBoundsArray === undefined ? lengths.map(() => 1) : readDimensionList(lowerBoundsArray, 'Low bound');
  if (lowerBounds.length !== lengths.length) throw new SqlError('2202E', 'wrong number of array subscripts', { detail: 'Low bound array has different size than dimensions array.' });
  checkArrayDimensions(lengths.length);
  if (lengths.some((length) => length < 0) || elementCount(lengths) > arrayElementsMax) throw new SqlError('54000', `array size exceeds the maximum allowed (${arrayElementsMax})`);
  if (elementCount(lengths) > arrayFillElementsMax) throw new SqlError('54000', `array size exceeds the maximum allowed here (${arrayFillElementsMax} elements: limits.valueBytesMax)`);
  if (lengths.length === 0 || lengths.includes(0)) return [];
  return shapedArray(new Array<Datum>(elementCount(lengths)).fill(value), { lengths, lowerBounds });
}

/** `trim_array(array, count)`: drops the last `count` entries of the first dimension (a slice: lower bounds 1). */
export function trimArray(array: readonly Datum[], count: number): readonly Datum[] {
  const shape = arrayShape(array);
  const length = shape.lengths[0] ?? 0;
  if (count < 0 || count > length) throw new SqlError('2202E', `number of elements to trim must be between 0 and ${length}`);
  if (length === 0) return array;
  return arraySlice(array, 1, [{ lower: undefined, upper: shape.lowerBounds[0]! + length - 1 - count }]);
}

function noSuchFunction(name: string, types: readonly SqlType[]): SqlError {
  return new SqlError('42883', `function ${name}(${types.map((type) => formatType(type)).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
}

function overload(name: string, args: readonly (SqlType | 'any')[], result: SqlType | ((types: readonly SqlType[]) => SqlType), impl: FunctionOverload['impl'], strict = true): FunctionOverload {
  const checked = (types: readonly SqlType[]): void => {
    if (types[0]?.kind !== 'array') throw noSuchFunction(name, types);
  };
  const resultOf = typeof result === 'function' ? result : (types: readonly SqlType[]): SqlType => (checked(types), result);
  return { args, result: resultOf, strict, immutable: true, impl };
}

/** array_fill's result: an array of the value's type; an untyped literal has none (42804, as PostgreSQL). */
function fillResult(types: readonly SqlType[]): SqlType {
  const element = types[0]!;
  if (element.kind === 'unknown') throw new SqlError('42804', 'could not determine polymorphic type because input has type unknown');
  if (element.kind === 'array' || element.kind === 'record') throw noSuchFunction('array_fill', types);
  return arrayType(element);
}

const int4ArrayType = arrayType(int4Type);
const lowerBoundOf = (types: readonly SqlType[]): number => (types[0]!.kind === 'array' ? arrayLowerBound(types[0]!) : 1);

/** The shape functions, for functions.ts's table (they replace the 1-D versions of sql/vtables/functions.ts). */
export function arrayShapeFunctions(): [string, readonly FunctionOverload[]][] {
  const fact = (name: string, which: 'lower' | 'upper' | 'length'): [string, readonly FunctionOverload[]] => [
    name,
    [overload(name, ['any', int4Type], int4Type, ([array, dimension], types) => dimensionFact(array as readonly Datum[], dimension as number, which, lowerBoundOf(types)))],
  ];
  return [
    ['array_dims', [overload('array_dims', ['any'], textType, ([array], types) => ((array as readonly Datum[]).length === 0 ? null : formatDimensions(arrayShape(array as readonly Datum[], lowerBoundOf(types)))))]],
    ['array_ndims', [overload('array_ndims', ['any'], int4Type, ([array]) => ((array as readonly Datum[]).length === 0 ? null : arrayShape(array as readonly Datum[]).lengths.length))]],
    fact('array_lower', 'lower'),
    fact('array_upper', 'upper'),
    fact('array_length', 'length'),
    ['cardinality', [overload('cardinality', ['any'], int4Type, ([array]) => (array as readonly Datum[]).length)]],
    ['trim_array', [overload('trim_array', ['any', int4Type], (types) => (types[0]!.kind === 'array' ? types[0]! : fail(noSuchFunction('trim_array', types))), ([array, count]) => trimArray(array as readonly Datum[], count as number))]],
    [
      'array_fill',
      [
        { args: ['any', int4ArrayType], result: fillResult, strict: false, immutable: true, impl: ([value, lengths]) => arrayFill(value ?? null, (lengths ?? null) as readonly Datum[] | null, undefined) },
        { args: ['any', int4ArrayType, int4ArrayType], result: fillResult, strict: false, immutable: true, impl: ([value, lengths, lowerBounds]) => arrayFill(value ?? null, (lengths ?? null) as readonly Datum[] | null, (lowerBounds ?? null) as readonly Datum[] | null) },
      ],
    ],
  ];
}

function fail(error: Error): never {
  throw error;
}
