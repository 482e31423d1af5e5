/**
 * The Store end to end through `openKv`: transactions over one range and across a split,
 * group commit, restart from the engine alone (LevelDB), merges, bad input, and waiting on locks.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchHeader, batchRequest, getRequest, isRetryableError, keyMax, putRequest, RangeNotFoundError, resolveIntentRangeRequest, txnMeta } from '../../../kv/api/index.js';
import { LevelEngine } from '../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { LimitExceededError } from '../../../src/base/errors.js';
import { limits } from '../../../src/base/limits.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { tempDir } from '../../support/tmp.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
const env = () => realEnv({ logger: silentLogger() });
/** Transactions whose writes must be intents the moment they are made (no write buffer). */
const layIntents = { writeBufferBytesMax: 0 } as const;

describe('Store', () => {
  const open: Kv[] = [];
  const start = async (engine = new MemoryEngine()): Promise<Kv> => {
    const kv = await openKv({ engine, env: env() });
    open.push(kv);
    return kv;
  };
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('runs transactions over one range and across a split', async () => {
    const kv = await start();
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      await txn.put(k('a'), enc('1'));
      await txn.put(k('m'), enc('2'));
    });
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('a'))))).toBe('1');
    await kv.split(k('h'));
    const ranges = await kv.ranges();
    expect(ranges.map((r) => r.rangeId)).toEqual([1, 2]);
    expect(ranges[0]!.endKey).toEqual(k('h'));
    expect(kv.store.replicas().map((r) => r.rangeId)).toEqual([1, 2]);
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      await txn.put(k('b'), enc('3'));
      await txn.put(k('z'), enc('4'));
    });
    const rows = await runTxn(kv.sender, kv.txnDeps, (txn) => txn.scan(k(''), k('~')));
    expect(rows.map((r) => dec(r.value))).toEqual(['1', '3', '2', '4']);
    // The stats followed the data: the right range holds m and z.
    expect(kv.store.replica(2 as never)!.stats.liveCount).toBe(2);
    expect(kv.store.replica(1 as never)!.stats.liveCount).toBeGreaterThanOrEqual(2);
  });

  it('refuses to split the meta keyspace and to split where a range starts', async () => {
    const kv = await start();
    await expect(kv.split(Uint8Array.of(0x03, 0x10))).rejects.toThrow(/meta keyspace/);
    await kv.split(k('h'));
    await expect(kv.split(k('h'))).rejects.toThrow(/already split/);
  });

  it('shares fsyncs among concurrent transactions (group commit)', async () => {
    const kv = await start();
    // Take the range's lease first: transactions that began before it are pushed above its start
    // (the timestamp cache's floor) and restart, one after the other — not what this measures.
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('warm-up'), enc('lease')));
    const before = kv.store.metrics.syncs;
    await Promise.all(Array.from({ length: 64 }, (_, i) => runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k(`g${i}`), enc(`${i}`)))));
    const syncs = kv.store.metrics.syncs - before;
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(64);
  });

  it('keeps acknowledged writes and splits across a restart', async () => {
    const tmp = tempDir('store-restart');
    cleanups.push(tmp.remove);
    const dir = tmp.path;
    let kv = await openKv({ engine: await LevelEngine.open(dir), env: env() });
    await kv.split(k('m'));
    await kv.split(k('t'));
    for (const key of ['a', 'n', 'u']) await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k(key), enc(`v-${key}`)));
    await kv.close();
    kv = await openKv({ engine: await LevelEngine.open(dir), env: env() });
    open.push(kv);
    expect((await kv.ranges()).length).toBe(3);
    expect(kv.store.replicas().map((r) => r.rangeId)).toEqual([1, 2, 3]);
    for (const key of ['a', 'n', 'u']) expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k(key))))).toBe(`v-${key}`);
    // Every replica took a new lease on restart, above the old one.
    for (const replica of kv.store.replicas()) expect(replica.lease!.sequence).toBeGreaterThanOrEqual(2);
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('n'), enc('again')));
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('n'))))).toBe('again');
  });

  it('merges a range with its right neighbour', async () => {
    const kv = await start();
    await kv.split(k('h'));
    await kv.split(k('p'));
    for (const key of ['a', 'j', 'q']) await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k(key), enc(key)));
    const statsBefore = kv.store.replica(2 as never)!.stats.liveCount + kv.store.replica(3 as never)!.stats.liveCount;
    await kv.merge(k('h'));
    expect((await kv.ranges()).map((r) => r.rangeId)).toEqual([1, 2]);
    expect(kv.store.replica(3 as never)).toBeUndefined();
    expect(kv.store.replica(2 as never)!.descriptor.endKey).toEqual(keyMax);
    expect(kv.store.replica(2 as never)!.stats.liveCount).toBe(statsBefore);
    const rows = await runTxn(kv.sender, kv.txnDeps, (txn) => txn.scan(k(''), k('~')));
    expect(rows.map((r) => dec(r.value))).toEqual(['a', 'j', 'q']);
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('r'), enc('r')));
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('r'))))).toBe('r');
    await expect(kv.store.send(batchRequest(batchHeader({ timestamp: kv.clock.now(), rangeId: 3 as never }), [getRequest(k('q'))]))).rejects.toBeInstanceOf(RangeNotFoundError);
  });

  it('resolves an intent of a transaction it saw finalized at once, without waiting or pushing', async () => {
    const kv = await start();
    await kv.split(k('m'));
    // The committed transaction's intents on the other range stay: asynchronous resolution is off.
    const asyncResolution = vi.spyOn(kv.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
    const first = new Txn(kv.sender, kv.txnDeps, layIntents);
    await first.put(k('a'), enc('first-a')); // the anchor: its intent is resolved with the commit
    await first.put(k('z'), enc('first-z')); // on the right-hand range: left behind
    await first.commit();
    expect(asyncResolution).toHaveBeenCalled();
    expect(kv.store.replica(2 as never)!.stats.intentCount).toBe(1);
    const pushes = vi.spyOn(kv.store, 'pushTxn');
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('z'), enc('second-z')));
    expect(pushes).not.toHaveBeenCalled();
    expect(kv.store.replica(2 as never)!.stats.intentCount).toBe(0);
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('z'))))).toBe('second-z');
  });

  it('asynchronous resolution drops the writes a savepoint rollback undid (regression: it committed them)', async () => {
    const kv = await start();
    await kv.split(k('m'));
    const txn = new Txn(kv.sender, kv.txnDeps, layIntents);
    await txn.put(k('a'), enc('kept')); // the anchor: the record and its local intent live on range 1
    await txn.put(k('z'), enc('kept-z'));
    const savepoint = await txn.savepoint();
    await txn.put(k('z'), enc('rolled-back')); // on range 2: an intent whose history holds 'kept-z'
    await txn.put(k('y'), enc('rolled-back-y')); // on range 2: a key only the rolled-back writes touched
    await txn.rollbackToSavepoint(savepoint);
    await txn.commit();
    // Wait for the asynchronous resolution of range 2's intents (not a reader's, which knows the
    // record and its ignored sequences from the store's finalized cache).
    for (let i = 0; i < 200 && kv.store.replica(2 as never)!.stats.intentCount > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(kv.store.replica(2 as never)!.stats.intentCount).toBe(0);
    const rows = await runTxn(kv.sender, kv.txnDeps, (t) => t.scan(k('a'), k('~')));
    expect(rows.map((row) => `${dec(row.key.subarray(1))}=${dec(row.value)}`)).toEqual(['a=kept', 'z=kept-z']);
  });

  it('makes a writer wait for a conflicting intent and go on once it commits', async () => {
    const kv = await start();
    const first = new Txn(kv.sender, kv.txnDeps, { priority: 1000, ...layIntents });
    await first.put(k('x'), enc('first'));
    let secondDone = false;
    const second = runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('x'), enc('second')), { priority: 1 }).then(() => {
      secondDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(secondDone).toBe(false); // blocked behind the intent, and too low a priority to abort it
    await first.commit();
    await second;
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('x'))))).toBe('second');
  });

  it('refuses oversized values with a typed error and stays up', async () => {
    const kv = await start();
    const big = new Uint8Array(limits.valueBytesMax + 1);
    await expect(kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(k('big'), big)]))).rejects.toBeInstanceOf(LimitExceededError);
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('small'), enc('ok')));
    expect(dec(await runTxn(kv.sender, kv.txnDeps, (txn) => txn.get(k('small'))))).toBe('ok');
  });

  it('breaks a deadlock between equal-priority transactions by aborting one', async () => {
    const kv = await start();
    await kv.split(k('m'));
    // Equal priorities: neither push wins outright, so both wait and the cycle must be detected.
    const a = new Txn(kv.sender, kv.txnDeps, { priority: 10, ...layIntents });
    const b = new Txn(kv.sender, kv.txnDeps, { priority: 10, ...layIntents });
    await a.put(k('a'), enc('a1'));
    await b.put(k('z'), enc('b1'));
    const outcome = (p: Promise<void>) => p.then(() => 'ok' as const, (error: unknown) => error);
    const [ra, rb] = await Promise.all([outcome(a.put(k('z'), enc('a2'))), outcome(b.put(k('a'), enc('b2')))]);
    expect(kv.store.pushWaiter.deadlocksBroken).toBe(1);
    expect([ra, rb].filter((r) => r === 'ok')).toHaveLength(1);
    const [winner, loserError] = ra === 'ok' ? [a, rb] : [b, ra];
    expect(isRetryableError(loserError)).toBe(true);
    await winner.commit();
    const [x, y] = await runTxn(kv.sender, kv.txnDeps, async (txn) => [dec(await txn.get(k('a'))), dec(await txn.get(k('z')))]);
    expect([x, y]).toEqual(winner === a ? ['a1', 'a2'] : ['b2', 'b1']);
  });

  it('detects a deadlock that runs through a waiter who is not its lock’s distinguished waiter', async () => {
    const kv = await start();
    const outcome = (p: Promise<unknown>) => p.then(() => 'ok' as const, (error: unknown) => error);
    const a = new Txn(kv.sender, kv.txnDeps, { priority: 10, ...layIntents });
    const b = new Txn(kv.sender, kv.txnDeps, { priority: 10, ...layIntents });
    const c = new Txn(kv.sender, kv.txnDeps, { priority: 5, ...layIntents });
    await a.put(k('k2'), enc('a'));
    await b.put(k('k1'), enc('b'));
    await c.put(k('c'), enc('c'));
    // c queues first at k2 (distinguished waiter, pushes a and loses); b queues behind it.
    const cWaits = outcome(c.put(k('k2'), enc('c')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const bWaits = outcome(b.put(k('k2'), enc('b')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // a waits for b: the cycle a → b → a exists only through b, the second waiter at k2. (A
    // writer: a reader's forced push only moves b's timestamp, which breaks the wait, not b.)
    const aWaits = outcome(a.put(k('k1'), enc('a')));
    const [ra, rb] = await Promise.all([aWaits, bWaits]);
    expect(kv.store.pushWaiter.deadlocksBroken).toBeGreaterThanOrEqual(1);
    expect([ra, rb].filter((r) => r === 'ok')).toHaveLength(1);
    await (ra === 'ok' ? a : b).commit();
    // The first waiter gets k2 once the cycle is gone and the winner committed.
    expect(await cWaits).toBe('ok');
    await c.rollback();
  });

  it('truncates the Raft log behind the applied index and still restarts from it', async () => {
    const engine = new MemoryEngine();
    const kv = await openKv({ engine, env: env() });
    const replica = kv.store.replica(1 as never)!;
    const writes = limits.raftLogAppliedEntriesMax + 200;
    for (let i = 0; i < writes; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k(`t${i + j}`), enc(`${i + j}`)))));
    }
    const truncated = replica.logStorage.truncatedState().index;
    expect(truncated).toBeGreaterThan(limits.raftLogAppliedEntriesMax);
    expect(truncated).toBeLessThanOrEqual(replica.appliedIndex);
    expect(replica.logStorage.firstIndex()).toBe(truncated + 1);
    await kv.store.close(); // the engine stays open: a restart of the store alone
    const again = await openKv({ engine, env: env() });
    open.push(again);
    expect(again.store.replica(1 as never)!.logStorage.truncatedState().index).toBe(truncated);
    expect(dec(await runTxn(again.sender, again.txnDeps, (txn) => txn.get(k('t7'))))).toBe('7');
  });

  it('does not treat a value written after a transaction began as uncertain (observed timestamp)', async () => {
    const kv = await start();
    const reader = new Txn(kv.sender, kv.txnDeps);
    const startedAt = reader.transaction.readTimestamp;
    // Committed after the reader began, inside its 500ms max-offset window.
    await runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(k('later'), enc('v')));
    expect(await reader.get(k('later'))).toBeUndefined(); // its snapshot, without an uncertainty restart
    expect(reader.transaction.readTimestamp).toEqual(startedAt);
    await reader.commit();
  });

  it('resolves a large range of intents in bounded steps, each answering with the span still to do', async () => {
    const kv = await start();
    await kv.split(k('m'));
    const count = 2 * limits.intentResolutionIntentsMax + 17;
    const writer = new Txn(kv.sender, kv.txnDeps, layIntents);
    for (let i = 0; i < count; i += 500) {
      const n = Math.min(500, count - i);
      await writer.batch(Array.from({ length: n }, (_, j) => putRequest(k(`z${String(i + j).padStart(6, '0')}`), enc('v'))));
    }
    writer.abandon();
    const right = kv.store.replica(2 as never)!;
    expect(right.stats.intentCount).toBe(count);
    // Abort them all, as a cleanup of an abandoned transaction would: one bounded step at a time.
    let from = k('z');
    let steps = 0;
    for (;;) {
      const response = await kv.sender.send(
        batchRequest(batchHeader({ timestamp: kv.clock.now() }), [resolveIntentRangeRequest(from, k('z~'), { intentTxn: txnMeta(writer.transaction), status: 'ABORTED' })]),
      );
      steps++;
      const resume = response.responses[0].resumeSpan;
      if (resume === undefined) break;
      from = resume.key;
    }
    expect(steps).toBe(3);
    expect(right.stats.intentCount).toBe(0);
    expect(right.stats.liveCount).toBe(0);
  });
});
