/**
 * The shape of an array datum. PostgreSQL's arrays have up to `arrayDimensionsMax` (its MAXDIM,
 * 6) dimensions, each a length and a lower bound, and store the elements flat in row-major order
 * (the last subscript varies fastest). A datum here is the same: the flat elements as a
 * `readonly Datum[]`. The common shapes — one dimension from 1, or none (an empty array) — are
 * the bare JS array, so every 1-D path is unchanged; any other shape rides on the array in a
 * hidden property set by `shapedArray`.
 *
 * So whatever only reads the elements in order (unnest, ANY/ALL, array_to_string, `@>`,
 * cardinality) is right for any array, as PostgreSQL's own element iterators; whatever builds
 * an array from another element by element (a cast, array_replace) must pass the shape on with
 * `withShapeOf`, or the result silently becomes one-dimensional.
 */
import { assert } from '../../src/base/assert.js';
import type { Datum } from './datum.js';
import { ProgramLimitExceededError } from './errors.js';

/** PostgreSQL's MAXDIM: an array has at most 6 dimensions (54000 past it). */
export const arrayDimensionsMax = 6;

/** Lengths and lower bounds, one per dimension, outermost first. No dimensions: empty. */
export interface ArrayShape {
  readonly lengths: readonly number[];
  readonly lowerBounds: readonly number[];
}

const shapeProperty: unique symbol = Symbol('rangedb.arrayShape');
type Shaped = readonly Datum[] & { readonly [shapeProperty]?: ArrayShape };

const noDimensions: ArrayShape = Object.freeze({ lengths: Object.freeze([]), lowerBounds: Object.freeze([]) });

/** `array`'s shape; a bare array is 1-D from `lowerBound` (0 for an int2vector), or empty. */
export function arrayShape(array: readonly Datum[], lowerBound = 1): ArrayShape {
  const shape = (array as Shaped)[shapeProperty];
  if (shape !== undefined) return shape;
  return array.length === 0 ? noDimensions : Object.freeze({ lengths: [array.length], lowerBounds: [lowerBound] });
}

/** Whether `array` is a bare JS array (1-D from the default lower bound, or empty). */
export function isPlainArray(array: readonly Datum[]): boolean {
  return (array as Shaped)[shapeProperty] === undefined;
}

/** The number of dimensions of `array` (0 when empty). */
export function arrayDimensionCount(array: readonly Datum[]): number {
  return arrayShape(array).lengths.length;
}

/** 54000 when `count` dimensions are more than PostgreSQL allows. */
export function checkArrayDimensions(count: number): void {
  if (count > arrayDimensionsMax) throw new ProgramLimitExceededError(`number of array dimensions (${count}) exceeds the maximum allowed (${arrayDimensionsMax})`);
}

/** The product of `lengths`: how many elements a shape holds. */
export function elementCount(lengths: readonly number[]): number {
  return lengths.reduce((product, length) => product * length, 1);
}

/**
 * `elements` (row-major) as an array of `shape`; takes ownership of `elements`. Any zero length
 * gives the empty array, with no dimensions, as in PostgreSQL.
 */
export function shapedArray(elements: Datum[], shape: ArrayShape): readonly Datum[] {
  if (shape.lengths.length === 1 && shape.lowerBounds[0] === 1 && shape.lengths[0] === elements.length) return elements; // the common shape, checked at once
  assert(shape.lengths.length === shape.lowerBounds.length, 'one lower bound per dimension');
  checkArrayDimensions(shape.lengths.length);
  if (shape.lengths.length === 0 || shape.lengths.includes(0)) {
    assert(elements.length === 0, 'an empty shape holds no elements');
    return elements;
  }
  assert(elementCount(shape.lengths) === elements.length, 'the shape holds every element');
  if (shape.lengths.length === 1 && shape.lowerBounds[0] === 1) return elements;
  Object.defineProperty(elements, shapeProperty, { value: Object.freeze({ lengths: Object.freeze([...shape.lengths]), lowerBounds: Object.freeze([...shape.lowerBounds]) }) });
  return elements;
}

/** `elements`, one for each of `source`'s, with `source`'s shape (a cast, array_replace). */
export function withShapeOf(source: readonly Datum[], elements: Datum[]): readonly Datum[] {
  assert(source.length === elements.length, 'an element for each element');
  const shape = (source as Shaped)[shapeProperty];
  return shape === undefined ? elements : shapedArray(elements, shape);
}

/** Whether two shapes are the same dimensions with the same lower bounds. */
export function sameShape(left: ArrayShape, right: ArrayShape): boolean {
  return sameNumbers(left.lengths, right.lengths) && sameNumbers(left.lowerBounds, right.lowerBounds);
}

function sameNumbers(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/** `[lower:upper]` per dimension, as array_dims prints it (`[1:2][0:1]`); '' when empty. */
export function formatDimensions(shape: ArrayShape): string {
  return shape.lengths.map((length, index) => `[${shape.lowerBounds[index]!}:${shape.lowerBounds[index]! + length - 1}]`).join('');
}
