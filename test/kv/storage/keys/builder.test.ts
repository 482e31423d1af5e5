import { describe, expect, it } from 'vitest';
import { appendInt, appendKeyValue, appendText, encodeKey, intValue, KeyBuilder, textValue } from '../../../../kv/storage/keys/index.js';
import { hex } from './arbitraries.js';

describe('KeyBuilder', () => {
  it('grows past its initial capacity', () => {
    const builder = new KeyBuilder(1);
    const long = 'x'.repeat(1000);
    appendText(builder, long);
    appendInt(builder, 7n, 'descending');
    expect(builder.finish()).toEqual(encodeKey([textValue(long), intValue(7n)], ['ascending', 'descending']));
  });

  it('is reusable after reset, and finish returns a copy', () => {
    const builder = new KeyBuilder();
    appendInt(builder, 1n);
    const first = builder.finish();
    builder.reset();
    appendKeyValue(builder, intValue(2n));
    expect(hex(first)).toBe('12 81 01');
    expect(hex(builder.finish())).toBe('12 81 02');
  });

  it('asserts its arguments', () => {
    expect(() => new KeyBuilder(0)).toThrow(/positive/);
    expect(() => new KeyBuilder().pushByte(256)).toThrow(/not a byte/);
    expect(() => encodeKey([intValue(1n)], [])).toThrow(/one direction per key value/);
  });
});
