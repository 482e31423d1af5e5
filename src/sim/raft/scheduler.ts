/**
 * The simulator's scheduler: a discrete-event loop on virtual time. Every action of the
 * simulation (a tick, a message delivery, a disk sync, a crash, a client request) is an event in
 * one priority queue ordered by `(time, sequence)`; `sequence` is the order of scheduling, so two
 * events at the same virtual time run in the order they were scheduled and a run is a pure
 * function of its seed. There are no real timers: time jumps from one event to the next.
 */
import { assert } from '../../base/assert.js';

/** Virtual time, in abstract units (a Raft tick is a few of them; see `SimOptions`). */
export type VirtualTime = number;

interface ScheduledEvent {
  readonly time: VirtualTime;
  readonly sequence: number;
  readonly action: () => void;
}

/** A binary min-heap of events ordered by `(time, sequence)`. */
class EventQueue {
  private readonly heap: ScheduledEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: ScheduledEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  peek(): ScheduledEvent | undefined {
    return this.heap[0];
  }

  pop(): ScheduledEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
}

export class Scheduler {
  private readonly queue = new EventQueue();
  private sequence = 0;
  private nowTime: VirtualTime = 0;
  private stepCount = 0;

  /** The current virtual time: the time of the event being run (or last run). */
  get now(): VirtualTime {
    return this.nowTime;
  }

  /** Events run so far. */
  get steps(): number {
    return this.stepCount;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Runs `action` `delay` units from now (0: after everything already due now). */
  schedule(delay: number, action: () => void): void {
    assert(Number.isSafeInteger(delay) && delay >= 0, () => `delay must be a non-negative integer: ${delay}`);
    this.queue.push({ time: this.nowTime + delay, sequence: this.sequence++, action });
  }

  /**
   * Runs the next event if one is due at or before `until`; returns false when none is. The
   * caller checks invariants between calls ("after every step").
   */
  step(until: VirtualTime): boolean {
    const next = this.queue.peek();
    if (next === undefined || next.time > until) return false;
    this.queue.pop();
    assert(next.time >= this.nowTime, 'virtual time went backwards');
    this.nowTime = next.time;
    this.stepCount++;
    next.action();
    return true;
  }

  /** Moves the clock to `time` when no event is due before it (the queue ran dry). */
  advanceTo(time: VirtualTime): void {
    assert(time >= this.nowTime, 'virtual time went backwards');
    const next = this.queue.peek();
    assert(next === undefined || next.time >= time, 'advancing past a pending event');
    this.nowTime = time;
  }
}
