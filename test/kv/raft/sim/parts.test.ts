/** The simulator's parts: the scheduler's order, the disk's crash semantics, the network's partitions, the trace hash. */
import { describe, expect, it } from 'vitest';
import type { Entry, Message } from '../../../../kv/raft/index.js';
import { SeededRandom } from '../../../../src/env/random.js';
import { SimDisk } from '../../../../src/sim/raft/disk.js';
import { SimNetwork, cutLinks } from '../../../../src/sim/raft/network.js';
import { Scheduler } from '../../../../src/sim/raft/scheduler.js';
import { StateMachine, encodeValue, entryValue } from '../../../../src/sim/raft/state-machine.js';
import { Trace } from '../../../../src/sim/raft/trace.js';

const entry = (index: number, term: number, value = index): Entry => ({ index, term, type: 'normal', data: encodeValue(value, 0) });

describe('Scheduler', () => {
  it('runs events by virtual time, then in scheduling order', () => {
    const scheduler = new Scheduler();
    const order: string[] = [];
    scheduler.schedule(5, () => order.push('b@5'));
    scheduler.schedule(1, () => {
      order.push('a@1');
      scheduler.schedule(4, () => order.push('c@5'));
      scheduler.schedule(0, () => order.push('a2@1'));
    });
    scheduler.schedule(9, () => order.push('d@9'));
    while (scheduler.step(6));
    expect(order).toEqual(['a@1', 'a2@1', 'b@5', 'c@5']);
    expect(scheduler.now).toBe(5);
    expect(scheduler.pending).toBe(1);
    scheduler.advanceTo(6);
    expect(() => scheduler.advanceTo(10)).toThrow(/pending event/);
  });
});

describe('SimDisk', () => {
  it('loses unsynced writes on a crash and keeps synced ones', () => {
    const disk = new SimDisk();
    disk.write(undefined, [entry(1, 1), entry(2, 1)], { term: 1, vote: 2, commit: 0 });
    disk.sync();
    disk.write(undefined, [entry(3, 1)], { term: 2, vote: 3, commit: 2 });
    expect(disk.slotAt(3)).toMatchObject({ term: 1 });
    expect(disk.crash()).toBe(1);
    expect(disk.durable.lastIndex()).toBe(2);
    expect(disk.durable.initialState().hardState).toEqual({ term: 1, vote: 2, commit: 0 });
    expect(disk.slotAt(3)).toBe('missing');
  });

  it('sees unsynced writes over the durable log, truncation included', () => {
    const disk = new SimDisk();
    disk.write(undefined, [entry(1, 1), entry(2, 1), entry(3, 1)], undefined);
    disk.sync();
    disk.write(undefined, [entry(2, 2)], undefined);
    expect(disk.slotAt(1)).toMatchObject({ term: 1 });
    expect(disk.slotAt(2)).toMatchObject({ term: 2 });
    expect(disk.slotAt(3)).toBe('missing');
    disk.sync();
    expect(disk.durable.lastIndex()).toBe(2);
  });
});

describe('SimNetwork', () => {
  const message = (from: number, to: number): Message => ({ type: 'MsgHeartbeatResp', from, to, term: 1, context: new Uint8Array(0) });

  it('delivers within the delay bounds, and blocks partitioned links until they heal', () => {
    const scheduler = new Scheduler();
    const delivered: string[] = [];
    const lost: string[] = [];
    const network = new SimNetwork(scheduler, new SeededRandom(1), { dropRate: 0, duplicateRate: 0, stallRate: 0, delayMin: 2, delayMax: 4 }, {
      deliver: (m) => delivered.push(`${m.from}->${m.to}@${scheduler.now}`),
      lost: (m, reason) => lost.push(`${m.from}->${m.to} ${reason}`),
    });
    const partition = network.partition(cutLinks([1], [2, 3], true), 'one-way');
    network.send(message(1, 2));
    network.send(message(2, 1));
    network.send(message(3, 2));
    while (scheduler.step(100));
    expect(lost).toEqual(['1->2 partition']);
    expect(delivered.map((d) => d.split('@')[0])).toEqual(expect.arrayContaining(['2->1', '3->2']));
    for (const d of delivered) expect(Number(d.split('@')[1])).toBeGreaterThanOrEqual(2);
    network.heal(partition.id);
    network.send(message(1, 2));
    while (scheduler.step(200));
    expect(delivered).toHaveLength(3);
  });
});

describe('StateMachine', () => {
  it('round-trips through snapshot data', () => {
    const machine = new StateMachine();
    for (let i = 1; i <= 5; i++) machine.apply(entry(i, 1 + (i >> 1), 100 + i));
    const copy = StateMachine.decode(machine.encode(4), 4);
    expect(copy.appliedIndex).toBe(4);
    expect(copy.termAt(4)).toBe(machine.termAt(4));
    expect(copy.hashAt(3)).toBe(machine.hashAt(3));
    expect(copy.hasValue(104)).toBe(true);
    expect(copy.hasValue(105)).toBe(false);
    expect(entryValue(entry(1, 1, 77))).toBe(77);
  });
});

describe('Trace', () => {
  it('hashes what was recorded, and keeps a readable tail', () => {
    const a = new Trace();
    const b = new Trace();
    a.record(1, [1, 2], () => 'one');
    b.record(1, [1, 2], () => 'one');
    expect(a.hash()).toBe(b.hash());
    b.record(2, [3], () => 'two');
    expect(a.hash()).not.toBe(b.hash());
    a.note(2, 'a note is not hashed');
    expect(b.renderTail()).toContain('two');
    expect(a.renderTail()).toContain('a note is not hashed');
  });
});
