/**
 * A store restarted with a smaller max clock offset than its previous process (review, session
 * 12): the wait before serving (kv/replica/store.ts `waitOutPreviousProcess`) must cover what the
 * OLD process served up to 2 × ITS offset ahead of its clock — else a read served 400 ms ahead
 * under a 500 ms offset is forgotten below the new timestamp-cache floor, and a write right after
 * the restart changes what it saw. The store records the offset it serves under.
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

describe('restart with a smaller max offset', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  it('keeps a read served ahead of the clock repeatable', async () => {
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
