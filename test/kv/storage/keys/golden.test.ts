import { describe, expect, it } from 'vitest';
import {
  boolValue,
  bytesValue,
  dateValue,
  decimalValue,
  decodeKey,
  encodeKey,
  floatValue,
  int64Max,
  int64Min,
  intValue,
  nullValue,
  textValue,
  timestamptzValue,
  timestampValue,
  type Direction,
  type KeyValue,
} from '../../../../kv/storage/keys/index.js';
import { hex } from './arbitraries.js';

function encoded(value: KeyValue, direction: Direction = 'ascending'): string {
  return hex(encodeKey([value], [direction]));
}

describe('golden encodings', () => {
  it('NULL and booleans', () => {
    expect(encoded(nullValue)).toBe('00');
    expect(encoded(nullValue, 'descending')).toBe('ff');
    expect(encoded(boolValue(false))).toBe('10 00');
    expect(encoded(boolValue(true))).toBe('10 01');
    expect(encoded(boolValue(true), 'descending')).toBe('ef fe');
  });

  it('integers', () => {
    expect(encoded(intValue(0n))).toBe('12 80');
    expect(encoded(intValue(1n))).toBe('12 81 01');
    expect(encoded(intValue(1n), 'descending')).toBe('ed 7e fe');
    expect(encoded(intValue(255n))).toBe('12 81 ff');
    expect(encoded(intValue(256n))).toBe('12 82 01 00');
    expect(encoded(intValue(-1n))).toBe('12 7f');
    expect(encoded(intValue(-2n))).toBe('12 7e fe');
    expect(encoded(intValue(-256n))).toBe('12 7e 00');
    expect(encoded(intValue(-257n))).toBe('12 7d fe ff');
    expect(encoded(intValue(int64Max))).toBe('12 88 7f ff ff ff ff ff ff ff');
    expect(encoded(intValue(int64Min))).toBe('12 77 80 00 00 00 00 00 00 00');
    expect(encoded(intValue(int64Min), 'descending')).toBe('ed 88 7f ff ff ff ff ff ff ff');
  });

  it('int64 extremes are the ends of the int order', () => {
    const keys = [int64Min, int64Min + 1n, -1n, 0n, 1n, int64Max - 1n, int64Max].map((value) => encodeKey([intValue(value)]));
    const sorted = [...keys].sort(Buffer.compare);
    expect(sorted).toEqual(keys);
  });

  it('floats, with -0 equal to 0 and NaN above Infinity', () => {
    expect(encoded(floatValue(-Infinity))).toBe('14 00 0f ff ff ff ff ff ff');
    expect(encoded(floatValue(-1))).toBe('14 40 0f ff ff ff ff ff ff');
    expect(encoded(floatValue(0))).toBe('14 80 00 00 00 00 00 00 00');
    expect(encoded(floatValue(-0))).toBe('14 80 00 00 00 00 00 00 00');
    expect(encoded(floatValue(1))).toBe('14 bf f0 00 00 00 00 00 00');
    expect(encoded(floatValue(Infinity))).toBe('14 ff f0 00 00 00 00 00 00');
    expect(encoded(floatValue(Number.NaN))).toBe('14 ff f8 00 00 00 00 00 00');
    expect(encoded(floatValue(Number.NaN), 'descending')).toBe('eb 00 07 ff ff ff ff ff ff');
    expect(decodeKey(encodeKey([floatValue(-0)]))).toEqual([floatValue(0)]);
  });

  it('decimals, by value whatever the spelling', () => {
    expect(encoded(decimalValue('0'))).toBe('16 02');
    expect(encoded(decimalValue('-0.000'))).toBe('16 02');
    expect(encoded(decimalValue('0.000001'))).toBe('16 03 7e fa 0b 00');
    expect(encoded(decimalValue('123.45'))).toBe('16 03 81 02 0d 23 33 00');
    expect(encoded(decimalValue('-123.45'))).toBe('16 01 7e fd f2 dc cc ff');
    expect(encoded(decimalValue('-123.4500'))).toBe(encoded(decimalValue('-123.45')));
    expect(encoded(decimalValue('-1.2345e2'))).toBe(encoded(decimalValue('-123.45')));
    expect(encoded(decimalValue('1e1000'))).toBe('16 03 82 03 e8 0b 00');
    expect(encoded(decimalValue('-1e-1000'))).toBe('16 01 82 03 e7 f4 ff');
    expect(encoded(decimalValue('NaN'))).toBe('16 05');
    expect(encoded(decimalValue('Infinity'))).toBe('16 04');
    expect(encoded(decimalValue('-Infinity'))).toBe('16 00');
    expect(encoded(decimalValue('NaN'), 'descending')).toBe('e9 fa');
  });

  it('decimals decode to canonical text', () => {
    const decoded = (text: string): unknown => decodeKey(encodeKey([decimalValue(text)]))[0];
    expect(decoded('-123.4500')).toEqual(decimalValue('-123.45'));
    expect(decoded('000.000001000')).toEqual(decimalValue('0.000001'));
    expect(decoded('1e1000')).toEqual(decimalValue('1e+1000'));
    expect(decoded('-1e-1000')).toEqual(decimalValue('-1e-1000'));
    expect(decoded('-0')).toEqual(decimalValue('0'));
    expect(decoded('inf')).toEqual(decimalValue('Infinity'));
    expect(decoded('nan')).toEqual(decimalValue('NaN'));
    expect(decoded('15e9223372036854775806')).toEqual(decimalValue('1.5e+9223372036854775807'));
    expect(decoded('-0.15e-9223372036854775807')).toEqual(decimalValue('-1.5e-9223372036854775808'));
  });

  it('text and bytes', () => {
    expect(encoded(textValue(''))).toBe('18 00 01');
    expect(encoded(textValue('a'))).toBe('18 61 00 01');
    expect(encoded(textValue('a'), 'descending')).toBe('e7 9e ff fe');
    expect(encoded(textValue('a\u0000b'))).toBe('18 61 00 ff 62 00 01');
    expect(encoded(textValue('é'))).toBe('18 c3 a9 00 01');
    expect(encoded(bytesValue(Uint8Array.of()))).toBe('1a 00 01');
    expect(encoded(bytesValue(Uint8Array.of(0)))).toBe('1a 00 ff 00 01');
    expect(encoded(bytesValue(Uint8Array.of(0)), 'descending')).toBe('e5 ff 00 ff fe');
  });

  it('text with 00 bytes sorts after its prefix and before the next letter', () => {
    const keys = ['', '\u0000', '\u0000\u0000', 'a', 'a\u0000', 'a\u0000\u0000', 'a\u0001', 'ab', 'b'].map((text) => encodeKey([textValue(text)]));
    expect([...keys].sort(Buffer.compare)).toEqual(keys);
  });

  it('dates and timestamps', () => {
    expect(encoded(dateValue(0))).toBe('1c 80');
    expect(encoded(dateValue(-1))).toBe('1c 7f');
    expect(encoded(dateValue(2 ** 31 - 1))).toBe('1c 84 7f ff ff ff');
    expect(encoded(timestampValue(0n))).toBe('1e 80');
    expect(encoded(timestampValue(-1n))).toBe('1e 7f');
    expect(encoded(timestamptzValue(1_700_000_000_000_000n))).toBe('20 87 06 0a 24 18 1e 40 00');
  });

  it('tuples concatenate their elements', () => {
    expect(hex(encodeKey([intValue(1n), textValue('a')]))).toBe('12 81 01 18 61 00 01');
    expect(hex(encodeKey([intValue(1n), textValue('a')], ['ascending', 'descending']))).toBe('12 81 01 e7 9e ff fe');
    expect(hex(encodeKey([nullValue, nullValue], ['ascending', 'descending']))).toBe('00 ff');
  });
});
