/**
 * Properties of the lock table under random lock discoveries, acquisitions, scans, releases and
 * dequeues (fast-check, fixed seeds): queues stay FIFO and bounded, every waiting request waits
 * at exactly one key and each key's distinguished waiter is one of its waiters; and once every
 * transaction finalizes and every woken request finishes, every request has proceeded and the
 * table is empty.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { txnId } from '../../../src/base/ids.js';
import type { TxnMeta } from '../../../kv/storage/mvcc/txn.js';
import { LockTable, type LockRequest, type LockTableEvent } from '../../../kv/concurrency/index.js';

const key = (i: number): Uint8Array => Uint8Array.of(0x61 + i);
const txns: TxnMeta[] = [1, 2, 3, 4].map((i) => {
  const ts = timestamp(BigInt(i * 10));
  return { id: txnId(i.toString(16).padStart(32, '0')), key: key(i), epoch: 0, writeTimestamp: ts, minTimestamp: ts, priority: 0, sequence: 0 };
});

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('discover' as const), key: fc.nat(4), txn: fc.nat(3) }),
  fc.record({ kind: fc.constant('scan' as const), key: fc.nat(4), width: fc.nat(2), txn: fc.nat(4), write: fc.boolean(), ts: fc.nat(50) }),
  fc.record({ kind: fc.constant('release' as const), key: fc.nat(4), txn: fc.nat(3) }),
  fc.record({ kind: fc.constant('done' as const), pick: fc.nat() }),
);

interface Model {
  readonly table: LockTable;
  /** Requests not waiting (proceeded or woken), by name. */
  readonly running: Map<string, LockRequest>;
  readonly waiting: Map<string, LockRequest>;
  readonly proceeded: Set<string>;
}

function apply(model: Model, events: readonly LockTableEvent[]): void {
  for (const event of events) {
    if (event.kind !== 'proceed') continue;
    const request = model.waiting.get(event.request);
    expect(request).toBeDefined();
    model.waiting.delete(event.request);
    model.running.set(event.request, request!);
  }
}

function scan(model: Model, request: LockRequest): void {
  const result = model.table.scanAndEnqueue(request);
  apply(model, result.events);
  if (result.kind === 'wait') model.waiting.set(request.name, request);
  else {
    model.running.set(request.name, request);
    if (result.kind === 'proceed') model.proceeded.add(request.name);
  }
}

/**
 * A running request finishes: it rescans first (woken requests must); if it may proceed, a
 * transactional writer locks every key it writes — `acquireLock` asserts that no other
 * transaction holds the lock, so a writer let through a held lock fails the test — and leaves.
 */
function finish(model: Model, name: string, acquire: boolean): void {
  const request = model.running.get(name)!;
  model.running.delete(name);
  const result = model.table.scanAndEnqueue(request);
  apply(model, result.events);
  if (result.kind === 'wait') {
    model.waiting.set(name, request);
    return;
  }
  if (result.kind === 'proceed') model.proceeded.add(name);
  if (acquire && result.kind === 'proceed' && request.txn !== undefined) {
    for (const s of request.spans) {
      if (s.access !== 'write') continue;
      for (let k = s.span.start[0]!; k < (s.span.end ?? Uint8Array.of(s.span.start[0]! + 1))[0]!; k++) {
        apply(model, model.table.acquireLock(Uint8Array.of(k), request.txn, 'unreplicated'));
      }
    }
  }
  apply(model, model.table.dequeue(name));
}

function checkInvariants(model: Model, queueMax: number): void {
  const waitingAt = new Map<string, number>();
  for (const lock of model.table.sortedLocks()) {
    const names = [...lock.waitingReaders, ...lock.queuedWriters].map((w) => w.request.name);
    expect(names.length).toBeLessThanOrEqual(queueMax);
    for (const queue of [lock.waitingReaders, lock.queuedWriters]) {
      for (let i = 1; i < queue.length; i++) expect(queue[i - 1]!.seq).toBeLessThan(queue[i]!.seq);
    }
    for (const name of names) waitingAt.set(name, (waitingAt.get(name) ?? 0) + 1);
    if (names.length > 0) expect(names).toContain(lock.distinguished);
    if (names.length > 0) expect(lock.holder !== undefined || lock.reservation !== undefined).toBe(true);
    const owner = lock.holder?.txn ?? lock.reservation?.request.txn;
    for (const w of [...lock.waitingReaders, ...lock.queuedWriters]) expect(w.request.txn?.id).not.toBe(owner?.id ?? 'none');
  }
  expect([...waitingAt.keys()].sort()).toEqual([...model.waiting.keys()].sort());
  for (const count of waitingAt.values()) expect(count).toBe(1);
}

