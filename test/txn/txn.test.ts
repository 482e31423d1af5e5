/**
 * The coordinator against a real one-range sender (harness.ts): one-phase commit, sequence
 * numbers, read refresh after a push (success, failure and restart through runTxn), rollback,
 * ambiguous results, heartbeats and commit wait — all on manual time.
 */
import { describe, expect, it } from 'vitest';
import { less, next, type Timestamp } from '../../clock/index.js';
import { AmbiguousResultError, batchHeader, batchRequest, pushTxnRequest, putRequest, txnMeta, TransactionAbortedError, TransactionRetryError, type BatchRequest, type BatchResponse, type Request, type Sender } from '../../kv/api/index.js';
import { readTxnRecord } from '../../kv/eval/index.js';
import { runTxn, Txn } from '../../txn/index.js';
import { dec, enc, flush, startNanos, ts, world } from './harness.js';

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
});

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
});

describe('runTxn', () => {
  it('passes an AmbiguousResultError through unchanged and does not retry', async () => {
    const w = world();
    const ambiguous = new AmbiguousResultError('connection lost during commit');
    const lossy: Sender = {
      send: (batch) => (batch.requests.some((r) => r.kind === 'endTxn') ? Promise.reject(ambiguous) : w.sender.send(batch)),
    };
    let calls = 0;
    const run = runTxn(lossy, w.deps, async (txn) => {
      calls++;
      await txn.put(enc('a'), enc('1'));
    });
    await expect(w.timers.drive(run)).rejects.toBe(ambiguous);
    expect(calls).toBe(1);
  });

  it('starts a new transaction after a TransactionAbortedError', async () => {
    const w = world();
    let failed = false;
    const aborting: Sender = {
      send: (batch) => {
        if (!failed && batch.requests[0]?.kind === 'put') {
          failed = true;
          return Promise.reject(new TransactionAbortedError('ABORT_REASON_ABORTED_RECORD_FOUND', batch.header.txn?.id));
        }
        return w.sender.send(batch);
      },
    };
    const ids: string[] = [];
    await w.timers.drive(
      runTxn(aborting, w.deps, async (txn) => {
        ids.push(txn.transaction.id);
        await txn.put(enc('a'), enc('1'));
      }),
    );
    expect(ids.length).toBe(2);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('gives up after attemptsMax attempts with the last retryable error', async () => {
    const w = world();
    let calls = 0;
    const attempts: { id: string; epoch: number; readTimestamp: Timestamp }[] = [];
    const run = runTxn(
      w.sender,
      w.deps,
      (txn) => {
        calls++;
        attempts.push({ id: txn.transaction.id, epoch: txn.transaction.epoch, readTimestamp: txn.transaction.readTimestamp });
        return Promise.reject(new TransactionRetryError('RETRY_SERIALIZABLE', 'test'));
      },
      { attemptsMax: 3 },
    );
    await expect(w.timers.drive(run)).rejects.toBeInstanceOf(TransactionRetryError);
    expect(calls).toBe(3);
    expect(attempts.map((a) => a.epoch)).toEqual([0, 1, 2]);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    // No push was known, so each epoch starts at the clock's now, after the backoff: later each time.
    expect(less(attempts[0]!.readTimestamp, attempts[1]!.readTimestamp) && less(attempts[1]!.readTimestamp, attempts[2]!.readTimestamp)).toBe(true);
  });
});

describe('heartbeater', () => {
  it('heartbeats every interval only after the first write, and stops at commit', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    const heartbeats = (): number => w.sender.kinds().filter((k) => k === 'heartbeatTxn').length;
    await txn.get(enc('a'));
    await w.timers.advance(3_000);
    expect(heartbeats()).toBe(0);
    await txn.put(enc('a'), enc('1'));
    await w.timers.advance(999);
    expect(heartbeats()).toBe(0);
    await w.timers.advance(1);
    expect(heartbeats()).toBe(1);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('PENDING');
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(2);
    await txn.commit();
    await w.timers.advance(5_000);
    expect(heartbeats()).toBe(2);
    expect(w.timers.pendingCount).toBe(0);
    expect(readTxnRecord(w.sender.engine, enc('a'), txn.transaction.id)?.status).toBe('COMMITTED');
  });
});

describe('heartbeater, aborted by a pusher', () => {
  it('stops when a heartbeat finds the record ABORTED and fails the next batch with TransactionAbortedError', async () => {
    const w = world();
    const txn = new Txn(w.sender, w.deps);
    await txn.put(enc('a'), enc('1'));
    await w.timers.advance(1_000);
    const now = w.clock.now();
    const push = pushTxnRequest({ pusher: undefined, pushee: txnMeta(txn.transaction), pushTo: now, pushType: 'abort', force: true });
    await w.sender.send(batchRequest(batchHeader({ timestamp: now }), [push]));
    await w.timers.advance(1_000);
    expect(txn.interceptors.heartbeater.heartbeatsSent).toBe(2);
    expect(txn.interceptors.heartbeater.isRunning).toBe(false);
    const sent = w.sender.batches.length;
    await expect(txn.put(enc('b'), enc('2'))).rejects.toBeInstanceOf(TransactionAbortedError);
    expect(w.sender.batches.length).toBe(sent);
    expect(txn.isFinished).toBe(true);
  });
});

describe('heartbeater, restarted', () => {
  it('runs one loop after a failed commit and a restart, even with a heartbeat in flight across them', async () => {
    const w = world();
    let release: (() => void) | undefined;
    let failCommit = true;
    const slow: Sender = {
      send: async <const Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> => {
        const kind = batch.requests.at(-1)?.kind;
        if (kind === 'heartbeatTxn' && release === undefined) await new Promise<void>((resolve) => (release = resolve));
        if (kind === 'endTxn' && failCommit) {
          failCommit = false;
          throw new TransactionRetryError('RETRY_SERIALIZABLE', 'test');
        }
        return w.sender.send(batch);
      },
    };
    const txn = new Txn(slow, w.deps);
    const heartbeats = (): number => txn.interceptors.heartbeater.heartbeatsSent;
    await txn.put(enc('a'), enc('1'));
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(1); // in flight, held
    await expect(txn.commit()).rejects.toBeInstanceOf(TransactionRetryError);
    txn.restartEpoch(w.clock.now());
    await txn.put(enc('a'), enc('2'));
    release!();
    await flush();
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(2);
    await w.timers.advance(1_000);
    expect(heartbeats()).toBe(3);
    expect(w.timers.pendingCount).toBe(1);
  });
});

describe('commit wait', () => {
  const uncertaintyNanos = 5_000_000n;

  it('with strict serializability, resolves only once the clock passes commitTs + U', async () => {
    const w = world(uncertaintyNanos);
    const txn = new Txn(w.sender, w.deps, { strictSerializable: true });
    const commitTs = txn.transaction.writeTimestamp;
    let done = false;
    const commit = txn.commit([putRequest(enc('a'), enc('1'))]).then(() => {
      done = true;
    });
    await flush();
    expect(w.sender.kinds()).toEqual(['put,endTxn']); // committed (one phase), now waiting
    expect(done).toBe(false);
    for (let step = 0; step < 20 && !done; step++) {
      expect(w.manual.nowNanos() > commitTs.wallNanos + uncertaintyNanos).toBe(false);
      await w.timers.advance(1);
    }
    await commit;
    expect(txn.transaction.writeTimestamp).toEqual(commitTs);
    expect(w.manual.nowNanos() > commitTs.wallNanos + uncertaintyNanos).toBe(true);
    expect(w.deps.clockBound.now().earliest.wallNanos > commitTs.wallNanos).toBe(true);
    expect(txn.lastCommitWaitNanos).toBeGreaterThan(uncertaintyNanos);
  });

  it('without strict serializability, resolves with no wait', async () => {
    const w = world(uncertaintyNanos);
    const txn = new Txn(w.sender, w.deps);
    let done = false;
    void txn.commit([putRequest(enc('a'), enc('1'))]).then(() => {
      done = true;
    });
    await flush();
    expect(done).toBe(true);
    expect(w.manual.nowNanos()).toBe(startNanos);
    expect(txn.lastCommitWaitNanos).toBe(0n);
  });
});
