import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import { BodyCursor } from './body-cursor.js';
import { ProtocolViolationError } from './errors.js';
import { typedMessageDecoders } from './frontend-decoders.js';
import type { FrontendMessage } from './frontend-messages.js';
import { decodeStartupPacket } from './startup-decoder.js';

/**
 * Where the reader is in the connection's life:
 * - `startup`: untyped packets (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest);
 * - `messages`: typed messages, after a StartupMessage;
 * - `ended`: after Terminate or CancelRequest; later bytes are ignored (the connection closes);
 * - `failed`: a ProtocolViolationError was thrown; every later call throws it again.
 */
export type FrontendReaderPhase = 'startup' | 'messages' | 'ended' | 'failed';

/** Smallest buffer the reader allocates when it must join chunks. */
const joinBufferBytesMin = 8 * 1024;

const emptyBuffer = Buffer.alloc(0);

/**
 * Decodes the frontend side of a PostgreSQL protocol 3.0 connection from TCP chunks cut anywhere
 * (sans-I/O: no socket, no timers; the caller reads the socket and acts on the messages).
 *
 * ```ts
 * reader.push(chunk);
 * for (let m = reader.next(); m !== undefined; m = reader.next()) session.handle(m);
 * ```
 *
 * Contract:
 * - `push` takes ownership of `chunk`: the caller must not modify it afterwards (a chunk that
 *   starts a message is kept as is, not copied, and byte fields of messages are views into it).
 * - `next` returns the next complete message, or undefined when more bytes are needed. It throws
 *   `ProtocolViolationError` (08P01) for a malformed stream; the reader is then `failed` and
 *   rethrows the same error on every call: the caller sends an ErrorResponse and closes.
 * - Memory: a message's declared length is checked against its limit (`pgwireStartupBytesMax`,
 *   `pgwireSmallMessageBytesMax`, `pgwireAuthenticationBytesMax`, `pgwireMessageBytesMax`) as soon
 *   as its header arrives, so at most one message of at most the limit is assembled. The caller
 *   bounds the rest by calling `next` until undefined before reading the socket again (TCP
 *   back-pressure does the rest); `bufferedBytes` says how much is held.
 * - Byte views handed out are never overwritten: joining chunks always writes past every byte
 *   already handed out, or into a fresh buffer.
 */
export class FrontendMessageReader {
  private buffer: Buffer = emptyBuffer;
  /** Unread bytes are `buffer[start, end)`; `buffer[end, buffer.length)` is free space we own. */
  private start = 0;
  private end = 0;
  private currentPhase: FrontendReaderPhase = 'startup';
  private failure: ProtocolViolationError | undefined;
  private sslRequestSeen = false;
  private gssEncRequestSeen = false;
  private readonly cursor = new BodyCursor();

  get phase(): FrontendReaderPhase {
    return this.currentPhase;
  }

  /** Bytes received and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.currentPhase === 'ended' || chunk.length === 0) return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.start === this.end) {
      // The common case: nothing pending, so the chunk becomes the buffer (zero-copy).
      this.buffer = bytes;
      this.start = 0;
      this.end = bytes.length;
      return;
    }
    if (this.buffer.length - this.end < bytes.length) this.grow(this.end - this.start + bytes.length);
    bytes.copy(this.buffer, this.end);
    this.end += bytes.length;
    assert(this.end <= this.buffer.length);
  }

  /** The next complete message, or undefined if more bytes are needed. */
  next(): FrontendMessage | undefined {
    if (this.failure !== undefined) throw this.failure;
    try {
      switch (this.currentPhase) {
        case 'startup':
          return this.nextStartupPacket();
        case 'messages':
          return this.nextTypedMessage();
        case 'ended':
        case 'failed':
          return undefined;
      }
    } catch (error) {
      if (error instanceof ProtocolViolationError) this.fail(error);
      throw error;
    }
  }

