/**
 * The SQL text being parsed and the one conversion it needs: PostgreSQL's parser reports byte
 * offsets into the UTF-8 encoding, while JavaScript strings and PostgreSQL's error positions count
 * characters. Pure-ASCII text (the common case) converts for free; other text encodes once.
 */
import { assert } from '../../src/base/assert.js';

export class Source {
  /** The UTF-8 bytes, only for non-ASCII text. */
  private readonly bytes: Buffer | null;

  constructor(readonly sql: string) {
    this.bytes = /^[\x00-\x7f]*$/.test(sql) ? null : Buffer.from(sql, 'utf8');
  }

  get byteLength(): number {
    return this.bytes === null ? this.sql.length : this.bytes.length;
  }

  /** The text between two byte offsets. */
  slice(byteStart: number, byteEnd: number): string {
    assert(byteStart >= 0 && byteStart <= byteEnd, 'slice: start within the text');
    if (this.bytes === null) return this.sql.slice(byteStart, byteEnd);
    return this.bytes.subarray(byteStart, byteEnd).toString('utf8');
  }

  /** PostgreSQL's error position (1-based characters) of a byte offset; null for -1. */
  position(byteOffset: number): number | null {
    if (byteOffset < 0) return null;
    if (this.bytes === null) return byteOffset + 1;
    return this.bytes.subarray(0, byteOffset).toString('utf8').length + 1;
  }

  /** The byte offset of a character index. */
  byteOffset(charIndex: number): number {
    if (this.bytes === null) return charIndex;
    return Buffer.byteLength(this.sql.slice(0, charIndex), 'utf8');
  }
}
