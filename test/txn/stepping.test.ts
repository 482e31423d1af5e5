/**
 * Transaction stepping (`Txn.step`, txn/seq-num-allocator.ts): reads pinned at a statement's
 * start do not see the writes made after it — whether sent (the server's MVCC hides an intent
 * above the header's read sequence) or held by the write buffer (numbered when made, hidden
 * there) — while writes still see them; with savepoints, `readingLatest` and epoch restarts.
 * Against the real one-range sender (harness.ts).
 */
import { describe, expect, it } from 'vitest';
import { next } from '../../clock/index.js';
import { getRequest, scanRequest, type BatchRequest } from '../../kv/api/index.js';
import { Txn } from '../../txn/index.js';
import { dec, enc, world } from './harness.js';

const buffering = 1024 * 1024;

const rowsOf = async (txn: Txn): Promise<string[]> => (await txn.scan(enc('a'), enc('z'))).map((row) => `${dec(row.key)}=${dec(row.value)}`);

/** The requests of every batch as `kind[:key][#sequence]`, and the header's read sequence after `@`. */
function sent(batches: readonly BatchRequest[]): string[] {
  return batches.map((b) => {
    const requests = b.requests.map((r) => {
      const key = r.kind === 'put' || r.kind === 'get' || r.kind === 'conditionalPut' ? `:${dec(r.key)}` : '';
      return `${r.kind}${key}${'sequence' in r && r.sequence !== undefined ? `#${r.sequence}` : ''}`;
    });
    return `${requests.join(',')}@${b.header.txn?.sequence}`;
  });
}

describe('transaction stepping', () => {
  it('reads at the pinned sequence do not see writes sent after the step; writes do; stopStepping sees them again', async () => {
    const w = world(); // no write buffer: every write is sent as it is made
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    txn.step();
    expect(txn.readSequence).toBe(1);
    await txn.put(enc('a'), enc('2'));
    await txn.put(enc('b'), enc('2'));
    expect(dec(await txn.get(enc('a')))).toBe('1');
    expect(await txn.get(enc('b'))).toBeUndefined();
    expect(await rowsOf(txn)).toEqual(['a=1']);
    // A conditional put reads just below its own sequence: it sees a=2, made after the pin.
    await txn.cput(enc('a'), enc('3'), enc('2'));
    expect(dec(await txn.get(enc('a')))).toBe('1');
    expect(sent(w.sender.batches).slice(1)).toEqual(['put:a#2@1', 'put:b#3@1', 'get:a@1', 'get:b@1', 'scan@1', 'conditionalPut:a#4@1', 'get:a@1']);
    expect(txn.transaction.sequence).toBe(4); // the proto counts the writes, not the pin
    txn.stopStepping();
    expect(await rowsOf(txn)).toEqual(['a=3', 'b=2']);
    txn.step(); // a new statement: its pin covers everything written so far
    expect(await rowsOf(txn)).toEqual(['a=3', 'b=2']);
    await txn.commit();
    expect(await w.sender.getAt('a', next(txn.transaction.writeTimestamp))).toBe('3');
  });

  it('the write buffer answers a pinned read with the puts it holds from before the step only', async () => {
    const w = world(undefined, undefined, buffering);
    await w.sender.putAt('c', 'old-c', w.clock.now());
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1')); // held, #1
    txn.step();
    await txn.put(enc('b'), enc('1')); // held, #2: above the pin
    await txn.put(enc('c'), enc('new-c')); // held, #3: above the pin
    expect(txn.interceptors.writeBuffer.size).toBe(3);
    expect(dec(await txn.get(enc('a')))).toBe('1');
    expect(await txn.get(enc('b'))).toBeUndefined();
    expect(dec(await txn.get(enc('c')))).toBe('old-c');
    expect(await rowsOf(txn)).toEqual(['a=1', 'c=old-c']);
    // A limited scan touching held keys takes the buffer down in front of it: the server hides #2, #3.
    const page = await txn.batch([scanRequest(enc('a'), enc('z'))], { maxSpanRequestKeys: 10 });
    expect(page.responses[0].rows.map((row) => `${dec(row.key)}=${dec(row.value)}`)).toEqual(['a=1', 'c=old-c']);
    expect(sent(w.sender.batches).slice(1).at(-1)).toBe('put:a#1,put:b#2,put:c#3,scan@1');
    txn.stopStepping();
    expect(await rowsOf(txn)).toEqual(['a=1', 'b=1', 'c=new-c']);
    await txn.commit();
  });

  it('a put over a held put a pinned read still sees goes down with it, so the server keeps both', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1')); // held, #1
    txn.step();
    await txn.put(enc('a'), enc('2')); // #2 would replace #1, which the pin still sees
    expect(sent(w.sender.batches)).toEqual(['put:a#1,put:a#2@1']);
    expect(txn.interceptors.writeBuffer.size).toBe(0);
    expect(dec(await txn.get(enc('a')))).toBe('1'); // from the intent's history
    await txn.put(enc('a'), enc('3')); // #3 over nothing held: held
    await txn.put(enc('a'), enc('4')); // #4 over #3, both above the pin: replaces it
    expect(txn.interceptors.writeBuffer.size).toBe(1);
    expect(dec(await txn.get(enc('a')))).toBe('1');
    txn.stopStepping();
    expect(dec(await txn.get(enc('a')))).toBe('4');
    await txn.commit();
    expect(await w.sender.getAt('a', next(txn.transaction.writeTimestamp))).toBe('4');
  });

  it('readingLatest lifts the pin for a while and the buffer still keeps what the pin needs', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1')); // held, #1
    txn.step();
    expect(dec((await txn.batch([getRequest(enc('a'))])).responses[0].value)).toBe('1');
    const seen = await txn.readingLatest(async () => {
      expect(txn.readSequence).toBeUndefined();
      await txn.put(enc('a'), enc('2')); // would replace #1: goes down instead (the lifted pin sees #1)
      await txn.put(enc('b'), enc('2'));
      return rowsOf(txn);
    });
    expect(seen).toEqual(['a=2', 'b=2']);
    expect(txn.readSequence).toBe(1);
    expect(await rowsOf(txn)).toEqual(['a=1']);
    txn.stopStepping();
    await txn.commit();
  });

  it('a savepoint rollback hides the writes since the savepoint from a pinned read too', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    const savepoint = await txn.savepoint();
    await txn.put(enc('a'), enc('2'));
    txn.step(); // pinned above the write the rollback undoes
    await txn.put(enc('b'), enc('3'));
    await txn.rollbackToSavepoint(savepoint);
    expect(txn.transaction.ignoredSequences).toEqual([{ start: 2, end: 3 }]);
    expect(await rowsOf(txn)).toEqual(['a=1']);
    await txn.put(enc('c'), enc('4')); // #4: above the pin
    expect(await rowsOf(txn)).toEqual(['a=1']);
    txn.step();
    expect(await rowsOf(txn)).toEqual(['a=1', 'c=4']);
    await txn.commit();
  });

  it('an epoch restart moves a pin back to 0: the new epoch starts its writes again', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.put(enc('b'), enc('1'));
    txn.step();
    expect(txn.readSequence).toBe(2);
    txn.restartEpoch(txn.transaction.writeTimestamp);
    expect(txn.readSequence).toBe(0);
    await txn.put(enc('c'), enc('2')); // #1 of the new epoch, above the pin
    expect(await rowsOf(txn)).toEqual([]);
    txn.stopStepping();
    expect(await rowsOf(txn)).toEqual(['c=2']);
    await txn.commit();
  });
});
