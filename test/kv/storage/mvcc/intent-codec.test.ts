/**
 * The intent record codec with its transaction-metadata cache (values.ts): intents of several
 * transactions encoded and decoded interleaved — so the cached prefix is hit, missed and
 * replaced in every order — come back exactly as written, whatever differs between neighbours
 * (id, anchor key, epoch, timestamps, priority, sequence); bytes match a fresh encoding's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../../clock/timestamp.js';
import { decodeIntent, encodeIntent, type IntentRecord, type TxnMeta } from '../../../../kv/storage/mvcc/index.js';
import { txnId } from '../../../../src/base/ids.js';

const ids = ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210'].map(txnId);
const meta: fc.Arbitrary<TxnMeta> = fc.record({
  id: fc.constantFrom(...ids),
  key: fc.constantFrom(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3), new Uint8Array(0)),
  epoch: fc.integer({ min: 0, max: 2 }),
  writeTimestamp: fc.constantFrom(timestamp(10n, 0), timestamp(10n, 1), timestamp(2n ** 62n, 7)),
  minTimestamp: fc.constantFrom(timestamp(5n, 0), timestamp(10n, 0)),
  priority: fc.constantFrom(1, 2 ** 30),
  sequence: fc.integer({ min: 0, max: 100_000 }),
});
const intent: fc.Arbitrary<IntentRecord> = fc.record({
  txn: meta,
  value: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
  history: fc.array(fc.record({ sequence: fc.nat(1000), value: fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null }) }), { maxLength: 2 }),
});

describe('intent codec', () => {
  it('round-trips interleaved intents of different transactions, through the metadata cache', () => {
    fc.assert(
      fc.property(fc.array(intent, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(11), { maxLength: 24 }), (records, order) => {
        const encoded = records.map((record) => encodeIntent(record));
        // Decode in another order than encoded, each more than once.
        for (const i of [...order, ...records.keys()]) {
          const at = i % records.length;
          const decoded = decodeIntent(encoded[at]!);
          expect({ ...decoded, txn: { ...decoded.txn, key: Uint8Array.from(decoded.txn.key) } }).toEqual(records[at]);
        }
        // The same record encodes to the same bytes whatever was encoded before it.
        for (let i = records.length - 1; i >= 0; i--) expect(Buffer.from(encodeIntent(records[i]!)).equals(Buffer.from(encoded[i]!))).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
