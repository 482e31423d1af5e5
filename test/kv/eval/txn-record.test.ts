/** The transaction record encoding: round trips, rejects what it cannot read, and its key. */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/base/errors.js';
import { txnId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import { span, transaction, transactionKey, type Transaction } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { Batch } from '../../../kv/storage/batch.js';
import { computeStats, mvccScan } from '../../../kv/storage/mvcc/index.js';
import { decodeTxnRecord, encodeTxnRecord, readTxnRecord, synthesizeTxnRecord, txnRecordEngineKey, txnRecordPrefix, writeTxnRecord } from '../../../kv/eval/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const full: Transaction = transaction({
  id: txnId('0123456789abcdef0123456789abcdef'),
  key: Uint8Array.of(0xf0, 0x00, 0xff, 0x01),
  epoch: 3,
  writeTimestamp: timestamp((1n << 63n) + 12345n, 7),
  minTimestamp: timestamp(10n, 1),
  priority: 2_147_483_647,
  sequence: 42,
  name: 'sql txn "quoted" ✓',
  status: 'STAGING',
  readTimestamp: timestamp(20n),
  globalUncertaintyLimit: timestamp(510n),
  ignoredSequences: [
    { start: 1, end: 2 },
    { start: 5, end: 5 },
  ],
  lockSpans: [span(enc('a')), span(enc('b'), enc('c'))],
  inFlightWrites: [{ key: enc('w'), sequence: 9 }],
  lastHeartbeat: timestamp(99n, 3),
});

describe('transaction record encoding', () => {
  it('round-trips every field, including 64-bit timestamps and empty spans', () => {
    const decoded = decodeTxnRecord(encodeTxnRecord(full));
    expect(decoded).toEqual(full);
    expect(decoded.writeTimestamp.wallNanos).toBe((1n << 63n) + 12345n);
    expect(decoded.lockSpans[0]!.endKey).toBeUndefined();
    expect(Object.isFrozen(decoded)).toBe(true);
  });

  it('round-trips a minimal synthesized record', () => {
    const minimal = synthesizeTxnRecord(full);
    expect(minimal.status).toBe('PENDING');
    expect(decodeTxnRecord(encodeTxnRecord(minimal))).toEqual(minimal);
  });

  it('starts with a version byte and refuses an unknown version or corrupt body', () => {
    const bytes = encodeTxnRecord(full);
    expect(bytes[0]).toBe(1);
    const future = Uint8Array.from(bytes);
    future[0] = 2;
    expect(() => decodeTxnRecord(future)).toThrow(StorageError);
    const badStatus = new TextEncoder().encode(new TextDecoder().decode(bytes.subarray(1)).replace('"STAGING"', '"LOST"'));
    expect(() => decodeTxnRecord(Uint8Array.of(1, ...badStatus))).toThrow(StorageError);
  });

  it('stores the record beside the lock table, out of MVCC data scans and stats', async () => {
    const engine = new MemoryEngine();
    const batch = new Batch(engine);
    writeTxnRecord(batch, full);
    await engine.commit(batch.ops, { sync: false });
    expect(readTxnRecord(engine, full.key, full.id)).toEqual(full);
    expect(readTxnRecord(engine, enc('other'), full.id)).toBeUndefined();
    const key = txnRecordEngineKey(full.key, full.id);
    expect(Buffer.from(key.subarray(0, 3))).toEqual(Buffer.from(txnRecordPrefix));
    expect(Buffer.from(key.subarray(3))).toEqual(Buffer.from(transactionKey(full.key, full.id)));
    const scan = await mvccScan(engine, new Uint8Array(0), Uint8Array.of(0xff, 0xff), timestamp(1000n));
    expect(scan.rows).toEqual([]);
    expect((await computeStats(engine, new Uint8Array(0), Uint8Array.of(0xff, 0xff))).keyCount).toBe(0);
  });
});
