/**
 * Properties of the latch manager under random acquire/release sequences (fast-check, fixed
 * seeds): no two conflicting latches are ever held at once, a guard is held only when no earlier
 * conflicting guard remains (FIFO), and once everything releases every waiter was granted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { LatchManager, latchesConflict, type LatchGuard, type LatchSpan } from '../../../kv/concurrency/index.js';
import { LatchManagerAsync } from '../../../kv/concurrency/latch-manager-async.js';
import { LatchWaitersFullError } from '../../../kv/concurrency/errors.js';
import { assert } from '../../../src/base/assert.js';

const key = (i: number): Uint8Array => Uint8Array.of(0x61 + i);

const latchArb: fc.Arbitrary<LatchSpan> = fc
  .record({
    start: fc.integer({ min: 0, max: 5 }),
    width: fc.integer({ min: 0, max: 3 }),
    write: fc.boolean(),
    ts: fc.option(fc.integer({ min: 1, max: 4 }), { freq: 6 }),
  })
  .map(({ start, width, write, ts }) => ({
    span: width === 0 ? { start: key(start) } : { start: key(start), end: key(start + width) },
    access: write ? 'write' : 'read',
    timestamp: ts === null ? undefined : timestamp(BigInt(ts)),
  }));

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('acquire' as const), latches: fc.array(latchArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
);

function conflict(a: LatchGuard, b: LatchGuard): boolean {
  return a.latches.some((x) => b.latches.some((y) => latchesConflict(x, y)));
}

function checkInvariants(manager: LatchManager): void {
  const guards = manager.guards();
  const held = guards.filter((g) => manager.isHeld(g));
  for (const a of held) for (const b of held) if (a !== b) expect(conflict(a, b)).toBe(false);
  for (const g of held) {
    for (const earlier of guards) if (earlier.seq < g.seq) expect(conflict(earlier, g)).toBe(false);
  }
  expect(manager.waiterCount).toBe(guards.length - held.length);
}

describe('LatchManager properties', () => {
  it('never grants conflicting latches and grants every waiter once all release', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const manager = new LatchManager();
        const granted = new Set<number>();
        for (const op of ops) {
          if (op.kind === 'acquire') {
            const result = manager.acquire(op.latches);
            if (result.kind === 'acquired') granted.add(result.guard.seq);
          } else {
            const held = manager.guards().filter((g) => manager.isHeld(g));
            if (held.length === 0) continue;
            for (const g of manager.release(held[op.pick % held.length]!)) granted.add(g.seq);
          }
          checkInvariants(manager);
        }
        while (manager.guards().length > 0) {
          const held = manager.guards().filter((g) => manager.isHeld(g));
          expect(held.length).toBeGreaterThan(0); // someone can always make progress
          for (const g of manager.release(held[0]!)) granted.add(g.seq);
          checkInvariants(manager);
        }
        const acquires = ops.filter((o) => o.kind === 'acquire').length;
        expect(granted.size).toBe(acquires);
      }),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it('lets a cancelled waiter go without blocking the ones behind it', () => {
    const manager = new LatchManager();
    const write = (k: number): LatchSpan[] => [{ span: { start: key(k) }, access: 'write', timestamp: timestamp(1n) }];
    const a = manager.acquire(write(0));
    const b = manager.acquire(write(0));
    const c = manager.acquire(write(0));
    expect([a.kind, b.kind, c.kind]).toEqual(['acquired', 'wait', 'wait']);
    expect(manager.release(b.guard)).toEqual([]);
    expect(manager.release(a.guard).map((g) => g.seq)).toEqual([c.guard.seq]);
  });

  it('refuses a waiter beyond latchWaitersMax and changes nothing', () => {
    const manager = new LatchManager(1);
    const write: LatchSpan[] = [{ span: { start: key(0) }, access: 'write', timestamp: undefined }];
    manager.acquire(write);
    manager.acquire(write);
    expect(() => manager.acquire(write)).toThrow(LatchWaitersFullError);
    expect(manager.guards()).toHaveLength(2);
  });
});

describe('LatchManagerAsync', () => {
  it('resolves waiters in arrival order as latches release', async () => {
    const latches = new LatchManagerAsync();
    const write: LatchSpan[] = [{ span: { start: key(0) }, access: 'write', timestamp: timestamp(1n) }];
    const order: string[] = [];
    const first = latches.acquire(write);
    const second = latches.acquire(write);
    const third = latches.acquire(write);
    // The first holds its latches at once: no promise to wait on.
    expect(first.held).toBeUndefined();
    order.push('first');
    assert(second.held !== undefined && third.held !== undefined, 'later writers of the key wait');
    const done = Promise.all([second.held.then(() => order.push('second')), third.held.then(() => order.push('third'))]);
    latches.release(first.guard);
    await second.held;
    expect(order).toEqual(['first', 'second']);
    latches.release(second.guard);
    await third.held;
    latches.release(third.guard);
    await done;
    expect(order).toEqual(['first', 'second', 'third']);
  });

  it('a waiter released while waiting is never resolved, and a later one is not held up by it', async () => {
    const latches = new LatchManagerAsync();
    const write: LatchSpan[] = [{ span: { start: key(0) }, access: 'write', timestamp: timestamp(1n) }];
    const first = latches.acquire(write);
    const abandoned = latches.acquire(write);
    const third = latches.acquire(write);
    let abandonedResolved = false;
    void abandoned.held?.then(() => (abandonedResolved = true));
    latches.release(abandoned.guard);
    latches.release(first.guard);
    assert(third.held !== undefined, 'the third waited on the first');
    await third.held;
    expect(abandonedResolved).toBe(false);
    expect(latches.core.isHeld(third.guard)).toBe(true);
  });
});
