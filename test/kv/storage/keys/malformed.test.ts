import { describe, expect, it } from 'vitest';
import { RangedbError } from '../../../../src/base/errors.js';
import { decodeKey, KeyDecodeError, readKeyValue } from '../../../../kv/storage/keys/index.js';

function bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(' ').filter((part) => part !== '').map((part) => parseInt(part, 16)));
}

function decodeError(text: string): KeyDecodeError {
  try {
    decodeKey(bytes(text));
  } catch (error) {
    if (error instanceof KeyDecodeError) return error;
    throw error;
  }
  throw new Error(`${text} decoded without error`);
}

describe('malformed keys are KeyDecodeErrors', () => {
  it('carry a stable code, an error class and the offset', () => {
    const error = decodeError('12 81 01 99');
    expect(error).toBeInstanceOf(RangedbError);
    expect(error.code).toBe('KEY_DECODE');
    expect(error.errorClass).toBe('input');
    expect(error.sqlState).toBe('22P03');
    expect(error.offset).toBe(3);
    expect(error.message).toBe('malformed key at byte 3: unknown tag 0x99');
  });

  it.each([
    ['unknown tag', '01', 0, /unknown tag 0x1/],
    ['truncated int', '12', 1, /truncated int/],
    ['truncated int payload', '12 82 01', 2, /truncated int/],
    ['int header too long', '12 89 01 02 03 04 05 06 07 08 09', 1, /bad int header/],
    ['non-minimal int', '12 82 00 01', 1, /non-minimal int/],
    ['non-minimal negative int', '12 7d ff 00', 1, /non-minimal int/],
    ['int64 overflow', '12 88 80 00 00 00 00 00 00 00', 1, /overflows int64/],
    ['descending int truncated', 'ed 7d', 2, /truncated int/],
    ['bool 2', '10 02', 1, /bad bool/],
    ['float -0', '14 7f ff ff ff ff ff ff ff', 1, /-0/],
    ['non-canonical NaN', '14 ff f8 00 00 00 00 00 01', 1, /NaN/],
    ['truncated float', '14 80 00', 1, /truncated float/],
    ['bad decimal class', '16 06', 1, /bad decimal class/],
    ['decimal without digits', '16 03 80 00', 3, /without digits/],
    ['decimal with a leading zero', '16 03 80 02 00', 3, /leading zero/],
    ['decimal with trailing zeros', '16 03 80 0b 01 00', 4, /trailing zeros/],
    ['decimal digit pair over 99', '16 03 80 66 00', 3, /digit pair/],
    ['unterminated decimal', '16 03 80 0b', 4, /truncated decimal digits/],
    ['date out of int32', '1c 84 80 00 00 00', 1, /date out of int32/],
    ['unterminated text', '18 61 62', 1, /malformed escaped text/],
    ['bad escape in text', '18 61 00 02', 1, /malformed escaped text/],
    ['invalid UTF-8', '18 c3 28 00 01', 1, /not valid UTF-8/],
    ['UTF-8 surrogate', '18 ed a0 80 00 01', 1, /not valid UTF-8/],
    ['overlong UTF-8', '18 c0 80 00 01', 1, /not valid UTF-8/],
    ['unterminated descending bytes', 'e5 9e', 1, /unterminated bytes/],
    ['bad escape in descending bytes', 'e5 9e ff 05', 2, /bad escape in bytes/],
  ])('%s', (_name, input, offset, reason) => {
    const error = decodeError(input);
    expect(error.offset).toBe(offset);
    expect(error.reason).toMatch(reason);
  });

  it('reads one element at an offset, past a prefix it does not understand', () => {
    const key = bytes('ab cd 12 81 05 18 61 00 01');
    const first = readKeyValue(key, 2);
    expect(first).toEqual({ value: { kind: 'int', value: 5n }, direction: 'ascending', end: 5 });
    expect(readKeyValue(key, first.end).value).toEqual({ kind: 'text', value: 'a' });
    expect(() => readKeyValue(key, 0)).toThrow(KeyDecodeError);
  });

  it('keeps a leading byte-order mark in text', () => {
    expect(decodeKey(bytes('18 ef bb bf 61 00 01'))).toEqual([{ kind: 'text', value: '\ufeffa' }]);
  });
});
