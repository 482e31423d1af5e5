/**
 * The transaction wait queue (CockroachDB's `txnwait.Queue`), kept on the range that holds a
 * pushee's transaction record: a pusher that cannot win a push at once (`PushTxn` found the pushee
 * PENDING and alive) registers here and is released when the pushee finalizes.
 *
 * The registered pushes form a waits-for graph (pusher → pushee). A cycle means no transaction
 * in it can make progress: `detectDeadlock` finds one and names the transaction to abort — the
 * lowest priority, ties broken by the larger transaction id, so every node picks the same victim
 * (deadlock detection). A pushee that stopped heartbeating its record for longer than
 * `txnLivenessThresholdNanos` is abandoned (its coordinator died): `isAbandoned` says a pusher
 * may abort it and clean up its intents.
 *
 *     A ──waits for──► B ──waits for──► C
 *     ▲                                 │
 *     └──────────waits for──────────────┘      cycle A → B → C → A: abort the lowest priority
 *
 * Sans-I/O: no timers; the caller supplies `now` and decides when to run detection (CockroachDB
 * checks after each push waits a short delay). Bounded by `txnWaitQueuePushersMax`.
 *
 * Scope: the graph holds the pushes registered in this queue. On one node with every range's
 * queue fed the same pushes that is the whole graph; across ranges, CockroachDB makes each pusher
 * learn its own pushers' set through `QueryTxn` and carries it along (the next session's job when
 * pushes travel through the KV API). A pusher with a higher priority winning at once, and
 * pushing timestamps rather than aborting, are `PushTxn` evaluation, not this queue.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { Timestamp } from '../../clock/timestamp.js';
import type { TxnId } from '../../src/base/ids.js';
import type { TxnStatus } from '../storage/mvcc/resolve.js';
import type { TxnMeta } from '../storage/mvcc/txn.js';
import { TxnWaitQueueFullError } from './errors.js';

/** A registered push: `pusher` waits for `pushee` to finalize. */
export interface WaitingPush {
  readonly pusher: TxnMeta;
  readonly pushee: TxnMeta;
}

export interface Deadlock {
  /** The transactions of the cycle in waits-for order, starting at the earliest-registered pusher. */
  readonly cycle: readonly TxnMeta[];
  /** The transaction to abort to break it. */
  readonly abort: TxnMeta;
}

/** Which of `a` and `b` a deadlock aborts: lower priority, then the larger id. */
export function deadlockVictim(a: TxnMeta, b: TxnMeta): TxnMeta {
  if (a.priority !== b.priority) return a.priority < b.priority ? a : b;
  return a.id > b.id ? a : b;
}

/**
 * True if a PENDING pushee whose record last heartbeat at `lastHeartbeat` is abandoned at `now`:
 * more than `thresholdNanos` of wall time passed. A pusher may then abort it.
 */
export function isAbandoned(lastHeartbeat: Timestamp, now: Timestamp, thresholdNanos: bigint = limits.txnLivenessThresholdNanos): boolean {
  assert(thresholdNanos > 0n, 'liveness threshold must be positive');
  return now.wallNanos - lastHeartbeat.wallNanos > thresholdNanos;
}

export class TxnWaitQueue {
  /** Registered pushes in registration order, keyed by `pusherId/pusheeId`. */
  private readonly pushes = new Map<string, WaitingPush>();

  constructor(private readonly pushersMax: number = limits.txnWaitQueuePushersMax) {
    assert(Number.isSafeInteger(pushersMax) && pushersMax > 0, 'txnWaitQueuePushersMax must be positive');
  }

  /**
   * Registers that `pusher` waits for `pushee`. Idempotent for the same pair (the newer metas
   * replace the old, e.g. after a priority bump). Throws `TxnWaitQueueFullError` when full.
   */
  enqueuePush(pusher: TxnMeta, pushee: TxnMeta): void {
    assert(pusher.id !== pushee.id, 'a transaction cannot push itself');
    const key = `${pusher.id}/${pushee.id}`;
    if (!this.pushes.has(key) && this.pushes.size >= this.pushersMax) throw new TxnWaitQueueFullError(this.pushersMax);
    this.pushes.delete(key);
    this.pushes.set(key, { pusher, pushee });
  }

