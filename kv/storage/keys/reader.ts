/**
 * `KeyReader`: a cursor over an encoded key for the decoders. It reads through a mask (0x00 for
 * an ascending element, 0xff for a descending one), so every per-type decoder is written once,
 * for the ascending layout. Running out of input, like every other malformation, is a
 * `KeyDecodeError` carrying the offset.
 */
import { assert } from '../../../src/base/assert.js';
import { KeyDecodeError } from './errors.js';

export class KeyReader {
  private position: number;
  private currentMask: 0x00 | 0xff;

  constructor(
    readonly input: Uint8Array,
    offset: number,
    mask: 0x00 | 0xff,
  ) {
    assert(offset >= 0 && offset <= input.length, () => `offset out of range: ${offset}`);
    this.position = offset;
    this.currentMask = mask;
  }

  get offset(): number {
    return this.position;
  }

  get mask(): 0x00 | 0xff {
    return this.currentMask;
  }

  get remaining(): number {
    return this.input.length - this.position;
  }

  /** The next byte, unmasked; `what` names the thing being read for the error message. */
  readByte(what: string): number {
    if (this.position >= this.input.length) this.fail(`truncated ${what}`);
    return this.input[this.position++]! ^ this.currentMask;
  }

  /** A copy of the next `count` bytes, unmasked. */
  readBytes(count: number, what: string): Uint8Array {
    assert(Number.isInteger(count) && count >= 0, 'read count must be a non-negative integer');
    if (count > this.remaining) this.fail(`truncated ${what}`);
    const bytes = this.input.slice(this.position, this.position + count);
    if (this.currentMask !== 0) for (let index = 0; index < count; index++) bytes[index] = bytes[index]! ^ this.currentMask;
    this.position += count;
    return bytes;
  }

  /** Moves the cursor to `offset` (forward only), after a helper found an element's end. */
  skipTo(offset: number): void {
    assert(offset >= this.position && offset <= this.input.length, () => `bad skip target: ${offset}`);
    this.position = offset;
  }

  /** Runs `read` with the mask flipped: for a part of an element stored complemented. */
  inverted<T>(read: () => T): T {
    const saved = this.currentMask;
    this.currentMask = saved === 0x00 ? 0xff : 0x00;
    try {
      return read();
    } finally {
      this.currentMask = saved;
    }
  }

  fail(reason: string, offset = this.position): never {
    throw new KeyDecodeError(offset, reason);
  }
}
