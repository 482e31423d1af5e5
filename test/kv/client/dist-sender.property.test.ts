/**
 * A property: over any layout of ranges (and splits the sender's cache has not seen), a batch of
 * puts followed by scans, forward or reverse, with or without a key limit, returns exactly what
 * one sorted map (the single-range model) returns — and a limited scan's resume span holds
 * exactly the rows it left out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, getRequest, putRequest, reverseScanRequest, scanRequest, type ReverseScanResponse, type ScanResponse } from '../../../kv/api/index.js';
import { DistSender, RangeCache } from '../../../kv/client/index.js';
import { dec, enc, FakeCluster } from './fake-cluster.js';

const keyArb = fc.string({ unit: fc.constantFrom('b', 'd', 'f', 'h', 'k', 'p'), minLength: 1, maxLength: 3 });
const scanArb = fc.record({ from: keyArb, to: keyArb, reverse: fc.boolean(), limit: fc.integer({ min: 0, max: 6 }) });
const caseArb = fc.record({
  splits: fc.uniqueArray(keyArb, { maxLength: 8 }),
  lateSplits: fc.uniqueArray(keyArb, { maxLength: 3 }),
  puts: fc.uniqueArray(fc.tuple(keyArb, fc.string({ maxLength: 4 })), { selector: ([key]) => key, maxLength: 25 }),
  scans: fc.array(scanArb, { minLength: 1, maxLength: 4 }),
});

type Scanned = ScanResponse | ReverseScanResponse;
const rowsOf = (response: Scanned): string[] => response.rows.map((row) => `${dec(row.key)}=${dec(row.value)}`);

describe('DistSender over random range layouts', () => {
  it('answers puts then scans exactly as a single-range model does', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ splits, lateSplits, puts, scans }) => {
        const cluster = new FakeCluster([...splits].sort());
        const sender = new DistSender(new RangeCache(cluster.rangeLookup), cluster.transport);
        const model = new Map(puts);
        await sender.send(batchRequest(batchHeader({ timestamp: timestamp(10n) }), puts.length === 0 ? [getRequest(enc('a'))] : puts.map(([k, v]) => putRequest(enc(k), enc(v)))));
        for (const at of lateSplits) if (!splits.includes(at)) cluster.split(at); // the sender's cache is now stale
        for (const { from, to, reverse, limit } of scans) {
          if (from >= to) continue;
          const expected = [...model.entries()].filter(([k]) => k >= from && k < to).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
          if (reverse) expected.reverse();
          const header = batchHeader({ timestamp: timestamp(20n), maxSpanRequestKeys: limit });
          const request = reverse ? reverseScanRequest(enc(from), enc(to)) : scanRequest(enc(from), enc(to));
          const [response] = (await sender.send(batchRequest(header, [request]))).responses as [Scanned];
          const cut = limit === 0 ? expected.length : Math.min(limit, expected.length);
          expect(rowsOf(response)).toEqual(expected.slice(0, cut));
          if (response.resumeSpan === undefined) {
            expect(cut).toBe(expected.length);
            continue;
          }
          expect(limit).toBeGreaterThan(0);
          const resume = response.resumeSpan;
          const restRequest = reverse ? reverseScanRequest(resume.key, resume.endKey!) : scanRequest(resume.key, resume.endKey!);
          const [rest] = (await sender.send(batchRequest(batchHeader({ timestamp: timestamp(20n) }), [restRequest]))).responses as [Scanned];
          expect(rowsOf(rest)).toEqual(expected.slice(cut));
        }
      }),
      { numRuns: 150, seed: 4242 },
    );
  });
});
