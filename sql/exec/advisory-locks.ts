/**
 * Advisory locks (PostgreSQL's `pg_advisory_lock` family): locks on application-chosen numbers
 * that the database never takes on its own, held at session level (until unlocked or the session
 * ends) or at transaction level (until the transaction ends), exclusive or shared, reentrant.
 *
 * ```
 *   session A ─ AdvisoryLockOwner ─┐                   AdvisoryLockTable (one per gateway node)
 *   session B ─ AdvisoryLockOwner ─┼── acquire/release ─►  tag "db/classid/objid/objsubid"
 *   session C ─ AdvisoryLockOwner ─┘                        holders: A{exclusive: session 2, xact 1}
 *                                                           waiters: B(shared) C(exclusive)  FIFO
 * ```
 *
 * **Where the lock lives: on the gateway.** The table is an in-memory lock manager shared by
 * every session of one node (sql/exec's engine owns it), as PostgreSQL's shared lock table is
 * per server. In a cluster, two sessions on *different* gateways do not see each other's
 * advisory locks: the locks are gateway-local, not in the KV store. That is correct for a
 * single-node deployment and for applications that reach the cluster through one gateway
 * (kysely's and knex's migrators, which take one lock around a run); it is not mutual exclusion
 * across gateways. The KV design that would make it cluster-wide — a key per lock tag in the
 * system keyspace, held by a dedicated heartbeating KV transaction per (session, tag) that takes
 * an exclusive or shared locking read on it (intents are the lock, the record's heartbeat keeps
 * it alive, and an abandoned holder is aborted by its pusher, so a crashed gateway's locks go
 * with it) — needs a KV wait that a statement can cancel; it is left for later and noted in the
 * README's status table.
 *
 * The core (`AdvisoryLockTable`) is synchronous (sans-I/O): it grants, queues and releases and
 * reports who was granted; `AdvisoryLockOwner` is a session's handle that does the waiting, on
 * the injected timers, polling the statement's cancel signal so that statement_timeout, a
 * CancelRequest and lock_timeout end a wait (PostgreSQL's lock waits are interruptible too).
 *
 * Semantics follow PostgreSQL's lock manager (lock.c, proc.c):
 * - a tag is the database plus either one bigint (classid = high 32 bits, objid = low 32 bits,
 *   objsubid 1) or two int4 keys (classid, objid, objsubid 2): `lock(1)` and `lock(0, 1)` differ;
 * - an owner's own holds never conflict with its requests (a session holding a lock always gets
 *   it again, at either level and in either mode), and every acquisition is counted: a lock taken
 *   twice at session level needs two unlocks;
 * - otherwise exclusive conflicts with everything and shared with exclusive; a request that
 *   conflicts with a waiter ahead of it queues behind it (no barging), and a release grants the
 *   queue in order as far as it can;
 * - a wait that would close a waits-for cycle fails with 40P01 `deadlock detected` (PostgreSQL
 *   runs its detector after deadlock_timeout; here it runs when the wait starts, on the local
 *   graph, which is exact because every holder and waiter of the table is local).
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { Timers } from '../../src/env/env.js';
import { SqlError } from '../catalog/errors.js';

export type AdvisoryLockMode = 'exclusive' | 'shared';
export type AdvisoryLockLevel = 'session' | 'transaction';

/** What identifies an advisory lock: PostgreSQL's LOCKTAG_ADVISORY fields. */
export interface AdvisoryLockTag {
  readonly database: string;
  /** uint32 */
  readonly classid: number;
  /** uint32 */
  readonly objid: number;
  /** 1: one bigint key; 2: two int4 keys. */
  readonly objsubid: 1 | 2;
}

/** The tag of `pg_advisory_lock(key bigint)`. */
export function bigintTag(database: string, key: bigint): AdvisoryLockTag {
  const unsigned = BigInt.asUintN(64, key);
  return Object.freeze({ database, classid: Number(unsigned >> 32n), objid: Number(unsigned & 0xffffffffn), objsubid: 1 });
}

