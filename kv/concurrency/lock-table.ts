/**
 * The lock table (CockroachDB's `lockTable`): the locks of one range that requests must respect,
 * each with a per-key FIFO request waiting list (see `lock-state.ts`).
 *
 * A request that holds its latches calls `scanAndEnqueue`. The table walks the request's spans
 * in order and stops at the first lock it conflicts with:
 * - a lock held by the request's own transaction never conflicts;
 * - a read at R conflicts with a lock held at a write timestamp ≤ R (a lock above R hides
 *   nothing the read can see); a write conflicts with every lock held by another transaction;
 * - a reserved (free) lock blocks only writers of other transactions; readers ignore it.
 *
 * On a conflict the wait policy decides: `block` queues the request (sorted by arrival, so FIFO)
 * and returns `wait` with the transaction to push; `error` returns a `LockConflictError`
 * (reservations do not count: nothing is locked); `skipLocked` notes the key and goes on.
 * A waiting caller releases its latches and waits for an event: `proceed` (stop waiting, rescan)
 * or `push` (this request is now the lock's *distinguished* waiter: it alone pushes the owner,
 * so a queue of N waiters costs one push, not N).
 *
 * Where locks come from: `addDiscoveredLock` (a replicated intent evaluation found in MVCC) and
 * `acquireLock` (a lock the request's transaction takes). They go away with `onLockReleased`
 * (an intent resolved) or `onTxnFinalized` (every lock of a committed or aborted transaction).
 *
 * Bounds: at most `lockTableKeysMax` keys. When full, the table first evicts the tracking of a
 * discovered (replicated-only) lock that nobody waits on — safe, because the intent is still in
 * MVCC and the next request to touch it rediscovers it — and otherwise throws
 * `LockTableFullError`. At most `lockWaitQueueLengthMax` waiters (readers and writers) per key;
 * a request that would exceed it gets `LockWaitQueueFullError` instead of waiting.
 *
 * Reservations are broken by earlier arrivals: a transactional writer sequenced before the
 * reserving request takes the reservation over (see `mayBreakReservation`).
 *
 * Not (yet) done: shared locks, and a finalized-txn cache (CockroachDB skips adding discovered
 * intents of transactions it already knows finalized; here the waiter pushes, learns, resolves). Key lookup is a linear walk over at most
 * `lockTableKeysMax` entries; a B-tree would replace it without changing the contract.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import { lessEq } from '../../clock/timestamp.js';
import { compareKeys } from '../storage/engine.js';
import type { TxnMeta } from '../storage/mvcc/txn.js';
import type { TxnStatus } from '../storage/mvcc/resolve.js';
import { LockConflictError, LockTableFullError, LockWaitQueueFullError } from './errors.js';
import type { LockRequest } from './lock-request.js';
import {
  firstWaiter,
  insertBySeq,
  isEmpty,
  lockOwner,
  newLockState,
  removeWaiter,
  waiterCount,
  type LockState,
  type Waiter,
} from './lock-state.js';
import { spanContainsKey, type SpanAccess } from './spans.js';

/**
 * `events`: what the scan did to other requests (breaking a reservation re-points the key's
 * distinguished waiter at the breaker's transaction); handle them like any other events.
 */
export type LockScanResult = (
  /** No conflict (under `skipLocked`: `skippedKeys` are locked and must be skipped). */
  | { readonly kind: 'proceed'; readonly skippedKeys: readonly Uint8Array[] }
  /** Queued at `key`; `pushee` owns the lock; `reservedBy` names a reserving request. */
  | {
      readonly kind: 'wait';
      readonly key: Uint8Array;
      readonly pushee: TxnMeta;
      readonly reservedBy: string | undefined;
      readonly distinguished: boolean;
    }
  | { readonly kind: 'error'; readonly error: LockConflictError | LockWaitQueueFullError }
) & { readonly events: readonly LockTableEvent[] };

export type LockTableEvent =
  /** The request stopped waiting at `key` (with the key's reservation if `reservation`): rescan. */
  | { readonly kind: 'proceed'; readonly request: string; readonly key: Uint8Array; readonly reservation: boolean }
  /** The request is the distinguished waiter at `key` and must push `pushee`. */
  | { readonly kind: 'push'; readonly request: string; readonly key: Uint8Array; readonly pushee: TxnMeta };

export type LockDurability = 'replicated' | 'unreplicated';

interface ActiveRequest {
  readonly request: LockRequest;
  readonly seq: number;
  /** The key (hex) the request waits at, if any. */
  waitingAt: string | undefined;
  /** Keys (hex) whose reservation the request holds. */
  readonly reserved: Set<string>;
}

