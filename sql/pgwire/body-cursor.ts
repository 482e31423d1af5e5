import { ProtocolViolationError } from './errors.js';

/**
 * Reads the fields of one message body, in order, checking every read against the body's end:
 * PostgreSQL's `pq_getmsg*` family. A read past the end is "insufficient data left in message", a
 * body with bytes left over is "invalid message format" (`pq_getmsgend`), a string with no NUL
 * before the end is "invalid string in message" — all 08P01.
 *
 * One cursor is reset per message and reused (no allocation per message). Reads of bytes return
 * views into the buffer, not copies.
 */
export class BodyCursor {
  private buffer: Buffer = Buffer.alloc(0);
  private position = 0;
  private end = 0;

  /** Points the cursor at `buffer[start, end)`. */
  reset(buffer: Buffer, start: number, end: number): void {
    this.buffer = buffer;
    this.position = start;
    this.end = end;
  }

  get remainingBytes(): number {
    return this.end - this.position;
  }

  readUint8(): number {
    this.require(1);
    const value = this.buffer[this.position]!;
    this.position += 1;
    return value;
  }

  readInt16(): number {
    this.require(2);
    const value = this.buffer.readInt16BE(this.position);
    this.position += 2;
    return value;
  }

  /** A 16-bit count (PostgreSQL reads counts as unsigned: 65535 parameters at most). */
  readUint16(): number {
    this.require(2);
    const value = this.buffer.readUInt16BE(this.position);
    this.position += 2;
    return value;
  }

  readInt32(): number {
    this.require(4);
    const value = this.buffer.readInt32BE(this.position);
    this.position += 4;
    return value;
  }

  /** An OID: unsigned 32-bit. */
  readUint32(): number {
    this.require(4);
    const value = this.buffer.readUInt32BE(this.position);
    this.position += 4;
    return value;
  }

  /** A NUL-terminated string, decoded as UTF-8 (invalid sequences become U+FFFD). */
  readCString(): string {
    const nul = this.buffer.indexOf(0, this.position);
    if (nul < 0 || nul >= this.end) throw new ProtocolViolationError('invalid string in message');
    // Names of the unnamed statement and portal are empty: skip the native call for them.
    const value = nul === this.position ? '' : this.buffer.toString('utf8', this.position, nul);
    this.position = nul + 1;
    return value;
  }

  /** `length` bytes, as a view. */
  readBytes(length: number): Uint8Array {
    this.require(length);
    const view = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return view;
  }

  /** The rest of the body, as a view. */
  readRest(): Uint8Array {
    return this.readBytes(this.end - this.position);
  }

  /** Every byte must have been read. */
  expectEnd(): void {
    if (this.position !== this.end) {
      throw new ProtocolViolationError('invalid message format', `${this.end - this.position} bytes left over at the end of the message`);
    }
  }

  private require(length: number): void {
    if (length < 0 || this.end - this.position < length) {
      throw new ProtocolViolationError('insufficient data left in message');
    }
  }
}
