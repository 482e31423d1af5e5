/**
 * What a client sends, decoded: one readonly, `kind`-tagged variant per PostgreSQL frontend
 * message, named as the protocol documentation names it ("Message Formats", protocol 3.0).
 *
 * Byte fields (`Bind` parameters, `CopyData` data, the raw `AuthenticationResponse`) are views
 * into the bytes the reader was given, not copies: they stay valid and unchanged for as long as
 * the caller keeps them (the reader never writes over bytes it has handed out), and the caller
 * must not modify them.
 */

/** The untyped packets of the startup phase (no type byte; the length comes first). */
export type StartupPhaseMessage = StartupMessage | SslRequest | GssEncRequest | CancelRequest;

/** The typed messages that follow a StartupMessage. */
export type TypedFrontendMessage =
  | Query
  | Parse
  | Bind
  | Describe
  | Execute
  | Sync
  | Flush
  | Close
  | Terminate
  | CopyData
  | CopyDone
  | CopyFail
  | AuthenticationResponse;

export type FrontendMessage = StartupPhaseMessage | TypedFrontendMessage;
export type FrontendMessageKind = FrontendMessage['kind'];

/**
 * Opens a session. Protocol 3.x: the reader refuses any other major version; a minor version
 * above 0 (or `_pq_.` options among the parameters) is the session's to answer with
 * NegotiateProtocolVersion.
 */
export interface StartupMessage {
  readonly kind: 'StartupMessage';
  readonly protocolMajorVersion: number;
  readonly protocolMinorVersion: number;
  /** Name → value in the order sent (`user`, `database`, `options`, `application_name`, GUCs). */
  readonly parameters: ReadonlyMap<string, string>;
}

/** Asks for TLS; the server answers one byte, 'S' or 'N' (BackendMessageWriter.sslRequestAnswer). */
export interface SslRequest {
  readonly kind: 'SSLRequest';
}

/** Asks for GSSAPI encryption; the server answers one byte, 'G' or 'N'. */
export interface GssEncRequest {
  readonly kind: 'GSSENCRequest';
}

/** Sent on a new connection to cancel the query running on another one; no answer is sent. */
export interface CancelRequest {
  readonly kind: 'CancelRequest';
  readonly processId: number;
  readonly secretKey: number;
}

/** Simple query: one string, possibly several statements separated by semicolons. */
export interface Query {
  readonly kind: 'Query';
  readonly sql: string;
}

/** Extended query: prepare `sql` as `statementName` ('' = the unnamed statement). */
export interface Parse {
  readonly kind: 'Parse';
  readonly statementName: string;
  readonly sql: string;
  /** One per parameter the client chose to specify; 0 leaves a parameter's type unspecified. */
  readonly parameterTypeOids: readonly number[];
}

/** Extended query: bind parameters to a prepared statement, making portal `portalName`. */
export interface Bind {
  readonly kind: 'Bind';
  readonly portalName: string;
  readonly statementName: string;
  /**
   * 0 codes: every parameter is text; 1 code: it applies to every parameter; otherwise one per
   * parameter (the reader checks that count). Values are as sent: 0 text, 1 binary, anything
   * else is the session's to reject.
   */
  readonly parameterFormatCodes: readonly number[];
  /** Each parameter's bytes, or null for SQL NULL (sent as length -1). */
  readonly parameters: readonly (Uint8Array | null)[];
  /** The same convention as `parameterFormatCodes`, for the result columns. */
  readonly resultFormatCodes: readonly number[];
}

/** Which kind of object Describe and Close name: 'S' a prepared statement, 'P' a portal. */
export type StatementOrPortal = 'statement' | 'portal';

export interface Describe {
  readonly kind: 'Describe';
  readonly target: StatementOrPortal;
  readonly name: string;
}

/** Run a portal; `rowsMax` 0 (or negative) means no limit, else PortalSuspended after that many. */
export interface Execute {
  readonly kind: 'Execute';
  readonly portalName: string;
  readonly rowsMax: number;
}

/** Ends an extended-query cycle: commit an implicit transaction, then ReadyForQuery. */
export interface Sync {
  readonly kind: 'Sync';
}

/** Asks the server to send what it has buffered, without ending the cycle. */
export interface Flush {
  readonly kind: 'Flush';
}

export interface Close {
  readonly kind: 'Close';
  readonly target: StatementOrPortal;
  readonly name: string;
}

/** The client is closing the connection; the reader accepts nothing after it. */
export interface Terminate {
  readonly kind: 'Terminate';
}

/** COPY FROM STDIN data: arbitrary bytes, not aligned to rows. */
export interface CopyData {
  readonly kind: 'CopyData';
  readonly data: Uint8Array;
}

export interface CopyDone {
  readonly kind: 'CopyDone';
}

/** The client aborts COPY FROM STDIN with this reason. */
export interface CopyFail {
  readonly kind: 'CopyFail';
  readonly reason: string;
}

/**
 * The 'p' message. Its layout depends on what the server last asked for, which only the session
 * knows: PasswordMessage (cleartext or MD5, a C string), SASLInitialResponse, or SASLResponse.
 * The reader hands over the body; `authentication-response.ts` parses each variant.
 */
export interface AuthenticationResponse {
  readonly kind: 'AuthenticationResponse';
  readonly body: Uint8Array;
}