type Conflict = 'none' | 'held' | 'reserved';

const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex');

export interface LockTableLimits {
  readonly keysMax: number;
  readonly waitQueueLengthMax: number;
}

export class LockTable {
  private readonly locks = new Map<string, LockState>();
  private readonly active = new Map<string, ActiveRequest>();
  private nextSeq = 1;
  /** Discovered locks whose tracking was dropped because the table was full. */
  evictions = 0;

  constructor(
    private readonly bounds: LockTableLimits = { keysMax: limits.lockTableKeysMax, waitQueueLengthMax: limits.lockWaitQueueLengthMax },
  ) {
    assert(bounds.keysMax > 0, 'lockTableKeysMax must be positive');
    assert(bounds.waitQueueLengthMax > 0, 'lockWaitQueueLengthMax must be positive');
  }

  /**
   * Checks the request's spans against the table; see the module comment. The first call
   * sequences the request (its place in every queue it joins later); it stays active, keeping
   * its reservations, until `dequeue` — which the caller must call whatever the result, errors
   * included. A request may be rescanned only when it is not waiting (after a `proceed` event).
   */
  scanAndEnqueue(request: LockRequest): LockScanResult {
    const active = this.activate(request);
    assert(active.waitingAt === undefined, () => `request ${request.name} rescanned while waiting`);
    const skippedKeys: Uint8Array[] = [];
    const events: LockTableEvent[] = [];
    for (const lock of this.locksOf(request)) {
      const conflict = this.conflict(lock.state, active, lock.access);
      if (conflict === 'none') continue;
      switch (request.waitPolicy) {
        case 'skipLocked':
          if (conflict === 'held') skippedKeys.push(lock.state.key);
          continue;
        case 'error':
          if (conflict === 'held') return { kind: 'error', error: new LockConflictError(lock.state.key, lock.state.holder!.txn), events };
          continue;
        case 'block':
          if (conflict === 'reserved' && this.mayBreakReservation(lock.state, active)) {
            this.breakReservation(lock.state, active, events);
            continue;
          }
          return { ...this.enqueue(lock.state, active, lock.access), events };
        default:
          return assertNever(request.waitPolicy, 'wait policy');
      }
    }
    return { kind: 'proceed', skippedKeys, events };
  }

  /** The request is done (evaluated, failed or cancelled): leave queues, pass on reservations. */
  dequeue(name: string): LockTableEvent[] {
    const active = this.active.get(name);
    if (active === undefined) return [];
    this.active.delete(name);
    const events: LockTableEvent[] = [];
    if (active.waitingAt !== undefined) {
      const lock = this.locks.get(active.waitingAt)!;
      assert(removeWaiter(lock, name), 'waiting request missing from its queue');
      this.afterChange(lock, events);
    }
    for (const key of [...active.reserved].sort()) {
      const lock = this.locks.get(key)!;
      assert(lock.reservation?.request.name === name, 'reservation owner mismatch');
      lock.reservation = undefined;
      this.grantNext(lock, events);
    }
    return events;
  }

  /**
   * Evaluation found a replicated intent of `txn` at `key`. Tracks it (the discovering request
   * then rescans and queues behind it). A reservation on the key is dropped: the intent wins.
   * Throws `LockTableFullError` if the key is new, the table full and nothing evictable.
   */
  addDiscoveredLock(key: Uint8Array, txn: TxnMeta): LockTableEvent[] {
    const lock = this.lockFor(key);
    this.dropReservation(lock);
    if (lock.holder === undefined || lock.holder.txn.id !== txn.id) lock.holder = { txn, replicated: true, unreplicated: false };
    else lock.holder = { ...lock.holder, txn: laterTxn(lock.holder.txn, txn), replicated: true };
    const events: LockTableEvent[] = [];
    this.afterChange(lock, events);
    return events;
  }

  /**
   * `txn` acquired the lock on `key` (its request holds latches and evaluated a locking write).
   * The lock must be free, reserved, or already held by `txn`. Waiters now wait on `txn`.
   */
  acquireLock(key: Uint8Array, txn: TxnMeta, durability: LockDurability): LockTableEvent[] {
    const lock = this.lockFor(key);
    assert(lock.holder === undefined || lock.holder.txn.id === txn.id, 'lock acquired while held by another transaction');
    this.dropReservation(lock);
    const previous = lock.holder ?? { txn, replicated: false, unreplicated: false };
    lock.holder = { txn: laterTxn(previous.txn, txn), replicated: previous.replicated || durability === 'replicated', unreplicated: previous.unreplicated || durability === 'unreplicated' };
    const events: LockTableEvent[] = [];
    this.afterChange(lock, events);
    return events;
  }

