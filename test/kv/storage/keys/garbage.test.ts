import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeyElements, encodeKey, KeyDecodeError, keyValueKinds } from '../../../../kv/storage/keys/index.js';
import { arbitraryKeyValue, arbitraryTuple, check, hex, sameBytes } from './arbitraries.js';

const tagBytes = [0x00, 0x10, 0x12, 0x14, 0x16, 0x18, 0x1a, 0x1c, 0x1e, 0x20].flatMap((tag) => [tag, ~tag & 0xff]);
const interestingBytes = [...tagBytes, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0b, 0x64, 0x65, 0x7e, 0x7f, 0x80, 0x81, 0x88, 0x89, 0xfe];

const arbitraryGarbage = fc.oneof(
  fc.uint8Array({ maxLength: 24 }),
  fc.array(fc.oneof(fc.constantFrom(...interestingBytes), fc.integer({ min: 0, max: 255 })), { maxLength: 24 }).map((bytes) => Uint8Array.from(bytes)),
);

type Mutation = { readonly kind: 'flip' | 'set' | 'insert' | 'delete' | 'truncate'; readonly position: number; readonly byte: number };

const arbitraryMutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'),
  position: fc.nat(),
  byte: fc.oneof(fc.constantFrom(...interestingBytes), fc.integer({ min: 0, max: 255 })),
});

function mutate(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const position = mutation.position % (bytes.length + 1);
  const copy = Array.from(bytes);
  switch (mutation.kind) {
    case 'flip':
      if (position < copy.length) copy[position] = copy[position]! ^ (1 << (mutation.byte % 8));
      break;
    case 'set':
      if (position < copy.length) copy[position] = mutation.byte;
      break;
    case 'insert':
      copy.splice(position, 0, mutation.byte);
      break;
    case 'delete':
      copy.splice(position, 1);
      break;
    case 'truncate':
      copy.length = position;
      break;
  }
  return Uint8Array.from(copy);
}

const outcomes = { accepted: 0, rejected: 0 };

/** Decoding `bytes` either throws `KeyDecodeError` or yields values that encode back to `bytes`. */
function decodesCanonicallyOrRejects(bytes: Uint8Array): void {
  let elements;
  try {
    elements = decodeKeyElements(bytes);
  } catch (error) {
    check(error instanceof KeyDecodeError, () => `${hex(bytes)} threw ${String(error)}`);
    check((error as KeyDecodeError).code === 'KEY_DECODE', () => 'wrong error code');
    outcomes.rejected++;
    return;
  }
  outcomes.accepted++;
  const reencoded = encodeKey(
    elements.map((element) => element.value),
    elements.map((element) => element.direction),
  );
  check(sameBytes(reencoded, bytes), () => `${hex(bytes)} decoded to values that encode as ${hex(reencoded)}`);
}

describe('decoding malformed keys', () => {
  it('random bytes decode canonically or throw KeyDecodeError', () => {
    fc.assert(fc.property(arbitraryGarbage, decodesCanonicallyOrRejects), { seed: 4000, numRuns: 2000 });
  });

  it('mutated valid keys decode canonically or throw KeyDecodeError', () => {
    const mutated = fc
      .tuple(arbitraryTuple(arbitraryKeyValue, 4), fc.array(arbitraryMutation, { minLength: 1, maxLength: 3 }))
      .map(([tuple, mutations]) => mutations.reduce(mutate, encodeKey(tuple.values, tuple.directions)));
    outcomes.accepted = 0;
    outcomes.rejected = 0;
    fc.assert(fc.property(mutated, decodesCanonicallyOrRejects), { seed: 4001, numRuns: 2000 });
    // Both branches must be exercised, or the property says little.
    expect(outcomes.accepted).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('every tag followed by random bytes decodes canonically or throws KeyDecodeError', () => {
    keyValueKinds.forEach((_kind, index) => {
      const tag = tagBytes[2 * index]!;
      const garbage = fc
        .tuple(fc.boolean(), arbitraryGarbage)
        .map(([descending, rest]) => Uint8Array.of(descending ? ~tag & 0xff : tag, ...rest));
      fc.assert(fc.property(garbage, decodesCanonicallyOrRejects), { seed: 4100 + index, numRuns: 500 });
    });
  });
});
