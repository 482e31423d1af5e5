/**
 * `DistSender` over a fake cluster of ranges that really evaluate (kv/eval) within their current
 * descriptors: routing of points, scans merged across ranges in both directions with a key limit
 * stopping mid-range, recovery from a stale cache after a split, EndTxn sent last, and the
 * retry bound and ambiguous results.
 */
import { describe, expect, it } from 'vitest';
import { nodeId, rangeId, replicaId, storeId, txnId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import {
  AmbiguousResultError,
  batchHeader,
  batchRequest,
  endTxnRequest,
  getRequest,
  NotLeaseholderError,
  putRequest,
  reverseScanRequest,
  scanRequest,
  span,
  transaction,
  type BatchHeader,
  type Request,
  type ScanResponse,
  type Transaction,
  WriteTooOldError,
} from '../../../kv/api/index.js';
import { DistSender, RangeCache, RoutingRetriesExhaustedError, type RangeTransport } from '../../../kv/client/index.js';
import type { Timers } from '../../../src/env/env.js';
import { dec, enc, FakeCluster } from './fake-cluster.js';

const letters = 'abcdefghij'.split('');
const writeHeader = (): BatchHeader => batchHeader({ timestamp: timestamp(10n) });
const readHeader = (fields: { maxSpanRequestKeys?: number } = {}): BatchHeader => batchHeader({ timestamp: timestamp(20n), ...fields });

/** Five ranges: [/Min,b) [b,d) [d,f) [f,h) [h,/Max), holding a; b c; d e; f g; h i j. */
async function loaded(): Promise<{ cluster: FakeCluster; sender: DistSender; cache: RangeCache }> {
  const cluster = new FakeCluster(['b', 'd', 'f', 'h']);
  const cache = new RangeCache(cluster.rangeLookup);
  const sender = new DistSender(cache, cluster.transport);
  await sender.send(batchRequest(writeHeader(), letters.map((l) => putRequest(enc(l), enc(l.toUpperCase())))));
  cluster.sends.length = 0;
  return { cluster, sender, cache };
}

const keysOf = (response: { rows: readonly { key: Uint8Array }[] }): string => response.rows.map((row) => dec(row.key)).join('');

/** A PENDING transaction anchored at "i" at timestamp 10, having written `sequence` writes. */
function pendingTxn(sequence: number): Transaction {
  return transaction({
    id: txnId('0123456789abcdef0123456789abcdef'),
    key: enc('i'),
    epoch: 0,
    writeTimestamp: timestamp(10n),
    minTimestamp: timestamp(10n),
    priority: 1,
    sequence,
    name: 't',
    status: 'PENDING',
    readTimestamp: timestamp(10n),
    globalUncertaintyLimit: timestamp(10n),
    ignoredSequences: [],
    lockSpans: [],
    inFlightWrites: [],
    lastHeartbeat: timestamp(0n),
  });
}

describe('DistSender', () => {
  it('routes point puts and gets to the range holding each key', async () => {
    const cluster = new FakeCluster(['b', 'd', 'f', 'h']);
    const sender = new DistSender(new RangeCache(cluster.rangeLookup), cluster.transport);
    await sender.send(batchRequest(writeHeader(), ['a', 'c', 'e', 'g', 'i'].map((k) => putRequest(enc(k), enc(`v${k}`)))));
    expect(cluster.sends.map((s) => [s.rangeId, s.kinds.join()])).toEqual([
      [1, 'put'],
      [2, 'put'],
      [3, 'put'],
      [4, 'put'],
      [5, 'put'],
    ]);
    const gets = await sender.send(batchRequest(readHeader(), [getRequest(enc('g')), getRequest(enc('a')), getRequest(enc('b'))]));
    expect(gets.responses.map((r) => (r.value === undefined ? '-' : dec(r.value)))).toEqual(['vg', 'va', '-']);
  });

  it('merges a scan across five ranges in key order, and a reverse scan in reverse', async () => {
    const { cluster, sender } = await loaded();
    const [forward, reverse] = (await sender.send(batchRequest(readHeader(), [scanRequest(enc('a'), enc('z')), reverseScanRequest(enc('a'), enc('z'))]))).responses;
    expect(keysOf(forward)).toBe('abcdefghij');
    expect(forward.rows.map((row) => dec(row.value)).join('')).toBe('ABCDEFGHIJ');
    expect(keysOf(reverse)).toBe('jihgfedcba');
    expect(forward.resumeSpan).toBeUndefined();
    expect(new Set(cluster.sends.map((s) => s.rangeId)).size).toBe(5);
  });

  it('stops a limited scan mid-range with a resume span covering exactly the rest', async () => {
    const { cluster, sender } = await loaded();
    const [first] = (await sender.send(batchRequest(readHeader({ maxSpanRequestKeys: 4 }), [scanRequest(enc('a'), enc('z'))]))).responses;
    expect(keysOf(first)).toBe('abcd');
    expect(first.resumeReason).toBe('keyLimit');
    expect(dec(first.resumeSpan!.endKey!)).toBe('z');
    expect(cluster.sends.map((s) => s.rangeId)).toEqual([1, 2, 3]); // ranges 4 and 5 never asked
    const [rest] = (await sender.send(batchRequest(readHeader(), [scanRequest(first.resumeSpan!.key, first.resumeSpan!.endKey!)]))).responses;
    expect(keysOf(rest)).toBe('efghij');
  });

  it('stops a limited reverse scan mid-range, resuming from the start of the request', async () => {
    const { cluster, sender } = await loaded();
    const [first] = (await sender.send(batchRequest(readHeader({ maxSpanRequestKeys: 4 }), [reverseScanRequest(enc('a'), enc('z'))]))).responses;
    expect(keysOf(first)).toBe('jihg');
    expect(dec(first.resumeSpan!.key)).toBe('a');
    expect(cluster.sends.map((s) => s.rangeId)).toEqual([5, 4]);
    const [rest] = (await sender.send(batchRequest(readHeader(), [reverseScanRequest(first.resumeSpan!.key, first.resumeSpan!.endKey!)]))).responses;
    expect(keysOf(rest)).toBe('fedcba');
  });

  it('answers later scans of a limited batch with their whole span once the limit is spent', async () => {
    const { sender } = await loaded();
    const requests: Request[] = [scanRequest(enc('a'), enc('c')), scanRequest(enc('e'), enc('z')), getRequest(enc('j'))];
    const [one, two, get] = (await sender.send(batchRequest(readHeader({ maxSpanRequestKeys: 2 }), requests))).responses as [ScanResponse, ScanResponse, { value: Uint8Array | undefined }];
    expect(keysOf(one)).toBe('ab');
    expect(one.resumeSpan).toBeUndefined();
    expect(keysOf(two)).toBe('');
    expect([dec(two.resumeSpan!.key), dec(two.resumeSpan!.endKey!)]).toEqual(['e', 'z']);
    expect(dec(get.value!)).toBe('J'); // points are still answered
  });

  it('sends the parts of a non-transactional read concurrently and those of a write one at a time', async () => {
    const cluster = new FakeCluster(['b', 'd', 'f', 'h']);
    let inFlight = 0;
    let inFlightMax = 0;
    const sender = new DistSender(new RangeCache(cluster.rangeLookup), async (id, desc, batch) => {
      inFlight += 1;
      inFlightMax = Math.max(inFlightMax, inFlight);
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
      try {
        return await cluster.transport(id, desc, batch);
      } finally {
        inFlight -= 1;
      }
    });
    await sender.send(batchRequest(writeHeader(), letters.map((l) => putRequest(enc(l), enc(l)))));
    expect(inFlightMax).toBe(1);
    const [scan] = (await sender.send(batchRequest(readHeader(), [scanRequest(enc('a'), enc('z'))]))).responses;
    expect(inFlightMax).toBe(5);
    expect(keysOf(scan)).toBe('abcdefghij');
  });

  it('recovers from a stale cache entry after a split through RangeKeyMismatch', async () => {
    const { cluster, sender, cache } = await loaded();
    const { right } = cluster.split('e'); // [d,f) becomes [d,e) and [e,f), both at generation 1
    const [scan] = (await sender.send(batchRequest(readHeader(), [scanRequest(enc('a'), enc('z'))]))).responses;
    expect(keysOf(scan)).toBe('abcdefghij');
    expect(cluster.sends.filter((s) => s.outcome === 'RangeKeyMismatchError').map((s) => s.rangeId)).toEqual([3]);
    expect(cache.cached(enc('e') as never)?.rangeId).toBe(right.rangeId);
    expect(cache.cached(enc('d') as never)?.generation).toBe(1);
    await sender.send(batchRequest(writeHeader(), [putRequest(enc('ee'), enc('EE'))]));
    expect(cluster.sends.at(-1)).toEqual({ rangeId: right.rangeId, kinds: ['put'], outcome: 'ok' });
  });

  it('sends a batch inside one cached range as it is, and one whose cached range went stale the long way', async () => {
    const { cluster, sender, cache } = await loaded();
    const txn = pendingTxn(0);
    const reads = batchRequest(batchHeader({ timestamp: txn.readTimestamp, txn }), [getRequest(enc('g')), scanRequest(enc('f'), enc('h'))]);
    const answer = await sender.send(reads);
    expect(cluster.sends).toEqual([{ rangeId: 4, kinds: ['get', 'scan'], outcome: 'ok' }]);
    expect(dec(answer.responses[0].value!)).toBe('G');
    expect(keysOf(answer.responses[1])).toBe('fg');
    expect(answer.header.txn).toEqual(txn);
    const { right } = cluster.split('e'); // the cached [d,f) is stale now
    const write = await sender.send(batchRequest(writeHeader(), [putRequest(enc('ee'), enc('EE')), getRequest(enc('e'))]));
    expect(dec(write.responses[1].value!)).toBe('E');
    expect(cluster.sends.slice(1).map((s) => [s.rangeId, s.outcome])).toEqual([
      [3, 'RangeKeyMismatchError'],
      [right.rangeId, 'ok'],
    ]);
    expect(cache.cached(enc('e') as never)?.rangeId).toBe(right.rangeId);
  });

  it('sends EndTxn alone and last when a transaction writes on several ranges', async () => {
    const cluster = new FakeCluster(['b', 'd', 'f', 'h']);
    const sender = new DistSender(new RangeCache(cluster.rangeLookup), cluster.transport);
    const txn: Transaction = pendingTxn(1);
    const commit = endTxnRequest({ key: enc('i'), commit: true, lockSpans: [span(enc('i')), span(enc('a'))] });
    const response = await sender.send(batchRequest(batchHeader({ timestamp: txn.readTimestamp, txn }), [putRequest(enc('i'), enc('I')), putRequest(enc('a'), enc('A')), commit]));
    expect(cluster.sends.map((s) => [s.rangeId, s.kinds.join()])).toEqual([
      [1, 'put'],
      [5, 'put'],
      [5, 'endTxn'],
    ]);
    expect(response.responses[2].txn.status).toBe('COMMITTED');
    expect(response.header.txn?.status).toBe('COMMITTED');
  });

  it('answers a transaction batch that failed on one range only once every other range answered', async () => {
    const cluster = new FakeCluster(['b', 'd', 'f', 'h']);
    let slowPartDone = false;
    // Range 1 fails at once; range 5 answers later. No part may still be in flight when the
    // batch fails: the coordinator would move on (restart, commit) with a write outstanding.
    const transport: RangeTransport = async (id, desc, batch) => {
      if (id === rangeId(1)) throw new WriteTooOldError(enc('a'), timestamp(10n), timestamp(11n));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const response = await cluster.transport(id, desc, batch);
      slowPartDone = true;
      return response;
    };
    const sender = new DistSender(new RangeCache(cluster.rangeLookup), transport);
    const txn: Transaction = pendingTxn(2);
    const batch = batchRequest(batchHeader({ timestamp: txn.readTimestamp, txn }), [putRequest(enc('i'), enc('I'), { sequence: 1 }), putRequest(enc('a'), enc('A'), { sequence: 2 })]);
    await expect(sender.send(batch)).rejects.toBeInstanceOf(WriteTooOldError);
    expect(slowPartDone).toBe(true);
  });

  it('gives up with a typed error after retriesMax routing retries', async () => {
    const replica = { nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' as const };
    const cluster = new FakeCluster([]);
    let calls = 0;
    const sender = new DistSender(
      new RangeCache(cluster.rangeLookup),
      () => {
        calls += 1;
        return Promise.reject(new NotLeaseholderError(rangeId(1), replica, undefined));
      },
      { retriesMax: 3 },
    );
    const failure = sender.send(batchRequest(readHeader(), [getRequest(enc('a'))]));
    await expect(failure).rejects.toBeInstanceOf(RoutingRetriesExhaustedError);
    await expect(failure).rejects.toMatchObject({ retries: 3, lastError: { code: 'NOT_LEASEHOLDER' } });
    expect(calls).toBe(4);
  });

  it('gives up on a meta that keeps returning a stale descriptor', async () => {
    const cluster = new FakeCluster(['m']);
    const stale = cluster.holder(enc('a'));
    cluster.split('c');
    const sender = new DistSender(new RangeCache(async () => stale), cluster.transport, { retriesMax: 2 });
    await expect(sender.send(batchRequest(writeHeader(), [putRequest(enc('d'), enc('D'))]))).rejects.toBeInstanceOf(RoutingRetriesExhaustedError);
    expect(cluster.sends.every((s) => s.outcome === 'RangeKeyMismatchError')).toBe(true);
  });

  it('backs off between routing retries while meta still names a range merged away (retried at once, the budget was spent before the merge was published)', async () => {
    // Regression (found by the KV simulator, src/sim/kv, seed 8): after a merge's trigger
    // applied, the right-hand range was gone while meta2's committed value (what an inconsistent
    // lookup reads) still named it until the merge's intents were resolved a Raft round later;
    // 16 immediate retries (each lookup answering the stale descriptor) ran out within
    // microseconds and the batch failed with RoutingRetriesExhaustedError.
    const cluster = new FakeCluster(['m']);
    const right = cluster.holder(enc('x'));
    const left = cluster.holder(enc('a'));
    cluster.ranges.delete(right.rangeId);
    cluster.ranges.get(left.rangeId)!.desc = { ...left, endKey: right.endKey, generation: left.generation + 1 };
    let elapsedMs = 0;
    const sleeps: number[] = [];
    const timers: Timers = {
      setTimeout: () => expect.fail('not used'),
      clearTimeout: () => undefined,
      sleep: (ms) => {
        sleeps.push(ms);
        elapsedMs += ms;
        return Promise.resolve();
      },
    };
    // Meta publishes the merge once 20 ms have passed.
    const lookup = async (key: Uint8Array) => (elapsedMs < 20 && dec(key) >= 'm' ? right : cluster.holder(key));
    const patient = new DistSender(new RangeCache(lookup), cluster.transport, { timers });
    await patient.send(batchRequest(writeHeader(), [putRequest(enc('x'), enc('X'))]));
    expect(sleeps).toEqual([1, 2, 4, 8, 16]); // none for the first two retries, then doubling
    const impatient = new DistSender(new RangeCache(async (key) => (dec(key) >= 'm' ? right : cluster.holder(key))), cluster.transport, { timers, retriesMax: 4 });
    await expect(impatient.send(batchRequest(writeHeader(), [putRequest(enc('y'), enc('Y'))]))).rejects.toBeInstanceOf(RoutingRetriesExhaustedError);
  });

  it('surfaces an ambiguous result without retrying it', async () => {
    const cluster = new FakeCluster([]);
    let calls = 0;
    const sender = new DistSender(new RangeCache(cluster.rangeLookup), () => {
      calls += 1;
      return Promise.reject(new AmbiguousResultError('connection lost'));
    });
    await expect(sender.send(batchRequest(writeHeader(), [putRequest(enc('a'), enc('A'))]))).rejects.toBeInstanceOf(AmbiguousResultError);
    expect(calls).toBe(1);
  });
});
