/**
 * `evaluateBatch` beyond the scripts: the one-phase-commit predicate, the increment codec, the
 * statistics restored after a failed batch, a write that lands above the transaction's write
 * timestamp moving the transaction (and the batch's later writes) up, and a replay never moving
 * it down.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { txnId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import {
  batchHeader,
  batchRequest,
  compareKeys,
  deleteRangeRequest,
  endTxnRequest,
  deleteRequest,
  getRequest,
  incrementRequest,
  isReadOnly,
  mvccTxn,
  putRequest,
  requestSpan,
  resolveIntentRequest,
  span,
  spanContains,
  transaction,
  txnMeta,
  type CommitTrigger,
  type Transaction,
} from '../../../kv/api/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { emptyStats, mvccGet } from '../../../kv/storage/mvcc/index.js';
import { decodeInt64, encodeInt64, evaluateBatch, isOnePhaseCommit, NonIntegerValueError } from '../../../kv/eval/index.js';
import { desc, enc, state } from './range-fixture.js';

const txn: Transaction = transaction({
  id: txnId('0123456789abcdef0123456789abcdef'),
  key: enc('a'),
  epoch: 0,
  writeTimestamp: timestamp(10n),
  minTimestamp: timestamp(10n),
  priority: 1,
  sequence: 0,
  name: 't',
  status: 'PENDING',
  readTimestamp: timestamp(10n),
  globalUncertaintyLimit: timestamp(10n),
  ignoredSequences: [],
  lockSpans: [],
  inFlightWrites: [],
  lastHeartbeat: timestamp(0n),
});
const header = (t: Transaction = txn) => batchHeader({ timestamp: t.readTimestamp, txn: t });
const commit = (lockSpans = [span(enc('a')), span(enc('b'))], extra: { deadline?: ReturnType<typeof timestamp>; commitTrigger?: CommitTrigger } = {}) =>
  endTxnRequest({ key: enc('a'), commit: true, lockSpans, ...extra });

describe('isOnePhaseCommit', () => {
  const writes = [putRequest(enc('a'), enc('1')), putRequest(enc('b'), enc('2'))] as const;

  it('holds for a batch with every write of its transaction, committing it', () => {
    expect(isOnePhaseCommit(state(), batchRequest(header(), [...writes, commit()]))).toBe(true);
  });

  it('fails without a commit, with a pushed timestamp, a trigger, a passed deadline, or a lock not written here', () => {
    expect(isOnePhaseCommit(state(), batchRequest(header(), [...writes, endTxnRequest({ key: enc('a'), commit: false, lockSpans: [span(enc('a'))] })]))).toBe(false);
    const pushed = transaction({ ...txn, writeTimestamp: timestamp(20n) });
    expect(isOnePhaseCommit(state(), batchRequest(header(pushed), [...writes, commit()]))).toBe(false);
    expect(isOnePhaseCommit(state(), batchRequest(header(), [...writes, commit(undefined, { commitTrigger: { kind: 'split', left: desc, right: desc } })]))).toBe(false);
    expect(isOnePhaseCommit(state(), batchRequest(header(), [...writes, commit(undefined, { deadline: timestamp(10n) })]))).toBe(false);
    expect(isOnePhaseCommit(state(), batchRequest(header(), [writes[0], getRequest(enc('b')), commit()]))).toBe(false);
    expect(isOnePhaseCommit(state(), batchRequest(header(), [...writes, commit([span(enc('a')), span(enc('b')), span(enc('x'))])]))).toBe(false);
  });

  // Each lock span must lie inside one write of the batch: the same answer as checking every
  // write for every lock (the quadratic scan `isOnePhaseCommit` did before), for points, ranges,
  // a point's end `k\0` met by a range's end, and reads that cover nothing.
  it('agrees with checking every write for every lock span', () => {
    const keyArb = fc.constantFrom('b', 'b\0', 'c', 'c\0', 'd', 'e').map(enc);
    const spanArb = fc.oneof(
      keyArb.map((key) => span(key)),
      fc.tuple(keyArb, keyArb).filter(([x, y]) => compareKeys(x, y) < 0).map(([x, y]) => span(x, y)),
    );
    const requestArb = fc.oneof(
      spanArb.map((s) => (s.endKey === undefined ? putRequest(s.key, enc('v')) : deleteRangeRequest(s.key, s.endKey))),
      keyArb.map((key) => deleteRequest(key)),
      keyArb.map((key) => getRequest(key)),
    );
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 6 }), fc.array(spanArb, { maxLength: 6 }), (requests, locks) => {
        const covered = locks.every((lock) => requests.some((request) => !isReadOnly(request) && spanContains(requestSpan(request), lock)));
        expect(isOnePhaseCommit(state(), batchRequest(header(), [...requests, commit(locks)]))).toBe(covered);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('holds for a large batch whose lock spans come in another order, and commits it in one phase', async () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => enc(`b${i.toString().padStart(6, '0')}`));
    const puts = keys.map((key, i) => putRequest(key, enc(String(i))));
    const locks = keys.map((key) => span(key)).reverse();
    expect(isOnePhaseCommit(state(), batchRequest(header(), [...puts.slice(1), commit(locks)]))).toBe(false); // the first key is not written
    expect(isOnePhaseCommit(state(), batchRequest(header(), [...puts, commit([...locks, span(enc('b'), enc('c'))])]))).toBe(false);
    const engine = new MemoryEngine();
    const rw = new Batch(engine);
    const result = await evaluateBatch(state(), rw, batchRequest(header(), [...puts, commit(locks)]));
    expect(result.onePhaseCommit).toBe(true);
    await engine.commit(rw.ops, { sync: false });
    for (const i of [0, 9_999, 19_999]) {
      // Inconsistent: an intent would be read around and listed, not fail the read.
      const read = await mvccGet(engine, keys[i]!, timestamp(10n), { inconsistent: true });
      expect(new TextDecoder().decode(read.value?.value)).toBe(String(i));
      expect(read.intents).toEqual([]); // committed values: no intent
    }
  });
});

describe('increment codec', () => {
  it('round-trips the int64 range big-endian and refuses other lengths', () => {
    for (const value of [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n)]) expect(decodeInt64(encodeInt64(value))).toBe(value);
    expect(Buffer.from(encodeInt64(258n)).toString('hex')).toBe('0000000000000102');
    expect(() => decodeInt64(new Uint8Array(7))).toThrow(NonIntegerValueError);
  });
});

describe('evaluateBatch', () => {
  it('restores the statistics of a batch that fails part-way', async () => {
    const s = state();
    const rw = new Batch(new MemoryEngine());
    const batch = batchRequest(batchHeader({ timestamp: timestamp(5n) }), [putRequest(enc('b'), enc('1')), putRequest(enc('z'), enc('out of range'))]);
    await expect(evaluateBatch(s, rw, batch)).rejects.toThrow(/outside of bounds/);
    expect(s.stats).toEqual(emptyStats());
  });

  it('moves the transaction up when its write lands above its write timestamp, and later writes with it', async () => {
    const engine = new MemoryEngine();
    const s = state();
    const first = new Batch(engine);
    await evaluateBatch(s, first, batchRequest(header(), [putRequest(enc('b'), enc('1'))]));
    await engine.commit(first.ops, { sync: false });
    // A pusher moved the intent to 20 (PENDING resolution with the pushed timestamp).
    const push = new Batch(engine);
    const pushedMeta = { ...txnMeta(txn), writeTimestamp: timestamp(20n) };
    await evaluateBatch(s, push, batchRequest(batchHeader({ timestamp: timestamp(20n) }), [resolveIntentRequest(enc('b'), { intentTxn: pushedMeta, status: 'PENDING' })]));
    await engine.commit(push.ops, { sync: false });
    const next = transaction({ ...txn, sequence: 1 });
    const result = await evaluateBatch(s, new Batch(engine), batchRequest(header(next), [putRequest(enc('b'), enc('2')), putRequest(enc('c'), enc('3'))]));
    expect(result.updatedTxn?.writeTimestamp).toEqual(timestamp(20n));
    expect(result.onePhaseCommit).toBe(false);
  });

  // Regression: a replay answers with its intent's timestamp, which lies below the batch's write
  // timestamp when the batch was pushed since (the timestamp cache, a refresh to a refused
  // EndTxn's pushedTo); taken as the transaction's new write timestamp, it moved the
  // transaction back and the batch's later writes landed below the reads that had pushed it.
  it('a replayed write never moves the transaction back below its write timestamp', async () => {
    const engine = new MemoryEngine();
    const s = state();
    const first = new Batch(engine);
    await evaluateBatch(s, first, batchRequest(header(), [putRequest(enc('b'), enc('1'), { sequence: 1 })]));
    await engine.commit(first.ops, { sync: false });
    // The batch goes again, pushed to 30, with a write the first attempt did not have.
    const pushed = transaction({ ...txn, writeTimestamp: timestamp(30n), sequence: 2 });
    const again = new Batch(engine);
    const result = await evaluateBatch(s, again, batchRequest(header(pushed), [putRequest(enc('b'), enc('1'), { sequence: 1 }), putRequest(enc('c'), enc('2'), { sequence: 2 })]));
    expect(result.updatedTxn?.writeTimestamp ?? pushed.writeTimestamp).toEqual(timestamp(30n));
    await engine.commit(again.ops, { sync: false });
    const c = await mvccGet(engine, enc('c'), timestamp(40n), { inconsistent: true });
    expect(c.intents.map((intent) => intent.txn.writeTimestamp)).toEqual([timestamp(30n)]);
  });

  // Regression (review): a read-modify-write replayed at the sequence it already wrote read its
  // own write at that sequence, so an Increment computed a second sum (and failed the replay check
  // with IdempotencyMismatchError) and a Delete answered foundKey false. A replay must answer as
  // the original did: the read is of what the transaction saw just before that sequence.
  it('a replayed Increment or Delete answers as the original, without applying twice', async () => {
    const engine = new MemoryEngine();
    const s = state();
    const seed = new Batch(engine);
    await evaluateBatch(s, seed, batchRequest(batchHeader({ timestamp: timestamp(5n) }), [putRequest(enc('d'), enc('v'))]));
    await engine.commit(seed.ops, { sync: false });
    const requests = [incrementRequest(enc('b'), 5n, { sequence: 1 }), incrementRequest(enc('b'), 2n, { sequence: 2 }), deleteRequest(enc('d'), { sequence: 3 })];
    const first = new Batch(engine);
    const original = await evaluateBatch(s, first, batchRequest(header(transaction({ ...txn, sequence: 3 })), requests));
    await engine.commit(first.ops, { sync: false });
    const again = new Batch(engine);
    const replayed = await evaluateBatch(s, again, batchRequest(header(transaction({ ...txn, sequence: 3 })), requests));
    expect(replayed.responses).toEqual(original.responses);
    expect(original.responses.map((r) => ('newValue' in r ? r.newValue : 'foundKey' in r ? r.foundKey : undefined))).toEqual([5n, 7n, true]);
    await engine.commit(again.ops, { sync: false });
    const b = await mvccGet(engine, enc('b'), timestamp(10n), { txn: mvccTxn(transaction({ ...txn, sequence: 3 })) });
    expect(decodeInt64(b.value!.value!)).toBe(7n);
  });
});