  private nextStartupPacket(): FrontendMessage | undefined {
    const available = this.end - this.start;
    if (available < 4) return undefined;
    const length = this.buffer.readInt32BE(this.start);
    if (length < 8 || length > limits.pgwireStartupBytesMax) {
      throw new ProtocolViolationError('invalid length of startup packet', lengthDetail(length, 8, limits.pgwireStartupBytesMax, 'pgwireStartupBytesMax'));
    }
    if (available < length) return undefined;
    this.cursor.reset(this.buffer, this.start + 4, this.start + length);
    const message = decodeStartupPacket(this.cursor, length);
    this.cursor.expectEnd();
    this.consume(length);
    switch (message.kind) {
      case 'SSLRequest':
        this.checkEncryptionRequest(this.sslRequestSeen, 'received unencrypted data after SSL request', '1234.5679');
        this.sslRequestSeen = true;
        break;
      case 'GSSENCRequest':
        this.checkEncryptionRequest(this.gssEncRequestSeen, 'received unencrypted data after GSSAPI encryption request', '1234.5680');
        this.gssEncRequestSeen = true;
        break;
      case 'CancelRequest':
        this.finish();
        break;
      case 'StartupMessage':
        this.currentPhase = 'messages';
        break;
    }
    return message;
  }

  /**
   * An encryption request is answered before anything else is read, and the next bytes are a
   * TLS/GSS handshake (or, after 'N', a new startup packet the client sends only once it has the
   * answer). Bytes already buffered behind the request were sent in the clear before the answer:
   * PostgreSQL refuses them (CVE-2021-23214, a man-in-the-middle injecting plaintext). A second
   * request of the same kind is not a request PostgreSQL honours: it reads it as a version.
   */
  private checkEncryptionRequest(seenBefore: boolean, unencryptedDataMessage: string, codeAsVersion: string): void {
    if (seenBefore) throw new ProtocolViolationError(`unsupported frontend protocol ${codeAsVersion}: server supports 3.0 to 3.0`);
    if (this.end > this.start) {
      throw new ProtocolViolationError(
        unencryptedDataMessage,
        'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
      );
    }
  }

  private nextTypedMessage(): FrontendMessage | undefined {
    const available = this.end - this.start;
    if (available < 1) return undefined;
    const type = this.buffer[this.start]!;
    const decoder = typedMessageDecoders.get(type);
    // The type is checked before the length, as PostgreSQL does: one bad byte is enough to know.
    if (decoder === undefined) throw new ProtocolViolationError(`invalid frontend message type ${type}`);
    if (available < 5) return undefined;
    const length = this.buffer.readInt32BE(this.start + 1);
    const lengthBytesMax = limits[decoder.lengthLimit];
    if (length < 4 || length > lengthBytesMax) {
      throw new ProtocolViolationError('invalid message length', lengthDetail(length, 4, lengthBytesMax, decoder.lengthLimit));
    }
    if (available < 1 + length) return undefined;
    this.cursor.reset(this.buffer, this.start + 5, this.start + 1 + length);
    const message = decoder.decode(this.cursor);
    this.cursor.expectEnd();
    this.consume(1 + length);
    if (message.kind === 'Terminate') this.finish();
    return message;
  }

  private consume(bytes: number): void {
    this.start += bytes;
    assert(this.start <= this.end);
    if (this.start === this.end) this.release();
  }

  /**
   * Makes room for `neededBytes` unread bytes in a fresh buffer. Growth doubles (amortized linear
   * copying when a large message arrives in many chunks) but stops at the pending message's
   * declared size when that is known and enough, so a 16 MiB Bind is assembled in ~16 MiB.
   */
  private grow(neededBytes: number): void {
    let capacity = Math.max(2 * neededBytes, joinBufferBytesMin);
    const declared = this.declaredMessageBytes();
    if (declared !== undefined && declared >= neededBytes) capacity = Math.min(capacity, declared);
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.buffer = grown;
  }

  /** The whole size of the message at the front, if its header is in and within limits. */
  private declaredMessageBytes(): number | undefined {
    const available = this.end - this.start;
    if (this.currentPhase === 'startup') {
      if (available < 4) return undefined;
      const length = this.buffer.readInt32BE(this.start);
      return length >= 8 && length <= limits.pgwireStartupBytesMax ? length : undefined;
    }
    if (available < 5) return undefined;
    const length = this.buffer.readInt32BE(this.start + 1);
    return length >= 4 && length <= limits.pgwireMessageBytesMax ? 1 + length : undefined;
  }

  private finish(): void {
    this.currentPhase = 'ended';
    this.release();
  }

  private fail(error: ProtocolViolationError): void {
    this.failure = error;
    this.currentPhase = 'failed';
    this.release();
  }

  private release(): void {
    this.buffer = emptyBuffer;
    this.start = 0;
    this.end = 0;
  }
}

function lengthDetail(length: number, minBytes: number, maxBytes: number, maxName: string): string {
  if (length < minBytes) return `length ${length} is below ${minBytes}`;
  return `length ${length} exceeds ${maxName} (${maxBytes})`;
}
