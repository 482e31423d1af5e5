/**
 * Responses: in lockstep with requests at the type level (`ResponseFor`, `BatchResponse<Rs>`)
 * and at run time (`batchResponse` asserts), with factories and guards for every kind.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { rangeId, replicaId, nodeId, storeId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import * as api from '../../../kv/api/index.js';
import {
  adminMergeResponse,
  adminSplitResponse,
  batchHeader,
  batchRequest,
  batchResponse,
  conditionalPutResponse,
  deleteRangeResponse,
  deleteResponse,
  endTxnResponse,
  gcResponse,
  clearRangeResponse,
  getRequest,
  getResponse,
  heartbeatTxnResponse,
  incrementResponse,
  isResponseKind,
  pushTxnResponse,
  putRequest,
  putResponse,
  queryTxnResponse,
  queryIntentResponse,
  recoverTxnResponse,
  rangeDescriptor,
  refreshRangeResponse,
  refreshResponse,
  requestKinds,
  resolveIntentRangeResponse,
  resolveIntentResponse,
  reverseScanResponse,
  scanRequest,
  scanResponse,
  span,
  type BatchResponse,
  type GetRequest,
  type GetResponse,
  type PutRequest,
  type PutResponse,
  type RangeDescriptor,
  type RequestKind,
  type Response,
  type ResponseFor,
  type ResponseOf,
  type RKey,
  type ScanResponse,
  type Sender,
} from '../../../kv/api/index.js';
import { enc, sampleRequests, txnA } from './fixtures.js';

const desc = (start: string, end: string, id: number): RangeDescriptor =>
  rangeDescriptor({ rangeId: rangeId(id), startKey: enc(start) as RKey, endKey: enc(end) as RKey, replicas: [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' }], nextReplicaId: replicaId(2), generation: 1 });

const sampleResponses: { readonly [K in RequestKind]: ResponseOf<K> } = {
  get: getResponse(enc('v'), timestamp(3n)),
  scan: scanResponse({ rows: [{ key: enc('a'), value: enc('1'), timestamp: timestamp(1n) }], resumeSpan: span(enc('b'), enc('c')), resumeReason: 'keyLimit' }),
  reverseScan: reverseScanResponse({ rows: [] }),
  put: putResponse(),
  conditionalPut: conditionalPutResponse(),
  increment: incrementResponse(6n),
  delete: deleteResponse(true),
  deleteRange: deleteRangeResponse([enc('d')]),
  endTxn: endTxnResponse({ ...txnA, status: 'COMMITTED' }, true),
  heartbeatTxn: heartbeatTxnResponse(txnA),
  pushTxn: pushTxnResponse(txnA),
  queryTxn: queryTxnResponse(txnA),
  queryIntent: queryIntentResponse(true),
  recoverTxn: recoverTxnResponse({ ...txnA, status: 'COMMITTED' }),
  resolveIntent: resolveIntentResponse(),
  resolveIntentRange: resolveIntentRangeResponse(),
  refresh: refreshResponse(),
  refreshRange: refreshRangeResponse(),
  gc: gcResponse(),
  clearRange: clearRangeResponse(span(enc('t'), enc('u'))),
  adminSplit: adminSplitResponse(desc('a', 'm', 1), desc('m', 'z', 2)),
  adminMerge: adminMergeResponse(desc('a', 'z', 1)),
};

describe('response factories and guards', () => {
  it.each(requestKinds)('%s: frozen, same kind as its request, and only its guard accepts it', (kind) => {
    const response = sampleResponses[kind];
    expect(response.kind).toBe(sampleRequests[kind].kind);
    expect(Object.isFrozen(response)).toBe(true);
    const name = `is${kind[0]!.toUpperCase()}${kind.slice(1)}Response`.replace('isGcResponse', 'isGCResponse');
    const guard = (api as unknown as Record<string, (r: Response) => boolean>)[name];
    expect(guard, name).toBeTypeOf('function');
    for (const other of Object.values(sampleResponses)) {
      expect(guard!(other)).toBe(other.kind === kind);
      expect(isResponseKind(other, kind)).toBe(other.kind === kind);
    }
  });

  it('pairs values with timestamps and resume spans with reasons', () => {
    expect(() => getResponse(enc('v'), undefined)).toThrow(/timestamp/);
    expect(() => scanResponse({ rows: [], resumeSpan: span(enc('a'), enc('b')) })).toThrow(/reason/);
    expect(getResponse(undefined, undefined).value).toBeUndefined();
  });
});

describe('lockstep', () => {
  const header = batchHeader({ timestamp: timestamp(10n) });

  it('types each response by the kind of the request at its position', () => {
    expectTypeOf<ResponseFor<GetRequest>>().toEqualTypeOf<GetResponse>();
    expectTypeOf<ResponseFor<PutRequest>>().toEqualTypeOf<PutResponse>();
    const batch = batchRequest(header, [getRequest(enc('a')), putRequest(enc('b'), enc('v')), scanRequest(enc('a'), enc('c'))]);
    type Answer = BatchResponse<typeof batch.requests>;
    expectTypeOf<Answer['responses'][0]>().toEqualTypeOf<GetResponse>();
    expectTypeOf<Answer['responses'][1]>().toEqualTypeOf<PutResponse>();
    expectTypeOf<Answer['responses'][2]>().toEqualTypeOf<ScanResponse>();
    expect(api.responseKindsMatch).toBe(true);
  });

  it('builds a batch response whose positions match the requests', async () => {
    const batch = batchRequest(header, [getRequest(enc('a')), putRequest(enc('b'), enc('v'))]);
    const sender: Sender = {
      send: (b) => Promise.resolve(batchResponse(b, { txn: undefined, now: timestamp(11n) }, [getResponse(enc('x'), timestamp(9n)), putResponse()])),
    };
    const answer = await sender.send(batch);
    // Typed without a cast: responses[0] is a GetResponse.
    expect(answer.responses[0].value).toEqual(enc('x'));
    expect(answer.responses[1].kind).toBe('put');
    expect(answer.header.now).toEqual(timestamp(11n));
    expect(Object.isFrozen(answer.responses)).toBe(true);
  });

  it('asserts on a response of the wrong kind or count', () => {
    const batch = batchRequest(header, [getRequest(enc('a')), putRequest(enc('b'), enc('v'))]);
    const h = { txn: undefined, now: timestamp(1n) };
    expect(() => batchResponse(batch, h, [getResponse(undefined, undefined)])).toThrow(/1 responses for 2 requests/);
    expect(() => batchResponse(batch, h, [putResponse(), getResponse(undefined, undefined)])).toThrow(/response 0 is put, request is get/);
  });
});
