import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { assert } from '../../src/base/assert.js';
import { ProtocolViolationError } from './errors.js';

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677), server side, as PostgreSQL does it (`auth-scram.c`):
 *
 * ```
 *  client                                      server (this file)
 *  SASLInitialResponse  n,,n=*,r=<cnonce>  ──►  ScramServerExchange.receiveClientFirst
 *  ◄──  AuthenticationSASLContinue  r=<cnonce><snonce>,s=<salt>,i=<iterations>
 *  SASLResponse  c=biws,r=<nonce>,p=<proof>  ──►  receiveClientFinal: check the proof
 *  ◄──  AuthenticationSASLFinal  v=<server signature>    (then AuthenticationOk)
 * ```
 *
 * The server stores only a verifier, never the password: StoredKey = H(ClientKey) lets it check
 * a proof, ServerKey lets it prove it knew the verifier. PostgreSQL ignores the SCRAM user name
 * (the startup packet's `user` counts; libpq sends `n=*` or empty) and supports no channel
 * binding on this mechanism (that is SCRAM-SHA-256-PLUS, not offered here).
 *
 * Sans-I/O: the salt and the server nonce are the caller's random bytes; hashing is node:crypto.
 */

export const scramMechanism = 'SCRAM-SHA-256';
/** PostgreSQL's default `scram_iterations`. */
export const scramIterationsDefault = 4096;
/** PostgreSQL's salt and nonce sizes (SCRAM_DEFAULT_SALT_LEN, SCRAM_RAW_NONCE_LEN). */
export const scramSaltBytes = 16;
export const scramRawNonceBytes = 18;

const keyBytes = 32; // SHA-256

/** A parsed `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 fields). */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

/**
 * Builds the verifier PostgreSQL stores in pg_authid.rolpassword for `password`, from `salt`
 * (random bytes the caller supplies, 16 as PostgreSQL uses).
 */
export function makeScramVerifier(password: string, salt: Uint8Array, iterations = scramIterationsDefault): string {
  assert(salt.length > 0);
  assert(Number.isInteger(iterations) && iterations > 0);
  const saltedPassword = pbkdf2Sync(saslPrep(password), salt, iterations, keyBytes, 'sha256');
  const storedKey = sha256(hmac(saltedPassword, 'Client Key'));
  const serverKey = hmac(saltedPassword, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${base64(salt)}$${base64(storedKey)}:${base64(serverKey)}`;
}

/** Parses a stored verifier; undefined if `text` is not one (e.g. an MD5 hash). */
export function parseScramVerifier(text: string): ScramVerifier | undefined {
  const match = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (match === null) return undefined;
  const iterations = Number(match[1]);
  const salt = Buffer.from(match[2]!, 'base64');
  const storedKey = Buffer.from(match[3]!, 'base64');
  const serverKey = Buffer.from(match[4]!, 'base64');
  if (!(iterations > 0) || salt.length === 0 || storedKey.length !== keyBytes || serverKey.length !== keyBytes) return undefined;
  return Object.freeze({ iterations, salt, storedKey, serverKey });
}

/** The printable nonce text PostgreSQL makes from raw random bytes: their base64. */
export function scramNonceFromRandomBytes(randomBytes: Uint8Array): string {
  assert(randomBytes.length >= scramRawNonceBytes);
  return base64(randomBytes);
}

/** RFC 5802's client-first-message, as far as the server needs it. */
export interface ScramClientFirstMessage {
  /** 'n': the client does not support channel binding; 'y': it does but thinks we do not. */
  readonly channelBindingFlag: 'n' | 'y';
  /** The SCRAM user name as sent (ignored by PostgreSQL, which uses the startup `user`). */
  readonly userName: string;
  readonly clientNonce: string;
  /** The message without its GS2 header: part of the AuthMessage both sides sign. */
  readonly bare: string;
}

/**
 * Parses `gs2-header client-first-message-bare`. Refuses channel binding ('p=', which needs the
 * -PLUS mechanism), an authorization identity ('a=') and mandatory extensions ('m='), as
 * PostgreSQL does.
 */
export function parseClientFirstMessage(text: string): ScramClientFirstMessage {
  const match = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(text);
  if (match === null) throw malformed('the GS2 header is invalid');
  if (match[1]!.startsWith('p=')) {
    throw malformed('the client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data');
  }
  if (match[2] !== undefined) throw malformed('client uses authorization identity, but it is not supported');
  const bare = match[3]!;
  const attributes = bare.split(',');
  if (attributes[0]?.startsWith('m=')) throw malformed('client requires an unsupported SCRAM extension');
  const userName = attributeValue(attributes[0], 'n');
  const clientNonce = attributeValue(attributes[1], 'r');
  if (clientNonce === '' || !isPrintable(clientNonce)) throw malformed('the client nonce is empty or not printable');
  return Object.freeze({ channelBindingFlag: match[1] as 'n' | 'y', userName, clientNonce, bare });
}

export type ScramResult =
  | { readonly kind: 'authenticated'; readonly serverFinalMessage: string }
  | { readonly kind: 'failed' };

/**
 * One SCRAM exchange on the server: built with the user's verifier and a fresh server nonce,
 * fed the client's two messages in order. A malformed message throws ProtocolViolationError; a
 * wrong password is `{ kind: 'failed' }` (the session answers 28P01 "password authentication
 * failed for user …"). For a user that does not exist, PostgreSQL runs the exchange against a
 * made-up verifier so the failure looks the same: the caller can do that by passing one.
 */
export class ScramServerExchange {
  private clientFirst: ScramClientFirstMessage | undefined;
  private serverFirstMessage: string | undefined;
  private finished = false;

  constructor(
    private readonly verifier: ScramVerifier,
    private readonly serverNonce: string,
  ) {
    assert(serverNonce.length > 0 && isPrintable(serverNonce), 'the server nonce must be printable');
    assert(verifier.storedKey.length === keyBytes && verifier.serverKey.length === keyBytes);
  }

  /** Takes the client-first-message; returns the server-first-message to send. */
  receiveClientFirst(message: Uint8Array | string): string {
    assert(this.clientFirst === undefined, 'client-first-message already received');
    const clientFirst = parseClientFirstMessage(asText(message));
    this.clientFirst = clientFirst;
    this.serverFirstMessage = `r=${clientFirst.clientNonce}${this.serverNonce},s=${base64(this.verifier.salt)},i=${this.verifier.iterations}`;
    return this.serverFirstMessage;
  }

  /** Takes the client-final-message; checks binding, nonce and proof. */
  receiveClientFinal(message: Uint8Array | string): ScramResult {
    const clientFirst = this.clientFirst;
    const serverFirstMessage = this.serverFirstMessage;
    assert(clientFirst !== undefined && serverFirstMessage !== undefined, 'client-first-message not received');
    assert(!this.finished, 'exchange already finished');
    this.finished = true;
    const clientFinal = parseClientFinalMessage(asText(message));
    // c= must echo the GS2 header the client sent first (no channel binding data).
    if (clientFinal.channelBinding !== base64(Buffer.from(`${clientFirst.channelBindingFlag},,`))) {
      throw malformed('unexpected SCRAM channel-binding attribute in client-final-message');
    }
    if (clientFinal.nonce !== `${clientFirst.clientNonce}${this.serverNonce}`) throw malformed('the nonce does not match');
    const authMessage = `${clientFirst.bare},${serverFirstMessage},${clientFinal.withoutProof}`;
    if (!this.proofIsValid(clientFinal.proof, authMessage)) return Object.freeze({ kind: 'failed' });
    const serverSignature = hmac(this.verifier.serverKey, authMessage);
    return Object.freeze({ kind: 'authenticated', serverFinalMessage: `v=${base64(serverSignature)}` });
  }

  /** ClientKey = proof XOR HMAC(StoredKey, AuthMessage); valid if H(ClientKey) = StoredKey. */
  private proofIsValid(proof: Uint8Array, authMessage: string): boolean {
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.allocUnsafe(keyBytes);
    for (let i = 0; i < keyBytes; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    return timingSafeEqual(sha256(clientKey), this.verifier.storedKey);
  }
}

interface ScramClientFinalMessage {
  readonly channelBinding: string;
  readonly nonce: string;
  readonly proof: Uint8Array;
  /** Everything before `,p=`: signed as part of the AuthMessage. */
  readonly withoutProof: string;
}

/** `c=<base64 gs2 header>,r=<nonce>[,extensions],p=<base64 proof>`; p must come last. */
function parseClientFinalMessage(text: string): ScramClientFinalMessage {
  const proofAt = text.lastIndexOf(',p=');
  if (proofAt < 0) throw malformed('client-final-message has no proof');
  const withoutProof = text.slice(0, proofAt);
  const proofText = text.slice(proofAt + 3);
  const attributes = withoutProof.split(',');
  const channelBinding = attributeValue(attributes[0], 'c');
  const nonce = attributeValue(attributes[1], 'r');
  const proof = Buffer.from(proofText, 'base64');
  if (!isBase64(proofText) || proof.length !== keyBytes) throw malformed('malformed proof in client-final-message');
  return { channelBinding, nonce, proof, withoutProof };
}

function attributeValue(attribute: string | undefined, name: string): string {
  if (attribute === undefined || attribute.length < 2 || attribute[0] !== name || attribute[1] !== '=') {
    throw malformed(`expected attribute "${name}"`);
  }
  return attribute.slice(2);
}

/**
 * SASLprep (RFC 4013), to the extent PostgreSQL's clients apply it: non-ASCII spaces become
 * spaces, "commonly mapped to nothing" characters vanish, then NFKC. ASCII passwords (the usual
 * case) are unchanged. PostgreSQL itself falls back to the raw password when SASLprep would
 * refuse it; not refusing anything amounts to the same for the passwords clients send.
 */
export function saslPrep(password: string): string {
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  return password
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .normalize('NFKC');
}

function malformed(detail: string): ProtocolViolationError {
  return new ProtocolViolationError('malformed SCRAM message', detail);
}

/** RFC 5802 "printable": ASCII 0x21–0x7E except ','. */
function isPrintable(text: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(text);
}

function isBase64(text: string): boolean {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text);
}

function asText(message: Uint8Array | string): string {
  return typeof message === 'string' ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('utf8');
}

function hmac(key: Uint8Array, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
