/**
 * `TurnBudget`: how many requests the store serves in one turn of the event loop before it lets
 * the loop turn (timers, I/O) — a node's own liveness runs on timers.
 *
 * A request can be served without ever leaving the microtask queue: a point read answered at
 * once (kv/replica concurrency.ts), a Raft proposal on a single-voter range over the memory
 * engine. A client in the same process that loops such requests (`while (…) await txn.get(…)`:
 * a snapshot reader beside a bank's transfers) then starves every timer of the node: the lock
 * waiters' pushes never fire, so a deadlock among the writers is never detected and they wait for
 * ever (review F2 of session 11; CockroachDB's goroutines are preempted, Node's microtasks are
 * not). Past `storeRequestsPerTurnMax` requests in one turn, a request waits for the next check
 * phase (`Timers.afterIo`), which comes after the loop's timers and I/O. The KV simulator's
 * timers have an `afterIo` too (an event at the same virtual time, after those already due), so
 * the budget applies there as well, deterministically; timers without one turn it off.
 *
 * It is a bound, not an exact count: the requests a check phase releases are not counted
 * against the turn that follows, only new arrivals are.
 */
import { assert } from '../../src/base/assert.js';
import type { Timers } from '../../src/env/env.js';

export class TurnBudget {
  private servedThisTurn = 0;
  private resetScheduled = false;

  constructor(
    private readonly timers: Timers,
    private readonly requestsPerTurnMax: number,
  ) {
    assert(requestsPerTurnMax > 0, 'a turn serves at least one request');
  }

  /** Undefined when the request may be served now; else a promise settled in a later turn. */
  admit(): Promise<void> | undefined {
    const afterIo = this.timers.afterIo;
    if (afterIo === undefined) return undefined;
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      afterIo.call(this.timers, () => {
        this.servedThisTurn = 0;
        this.resetScheduled = false;
      });
    }
    this.servedThisTurn++;
    if (this.servedThisTurn <= this.requestsPerTurnMax) return undefined;
    return new Promise((resolve) => afterIo.call(this.timers, resolve));
  }
}
