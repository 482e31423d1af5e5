/**
 * The range's GC threshold through a store: once a GC request raised it, a read or write of user
 * data at or below it is refused with BatchTimestampBeforeGCError (CockroachDB's "batch
 * timestamp … must be after replica GC threshold …", SQLSTATE 72000) — transactional or not —
 * while reads above it, and requests that touch no user data, go on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addNanos, type Timestamp } from '../../../clock/timestamp.js';
import { BatchTimestampBeforeGCError, batchHeader, batchRequest, gcRequest, getRequest, putRequest } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const key = Uint8Array.from([0x10, 0x61]);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

describe('the GC threshold', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  async function store(): Promise<Kv> {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    return kv;
  }

  const get = async (kv: Kv, at: Timestamp): Promise<string | undefined> => dec((await kv.sender.send(batchRequest(batchHeader({ timestamp: at }), [getRequest(key)] as const))).responses[0].value);

  it('refuses reads and writes at or below it, and serves those above', async () => {
    const kv = await store();
    const first = kv.clock.now();
    await kv.sender.send(batchRequest(batchHeader({ timestamp: first }), [putRequest(key, new TextEncoder().encode('v1'))]));
    const between = kv.clock.now();
    await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(key, new TextEncoder().encode('v2'))]));
    expect(await get(kv, between)).toBe('v1'); // no threshold yet: the history is there

    const threshold = kv.clock.now();
    await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [gcRequest(key, Uint8Array.from([0x10, 0x62]), [{ key, timestamp: threshold }], threshold)]));

    await expect(get(kv, between)).rejects.toThrow(BatchTimestampBeforeGCError);
    await expect(get(kv, threshold)).rejects.toMatchObject({ sqlState: '72000', message: expect.stringMatching(/^batch timestamp \d+\.\d{9},\d+ must be after replica GC threshold \d+\.\d{9},\d+$/) });
    await expect(kv.sender.send(batchRequest(batchHeader({ timestamp: between }), [putRequest(key, new TextEncoder().encode('late'))]))).rejects.toThrow(BatchTimestampBeforeGCError);
    expect(await get(kv, addNanos(threshold, 1n))).toBe('v2');

    // A transaction reading at a fixed timestamp below it (AS OF SYSTEM TIME) is refused too.
    const historical = new Txn(kv.sender, kv.txnDeps, { fixedTimestamp: between });
    await expect(historical.get(key)).rejects.toThrow(BatchTimestampBeforeGCError);
    await historical.rollback();
    const current = new Txn(kv.sender, kv.txnDeps);
    expect(dec(await current.get(key))).toBe('v2');
    await current.commit();
  });
});
