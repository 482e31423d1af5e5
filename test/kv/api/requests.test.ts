/**
 * Requests: factories freeze and fill defaults, guards narrow exactly one kind, `requestKeys`
 * gives the right routing span and latches for every kind, the classification tables cover
 * every kind, and `checkBatch` enforces the batch rules.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, LimitExceededError } from '../../../src/base/errors.js';
import { limits } from '../../../src/base/limits.js';
import { nodeId, rangeId, replicaId, storeId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import * as api from '../../../kv/api/index.js';
import {
  adminKinds,
  batchHeader,
  batchRequest,
  checkBatch,
  endTxnRequest,
  getRequest,
  incrementRequest,
  isAdmin,
  isReadOnly,
  isRequestKind,
  isTransactional,
  putRequest,
  rangeDescriptor,
  rangeDescriptorKey,
  readOnlyKinds,
  requestKeys,
  requestKinds,
  scanRequest,
  transactionKey,
  transactionalKinds,
  type Request,
  type RequestKind,
  type RKey,
} from '../../../kv/api/index.js';
import { allSamples, enc, hex, sampleRequests, txnA, txnB } from './fixtures.js';

const guardName = (kind: RequestKind): string => `is${kind[0]!.toUpperCase()}${kind.slice(1)}Request`.replace('isGcRequest', 'isGCRequest');

describe('request factories and guards', () => {
  it('has one sample per kind, in the order of requestKinds', () => {
    expect(allSamples.map((r) => r.kind)).toEqual([...requestKinds]);
  });

  it.each(requestKinds)('%s: frozen, and its guard accepts it and rejects every other kind', (kind) => {
    const request = sampleRequests[kind];
    expect(Object.isFrozen(request)).toBe(true);
    const guard = (api as unknown as Record<string, (r: Request) => boolean>)[guardName(kind)];
    expect(guard, guardName(kind)).toBeTypeOf('function');
    for (const other of allSamples) {
      expect(guard!(other)).toBe(other.kind === kind);
      expect(isRequestKind(other, kind)).toBe(other.kind === kind);
    }
  });

  it('fills defaults explicitly', () => {
    expect(getRequest(enc('a')).keyLocking).toBe('none');
    expect(sampleRequests.conditionalPut.allowIfDoesNotExist).toBe(false);
    expect(sampleRequests.deleteRange.returnKeys).toBe(false);
    expect(sampleRequests.pushTxn.force).toBe(false);
    expect(hex(sampleRequests.pushTxn.key)).toBe(hex(txnB.key));
    expect(sampleRequests.resolveIntent.poison).toBe(false);
    expect(Object.isFrozen(sampleRequests.endTxn.lockSpans)).toBe(true);
  });

  it('asserts what only a bug gets wrong', () => {
    expect(() => scanRequest(enc('b'), enc('b'))).toThrow(/key must be < endKey/);
    expect(() => incrementRequest(enc('n'), 1n << 63n)).toThrow(/int64/);
    expect(() => endTxnRequest({ key: enc('a'), commit: false, inFlightWrites: [{ key: enc('a'), sequence: 1 }] })).toThrow(/in-flight/);
    expect(() => api.pushTxnRequest({ pusher: api.txnMeta(txnA), pushee: api.txnMeta(txnA), pushTo: timestamp(1n), pushType: 'abort' })).toThrow(/itself/);
    expect(() => api.resolveIntentRequest(enc('a'), { intentTxn: api.txnMeta(txnA), status: 'STAGING' })).toThrow(/PENDING/);
    expect(() => api.gcRequest(enc('a'), enc('c'), [{ key: enc('c'), timestamp: timestamp(1n) }], timestamp(1n))).toThrow(/outside/);
  });
});

describe('per-request sequence numbers', () => {
  it('every write factory carries an optional sequence, frozen with the request', () => {
    const writes = [
      putRequest(enc('p'), enc('v'), { sequence: 1 }),
      api.conditionalPutRequest(enc('p'), enc('v'), undefined, { sequence: 2, allowIfDoesNotExist: true }),
      incrementRequest(enc('n'), 1n, { sequence: 3 }),
      api.deleteRequest(enc('d'), { sequence: 4 }),
      api.deleteRangeRequest(enc('d'), enc('e'), { sequence: 5, returnKeys: true }),
    ];
    expect(writes.map((w) => w.sequence)).toEqual([1, 2, 3, 4, 5]);
    for (const w of writes) expect(Object.isFrozen(w)).toBe(true);
  });

  it('leaves a request without a sequence exactly as before (no property at all)', () => {
    for (const w of [sampleRequests.put, sampleRequests.conditionalPut, sampleRequests.increment, sampleRequests.delete, sampleRequests.deleteRange]) {
      expect('sequence' in w).toBe(false);
    }
    expect(putRequest(enc('p'), enc('v'), {})).toStrictEqual(putRequest(enc('p'), enc('v')));
  });

  it('asserts a sequence is a non-negative integer', () => {
    expect(() => putRequest(enc('p'), enc('v'), { sequence: -1 })).toThrow(/sequence/);
    expect(() => api.deleteRequest(enc('d'), { sequence: 1.5 })).toThrow(/sequence/);
    expect(api.deleteRequest(enc('d'), { sequence: 0 }).sequence).toBe(0);
  });
});

describe('requestKeys', () => {
  const recordA = (anchor: string): string => hex(transactionKey(enc(anchor), txnA.id));
  const recordB = (anchor: string): string => hex(transactionKey(enc(anchor), txnB.id));
  const expected: Record<RequestKind, { routing: [string, string | undefined]; latches: [string, string | undefined, 'read' | 'write'][] }> = {
    get: { routing: ['g', undefined], latches: [['g', undefined, 'read']] },
    scan: { routing: ['a', 'c'], latches: [['a', 'c', 'read']] },
    reverseScan: { routing: ['a', 'c'], latches: [['a', 'c', 'read']] },
    put: { routing: ['p', undefined], latches: [['p', undefined, 'write']] },
    conditionalPut: { routing: ['p', undefined], latches: [['p', undefined, 'write']] },
    increment: { routing: ['n', undefined], latches: [['n', undefined, 'write']] },
    delete: { routing: ['d', undefined], latches: [['d', undefined, 'write']] },
    deleteRange: { routing: ['d', 'e'], latches: [['d', 'e', 'write']] },
    endTxn: { routing: ['anchor', undefined], latches: [[recordA('anchor'), undefined, 'write'], ['p', undefined, 'write'], ['x', 'y', 'write']] },
    heartbeatTxn: { routing: ['anchor', undefined], latches: [[recordA('anchor'), undefined, 'write']] },
    pushTxn: { routing: ['other', undefined], latches: [[recordB('other'), undefined, 'write']] },
    queryTxn: { routing: ['other', undefined], latches: [[recordB('other'), undefined, 'read']] },
    queryIntent: { routing: ['w', undefined], latches: [['w', undefined, 'read']] },
    recoverTxn: { routing: ['other', undefined], latches: [[recordB('other'), undefined, 'write']] },
    resolveIntent: { routing: ['r', undefined], latches: [['r', undefined, 'write']] },
    resolveIntentRange: { routing: ['r', 's'], latches: [['r', 's', 'write']] },
    refresh: { routing: ['f', undefined], latches: [['f', undefined, 'read']] },
    refreshRange: { routing: ['f', 'g'], latches: [['f', 'g', 'read']] },
    gc: { routing: ['a', 'z'], latches: [['b', undefined, 'write'], ['c', undefined, 'write']] },
    clearRange: { routing: ['t', 'u'], latches: [['t', 'u', 'write']] },
    adminSplit: { routing: ['m', undefined], latches: [] },
    adminMerge: { routing: ['a', undefined], latches: [] },
  };
  // Plain keys in the table are text; transaction-record keys are already hex.
  const asHex = (k: string): string => (/^[0-9a-f]{40,}$/.test(k) ? k : hex(enc(k)));
  const show = (s: api.Span): [string, string | undefined] => [hex(s.key), s.endKey === undefined ? undefined : hex(s.endKey)];

  it.each(requestKinds)('%s', (kind) => {
    const keys = requestKeys(sampleRequests[kind], txnA.id);
    const want = expected[kind];
    expect(show(keys.routing)).toEqual([asHex(want.routing[0]), want.routing[1] === undefined ? undefined : asHex(want.routing[1])]);
    expect(keys.latches.map((l) => [...show(l.span), l.access])).toEqual(want.latches.map(([k, e, a]) => [asHex(k), e === undefined ? undefined : asHex(e), a]));
    expect(keys.writes).toBe(want.latches.some(([, , a]) => a === 'write'));
  });

  it('latches both descriptors and write-latches the right-hand span for a split or merge commit (it holds the data still and waits out reads evaluating over it: split-reader.test.ts)', () => {
    const replicas = [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' as const }];
    const left = rangeDescriptor({ rangeId: rangeId(1), startKey: enc('a') as RKey, endKey: enc('m') as RKey, replicas, nextReplicaId: replicaId(2), generation: 1 });
    const right = rangeDescriptor({ rangeId: rangeId(2), startKey: enc('m') as RKey, endKey: enc('z') as RKey, replicas, nextReplicaId: replicaId(2), generation: 1 });
    for (const kind of ['split', 'merge'] as const) {
      const keys = requestKeys(endTxnRequest({ key: enc('a'), commit: true, commitTrigger: { kind, left, right } }), txnA.id);
      expect(keys.latches.map((l) => [hex(l.span.key), l.span.endKey === undefined ? undefined : hex(l.span.endKey), l.access])).toEqual([
        [hex(transactionKey(enc('a'), txnA.id)), undefined, 'write'],
        [hex(rangeDescriptorKey(enc('a'))), undefined, 'write'],
        [hex(rangeDescriptorKey(enc('m'))), undefined, 'write'],
        [hex(enc('m')), hex(enc('z')), 'write'],
      ]);
    }
  });

  it('latches a locking read for writing', () => {
    expect(requestKeys(getRequest(enc('g'), 'exclusive')).writes).toBe(true);
    expect(requestKeys(scanRequest(enc('a'), enc('b'), 'shared')).latches[0]!.access).toBe('write');
  });

  it('needs the transaction for endTxn and heartbeatTxn', () => {
    expect(() => requestKeys(sampleRequests.endTxn)).toThrow(/needs the batch transaction/);
    expect(() => requestKeys(sampleRequests.heartbeatTxn)).toThrow(/needs the batch transaction/);
  });
});

describe('classification', () => {
  it('classifies every kind in every table, and nothing else', () => {
    for (const table of [readOnlyKinds, adminKinds, transactionalKinds]) expect(Object.keys(table).sort()).toEqual([...requestKinds].sort());
  });

  it('agrees with requestKeys: a read-only request never latches for writing (unless locking)', () => {
    for (const request of allSamples) {
      if (isReadOnly(request)) expect(requestKeys(request, txnA.id).writes, request.kind).toBe(false);
      else if (!isAdmin(request)) expect(requestKeys(request, txnA.id).writes, request.kind).toBe(true);
    }
  });

  it('names the admin, read-only and non-transactional kinds', () => {
    expect(requestKinds.filter((k) => isAdmin(k))).toEqual(['adminSplit', 'adminMerge']);
    expect(requestKinds.filter((k) => isReadOnly(k))).toEqual(['get', 'scan', 'reverseScan', 'queryTxn', 'queryIntent', 'refresh', 'refreshRange']);
    expect(requestKinds.filter((k) => !isTransactional(k))).toEqual(['pushTxn', 'queryTxn', 'queryIntent', 'recoverTxn', 'resolveIntent', 'resolveIntentRange', 'gc', 'clearRange', 'adminSplit', 'adminMerge']);
    expect(requestKinds.filter((k) => transactionalKinds[k] === 'required')).toEqual(['endTxn', 'heartbeatTxn', 'refresh', 'refreshRange']);
  });
});

describe('batches', () => {
  const plain = batchHeader({ timestamp: timestamp(10n) });
  const inTxn = batchHeader({ timestamp: txnA.readTimestamp, txn: txnA });

  it('fills header defaults and freezes the batch', () => {
    expect(plain).toMatchObject({ waitPolicy: 'block', readConsistency: 'consistent', maxSpanRequestKeys: 0, targetBytes: 0, txn: undefined, rangeId: undefined });
    expect(plain.now).toBe(plain.timestamp);
    const batch = batchRequest(batchHeader({ timestamp: timestamp(1n), rangeId: rangeId(4), waitPolicy: 'error' }), [getRequest(enc('a'))]);
    expect(Object.isFrozen(batch) && Object.isFrozen(batch.requests) && Object.isFrozen(batch.header)).toBe(true);
    expect(batch.header.waitPolicy).toBe('error');
    expect(() => batchHeader({ timestamp: timestamp(1n), maxSpanRequestKeys: -1 })).toThrow(/maxSpanRequestKeys/);
  });

  it('accepts well-formed batches', () => {
    expect(() => checkBatch(batchRequest(plain, [getRequest(enc('a')), putRequest(enc('b'), enc('v'))]))).not.toThrow();
    expect(() => checkBatch(batchRequest(inTxn, [putRequest(enc('b'), enc('v')), sampleRequests.endTxn]))).not.toThrow();
    expect(() => checkBatch(batchRequest(plain, [sampleRequests.adminSplit]))).not.toThrow();
  });

  it.each([
    ['empty batch', plain, []],
    ['alone in its batch', plain, [sampleRequests.adminSplit, getRequest(enc('a'))]],
    ['endTxn (request 0) needs a transaction', plain, [sampleRequests.endTxn]],
    ['refresh (request 0) needs a transaction', plain, [sampleRequests.refresh]],
    ['pushTxn (request 0) cannot be part of a transaction', inTxn, [sampleRequests.pushTxn]],
    ['endTxn must be the last', inTxn, [sampleRequests.endTxn, putRequest(enc('b'), enc('v'))]],
    ['get key /"\\x01ka" is outside the addressable keyspace', plain, [getRequest(Uint8Array.of(0x01, 0x6b, 0x61))]],
    ['get key /"\\xff\\xff\\x00" is outside the addressable keyspace', plain, [getRequest(Uint8Array.of(0xff, 0xff, 0x00))]],
    ['scan key /Min is outside the addressable keyspace', plain, [scanRequest(new Uint8Array(0), enc('b'))]],
    ["its transaction's read timestamp", batchHeader({ timestamp: timestamp(11n), txn: txnA }), [getRequest(enc('a'))]],
  ] as const)('rejects: %s', (message, header, requests) => {
    const check = (): void => checkBatch(batchRequest(header, requests));
    expect(check).toThrow(InvalidInputError);
    expect(check).toThrow(message);
  });

  it('rejects oversized keys and values with LimitExceededError', () => {
    const bigKey = new Uint8Array(limits.keyBytesMax + 1).fill(0x61);
    expect(() => checkBatch(batchRequest(plain, [getRequest(bigKey)]))).toThrow(LimitExceededError);
    expect(() => checkBatch(batchRequest(plain, [scanRequest(enc('a'), bigKey)]))).toThrow(/keyBytesMax/);
    const bigValue = { kind: 'put', key: enc('a'), value: { length: limits.valueBytesMax + 1 } } as unknown as Request;
    expect(() => checkBatch(batchRequest(plain, [bigValue]))).toThrow(/valueBytesMax/);
  });
});
