/**
 * The committer's lock footprint: past its limit the lock spans are condensed, in key order,
 * into covering spans, so a transaction that wrote 100,000 keys sends a small EndTxn.
 */
import { describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, compareKeys, endTxnRequest, putRequest, type BatchRequest, type BatchResponse } from '../../kv/api/index.js';
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
});
