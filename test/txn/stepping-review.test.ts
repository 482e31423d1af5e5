/**
 * Review (session 10): stepping (be41a2e) with held puts, savepoints, the anchor and deletes.
 */
import { describe, expect, it } from 'vitest';
import { next } from '../../clock/index.js';
import { getRequest } from '../../kv/api/index.js';
import { Txn } from '../../txn/index.js';
import { dec, enc, world } from './harness.js';

const buffering = 1024 * 1024;

describe('review: stepping', () => {
  it('a pinned read sees the held value under a later sent one; a rollback to a savepoint before both brings back the first', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('k'), enc('1'));
    const s = await txn.savepoint(); // k=1 goes down
    await txn.put(enc('k'), enc('2')); // held
    txn.step();
    await txn.put(enc('k'), enc('3')); // must not replace the held 2: both go down
    expect(dec(await txn.get(enc('k')))).toBe('2');
    txn.stopStepping();
    expect(dec(await txn.get(enc('k')))).toBe('3');
    await txn.rollbackToSavepoint(s);
    expect(dec(await txn.get(enc('k')))).toBe('1');
    await txn.commit();
    expect(await w.sender.getAt('k', next(txn.transaction.writeTimestamp))).toBe('1');
  });

  it('a pinned read does not see a delete made after the step, of a key whose put is held', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('k'), enc('1')); // held
    txn.step();
    await txn.delete(enc('k'));
    expect(dec(await txn.get(enc('k')))).toBe('1');
    expect((await txn.scan(enc('a'), enc('z'))).map((r) => dec(r.key))).toEqual(['k']);
    txn.stopStepping();
    expect(await txn.get(enc('k'))).toBeUndefined();
    await txn.commit();
    expect(await w.sender.getAt('k', next(txn.transaction.writeTimestamp))).toBeUndefined();
  });

  it('under the locked policy a pinned statement rewriting the held anchor reads the anchor as before the step', async () => {
    const w = world(undefined, undefined, buffering);
    await w.sender.putAt('a', 'orig', w.clock.now());
    const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: 'locked' });
    await txn.batch([getRequest(enc('a'), 'exclusive')]);
    await txn.put(enc('a'), enc('1')); // the held anchor
    await txn.cput(enc('c'), enc('3'), undefined); // a stays held
    txn.step();
    await txn.put(enc('a'), enc('2'));
    expect(dec(await txn.get(enc('a')))).toBe('1');
    expect((await txn.scan(enc('a'), enc('z'))).map((r) => `${dec(r.key)}=${dec(r.value)}`)).toEqual(['a=1', 'c=3']);
    txn.stopStepping();
    await txn.commit();
    const at = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', at)).toBe('2');
    expect(await w.sender.getAt('c', at)).toBe('3');
  });

  it('an epoch restart inside a pinned statement reads the new epoch from scratch', async () => {
    const w = world(undefined, undefined, buffering);
    await w.sender.putAt('k', 'committed', w.clock.now());
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('k'), enc('1'));
    txn.step();
    txn.restartEpoch(w.clock.now());
    expect(txn.readSequence).toBe(0);
    expect(dec(await txn.get(enc('k')))).toBe('committed');
    await txn.put(enc('k'), enc('2'));
    expect(dec(await txn.get(enc('k')))).toBe('committed');
    txn.stopStepping();
    expect(dec(await txn.get(enc('k')))).toBe('2');
    await txn.commit();
    expect(await w.sender.getAt('k', next(txn.transaction.writeTimestamp))).toBe('2');
  });
});
