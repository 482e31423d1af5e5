/**
 * A small binary codec for records the storage layer persists (intent records, transaction
 * metadata): a growable writer and a bounds-checked reader. Integers are unsigned LEB128
 * varints; byte strings are length-prefixed. Decoding corrupt input throws `StorageError` — the
 * engine returned bytes we did not write, which is an I/O-class failure, not a programmer error.
 */
import { assert } from '../../src/base/assert.js';
import { allocBytes } from '../../src/base/bytes.js';
import { StorageError } from '../../src/base/errors.js';

export class ByteWriter {
  private buffer: Uint8Array;
  private length = 0;

  constructor(capacity = 64) {
    this.buffer = new Uint8Array(capacity);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + bytes) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xff, 'byte out of range');
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  /** An unsigned integer up to 2^53 − 1 as a LEB128 varint. */
  uvarint(value: number): this {
    assert(Number.isSafeInteger(value) && value >= 0, () => `uvarint out of range: ${value}`);
    this.reserve(uvarintSize(value)); // exactly: a writer sized with uvarintSize never grows
    while (value >= 0x80) {
      this.buffer[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.length++] = value;
    return this;
  }

  /** An unsigned 64-bit integer, big-endian. */
  uint64(value: bigint): this {
    assert(value >= 0n && value < 1n << 64n, 'uint64 out of range');
    this.reserve(8);
    new DataView(this.buffer.buffer, this.buffer.byteOffset + this.length, 8).setBigUint64(0, value, false);
    this.length += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** A length-prefixed byte string. */
  bytes(bytes: Uint8Array): this {
    return this.uvarint(bytes.length).raw(bytes);
  }

  finish(): Uint8Array {
    const out = allocBytes(this.length);
    out.set(this.buffer.subarray(0, this.length));
    return out;
  }

  /**
   * The bytes written, without a copy when they fill the buffer exactly — for a writer sized
   * with `uvarintSize` and the lengths of what it writes (a Raft command, a log entry: copying
   * their values once more per encoding was measurable on the write path). Otherwise as `finish`.
   */
  finishSized(): Uint8Array {
    return this.length === this.buffer.length ? this.buffer : this.finish();
  }
}

/** Bytes `ByteWriter.uvarint(value)` writes. */
export function uvarintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

export class ByteReader {
  private offset = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly what: string,
  ) {}

  private need(bytes: number): void {
    if (this.offset + bytes > this.input.length) throw new StorageError(`corrupt ${this.what}: truncated at byte ${this.offset}`);
  }

  byte(): number {
    this.need(1);
    return this.input[this.offset++]!;
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 0x80;
    }
    throw new StorageError(`corrupt ${this.what}: varint too long`);
  }

  uint64(): bigint {
    this.need(8);
    const value = new DataView(this.input.buffer, this.input.byteOffset + this.offset, 8).getBigUint64(0, false);
    this.offset += 8;
    return value;
  }

  raw(length: number): Uint8Array {
    this.need(length);
    const out = this.input.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  bytes(): Uint8Array {
    return this.raw(this.uvarint());
  }

  /** Bytes read so far. */
  get position(): number {
    return this.offset;
  }

  /** The bytes read since `from` (a view; the caller copies it to keep it). */
  consumed(from: number): Uint8Array {
    return this.input.subarray(from, this.offset);
  }

  /** If the unread input starts with `prefix`, steps over it and returns true. */
  skipIfNext(prefix: Uint8Array): boolean {
    const input = this.input;
    const at = this.offset;
    if (at + prefix.length > input.length) return false;
    for (let i = 0; i < prefix.length; i++) if (input[at + i] !== prefix[i]) return false;
    this.offset = at + prefix.length;
    return true;
  }

  /** Asserts the whole input was consumed. */
  end(): void {
    if (this.offset !== this.input.length) throw new StorageError(`corrupt ${this.what}: ${this.input.length - this.offset} trailing bytes`);
  }
}
