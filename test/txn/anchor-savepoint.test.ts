/**
 * Review (session 10): the held anchor put (4efd10c) across savepoints and failed batches.
 */
import { describe, expect, it } from 'vitest';
import { next } from '../../clock/index.js';
import { ConditionFailedError, getRequest } from '../../kv/api/index.js';
import { Txn } from '../../txn/index.js';
import { enc, world } from './harness.js';

const buffering = 1024 * 1024;

describe('review: held anchor and savepoints', () => {
  it('a rollback to a savepoint taken after the anchor went down keeps the anchor and undoes its later put', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: 'locked' });
    await txn.batch([getRequest(enc('a'), 'exclusive')]);
    await txn.put(enc('a'), enc('1'));
    await txn.cput(enc('c'), enc('3'), undefined); // a held back
    const s = await txn.savepoint(); // sends a
    await txn.put(enc('a'), enc('2')); // held again
    await txn.rollbackToSavepoint(s);
    await txn.commit();
    const at = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', at)).toBe('1');
    expect(await w.sender.getAt('c', at)).toBe('3');
  });

  it('a rollback to a savepoint taken before the anchor put undoes it and the writes that went past it', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: 'locked' });
    await txn.batch([getRequest(enc('a'), 'exclusive')]);
    const s = await txn.savepoint();
    await txn.put(enc('a'), enc('1')); // held: the anchor
    await txn.cput(enc('c'), enc('3'), undefined); // goes down past it
    await txn.rollbackToSavepoint(s);
    await txn.put(enc('d'), enc('4'));
    await txn.commit();
    const at = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', at)).toBeUndefined();
    expect(await w.sender.getAt('c', at)).toBeUndefined();
    expect(await w.sender.getAt('d', at)).toBe('4');
  });

  it('a failed conditional put that carried the buffer leaves the anchor put held for the commit', async () => {
    const w = world(undefined, undefined, buffering);
    await w.sender.putAt('c', 'taken', w.clock.now());
    const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: 'locked' });
    await txn.batch([getRequest(enc('a'), 'exclusive')]);
    await txn.put(enc('a'), enc('1'));
    await txn.batch([getRequest(enc('b'), 'exclusive')]);
    await txn.put(enc('b'), enc('2'));
    const s = await txn.savepoint();
    await txn.put(enc('b'), enc('2b'));
    await expect(txn.cput(enc('c'), enc('3'), undefined)).rejects.toThrow(ConditionFailedError);
    await txn.rollbackToSavepoint(s);
    await txn.commit();
    const at = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', at)).toBe('1');
    expect(await w.sender.getAt('b', at)).toBe('2');
    expect(await w.sender.getAt('c', at)).toBe('taken');
  });
});
