/**
 * Abandoned transactions: a client that dies in the middle of a transaction while the node lives
 * on (a killed application server, a dropped connection whose session is never rolled back).
 *
 * The client writes — its intents reach the store and its heartbeat loop starts — keeps the
 * transaction alive for a drawn while (heartbeats create and renew its PENDING record), then drops
 * the coordinator: no EndTxn, no rollback, no more heartbeats (`Txn.abandon`). Nothing will ever
 * finish it but the others: a request that meets one of its intents waits, pushes it once its
 * record (or, with no record, its intent) is older than the liveness threshold, aborts it and
 * resolves the intent; the GC's abandoned-intent cleanup (gc.ts) does the same for the intents no
 * one meets. The checkers then hold the transaction to "never committed": no transfer record, no
 * register version of it, ever.
 */
import type { RandomSource } from '../../env/env.js';
import { Txn } from '../../../txn/index.js';
import type { Kv } from '../../node/kv.js';
import type { Clients } from './clients.js';
import { ProcessCrashedError, type SimNode } from './process.js';

/** A write of an abandoned transaction. */
export interface Put {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Whether the next transaction of a loop is abandoned (draws nothing when the chance is 0, so such runs are as they were). */
export function drawAbandon(random: RandomSource, chance: number): boolean {
  return chance > 0 && random.float() < chance;
}

/**
 * Runs `writes(txn)` — reads, then the writes it returns — in a transaction it sends but never
 * finishes: the writes are flushed (intents on the store), the transaction heartbeats for
 * `holdMs` of virtual time, then its coordinator is dropped. Returns how it ended: `abandoned`,
 * or `crashed` if the process died under it (the same for the store: a dead coordinator). A
 * definite error of the store (a conflict, a push) also ends it abandoned — it may have written
 * some intents, and never commits either way.
 */
export async function runAbandoned(node: SimNode, clients: Clients, name: string, holdMs: number, writes: (txn: Txn) => Promise<readonly Put[]>): Promise<'abandoned' | 'crashed'> {
  let txn: Txn | undefined;
  try {
    await clients.track(name, () =>
      node.run(async (kv: Kv) => {
        txn = new Txn(kv.sender, kv.txnDeps, { name: 'abandoned' });
        const requests = await writes(txn);
        for (const { key, value } of requests) await txn.put(key, value);
        await txn.flush();
      }),
    );
    if (holdMs > 0) await clients.sleep(holdMs);
  } catch (error) {
    if (error instanceof ProcessCrashedError) return 'crashed';
    if (!(error instanceof Error && 'errorClass' in error)) throw error;
  } finally {
    txn?.abandon();
    clients.lastAbandonedUs = clients.scheduler.now;
  }
  return 'abandoned';
}
