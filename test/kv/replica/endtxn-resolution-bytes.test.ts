/**
 * Regression (H8 review s8, L1): the EndTxn resolves the intents on its record's range within a
 * byte budget (`intentResolutionBytesMax`) checked before each intent, not after — checked after,
 * a 3.9 MiB value then a 13.5 MiB one were both resolved in the EndTxn, an 18.2 MB command over
 * `raftCommandBytesMax` (17 MiB), refused on every retry: the transaction could never commit.
 * Now the first goes in the EndTxn and the second to the asynchronous resolver.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

describe('EndTxn local resolution byte budget', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  it('commits a 3.9 MiB value then a 13.5 MiB value on its record\'s range, both readable', async () => {
    const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
    open.push(kv);
    const small = Math.floor(3.9 * 1024 * 1024);
    const large = Math.floor(13.5 * 1024 * 1024);
    const txn = new Txn(kv.sender, kv.txnDeps, { writeBufferBytesMax: 0 });
    await txn.put(k('a'), new Uint8Array(small).fill(0x61));
    await txn.put(k('b'), new Uint8Array(large).fill(0x62));
    await txn.commit();
    const [a, b] = await runTxn(kv.sender, kv.txnDeps, async (reader) => [await reader.get(k('a')), await reader.get(k('b'))]);
    expect(a?.length).toBe(small);
    expect(b?.length).toBe(large);
    expect(b?.[large - 1]).toBe(0x62);
  }, 120_000);
});
