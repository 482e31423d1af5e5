// Every way a frontend stream can be malformed, and every limit: each is a ProtocolViolationError
// (08P01) with PostgreSQL's wording, raised as soon as the bytes that prove it arrive, and the
// reader refuses everything afterwards.
import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import { limits } from '../../../src/base/limits.js';
import { ProtocolViolationError } from '../../../sql/pgwire/errors.js';
import { FrontendMessageReader } from '../../../sql/pgwire/reader.js';
import { cstring, drain, frame, int16, int32, readerInMessagesPhase } from './support.js';

function violation(reader: FrontendMessageReader, bytes: Uint8Array): ProtocolViolationError {
  reader.push(bytes);
  try {
    drain(reader);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolViolationError);
    const violation = error as ProtocolViolationError;
    expect(violation.sqlState).toBe('08P01');
    expect(violation.code).toBe('PROTOCOL_VIOLATION');
    expect(reader.phase).toBe('failed');
    expect(() => reader.next()).toThrow(violation);
    expect(() => reader.push(serialize.sync())).toThrow(violation);
    return violation;
  }
  throw new Error('expected a protocol violation');
}

function typedViolation(bytes: Uint8Array): string {
  return violation(readerInMessagesPhase(), bytes).message;
}

function startupViolation(bytes: Uint8Array): string {
  return violation(new FrontendMessageReader(), bytes).message;
}

function startupPacket(body: Uint8Array, length = body.length + 4): Buffer {
  return Buffer.concat([int32(length), body]);
}

describe('message lengths', () => {
  it.each([-1, 0, 3, -2147483648])('a typed length of %i is invalid', (length) => {
    expect(typedViolation(frame('Q', Buffer.alloc(0), length))).toBe('invalid message length');
  });

  it('a length above pgwireMessageBytesMax is refused from the header alone', () => {
    const reader = readerInMessagesPhase();
    const error = violation(reader, frame('Q', Buffer.alloc(0), limits.pgwireMessageBytesMax + 1));
    expect(error.message).toBe('invalid message length');
    expect(error.detail).toContain('pgwireMessageBytesMax');
  });

  it('a message of exactly pgwireMessageBytesMax is accepted', () => {
    const sql = 'x'.repeat(limits.pgwireMessageBytesMax - 5);
    const reader = readerInMessagesPhase();
    reader.push(frame('Q', cstring(sql)));
    const [message] = drain(reader);
    expect(message?.kind === 'Query' && message.sql.length).toBe(sql.length);
  });

  it('small message types are held to pgwireSmallMessageBytesMax', () => {
    for (const type of 'SHXDECcf') {
      const error = violation(readerInMessagesPhase(), frame(type, Buffer.alloc(0), limits.pgwireSmallMessageBytesMax + 1));
      expect(error.message).toBe('invalid message length');
      expect(error.detail).toContain('pgwireSmallMessageBytesMax');
    }
  });

  it("the 'p' message is held to pgwireAuthenticationBytesMax", () => {
    const error = violation(readerInMessagesPhase(), frame('p', Buffer.alloc(0), limits.pgwireAuthenticationBytesMax + 1));
    expect(error.detail).toContain('pgwireAuthenticationBytesMax');
  });

  it.each([-1, 0, 7, limits.pgwireStartupBytesMax + 1])('a startup length of %i is invalid', (length) => {
    expect(startupViolation(int32(length))).toBe('invalid length of startup packet');
  });
});

describe('message types', () => {
  it('an unknown type is refused on its first byte', () => {
    expect(typedViolation(Buffer.from('x'))).toBe('invalid frontend message type 120');
  });

  it('FunctionCall (F) is not supported', () => {
    expect(typedViolation(frame('F', Buffer.alloc(8)))).toBe('invalid frontend message type 70');
  });

  it('a StartupMessage after startup is not a typed message', () => {
    expect(typedViolation(serialize.startup({ user: 'u' }))).toBe('invalid frontend message type 0');
  });
});

