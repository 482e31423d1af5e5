/**
 * Commit wait on manual time: with strict serializability the commit is acknowledged only once
 * the clock passes commitTs + U; without it, at once.
 */
import { describe, expect, it } from 'vitest';
import { putRequest } from '../../kv/api/index.js';
import { Txn } from '../../txn/index.js';
import { enc, flush, startNanos, world } from './harness.js';

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
