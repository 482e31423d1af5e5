/**
 * Properties of the txn wait queue's deadlock detection over random waits-for graphs
 * (fast-check, fixed seed): it reports a cycle exactly when the graph has one, the reported
 * cycle is made of registered edges, and the victim is the cycle's lowest priority (ties: the
 * larger id). Aborting victims until none is reported leaves an acyclic graph.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { txnId } from '../../../src/base/ids.js';
import type { TxnMeta } from '../../../kv/storage/mvcc/txn.js';
import { TxnWaitQueue, TxnWaitQueueFullError, deadlockVictim, isAbandoned } from '../../../kv/concurrency/index.js';

function makeTxns(priorities: readonly number[]): TxnMeta[] {
  return priorities.map((priority, i) => {
    const ts = timestamp(10n);
    return { id: txnId((i + 1).toString(16).padStart(32, '0')), key: Uint8Array.of(i), epoch: 0, writeTimestamp: ts, minTimestamp: ts, priority, sequence: 0 };
  });
}

/** Kahn's algorithm: true if the edges contain a cycle. */
function hasCycle(edges: readonly [string, string][]): boolean {
  const nodes = new Set(edges.flat());
  const indegree = new Map([...nodes].map((n) => [n, 0]));
  for (const [, to] of edges) indegree.set(to, indegree.get(to)! + 1);
  const ready = [...nodes].filter((n) => indegree.get(n) === 0);
  let seen = 0;
  while (ready.length > 0) {
    const node = ready.pop()!;
    seen++;
    for (const [from, to] of edges) {
      if (from !== node) continue;
      indegree.set(to, indegree.get(to)! - 1);
      if (indegree.get(to) === 0) ready.push(to);
    }
  }
  return seen < nodes.size;
}

describe('TxnWaitQueue properties', () => {
  it('detects exactly the cyclic graphs and aborts the lowest priority of the cycle', () => {
    const graphArb = fc.record({
      priorities: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 6 }),
      edges: fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { maxLength: 12 }),
    });
    fc.assert(
      fc.property(graphArb, ({ priorities, edges }) => {
        const txns = makeTxns(priorities);
        const queue = new TxnWaitQueue();
        for (const [a, b] of edges) {
          const pusher = txns[a % txns.length]!;
          const pushee = txns[b % txns.length]!;
          if (pusher !== pushee) queue.enqueuePush(pusher, pushee);
        }
        for (let round = 0; round <= txns.length; round++) {
          const registered = queue.waiting().map((p): [string, string] => [p.pusher.id, p.pushee.id]);
          const deadlock = queue.detectDeadlock();
          expect(deadlock !== undefined).toBe(hasCycle(registered));
          if (deadlock === undefined) return;
          const cycle = deadlock.cycle;
          for (let i = 0; i < cycle.length; i++) {
            const edge = `${cycle[i]!.id}/${cycle[(i + 1) % cycle.length]!.id}`;
            expect(registered.map(([f, t]) => `${f}/${t}`)).toContain(edge);
          }
          for (const txn of cycle) expect(deadlockVictim(txn, deadlock.abort)).toBe(deadlock.abort);
          queue.onTxnFinalized(deadlock.abort.id, 'ABORTED');
        }
        expect.unreachable('more deadlocks than transactions');
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('refuses pushers beyond txnWaitQueuePushersMax, but re-registering is free', () => {
    const [a, b, c] = makeTxns([0, 0, 0]);
    const queue = new TxnWaitQueue(1);
    queue.enqueuePush(a!, b!);
    queue.enqueuePush(a!, b!);
    expect(() => queue.enqueuePush(c!, b!)).toThrow(TxnWaitQueueFullError);
    expect(queue.dequeuePusher(a!.id)).toHaveLength(1);
    queue.enqueuePush(c!, b!);
  });

  it('declares a pushee abandoned only strictly past the liveness threshold', () => {
    expect(isAbandoned(timestamp(0n), timestamp(5_000_000_000n))).toBe(false);
    expect(isAbandoned(timestamp(0n), timestamp(5_000_000_001n))).toBe(true);
    expect(isAbandoned(timestamp(100n), timestamp(50n), 10n)).toBe(false);
  });
});

describe('TxnWaitQueue at its bounds', () => {
  it('finds a cycle through 10,000 transactions without overflowing the stack', () => {
    const txns = makeTxns(Array.from({ length: 10_000 }, (_, i) => (i === 5_000 ? 0 : 1)));
    const queue = new TxnWaitQueue();
    for (let i = 0; i < txns.length - 1; i++) queue.enqueuePush(txns[i]!, txns[i + 1]!);
    expect(queue.detectDeadlock()).toBeUndefined();
    queue.enqueuePush(txns[txns.length - 1]!, txns[0]!);
    const deadlock = queue.detectDeadlock()!;
    expect(deadlock.cycle).toHaveLength(10_000);
    expect(deadlock.abort).toBe(txns[5_000]);
  });
});
