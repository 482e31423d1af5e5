/**
 * # kv/api: the boundary between the KV layer and txn/ and sql/
 *
 * Everything the layers above may know about KV is here (CockroachDB's `roachpb`/`kvpb`), and
 * nothing else: txn/ and sql/ import `kv/api` and `kv/client`, never `kv/storage` or
 * `kv/replica` (the layer rule, checked by dependency-cruiser). It is data and contracts, no
 * behaviour beyond building, checking and printing values.
 *
 * ```
 *   txn/ · sql/ ──── Sender.send(BatchRequest) ────► kv/client (DistSender) ──► Store ──► Replica
 *                    ◄─── BatchResponse | RangedbError ───┘
 *
 *   BatchRequest  { header: { timestamp, txn, rangeId, waitPolicy, now, readConsistency, limits },
 *                   requests:  [ get,  put,  scan, … ] }
 *   BatchResponse { header: { txn, now },
 *                   responses: [ get,  put,  scan, … ] }      same length, same kinds, same order
 * ```
 *
 * Files:
 * - `requests.ts`, `request-factories.ts` — the request union (one interface per command), the
 *   batch header, frozen factories and `is…Request` guards;
 * - `responses.ts`, `response-factories.ts` — the response union in lockstep, `ResponseFor<R>`
 *   and `BatchResponse<Rs>` typing each response by its request's position, `batchResponse`;
 * - `classify.ts` — `Record<RequestKind, …>` tables (read-only, admin, transactional),
 *   `requestKeys` (routing span and latches), `checkBatch` (the batch rules and limits);
 * - `sender.ts` — the `Sender` interface and its contract;
 * - `errors.ts` — routing, retryable, ambiguous and conflict errors with codes and SQLSTATEs;
 * - `transaction.ts` — the `Transaction` record/proto over MVCC's `TxnMeta`;
 * - `descriptor.ts` — `RangeDescriptor`, `Lease`, their validation and encodings;
 * - `span.ts` — `Span`, `RSpan`, key comparison, `keyNext`, `prefixEnd`;
 * - `keyspace.ts` — every key the system writes: local (range-id, range, store, lock table),
 *   meta1/meta2 addressing, system, table data; `addressKey`, `rangeMetaKey`;
 * - `describe.ts`, `pretty.ts` — keys taken apart and printed (`/Table/52/1/"alice"/7`).
 *
 * The order-preserving key encoding of kv/storage/keys is re-exported at the end so the SQL row
 * codec can build index keys without importing kv/storage.
 */
export * from './classify.js';
export * from './describe.js';
export * from './descriptor.js';
export * from './errors.js';
export * from './keyspace.js';
export * from './pretty.js';
export * from './request-factories.js';
export * from './requests.js';
export * from './response-factories.js';
export * from './responses.js';
export * from './sender.js';
export * from './span.js';
export * from './transaction.js';

// The order-preserving key encoding, for sql/rowcodec (its `prefixEnd` is span.ts's here).
export {
  KeyBuilder,
  KeyDecodeError,
  appendBool,
  appendBytes,
  appendDate,
  appendDecimal,
  appendFloat,
  appendInt,
  appendKeyValue,
  appendNull,
  appendText,
  appendTimestamp,
  appendTimestamptz,
  boolValue,
  bytesValue,
  compareKeyValues,
  dateValue,
  decimalValue,
  decodeKey,
  decodeKeyElements,
  encodeKey,
  floatValue,
  int32Max,
  int32Min,
  int64Max,
  int64Min,
  intValue,
  keyDirections,
  keyValueKinds,
  nullValue,
  readKeyValue,
  textValue,
  timestampValue,
  timestamptzValue,
} from '../storage/keys/index.js';
export type {
  BoolKeyValue,
  BytesKeyValue,
  DateKeyValue,
  DecimalKeyValue,
  DecodedKeyValue,
  Direction,
  FloatKeyValue,
  IntKeyValue,
  KeyValue,
  KeyValueKind,
  NullKeyValue,
  TextKeyValue,
  TimestampKeyValue,
  TimestamptzKeyValue,
} from '../storage/keys/index.js';
