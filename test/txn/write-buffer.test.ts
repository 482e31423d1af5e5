/**
 * The write buffer (txn/write-buffer.ts) against the real one-range sender (harness.ts): which
 * batches go down, in what order, with which sequences, and what the caller sees.
 */
import { describe, expect, it } from 'vitest';
import { next } from '../../clock/index.js';
import { conditionalPutRequest, ConditionFailedError, getRequest, putRequest, reverseScanRequest, scanRequest, TransactionRetryError, type BatchRequest, type BatchResponse, type Request, type Sender } from '../../kv/api/index.js';
import { readTxnRecord } from '../../kv/eval/index.js';
import { Txn, runTxn } from '../../txn/index.js';
import { dec, enc, world } from './harness.js';

const buffering = 1024 * 1024;

/** The requests of every batch as `kind[:key][#sequence]`, one string per batch. */
function sent(batches: readonly BatchRequest[]): string[] {
  return batches.map((b) =>
    b.requests
      .map((r) => {
        const key = r.kind === 'put' || r.kind === 'get' || r.kind === 'conditionalPut' ? `:${dec(r.key)}` : '';
        const sequence = 'sequence' in r && r.sequence !== undefined ? `#${r.sequence}` : '';
        return `${r.kind}${key}${sequence}`;
      })
      .join(','),
  );
}

