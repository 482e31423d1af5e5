import { BodyCursor } from './body-cursor.js';
import { ProtocolViolationError } from './errors.js';
import type { AuthenticationResponse } from './frontend-messages.js';

/**
 * The three readings of the 'p' message. Which one applies depends on the authentication request
 * the server sent last, so the session picks the parser:
 *
 * | server sent                             | client answers with | parse with                  |
 * |-----------------------------------------|---------------------|-----------------------------|
 * | AuthenticationCleartextPassword / MD5   | PasswordMessage     | `parsePasswordMessage`      |
 * | AuthenticationSASL (mechanism list)     | SASLInitialResponse | `parseSaslInitialResponse`  |
 * | AuthenticationSASLContinue              | SASLResponse        | `parseSaslResponse`         |
 *
 * Each throws `ProtocolViolationError` for a malformed body.
 */

/** The password (cleartext) or `md5` + hex digest, without its terminating NUL. */
export function parsePasswordMessage(message: AuthenticationResponse): string {
  const cursor = cursorOver(message.body);
  const nul = message.body.indexOf(0);
  // PostgreSQL's wording: the string must fill the packet exactly.
  if (nul !== message.body.length - 1) throw new ProtocolViolationError('invalid password packet size');
  const password = cursor.readCString();
  cursor.expectEnd();
  return password;
}

export interface SaslInitialResponse {
  /** The mechanism the client chose from the server's list, e.g. `SCRAM-SHA-256`. */
  readonly mechanism: string;
  /** The mechanism's first message (SCRAM's client-first-message), or null if none was sent. */
  readonly initialResponse: Uint8Array | null;
}

export function parseSaslInitialResponse(message: AuthenticationResponse): SaslInitialResponse {
  const cursor = cursorOver(message.body);
  const mechanism = cursor.readCString();
  const length = cursor.readInt32();
  if (length < -1) throw new ProtocolViolationError('invalid message format', `SASL initial response length ${length}`);
  const initialResponse = length === -1 ? null : cursor.readBytes(length);
  cursor.expectEnd();
  return Object.freeze({ mechanism, initialResponse });
}

/** The mechanism's next message (SCRAM's client-final-message): the whole body. */
export function parseSaslResponse(message: AuthenticationResponse): Uint8Array {
  return message.body;
}

function cursorOver(body: Uint8Array): BodyCursor {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const cursor = new BodyCursor();
  cursor.reset(buffer, 0, buffer.length);
  return cursor;
}
