import { assert } from '../../src/base/assert.js';

/**
 * A growable byte buffer that builds typed protocol messages (`type byte, int32 length, body`)
 * and back-fills each length when the message ends (pg-protocol's BufferWriter pattern).
 *
 * Bytes accumulate across messages until `takeBytes`, which returns them all as one view — one
 * socket write per batch. Taken bytes are never written over: later messages go after them in the
 * same buffer, or into a fresh buffer when it is full, so a view handed to the socket stays
 * intact while the kernel drains it.
 */
export class MessageBuilder {
  private buffer: Buffer;
  /** Bytes not yet taken are `buffer[start, end)`. */
  private start = 0;
  private end = 0;
  /** Offset of the open message's type byte, or -1 between messages. */
  private messageStart = -1;

  constructor(private readonly initialBytes: number) {
    assert(initialBytes >= 64);
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  get bufferedBytes(): number {
    return this.end - this.start;
  }

  get messageOpen(): boolean {
    return this.messageStart >= 0;
  }

  /** Starts a message: its type byte and a length to be back-filled by `endMessage`. */
  beginMessage(type: number): void {
    assert(this.messageStart < 0, 'a message is already open');
    this.ensure(5);
    this.messageStart = this.end;
    this.buffer[this.end] = type;
    this.end += 5;
  }

  endMessage(): void {
    assert(this.messageStart >= 0, 'no message is open');
    this.buffer.writeInt32BE(this.end - this.messageStart - 1, this.messageStart + 1);
    this.messageStart = -1;
  }

  /** A byte outside any message (the one-byte answers to SSLRequest and GSSENCRequest). */
  writeRawByte(value: number): void {
    assert(this.messageStart < 0, 'a raw byte cannot go inside a message');
    this.writeUint8(value);
  }

  writeUint8(value: number): void {
    this.ensure(1);
    this.buffer[this.end] = value;
    this.end += 1;
  }

  writeInt16(value: number): void {
    this.ensure(2);
    this.end = this.buffer.writeInt16BE(value, this.end);
  }

  writeInt32(value: number): void {
    this.ensure(4);
    this.end = this.buffer.writeInt32BE(value, this.end);
  }

  writeUint32(value: number): void {
    this.ensure(4);
    this.end = this.buffer.writeUInt32BE(value, this.end);
  }

  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** UTF-8 text without a terminator; returns its length in bytes. */
  writeText(text: string): number {
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes, so this reserves enough without
    // measuring the string first (Buffer.byteLength would be a second pass).
    this.ensure(3 * text.length);
    const written = writeUtf8(this.buffer, text, this.end);
    this.end += written;
    return written;
  }

  /**
   * A NUL-terminated string. The protocol cannot carry a NUL inside one; the SQL layer never
   * produces such text (PostgreSQL refuses NUL in text values), so one here is a bug.
   */
  writeCString(text: string): void {
    assert(!text.includes('\0'), 'a protocol string cannot contain NUL');
    this.writeText(text);
    this.writeUint8(0);
  }

  /**
   * UTF-8 text preceded by its length in bytes as an int32 (a DataRow field), measured while it
   * is written: room for the worst case is reserved first, so nothing moves in between.
   */
  writeLengthPrefixedText(text: string): void {
    this.ensure(4 + 3 * text.length);
    const lengthOffset = this.end;
    const written = writeUtf8(this.buffer, text, lengthOffset + 4);
    this.buffer.writeInt32BE(written, lengthOffset);
    this.end = lengthOffset + 4 + written;
  }

  /**
   * Everything written since the last take, as one view; no message may be open. Nothing written:
   * one shared empty view (the connection takes output apart at each step of a batch, and most
   * steps of a point read's cycle wrote nothing since the last take).
   */
  takeBytes(): Uint8Array {
    assert(this.messageStart < 0, 'cannot take bytes with a message open');
    if (this.start === this.end) return noBytes;
    const bytes = this.buffer.subarray(this.start, this.end);
    this.start = this.end;
    return bytes;
  }

  private ensure(bytes: number): void {
    if (this.end + bytes <= this.buffer.length) return;
    // Move the untaken bytes (including an open message) to a fresh buffer; `messageStart`
    // shifts with them. The old buffer is left to the views already taken from it.
    const pending = this.end - this.start;
    const grown = Buffer.allocUnsafe(Math.max(2 * (pending + bytes), this.initialBytes));
    this.buffer.copy(grown, 0, this.start, this.end);
    if (this.messageStart >= 0) this.messageStart -= this.start;
    this.end = pending;
    this.start = 0;
    this.buffer = grown;
  }
}

/** What `takeBytes` returns when nothing was written: zero bytes, so nothing can write into it. */
const noBytes: Uint8Array = Buffer.alloc(0);

/** Strings up to this many UTF-16 code units are encoded by a JS loop when they are ASCII. */
const shortTextLengthMax = 64;

/**
 * Encodes `text` as UTF-8 at `offset` (room for 3 bytes per code unit already ensured); returns
 * the bytes written. `Buffer.write` costs about a microsecond per call whatever the length (a
 * native call), which made it most of a DataRow's cost for typical short values; a JS loop over
 * a short ASCII string is several times faster. Anything else goes to `Buffer.write`.
 */
function writeUtf8(buffer: Buffer, text: string, offset: number): number {
  const length = text.length;
  if (length > shortTextLengthMax) return buffer.write(text, offset, 'utf8');
  let i = 0;
  for (; i < length; i++) {
    const codeUnit = text.charCodeAt(i);
    if (codeUnit >= 0x80) break;
    buffer[offset + i] = codeUnit;
  }
  if (i === length) return length;
  // Non-ASCII: restart the whole string natively (rare for short values; keeps one code path).
  return buffer.write(text, offset, 'utf8');
}
