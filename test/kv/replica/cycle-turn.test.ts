/**
 * A store's Ready cycle starts at the end of the event loop's turn (kv/replica `Store.runCycles`,
 * `Timers.afterIo`), so what is proposed in the rest of that turn shares its group commit: the
 * parts of a parallel commit on three ranges — sent together by the DistSender, proposed a few
 * microtasks apart — are made durable by one synced commit; each took a cycle of its own, one
 * fsync after the other, when the first proposal started a cycle at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, putRequest } from '../../../kv/api/index.js';
import type { CommitOptions, WriteOp } from '../../../kv/storage/engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

/** A memory engine that counts its synced commits. */
class CountingEngine extends MemoryEngine {
  syncedCommits = 0;

  override commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    if (options.sync) this.syncedCommits++;
    return super.commit(ops, options);
  }
}

describe('a Ready cycle at the end of the turn', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  async function start(): Promise<{ kv: Kv; engine: CountingEngine }> {
    const engine = new CountingEngine();
    const kv = await openKv({ engine, env: realEnv({ logger: silentLogger() }), parallelCommits: true });
    open.push(kv);
    await kv.split(k('m'));
    await kv.split(k('t'));
    // Every range's lease is taken, so that the measured batches propose nothing else.
    for (const key of ['a', 'p', 'z']) await kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(k(key), enc('warm'))]));
    return { kv, engine };
  }

  it('stages a parallel commit across three ranges in one synced commit', async () => {
    const { kv, engine } = await start();
    const txn = new Txn(kv.sender, kv.txnDeps);
    for (const key of ['a', 'p', 'z']) await txn.put(k(key), enc('2')); // held to the commit
    const before = engine.syncedCommits;
    await txn.commit(); // answered once the STAGING record and the three writes are durable
    expect(txn.transaction.status).toBe('COMMITTED');
    expect(kv.txnDeps.parallelCommits?.stagedCommits).toBe(1);
    expect(engine.syncedCommits - before).toBe(1);
  });
});
