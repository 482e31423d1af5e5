/**
 * A restarted store serves only once its clock reads above every timestamp the dead process
 * could have served at (kv/replica/store.ts, `waitOutPreviousProcess`): the timestamp cache's
 * floor, the clock's reading when the store opens, is then above the reads it forgot. A reader
 * pushes an intent to its uncertainty limit and the pushed transaction refreshes its reads there
 * — reads up to the offset ahead of the clock — and their cache entries die with the process.
 * Before, a write right after the restart landed below such a read, and a second read at that
 * timestamp saw a different answer (KV simulator seeds 2019 and 2153: a write skew across a
 * crash, the register workload's dependency cycle r.2.41 -wr-> r.0.7 -rw-> r.1.28 -rw-> r.2.41).
 *
 * The offset waited out is the previous process's as much as ours: a process restarted with a
 * smaller one (review, session 12) waited only twice the new one, and a read served 400 ms ahead
 * under a 500 ms offset was forgotten. The store records the offset it serves under.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addNanos } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, getRequest, putRequest, storeMaxOffsetKey } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn } from '../../../txn/index.js';
import { borrowed } from '../../support/borrowed-engine.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const key = Uint8Array.from([0x10, ...enc('k')]);

describe('the timestamp cache floor of a restarted store', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  it('is above the reads the previous process served ahead of the clock', async () => {
    const engine = new MemoryEngine();
    const env = realEnv({ logger: silentLogger() });
    const first = await openKv({ engine: borrowed(engine), env });
    await runTxn(first.sender, first.txnDeps, (txn) => txn.put(key, enc('v0')));
    // A read 400 ms ahead of the clock (within the 500 ms offset: a pushed transaction's refresh).
    const ahead = addNanos(first.clock.now(), 400_000_000n);
    const readAhead = (kv: Kv) => kv.sender.send(batchRequest(batchHeader({ timestamp: ahead, now: kv.clock.now() }), [getRequest(key)] as const));
    expect(dec((await readAhead(first)).responses[0].value)).toBe('v0');
    await first.close();

    const second = await openKv({ engine, env });
    open.push(second);
    expect(second.store.tsCache.lowWater.wallNanos).toBeGreaterThan(ahead.wallNanos);
    await second.sender.send(batchRequest(batchHeader({ timestamp: second.clock.now() }), [putRequest(key, enc('v1'))] as const));
    // The same read again: the write landed above it, so the answer is the same.
    expect(dec((await readAhead(second)).responses[0].value)).toBe('v0');
  });

  it('serves plain writes after a restart at the clock, readable at once', async () => {
    const engine = new MemoryEngine();
    const env = realEnv({ logger: silentLogger() });
    const first = await openKv({ engine: borrowed(engine), env });
    await runTxn(first.sender, first.txnDeps, (txn) => txn.put(key, enc('v0')));
    await first.close();

    const second = await openKv({ engine, env });
    open.push(second);
    const put = (value: string) => second.sender.send(batchRequest(batchHeader({ timestamp: second.clock.now() }), [putRequest(key, enc(value))] as const));
    await put('v1');
    await put('v2');
    const read = await second.sender.send(batchRequest(batchHeader({ timestamp: second.clock.now() }), [getRequest(key)] as const));
    expect(dec(read.responses[0].value)).toBe('v2');
  });

  it('is now on a fresh store (nothing was served before it)', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    expect(kv.store.tsCache.lowWater.wallNanos).toBeLessThanOrEqual(kv.clock.now().wallNanos);
  });

  it('waits out the previous process\'s larger max offset when restarted with a smaller one, then records its own', async () => {
    const engine = new MemoryEngine();
    const env = realEnv({ logger: silentLogger() });
    const first = await openKv({ engine: borrowed(engine), env, maxClockOffsetNanos: 500_000_000n });
    await runTxn(first.sender, first.txnDeps, (txn) => txn.put(key, enc('v0')));
    const ahead = addNanos(first.clock.now(), 400_000_000n); // within the old offset
    const readAhead = (kv: Kv) => kv.sender.send(batchRequest(batchHeader({ timestamp: ahead, now: kv.clock.now() }), [getRequest(key)] as const));
    expect(dec((await readAhead(first)).responses[0].value)).toBe('v0');
    await first.close();

    const second = await openKv({ engine, env, maxClockOffsetNanos: 5_000_000n });
    open.push(second);
    await second.sender.send(batchRequest(batchHeader({ timestamp: second.clock.now() }), [putRequest(key, enc('v1'))] as const));
    expect(dec((await readAhead(second)).responses[0].value)).toBe('v0');
    // The wait is over: the store now records the offset it serves under, the smaller one.
    const recorded = engine.get(storeMaxOffsetKey)!;
    expect(new DataView(recorded.buffer, recorded.byteOffset, 8).getBigUint64(0, false)).toBe(5_000_000n);
  });
});
