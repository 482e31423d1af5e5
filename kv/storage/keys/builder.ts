/**
 * `KeyBuilder`: a growable byte buffer that key elements are appended to (the `append*`
 * functions), so a composite key is built with one allocation in the common case instead of one
 * per column. Reuse a builder with `reset()` between keys.
 */
import { assert } from '../../../src/base/assert.js';

const initialCapacityBytes = 64;

export class KeyBuilder {
  private buffer: Uint8Array;
  private used = 0;

  constructor(capacityBytes = initialCapacityBytes) {
    assert(Number.isInteger(capacityBytes), 'capacity must be an integer');
    assert(capacityBytes > 0, 'capacity must be positive');
    this.buffer = new Uint8Array(capacityBytes);
  }

  /** The number of bytes appended since construction or the last `reset`. */
  get length(): number {
    return this.used;
  }

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    assert(Number.isInteger(count) && count >= 0, 'reserve count must be a non-negative integer');
    const needed = this.used + count;
    if (needed <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
  }

  pushByte(byte: number): void {
    assert(Number.isInteger(byte) && byte >= 0 && byte <= 0xff, 'not a byte');
    this.reserve(1);
    this.buffer[this.used++] = byte;
  }

  pushBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /**
   * Lets `writer` fill exactly `count` bytes in place (for encoders that write into a buffer at
   * an offset, like `writeEscaped`); `writer` returns the offset just past what it wrote.
   */
  write(count: number, writer: (buffer: Uint8Array, offset: number) => number): void {
    this.reserve(count);
    const end = writer(this.buffer, this.used);
    assert(end === this.used + count, () => `writer wrote ${end - this.used} bytes, promised ${count}`);
    this.used = end;
  }

  /** Complements every byte from `start` to the end: turns an ascending element descending. */
  invertFrom(start: number): void {
    assert(start >= 0 && start <= this.used, () => `invert start out of range: ${start}`);
    for (let index = start; index < this.used; index++) this.buffer[index] = ~this.buffer[index]! & 0xff;
  }

  /** A copy of the bytes appended so far; the builder stays usable. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.used);
  }

  /** Forgets the appended bytes, keeping the buffer. */
  reset(): void {
    this.used = 0;
  }
}
