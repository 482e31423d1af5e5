/**
 * Span latches (CockroachDB's `spanlatch.Manager`): short-lived, in-memory mutual exclusion over
 * key spans for the duration of one request's evaluation, so two requests that touch the same
 * keys never evaluate concurrently in a conflicting way.
 *
 * Every request is sequenced on arrival: `acquire` inserts its latches at once (held or waiting)
 * and computes the *earlier* requests whose latches conflict with its own. It may evaluate only
 * when all of those are released. Because a request waits on earlier *waiting* requests too,
 * a later request never overtakes an earlier conflicting one (FIFO per overlap, no starvation):
 *
 *     r1 write a@10   held
 *     r2 read  a@20   waits on r1
 *     r3 write a@30   waits on r1, r2   ← even after r1 releases, r3 waits for r2
 *
 * Conflicts (MVCC-aware):
 * - read vs read never conflict;
 * - write vs write always conflict;
 * - a write at W and a read at R conflict iff W ≤ R (the read must see the write), or either
 *   latch is non-MVCC (`timestamp` undefined: global latches conflict always).
 *
 * Sans-I/O: `acquire` and `release` return decisions; `latch-manager-async.ts` turns them into
 * promises. Bounded by `latchWaitersMax` (a `LatchWaitersFullError` is thrown and nothing changes).
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import { lessEq, type Timestamp } from '../../clock/timestamp.js';
import { LatchWaitersFullError } from './errors.js';
import { checkSpan, spansOverlap, type Span, type SpanAccess } from './spans.js';

/** One latch a request declares. `timestamp` undefined makes it non-MVCC (conflicts always). */
export interface LatchSpan {
  readonly span: Span;
  readonly access: SpanAccess;
  readonly timestamp: Timestamp | undefined;
}

/** A request's latches, held or waited for; returned by `acquire`, passed back to `release`. */
export interface LatchGuard {
  /** Arrival order in this manager; lower is earlier. */
  readonly seq: number;
  readonly latches: readonly LatchSpan[];
}

export type LatchAcquireResult =
  | { readonly kind: 'acquired'; readonly guard: LatchGuard }
  /** `waitsOn`: the earlier conflicting guards, in arrival order. */
  | { readonly kind: 'wait'; readonly guard: LatchGuard; readonly waitsOn: readonly LatchGuard[] };

interface Entry {
  readonly guard: LatchGuard;
  /**
   * Seqs of earlier conflicting guards still present; empty means held. A guard held at once
   * shares `noWaits` (never added to: seqs are only deleted), so the commonest acquire — a point
   * read nobody else latches — allocates no set.
   */
  readonly waitsOn: Set<number>;
  /** `pointKey` of each point latch (undefined for a ranged one), made once in `acquire`. */
  readonly pointKeys: readonly (string | undefined)[];
}

/** True if latches `a` and `b` (of different requests) must not be held at once. */
export function latchesConflict(a: LatchSpan, b: LatchSpan): boolean {
  if (a.access === 'read' && b.access === 'read') return false;
  if (!spansOverlap(a.span, b.span)) return false;
  if (a.access === 'write' && b.access === 'write') return true;
  if (a.timestamp === undefined || b.timestamp === undefined) return true;
  const write = a.access === 'write' ? a : b;
  const read = a.access === 'write' ? b : a;
  return lessEq(write.timestamp!, read.timestamp!);
}

function guardsConflict(a: LatchGuard, b: LatchGuard): boolean {
  return a.latches.some((x) => b.latches.some((y) => latchesConflict(x, y)));
}

/** Keys up to this many bytes are made into `pointKey`s in JS (a small `apply`). */
const pointKeyShortBytesMax = 64;

/**
 * A point key as a map key: each byte one UTF-16 unit (latin1), so it is injective. A short key
 * (a row's: tens of bytes) is made in JS, about 2.5× cheaper than a Buffer view and a call into
 * the latin1 decoder; a long one through the decoder (no argument-count limit).
 */
const pointKey = (key: Uint8Array): string =>
  key.length <= pointKeyShortBytesMax ? String.fromCharCode.apply(null, key as unknown as number[]) : Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');

const noEntries: readonly Entry[] = Object.freeze([]);

/** The `waitsOn` of every guard held at once; stays empty (see `Entry.waitsOn`). */
const noWaits: Set<number> = new Set();

/**
 * The guards latching one point key: the one guard itself when alone (the common case: one set
 * less to make and drop per point latch), a set once two or more share the key.
 */
type PointSharers = Entry | Set<Entry>;

export class LatchManager {
  /** Present guards in arrival order (Map keeps insertion order, and seqs only grow). */
  private readonly entries = new Map<number, Entry>();
  /**
   * An index so that `acquire` compares a request only with guards that may overlap it: the
   * guards with a latch on each point key, and the guards with any ranged latch. (A request
   * with a ranged latch of its own still compares with every guard.)
   */
  private readonly byPoint = new Map<string, PointSharers>();
  private readonly ranged = new Set<Entry>();
  private nextSeq = 1;
  private waiters = 0;

