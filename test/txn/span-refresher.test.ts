/**
 * The span refresher: read refresh after WriteTooOld, after a pushed response, after an
 * uncertain read and after a commit refused with the timestamp its writes were pushed to
 * (pushedTo); failed refreshes (and the restart through runTxn); the bound on read spans.
 */
import { describe, expect, it } from 'vitest';
import { less, next } from '../../clock/index.js';
import { TransactionRetryError, type BatchRequest, type BatchResponse, type Request, type Sender } from '../../kv/api/index.js';
import { runTxn, Txn } from '../../txn/index.js';
import { dec, enc, startNanos, ts, world } from './harness.js';

describe('span refresher', () => {
  it('refreshes the read spans after a WriteTooOld and retries the write at the pushed timestamp', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const t0 = txn.transaction.readTimestamp;
    expect(await txn.get(enc('a'))).toBeUndefined();
    w.manual.advance(1_000_000_000n);
    const t1 = w.clock.now();
    await w.sender.putAt('b', 'other', t1);
    await txn.put(enc('b'), enc('mine'));
    expect(less(t1, txn.transaction.readTimestamp)).toBe(true);
    expect(txn.transaction.writeTimestamp).toEqual(txn.transaction.readTimestamp);
    expect(txn.interceptors.spanRefresher.refreshes).toBe(1);
    const refresh = w.sender.batches.find((b) => b.requests[0]?.kind === 'refresh')!;
    expect(refresh.requests[0]!.kind === 'refresh' && refresh.requests[0]!.refreshFrom).toEqual(t0);
    await txn.commit();
    expect(await w.sender.getAt('b', next(txn.transaction.writeTimestamp))).toBe('mine');
  });

  it('refreshes when a response shows the write timestamp pushed (as the timestamp cache would)', async () => {
    const w = world();
    let pushTo = undefined as ReturnType<typeof ts> | undefined;
    const pushing: Sender = {
      send: async <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        const response = await w.sender.send(batch);
        const txn = response.header.txn;
        if (pushTo === undefined || txn === undefined || batch.requests[0]?.kind !== 'put') return response;
        return { ...response, header: { ...response.header, txn: { ...txn, writeTimestamp: pushTo } } };
      },
    };
    const txn = new Txn(pushing, w.deps);
    await txn.get(enc('a'));
    pushTo = ts(startNanos + 50_000_000n);
    await txn.put(enc('b'), enc('1'));
    expect(txn.transaction.readTimestamp).toEqual(pushTo);
    expect(w.sender.kinds()).toEqual(['get', 'put', 'refresh']);
  });

  it('fails the refresh when a read span changed, and runTxn restarts at a new epoch that succeeds', async () => {
    const w = world();
    await w.sender.putAt('a', 'old', ts(startNanos - 1_000n));
    let attempts = 0;
    const seen: string[] = [];
    const errors: unknown[] = [];
    let t1 = ts(0n);
    const result = runTxn(w.sender, w.deps, async (txn) => {
      attempts++;
      seen.push(`${dec(await txn.get(enc('a')))}@epoch${txn.transaction.epoch}`);
      if (attempts === 1) {
        w.manual.advance(1_000_000_000n);
        t1 = w.clock.now();
        await w.sender.putAt('a', 'new', t1);
        await w.sender.putAt('b', 'other', t1);
      }
      try {
        await txn.put(enc('b'), enc('mine'));
      } catch (error) {
        errors.push(error);
        throw error;
      }
      return txn;
    });
    const txn = await w.timers.drive(result);
    expect(attempts).toBe(2);
    expect(seen).toEqual(['old@epoch0', 'new@epoch1']);
    expect(errors[0]).toBeInstanceOf(TransactionRetryError);
    expect((errors[0] as TransactionRetryError).reason).toBe('RETRY_WRITE_TOO_OLD');
    expect(less(t1, txn.transaction.writeTimestamp)).toBe(true);
    expect(await w.sender.getAt('b', next(txn.transaction.writeTimestamp))).toBe('mine');
  });
});

