/**
 * fast-check arbitraries for key values, shared by the key-encoding tests. Each kind mixes the
 * full domain with a small one (so equal values and near neighbours come up often) and the edge
 * cases named in the encoding's contract.
 */
import fc from 'fast-check';
import {
  boolValue,
  bytesValue,
  compareKeyValues,
  dateValue,
  decimalValue,
  floatValue,
  int32Max,
  int32Min,
  int64Max,
  int64Min,
  intValue,
  nullValue,
  textValue,
  timestamptzValue,
  timestampValue,
  type Direction,
  type KeyValue,
  type KeyValueKind,
} from '../../../../kv/storage/keys/index.js';

const powerOfTwoNeighbours = fc
  .tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: -1, max: 1 }), fc.boolean())
  .map(([power, delta, negative]) => {
    const value = (1n << BigInt(power)) + BigInt(delta);
    const signed = negative ? -value : value;
    return signed < int64Min ? int64Min : signed > int64Max ? int64Max : signed;
  });

export const arbitraryInt64 = fc.oneof(
  fc.bigInt({ min: int64Min, max: int64Max }),
  fc.bigInt({ min: -300n, max: 300n }),
  powerOfTwoNeighbours,
  fc.constantFrom(int64Min, int64Max, 0n, -1n),
);

const arbitraryDays = fc.oneof(
  fc.integer({ min: int32Min, max: int32Max }),
  fc.integer({ min: -300, max: 300 }),
  fc.constantFrom(int32Min, int32Max, 0, -1),
);

const arbitraryDouble = fc.oneof(
  fc.double(),
  fc.integer({ min: -5, max: 5 }).map((value) => value / 2),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE),
);

const digitString = (alphabet: string, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength });

/** Decimal text in many spellings: signs, leading and trailing zeros, points, exponents. */
function decimalText(alphabet: string, maxDigits: number, exponent: fc.Arbitrary<bigint | undefined>): fc.Arbitrary<string> {
  return fc
    .record({
      sign: fc.constantFrom('', '+', '-'),
      leadingZeros: fc.integer({ min: 0, max: 3 }),
      digits: digitString(alphabet, maxDigits),
      trailingZeros: fc.integer({ min: 0, max: 3 }),
      point: fc.nat(),
      exponent,
      exponentLetter: fc.constantFrom('e', 'E'),
    })
    .map((parts) => {
      const all = '0'.repeat(parts.leadingZeros) + parts.digits + '0'.repeat(parts.trailingZeros);
      const digits = all === '' ? '0' : all;
      const point = parts.point % (digits.length + 2);
      const mantissa = point > digits.length ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
      const exponent = parts.exponent === undefined ? '' : `${parts.exponentLetter}${parts.exponent}`;
      return parts.sign + (mantissa === '.' ? '0' : mantissa) + exponent;
    });
}

export const arbitraryDecimalText = fc.oneof(
  decimalText('0123456789', 30, fc.option(fc.bigInt({ min: -40n, max: 40n }), { nil: undefined })),
  decimalText('019', 4, fc.option(fc.bigInt({ min: -3n, max: 3n }), { nil: undefined })),
  decimalText('0123456789', 6, fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n })),
  fc.constantFrom('NaN', 'nan', 'Infinity', '+Infinity', '-Infinity', 'inf', '-INF', '0', '-0', '0.000001', '1e1000', '-1e-1000'),
);

export const arbitraryText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0001', 'a', 'b', '\u00ff', '\u07ff', '\u0800', '\ue000', '\uffff', '\ufeff', '\u{10000}', '😀'), maxLength: 6 }),
);

export const arbitraryBytes = fc.oneof(
  fc.uint8Array({ maxLength: 16 }),
  fc.array(fc.constantFrom(0x00, 0x01, 0xfe, 0xff), { maxLength: 5 }).map((bytes) => Uint8Array.from(bytes)),
);

export const arbitraryByKind: Readonly<Record<KeyValueKind, fc.Arbitrary<KeyValue>>> = {
  null: fc.constant(nullValue),
  bool: fc.boolean().map(boolValue),
  int: arbitraryInt64.map(intValue),
  float: arbitraryDouble.map(floatValue),
  decimal: arbitraryDecimalText.map(decimalValue),
  text: arbitraryText.map(textValue),
  bytes: arbitraryBytes.map(bytesValue),
  date: arbitraryDays.map(dateValue),
  timestamp: arbitraryInt64.map(timestampValue),
  timestamptz: arbitraryInt64.map(timestamptzValue),
};

export const arbitraryKeyValue: fc.Arbitrary<KeyValue> = fc.oneof(...Object.values(arbitraryByKind));

export const arbitraryDirection: fc.Arbitrary<Direction> = fc.constantFrom('ascending', 'descending');

/** Values from a tiny domain, so tuples share prefixes and tie often. */
export const arbitrarySmallKeyValue: fc.Arbitrary<KeyValue> = fc.oneof(
  fc.constant(nullValue),
  fc.boolean().map(boolValue),
  fc.bigInt({ min: -2n, max: 2n }).map(intValue),
  fc.constantFrom('', 'a', 'a\u0000', 'b').map(textValue),
  fc.constantFrom('1', '1.0', '-1', '0', 'NaN').map(decimalValue),
);

export interface DirectedTuple {
  readonly values: readonly KeyValue[];
  readonly directions: readonly Direction[];
}

export function arbitraryTuple(element: fc.Arbitrary<KeyValue>, maxLength: number): fc.Arbitrary<DirectedTuple> {
  return fc
    .array(fc.tuple(element, arbitraryDirection), { maxLength })
    .map((pairs) => ({ values: pairs.map(([value]) => value), directions: pairs.map(([, direction]) => direction) }));
}

/** The order of keys built from tuples: element by element, each in its direction; shorter first. */
export function compareTuples(left: DirectedTuple, right: DirectedTuple): number {
  const shared = Math.min(left.values.length, right.values.length);
  for (let index = 0; index < shared; index++) {
    if (left.directions[index] !== right.directions[index]) {
      return left.directions[index] === 'ascending' ? -1 : 1; // tags < 0x80 sort before tags ≥ 0x80
    }
    const order = compareKeyValues(left.values[index]!, right.values[index]!);
    if (order !== 0) return left.directions[index] === 'ascending' ? order : -order;
  }
  return Math.sign(left.values.length - right.values.length);
}

export function sign(value: number): number {
  return Math.sign(value) + 0;
}

/** Bytes as spaced hex, e.g. `12 81 01`. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/** Exact equality of two key values (bytes by content, floats by `Object.is`). */
export function sameKeyValue(left: KeyValue, right: KeyValue): boolean {
  if (left.kind !== right.kind) return false;
  if (left.kind === 'null') return true;
  const rightValue = (right as typeof left).value;
  if (left.value instanceof Uint8Array) return rightValue instanceof Uint8Array && Buffer.compare(left.value, rightValue) === 0;
  return Object.is(left.value, rightValue);
}

export function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return Buffer.compare(left, right) === 0;
}

/** Throws with `message` unless `condition` holds: a cheap check for hot property loops. */
export function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}
