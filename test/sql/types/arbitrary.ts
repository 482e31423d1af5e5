/**
 * fast-check arbitraries of valid datums for each SQL type (shared by the types and rowcodec
 * property tests). `forKey` restricts timestamps to those the key encoding can hold.
 */
import fc from 'fast-check';
import {
  Numeric,
  dateEndDays,
  dateMinDays,
  dateNegativeInfinity,
  datePositiveInfinity,
  int64Max,
  int64Min,
  interval,
  timestampEndMicros,
  timestampMinMicros,
  timestampNegativeInfinity,
  timestampPositiveInfinity,
  unixEpochMicrosBefore2000,
  type Datum,
  type SqlType,
} from '../../../sql/types/index.js';

export const numericArbitrary: fc.Arbitrary<Numeric> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(Numeric.nan, Numeric.infinity, Numeric.negativeInfinity) },
  {
    weight: 12,
    arbitrary: fc
      .record({ unscaled: fc.oneof(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.bigInt({ min: -1000n, max: 1000n })), scale: fc.integer({ min: 0, max: 24 }) })
      .map(({ unscaled, scale }) => Numeric.of(unscaled, scale)),
  },
);

const textArbitrary = fc.string({ unit: 'binary', maxLength: 12 }).filter((text) => !text.includes('\u0000'));

export function datumArbitrary(type: SqlType, options: { forKey?: boolean } = {}): fc.Arbitrary<Datum> {
  switch (type.kind) {
    case 'bool':
      return fc.boolean();
    case 'int2':
      return fc.integer({ min: -32768, max: 32767 });
    case 'int4':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'int8':
      return fc.bigInt({ min: int64Min, max: int64Max });
    case 'oid':
      return fc.integer({ min: 0, max: 4294967295 });
    case 'float4':
      return fc.float();
    case 'float8':
      return fc.double();
    case 'numeric':
      return numericArbitrary;
    case 'text':
    case 'varchar':
      return textArbitrary;
    case 'bpchar':
      return type.length === undefined ? textArbitrary : fc.string({ unit: 'binary', maxLength: type.length }).filter((t) => !t.includes('\u0000') && [...t].length <= type.length!).map((t) => t + ' '.repeat(type.length! - [...t].length));
    case 'name':
      return fc.string({ maxLength: 20 });
    case 'bytea':
      return fc.uint8Array({ maxLength: 12 });
    case 'uuid':
      return fc.uuid().map((uuid) => uuid.toLowerCase());
    case 'date':
      return fc.oneof(fc.constantFrom(dateNegativeInfinity, datePositiveInfinity), fc.integer({ min: dateMinDays, max: dateEndDays - 1 }), fc.integer({ min: -40000, max: 40000 }));
    case 'timestamp':
    case 'timestamptz': {
      const max = options.forKey === true ? int64Max - unixEpochMicrosBefore2000 - 1n : timestampEndMicros - 1n;
      return fc.oneof(
        fc.constantFrom(timestampNegativeInfinity, timestampPositiveInfinity),
        fc.bigInt({ min: timestampMinMicros, max }),
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
      );
    }
    case 'interval':
      return fc
        .record({
          months: fc.integer({ min: -2147483648, max: 2147483647 }),
          days: fc.integer({ min: -2147483648, max: 2147483647 }),
          micros: fc.oneof(fc.bigInt({ min: int64Min, max: int64Max }), fc.bigInt({ min: -(10n ** 11n), max: 10n ** 11n })),
        })
        .map(({ months, days, micros }) => interval(months, days, micros));
    case 'jsonb':
      return fc.constantFrom('{}', '[1, 2]', '{"a": 1.50}', 'null', '"x"');
    default:
      throw new Error(`no arbitrary for ${type.kind}`);
  }
}

/** Whether two datums of one type are identical (not merely SQL-equal): -0 ≠ 0, scales matter. */
export function sameDatum(left: Datum, right: Datum): boolean {
  if (left instanceof Numeric && right instanceof Numeric) return left.form === right.form && left.unscaled === right.unscaled && left.scale === right.scale;
  if (typeof left === 'number' && typeof right === 'number') return Object.is(left, right);
  if (left instanceof Uint8Array && right instanceof Uint8Array) return Buffer.compare(left, right) === 0;
  if (typeof left === 'object' && left !== null && typeof right === 'object' && right !== null && 'months' in left && 'months' in right) {
    return left.months === right.months && left.days === right.days && left.micros === right.micros;
  }
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, index) => sameDatum(item as Datum, right[index] as Datum));
  return left === right;
}