describe('span refresher, more pushes', () => {
  it('turns a failed refresh after a pushed response into TransactionRetryError(RETRY_SERIALIZABLE)', async () => {
    const w = world();
    let push = false;
    const pushing: Sender = {
      send: async <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        const response = await w.sender.send(batch);
        const txn = response.header.txn;
        if (!push || txn === undefined || batch.requests[0]?.kind !== 'put') return response;
        return { ...response, header: { ...response.header, txn: { ...txn, writeTimestamp: ts(startNanos + 2_000_000_000n) } } };
      },
    };
    const txn = new Txn(pushing, w.deps);
    await txn.get(enc('a'));
    w.manual.advance(1_000_000_000n);
    await w.sender.putAt('a', 'changed', w.clock.now());
    push = true;
    const error = await txn.put(enc('b'), enc('1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionRetryError);
    expect((error as TransactionRetryError).reason).toBe('RETRY_SERIALIZABLE');
    expect(txn.transaction.readTimestamp).toEqual(ts(startNanos));
    expect(txn.transaction.writeTimestamp).toEqual(ts(startNanos + 2_000_000_000n));
  });

  it('moves a read above a value in its uncertainty interval after refreshing the earlier reads', async () => {
    const w = world(5_000_000n);
    const txn = new Txn(w.sender, w.deps);
    await txn.get(enc('a'));
    const uncertain = ts(startNanos + 1_000_000n);
    await w.sender.putAt('b', 'maybe-earlier', uncertain);
    expect(dec(await txn.get(enc('b')))).toBe('maybe-earlier');
    expect(txn.transaction.readTimestamp).toEqual(next(uncertain));
    expect(w.sender.kinds()).toEqual(['get', 'put', 'get', 'refresh', 'get']);
  });
});

describe('span refresher, bounded', () => {
  it('cannot refresh once more than refreshSpansMax spans were read: a push restarts', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps, { refreshSpansMax: 2 });
    for (const key of ['a', 'b', 'c']) await txn.get(enc(key));
    w.manual.advance(1_000_000_000n);
    await w.sender.putAt('d', 'other', w.clock.now());
    const error = await txn.put(enc('d'), enc('mine')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionRetryError);
    expect((error as TransactionRetryError).message).toMatch(/more than 2 read spans/);
    expect(w.sender.kinds().filter((k) => k.startsWith('refresh'))).toEqual([]);
    expect(txn.interceptors.spanRefresher.refreshSpans).toEqual([]);
  });

  it('refreshes with refreshSpansMax spans exactly', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps, { refreshSpansMax: 2 });
    for (const key of ['a', 'b']) await txn.get(enc(key));
    w.manual.advance(1_000_000_000n);
    await w.sender.putAt('d', 'other', w.clock.now());
    await txn.put(enc('d'), enc('mine'));
    expect(w.sender.kinds()).toContain('refresh,refresh');
  });

  /** A sender that refuses the first commit batch as kv/eval does when its writes were pushed to `pushedTo`. */
  function refusingFirstCommit(w: ReturnType<typeof world>, pushedTo: () => ReturnType<typeof ts>): Sender {
    let refused = false;
    return {
      send: async <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        if (!refused && batch.requests.some((r) => r.kind === 'endTxn' && r.commit)) {
          refused = true;
          throw new TransactionRetryError('RETRY_SERIALIZABLE', 'write timestamp pushed', pushedTo());
        }
        return w.sender.send(batch);
      },
    };
  }

  it('refreshes the reads of a transaction up to where its refused EndTxn was pushed (pushedTo), and commits there', async () => {
    const w = world();
    let pushedTo = ts(0n);
    const txn = new Txn(refusingFirstCommit(w, () => pushedTo), { ...w.deps, writeBufferBytesMax: 1 << 20 });
    expect(await txn.get(enc('a'))).toBeUndefined();
    await txn.put(enc('b'), enc('mine')); // held: rides with the commit
    w.manual.advance(1_000_000n);
    pushedTo = w.clock.now();
    await txn.commit();
    expect(txn.transaction.epoch).toBe(0);
    expect(txn.transaction.writeTimestamp).toEqual(pushedTo);
    expect(txn.interceptors.spanRefresher.refreshes).toBe(1);
    expect(w.sender.kinds()).toEqual(['get', 'refresh', 'put,endTxn']);
    expect(await w.sender.getAt('b', pushedTo)).toBe('mine');
  });

  it('refreshes again when the batch sent again after a refresh is pushed again (a parallel commit pushed on two ranges), and commits', async () => {
    const w = world();
    let refusals = 0;
    const pushes: ReturnType<typeof ts>[] = [];
    const sender: Sender = {
      send: async <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        if (refusals < 2 && batch.requests.some((r) => r.kind === 'endTxn' && r.commit)) {
          refusals++;
          w.manual.advance(1_000_000n);
          pushes.push(w.clock.now());
          throw new TransactionRetryError('RETRY_SERIALIZABLE', 'an in-flight write landed above the staging timestamp', pushes.at(-1));
        }
        return w.sender.send(batch);
      },
    };
    const txn = new Txn(sender, { ...w.deps, writeBufferBytesMax: 1 << 20 });
    expect(await txn.get(enc('a'))).toBeUndefined();
    await txn.put(enc('b'), enc('mine'));
    await txn.commit();
    expect(txn.transaction.epoch).toBe(0);
    expect(txn.interceptors.spanRefresher.refreshes).toBe(2);
    expect(txn.transaction.writeTimestamp).toEqual(pushes[1]);
    expect(await w.sender.getAt('b', pushes[1]!)).toBe('mine');
  });

  it('restarts at pushedTo when the reads cannot move there', async () => {
    const w = world();
    let pushedTo = ts(0n);
    const txn = new Txn(refusingFirstCommit(w, () => pushedTo), { ...w.deps, writeBufferBytesMax: 1 << 20 });
    await txn.get(enc('a'));
    await txn.put(enc('b'), enc('mine'));
    w.manual.advance(1_000_000n);
    await w.sender.putAt('a', 'changed', w.clock.now());
    pushedTo = w.clock.now();
    const error = await txn.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionRetryError);
    expect((error as TransactionRetryError).reason).toBe('RETRY_SERIALIZABLE');
    expect(txn.transaction.writeTimestamp).toEqual(pushedTo);
  });
});
