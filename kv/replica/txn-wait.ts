/**
 * `PushWaiter`: where a pusher whose `PushTxn` lost waits for the pushee (CockroachDB's
 * `txnwait.Queue` with its timers), around kv/concurrency's sans-I/O `TxnWaitQueue`.
 *
 * A waiting push ends when:
 * - the pushee's record is finalized (committed or aborted) — the pusher pushes again and the
 *   push now succeeds at once;
 * - `txnPushRecheckIntervalNanos` passed — push again, so a pushee whose heartbeats stopped is
 *   found expired (abandoned) and aborted;
 * - a waits-for cycle formed (deadlock detection): the push whose pushee is the victim is told to
 *   push again with `force`, which aborts the victim;
 * - the pusher itself was aborted (it was a deadlock victim, or a higher-priority pusher won):
 *   its wait fails with `TransactionAbortedError`;
 * - the request that wanted the push stopped waiting (`cancel`): `PushCancelledError`.
 *
 * Scope: one queue per store. DESIGN §5 puts the queue on the range of the pushee's record;
 * on a single store every range's queue would be fed the same pushes, so one store-wide queue
 * holds the same graph with one deadlock detector. Across nodes each pusher will have to learn
 * its own pushers' set (CockroachDB's `QueryTxn` dependents) — with the transport.
 */
import type { TxnId } from '../../src/base/ids.js';
import { limits } from '../../src/base/limits.js';
import type { TimerHandle, Timers } from '../../src/env/env.js';
import { isFinalized, TransactionAbortedError, type Transaction, type TxnMeta } from '../api/index.js';
import { TxnWaitQueue } from '../concurrency/index.js';
import { PushCancelledError } from './concurrency.js';

export type WaitOutcome = 'retry' | 'force';

interface WaitingPusher {
  readonly waiterId: string;
  readonly pusher: TxnMeta | undefined;
  readonly pushee: TxnMeta;
  readonly resolve: (outcome: WaitOutcome) => void;
  readonly reject: (error: unknown) => void;
  timer: TimerHandle | undefined;
}

export class PushWaiter {
  private readonly queue = new TxnWaitQueue();
  private readonly waiting = new Set<WaitingPusher>();
  /** Deadlocks broken so far (metrics, tests). */
  deadlocksBroken = 0;

  constructor(private readonly timers: Timers) {}

  /** Waits until the push of `pushee` by `pusher` is worth retrying; see the module comment. */
  wait(waiterId: string, pusher: TxnMeta | undefined, pushee: TxnMeta): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve, reject) => {
      const entry: WaitingPusher = { waiterId, pusher, pushee, resolve, reject, timer: undefined };
      if (pusher !== undefined) {
        try {
          this.queue.enqueuePush(pusher, pushee);
        } catch (error) {
          reject(error);
          return;
        }
      }
      this.waiting.add(entry);
      entry.timer = this.timers.setTimeout(() => this.finish(entry, 'retry'), Number(limits.txnPushRecheckIntervalNanos / 1_000_000n));
      this.detectDeadlock();
    });
  }

  /** A transaction record changed (EndTxn, PushTxn, heartbeat applied). */
  onTxnUpdated(txn: Transaction): void {
    if (!isFinalized(txn.status)) return;
    for (const entry of [...this.waiting]) {
      if (entry.pushee.id === txn.id) this.finish(entry, 'retry');
      else if (entry.pusher?.id === txn.id && txn.status === 'ABORTED') this.fail(entry, new TransactionAbortedError('ABORT_REASON_PUSHER_ABORTED', txn.id));
    }
    this.queue.onTxnFinalized(txn.id, txn.status as 'COMMITTED' | 'ABORTED');
  }

  /** The request `waiterId` no longer waits: its pushes end with `PushCancelledError`. */
  cancel(waiterId: string): void {
    for (const entry of [...this.waiting]) {
      if (entry.waiterId === waiterId) this.fail(entry, new PushCancelledError(`push for ${waiterId} cancelled`));
    }
  }

  /** Fails every waiting push (the store is closing). */
  failAll(error: Error): void {
    for (const entry of [...this.waiting]) this.fail(entry, error);
  }

  get size(): number {
    return this.waiting.size;
  }

  private detectDeadlock(): void {
    const deadlock = this.queue.detectDeadlock();
    if (deadlock === undefined) return;
    const inCycle = new Set<TxnId>(deadlock.cycle.map((t) => t.id));
    for (const entry of this.waiting) {
      if (entry.pushee.id === deadlock.abort.id && entry.pusher !== undefined && inCycle.has(entry.pusher.id)) {
        this.deadlocksBroken++;
        this.finish(entry, 'force');
        return;
      }
    }
  }

  private remove(entry: WaitingPusher): boolean {
    if (!this.waiting.delete(entry)) return false;
    if (entry.timer !== undefined) this.timers.clearTimeout(entry.timer);
    if (entry.pusher !== undefined && ![...this.waiting].some((e) => e.pusher?.id === entry.pusher!.id)) this.queue.dequeuePusher(entry.pusher.id);
    return true;
  }

  private finish(entry: WaitingPusher, outcome: WaitOutcome): void {
    if (this.remove(entry)) entry.resolve(outcome);
  }

  private fail(entry: WaitingPusher, error: unknown): void {
    if (this.remove(entry)) entry.reject(error);
  }
}
