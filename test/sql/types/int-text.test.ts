import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInt2, parseInt4, parseInt8, parseOid } from '../../../sql/types/int-text.js';

/**
 * Plain digit strings take a fast path (no regex, no bigint); everything else the general parser.
 * Both must give PostgreSQL 15's answers: the same values, and 22003 / 22P02 at the same inputs.
 */
describe('integer text input', () => {
  it('reads plain digits, leading zeros included, up to each type’s maximum', () => {
    expect(parseInt2('0')).toBe(0);
    expect(parseInt2('00032767')).toBe(32767);
    expect(parseInt4('2147483647')).toBe(2147483647);
    expect(parseInt4('000000000000042')).toBe(42); // 15 characters: still the fast path
    expect(parseInt8('999999999999999')).toBe(999999999999999n);
    expect(parseInt8('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseOid('4294967295')).toBe(4294967295);
  });

  it('refuses one past the maximum with 22003, on either path', () => {
    expect(() => parseInt2('32768')).toThrow(expect.objectContaining({ sqlState: '22003', message: 'value "32768" is out of range for type smallint' }));
    expect(() => parseInt4('2147483648')).toThrow(expect.objectContaining({ sqlState: '22003', message: 'value "2147483648" is out of range for type integer' }));
    expect(() => parseInt8('9223372036854775808')).toThrow(expect.objectContaining({ sqlState: '22003' }));
  });

  it('leaves signs, blanks and bad input to the general parser', () => {
    expect(parseInt4(' -17 ')).toBe(-17);
    expect(parseInt4('+5')).toBe(5);
    expect(parseInt2('-32768')).toBe(-32768);
    expect(() => parseInt4('')).toThrow(expect.objectContaining({ sqlState: '22P02', message: 'invalid input syntax for type integer: ""' }));
    expect(() => parseInt4('12a')).toThrow(expect.objectContaining({ sqlState: '22P02' }));
    expect(() => parseInt8('1_000')).toThrow(expect.objectContaining({ sqlState: '22P02' }));
  });

  it('gives the exact value of any digit string within range (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,20}$/), (text) => {
        const exact = BigInt(text);
        if (exact <= 9223372036854775807n) expect(parseInt8(text)).toBe(exact);
        else expect(() => parseInt8(text)).toThrow(expect.objectContaining({ sqlState: '22003' }));
        if (exact <= 2147483647n) expect(parseInt4(text)).toBe(Number(exact));
        else expect(() => parseInt4(text)).toThrow(expect.objectContaining({ sqlState: '22003' }));
      }),
    );
  });
});
