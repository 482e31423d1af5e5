/**
 * Review (session 10): a merge must carry the right-hand range's GC threshold to the merged range.
 * The right range was collected at threshold T (versions only reads at or below T could see are
 * gone); the left range never was (threshold 0). After the merge, a read of a former right-hand
 * key at a timestamp at or below T must be refused (72000), not answered from the collected history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../clock/manual.js';
import { compare, type Timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, getRequest, putRequest, settingKey } from '../../../kv/api/index.js';
import { gcTtlSettingName } from '../../../kv/replica/gc-queue.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { manualEnv } from '../../support/manual-env.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const secondNanos = 1_000_000_000n;

describe('review: GC threshold across a merge', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  it('a read of a collected right-hand key below its threshold is refused after the merge', async () => {
    const manual = new ManualClock(1_700_000_000n * secondNanos);
    const kv = await openKv({ engine: new MemoryEngine(), env: manualEnv(manual) });
    open.push(kv);
    const send = (request: Parameters<typeof batchRequest>[1][number]) => kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [request]));
    const get = async (key: Uint8Array, at: Timestamp): Promise<string | undefined> => dec((await kv.sender.send(batchRequest(batchHeader({ timestamp: at }), [getRequest(key)] as const))).responses[0].value);

    await send(putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '10', type: 'i' }))));
    const left = Uint8Array.from([0x10, 0x61]);
    const splitKey = Uint8Array.from([0x20]);
    const right = Uint8Array.from([0x20, 0x61]);
    await kv.split(Uint8Array.from([0x10]));
    await kv.split(splitKey);
    await send(putRequest(left, enc('L')));
    await send(putRequest(right, enc('old')));
    manual.advance(1_000_000n);
    const oldRead = kv.clock.now(); // sees 'old'
    manual.advance(1_000_000n);
    await send(putRequest(right, enc('mid')));
    manual.advance(1_000_000n);
    await send(putRequest(right, enc('new')));
    expect(await get(right, oldRead)).toBe('old');

    await kv.store.gcQueue.runPass(); // first sight
    manual.advance(11n * secondNanos);
    const results = await kv.store.gcQueue.runPass();
    const rightRange = kv.store.replicas().find((r) => r.descriptor.startKey.length === 1 && r.descriptor.startKey[0] === 0x20)!;
    const leftRange = kv.store.replicas().find((r) => r.descriptor.startKey.length === 1 && r.descriptor.startKey[0] === 0x10)!;
    expect(results.map((r) => r.rangeId)).toContain(rightRange.rangeId);
    expect(results.map((r) => r.rangeId)).not.toContain(leftRange.rangeId); // the left range had no garbage
    expect(leftRange.gcThreshold.wallNanos).toBe(0n);
    const threshold = rightRange.gcThreshold;
    // Before the merge: refused.
    await expect(get(right, oldRead)).rejects.toMatchObject({ sqlState: '72000' });

    await kv.merge(Uint8Array.from([0x10]));
    expect(leftRange.descriptor.endKey).not.toEqual(splitKey); // merged
    expect(await get(right, kv.clock.now())).toBe('new');
    // After the merge the same read must still be refused: 'old' was collected. (Before the fix
    // it answered undefined — the row did not exist at oldRead — a wrong answer.)
    await expect(get(right, oldRead)).rejects.toMatchObject({ sqlState: '72000' });
    expect(compare(leftRange.gcThreshold, threshold)).toBeGreaterThanOrEqual(0);
  });
});
