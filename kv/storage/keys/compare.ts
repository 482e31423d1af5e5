/**
 * `compareKeyValues`: the value order the key encoding preserves, written independently of the
 * bytes so property tests can check the encoding against it. Within a kind it is PostgreSQL's
 * order (NaN above every float, -0 = +0, decimals by exact value, text by code point, bytes by
 * unsigned bytes); NULL is below everything; across kinds (which one SQL column never mixes) it
 * is the order of `keyValueKinds`.
 */
import { assertNever, defined } from '../../../src/base/assert.js';
import { compareDecimals, parseDecimal } from './decimal-text.js';
import type { KeyValue } from './key-value.js';
import { keyValueKinds } from './key-value.js';

/** Negative if `left` sorts before `right` ascending, zero if equal, positive if after. */
export function compareKeyValues(left: KeyValue, right: KeyValue): number {
  if (left.kind !== right.kind) return Math.sign(keyValueKinds.indexOf(left.kind) - keyValueKinds.indexOf(right.kind));
  switch (left.kind) {
    case 'null':
      return 0;
    case 'bool':
      return Number(left.value) - Number((right as typeof left).value);
    case 'int':
    case 'timestamp':
    case 'timestamptz':
      return compareNumbers(left.value, (right as typeof left).value);
    case 'date':
      return compareNumbers(left.value, (right as typeof left).value);
    case 'float':
      return compareFloats(left.value, (right as typeof left).value);
    case 'decimal':
      return compareDecimals(defined(parseDecimal(left.value), 'decimal'), defined(parseDecimal((right as typeof left).value), 'decimal'));
    case 'text':
      return compareCodePoints(left.value, (right as typeof left).value);
    case 'bytes':
      return Math.sign(Buffer.compare(left.value, (right as typeof left).value));
    default:
      return assertNever(left, 'key value');
  }
}

function compareNumbers<T extends number | bigint>(left: T, right: T): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/** PostgreSQL's float order: NaN equals NaN and is above everything; -0 equals +0. */
function compareFloats(left: number, right: number): number {
  const leftNaN = Number.isNaN(left);
  const rightNaN = Number.isNaN(right);
  if (leftNaN || rightNaN) return Number(leftNaN) - Number(rightNaN);
  return compareNumbers(left, right);
}

/** Code point order (JS `<` compares UTF-16 units, which misorders U+E000…U+FFFF vs astral). */
function compareCodePoints(left: string, right: string): number {
  let leftIndex = 0;
  let rightIndex = 0;
  while (leftIndex < left.length && rightIndex < right.length) {
    const leftPoint = left.codePointAt(leftIndex)!;
    const rightPoint = right.codePointAt(rightIndex)!;
    if (leftPoint !== rightPoint) return leftPoint < rightPoint ? -1 : 1;
    leftIndex += leftPoint > 0xffff ? 2 : 1;
    rightIndex += rightPoint > 0xffff ? 2 : 1;
  }
  return Math.sign(left.length - leftIndex - (right.length - rightIndex));
}