  /** The pusher gave up (its request was cancelled or its own transaction finished). */
  dequeuePusher(pusherId: TxnId): WaitingPush[] {
    return this.removeWhere((p) => p.pusher.id === pusherId);
  }

  /**
   * `txnId` committed or aborted: every push waiting on it is released (returned in
   * registration order, to be answered with `status`), and its own pushes are dropped.
   */
  onTxnFinalized(txnId: TxnId, status: Exclude<TxnStatus, 'PENDING'>): WaitingPush[] {
    assert(status === 'COMMITTED' || status === 'ABORTED', 'a finalized transaction is committed or aborted');
    this.removeWhere((p) => p.pusher.id === txnId);
    return this.removeWhere((p) => p.pushee.id === txnId);
  }

  /**
   * Finds a waits-for cycle, if any, deterministically: depth-first from each pusher in
   * registration order, following edges in registration order. Returns the first cycle found.
   */
  detectDeadlock(): Deadlock | undefined {
    const edges = this.edges();
    const done = new Set<TxnId>();
    for (const push of this.pushes.values()) {
      const cycle = findCycle(push.pusher.id, edges, done);
      if (cycle !== undefined) {
        const metas = this.metas();
        const cycleMetas = cycle.map((id) => metas.get(id)!);
        return { cycle: cycleMetas, abort: cycleMetas.reduce(deadlockVictim) };
      }
    }
    return undefined;
  }

  /** Every registered push, in registration order. */
  waiting(): WaitingPush[] {
    return [...this.pushes.values()];
  }

  private edges(): Map<TxnId, TxnId[]> {
    const edges = new Map<TxnId, TxnId[]>();
    for (const push of this.pushes.values()) {
      const out = edges.get(push.pusher.id) ?? [];
      out.push(push.pushee.id);
      edges.set(push.pusher.id, out);
    }
    return edges;
  }

  /** The latest meta registered for each transaction (as pusher or pushee). */
  private metas(): Map<TxnId, TxnMeta> {
    const metas = new Map<TxnId, TxnMeta>();
    for (const push of this.pushes.values()) {
      metas.set(push.pusher.id, push.pusher);
      metas.set(push.pushee.id, push.pushee);
    }
    return metas;
  }

  private removeWhere(predicate: (push: WaitingPush) => boolean): WaitingPush[] {
    const removed: WaitingPush[] = [];
    for (const [key, push] of this.pushes) {
      if (!predicate(push)) continue;
      this.pushes.delete(key);
      removed.push(push);
    }
    return removed;
  }
}

/**
 * Iterative depth-first search from `start` (no recursion: a chain of `txnWaitQueuePushersMax`
 * waits must not overflow the stack). `done` holds nodes already proven to reach no cycle.
 * Returns the cycle's nodes in waits-for order, or undefined.
 */
function findCycle(start: TxnId, edges: Map<TxnId, TxnId[]>, done: Set<TxnId>): TxnId[] | undefined {
  if (done.has(start)) return undefined;
  const path: TxnId[] = [start];
  const onPath = new Set<TxnId>(path);
  const nextEdge: number[] = [0];
  while (path.length > 0) {
    const node = path[path.length - 1]!;
    const out = edges.get(node) ?? [];
    const i = nextEdge[nextEdge.length - 1]!;
    if (i === out.length) {
      done.add(node);
      onPath.delete(node);
      path.pop();
      nextEdge.pop();
      continue;
    }
    nextEdge[nextEdge.length - 1] = i + 1;
    const next = out[i]!;
    if (onPath.has(next)) return path.slice(path.indexOf(next));
    if (done.has(next)) continue;
    path.push(next);
    onPath.add(next);
    nextEdge.push(0);
  }
  return undefined;
}
