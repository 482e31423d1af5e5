/**
 * `Catalog.open` over a real single-node KV store: a transaction reads the catalog version token
 * once per epoch — later statements of the epoch reuse it (it is in the read set, so every later
 * read timestamp was reached by a refresh that proved it unchanged) — and reads it again after a
 * restart or once it wrote the catalog itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareKeys, descriptorKey, type BatchRequest, type BatchResponse, type Request, type Sender } from '../../../kv/api/index.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Catalog, DescriptorCache } from '../../../sql/catalog/catalog.js';
import { runTxn } from '../../../txn/index.js';

const tokenKey = descriptorKey(0);

/** `sender` counting the gets of the version token it passes on. */
function countingTokenReads(sender: Sender): { sender: Sender; reads: () => number } {
  let reads = 0;
  return {
    reads: () => reads,
    sender: {
      send<Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> {
        for (const request of batch.requests) if (request.kind === 'get' && compareKeys(request.key, tokenKey) === 0) reads++;
        return sender.send(batch);
      },
    },
  };
}

describe('Catalog.open', () => {
  let kv: Kv;
  beforeEach(async () => {
    kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
  });
  afterEach(async () => {
    await kv.close();
  });

  it('reads the version token once per transaction epoch', async () => {
    const counted = countingTokenReads(kv.sender);
    const cache = new DescriptorCache();
    await runTxn(counted.sender, kv.txnDeps, async (txn) => {
      const first = await Catalog.open(txn, cache);
      const second = await Catalog.open(txn, cache);
      const third = await Catalog.openWithReads(txn, cache, [descriptorKey(1)]);
      expect(second.version).toBe(first.version);
      expect(third.catalog.version).toBe(first.version);
      expect(counted.reads()).toBe(1);
      txn.restartEpoch(txn.transaction.writeTimestamp);
      await Catalog.open(txn, cache);
      expect(counted.reads()).toBe(2);
    });
  });

  it('keeps the token of its read timestamp while another transaction commits DDL', async () => {
    const cache = new DescriptorCache();
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      const before = await Catalog.open(txn, cache);
      await runTxn(kv.sender, kv.txnDeps, async (ddl) => (await Catalog.open(ddl, new DescriptorCache())).writeName(0, 0, 'other', 500, 'database'));
      expect((await Catalog.open(txn, cache)).version).toBe(before.version);
    });
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      expect((await Catalog.open(txn, new DescriptorCache())).version).not.toBe('initial');
    });
  });

  it('reads the token again once the transaction wrote the catalog, and sees its own', async () => {
    const cache = new DescriptorCache();
    await runTxn(kv.sender, kv.txnDeps, async (txn) => {
      const catalog = await Catalog.open(txn, cache);
      await catalog.writeName(0, 0, 'mine', 501, 'database');
      const reopened = await Catalog.open(txn, cache);
      expect(reopened.version).toBe(catalog.version);
      expect(reopened.version).not.toBe('initial');
      expect(await reopened.lookup(0, 0, 'mine')).toMatchObject({ id: 501 });
    });
  });
});
