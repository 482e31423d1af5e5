/**
 * The committer's lock footprint: past its limit the lock spans are condensed, in key order,
 * into covering spans, so a transaction that wrote 100,000 keys sends a small EndTxn; and only
 * the keys a locking read really locked are in it (review finding L3: SKIP LOCKED's lock probes
 * and skipped Gets each left a key to resolve at commit, a probe error the whole scan span).
 */
import { describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, batchResponse, compareKeys, endTxnRequest, getRequest, getResponse, putRequest, scanRequest, scanResponse, type BatchRequest, type BatchResponse } from '../../kv/api/index.js';
import { Committer } from '../../txn/index.js';
import { enc, ts } from './harness.js';

const key = (i: number): Uint8Array => enc(`k${String(i).padStart(4, '0')}`);

describe('Committer', () => {
  it('condenses past lockSpansMax into spans that cover every key written', async () => {
    const committer = new Committer({ lockSpansMax: 100, condensedTo: 10 });
    const sent: BatchRequest[] = [];
    const next = (batch: BatchRequest): Promise<BatchResponse> => {
      sent.push(batch);
      return Promise.resolve(undefined as unknown as BatchResponse); // the committer passes responses through
    };
    const header = batchHeader({ timestamp: ts(1n) });
    const order = Array.from({ length: 150 }, (_, i) => (i * 37) % 150); // written out of key order
    for (const i of order) await committer.send(batchRequest(header, [putRequest(key(i), enc('v'))]), next);
    expect(committer.lockSpans.length).toBeLessThanOrEqual(100);
    await committer.send(batchRequest(header, [endTxnRequest({ key: key(0), commit: true })]), next);
    const endTxn = sent.at(-1)!.requests.at(-1)!;
    expect(endTxn.kind).toBe('endTxn');
    const spans = endTxn.kind === 'endTxn' ? endTxn.lockSpans : [];
    for (let i = 0; i < 150; i++) {
      const k = key(i);
      const covered = spans.some((s) => compareKeys(s.key, k) <= 0 && (s.endKey === undefined ? compareKeys(s.key, k) === 0 : compareKeys(k, s.endKey) < 0));
      expect(covered, `key ${i} is covered`).toBe(true);
    }
  });

  describe('locking reads', () => {
    const header = batchHeader({ timestamp: ts(1n) });
    /** A next() that answers each Get with `values[key]` (absent: no value) and each Scan with `rows`. */
    const answering =
      (values: ReadonlyMap<string, string>, rows: readonly number[] = []) =>
      (batch: BatchRequest): Promise<BatchResponse> =>
        Promise.resolve(
          batchResponse(
            batch,
            { txn: undefined, now: ts(1n) },
            batch.requests.map((request) => {
              if (request.kind === 'get') {
                const value = values.get(new TextDecoder().decode(request.key));
                return value === undefined ? getResponse(undefined, undefined) : getResponse(enc(value), ts(1n));
              }
              return scanResponse({ rows: rows.map((i) => ({ key: key(i), value: enc('v'), timestamp: ts(1n) })) });
            }),
          ),
        );
    const keys = (committer: Committer): string[] => committer.lockSpans.map((s) => new TextDecoder().decode(s.key) + (s.endKey === undefined ? '' : `..${new TextDecoder().decode(s.endKey)}`));

    it('records only the keys a locking Get returned a value for (the ones the replica locked)', async () => {
      const committer = new Committer();
      const gets = [getRequest(key(1), 'exclusive'), getRequest(key(2), 'exclusive'), getRequest(key(3), 'shared')];
      await committer.send(batchRequest(header, gets), answering(new Map([[`k0001`, 'a'], [`k0003`, 'c']])));
      expect(keys(committer)).toEqual(['k0001', 'k0003']);
    });

    it('records nothing for lock probes, which lock nothing, even when they fail', async () => {
      const committer = new Committer();
      await committer.send(batchRequest(header, [scanRequest(key(0), key(9), 'exclusive', { lockProbe: true }), getRequest(key(5), 'exclusive', { lockProbe: true })]), answering(new Map([[`k0005`, 'e']]), [1, 2, 3]));
      expect(keys(committer)).toEqual([]);
      const failing = (): Promise<BatchResponse> => Promise.reject(new Error('connection lost'));
      await expect(committer.send(batchRequest(header, [scanRequest(key(0), key(9), 'exclusive', { lockProbe: true })]), failing)).rejects.toThrow('connection lost');
      expect(keys(committer)).toEqual([]);
      // A locking read whose outcome is unknown still records its whole span.
      await expect(committer.send(batchRequest(header, [getRequest(key(7), 'exclusive')]), failing)).rejects.toThrow('connection lost');
      expect(keys(committer)).toEqual(['k0007']);
    });
  });
});