describe('LockTable properties', () => {
  it('keeps FIFO, bounded queues and lets every request proceed once all txns finalize', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const queueMax = 3;
        const model: Model = { table: new LockTable({ keysMax: 4, waitQueueLengthMax: queueMax }), running: new Map(), waiting: new Map(), proceeded: new Set() };
        let next = 0;
        for (const op of ops) {
          try {
            runOp(model, op, () => `r${next++}`);
          } catch (error) {
            if (!(error instanceof Error && error.name === 'LockTableFullError')) throw error;
          }
          checkInvariants(model, queueMax);
        }
        for (const txn of txns) apply(model, model.table.onTxnFinalized(txn.id, 'COMMITTED'));
        while (model.running.size > 0) {
          finish(model, [...model.running.keys()][0]!, false);
          checkInvariants(model, queueMax);
        }
        expect(model.waiting.size).toBe(0);
        expect(model.table.keyCount).toBe(0);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

function runOp(model: Model, op: OpValue, name: () => string): void {
  switch (op.kind) {
    case 'discover':
      return apply(model, model.table.addDiscoveredLock(key(op.key), txns[op.txn]!));
    case 'release':
      return apply(model, model.table.onLockReleased(key(op.key), txns[op.txn]!.id));
    case 'scan': {
      const span = op.width === 0 ? { start: key(op.key) } : { start: key(op.key), end: key(op.key + op.width) };
      const txn = op.txn === 4 ? undefined : txns[op.txn];
      const request: LockRequest = { name: name(), txn, timestamp: timestamp(BigInt(op.ts)), spans: [{ span, access: op.write ? 'write' : 'read' }], waitPolicy: 'block' };
      return scan(model, request);
    }
    case 'done': {
      const running = [...model.running.keys()];
      if (running.length > 0) finish(model, running[op.pick % running.length]!, true);
      return;
    }
  }
}

type OpValue = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

describe('LockTable: plain reads on an empty table', () => {
  it('proceed unsequenced, wait once a later round finds a lock, and proceed when it is released', () => {
    const table = new LockTable();
    const reader: LockRequest = { name: 'r1', txn: txns[1], timestamp: timestamp(50n), spans: [{ span: { start: key(0) }, access: 'read' }], waitPolicy: 'block' };
    // Nothing to wait for: proceeds, and nothing is left to dequeue.
    expect(table.scanAndEnqueue(reader)).toMatchObject({ kind: 'proceed', skippedKeys: [], events: [] });
    expect(table.dequeue(reader.name)).toEqual([]);
    // The reader's evaluation met txn 0's intent below it: the next round is sequenced and waits.
    table.addDiscoveredLock(key(0), txns[0]!);
    const second = table.scanAndEnqueue(reader);
    expect(second.kind).toBe('wait');
    // A second request of the same name may not be sequenced while the first waits.
    expect(() => table.scanAndEnqueue({ ...reader })).toThrow();
    const events = table.onLockReleased(key(0), txns[0]!.id);
    expect(events.some((event) => event.kind === 'proceed' && event.request === 'r1')).toBe(true);
    expect(table.scanAndEnqueue(reader).kind).toBe('proceed');
    table.dequeue(reader.name);
    expect(table.keyCount).toBe(0);
  });

  it('sequence a write at once, even on an empty table', () => {
    const table = new LockTable();
    const writer: LockRequest = { name: 'w1', txn: txns[1], timestamp: timestamp(50n), spans: [{ span: { start: key(0) }, access: 'write' }], waitPolicy: 'block' };
    expect(table.scanAndEnqueue(writer).kind).toBe('proceed');
    // Sequenced: a second active request of the same name is a bug the table catches.
    expect(() => table.scanAndEnqueue({ ...writer })).toThrow();
    table.dequeue(writer.name);
  });
});
