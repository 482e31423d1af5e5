/**
 * `restartedWithLostResolution`: a store restarted on an engine that holds a committed
 * transaction's intents whose asynchronous resolution was lost — the first store split at "m",
 * committed the writes with its resolution turned off, and closed, so no finalized-transaction
 * cache remembers the transaction. The anchor write (the first) is on the record's range and is
 * resolved with the commit; the writes on the right-hand range ("m" and above) are left behind.
 */
import { vi } from 'vitest';
import { MemoryEngine } from '../../kv/storage/memory-engine.js';
import { silentLogger } from '../../src/base/logger.js';
import { realEnv } from '../../src/env/real.js';
import { openKv, type Kv } from '../../src/node/kv.js';
import { Txn } from '../../txn/index.js';
import { borrowed } from './borrowed-engine.js';

/** Keys under the 0x10 prefix the restart tests write: `k('a')`. */
export const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...new TextEncoder().encode(s)]);

/** The restarted store (pushed onto `open` to be closed), after `writes` in one committed transaction. */
export async function restartedWithLostResolution(writes: readonly (readonly [key: string, value: string])[], open: Kv[]): Promise<Kv> {
  const engine = new MemoryEngine();
  const env = realEnv({ logger: silentLogger() });
  const first = await openKv({ engine: borrowed(engine), env });
  await first.split(k('m'));
  vi.spyOn(first.store as unknown as { resolveIntentsAsync: () => void }, 'resolveIntentsAsync').mockImplementation(() => undefined);
  const txn = new Txn(first.sender, first.txnDeps, { writeBufferBytesMax: 0 });
  for (const [key, value] of writes) await txn.put(k(key), new TextEncoder().encode(value));
  await txn.commit();
  await first.close();
  const second = await openKv({ engine, env });
  open.push(second);
  return second;
}
