import type { BodyCursor } from './body-cursor.js';
import { ProtocolViolationError } from './errors.js';
import type { StartupPhaseMessage } from './frontend-messages.js';

/**
 * The untyped packets of the startup phase: `int32 length, int32 code, body`. The code is either
 * a protocol version (`major << 16 | minor`, a StartupMessage) or one of three magic request
 * codes chosen to be impossible versions (1234.5678, .5679, .5680).
 */
export const protocolVersion30 = (3 << 16) | 0;
export const cancelRequestCode = 80877102; // 1234 << 16 | 5678
export const sslRequestCode = 80877103; // 1234 << 16 | 5679
export const gssEncRequestCode = 80877104; // 1234 << 16 | 5680

/** The only major version the server speaks; minor versions are negotiated down by the session. */
const supportedMajorVersion = 3;

/** Shared, frozen: requests without fields allocate nothing. */
const sslRequest = Object.freeze({ kind: 'SSLRequest' as const });
const gssEncRequest = Object.freeze({ kind: 'GSSENCRequest' as const });

/**
 * Decodes one startup-phase packet whose code and body are under `cursor` (the length field
 * already consumed and checked against `pgwireStartupBytesMax`); `lengthBytes` counts the
 * length field itself, as on the wire.
 */
export function decodeStartupPacket(cursor: BodyCursor, lengthBytes: number): StartupPhaseMessage {
  const requestCode = cursor.readInt32();
  switch (requestCode) {
    case sslRequestCode:
      requireLength(lengthBytes, 8);
      return sslRequest;
    case gssEncRequestCode:
      requireLength(lengthBytes, 8);
      return gssEncRequest;
    case cancelRequestCode: {
      requireLength(lengthBytes, 16);
      const processId = cursor.readInt32();
      const secretKey = cursor.readInt32();
      return Object.freeze({ kind: 'CancelRequest', processId, secretKey });
    }
    default:
      return decodeStartupMessage(cursor, requestCode);
  }
}

function decodeStartupMessage(cursor: BodyCursor, version: number): StartupPhaseMessage {
  const major = version >>> 16;
  const minor = version & 0xffff;
  if (major !== supportedMajorVersion) {
    // PostgreSQL answers this with 0A000; a violation here because the connection cannot go on.
    throw new ProtocolViolationError(`unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
  }
  const parameters = new Map<string, string>();
  // name NUL value NUL ... NUL: the empty name is the terminator and must be the last byte.
  for (;;) {
    if (cursor.remainingBytes === 0) throw layoutError();
    const name = cursor.readCString();
    if (name === '') break;
    if (cursor.remainingBytes === 0) throw layoutError();
    parameters.set(name, cursor.readCString());
  }
  if (cursor.remainingBytes !== 0) throw layoutError();
  return Object.freeze({ kind: 'StartupMessage', protocolMajorVersion: major, protocolMinorVersion: minor, parameters });
}

function requireLength(lengthBytes: number, expected: number): void {
  if (lengthBytes !== expected) {
    throw new ProtocolViolationError('invalid length of startup packet', `expected ${expected} bytes, got ${lengthBytes}`);
  }
}

function layoutError(): ProtocolViolationError {
  return new ProtocolViolationError('invalid startup packet layout: expected terminator as last byte');
}
