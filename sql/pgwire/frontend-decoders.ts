import type { BodyCursor } from './body-cursor.js';
import { ProtocolViolationError } from './errors.js';
import type { StatementOrPortal, TypedFrontendMessage } from './frontend-messages.js';

/**
 * One entry per typed frontend message: how to decode its body and the largest length it may
 * declare. The table is the whole list of types the server accepts after startup; a type byte not
 * in it is "invalid frontend message type N" (PostgreSQL's `SocketBackend`). Per-type limits let
 * the reader refuse a bogus length on a small message as soon as the 5-byte header is in, before
 * buffering a body (PostgreSQL's PQ_SMALL_MESSAGE_LIMIT vs PQ_LARGE_MESSAGE_LIMIT).
 */
export interface TypedMessageDecoder {
  /** The limit on the length field (which counts itself), named as in `src/base/limits`. */
  readonly lengthLimit: 'pgwireMessageBytesMax' | 'pgwireSmallMessageBytesMax' | 'pgwireAuthenticationBytesMax';
  /** Decodes a whole body; must consume it exactly (the caller checks with `expectEnd`). */
  readonly decode: (cursor: BodyCursor) => TypedFrontendMessage;
}

const large = 'pgwireMessageBytesMax';
const small = 'pgwireSmallMessageBytesMax';

// Bodiless messages are shared frozen constants: decoding a Sync allocates nothing. The others are
// fresh per message and not frozen: their types are readonly, and Object.freeze takes V8's slow
// path (a map transition at run time) — four of them per Bind cost ~0.3 µs, on every statement.
const syncMessage = Object.freeze({ kind: 'Sync' as const });
const flushMessage = Object.freeze({ kind: 'Flush' as const });
const terminateMessage = Object.freeze({ kind: 'Terminate' as const });
const copyDoneMessage = Object.freeze({ kind: 'CopyDone' as const });

/** Keyed by the type byte's character code. */
export const typedMessageDecoders: ReadonlyMap<number, TypedMessageDecoder> = new Map<number, TypedMessageDecoder>([
  [code('Q'), { lengthLimit: large, decode: (c) => ({ kind: 'Query', sql: c.readCString() }) }],
  [code('P'), { lengthLimit: large, decode: decodeParse }],
  [code('B'), { lengthLimit: large, decode: decodeBind }],
  [code('D'), { lengthLimit: small, decode: (c) => ({ kind: 'Describe', target: readTarget(c, 'DESCRIBE'), name: c.readCString() }) }],
  [code('E'), { lengthLimit: small, decode: (c) => ({ kind: 'Execute', portalName: c.readCString(), rowsMax: c.readInt32() }) }],
  [code('S'), { lengthLimit: small, decode: () => syncMessage }],
  [code('H'), { lengthLimit: small, decode: () => flushMessage }],
  [code('C'), { lengthLimit: small, decode: (c) => ({ kind: 'Close', target: readTarget(c, 'CLOSE'), name: c.readCString() }) }],
  [code('X'), { lengthLimit: small, decode: () => terminateMessage }],
  [code('d'), { lengthLimit: large, decode: (c) => ({ kind: 'CopyData', data: c.readRest() }) }],
  [code('c'), { lengthLimit: small, decode: () => copyDoneMessage }],
  [code('f'), { lengthLimit: small, decode: (c) => ({ kind: 'CopyFail', reason: c.readCString() }) }],
  [code('p'), { lengthLimit: 'pgwireAuthenticationBytesMax', decode: (c) => Object.freeze({ kind: 'AuthenticationResponse', body: c.readRest() }) }],
]);

function decodeParse(cursor: BodyCursor): TypedFrontendMessage {
  const statementName = cursor.readCString();
  const sql = cursor.readCString();
  const count = cursor.readUint16();
  requireRoom(cursor, count, 4);
  const parameterTypeOids = new Array<number>(count);
  for (let i = 0; i < count; i++) parameterTypeOids[i] = cursor.readUint32();
  return { kind: 'Parse', statementName, sql, parameterTypeOids };
}

function decodeBind(cursor: BodyCursor): TypedFrontendMessage {
  const portalName = cursor.readCString();
  const statementName = cursor.readCString();
  const parameterFormatCodes = readFormatCodes(cursor);
  const count = cursor.readUint16();
  if (parameterFormatCodes.length > 1 && parameterFormatCodes.length !== count) {
    throw new ProtocolViolationError(`bind message has ${parameterFormatCodes.length} parameter formats but ${count} parameters`);
  }
  requireRoom(cursor, count, 4);
  const parameters = new Array<Uint8Array | null>(count);
  for (let i = 0; i < count; i++) {
    const length = cursor.readInt32();
    // -1 is NULL; any other negative length is a malformed message (PostgreSQL: "insufficient data").
    if (length === -1) parameters[i] = null;
    else if (length < 0) throw new ProtocolViolationError('invalid message format', `parameter ${i + 1} has length ${length}`);
    else parameters[i] = cursor.readBytes(length);
  }
  const resultFormatCodes = readFormatCodes(cursor);
  return { kind: 'Bind', portalName, statementName, parameterFormatCodes, parameters, resultFormatCodes };
}

function readFormatCodes(cursor: BodyCursor): readonly number[] {
  const count = cursor.readUint16();
  requireRoom(cursor, count, 2);
  const codes = new Array<number>(count);
  for (let i = 0; i < count; i++) codes[i] = cursor.readInt16();
  return codes;
}

function readTarget(cursor: BodyCursor, what: 'DESCRIBE' | 'CLOSE'): StatementOrPortal {
  const subtype = cursor.readUint8();
  if (subtype === code('S')) return 'statement';
  if (subtype === code('P')) return 'portal';
  throw new ProtocolViolationError(`invalid ${what} message subtype ${subtype}`);
}

/**
 * Refuses a count the body cannot hold before allocating an array for it, so a forged count costs
 * nothing (each element takes at least `bytesEach` bytes).
 */
function requireRoom(cursor: BodyCursor, count: number, bytesEach: number): void {
  if (count * bytesEach > cursor.remainingBytes) throw new ProtocolViolationError('insufficient data left in message');
}

function code(typeChar: string): number {
  return typeChar.charCodeAt(0);
}
