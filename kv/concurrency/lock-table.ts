/**
 * The lock table (CockroachDB's `lockTable`): the locks of one range that requests must respect,
 * each with a per-key FIFO request waiting list (see `lock-state.ts`).
 *
 * A request that holds its latches calls `scanAndEnqueue`. The table walks the request's spans
 * in order and stops at the first lock it conflicts with (access as in `lock-request.ts`):
 * - a lock held by the request's own transaction never conflicts;
 * - a non-locking read at R conflicts only with an intent (a replicated lock) at a write
 *   timestamp ≤ R: a lock above R hides nothing the read can see, and an unreplicated lock
 *   hides no value at all — locking reads and writes wait on it, plain reads do not;
 * - a shared locking read conflicts with an intent or exclusive lock of another transaction,
 *   not with other shared locks (shared/shared compatibility);
 * - a write (or exclusive locking read) conflicts with every lock held by another transaction;
 * - a reserved (free) lock blocks only writers of other transactions; readers ignore it.
 *
 * On a conflict the wait policy decides: `block` queues the request (sorted by arrival, so FIFO)
 * and returns `wait` with the transaction to push; `error` returns a `LockConflictError`
 * (reservations do not count: nothing is locked); `skipLocked` notes the key and goes on.
 * A waiting caller releases its latches and waits for an event: `proceed` (stop waiting, rescan)
 * or `push` (this request is now the lock's *distinguished* waiter: it alone pushes the owner,
 * so a queue of N waiters costs one push, not N). After every change to a lock, the waiters it
 * no longer blocks are let go.
 *
 * Where locks come from: `addDiscoveredLock` (a replicated intent evaluation found in MVCC) and
 * `acquireLock` (an unreplicated lock a locking read of the transaction takes, exclusive or
 * shared). They go away with `onLockReleased` (the transaction's intent or lock on the key was
 * resolved) or `onTxnFinalized` (every lock of a committed or aborted transaction); a push that
 * leaves the transaction PENDING (`onIntentPushed`) takes only the intent's part, never its
 * unreplicated lock.
 *
 * Unreplicated locks live only here, in the leaseholder's memory (CockroachDB's unreplicated
 * locks): they are lost on restart, lease change, a split that moves their keys, or eviction.
 * That is safe — they only order conflicting transactions to avoid restarts; serializability
 * rests on MVCC, the timestamp cache and read refresh, never on them.
 *
 * Bounds: at most `lockTableKeysMax` keys. When full, the table evicts, in order, the tracking
 * of a discovered (replicated-only) lock nobody waits on — the intent is still in MVCC and the
 * next request to touch it rediscovers it — then an unreplicated-only lock nobody waits on
 * (best effort, see above); otherwise `addDiscoveredLock` throws `LockTableFullError` and
 * `acquireLock` of an unreplicated lock is dropped (counted in `droppedAcquisitions`). At most
 * `lockWaitQueueLengthMax` waiters (readers and writers) per key; a request that would exceed
 * it gets `LockWaitQueueFullError` instead of waiting.
 *
 * Reservations are broken by earlier arrivals: a transactional writer sequenced before the
 * reserving request takes the reservation over (see `mayBreakReservation`).
 *
 * Keys are kept in a sorted array beside a hash map: a point span is one map lookup, a ranged
 * span a binary search and a walk over the keys inside it (a B-tree would do the same with
 * cheaper inserts). The finalized-transaction cache is kv/replica's: an intent of a transaction
 * the store saw finalized is never added here, the request resolves it instead. Not (yet) done:
 * fairness between shared lockers and queued writers (a stream of FOR SHARE readers can keep a
 * writer waiting).
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import { lessEq } from '../../clock/timestamp.js';
import { compareKeys } from '../storage/engine.js';
import type { TxnMeta } from '../storage/mvcc/txn.js';
import type { TxnStatus } from '../storage/mvcc/resolve.js';
import { LockConflictError, LockTableFullError, LockWaitQueueFullError } from './errors.js';
import type { LockAccess, LockRequest, LockSpan, LockStrength } from './lock-request.js';
import {
  blockingTxn,
  firstWaiter,
  insertBySeq,
  isEmpty,
  isHeld,
  lockOwner,
  newLockState,
  removeWaiter,
  waiterCount,
  type LockState,
  type Waiter,
} from './lock-state.js';
import type { Span } from './spans.js';

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

const proceedUnsequenced: LockScanResult = Object.freeze({ kind: 'proceed', skippedKeys: Object.freeze([]), events: Object.freeze([]) });

const isReadSpan = (s: LockSpan): boolean => s.access === 'read';

export type LockTableEvent =
  /** The request stopped waiting at `key` (with the key's reservation if `reservation`): rescan. */
  | { readonly kind: 'proceed'; readonly request: string; readonly key: Uint8Array; readonly reservation: boolean }
  /**
   * The request is the distinguished waiter at `key` and must push `pushee` — which holds the
   * lock (`held`), or only reserves it through one of its requests. Reported again when the
   * pushee changes and when its reservation turns into a held lock: only a held lock's owner
   * needs the liveness push (a reserving request is running, see kv/replica's `pushDelay`).
   */
  | { readonly kind: 'push'; readonly request: string; readonly key: Uint8Array; readonly pushee: TxnMeta; readonly held: boolean };

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
  /** The same entries in key order. */
  private readonly sorted: LockState[] = [];
  private readonly active = new Map<string, ActiveRequest>();
  private nextSeq = 1;
  /** Locks whose tracking was dropped because the table was full. */
  evictions = 0;
  /** Unreplicated locks not acquired because the table was full (best effort). */
  droppedAcquisitions = 0;

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
    // Plain reads meeting an empty table proceed without being sequenced: a request's place in
    // line (its seq) only orders waiters and lets an earlier writer break a reservation, and a
    // read never reserves. It is sequenced if a later round finds a lock (as if it arrived then,
    // which for a reader changes nothing: readers never wait on one another). Every point read
    // of a select-only workload took this path's two map updates for nothing.
    if (this.locks.size === 0 && request.spans.every(isReadSpan) && !this.active.has(request.name)) return proceedUnsequenced;
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
          if (conflict === 'held') return { kind: 'error', error: new LockConflictError(lock.state.key, blockingTxn(lock.state, request.txn?.id)!), events };
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
      if (isHeld(lock)) this.afterChange(lock, events);
      else this.grantNext(lock, events);
    }
    return events;
  }

  /**
   * Evaluation found a replicated intent of `txn` at `key`. Tracks it (the discovering request
   * then rescans and queues behind it). A reservation on the key is dropped: the intent wins,
   * and so are shared locks of other transactions (the table's view was stale).
   * Throws `LockTableFullError` if the key is new, the table full and nothing evictable.
   */
  addDiscoveredLock(key: Uint8Array, txn: TxnMeta): LockTableEvent[] {
    const lock = this.lockFor(key);
    assert(lock !== undefined, 'lockFor without best effort returns a lock');
    this.dropReservation(lock);
    lock.sharedHolders = [];
    if (lock.holder === undefined || lock.holder.txn.id !== txn.id) lock.holder = { txn, replicated: true, unreplicated: false };
    else lock.holder = { ...lock.holder, txn: laterTxn(lock.holder.txn, txn), replicated: true };
    const events: LockTableEvent[] = [];
    this.afterChange(lock, events);
    return events;
  }

  /**
   * `txn` acquired the lock on `key` with `strength` (its request holds latches and evaluated a
   * locking read or a write). An exclusive lock must be free, reserved, or held only by `txn`
   * (a shared lock of `txn` is upgraded); a shared lock must not be held exclusively by another
   * transaction (an exclusive lock of `txn` already covers it). Waiters now wait on `txn`.
   * An unreplicated lock that finds the table full is dropped (best effort; see the module).
   */
  acquireLock(key: Uint8Array, txn: TxnMeta, durability: LockDurability, strength: LockStrength = 'exclusive'): LockTableEvent[] {
    assert(durability === 'unreplicated' || strength === 'exclusive', 'a replicated lock (an intent) is exclusive');
    const lock = this.lockFor(key, durability === 'unreplicated');
    if (lock === undefined) {
      this.droppedAcquisitions++;
      return [];
    }
    const events: LockTableEvent[] = [];
    if (strength === 'shared') {
      assert(lock.holder === undefined || lock.holder.txn.id === txn.id, 'shared lock acquired while held exclusively by another transaction');
      this.dropReservation(lock);
      if (lock.holder === undefined) {
        const i = lock.sharedHolders.findIndex((holder) => holder.id === txn.id);
        if (i === -1) lock.sharedHolders.push(txn);
        else lock.sharedHolders[i] = laterTxn(lock.sharedHolders[i]!, txn);
      }
      this.afterChange(lock, events);
      return events;
    }
    assert(lock.holder === undefined || lock.holder.txn.id === txn.id, 'lock acquired while held by another transaction');
    assert(lock.sharedHolders.every((holder) => holder.id === txn.id), 'exclusive lock acquired while shared by another transaction');
    this.dropReservation(lock);
    const previous = lock.holder ?? { txn: lock.sharedHolders[0] ?? txn, replicated: false, unreplicated: false };
    lock.sharedHolders = [];
    lock.holder = { txn: laterTxn(previous.txn, txn), replicated: previous.replicated || durability === 'replicated', unreplicated: previous.unreplicated || durability === 'unreplicated' };
    this.afterChange(lock, events);
    return events;
  }

  /** `txnId`'s lock on `key` (intent or unreplicated lock, any strength) is gone. Wakes the waiters it blocked. */
  onLockReleased(key: Uint8Array, txnId: TxnMeta['id']): LockTableEvent[] {
    const lock = this.locks.get(hex(key));
    const events: LockTableEvent[] = [];
    if (lock === undefined) return events;
    const heldExclusively = lock.holder?.txn.id === txnId;
    const sharedBefore = lock.sharedHolders.length;
    if (heldExclusively) lock.holder = undefined;
    lock.sharedHolders = lock.sharedHolders.filter((holder) => holder.id !== txnId);
    if (!heldExclusively && lock.sharedHolders.length === sharedBefore) return events;
    if (isHeld(lock) || lock.reservation !== undefined) this.afterChange(lock, events);
    else this.grantNext(lock, events);
    return events;
  }

  /**
   * `txnId`'s intent on `key` was resolved while the transaction is still PENDING (a push moved
   * it up, or removed it as written by an epoch the transaction left): the intent no longer
   * blocks, but the transaction still runs, so its unreplicated lock on the key (exclusive or
   * shared) stays until it commits or aborts — else a second transaction's locking read could
   * lock the key too. Without an unreplicated lock it is `onLockReleased` (a moved intent is
   * discovered again by the next evaluation that meets it).
   */
  onIntentPushed(key: Uint8Array, txnId: TxnMeta['id']): LockTableEvent[] {
    const lock = this.locks.get(hex(key));
    const holder = lock?.holder;
    // Not held exclusively by `txnId`: no intent of its is tracked here (a shared lock is
    // only ever unreplicated, and stays).
    if (lock === undefined || holder?.txn.id !== txnId) return [];
    if (!holder.unreplicated) return this.onLockReleased(key, txnId);
    lock.holder = { ...holder, replicated: false };
    const events: LockTableEvent[] = [];
    this.afterChange(lock, events);
    return events;
  }

  /** `txnId` committed or aborted: every lock it holds is released, in key order. */
  onTxnFinalized(txnId: TxnMeta['id'], status: Exclude<TxnStatus, 'PENDING'>): LockTableEvent[] {
    assert(status === 'COMMITTED' || status === 'ABORTED', 'a finalized transaction is committed or aborted');
    const events: LockTableEvent[] = [];
    for (const lock of this.sortedLocks()) {
      if (holdsLock(lock, txnId)) events.push(...this.onLockReleased(lock.key, txnId));
    }
    return events;
  }

  /** Every tracked lock in key order (for printing and tests; do not mutate). */
  sortedLocks(): LockState[] {
    return [...this.sorted];
  }

  /** The tracked locks whose key lies in `span`, in key order (do not mutate). */
  locksIn(span: Span): LockState[] {
    if (span.end === undefined) {
      const lock = this.locks.get(hex(span.start));
      return lock === undefined ? [] : [lock];
    }
    const out: LockState[] = [];
    for (let i = this.lowerBound(span.start); i < this.sorted.length && compareKeys(this.sorted[i]!.key, span.end) < 0; i++) out.push(this.sorted[i]!);
    return out;
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
  private locksOf(request: LockRequest): { state: LockState; access: LockAccess }[] {
    if (this.locks.size === 0) return [];
    return request.spans.flatMap((s) => this.locksIn(s.span).map((state) => ({ state, access: s.access })));
  }

  private conflict(lock: LockState, active: ActiveRequest, access: LockAccess): Conflict {
    const txnId = active.request.txn?.id;
    const holder = lock.holder;
    if (holder !== undefined && holder.txn.id !== txnId) {
      if (access !== 'read') return 'held';
      // A plain read waits only for an intent it could see (unreplicated locks hide no value).
      if (holder.replicated && lessEq(holder.txn.writeTimestamp, active.request.timestamp)) return 'held';
      return 'none';
    }
    if (access === 'write' && lock.sharedHolders.some((shared) => shared.id !== txnId)) return 'held';
    if (holder !== undefined || lock.sharedHolders.length > 0) return 'none';
    if (lock.reservation === undefined || access !== 'write') return 'none';
    if (lock.reservation.request.name === active.request.name) return 'none';
    if (txnId !== undefined && lock.reservation.request.txn?.id === txnId) return 'none';
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
    assert(!isHeld(lock), 'only a free lock has a reservation to break');
    this.dropReservation(lock);
    lock.reservation = { request: active.request, seq: active.seq, access: 'write' };
    active.reserved.add(hex(lock.key));
    this.afterChange(lock, events);
  }

  private enqueue(lock: LockState, active: ActiveRequest, access: LockAccess): Exclude<LockScanResult, { kind: 'proceed' }> {
    if (waiterCount(lock) >= this.bounds.waitQueueLengthMax) {
      return { kind: 'error', error: new LockWaitQueueFullError(lock.key, this.bounds.waitQueueLengthMax), events: [] };
    }
    const waiter: Waiter = { request: active.request, seq: active.seq, access };
    insertBySeq(access === 'write' ? lock.queuedWriters : lock.waitingReaders, waiter);
    active.waitingAt = hex(lock.key);
    const pushee = blockingTxn(lock, active.request.txn?.id);
    assert(pushee !== undefined, 'a request waits on a lock of another transaction');
    if (lock.distinguished === undefined) {
      lock.distinguished = active.request.name;
      lock.lastPush = pushPair(lock, active.request.name, pushee);
    }
    const distinguished = lock.distinguished === active.request.name;
    return { kind: 'wait', key: lock.key, pushee, reservedBy: isHeld(lock) ? undefined : lock.reservation?.request.name, distinguished, events: [] };
  }

  /** The lock is free: wake every reader, then writers until one transactional writer reserves. */
  private grantNext(lock: LockState, events: LockTableEvent[]): void {
    assert(!isHeld(lock) && lock.reservation === undefined, 'grantNext on an owned lock');
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
   * After any change: lets go of the waiters the lock no longer blocks (those of the owner's
   * own transaction — a transaction never waits for itself —, readers of a lock that is now
   * only unreplicated or above them, shared lockers once no exclusive holder is left),
   * re-elects the distinguished waiter, reports a new (waiter, pushee) pair, and drops the
   * entry once nothing holds, reserves or waits on it.
   */
  private afterChange(lock: LockState, events: LockTableEvent[]): void {
    this.releaseUnblockedWaiters(lock, events);
    if (lock.distinguished !== undefined && !this.isWaitingAt(lock.distinguished, lock)) lock.distinguished = undefined;
    const first = firstWaiter(lock);
    if (lock.distinguished === undefined) lock.distinguished = first?.request.name;
    const distinguished = lock.distinguished === undefined ? undefined : this.active.get(lock.distinguished);
    const pushee = distinguished === undefined ? undefined : blockingTxn(lock, distinguished.request.txn?.id);
    if (lock.distinguished !== undefined && pushee !== undefined) {
      const pair = pushPair(lock, lock.distinguished, pushee);
      if (pair !== lock.lastPush) events.push({ kind: 'push', request: lock.distinguished, key: lock.key, pushee, held: isHeld(lock) });
      lock.lastPush = pair;
    }
    if (lockOwner(lock) === undefined && first !== undefined) {
      // Waiters behind a lock nobody owns any more (its reservation was dropped): let them go.
      this.grantNext(lock, events);
      return;
    }
    if (isEmpty(lock)) this.deleteLock(lock);
  }

  private releaseUnblockedWaiters(lock: LockState, events: LockTableEvent[]): void {
    if (waiterCount(lock) === 0) return;
    const unblocked = [...lock.waitingReaders, ...lock.queuedWriters].filter((waiter) => {
      const active = this.active.get(waiter.request.name);
      return active !== undefined && this.conflict(lock, active, waiter.access) === 'none';
    });
    for (const waiter of unblocked.sort((a, b) => a.seq - b.seq)) {
      assert(removeWaiter(lock, waiter.request.name), 'unblocked waiter missing from its queue');
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

  /**
   * The key's entry, created if new. When the table is full it first evicts an entry nobody
   * waits on; if none can go, throws `LockTableFullError` — or, with `bestEffort`, returns
   * undefined.
   */
  private lockFor(key: Uint8Array, bestEffort = false): LockState | undefined {
    const id = hex(key);
    const existing = this.locks.get(id);
    if (existing !== undefined) return existing;
    if (this.locks.size >= this.bounds.keysMax && !this.evictOne()) {
      if (bestEffort) return undefined;
      throw new LockTableFullError(this.bounds.keysMax);
    }
    const lock = newLockState(Uint8Array.from(key));
    this.locks.set(id, lock);
    this.sorted.splice(this.lowerBound(lock.key), 0, lock);
    return lock;
  }

  /** Drops a discovered-only lock nobody waits on, else an unreplicated-only one; false if none. */
  private evictOne(): boolean {
    const idle = (lock: LockState): boolean => lock.reservation === undefined && waiterCount(lock) === 0;
    const discoveredOnly = (lock: LockState): boolean => lock.holder !== undefined && lock.holder.replicated && !lock.holder.unreplicated;
    const unreplicatedOnly = (lock: LockState): boolean => lock.holder === undefined || !lock.holder.replicated;
    for (const kind of [discoveredOnly, unreplicatedOnly]) {
      for (const lock of this.locks.values()) {
        if (idle(lock) && kind(lock)) {
          this.deleteLock(lock);
          this.evictions++;
          return true;
        }
      }
    }
    return false;
  }

  private deleteLock(lock: LockState): void {
    assert(this.locks.delete(hex(lock.key)), 'deleting an untracked lock');
    const i = this.lowerBound(lock.key);
    assert(this.sorted[i] === lock, 'sorted index out of step');
    this.sorted.splice(i, 1);
  }

  /** The index of the first tracked key ≥ `key`. */
  private lowerBound(key: Uint8Array): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.sorted[mid]!.key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** What a push event reports: who pushes whom, and whether the pushee holds or only reserves. */
function pushPair(lock: LockState, request: string, pushee: TxnMeta): string {
  return `${request}/${pushee.id}/${isHeld(lock) ? 'held' : 'reserved'}`;
}

/** Whether `txnId` holds `lock` in any mode. */
function holdsLock(lock: LockState, txnId: TxnMeta['id']): boolean {
  return lock.holder?.txn.id === txnId || lock.sharedHolders.some((holder) => holder.id === txnId);
}

/** The same transaction's meta with the later write timestamp (a pushed txn moves up). */
function laterTxn(a: TxnMeta, b: TxnMeta): TxnMeta {
  return lessEq(a.writeTimestamp, b.writeTimestamp) ? b : a;
}
