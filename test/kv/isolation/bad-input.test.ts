/**
 * Bad input over the real KV server (DESIGN.md §2.6): keys, values and batches over the limits of
 * src/base/limits.ts, keys outside the addressable keyspace and malformed batches are refused
 * with typed errors (`LimitExceededError` naming the limit, `InvalidInputError`) — never a crash,
 * never a partial write — and the store keeps serving transactions afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, getRequest, putRequest, type Request } from '../../../kv/api/index.js';
import { InvalidInputError, LimitExceededError } from '../../../src/base/errors.js';
import { limits } from '../../../src/base/limits.js';
import { dec, enc, newTxn, openTestKv, rowKey, rowKeyString, settle, tableState, type Settled, type TestKv } from './harness.js';

function expectLimit(outcome: Settled<unknown>, ...limitNames: string[]): void {
  expect(outcome.status).toBe('rejected');
  if (outcome.status !== 'rejected') return;
  expect(outcome.error, String(outcome.error)).toBeInstanceOf(LimitExceededError);
  const error = outcome.error as LimitExceededError;
  expect(error.code).toBe('LIMIT_EXCEEDED');
  expect(error.errorClass).toBe('input');
  expect(error.sqlState).toBe('54000');
  expect(limitNames).toContain(error.limitName);
}

function expectInvalid(outcome: Settled<unknown>): void {
  expect(outcome.status).toBe('rejected');
  if (outcome.status !== 'rejected') return;
  expect(outcome.error, String(outcome.error)).toBeInstanceOf(InvalidInputError);
  expect((outcome.error as InvalidInputError).code).toBe('INVALID_INPUT');
}

describe('bad input', () => {
  let t: TestKv;
  beforeAll(async () => {
    t = await openTestKv();
  });
  afterAll(async () => {
    await t.kv.close();
  });

  /** A non-transactional batch of `requests` at the clock's now. */
  const sendRaw = (requests: readonly Request[]): Promise<Settled<unknown>> => {
    const now = t.kv.txnDeps.clock.now();
    return settle(t.kv.sender.send(batchRequest(batchHeader({ timestamp: now, now }), requests)));
  };

  /** The store still works: a two-range transaction commits and is read back. */
  async function expectStoreServes(value: string): Promise<void> {
    const txn = newTxn(t, { name: 'after-bad-input' });
    await txn.put(rowKey(1), enc(value));
    await txn.put(rowKey(2), enc(value));
    await txn.commit();
    const state = await tableState(t);
    expect([state.get(rowKeyString(1)), state.get(rowKeyString(2))]).toEqual([value, value]);
  }

  it('a key over keyBytesMax: LimitExceededError(keyBytesMax), in and out of a transaction', async () => {
    const key = new Uint8Array(limits.keyBytesMax + 1).fill(0x61);
    expectLimit(await sendRaw([putRequest(key, enc('v'))]), 'keyBytesMax');
    expectLimit(await sendRaw([getRequest(key)]), 'keyBytesMax');
    const txn = newTxn(t, { name: 'big-key' });
    await txn.put(rowKey(3), enc('half'));
    expectLimit(await settle(txn.put(key, enc('v'))), 'keyBytesMax');
    expectLimit(await settle(txn.get(key)), 'keyBytesMax');
    await txn.rollback();
    expect((await tableState(t)).get(rowKeyString(3))).toBeUndefined();
    await expectStoreServes('after-key');
  });

  it('a key exactly at keyBytesMax is accepted', async () => {
    const key = new Uint8Array(limits.keyBytesMax).fill(0x62);
    const txn = newTxn(t, { name: 'max-key' });
    await txn.put(key, enc('fits'));
    await txn.commit();
    const reader = newTxn(t);
    expect(dec(await reader.get(key))).toBe('fits');
    await reader.commit();
  });

  it('a value over valueBytesMax: LimitExceededError(valueBytesMax), nothing written', async () => {
    const value = new Uint8Array(limits.valueBytesMax + 1);
    expectLimit(await sendRaw([putRequest(rowKey(1), value)]), 'valueBytesMax');
    const txn = newTxn(t, { name: 'big-value' });
    await txn.put(rowKey(2), enc('half'));
    expectLimit(await settle(txn.put(rowKey(1), value)), 'valueBytesMax');
    await txn.rollback();
    const state = await tableState(t);
    expect(state.get(rowKeyString(2))).not.toBe('half');
    await expectStoreServes('after-value');
  });

  it('a batch over the batch-size limits (values each under the limit) is refused with LimitExceededError', async () => {
    const valueBytes = limits.valueBytesMax - 1024;
    const count = Math.ceil(Math.max(limits.writeBatchBytesMax, limits.raftCommandBytesMax) / valueBytes) + 1;
    const value = new Uint8Array(valueBytes).fill(0x63);
    const requests = Array.from({ length: count }, (_, i) => putRequest(enc(`a/big/${i}`), value));
    // Refused before it reaches the Raft log (raftCommandBytesMax) or the engine (writeBatchBytesMax).
    expectLimit(await sendRaw(requests), 'raftCommandBytesMax', 'writeBatchBytesMax');
    const reader = newTxn(t);
    expect((await reader.scan(enc('a/big/'), enc('a/big0'))).length).toBe(0);
    await reader.commit();
    await expectStoreServes('after-batch');
  });

  it('keys outside the addressable keyspace and malformed batches: InvalidInputError', async () => {
    expectInvalid(await sendRaw([putRequest(Uint8Array.of(0x01, 0x6b, 0x61), enc('local'))])); // range-local
    expectInvalid(await sendRaw([putRequest(Uint8Array.of(0xff, 0xff, 0x00), enc('past max'))]));
    expectInvalid(await sendRaw([]));
    await expectStoreServes('after-invalid');
  });
});
