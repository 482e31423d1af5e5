/**
 * `Inflights`: the append messages sent to one follower and not yet acknowledged, as the last
 * index each carried — the leader's flow-control window (bounded pipelining). When it is full,
 * the leader stops sending entries to that follower until an acknowledgement frees a slot.
 *
 * A ring buffer of increasing indexes: `add` at the tail, `freeLE` from the head.
 */
import { assert } from '../../src/base/assert.js';

export class Inflights {
  private readonly buffer: number[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    assert(Number.isSafeInteger(capacity) && capacity > 0, () => `inflights capacity must be positive, got ${capacity}`);
    this.buffer = new Array<number>(capacity).fill(0);
  }

  /** Records a message carrying entries up to `lastIndex`; the window must not be full. */
  add(lastIndex: number): void {
    assert(!this.full(), 'cannot add to a full inflights window');
    if (this.size > 0) {
      const newest = this.buffer[(this.start + this.size - 1) % this.capacity]!;
      assert(lastIndex > newest, () => `inflight index ${lastIndex} is not above the newest ${newest}`);
    }
    this.buffer[(this.start + this.size) % this.capacity] = lastIndex;
    this.size++;
  }

  /** Frees every message whose last index is `<= index` (the follower acknowledged up to it). */
  freeLE(index: number): void {
    while (this.size > 0 && this.buffer[this.start]! <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    if (this.size === 0) this.start = 0;
  }

  full(): boolean {
    return this.size === this.capacity;
  }

  count(): number {
    return this.size;
  }

  reset(): void {
    this.start = 0;
    this.size = 0;
  }
}
