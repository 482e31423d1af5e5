import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDecimals, formatDecimal, parseDecimal } from '../../../../kv/storage/keys/index.js';
import { arbitraryDecimalText, check } from './arbitraries.js';

describe('decimal text', () => {
  it('normalizes away signs of zero, leading and trailing zeros and the exponent spelling', () => {
    expect(parseDecimal('-123.4500')).toEqual({ form: 'finite', negative: true, digits: '12345', exponent: 2n });
    expect(parseDecimal('-1.2345E+2')).toEqual(parseDecimal('-123.45'));
    expect(parseDecimal('00012300')).toEqual({ form: 'finite', negative: false, digits: '123', exponent: 4n });
    expect(parseDecimal('.5')).toEqual({ form: 'finite', negative: false, digits: '5', exponent: -1n });
    expect(parseDecimal('5.')).toEqual({ form: 'finite', negative: false, digits: '5', exponent: 0n });
    expect(parseDecimal('0.000001')).toEqual({ form: 'finite', negative: false, digits: '1', exponent: -6n });
    expect(parseDecimal('-0.000e5')).toEqual({ form: 'zero' });
    expect(parseDecimal('+0')).toEqual({ form: 'zero' });
  });

  it('reads PostgreSQL special values', () => {
    expect(parseDecimal('NaN')).toEqual({ form: 'nan' });
    expect(parseDecimal('nan')).toEqual({ form: 'nan' });
    expect(parseDecimal('Infinity')).toEqual({ form: 'infinity', negative: false });
    expect(parseDecimal('+inf')).toEqual({ form: 'infinity', negative: false });
    expect(parseDecimal('-INFINITY')).toEqual({ form: 'infinity', negative: true });
  });

  it.each(['', '.', '-', '+.', 'e5', '1e', '1e+', '--1', '1.2.3', ' 1', '1 ', 'abc', '0x10', '-NaN', '1_000', '١'])('rejects %j', (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });

  it('rejects exponents beyond int64', () => {
    expect(parseDecimal('1e9223372036854775807')).toEqual({ form: 'finite', negative: false, digits: '1', exponent: 9223372036854775807n });
    expect(parseDecimal('10e9223372036854775807')).toBeUndefined();
    expect(parseDecimal('0.1e-9223372036854775808')).toBeUndefined();
    expect(parseDecimal('0e99999999999999999999')).toEqual({ form: 'zero' });
  });

  it('formats plainly for moderate exponents and scientifically beyond', () => {
    const format = (text: string): string => formatDecimal(parseDecimal(text)!);
    expect(format('-123.4500')).toBe('-123.45');
    expect(format('0.000001')).toBe('0.000001');
    expect(format('0.0000001')).toBe('1e-7');
    expect(format('1e20')).toBe('100000000000000000000');
    expect(format('1.5e21')).toBe('1.5e+21');
    expect(format('1e1000')).toBe('1e+1000');
    expect(format('-1e-1000')).toBe('-1e-1000');
    expect(format('120')).toBe('120');
    expect(format('-0')).toBe('0');
    expect(format('-inf')).toBe('-Infinity');
  });

  it('orders -Infinity < negatives < 0 < positives < Infinity < NaN', () => {
    const ordered = ['-Infinity', '-1e1000', '-2', '-1.5', '-1e-1000', '0', '1e-1000', '0.1', '0.12', '0.123', '1', '1e1000', 'Infinity', 'NaN'];
    const parsed = ordered.map((text) => parseDecimal(text)!);
    for (let index = 1; index < parsed.length; index++) expect(compareDecimals(parsed[index - 1]!, parsed[index]!)).toBe(-1);
  });

  it('format then parse gives the same value', () => {
    fc.assert(
      fc.property(arbitraryDecimalText, (text) => {
        const parsed = parseDecimal(text);
        check(parsed !== undefined, () => `generated text ${text} does not parse`);
        const again = parseDecimal(formatDecimal(parsed!));
        check(again !== undefined && compareDecimals(parsed!, again) === 0, () => `${text} changed through its text`);
        check(formatDecimal(again!) === formatDecimal(parsed!), () => `${text} has two canonical texts`);
      }),
      { seed: 5000, numRuns: 2000 },
    );
  });
});