  constructor(private readonly waitersMax: number = limits.latchWaitersMax) {
    assert(Number.isSafeInteger(waitersMax) && waitersMax > 0, 'latchWaitersMax must be positive');
  }

  /**
   * Sequences the request and inserts its latches. Returns `acquired` if no earlier request
   * conflicts, else `wait` with the earlier conflicting guards; the caller must not evaluate
   * until `release` reports the guard unblocked. Throws `LatchWaitersFullError` when it would
   * have to wait and `latchWaitersMax` requests already do (nothing is inserted then).
   */
  acquire(latches: readonly LatchSpan[]): LatchAcquireResult {
    assert(latches.length > 0, 'a request declares at least one latch');
    for (const latch of latches) checkSpan(latch.span);
    // Not frozen (the types are readonly): freezing is V8's slow path, and this runs per request.
    // The caller's array is kept, not copied: `latches` is readonly to it from here on.
    const guard: LatchGuard = { seq: this.nextSeq, latches };
    // Each point key is made once here, not again to index and unindex the entry.
    const pointKeys = latches.map((latch) => (latch.span.end === undefined ? pointKey(latch.span.start) : undefined));
    const waitsOn: LatchGuard[] = [];
    for (const entry of this.candidates(pointKeys)) {
      if (guardsConflict(entry.guard, guard)) waitsOn.push(entry.guard);
    }
    if (waitsOn.length > 0 && this.waiters >= this.waitersMax) throw new LatchWaitersFullError(this.waitersMax);
    this.nextSeq++;
    const entry: Entry = { guard, waitsOn: waitsOn.length === 0 ? noWaits : new Set(waitsOn.map((g) => g.seq)), pointKeys };
    this.entries.set(guard.seq, entry);
    this.index(entry);
    if (waitsOn.length === 0) return { kind: 'acquired', guard };
    this.waiters++;
    return { kind: 'wait', guard, waitsOn };
  }

  /**
   * Releases the guard's latches (held, or abandoned while waiting). Returns the guards that
   * became acquired as a result, in arrival order.
   */
  release(guard: LatchGuard): LatchGuard[] {
    const entry = this.entries.get(guard.seq);
    assert(entry !== undefined && entry.guard === guard, 'release of an unknown latch guard');
    this.entries.delete(guard.seq);
    this.unindex(entry);
    if (entry.waitsOn.size > 0) this.waiters--;
    const unblocked: LatchGuard[] = [];
    for (const other of this.entries.values()) {
      if (other.guard.seq < guard.seq || !other.waitsOn.delete(guard.seq)) continue;
      if (other.waitsOn.size === 0) {
        this.waiters--;
        unblocked.push(other.guard);
      }
    }
    assert(this.waiters >= 0, 'latch waiter count went negative');
    assert(noWaits.size === 0, 'the shared empty waitsOn stays empty');
    return unblocked;
  }

  /** The present entries that may conflict with a guard of `pointKeys` (its latches' `pointKey`s), in arrival order. */
  private candidates(pointKeys: readonly (string | undefined)[]): Iterable<Entry> {
    if (pointKeys.includes(undefined)) return this.entries.values();
    let found: Set<Entry> | undefined = this.ranged.size === 0 ? undefined : new Set<Entry>(this.ranged);
    for (const key of pointKeys) {
      const sharing = this.byPoint.get(key!);
      if (sharing === undefined) continue;
      found ??= new Set<Entry>();
      if (sharing instanceof Set) for (const entry of sharing) found.add(entry);
      else found.add(sharing);
    }
    // The common case — no other request on these keys — allocates no set and no array.
    if (found === undefined) return noEntries;
    return [...found].sort((a, b) => a.guard.seq - b.guard.seq);
  }

  private index(entry: Entry): void {
    for (const key of entry.pointKeys) {
      if (key === undefined) {
        this.ranged.add(entry);
        continue;
      }
      const sharing = this.byPoint.get(key);
      if (sharing === undefined) this.byPoint.set(key, entry);
      else if (sharing instanceof Set) sharing.add(entry);
      else if (sharing !== entry) this.byPoint.set(key, new Set([sharing, entry]));
    }
  }

  private unindex(entry: Entry): void {
    this.ranged.delete(entry);
    for (const key of entry.pointKeys) {
      if (key === undefined) continue;
      const sharing = this.byPoint.get(key);
      if (sharing === entry) this.byPoint.delete(key);
      else if (sharing instanceof Set) {
        sharing.delete(entry);
        if (sharing.size === 0) this.byPoint.delete(key);
      }
    }
  }

  /** True if the guard holds its latches (it waits on nothing). */
  isHeld(guard: LatchGuard): boolean {
    return this.entries.get(guard.seq)?.waitsOn.size === 0;
  }

  /** The seqs the guard still waits on, in arrival order (empty when held). */
  waitingOn(guard: LatchGuard): number[] {
    const entry = this.entries.get(guard.seq);
    assert(entry !== undefined, 'unknown latch guard');
    return [...entry.waitsOn].sort((a, b) => a - b);
  }

  /** Every present guard in arrival order. */
  guards(): LatchGuard[] {
    return [...this.entries.values()].map((e) => e.guard);
  }

  get waiterCount(): number {
    return this.waiters;
  }
}