  /** `txnId`'s lock on `key` is gone (intent resolved). Wakes readers, reserves for a writer. */
  onLockReleased(key: Uint8Array, txnId: TxnMeta['id']): LockTableEvent[] {
    const lock = this.locks.get(hex(key));
    const events: LockTableEvent[] = [];
    if (lock?.holder === undefined || lock.holder.txn.id !== txnId) return events;
    lock.holder = undefined;
    this.grantNext(lock, events);
    return events;
  }

  /** `txnId` committed or aborted: every lock it holds is released, in key order. */
  onTxnFinalized(txnId: TxnMeta['id'], status: Exclude<TxnStatus, 'PENDING'>): LockTableEvent[] {
    assert(status === 'COMMITTED' || status === 'ABORTED', 'a finalized transaction is committed or aborted');
    const events: LockTableEvent[] = [];
    for (const lock of this.sortedLocks()) {
      if (lock.holder?.txn.id === txnId) events.push(...this.onLockReleased(lock.key, txnId));
    }
    return events;
  }

  /** Every tracked lock in key order (for printing and tests; do not mutate). */
  sortedLocks(): LockState[] {
    return [...this.locks.values()].sort((a, b) => compareKeys(a.key, b.key));
  }

  get keyCount(): number {
    return this.locks.size;
  }

  private activate(request: LockRequest): ActiveRequest {
    const known = this.active.get(request.name);
    if (known !== undefined) {
      assert(known.request === request, () => `two active requests named ${request.name}`);
      return known;
    }
    const active: ActiveRequest = { request, seq: this.nextSeq++, waitingAt: undefined, reserved: new Set() };
    this.active.set(request.name, active);
    return active;
  }

  /** The tracked locks the request's spans touch, in span order then key order. */
  private locksOf(request: LockRequest): { state: LockState; access: SpanAccess }[] {
    const sorted = this.sortedLocks();
    return request.spans.flatMap((s) => sorted.filter((l) => spanContainsKey(s.span, l.key)).map((state) => ({ state, access: s.access })));
  }

  private conflict(lock: LockState, active: ActiveRequest, access: SpanAccess): Conflict {
    const txn = active.request.txn;
    if (lock.holder !== undefined) {
      if (txn !== undefined && lock.holder.txn.id === txn.id) return 'none';
      if (access === 'read' && !lessEq(lock.holder.txn.writeTimestamp, active.request.timestamp)) return 'none';
      return 'held';
    }
    if (lock.reservation === undefined || access === 'read') return 'none';
    if (lock.reservation.request.name === active.request.name) return 'none';
    if (txn !== undefined && lock.reservation.request.txn?.id === txn.id) return 'none';
    return 'reserved';
  }

  /**
   * A transactional writer that arrived before the reserving request takes the reservation
   * (CockroachDB's reservation breaking): otherwise two requests that reserved keys in opposite
   * orders would push each other's transactions, and deadlock detection would abort one although
   * no transaction holds a lock the other needs. The loser finds out when it rescans.
   */
  private mayBreakReservation(lock: LockState, active: ActiveRequest): boolean {
    return active.request.txn !== undefined && lock.reservation !== undefined && lock.reservation.seq > active.seq;
  }

  private breakReservation(lock: LockState, active: ActiveRequest, events: LockTableEvent[]): void {
    assert(lock.holder === undefined, 'only a free lock has a reservation to break');
    this.dropReservation(lock);
    lock.reservation = { request: active.request, seq: active.seq, access: 'write' };
    active.reserved.add(hex(lock.key));
    this.afterChange(lock, events);
  }

  private enqueue(lock: LockState, active: ActiveRequest, access: SpanAccess): Exclude<LockScanResult, { kind: 'proceed' }> {
    if (waiterCount(lock) >= this.bounds.waitQueueLengthMax) {
      return { kind: 'error', error: new LockWaitQueueFullError(lock.key, this.bounds.waitQueueLengthMax), events: [] };
    }
    const waiter: Waiter = { request: active.request, seq: active.seq, access };
    insertBySeq(access === 'read' ? lock.waitingReaders : lock.queuedWriters, waiter);
    active.waitingAt = hex(lock.key);
    const pushee = lockOwner(lock)!;
    if (lock.distinguished === undefined) {
      lock.distinguished = active.request.name;
      lock.lastPush = `${active.request.name}/${pushee.id}`;
    }
    const distinguished = lock.distinguished === active.request.name;
    return { kind: 'wait', key: lock.key, pushee, reservedBy: lock.holder === undefined ? lock.reservation?.request.name : undefined, distinguished, events: [] };
  }

