/**
 * A transaction's commit-time refresh whose window starts at or below the range's GC threshold
 * must fail (review M1 of session 9): GC removes a version shadowed by a newer one at or below the
 * threshold, so a refresh over `(refreshFrom, refreshTo]` that reached below the threshold could
 * find nothing where a write had been, pass, and commit the transaction over a write it never saw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { next, type Timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, pushTxnRequest, putRequest, txnMeta } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

describe('a refresh below the GC threshold', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  for (const gc of [false, true]) {
    it(`fails the commit of a transaction whose read was overwritten inside its refresh window (GC ${gc ? 'ran' : 'did not run'})`, async () => {
      const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
      open.push(kv);
      const k = Uint8Array.from([0x10, 0x6b]);
      const j = Uint8Array.from([0x10, 0x6a]);
      /** Writes non-transactionally; the timestamp the value landed at. */
      const put = async (key: Uint8Array, value: string): Promise<Timestamp> => {
        const at = kv.clock.now();
        await kv.sender.send(batchRequest(batchHeader({ timestamp: at }), [putRequest(key, enc(value))]));
        return at;
      };
      await put(k, 'v0');
      const t = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 }); // writes are intents at once
      expect(dec(await t.get(k))).toBe('v0');
      await t.put(j, enc('x'));
      const t1 = await put(k, 'v1'); // overwrites t's read: t must not commit above it
      await put(k, 'v2');
      // An outranking pusher moves t above its read, to just past v1 and below v2.
      await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [pushTxnRequest({ pusher: undefined, pushee: txnMeta(t.transaction), pushTo: next(t1), pushType: 'timestamp', force: true })]));
      if (gc) {
        // Collects v1 (shadowed by v2); the threshold passes t's read timestamp.
        const result = await kv.store.gcQueue.gcRange(kv.store.replicaForKey(k)!, kv.clock.now());
        expect(result.versionsRemoved).toBeGreaterThan(0);
      }
      await expect(t.commit()).rejects.toMatchObject({ code: expect.stringMatching(/RETRY|ABORT/) });
    });
  }
});
