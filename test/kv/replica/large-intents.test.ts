/**
 * Resolution of large intents (regression, found by review): resolution was bounded in intents,
 * not bytes. A committed transaction's 20 intents of 2.3 MB each were resolved by one
 * ResolveIntentRange (a reader meeting 16+ of them asks for one) or one EndTxn — a 46 MB Raft
 * command, over raftCommandBytesMax, refused every time: the reader's scan failed on every
 * retry, and a transaction with 18 MB on its record's range could not commit. Each now stops at
 * intentResolutionBytesMax and leaves the rest to its resume span.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, keyMax, scanRequest, type ScanRequest, type BatchResponse } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);
const env = () => realEnv({ logger: silentLogger() });

describe('large intents of a committed transaction', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  it('a reader meeting 20 committed 2.3 MB intents can read them', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    await kv.split(k('m'));
    const txn = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await txn.put(k('a'), enc('anchor')); // record on [min, m)
    const big = new Uint8Array(2_300_000).fill(0x61);
    for (let i = 0; i < 20; i++) await txn.put(k(`z${String(i).padStart(3, '0')}`), big); // each its own command: fits
    await txn.commit();
    const right = kv.store.replicaForKey(k('z000'))!;
    expect(right.stats.intentCount).toBe(20);
    // Every read of the range, not just the first: the intents stay (the async resolver's
    // batches of 8 point resolutions are over the limit too).
    for (let round = 0; round < 3; round++) {
      const response: BatchResponse<readonly [ScanRequest]> = await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [scanRequest(k('z'), keyMax)] as const));
      expect(response.responses[0].rows).toHaveLength(20);
    }
  }, 120_000);

  it('a transaction whose 20 × 2.3 MB writes are on its record\'s range can commit', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: env() });
    open.push(kv);
    const txn = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    const big = new Uint8Array(2_300_000).fill(0x61);
    for (let i = 0; i < 20; i++) await txn.put(k(`z${String(i).padStart(3, '0')}`), big);
    await txn.commit();
  }, 120_000);
});