/** The tag of `pg_advisory_lock(key1 int4, key2 int4)`. */
export function int4PairTag(database: string, key1: number, key2: number): AdvisoryLockTag {
  return Object.freeze({ database, classid: key1 >>> 0, objid: key2 >>> 0, objsubid: 2 });
}

const tagKey = (tag: AdvisoryLockTag): string => `${tag.database}\u0000${tag.classid}/${tag.objid}/${tag.objsubid}`;

/** One owner's acquisitions of one lock, by mode and level. */
interface Counts {
  exclusiveSession: number;
  exclusiveTransaction: number;
  sharedSession: number;
  sharedTransaction: number;
}

const countField = (mode: AdvisoryLockMode, level: AdvisoryLockLevel): keyof Counts =>
  mode === 'exclusive' ? (level === 'session' ? 'exclusiveSession' : 'exclusiveTransaction') : level === 'session' ? 'sharedSession' : 'sharedTransaction';

const holdsMode = (counts: Counts, mode: AdvisoryLockMode): boolean =>
  mode === 'exclusive' ? counts.exclusiveSession + counts.exclusiveTransaction > 0 : counts.sharedSession + counts.sharedTransaction > 0;

const holdsAny = (counts: Counts): boolean => holdsMode(counts, 'exclusive') || holdsMode(counts, 'shared');

const conflicts = (requested: AdvisoryLockMode, held: AdvisoryLockMode): boolean => requested === 'exclusive' || held === 'exclusive';

/** A request queued behind a conflicting holder or waiter. */
export interface AdvisoryLockWaiter {
  readonly ownerId: number;
  readonly mode: AdvisoryLockMode;
  readonly level: AdvisoryLockLevel;
  granted: boolean;
  /** Called once when the table grants the request. */
  onGrant: (() => void) | undefined;
}

interface LockEntry {
  readonly tag: AdvisoryLockTag;
  readonly holders: Map<number, Counts>;
  readonly waiters: AdvisoryLockWaiter[];
}

/** A granted hold, as pg_locks lists it. */
export interface AdvisoryLockRow {
  readonly tag: AdvisoryLockTag;
  readonly ownerId: number;
  readonly mode: AdvisoryLockMode;
  readonly granted: boolean;
}

export type AcquireResult = { readonly kind: 'granted' } | { readonly kind: 'wait'; readonly waiter: AdvisoryLockWaiter } | { readonly kind: 'busy' };

/** The node's advisory lock manager: synchronous; see the file comment. */
export class AdvisoryLockTable {
  private readonly entries = new Map<string, LockEntry>();
  private nextOwnerId = 1;

  /** A new session's handle on the table. */
  owner(timers: Timers): AdvisoryLockOwner {
    return new AdvisoryLockOwner(this, this.nextOwnerId++, timers);
  }

  /**
   * Grants `mode` on `tag` to `ownerId` at `level` if nothing conflicts; else queues the request
   * (`wait`) or, with `noWait`, reports `busy` and changes nothing. A wait that would deadlock
   * throws 40P01 and changes nothing.
   */
  acquire(tag: AdvisoryLockTag, ownerId: number, mode: AdvisoryLockMode, level: AdvisoryLockLevel, noWait: boolean): AcquireResult {
    const key = tagKey(tag);
    const entry = this.entries.get(key) ?? { tag, holders: new Map<number, Counts>(), waiters: [] };
    const own = entry.holders.get(ownerId);
    if (own !== undefined && holdsMode(own, mode)) {
      own[countField(mode, level)] += 1;
      return { kind: 'granted' };
    }
    const blockers = this.blockers(entry, ownerId, mode, own !== undefined, entry.waiters.length);
    if (blockers.size === 0) {
      this.entries.set(key, entry);
      this.grant(entry, ownerId, mode, level);
      return { kind: 'granted' };
    }
    if (noWait) return { kind: 'busy' };
    if (this.reaches(blockers, ownerId)) throw new SqlError('40P01', 'deadlock detected', { detail: `Process ${ownerId} waits for ${mode === 'exclusive' ? 'ExclusiveLock' : 'ShareLock'} on advisory lock [${tag.classid},${tag.objid},${tag.objsubid}].` });
    this.entries.set(key, entry);
    const waiter: AdvisoryLockWaiter = { ownerId, mode, level, granted: false, onGrant: undefined };
    entry.waiters.push(waiter);
    return { kind: 'wait', waiter };
  }

