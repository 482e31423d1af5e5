/**
 * ClearRange over a span holding an intent of a transaction that is not finalized. It refuses
 * to clear an intent (the transaction may still commit), so it must wait for the holder as a
 * write would — queue in the lock table, push — not re-evaluate at once: without a lock span it
 * spun to the sequencer's round limit (10,000 evaluations, then an assertion) and the dropped
 * data stayed forever (found by review).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, clearRangeRequest, scanRequest, type BatchResponse, type ClearRangeRequest } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

describe('ClearRange meets an intent of an unfinalized transaction', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  async function kvWith(): Promise<Kv> {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    const writer = new Txn(kv.sender, kv.txnDeps);
    await writer.put(k('r0'), enc('committed'));
    await writer.commit();
    return kv;
  }

  const clear = (kv: Kv): Promise<BatchResponse<readonly [ClearRangeRequest]>> =>
    kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [clearRangeRequest(k('r'), k('s'))] as const));
  const keysLeft = async (kv: Kv): Promise<number> =>
    (await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [scanRequest(k('r'), k('s'))] as const))).responses[0].rows.length;

  it('waits for a live holder and clears once it committed — its row too', async () => {
    const kv = await kvWith();
    const txn = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await txn.put(k('r1'), enc('v'));
    let cleared = false;
    const clearing = clear(kv).then((response) => {
      cleared = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(cleared).toBe(false); // queued behind the intent, not spinning through it
    await txn.commit();
    expect((await clearing).responses[0].resumeSpan).toBeUndefined();
    expect(await keysLeft(kv)).toBe(0);
  });

  it('pushes an abandoned holder aside once it expired, and clears', async () => {
    const kv = await kvWith();
    const txn = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await txn.put(k('r1'), enc('v'));
    txn.abandon(); // its coordinator is gone: no heartbeat, no commit, no rollback
    expect((await clear(kv)).responses[0].resumeSpan).toBeUndefined();
    expect(await keysLeft(kv)).toBe(0);
  }, 60_000);
});
