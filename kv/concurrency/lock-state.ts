/**
 * One key's entry in the lock table: who holds the lock, who has reserved it, and the request
 * waiting list (CockroachDB's `lockState`):
 *
 *     key "a"   holder: txn B (replicated intent, ts 10)     reservation: —
 *               shared holders: —
 *               waiting readers: r2 r5          (woken together when the lock is freed)
 *               queued writers:  r3* r4         (FIFO by arrival; * = distinguished, pushes B)
 *
 * A key is held either exclusively — by one transaction's intent and/or its exclusive
 * unreplicated lock (`holder`) — or in shared mode by any number of transactions' shared
 * unreplicated locks (`sharedHolders`, from `FOR SHARE`), never both by different transactions.
 *
 * When the holders release, every waiting reader (and shared locker) proceeds and the first
 * transactional writer is granted a *reservation*: the lock is free, but later writers keep
 * waiting behind the reserving request until it acquires the lock (it becomes the holder) or
 * finishes without doing so (the reservation passes to the next writer). Readers and shared
 * lockers ignore reservations.
 */
import type { TxnMeta } from '../storage/mvcc/txn.js';
import type { LockAccess, LockRequest } from './lock-request.js';

/** A request waiting at a lock, or holding its reservation. */
export interface Waiter {
  readonly request: LockRequest;
  /** Arrival order in the lock table (lower is earlier). */
  readonly seq: number;
  readonly access: LockAccess;
}

/** The exclusive holder of a key. */
export interface LockHolder {
  txn: TxnMeta;
  /** Held as a replicated intent that evaluation found in MVCC (may be evicted from tracking). */
  replicated: boolean;
  /** Held as an in-memory (unreplicated) exclusive lock acquired through this table. */
  unreplicated: boolean;
}

export interface LockState {
  readonly key: Uint8Array;
  holder: LockHolder | undefined;
  /** Transactions holding an unreplicated shared lock; empty while `holder` is set. */
  sharedHolders: TxnMeta[];
  reservation: Waiter | undefined;
  /** Sorted by seq: non-locking readers and shared lockers. */
  readonly waitingReaders: Waiter[];
  /** Sorted by seq. */
  readonly queuedWriters: Waiter[];
  /** The request that must push the lock's owner; sticky until it leaves the queue. */
  distinguished: string | undefined;
  /** The (distinguished, pushee, held or reserved) triple last reported, to report changes only. */
  lastPush: string | undefined;
}

export function newLockState(key: Uint8Array): LockState {
  return { key, holder: undefined, sharedHolders: [], reservation: undefined, waitingReaders: [], queuedWriters: [], distinguished: undefined, lastPush: undefined };
}

export function waiterCount(lock: LockState): number {
  return lock.waitingReaders.length + lock.queuedWriters.length;
}

/** True if some transaction holds the key (exclusively or shared). */
export function isHeld(lock: LockState): boolean {
  return lock.holder !== undefined || lock.sharedHolders.length > 0;
}

/** True if nothing holds, reserves or waits on the lock: its entry may be dropped. */
export function isEmpty(lock: LockState): boolean {
  return !isHeld(lock) && lock.reservation === undefined && waiterCount(lock) === 0;
}

/** The transaction waiters must push: the exclusive holder's, else a shared holder's, else the reserving request's. */
export function lockOwner(lock: LockState): TxnMeta | undefined {
  return lock.holder?.txn ?? lock.sharedHolders[0] ?? lock.reservation?.request.txn;
}

/**
 * The transaction a waiter of transaction `txnId` must push at this lock: like `lockOwner`, but
 * never the waiter's own transaction (a transaction upgrading its shared lock waits for the
 * other shared holders). Undefined when nothing of another transaction is in the way.
 */
export function blockingTxn(lock: LockState, txnId: TxnMeta['id'] | undefined): TxnMeta | undefined {
  const other = (txn: TxnMeta | undefined): TxnMeta | undefined => (txn !== undefined && txn.id !== txnId ? txn : undefined);
  return other(lock.holder?.txn) ?? lock.sharedHolders.find((txn) => txn.id !== txnId) ?? other(lock.reservation?.request.txn);
}

/** Inserts `waiter` into `queue` keeping it sorted by seq. */
export function insertBySeq(queue: Waiter[], waiter: Waiter): void {
  let i = queue.length;
  while (i > 0 && queue[i - 1]!.seq > waiter.seq) i--;
  queue.splice(i, 0, waiter);
}

/** Removes the request's waiter from both queues; true if it was there. */
export function removeWaiter(lock: LockState, name: string): boolean {
  for (const queue of [lock.waitingReaders, lock.queuedWriters]) {
    const i = queue.findIndex((w) => w.request.name === name);
    if (i !== -1) {
      queue.splice(i, 1);
      return true;
    }
  }
  return false;
}

/** The earliest waiter of either queue. */
export function firstWaiter(lock: LockState): Waiter | undefined {
  const reader = lock.waitingReaders[0];
  const writer = lock.queuedWriters[0];
  if (reader === undefined) return writer;
  if (writer === undefined) return reader;
  return reader.seq < writer.seq ? reader : writer;
}