  /** A queued request gave up (cancelled, timed out): it leaves the queue, and those behind it may go. */
  cancelWait(tag: AdvisoryLockTag, waiter: AdvisoryLockWaiter): void {
    const entry = this.entries.get(tagKey(tag));
    if (entry === undefined || waiter.granted) return;
    const index = entry.waiters.indexOf(waiter);
    if (index >= 0) entry.waiters.splice(index, 1);
    this.wake(entry);
  }

  /**
   * Drops one acquisition of `mode` at `level`; false if the owner has none (PostgreSQL then
   * warns `you don't own a lock of type …` and pg_advisory_unlock answers false).
   */
  release(tag: AdvisoryLockTag, ownerId: number, mode: AdvisoryLockMode, level: AdvisoryLockLevel): boolean {
    const entry = this.entries.get(tagKey(tag));
    const counts = entry?.holders.get(ownerId);
    const field = countField(mode, level);
    if (entry === undefined || counts === undefined || counts[field] === 0) return false;
    counts[field] -= 1;
    if (!holdsAny(counts)) entry.holders.delete(ownerId);
    this.wake(entry);
    return true;
  }

  /** Drops every acquisition of `ownerId` at `level` (both levels and its waits when undefined: the owner is gone). */
  releaseAll(ownerId: number, level: AdvisoryLockLevel | undefined): void {
    for (const entry of [...this.entries.values()]) {
      // The owner is gone (level undefined): its waits leave the queues, never to be granted.
      if (level === undefined) entry.waiters.splice(0, entry.waiters.length, ...entry.waiters.filter((waiter) => waiter.ownerId !== ownerId));
      const counts = entry.holders.get(ownerId);
      if (counts === undefined) {
        this.wake(entry);
        continue;
      }
      if (level !== 'transaction') counts.exclusiveSession = counts.sharedSession = 0;
      if (level !== 'session') counts.exclusiveTransaction = counts.sharedTransaction = 0;
      if (!holdsAny(counts)) entry.holders.delete(ownerId);
      this.wake(entry);
    }
  }

