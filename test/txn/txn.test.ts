/**
 * `Txn` against a real one-range sender (harness.ts): how it begins, one-phase and two-phase
 * commits, sequence numbers, rollback.
 */
import { describe, expect, it } from 'vitest';
import { next } from '../../clock/index.js';
import { getRequest, putRequest, scanRequest } from '../../kv/api/index.js';
import { readTxnRecord } from '../../kv/eval/index.js';
import { Txn } from '../../txn/index.js';
import { dec, enc, startNanos, ts, world } from './harness.js';

describe('Txn', () => {
  it('begins at clock.now() with read = write timestamp and the uncertainty limit at ts + max offset', () => {
    const w = world(5_000_000n);
    const txn = new Txn(w.sender, w.deps);
    const t = txn.transaction;
    expect(t.readTimestamp).toEqual(ts(startNanos));
    expect(t.writeTimestamp).toEqual(t.readTimestamp);
    expect(t.globalUncertaintyLimit).toEqual(ts(startNanos + 5_000_000n));
    expect(t.epoch).toBe(0);
    expect(new Txn(w.sender, w.deps).transaction.id).not.toBe(t.id);
  });

  it('commitIfNothingToSend commits a transaction that only read, once the clock passed it, without a promise or a batch', async () => {
    const w = world();
    await w.sender.putAt('a', '1', w.clock.now());
    const reader = new Txn(w.sender, w.deps);
    expect(dec(await reader.get(enc('a')))).toBe('1');
    const sent = w.sender.batches.length;
    // The physical clock still reads the transaction's start: commit wait's rule 1 is not met.
    expect(reader.commitIfNothingToSend()).toBe(false);
    expect(reader.isFinished).toBe(false);
    w.manual.advance(1n);
    // Past it, but not read since: not known without a reading, which is commit()'s to take.
    expect(reader.commitIfNothingToSend()).toBe(false);
    w.clock.physicalNow(); // as the replica's reading of the clock while serving a read
    expect(reader.commitIfNothingToSend()).toBe(true);
    expect(reader.isFinished).toBe(true);
    expect(reader.transaction.status).toBe('COMMITTED');
    expect(w.sender.batches.length).toBe(sent);
    expect(reader.commitIfNothingToSend()).toBe(false); // finished: commit() asserts instead
    await expect(reader.commit()).rejects.toThrow('the transaction is finished');

    // A transaction that wrote must send its commit: nothing is done, commit() still commits.
    const writer = new Txn(w.sender, w.deps);
    await writer.put(enc('b'), enc('2'));
    w.manual.advance(1n);
    w.clock.physicalNow();
    expect(writer.commitIfNothingToSend()).toBe(false);
    expect(writer.transaction.status).toBe('PENDING');
    await writer.commit();
    expect(writer.transaction.status).toBe('COMMITTED');
  });

  it('commits writes sent with the commit in one phase: one batch, no record, values visible', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.commit([putRequest(enc('a'), enc('1')), putRequest(enc('b'), enc('2'))]);
    expect(w.sender.kinds()).toEqual(['put,put,endTxn']);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)).toBeUndefined();
    expect(txn.transaction.status).toBe('COMMITTED');
    const after = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', after)).toBe('1');
    expect(await w.sender.getAt('b', after)).toBe('2');
  });

  it('commits earlier writes through the record, with every lock span, and resolves them', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.put(enc('c'), enc('3'));
    expect(await txn.get(enc('a'))).toEqual(enc('1'));
    await txn.commit();
    const endTxn = w.sender.batches.at(-1)!.requests.at(-1)!;
    expect(endTxn.kind === 'endTxn' && endTxn.lockSpans.map((s) => dec(s.key))).toEqual(['a', 'c']);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
    expect(await w.sender.getAt('c', next(txn.transaction.writeTimestamp))).toBe('3');
  });

  it('batch sends several requests in one batch with sequences, and limits its scans by maxSpanRequestKeys', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.batch([putRequest(enc('a'), enc('1')), putRequest(enc('b'), enc('2')), putRequest(enc('c'), enc('3'))]);
    expect(w.sender.kinds()).toEqual(['put,put,put']);
    const page = await txn.batch([scanRequest(enc('a'), enc('z'))], { maxSpanRequestKeys: 2 });
    expect(page.responses[0].rows.map((row) => dec(row.key))).toEqual(['a', 'b']);
    expect(page.responses[0].resumeSpan && dec(page.responses[0].resumeSpan.key)).toBe('b\u0000'); // the key after the last row
    await txn.commit();
    expect(await w.sender.getAt('c', next(txn.transaction.writeTimestamp))).toBe('3');
  });

  it('numbers writes 1, 2, 3 and sends reads at the current sequence', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.get(enc('a'));
    await txn.put(enc('b'), enc('2'));
    await txn.commit([putRequest(enc('c'), enc('3'))]);
    const sequences = w.sender.batches.flatMap((b) => b.requests.flatMap((r) => ('sequence' in r && r.sequence !== undefined ? [r.sequence] : [])));
    expect(sequences).toEqual([1, 2, 3]);
    expect(w.sender.batches.map((b) => b.header.txn?.sequence)).toEqual([1, 1, 2, 3]);
  });

  it('rolls back: EndTxn(abort) with the lock spans, intents gone, a read-only rollback sends nothing', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.rollback();
    const endTxn = w.sender.batches.at(-1)!.requests[0]!;
    expect(endTxn.kind === 'endTxn' && !endTxn.commit && endTxn.lockSpans.length).toBe(1);
    expect(await w.sender.getAt('a', next(txn.transaction.writeTimestamp))).toBeUndefined();
    expect(txn.isFinished).toBe(true);
    await expect(txn.get(enc('a'))).rejects.toThrow(/finished/);
    const reader = new Txn(w.sender, w.deps);
    await reader.get(enc('a'));
    const sent = w.sender.batches.length;
    await reader.rollback();
    expect(w.sender.batches.length).toBe(sent);
  });

  it('commits a read-only transaction without building or sending a batch; its reads go down as built; a locking read still commits through its EndTxn', async () => {
    const w = world();
    await w.sender.putAt('a', '1', ts(startNanos - 1_000n));
    const txn = new Txn(w.sender, w.deps);
    expect(dec(await txn.get(enc('a')))).toBe('1');
    // No writes: the sequence allocator passed the batch on as the Txn built it, header and all.
    expect(w.sender.batches.at(-1)!.header.txn).toBe(txn.transaction);
    await txn.commit();
    expect(w.sender.kinds()).toEqual(['put', 'get']);
    expect(txn.isFinished).toBe(true);
    expect(txn.transaction.status).toBe('COMMITTED');
    await expect(txn.get(enc('a'))).rejects.toThrow(/finished/);

    const locker = new Txn(w.sender, w.deps);
    await locker.batch([getRequest(enc('a'), 'exclusive')]);
    await locker.commit();
    const endTxn = w.sender.batches.at(-1)!.requests[0]!;
    expect(endTxn.kind === 'endTxn' && endTxn.commit && endTxn.lockSpans.map((s) => dec(s.key))).toEqual(['a']);
    expect(locker.transaction.status).toBe('COMMITTED');
  });
});