  /** The lock is free: wake every reader, then writers until one transactional writer reserves. */
  private grantNext(lock: LockState, events: LockTableEvent[]): void {
    assert(lock.holder === undefined && lock.reservation === undefined, 'grantNext on an owned lock');
    for (const reader of lock.waitingReaders.splice(0)) this.wake(lock, reader, false, events);
    while (lock.queuedWriters.length > 0 && lock.reservation === undefined) {
      const writer = lock.queuedWriters.shift()!;
      const reserves = writer.request.txn !== undefined;
      if (reserves) {
        lock.reservation = writer;
        this.active.get(writer.request.name)!.reserved.add(hex(lock.key));
      }
      this.wake(lock, writer, reserves, events);
    }
    this.afterChange(lock, events);
  }

  private wake(lock: LockState, waiter: Waiter, reservation: boolean, events: LockTableEvent[]): void {
    const active = this.active.get(waiter.request.name);
    assert(active !== undefined && active.waitingAt === hex(lock.key), 'woken request was not waiting here');
    active.waitingAt = undefined;
    if (lock.distinguished === waiter.request.name) lock.distinguished = undefined;
    events.push({ kind: 'proceed', request: waiter.request.name, key: lock.key, reservation });
  }

  /**
   * After any change: lets go of waiters of the owner's own transaction (a transaction never
   * waits for itself), re-elects the distinguished waiter, reports a new (waiter, pushee) pair,
   * and drops the entry once nothing holds, reserves or waits on it.
   */
  private afterChange(lock: LockState, events: LockTableEvent[]): void {
    this.releaseOwnTxnWaiters(lock, events);
    if (lock.distinguished !== undefined && !this.isWaitingAt(lock.distinguished, lock)) lock.distinguished = undefined;
    const first = firstWaiter(lock);
    if (lock.distinguished === undefined) lock.distinguished = first?.request.name;
    const pushee = lockOwner(lock);
    if (lock.distinguished !== undefined && pushee !== undefined) {
      const pair = `${lock.distinguished}/${pushee.id}`;
      if (pair !== lock.lastPush) events.push({ kind: 'push', request: lock.distinguished, key: lock.key, pushee });
      lock.lastPush = pair;
    }
    if (pushee === undefined && first !== undefined) {
      // Waiters behind a lock nobody owns any more (its reservation was dropped): let them go.
      this.grantNext(lock, events);
      return;
    }
    if (isEmpty(lock)) this.locks.delete(hex(lock.key));
  }

  private releaseOwnTxnWaiters(lock: LockState, events: LockTableEvent[]): void {
    const owner = lockOwner(lock);
    if (owner === undefined) return;
    const own = [...lock.waitingReaders, ...lock.queuedWriters].filter((w) => w.request.txn?.id === owner.id);
    for (const waiter of own.sort((a, b) => a.seq - b.seq)) {
      assert(removeWaiter(lock, waiter.request.name), 'own-txn waiter missing from its queue');
      this.wake(lock, waiter, false, events);
    }
  }

  private isWaitingAt(name: string, lock: LockState): boolean {
    return this.active.get(name)?.waitingAt === hex(lock.key);
  }

  private dropReservation(lock: LockState): void {
    if (lock.reservation === undefined) return;
    this.active.get(lock.reservation.request.name)?.reserved.delete(hex(lock.key));
    lock.reservation = undefined;
  }

  /** The key's entry, created if new; evicts a discovered lock nobody waits on when full. */
  private lockFor(key: Uint8Array): LockState {
    const id = hex(key);
    const existing = this.locks.get(id);
    if (existing !== undefined) return existing;
    if (this.locks.size >= this.bounds.keysMax) this.evictOne();
    const lock = newLockState(Uint8Array.from(key));
    this.locks.set(id, lock);
    return lock;
  }

  private evictOne(): void {
    for (const [id, lock] of this.locks) {
      const discoveredOnly = lock.holder !== undefined && lock.holder.replicated && !lock.holder.unreplicated;
      if (discoveredOnly && lock.reservation === undefined && waiterCount(lock) === 0) {
        this.locks.delete(id);
        this.evictions++;
        return;
      }
    }
    throw new LockTableFullError(this.bounds.keysMax);
  }
}

/** The same transaction's meta with the later write timestamp (a pushed txn moves up). */
function laterTxn(a: TxnMeta, b: TxnMeta): TxnMeta {
  return lessEq(a.writeTimestamp, b.writeTimestamp) ? b : a;
}
