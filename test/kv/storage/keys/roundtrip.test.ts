import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeKey,
  decodeKeyElements,
  encodeKey,
  formatDecimal,
  keyValueKinds,
  parseDecimal,
  type KeyValue,
} from '../../../../kv/storage/keys/index.js';
import { arbitraryByKind, check, hex, sameBytes, sameKeyValue } from './arbitraries.js';

/** What decoding `value` must give back exactly: -0 is 0, decimals are in canonical text. */
function canonical(value: KeyValue): KeyValue {
  if (value.kind === 'float' && value.value === 0) return { kind: 'float', value: 0 };
  if (value.kind === 'decimal') return { kind: 'decimal', value: formatDecimal(parseDecimal(value.value)!) };
  return value;
}

describe('decode(encode(x)) is x', () => {
  keyValueKinds.forEach((kind, kindIndex) => {
    (['ascending', 'descending'] as const).forEach((direction, directionIndex) => {
      it(`${kind} ${direction}`, () => {
        fc.assert(
          fc.property(arbitraryByKind[kind], (value) => {
            const bytes = encodeKey([value], [direction]);
            const elements = decodeKeyElements(bytes);
            check(elements.length === 1, () => `decoded ${elements.length} elements from ${hex(bytes)}`);
            const decoded = elements[0]!;
            check(decoded.direction === direction, () => `direction ${decoded.direction}`);
            check(decoded.end === bytes.length, () => `end ${decoded.end} of ${bytes.length}`);
            check(sameKeyValue(decoded.value, canonical(value)), () => `decoded ${String(decoded.value.kind)} differs`);
            check(sameBytes(encodeKey([decoded.value], [direction]), bytes), () => `re-encoding differs from ${hex(bytes)}`);
          }),
          { seed: 2000 + 10 * kindIndex + directionIndex, numRuns: 2000 },
        );
      });
    });
  });

  it('decodes the empty key as the empty tuple', () => {
    expect(decodeKey(new Uint8Array(0))).toEqual([]);
    expect(encodeKey([])).toEqual(new Uint8Array(0));
  });

  it('copies decoded bytes out of the input', () => {
    const bytes = encodeKey([{ kind: 'bytes', value: Uint8Array.of(1, 2, 3) }]);
    const decoded = decodeKey(bytes)[0]!;
    bytes[1] = 9;
    expect(decoded).toEqual({ kind: 'bytes', value: Uint8Array.of(1, 2, 3) });
  });
});
