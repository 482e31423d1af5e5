/** Shared values for the kv/api tests: a transaction, and one sample request per kind. */
import { txnId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import {
  adminMergeRequest,
  adminSplitRequest,
  conditionalPutRequest,
  deleteRangeRequest,
  deleteRequest,
  endTxnRequest,
  gcRequest,
  clearRangeRequest,
  getRequest,
  heartbeatTxnRequest,
  incrementRequest,
  pushTxnRequest,
  putRequest,
  queryTxnRequest,
  queryIntentRequest,
  recoverTxnRequest,
  refreshRangeRequest,
  refreshRequest,
  resolveIntentRangeRequest,
  resolveIntentRequest,
  reverseScanRequest,
  scanRequest,
  span,
  transaction,
  txnMeta,
  type Request,
  type RequestKind,
  type RequestOf,
  type Transaction,
} from '../../../kv/api/index.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export const txnA: Transaction = transaction({
  id: txnId('0123456789abcdef0123456789abcdef'),
  key: enc('anchor'),
  epoch: 0,
  writeTimestamp: timestamp(20n),
  minTimestamp: timestamp(10n),
  priority: 5,
  sequence: 3,
  name: 'sql txn',
  status: 'PENDING',
  readTimestamp: timestamp(10n),
  globalUncertaintyLimit: timestamp(510n),
  ignoredSequences: [],
  lockSpans: [],
  inFlightWrites: [],
  lastHeartbeat: timestamp(0n),
});

export const txnB: Transaction = transaction({ ...txnA, id: txnId('fedcba9876543210fedcba9876543210'), key: enc('other') });

/** One request of every kind; a `Record` so a new kind must be added here to compile. */
export const sampleRequests: { readonly [K in RequestKind]: RequestOf<K> } = {
  get: getRequest(enc('g')),
  scan: scanRequest(enc('a'), enc('c')),
  reverseScan: reverseScanRequest(enc('a'), enc('c')),
  put: putRequest(enc('p'), enc('v')),
  conditionalPut: conditionalPutRequest(enc('p'), enc('v'), undefined),
  increment: incrementRequest(enc('n'), 5n),
  delete: deleteRequest(enc('d')),
  deleteRange: deleteRangeRequest(enc('d'), enc('e')),
  endTxn: endTxnRequest({ key: enc('anchor'), commit: true, lockSpans: [span(enc('p')), span(enc('x'), enc('y'))] }),
  heartbeatTxn: heartbeatTxnRequest(enc('anchor'), timestamp(30n)),
  pushTxn: pushTxnRequest({ pusher: txnMeta(txnA), pushee: txnMeta(txnB), pushTo: timestamp(40n), pushType: 'timestamp' }),
  queryTxn: queryTxnRequest(txnMeta(txnB)),
  queryIntent: queryIntentRequest(enc('w'), { txn: txnMeta(txnB), sequence: 3, prevent: true }),
  recoverTxn: recoverTxnRequest(txnMeta(txnB), true),
  resolveIntent: resolveIntentRequest(enc('r'), { intentTxn: txnMeta(txnB), status: 'COMMITTED' }),
  resolveIntentRange: resolveIntentRangeRequest(enc('r'), enc('s'), { intentTxn: txnMeta(txnB), status: 'ABORTED' }),
  refresh: refreshRequest(enc('f'), timestamp(5n)),
  refreshRange: refreshRangeRequest(enc('f'), enc('g'), timestamp(5n)),
  gc: gcRequest(enc('a'), enc('z'), [{ key: enc('b'), timestamp: timestamp(3n) }, { key: enc('c'), timestamp: timestamp(4n) }], timestamp(4n)),
  clearRange: clearRangeRequest(enc('t'), enc('u')),
  adminSplit: adminSplitRequest(enc('m')),
  adminMerge: adminMergeRequest(enc('a')),
};

export const allSamples: readonly Request[] = Object.values(sampleRequests);
