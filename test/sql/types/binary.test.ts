/**
 * Binary-format and limit edge cases beyond the golden send bytes (pg-golden.test.ts): what PostgreSQL's
 * receive functions do with bytes it would never send. Each was checked against PostgreSQL 15
 * through `COPY … FROM … (FORMAT binary)`, which uses the receive functions.
 */
import { describe, expect, it } from 'vitest';
import { InvalidBinaryRepresentationError, Numeric, NumericValueOutOfRangeError, decodeBinary, formatText, int4Type, numericType, textType, uuidType } from '../../../sql/types/index.js';

const numericBytes = (ndigits: number, weight: number, sign: number, dscale: number, ...digits: number[]): Uint8Array => {
  const out = Buffer.alloc(8 + digits.length * 2);
  out.writeInt16BE(ndigits, 0);
  out.writeInt16BE(weight, 2);
  out.writeUInt16BE(sign, 4);
  out.writeInt16BE(dscale, 6);
  digits.forEach((digit, index) => out.writeInt16BE(digit, 8 + index * 2));
  return out;
};

describe('numeric_recv', () => {
  it('truncates digits hidden by dscale (0.1299 at dscale 2 is 0.12, as PostgreSQL 15 COPY reads it)', () => {
    expect(formatText(numericType(), decodeBinary(numericType(), numericBytes(1, -1, 0, 2, 1299)))).toBe('0.12');
  });

  it('pads to dscale and places the weight', () => {
    expect(formatText(numericType(), decodeBinary(numericType(), numericBytes(2, 1, 0x4000, 3, 12, 3400)))).toBe('-123400.000');
  });

  it('rejects bad signs, digits and lengths', () => {
    expect(() => decodeBinary(numericType(), numericBytes(1, 0, 0x1234, 0, 1))).toThrow(InvalidBinaryRepresentationError);
    expect(() => decodeBinary(numericType(), numericBytes(1, 0, 0, 0, 10000))).toThrow(InvalidBinaryRepresentationError);
    expect(() => decodeBinary(numericType(), numericBytes(2, 0, 0, 0, 1))).toThrow(InvalidBinaryRepresentationError);
  });
});

describe('fixed-width and text receive', () => {
  it('rejects wrong lengths and invalid UTF-8', () => {
    expect(() => decodeBinary(int4Type, Uint8Array.of(0, 0, 1))).toThrow(InvalidBinaryRepresentationError);
    expect(() => decodeBinary(uuidType, new Uint8Array(15))).toThrow(InvalidBinaryRepresentationError);
    expect(() => decodeBinary(textType, Uint8Array.of(0xc3, 0x28))).toThrow(InvalidBinaryRepresentationError);
  });
});

describe('numeric limits (PostgreSQL 15: 131072 digits before the point, 16383 after)', () => {
  it('reads the largest value and refuses one digit more with 22003', () => {
    expect(Numeric.parse('1e131071').toString()).toHaveLength(131072);
    expect(() => Numeric.parse('1e131072')).toThrow(NumericValueOutOfRangeError);
    expect(() => Numeric.parse('1e131072')).toThrow('value overflows numeric format');
    expect(() => Numeric.parse('1e131071').mul(Numeric.parse('10'))).toThrow(NumericValueOutOfRangeError);
  });
});