  /** How many distinct locks `ownerId` holds (its limit is `sqlAdvisoryLocksPerSessionMax`). */
  heldCount(ownerId: number): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.holders.has(ownerId)) count += 1;
    return count;
  }

  /** Every hold and wait, for pg_locks: one row per (lock, owner, mode) held, one per waiter. */
  rows(): AdvisoryLockRow[] {
    const rows: AdvisoryLockRow[] = [];
    for (const entry of this.entries.values()) {
      for (const [ownerId, counts] of entry.holders) {
        for (const mode of ['exclusive', 'shared'] as const) if (holdsMode(counts, mode)) rows.push({ tag: entry.tag, ownerId, mode, granted: true });
      }
      for (const waiter of entry.waiters) rows.push({ tag: entry.tag, ownerId: waiter.ownerId, mode: waiter.mode, granted: false });
    }
    return rows;
  }

  /**
   * The owners a request of `mode` by `ownerId` waits for: other holders in a conflicting mode
   * and, unless the requester already holds the lock (PostgreSQL lets a holder go ahead of the
   * queue rather than deadlock behind its own waiters), waiters among the first `queued` that
   * want a conflicting mode.
   */
  private blockers(entry: LockEntry, ownerId: number, mode: AdvisoryLockMode, holds: boolean, queued: number): Set<number> {
    const blockers = new Set<number>();
    for (const [holder, counts] of entry.holders) {
      if (holder === ownerId) continue;
      if ((holdsMode(counts, 'exclusive') && conflicts(mode, 'exclusive')) || (holdsMode(counts, 'shared') && conflicts(mode, 'shared'))) blockers.add(holder);
    }
    if (!holds) {
      for (const waiter of entry.waiters.slice(0, queued)) if (waiter.ownerId !== ownerId && conflicts(mode, waiter.mode)) blockers.add(waiter.ownerId);
    }
    return blockers;
  }

  /** Whether a waits-for path leads from any of `from` to `target` (then `target` waiting on them is a cycle). */
  private reaches(from: ReadonlySet<number>, target: number): boolean {
    const seen = new Set<number>();
    const stack = [...from];
    while (stack.length > 0) {
      const owner = stack.pop()!;
      if (owner === target) return true;
      if (seen.has(owner)) continue;
      seen.add(owner);
      for (const entry of this.entries.values()) {
        entry.waiters.forEach((waiter, index) => {
          if (waiter.ownerId !== owner) return;
          const holds = entry.holders.has(owner);
          for (const blocker of this.blockers(entry, owner, waiter.mode, holds, index)) stack.push(blocker);
        });
      }
    }
    return false;
  }

  private grant(entry: LockEntry, ownerId: number, mode: AdvisoryLockMode, level: AdvisoryLockLevel): void {
    const counts = entry.holders.get(ownerId) ?? { exclusiveSession: 0, exclusiveTransaction: 0, sharedSession: 0, sharedTransaction: 0 };
    counts[countField(mode, level)] += 1;
    entry.holders.set(ownerId, counts);
  }

  /** Grants the queue in order while its head does not conflict; drops an entry nobody uses. */
  private wake(entry: LockEntry): void {
    for (let index = 0; index < entry.waiters.length; ) {
      const waiter = entry.waiters[index]!;
      if (this.blockers(entry, waiter.ownerId, waiter.mode, entry.holders.has(waiter.ownerId), index).size > 0) {
        index += 1;
        continue;
      }
      entry.waiters.splice(index, 1);
      this.grant(entry, waiter.ownerId, waiter.mode, waiter.level);
      waiter.granted = true;
      waiter.onGrant?.();
    }
    if (entry.holders.size === 0 && entry.waiters.length === 0) this.entries.delete(tagKey(entry.tag));
  }
}

/** How one acquisition behaves. */
export interface AcquireOptions {
  /** `pg_try_advisory_*`: answer false instead of waiting. */
  readonly noWait: boolean;
  /** The statement's cancellation (contract.ts's CancelSignal; structural here, contract.ts imports this file). */
  readonly cancel: { throwIfCancelled(): void };
  /** lock_timeout in ms (0: none): a longer wait fails with 55P03. */
  readonly lockTimeoutMs: number;
  /**
   * For a transaction-level lock: the transaction it belongs to; the lock goes when it is
   * finished (`settle`).
   */
  readonly transaction?: { readonly isFinished: boolean };
}

/**
 * One session's advisory locks. Session-level holds last until unlocked or `close`;
 * transaction-level holds are remembered with their transaction and released by `settle` once
 * it is finished (the session settles after each statement and when its transaction ends).
 */
export class AdvisoryLockOwner {
  private readonly transactionHolds: { readonly tag: AdvisoryLockTag; readonly mode: AdvisoryLockMode; readonly transaction: { readonly isFinished: boolean } }[] = [];
  private closed = false;

  constructor(
    private readonly table: AdvisoryLockTable,
    /** The holder's number in the table (pg_locks' pid column shows it). */
    readonly id: number,
    private readonly timers: Timers,
  ) {}

