/**
 * Savepoints of a `Txn` against a real one-range sender (harness.ts): a rollback to a savepoint
 * hides the writes made since from the transaction's own reads, commits without them (intents
 * back to the newest kept write, or gone), keeps their keys locked until the end, nests, and is
 * forgotten by an epoch restart, and works with the write buffer holding puts back. Plus
 * `addIgnoredRange`'s merging.
 */
import { describe, expect, it } from 'vitest';
import { next } from '../../clock/index.js';
import { WriteIntentError, putRequest } from '../../kv/api/index.js';
import { Txn, addIgnoredRange } from '../../txn/index.js';
import { dec, enc, world } from './harness.js';

describe('Txn savepoints', () => {
  it('a rollback hides the writes since the savepoint, and the commit keeps only the others', async () => {
    const w = world();
    await w.sender.putAt('c', 'committed', w.clock.now());
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('a1'));
    const savepoint = await txn.savepoint();
    await txn.put(enc('a'), enc('a2'));
    await txn.put(enc('b'), enc('b2'));
    await txn.put(enc('c'), enc('c2'));
    expect(dec(await txn.get(enc('a')))).toBe('a2');
    await txn.rollbackToSavepoint(savepoint);
    expect(txn.transaction.ignoredSequences).toEqual([{ start: 2, end: 4 }]);
    expect(dec(await txn.get(enc('a')))).toBe('a1');
    expect(await txn.get(enc('b'))).toBeUndefined();
    expect(dec(await txn.get(enc('c')))).toBe('committed');
    expect((await txn.scan(enc('a'), enc('z'))).map((row) => `${dec(row.key)}=${dec(row.value)}`)).toEqual(['a=a1', 'c=committed']);
    await txn.put(enc('d'), enc('d5'));
    await txn.commit();
    const after = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', after)).toBe('a1');
    expect(await w.sender.getAt('b', after)).toBeUndefined();
    expect(await w.sender.getAt('c', after)).toBe('committed');
    expect(await w.sender.getAt('d', after)).toBe('d5');
  });

  it('keeps the keys written since the savepoint locked until the transaction ends', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const savepoint = await txn.savepoint();
    await txn.put(enc('b'), enc('b1'));
    await txn.rollbackToSavepoint(savepoint);
    const other = new Txn(w.sender, w.deps);
    await expect(other.put(enc('b'), enc('other'))).rejects.toBeInstanceOf(WriteIntentError);
    await other.rollback();
    await txn.commit();
    expect(await w.sender.getAt('b', next(txn.transaction.writeTimestamp))).toBeUndefined();
  });

  it('writes a key again after its write was rolled back (a conditional put sees it absent)', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const savepoint = await txn.savepoint();
    await txn.cput(enc('k'), enc('first'), undefined);
    await txn.rollbackToSavepoint(savepoint);
    await txn.cput(enc('k'), enc('second'), undefined);
    await txn.commit();
    expect(await w.sender.getAt('k', next(txn.transaction.writeTimestamp))).toBe('second');
  });

  it('commits a rolled-back key written again in the committing batch (one phase falls back to the record)', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const savepoint = await txn.savepoint();
    await txn.put(enc('b'), enc('b1'));
    await txn.rollbackToSavepoint(savepoint);
    await txn.commit([putRequest(enc('b'), enc('b2'))]);
    expect(await w.sender.getAt('b', next(txn.transaction.writeTimestamp))).toBe('b2');
  });

  it('nests: rolling back the inner savepoint keeps what came between, the outer one drops it too', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const outer = await txn.savepoint();
    await txn.put(enc('x'), enc('x1'));
    const inner = await txn.savepoint();
    await txn.put(enc('y'), enc('y1'));
    await txn.rollbackToSavepoint(inner);
    expect(dec(await txn.get(enc('x')))).toBe('x1');
    expect(await txn.get(enc('y'))).toBeUndefined();
    await txn.rollbackToSavepoint(outer);
    expect(await txn.get(enc('x'))).toBeUndefined();
    expect(txn.transaction.ignoredSequences).toEqual([{ start: 1, end: 2 }]);
    await txn.commit();
    expect(await w.sender.getAt('x', next(txn.transaction.writeTimestamp))).toBeUndefined();
  });

  it('a rollback with no write since the savepoint ignores nothing', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    const savepoint = await txn.savepoint();
    await txn.get(enc('a'));
    await txn.rollbackToSavepoint(savepoint);
    expect(txn.transaction.ignoredSequences).toEqual([]);
    await txn.rollback();
  });

  it('an epoch restart forgets the ignored ranges: the new epoch numbers its writes from 1 again', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const savepoint = await txn.savepoint();
    await txn.put(enc('a'), enc('1'));
    await txn.rollbackToSavepoint(savepoint);
    expect(txn.transaction.ignoredSequences).toEqual([{ start: 1, end: 1 }]);
    txn.restartEpoch(w.clock.now());
    expect(txn.transaction.ignoredSequences).toEqual([]);
    await txn.put(enc('a'), enc('2'));
    expect(dec(await txn.get(enc('a')))).toBe('2');
    await txn.commit();
    expect(await w.sender.getAt('a', next(txn.transaction.writeTimestamp))).toBe('2');
  });
});

describe('Txn savepoints with the write buffer on', () => {
  it('a savepoint covers the puts held before it, and a rollback undoes those held after it', async () => {
    const w = world(undefined, undefined, 1 << 20);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('a1')); // held in the coordinator
    const sent = w.sender.batches.length;
    const savepoint = await txn.savepoint();
    expect(w.sender.batches.length).toBe(sent + 1); // the savepoint sent it first
    expect(savepoint.sequence).toBe(1);
    await txn.put(enc('b'), enc('b1')); // held
    await txn.put(enc('a'), enc('a2')); // held
    const beforeRollback = w.sender.batches.length;
    await txn.rollbackToSavepoint(savepoint);
    // The held puts were never sent: dropping them undoes them, with nothing sent or ignored.
    expect(w.sender.batches.length).toBe(beforeRollback);
    expect(txn.interceptors.writeBuffer.size).toBe(0);
    expect(txn.transaction.ignoredSequences).toEqual([]);
    expect(dec(await txn.get(enc('a')))).toBe('a1');
    expect(await txn.get(enc('b'))).toBeUndefined();
    await txn.commit();
    const after = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', after)).toBe('a1');
    expect(await w.sender.getAt('b', after)).toBeUndefined();
  });
});

describe('addIgnoredRange', () => {
  it('keeps ranges sorted and disjoint, merging those that overlap or touch', () => {
    expect(addIgnoredRange([], { start: 3, end: 4 })).toEqual([{ start: 3, end: 4 }]);
    expect(addIgnoredRange([{ start: 3, end: 4 }], { start: 5, end: 6 })).toEqual([{ start: 3, end: 6 }]);
    expect(addIgnoredRange([{ start: 3, end: 4 }], { start: 7, end: 8 })).toEqual([{ start: 3, end: 4 }, { start: 7, end: 8 }]);
    expect(addIgnoredRange([{ start: 3, end: 4 }, { start: 7, end: 8 }], { start: 1, end: 9 })).toEqual([{ start: 1, end: 9 }]);
    expect(addIgnoredRange([{ start: 1, end: 1 }, { start: 7, end: 8 }, { start: 20, end: 21 }], { start: 5, end: 7 })).toEqual([
      { start: 1, end: 1 },
      { start: 5, end: 8 },
      { start: 20, end: 21 },
    ]);
  });
});
