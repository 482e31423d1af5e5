/**
 * # sql/pgwire — the PostgreSQL wire protocol (v3.0), as a sans-I/O codec
 *
 * Clients (psql, node-postgres, postgres.js, JDBC, psycopg) reach rangedb through PostgreSQL's
 * frontend/backend protocol. This folder turns bytes into messages and messages into bytes, and
 * nothing else: no sockets, no timers, no `await`. The listener that reads the socket and the
 * session that acts on messages live elsewhere and drive it:
 *
 * ```
 *  socket ──chunks──► FrontendMessageReader.push / next ──► FrontendMessage (kind-tagged) ──► session
 *  socket ◄─one write per batch── BackendMessageWriter.flush ◄── writer.readyForQuery(…) … ◄──┘
 * ```
 *
 * ## Phases of a connection
 *
 * ```
 *  startup ─┬─ SSLRequest ──► 'S' (TLS handshake) or 'N' ──► startup again (now maybe encrypted)
 *           ├─ GSSENCRequest ──► 'G' or 'N' ──► startup again
 *           ├─ CancelRequest(pid, secret) ──► connection closes; the matching session's query stops
 *           └─ StartupMessage(3.0, user, database, …)
 *                 │
 *  authentication │  R(SASL: SCRAM-SHA-256) ◄► p(SASLInitialResponse) ◄► R(SASLContinue)
 *                 │  ◄► p(SASLResponse) ◄► R(SASLFinal)   — or cleartext / MD5 password
 *                 ▼
 *                 R(Ok), S(ParameterStatus)…, K(BackendKeyData), Z(ReadyForQuery 'I')
 *                 │
 *  messages       ▼  simple or extended query cycles, COPY, until X(Terminate)
 * ```
 *
 * Startup packets carry no type byte (`int32 length, int32 code, …`); every later message is
 * `byte type, int32 length (counting itself), body`.
 *
 * ## Simple query
 *
 * ```
 *  Q "select 1; select 2"  ─►  T(RowDescription) D(DataRow)… C("SELECT 1")
 *                               T D… C("SELECT 1")   — one result per statement
 *                               Z('I' | 'T' | 'E')   — once, at the end
 *  (an error: E(ErrorResponse), the rest of the string skipped, then Z)
 *  (an empty string: I(EmptyQueryResponse), Z)
 * ```
 *
 * ## Extended query
 *
 * ```
 *  P(Parse name, sql, types)  ─► 1(ParseComplete)
 *  B(Bind portal, stmt, params, formats) ─► 2(BindComplete)
 *  D(Describe 'S'|'P')        ─► t(ParameterDescription) + T(RowDescription) | n(NoData)
 *  E(Execute portal, rowsMax) ─► D(DataRow)… then C(CommandComplete) | s(PortalSuspended)
 *  C(Close 'S'|'P')           ─► 3(CloseComplete)
 *  H(Flush)                   ─► send what is buffered
 *  S(Sync)                    ─► Z(ReadyForQuery); after an error every message up to Sync is skipped
 * ```
 *
 * Clients pipeline a whole Parse/Bind/Describe/Execute/Sync batch in one write, and the writer
 * answers a whole batch in one write: both sides of the codec are built for batches.
 *
 * ## What is here
 *
 * - `reader.ts`: `FrontendMessageReader`, the frontend decoder — chunk buffering (zero-copy when
 *   a chunk holds whole messages), framing, per-type length limits, and the startup phase;
 *   `startup-decoder.ts` and `frontend-decoders.ts` decode bodies over `body-cursor.ts`.
 *   `frontend-messages.ts` is the output union. Everything malformed is a
 *   `ProtocolViolationError` (08P01, `errors.ts`) and poisons the reader.
 * - `authentication-response.ts`: the three readings of the 'p' message.
 * - `writer.ts`: `BackendMessageWriter`, every backend message the server sends, over
 *   `message-builder.ts` (a growing buffer with back-filled lengths; `backend-messages.ts` holds
 *   the value types such as `ErrorFields` and `RowDescriptionField`).
 * - `scram.ts`: SCRAM-SHA-256 server side and PostgreSQL's verifier format.
 *
 * ## What is not here (yet)
 *
 * - The connection state machine (auth flow, skip-until-Sync after an error, portals and
 *   prepared statements, COPY mode): `sql/session/connection.ts`, over this codec.
 * - Type encodings of values (text and binary formats per OID) — `sql/types`.
 * - FunctionCall ('F', the fast-path interface) is refused as an unknown message type;
 *   GSSAPI/SSPI authentication, SCRAM-SHA-256-PLUS (channel binding) and protocol 3.2's longer
 *   cancel keys are not offered.
 * - Text is decoded as UTF-8 without validation (invalid sequences become U+FFFD); PostgreSQL
 *   refuses them with 22021. Body errors (a bad Bind) close the connection here, whereas
 *   PostgreSQL, whose framing is still intact at that point, answers ERROR and goes on.
 */
export { ProtocolViolationError } from './errors.js';
export type * from './frontend-messages.js';
export { FrontendMessageReader, type FrontendReaderPhase } from './reader.js';
export { cancelRequestCode, gssEncRequestCode, protocolVersion30, sslRequestCode } from './startup-decoder.js';
export { parsePasswordMessage, parseSaslInitialResponse, parseSaslResponse, type SaslInitialResponse } from './authentication-response.js';
export type { ErrorFields, FormatCode, RowDescriptionField, Severity, TransactionStatus } from './backend-messages.js';
export { binaryFormat, textFormat } from './backend-messages.js';
export { BackendMessageWriter } from './writer.js';
export {
  makeScramVerifier,
  parseClientFirstMessage,
  parseScramVerifier,
  saslPrep,
  scramIterationsDefault,
  scramMechanism,
  scramNonceFromRandomBytes,
  scramRawNonceBytes,
  scramSaltBytes,
  ScramServerExchange,
  type ScramClientFirstMessage,
  type ScramResult,
  type ScramVerifier,
} from './scram.js';