describe('message bodies', () => {
  it('bytes left after the fields', () => {
    expect(typedViolation(frame('S', Buffer.from([0])))).toBe('invalid message format');
    expect(typedViolation(frame('Q', Buffer.from('select 1\0extra')))).toBe('invalid message format');
    expect(typedViolation(frame('E', Buffer.concat([cstring(''), int32(0), Buffer.from([1])])))).toBe('invalid message format');
  });

  it('a string without its NUL', () => {
    expect(typedViolation(frame('Q', Buffer.from('select 1')))).toBe('invalid string in message');
    expect(typedViolation(frame('P', Buffer.concat([cstring('s'), Buffer.from('select')])))).toBe('invalid string in message');
  });

  it('fields that run past the end of the message', () => {
    expect(typedViolation(frame('E', Buffer.concat([cstring('p'), int16(0)])))).toBe('insufficient data left in message');
    expect(typedViolation(frame('P', Buffer.concat([cstring(''), cstring('select $1'), int16(2), int32(23)])))).toBe('insufficient data left in message');
    expect(typedViolation(frame('B', Buffer.concat([cstring(''), cstring(''), int16(0), int16(1), int32(10), Buffer.from('abc')])))).toBe(
      'insufficient data left in message',
    );
  });

  it('a huge parameter count with no parameters is refused before allocating', () => {
    expect(typedViolation(frame('B', Buffer.concat([cstring(''), cstring(''), int16(0), Buffer.from([0xff, 0xff])])))).toBe(
      'insufficient data left in message',
    );
  });

  it('a parameter length below -1', () => {
    expect(typedViolation(frame('B', Buffer.concat([cstring(''), cstring(''), int16(0), int16(1), int32(-2), int16(0)])))).toBe(
      'invalid message format',
    );
  });

  it('parameter format codes that match neither 1 nor the parameter count', () => {
    const body = Buffer.concat([cstring(''), cstring(''), int16(2), int16(0), int16(1), int16(3), int32(-1), int32(-1), int32(-1), int16(0)]);
    expect(typedViolation(frame('B', body))).toBe('bind message has 2 parameter formats but 3 parameters');
  });

  it('Describe and Close of something neither statement nor portal', () => {
    expect(typedViolation(frame('D', Buffer.concat([Buffer.from('X'), cstring('')])))).toBe('invalid DESCRIBE message subtype 88');
    expect(typedViolation(frame('C', Buffer.concat([Buffer.from('Z'), cstring('')])))).toBe('invalid CLOSE message subtype 90');
  });
});

describe('startup packets', () => {
  it('protocol 2.0 and 4.0 are refused', () => {
    const v2 = startupPacket(Buffer.concat([int32(2 << 16), cstring('user'), cstring('u'), Buffer.from([0])]));
    expect(startupViolation(v2)).toBe('unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
    const v4 = startupPacket(Buffer.concat([int32((4 << 16) | 1), Buffer.from([0])]));
    expect(startupViolation(v4)).toBe('unsupported frontend protocol 4.1: server supports 3.0 to 3.0');
  });

  it('parameters must end with an empty name as the last byte', () => {
    const layout = 'invalid startup packet layout: expected terminator as last byte';
    expect(startupViolation(startupPacket(Buffer.concat([int32(3 << 16), cstring('user'), cstring('u')])))).toBe(layout);
    expect(startupViolation(startupPacket(Buffer.concat([int32(3 << 16), cstring('user')])))).toBe(layout);
    expect(startupViolation(startupPacket(Buffer.concat([int32(3 << 16), cstring('user'), cstring('u'), Buffer.from([0, 0])])))).toBe(layout);
    expect(startupViolation(startupPacket(Buffer.concat([int32(3 << 16), cstring('user'), Buffer.from('u')])))).toBe('invalid string in message');
  });

  it('requests with the wrong length', () => {
    expect(startupViolation(startupPacket(Buffer.concat([int32(80877103), int32(0)])))).toBe('invalid length of startup packet');
    expect(startupViolation(startupPacket(Buffer.concat([int32(80877102), int32(1)])))).toBe('invalid length of startup packet');
  });

  it('plaintext behind an SSLRequest or GSSENCRequest is refused (CVE-2021-23214)', () => {
    expect(startupViolation(Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'u' })]))).toBe(
      'received unencrypted data after SSL request',
    );
    expect(startupViolation(Buffer.concat([int32(8), int32(80877104), Buffer.from([0])]))).toBe(
      'received unencrypted data after GSSAPI encryption request',
    );
  });

  it('a second SSLRequest is read as an unsupported protocol version', () => {
    const reader = new FrontendMessageReader();
    reader.push(serialize.requestSsl());
    expect(drain(reader).map((m) => m.kind)).toEqual(['SSLRequest']);
    expect(violation(reader, serialize.requestSsl()).message).toBe('unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0');
  });
});