describe('write buffer', () => {
  it('holds puts and sends them with the commit, which is then one phase (no record)', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.put(enc('b'), enc('2'));
    expect(w.sender.batches).toHaveLength(0);
    expect(txn.interceptors.writeBuffer.size).toBe(2);
    await txn.commit();
    expect(sent(w.sender.batches)).toEqual(['put:a#1,put:b#2,endTxn']);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)).toBeUndefined();
    const after = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', after)).toBe('1');
    expect(await w.sender.getAt('b', after)).toBe('2');
  });

  it('answers a Get of a buffered key from the buffer, sending nothing, and the commit stays one phase', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.put(enc('a'), enc('2'));
    expect(dec(await txn.get(enc('a')))).toBe('2');
    expect(w.sender.batches).toHaveLength(0);
    await txn.commit();
    // The key is held once, with its newest value (numbered when it was made, the second
    // write): one write, so the commit is one phase.
    expect(sent(w.sender.batches)).toEqual(['put:a#2,endTxn']);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)).toBeUndefined();
    expect(await w.sender.getAt('a', next(txn.transaction.writeTimestamp))).toBe('2');
  });

  it('sends reads of other keys around the buffer, and lays buffered values over scanned rows', async () => {
    const w = world(undefined, undefined, buffering);
    for (const [key, value] of [['b', 'old-b'], ['d', 'old-d'], ['f', 'old-f']] as const) await w.sender.putAt(key, value, w.clock.now());
    const before = w.sender.batches.length;
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('d'), enc('new-d')); // replaces a row read
    await txn.put(enc('c'), enc('new-c')); // a row the store does not have
    await txn.put(enc('x'), enc('new-x')); // outside the scans below
    expect(dec(await txn.get(enc('b')))).toBe('old-b');
    const rows = await txn.scan(enc('a'), enc('g'));
    expect(rows.map((row) => `${dec(row.key)}=${dec(row.value)}`)).toEqual(['b=old-b', 'c=new-c', 'd=new-d', 'f=old-f']);
    const reverse = await txn.batch([reverseScanRequest(enc('c'), enc('z'))]);
    expect(reverse.responses[0].rows.map((row) => dec(row.key))).toEqual(['x', 'f', 'd', 'c']);
    expect(sent(w.sender.batches.slice(before))).toEqual(['get:b', 'scan', 'reverseScan']);
    expect(txn.interceptors.writeBuffer.size).toBe(3);
    await txn.commit();
    expect(sent(w.sender.batches.slice(before)).at(-1)).toBe('put:d#1,put:c#2,put:x#3,endTxn');
  });

  it('takes the buffer down ahead of a locking read or a limited scan, which must see the writes in the store', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    expect(dec((await txn.batch([getRequest(enc('a'), 'exclusive')])).responses[0].value)).toBe('1');
    await txn.put(enc('b'), enc('2'));
    const page = await txn.batch([scanRequest(enc('a'), enc('z'))], { maxSpanRequestKeys: 1 });
    expect(page.responses[0].rows.map((row) => dec(row.key))).toEqual(['a']);
    expect(sent(w.sender.batches)).toEqual(['put:a#1,get:a', 'put:b#2,scan']);
    await txn.commit();
  });

  it('sends a locking or limited read that touches no buffered key around the buffer', async () => {
    const w = world(undefined, undefined, buffering);
    await w.sender.putAt('m', 'old-m', w.clock.now());
    const before = w.sender.batches.length;
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    expect(dec((await txn.batch([getRequest(enc('m'), 'exclusive')])).responses[0].value)).toBe('old-m');
    const page = await txn.batch([scanRequest(enc('k'), enc('z'))], { maxSpanRequestKeys: 1 });
    expect(page.responses[0].rows.map((row) => dec(row.key))).toEqual(['m']);
    expect(sent(w.sender.batches.slice(before))).toEqual(['get:m', 'scan']);
    expect(txn.interceptors.writeBuffer.size).toBe(1);
    await txn.commit();
    expect(sent(w.sender.batches.slice(before)).at(-1)).toBe('put:a#1,endTxn');
  });

  it('with the `locked` policy holds only puts of keys its exclusive locking reads locked', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: 'locked' });
    await txn.put(enc('a'), enc('1')); // not locked: an intent now
    expect(sent(w.sender.batches)).toEqual(['put:a#1']);
    await txn.batch([getRequest(enc('b'), 'exclusive'), scanRequest(enc('c'), enc('e'), 'shared')]);
    await txn.put(enc('b'), enc('2')); // locked by the Get: held
    expect(txn.interceptors.writeBuffer.size).toBe(1);
    await txn.put(enc('c'), enc('3')); // only share-locked: sent, with the held b ahead of it
    expect(sent(w.sender.batches).slice(1)).toEqual(['get:b,scan', 'put:b#2,put:c#3']);
    await txn.commit();
    expect(sent(w.sender.batches).at(-1)).toBe('endTxn');
    expect(await w.sender.getAt('b', next(txn.transaction.writeTimestamp))).toBe('2');
  });

  it('with the `locked` policy holds the anchor put for the commit past requests that miss it', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: 'locked' });
    await txn.batch([getRequest(enc('a'), 'exclusive')]); // the first lock: the anchor
    await txn.put(enc('a'), enc('1'));
    await txn.batch([getRequest(enc('b'), 'exclusive')]);
    await txn.put(enc('b'), enc('2'));
    await txn.cput(enc('c'), enc('3'), undefined); // misses a: b goes down with it, a stays
    expect(sent(w.sender.batches).slice(2)).toEqual(['put:b#2,conditionalPut:c#3']); // numbered as made: a was #1
    expect(txn.interceptors.writeBuffer.size).toBe(1);
    expect(await txn.get(enc('a'))).toEqual(enc('1')); // read from the buffer
    await txn.commit();
    expect(sent(w.sender.batches).slice(3)).toEqual(['put:a#1,endTxn']);
    for (const [key, value] of [['a', '1'], ['b', '2'], ['c', '3']] as const) expect(await w.sender.getAt(key, next(txn.transaction.writeTimestamp))).toBe(value);
  });

  it('with the `locked` policy sends the held anchor put ahead of any request whose key or span holds it', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: 'locked' });
    await txn.batch([getRequest(enc('b'), 'exclusive')]); // anchor b
    await txn.put(enc('b'), enc('1'));
    await txn.deleteRange(enc('a'), enc('c')); // its span holds b
    expect(sent(w.sender.batches).slice(1)).toEqual(['put:b#1,deleteRange#2']);
    expect(txn.interceptors.writeBuffer.size).toBe(0);
    await txn.commit();
    expect(await w.sender.getAt('b', next(txn.transaction.writeTimestamp))).toBeUndefined();
  });

  it('sends a conditional put (whose condition must be checked now) at once, behind the buffer', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.cput(enc('b'), enc('2'), undefined);
    expect(sent(w.sender.batches)).toEqual(['put:a#1,conditionalPut:b#2']);
    await txn.commit();
  });

  it('sends nothing for a rollback of buffered writes, and they never become visible', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await txn.rollback();
    expect(w.sender.batches).toHaveLength(0);
    expect(txn.transaction.status).toBe('ABORTED');
    expect(await w.sender.getAt('a', next(w.clock.now()))).toBeUndefined();
  });

  it('sends a put that would pass the byte limit at once, with what is held', async () => {
    const w = world(undefined, undefined, 16);
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('0123456')); // 8 bytes: held
    expect(w.sender.batches).toHaveLength(0);
    await txn.put(enc('b'), enc('01234567')); // 9 more: over 16
    expect(sent(w.sender.batches)).toEqual(['put:a#1,put:b#2']);
    expect(txn.interceptors.writeBuffer.size).toBe(0);
    await txn.commit();
  });

  it('flush() sends the held puts on their own', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.flush(); // nothing held: nothing sent
    expect(w.sender.batches).toHaveLength(0);
    await txn.put(enc('a'), enc('1'));
    await txn.flush();
    expect(sent(w.sender.batches)).toEqual(['put:a#1']);
    expect(txn.transaction.sequence).toBe(1);
    await txn.commit();
    expect(sent(w.sender.batches).at(-1)).toBe('endTxn');
  });

  it('keeps the puts of a batch that failed and sends them again with the next one', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    await txn.cput(enc('c'), enc('0'), undefined);
    await txn.put(enc('a'), enc('1'));
    // c exists now: the condition fails, and the batch that carried `a` with it fails whole.
    await expect(txn.cput(enc('c'), enc('x'), undefined)).rejects.toBeInstanceOf(ConditionFailedError);
    expect(txn.interceptors.writeBuffer.size).toBe(1);
    await txn.commit();
    // The held put goes again with its sequence (a replay if the failed batch had laid it down).
    expect(sent(w.sender.batches)).toEqual(['conditionalPut:c#1', 'put:a#2,conditionalPut:c#3', 'put:a#2,endTxn']);
    const after = next(txn.transaction.writeTimestamp);
    expect(await w.sender.getAt('a', after)).toBe('1');
    expect(await w.sender.getAt('c', after)).toBe('0');
  });

  it('drops the buffer when the epoch restarts: only the retried attempt’s writes are sent', async () => {
    const w = world(undefined, undefined, buffering);
    let failures = 1;
    // The first commit is refused with a retry error the span refresher cannot absorb.
    const refusing: Sender = {
      send: <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        if (failures > 0 && batch.requests.some((r) => r.kind === 'endTxn')) {
          failures--;
          w.sender.batches.push(batch);
          return Promise.reject(new TransactionRetryError('RETRY_REASON_UNKNOWN', 'injected'));
        }
        return w.sender.send(batch);
      },
    };
    let attempt = 0;
    const run = runTxn(refusing, w.deps, async (txn) => {
      attempt++;
      await txn.put(enc(attempt === 1 ? 'first' : 'second'), enc(`${attempt}`));
    });
    await w.timers.drive(run);
    expect(sent(w.sender.batches)).toEqual(['put:first#1,endTxn', 'put:second#1,endTxn']);
    expect(await w.sender.getAt('first', next(w.clock.now()))).toBeUndefined();
    expect(await w.sender.getAt('second', next(w.clock.now()))).toBe('2');
  });

  it('answers a buffered put with a put response, in lockstep with the batch', async () => {
    const w = world(undefined, undefined, buffering);
    const txn = new Txn(w.sender, w.deps);
    const response = await txn.batch([putRequest(enc('a'), enc('1')), putRequest(enc('b'), enc('2'))]);
    expect(response.responses.map((r) => r.kind)).toEqual(['put', 'put']);
    expect(w.sender.batches).toHaveLength(0);
    await txn.commit();
    expect(sent(w.sender.batches)).toEqual(['put:a#1,put:b#2,endTxn']);
  });

  describe('fresh keys (a conditional put of a key generated unique, `Txn.batch`’s freshKeys)', () => {
    const freshInsert = (txn: Txn, key: string, value: string): Promise<unknown> => txn.batch([conditionalPutRequest(enc(key), enc(value), undefined)], { freshKeys: [enc(key)] });

    it('holds the conditional put under either policy, answers it as succeeded, and sends it with the commit (one phase on one range)', async () => {
      for (const policy of ['all', 'locked'] as const) {
        const w = world(undefined, undefined, buffering);
        const txn = new Txn(w.sender, { ...w.deps, writeBufferPolicy: policy });
        const response = await txn.batch([conditionalPutRequest(enc('h'), enc('1'), undefined)], { freshKeys: [enc('h')] });
        expect(response.responses.map((r) => r.kind)).toEqual(['conditionalPut']);
        expect(w.sender.batches).toHaveLength(0);
        expect(dec(await txn.get(enc('h')))).toBe('1'); // read from the buffer
        await txn.commit();
        expect(sent(w.sender.batches)).toEqual(['conditionalPut:h#1,endTxn']);
        expect(readTxnRecord(w.sender.engine, enc('h'), txn.transaction.id)).toBeUndefined();
        expect(await w.sender.getAt('h', next(txn.transaction.writeTimestamp))).toBe('1');
      }
    });

    it('keeps the check: a key that exists after all fails the commit with ConditionFailedError, and nothing is written', async () => {
      const w = world(undefined, undefined, buffering);
      await w.sender.putAt('h', 'taken', w.clock.now());
      const txn = new Txn(w.sender, w.deps);
      await freshInsert(txn, 'h', 'mine');
      await txn.put(enc('other'), enc('x'));
      await expect(txn.commit()).rejects.toBeInstanceOf(ConditionFailedError);
      await txn.rollback();
      const after = next(w.clock.now());
      expect(await w.sender.getAt('h', after)).toBe('taken');
      expect(await w.sender.getAt('other', after)).toBeUndefined();
    });

    it('holds only a conditional put expecting no value, of a key noted fresh', async () => {
      const w = world(undefined, undefined, buffering);
      const txn = new Txn(w.sender, w.deps);
      await txn.batch([conditionalPutRequest(enc('a'), enc('1'), undefined)], { freshKeys: [enc('b')] }); // a is not fresh
      await txn.batch([conditionalPutRequest(enc('b'), enc('2'), enc('old'), { allowIfDoesNotExist: true })], { freshKeys: [enc('b')] });
      expect(sent(w.sender.batches)).toEqual(['conditionalPut:a#1', 'conditionalPut:b#2']);
      await txn.commit();
    });

    it('never lets a later write of the key replace the held check: that write goes down behind it', async () => {
      const w = world(undefined, undefined, buffering);
      const txn = new Txn(w.sender, w.deps);
      await freshInsert(txn, 'h', '1');
      await txn.put(enc('h'), enc('2')); // under `all` a put is held — but not over a held conditional put
      expect(sent(w.sender.batches)).toEqual(['conditionalPut:h#1,put:h#2']);
      // Two writes of the key in one batch with a check among them: sent as they are.
      await txn.batch([conditionalPutRequest(enc('k'), enc('1'), undefined), putRequest(enc('k'), enc('2'))], { freshKeys: [enc('k')] });
      expect(sent(w.sender.batches).slice(1)).toEqual(['conditionalPut:k#3,put:k#4']);
      // A fresh conditional put over a held put of its key checks against that put: sent, and fails.
      await txn.put(enc('m'), enc('1'));
      await expect(freshInsert(txn, 'm', '2')).rejects.toBeInstanceOf(ConditionFailedError);
      await txn.rollback();
    });

    it('is dropped by a rollback to a savepoint like a held put, and forgotten at an epoch restart', async () => {
      const w = world(undefined, undefined, buffering);
      const txn = new Txn(w.sender, w.deps);
      const savepoint = await txn.savepoint();
      await freshInsert(txn, 'h', '1');
      await txn.rollbackToSavepoint(savepoint);
      expect(txn.interceptors.writeBuffer.size).toBe(0);
      txn.interceptors.writeBuffer.epochBumped();
      await txn.batch([conditionalPutRequest(enc('h'), enc('2'), undefined)]); // no longer fresh: sent at once
      expect(sent(w.sender.batches)).toEqual(['conditionalPut:h#2']);
      await txn.commit();
      expect(await w.sender.getAt('h', next(txn.transaction.writeTimestamp))).toBe('2');
    });
  });
});
