// to_char's formatter (sql/plan/expr/to-char.ts) driven directly, for the edges the golden file
// (test/logic/testdata/to-char.slt, checked against PostgreSQL 15) states less clearly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDatetime, formatNumber, intervalParts, ordinalSuffix, timestampParts } from '../../../sql/plan/expr/to-char.js';
import { SqlError } from '../../../sql/catalog/errors.js';
import { interval } from '../../../sql/types/datum.js';
import { Numeric } from '../../../sql/types/numeric.js';
import { parseTimestamp } from '../../../sql/types/datetime-text.js';
import { toDate, toTimestamp } from '../../../sql/plan/expr/to-timestamp.js';
import { utcTimeZone } from '../../../sql/types/timezone.js';

describe('to_char of date-times', () => {
  it('prints YYYY-MM-DD HH24:MI:SS as the timestamp text does, for any timestamp from 1 AD', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString().slice(0, 19).replace('T', ' ');
        const micros = parseTimestamp(iso);
        expect(formatDatetime(timestampParts(micros, null), 'YYYY-MM-DD HH24:MI:SS')).toBe(iso);
      }),
    );
  });

  it('keeps quoted text and drops padding under FM only for the field it prefixes', () => {
    const tm = timestampParts(parseTimestamp('2024-05-01 07:08:09'), null);
    expect(formatDatetime(tm, '"MM"MM FMMM MM')).toBe('MM05 5 05');
    expect(formatDatetime(tm, 'FMMonth|Month|')).toBe('May|May      |');
  });

  it('refuses calendar fields of an interval with 22007', () => {
    const error = (() => {
      try {
        formatDatetime(intervalParts(interval(0, 1, 0n)), 'Day');
      } catch (caught) {
        return caught as SqlError;
      }
      return undefined;
    })();
    expect(error?.sqlState).toBe('22007');
  });
});

describe('to_char of numbers', () => {
  it('gives English ordinal suffixes, teens included', () => {
    expect(['1', '2', '3', '4', '11', '12', '13', '21', '22', '23', '101', '111'].map((text) => text + ordinalSuffix(text, false))).toEqual([
      '1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th',
    ]);
  });

  it('rounds a double exactly halfway to even, as C printf does (toFixed would round up)', () => {
    expect(formatNumber('float8', 2.5, '9')).toBe(' 2');
    expect(formatNumber('float8', 3.5, '9')).toBe(' 4');
    expect(formatNumber('float8', 0.125, '9.99')).toBe('  .12');
    // 0.15 is a little below a half in binary: not a tie.
    expect(formatNumber('float8', 0.15, '9.9')).toBe('  .1');
  });

  it('prints every integer with FM9…9 as its decimal text, and with 9,999… grouped', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }), (value) => {
        expect(formatNumber('int', value, 'FM999999999999999')).toBe(value.toString());
        expect(formatNumber('numeric', Numeric.fromBigInt(value), 'FM999,999,999,999,999')).toBe(value.toLocaleString('en-US'));
      }),
    );
  });

  it('fills every digit position with # when the value has more integer digits than the template', () => {
    expect(formatNumber('int', 1000n, '999')).toBe(' ###');
    expect(formatNumber('numeric', Numeric.parse('-1000.5'), '999.99')).toBe('-###.##');
  });
});

describe('to_timestamp and to_date', () => {
  it('read back what to_char writes, for any timestamp from 1 AD', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const micros = parseTimestamp(date.toISOString().slice(0, 23).replace('T', ' '));
        const template = 'FMDay, DD FMMonth YYYY HH12:MI:SS.MS AM';
        const text = formatDatetime(timestampParts(micros, null), template);
        expect(toTimestamp(text, template, utcTimeZone)).toBe(micros);
        expect(toDate(formatDatetime(timestampParts(micros, null), 'YYYYMMDD'), 'YYYYMMDD')).toBe(Number((micros - (((micros % 86_400_000_000n) + 86_400_000_000n) % 86_400_000_000n)) / 86_400_000_000n));
      }),
    );
  });
});