  /** Every lock of the gateway, for pg_locks. */
  rows(): AdvisoryLockRow[] {
    this.settle();
    return this.table.rows();
  }

  /** Takes `mode` on `tag` at `level`, waiting unless `noWait`; true once held, false if busy (noWait). */
  async acquire(tag: AdvisoryLockTag, mode: AdvisoryLockMode, level: AdvisoryLockLevel, options: AcquireOptions): Promise<boolean> {
    assert(!this.closed, 'a closed session takes no locks');
    assert(level === 'session' || options.transaction !== undefined, 'a transaction-level lock names its transaction');
    this.settle();
    if (this.table.heldCount(this.id) >= limits.sqlAdvisoryLocksPerSessionMax) {
      throw new SqlError('53200', 'out of shared memory', { hint: 'You might need to increase max_locks_per_transaction.' });
    }
    const result = this.table.acquire(tag, this.id, mode, level, options.noWait);
    if (result.kind === 'busy') return false;
    if (result.kind === 'wait') await this.wait(tag, result.waiter, options);
    if (level === 'transaction') this.transactionHolds.push({ tag, mode, transaction: options.transaction! });
    return true;
  }

  /** Drops one session-level acquisition; false if there is none. */
  release(tag: AdvisoryLockTag, mode: AdvisoryLockMode): boolean {
    this.settle();
    return this.table.release(tag, this.id, mode, 'session');
  }

  /** pg_advisory_unlock_all: every session-level lock goes (transaction-level ones stay). */
  releaseSessionLocks(): void {
    this.settle();
    this.table.releaseAll(this.id, 'session');
  }

  /** Releases the transaction-level locks whose transaction is finished. */
  settle(): void {
    for (let index = 0; index < this.transactionHolds.length; ) {
      const hold = this.transactionHolds[index]!;
      if (!hold.transaction.isFinished) {
        index += 1;
        continue;
      }
      this.transactionHolds.splice(index, 1);
      const released = this.table.release(hold.tag, this.id, hold.mode, 'transaction');
      assert(released, 'a remembered transaction-level hold is in the table');
    }
  }

  /** The session ended (the connection closed): every lock it holds goes, and a wait in progress fails. */
  close(): void {
    this.closed = true;
    this.transactionHolds.length = 0;
    this.table.releaseAll(this.id, undefined);
  }

  /**
   * Waits for the table to grant `waiter`, waking every `sqlAdvisoryLockPollMsMax` to check the
   * statement's cancel signal (statement_timeout, CancelRequest), lock_timeout and the session's
   * end; on any of them the request leaves the queue and the statement fails.
   */
  private async wait(tag: AdvisoryLockTag, waiter: AdvisoryLockWaiter, options: AcquireOptions): Promise<void> {
    let waitedMs = 0;
    try {
      while (!waiter.granted) {
        const stepMs = limits.sqlAdvisoryLockPollMsMax;
        await new Promise<void>((resolve) => {
          const timer = this.timers.setTimeout(() => {
            waiter.onGrant = undefined;
            resolve();
          }, stepMs);
          waiter.onGrant = () => {
            this.timers.clearTimeout(timer);
            resolve();
          };
        });
        if (waiter.granted) break;
        waitedMs += stepMs;
        options.cancel.throwIfCancelled();
        if (this.closed) throw new SqlError('57P01', 'terminating connection due to administrator command');
        if (options.lockTimeoutMs > 0 && waitedMs >= options.lockTimeoutMs) throw new SqlError('55P03', 'canceling statement due to lock timeout');
      }
    } catch (error) {
      this.table.cancelWait(tag, waiter);
      // Granted between the last check and the cancel: the statement fails, so the grant is undone.
      if (waiter.granted && !this.closed) this.table.release(tag, this.id, waiter.mode, waiter.level);
      throw error;
    }
  }
}
