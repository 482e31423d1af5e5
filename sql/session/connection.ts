/**
 * `Connection`: the pgwire connection state machine between the codec (sql/pgwire) and the
 * session. Bytes in (`receive`), backend messages out (through `ConnectionIo.write`, one write
 * per flush); no sockets here — the listener (src/node/sql-server.ts) owns the socket.
 *
 * ```
 *  startup ──SSLRequest──► 'S' + TLS handshake (io.startTls) when configured, else 'N' ──► startup
 *     │     GSSENCRequest ──► 'N' ──► startup
 *     │     (TLS required and the StartupMessage came in the clear: 28000 FATAL)
 *     │ StartupMessage (3.0)            CancelRequest ──► onCancel(pid, secret), close
 *     ▼
 *  authenticating ── trust: AuthenticationOk
 *     │             └ SCRAM-SHA-256: SASL ► SASLContinue ► SASLFinal ► Ok (28P01 on a bad proof)
 *     ▼ ParameterStatus…, BackendKeyData, ReadyForQuery('I')
 *  ready ── Query ─────────────► per statement: RowDescription, DataRow…, CommandComplete; Z
 *     │    Parse/Bind/Describe/Execute/Close/Flush/Sync (after an error: skip to Sync)
 *     │    COPY FROM STDIN ──► copyIn ── CopyData… CopyDone ──► CommandComplete ──► ready
 *     ▼ Terminate / protocol violation (08P01 FATAL)
 *  closed
 * ```
 *
 * Contract: `receive` calls must not overlap (the listener awaits each before reading more,
 * which is also its back-pressure). Errors a client causes are answered, never thrown; an
 * internal failure (a bug) answers XX000, closes this connection and is reported through
 * `onInternalError` — the server stays up for everyone else.
 */
import { AssertionError } from '../../src/base/assert.js';
import { RangedbError } from '../../src/base/errors.js';
import { limits } from '../../src/base/limits.js';
import type { RandomSource } from '../../src/env/env.js';
import type { ErrorFields, FormatCode, Severity } from '../pgwire/backend-messages.js';
import { ProtocolViolationError } from '../pgwire/errors.js';
import type { Bind, Describe, Execute, FrontendMessage, Parse, StartupMessage } from '../pgwire/frontend-messages.js';
import { FrontendMessageReader } from '../pgwire/reader.js';
import { BackendMessageWriter } from '../pgwire/writer.js';
import { parseSaslInitialResponse, parseSaslResponse } from '../pgwire/authentication-response.js';
import { ScramServerExchange, scramMechanism, scramNonceFromRandomBytes, scramRawNonceBytes, type ScramVerifier } from '../pgwire/scram.js';
import type { Statement } from '../parser/ast.js';
import { typeOfOid, type SqlType } from '../types/sql-type.js';
import type { Datum } from '../types/datum.js';
import type { TextContext } from '../types/text-io.js';
import type { Notice, ResultColumn } from '../exec/contract.js';
import { SessionError } from './errors.js';
import { Session, type ExecuteOutcome, type Portal, type RowSink, type SessionDeps } from './session.js';
import { encodeField, rowDescriptionFields } from './wire-format.js';
import { RowDescriptions } from './row-descriptions.js';

/** How a user proves who they are. */
export type AuthenticationMethod =
  | { readonly kind: 'trust' }
  | { readonly kind: 'scram'; readonly verifier: ScramVerifier }
  | { readonly kind: 'reject'; readonly sqlState: string; readonly message: string };

export interface ConnectionDeps {
  readonly session: SessionDeps;
  readonly random: RandomSource;
  /** Decides, per user and database, how the client authenticates. */
  authenticate(user: string, database: string): AuthenticationMethod;
  /** A CancelRequest arrived on this connection for another one. */
  onCancel(processId: number, secretKey: number): void;
  /** A bug surfaced while serving this client; the connection is closed. */
  onInternalError(error: unknown): void;
  /** The default of `strict_serializable` for new sessions. */
  readonly strictSerializable?: boolean;
  /**
   * TLS is configured: SSLRequest is answered 'S' and the socket upgraded (`ConnectionIo.startTls`).
   * `required`: a StartupMessage sent in the clear is refused (28000).
   */
  readonly tls?: { readonly required: boolean };
}

export interface ConnectionIo {
  /** Writes bytes to the client; may resolve later (back-pressure). */
  write(bytes: Uint8Array): Promise<void> | void;
  /** Ends the connection (after what was written). */
  close(): void;
  /**
   * After 'S' was written: the server side of a TLS handshake takes over the socket; the bytes
   * `receive` gets from then on are the decrypted ones, and `write` encrypts. Needed with `tls`.
   */
  startTls?(): Promise<void>;
}

type Phase =
  | { readonly kind: 'startup' }
  | { readonly kind: 'scramFirst'; readonly exchange: ScramServerExchange; readonly startup: StartupMessage }
  | { readonly kind: 'scramFinal'; readonly exchange: ScramServerExchange; readonly startup: StartupMessage }
  | { readonly kind: 'ready' }
  | { readonly kind: 'copyIn'; readonly resume: PendingQuery | undefined }
  | { readonly kind: 'closed' };

/** An Execute of the open extended-query batch, to run again if the batch is retried. */
interface BatchExecute {
  readonly portal: Portal;
  readonly rowsMax: number;
  /** Where its output sits in `Connection.held`. */
  readonly heldIndex: number;
  /** A simple Query's statement: its output starts with RowDescription. */
  readonly describe: boolean;
}

/** A retried batch's statements answered more than the connection holds back: give up on the retry. */
class ReplayOverflowError extends Error {}

/** The statements of a simple Query still to run after a COPY FROM STDIN. */
interface PendingQuery {
  readonly statements: readonly Statement[];
  readonly next: number;
}

export class Connection {
  private readonly reader = new FrontendMessageReader();
  private readonly writer = new BackendMessageWriter();
  private readonly rowDescriptions = new RowDescriptions();
  private phase: Phase = { kind: 'startup' };
  private sessionValue: Session | undefined;
  /** After an error in an extended-query cycle, messages are skipped until Sync. */
  private skippingUntilSync = false;
  /** The socket was upgraded to TLS (SSLRequest answered 'S'). */
  private encrypted = false;
  /**
   * Output taken from the writer and not yet written to the socket, one piece per step of the
   * extended-query batch, so that a retried batch can replace what its Executes answered
   * (CockroachDB's rewindable result buffer). Written out, in order, by the next flush.
   */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  /** The open batch's Executes, in order (retried batches run them again). */
  private batchExecutes: BatchExecute[] = [];
  /**
   * Whether the open batch may still be retried by the server: nothing of it reached the client
   * and every statement in it can run again.
   */
  private batchRetryable = true;
  /** A retried batch's Executes are running again: output stays held. */
  private replaying = false;
  readonly processId: number;
  readonly secretKey: number;

  constructor(
    private readonly deps: ConnectionDeps,
    private readonly io: ConnectionIo,
  ) {
    this.processId = 1 + deps.random.int(0x7fff_fffe);
    this.secretKey = deps.random.uint32() | 0;
  }

  get session(): Session | undefined {
    return this.sessionValue;
  }

  get isClosed(): boolean {
    return this.phase.kind === 'closed';
  }

  /** Bytes from the client; resolves once every complete message in them was handled. */
  async receive(chunk: Uint8Array): Promise<void> {
    if (this.phase.kind === 'closed') return;
    try {
      this.reader.push(chunk);
      for (let message = this.reader.next(); message !== undefined; message = this.reader.next()) {
        // Bind and Describe are handled without a promise (`extendedSync`): nothing to await.
        const handling = this.handle(message);
        if (handling !== undefined) await handling;
        if (this.isClosed) return; // re-read after the await: Terminate or a FATAL closed it
      }
    } catch (error) {
      await this.failConnection(error);
    }
  }

  /** The socket closed (or the server is stopping): roll back and forget the session. */
  async close(): Promise<void> {
    this.phase = { kind: 'closed' };
    const session = this.sessionValue;
    this.sessionValue = undefined;
    if (session !== undefined) await session.close();
  }

  /** The server is shutting down: tell the client, then close (57P01 admin_shutdown). */
  async shutdown(): Promise<void> {
    if (this.phase.kind === 'closed') return;
    this.writer.errorResponse({ severity: 'FATAL', sqlState: '57P01', message: 'terminating connection due to administrator command' });
    await this.flush();
    this.io.close();
    await this.close();
  }

  /** Refuses a connection before startup (too many clients: 53300). */
  async refuse(sqlState: string, message: string): Promise<void> {
    this.writer.errorResponse({ severity: 'FATAL', sqlState, message });
    await this.flush();
    this.io.close();
    this.phase = { kind: 'closed' };
  }

  private handle(message: FrontendMessage): Promise<void> | undefined {
    const phase = this.phase;
    switch (phase.kind) {
      case 'startup':
        return this.handleStartupPhase(message);
      case 'scramFirst':
      case 'scramFinal':
        return this.handleScram(phase, message);
      case 'ready':
        return this.handleReady(message);
      case 'copyIn':
        return this.handleCopyIn(phase.resume, message);
      case 'closed':
        return undefined;
    }
  }

  // ───────────────────────────── startup and authentication ─────────────────────────────

  private async handleStartupPhase(message: FrontendMessage): Promise<void> {
    switch (message.kind) {
      case 'SSLRequest': {
        // The reader refuses a second SSLRequest and plaintext sent behind one (CVE-2021-23214).
        const startTls = this.deps.tls === undefined ? undefined : this.io.startTls;
        this.writer.sslRequestAnswer(startTls !== undefined);
        await this.flush();
        if (startTls === undefined) return;
        await startTls.call(this.io);
        this.encrypted = true;
        return;
      }
      case 'GSSENCRequest':
        this.writer.gssEncRequestAnswer(false);
        return this.flush();
      case 'CancelRequest':
        this.deps.onCancel(message.processId, message.secretKey);
        this.io.close();
        this.phase = { kind: 'closed' };
        return;
      case 'StartupMessage':
        return this.startup(message);
      default:
        throw new ProtocolViolationError(`unexpected message ${message.kind} during startup`);
    }
  }

  private async startup(message: StartupMessage): Promise<void> {
    if (message.protocolMajorVersion !== 3) {
      throw new SessionError('0A000', `unsupported frontend protocol ${message.protocolMajorVersion}.${message.protocolMinorVersion}: server supports 3.0 to 3.0`);
    }
    const options = [...message.parameters.keys()].filter((name) => name.startsWith('_pq_.'));
    if (message.protocolMinorVersion > 0 || options.length > 0) this.writer.negotiateProtocolVersion(0, options);
    const user = message.parameters.get('user');
    if (user === undefined || user === '') return this.fatal({ severity: 'FATAL', sqlState: '28000', message: 'no PostgreSQL user name specified in startup packet' });
    if (this.deps.tls?.required === true && !this.encrypted) {
      // PostgreSQL's wording for a pg_hba.conf that has only hostssl lines (28000).
      return this.fatal({
        severity: 'FATAL',
        sqlState: '28000',
        message: `no pg_hba.conf entry for user "${user}", database "${message.parameters.get('database') ?? 'defaultdb'}", no encryption`,
        hint: 'This server accepts SQL connections over TLS only: connect with sslmode=require (or verify-ca, verify-full).',
      });
    }
    const database = message.parameters.get('database') ?? 'defaultdb';
    const method = this.deps.authenticate(user, database);
    switch (method.kind) {
      case 'trust':
        return this.authenticated(message);
      case 'reject':
        return this.fatal({ severity: 'FATAL', sqlState: method.sqlState, message: method.message });
      case 'scram': {
        const nonce = scramNonceFromRandomBytes(this.deps.random.bytes(scramRawNonceBytes));
        this.phase = { kind: 'scramFirst', exchange: new ScramServerExchange(method.verifier, nonce), startup: message };
        this.writer.authenticationSasl([scramMechanism]);
        return this.flush();
      }
    }
  }

  private async handleScram(phase: Extract<Phase, { kind: 'scramFirst' | 'scramFinal' }>, message: FrontendMessage): Promise<void> {
    if (message.kind !== 'AuthenticationResponse') throw new ProtocolViolationError(`expected SASL response, got message type ${message.kind}`);
    const user = phase.startup.parameters.get('user')!;
    if (phase.kind === 'scramFirst') {
      const initial = parseSaslInitialResponse(message);
      if (initial.mechanism !== scramMechanism) throw new ProtocolViolationError('client selected an invalid SASL authentication mechanism');
      if (initial.initialResponse === null) throw new ProtocolViolationError('malformed SCRAM message', 'the initial response is missing');
      this.writer.authenticationSaslContinue(phase.exchange.receiveClientFirst(initial.initialResponse));
      this.phase = { kind: 'scramFinal', exchange: phase.exchange, startup: phase.startup };
      return this.flush();
    }
    const result = phase.exchange.receiveClientFinal(parseSaslResponse(message));
    if (result.kind === 'failed') return this.fatal({ severity: 'FATAL', sqlState: '28P01', message: `password authentication failed for user "${user}"` });
    this.writer.authenticationSaslFinal(result.serverFinalMessage);
    return this.authenticated(phase.startup);
  }

  private async authenticated(startup: StartupMessage): Promise<void> {
    const user = startup.parameters.get('user')!;
    const session = new Session(
      this.deps.session,
      { user, database: startup.parameters.get('database') ?? 'defaultdb', isSuperuser: user === 'root', strictSerializable: this.deps.strictSerializable ?? false },
      {
        notice: (notice) => this.notice(notice),
        // During startup the whole reported set goes out after AuthenticationOk instead.
        parameterStatus: (name, value) => {
          if (this.sessionValue !== undefined) this.writer.parameterStatus(name, value);
        },
      },
    );
    try {
      session.applyStartupParameters(startup.parameters);
    } catch (error) {
      return this.fatal({ ...errorFields(error), severity: 'FATAL' });
    }
    this.sessionValue = session;
    this.writer.authenticationOk();
    for (const { name, value } of session.variables.reported()) this.writer.parameterStatus(name, value);
    this.writer.backendKeyData(this.processId, this.secretKey);
    this.writer.readyForQuery('I');
    this.phase = { kind: 'ready' };
    return this.flush();
  }

  // ───────────────────────────── ready: simple and extended query ─────────────────────────────

  private handleReady(message: FrontendMessage): Promise<void> | undefined {
    const session = this.sessionValue!;
    if (this.skippingUntilSync && message.kind !== 'Sync' && message.kind !== 'Terminate') return undefined;
    switch (message.kind) {
      case 'Query':
        return this.simpleQuery(session, message.sql);
      case 'Parse':
        return this.extended(session, () => this.parseMessage(session, message));
      case 'Bind':
        return this.extendedSync(session, () => this.bindMessage(session, message));
      case 'Describe':
        return this.extendedSync(session, () => this.describeMessage(session, message));
      case 'Execute':
        return this.extended(session, () => this.executeMessage(session, message));
      case 'Close':
        return this.extended(session, async () => {
          if (message.target === 'statement') session.closeStatement(message.name);
          else session.closePortal(message.name);
          this.writer.closeComplete();
        });
      case 'Flush':
        return this.flush();
      case 'Sync':
        return this.sync(session);
      case 'Terminate':
        this.io.close();
        return this.close();
      case 'CopyData':
      case 'CopyDone':
      case 'CopyFail':
        return undefined; // PostgreSQL ignores COPY messages outside COPY (the tail of a failed COPY)
      default:
        throw new ProtocolViolationError(`unexpected message ${message.kind}`);
    }
  }

  private async simpleQuery(session: Session, sql: string): Promise<void> {
    let statements: Statement[];
    try {
      // A Query ends an extended-query cycle left without Sync (PostgreSQL commits it too).
      const failure = await this.endBatch(session);
      if (failure !== undefined) throw failure;
      statements = session.parse(sql);
    } catch (error) {
      this.error(error);
      return this.readyForQuery(session);
    }
    if (statements.length === 0) {
      this.writer.emptyQueryResponse();
      return this.readyForQuery(session);
    }
    return this.runStatements(session, { statements, next: 0 });
  }

  /**
   * Runs a simple Query's statements from `pending.next`; stops at an error or a COPY FROM.
   * Several statements run in one implicit transaction, committed after the last (PostgreSQL's
   * implicit transaction block): the extended protocol's batch, with its retries. A lone
   * statement runs in its own, retried by the session.
   */
  private async runStatements(session: Session, pending: PendingQuery): Promise<void> {
    const several = pending.statements.length > 1;
    for (let i = pending.next; i < pending.statements.length; i++) {
      const statement = pending.statements[i]!;
      if (several && session.transactionPhase === 'idle') this.hold(this.writer.flush());
      let copyIn: Extract<ExecuteOutcome, { kind: 'copyIn' }> | undefined;
      const failure = await this.withBatchRetry(session, async () => {
        const prepared = await session.prepareUnnamed(statement, false);
        const portal = session.openPortal('', prepared, []);
        copyIn = several ? await this.executeInBatch(session, portal, 0, true) : await this.runExecute(session, portal, 0, true, 'own');
      });
      if (failure !== undefined) {
        this.error(failure);
        return this.endQuery(session);
      }
      if (copyIn !== undefined) {
        this.beginCopyIn(copyIn, { statements: pending.statements, next: i + 1 });
        return this.flush();
      }
    }
    if (several) {
      const failure = await this.endBatch(session);
      if (failure !== undefined) this.error(failure);
    }
    return this.endQuery(session);
  }

  /** ReadyForQuery after a simple Query; the batch's journal starts afresh. */
  private async endQuery(session: Session): Promise<void> {
    this.batchExecutes = [];
    this.batchRetryable = true;
    return this.readyForQuery(session);
  }

  /** One extended-query message; an error ends the batch's transaction and skips to Sync. */
  private async extended(session: Session, step: () => Promise<unknown>): Promise<void> {
    // The step's output apart from the batch's earlier output: a retry discards it alone.
    if (session.transactionPhase === 'idle') this.hold(this.writer.flush());
    let failure: unknown;
    try {
      // `withBatchRetry`, inline up to its first failure: one async frame less on every Execute's way.
      await step();
      return;
    } catch (error) {
      failure = await this.retryBatch(session, step, error);
    }
    if (failure === undefined) return;
    this.error(failure);
    this.skippingUntilSync = true;
  }

  /**
   * `extended` for a step that does no I/O and cannot meet a retryable error (Bind, Describe:
   * half the messages of a prepared statement's cycle): run at once, with no promise on the way,
   * when it succeeds. A failure takes `extended`'s path with the error it met — not by running
   * the step again: a failed Bind has already failed an explicit block (`Session.bind`), so a
   * second run would report the failed block (25P02) instead of its own error.
   */
  private extendedSync(session: Session, step: () => void): Promise<void> | undefined {
    if (session.transactionPhase === 'idle') this.hold(this.writer.flush());
    try {
      step();
      return undefined;
    } catch (error) {
      return this.extended(session, () => Promise.reject(error));
    }
  }

  /**
   * Runs `step` of the open batch (or its commit). On an error the batch is restarted and its
   * Executes run again before `step` is tried again — server-side retry of an implicit
   * transaction — while nothing of the batch reached the client and every statement in it can
   * run again (`batchRetryable`). Otherwise the batch's transaction is rolled back and the first
   * error returned (the client sees the first attempt's results, then that error).
   */
  private async withBatchRetry(session: Session, step: () => Promise<unknown>): Promise<unknown> {
    try {
      await step();
      return undefined;
    } catch (error) {
      return this.retryBatch(session, step, error);
    }
  }

  /** `withBatchRetry` once `step`'s first attempt failed with `error`. */
  private async retryBatch(session: Session, step: () => Promise<unknown>, error: unknown): Promise<unknown> {
    if (error instanceof ProtocolViolationError) throw error;
    const firstError = error;
    let firstHeld: Uint8Array[] | undefined;
    for (let attempt = 1; ; attempt++) {
      // `error`: what attempt number `attempt` met.
      for (;;) {
        if (!this.batchRetryable || !(await session.restartBatch(error, attempt))) {
          if (firstHeld !== undefined) {
            this.writer.flush(); // a later attempt's partial output
            this.setHeld(firstHeld);
          }
          await session.abortBatch(error);
          return firstError;
        }
        firstHeld ??= this.held.slice();
        this.writer.flush(); // the failed attempt's partial output
        const replayError = await this.replayBatch(session);
        if (replayError === undefined) break;
        attempt += 1;
        error = replayError;
      }
      try {
        await step();
        return undefined;
      } catch (caught) {
        if (caught instanceof ProtocolViolationError) throw caught;
        error = caught;
      }
    }
  }

  /** Runs the batch's Executes again in its restarted transaction; their output replaces the old. */
  private async replayBatch(session: Session): Promise<unknown> {
    this.replaying = true;
    try {
      for (const replay of this.batchExecutes) {
        replay.portal.execution = undefined;
        replay.portal.done = false;
        try {
          await this.runExecute(session, replay.portal, replay.rowsMax, replay.describe, 'batch');
        } catch (error) {
          this.writer.flush();
          return error;
        }
        const output = this.writer.flush();
        this.heldBytes += output.length - this.held[replay.heldIndex]!.length;
        this.held[replay.heldIndex] = output;
      }
      return undefined;
    } finally {
      this.replaying = false;
    }
  }

  /** Commits the open batch (Sync, or a Query after an unsynced cycle); the error if it failed. */
  private async endBatch(session: Session): Promise<unknown> {
    const failure = await this.withBatchRetry(session, () => session.sync());
    this.batchExecutes = [];
    this.batchRetryable = true;
    return failure;
  }

  private async parseMessage(session: Session, message: Parse): Promise<void> {
    const statements = session.parse(message.sql);
    if (statements.length > 1) throw new SessionError('42601', 'cannot insert multiple commands into a prepared statement');
    const hints: (SqlType | undefined)[] = message.parameterTypeOids.map((oid) => {
      if (oid === 0) return undefined;
      const type = typeOfOid(oid);
      if (type === undefined) throw new SessionError('42704', `type with OID ${oid} does not exist`);
      return type;
    });
    if (message.statementName === '') session.closeStatement('');
    await session.prepare(message.statementName, statements[0], hints);
    this.writer.parseComplete();
  }

  private bindMessage(session: Session, message: Bind): void {
    const statement = session.statement(message.statementName);
    if (message.portalName === '') session.closePortal('');
    session.bind(message.portalName, statement, message.parameters, message.parameterFormatCodes, message.resultFormatCodes);
    this.writer.bindComplete();
  }

  private describeMessage(session: Session, message: Describe): void {
    if (message.target === 'statement') {
      const statement = session.statement(message.name);
      this.writer.parameterDescription(statement.paramTypes.map((type) => type.oid));
      if (statement.columns === undefined) this.writer.noData();
      else this.writer.rowDescription(rowDescriptionFields(statement.columns, []));
      return;
    }
    const portal = session.portal(message.name);
    const columns = portal.statement.columns;
    if (columns === undefined) this.writer.noData();
    else this.writer.encodedMessages(this.rowDescriptions.bytes(columns, portal.resultFormats));
  }

  /** Not an async function: `executeInBatch` begins a COPY FROM STDIN itself (`copyInNow`), one frame less on every Execute's way. */
  private executeMessage(session: Session, message: Execute): Promise<unknown> {
    const portal = session.portal(message.portalName);
    return this.executeInBatch(session, portal, Math.max(0, message.rowsMax), false, true);
  }

  /**
   * Runs `portal` as a statement of the batch (an Execute, or one of a simple Query's several
   * statements) and journals it, so a retry of the batch can run it again. A COPY FROM STDIN that
   * now waits is returned — or, with `copyInNow` (an Execute), begun here.
   */
  private async executeInBatch(session: Session, portal: Portal, rowsMax: number, describe: boolean, copyInNow = false): Promise<Extract<ExecuteOutcome, { kind: 'copyIn' }> | undefined> {
    const inBatch = session.transactionPhase === 'idle';
    if (inBatch) {
      if (!session.batchOpen) {
        // A new batch (the first statement since Sync, or after a COMMIT ended the last one).
        this.batchExecutes = [];
        this.batchRetryable = true;
      }
      // Transaction control, PREPARE, COPY … cannot run twice: the batch is no longer retried.
      if (!session.isReplayable(portal)) this.batchRetryable = false;
    }
    // `runExecute`, inline: one async frame less on every Execute's way.
    const outcome = await session.execute(portal, rowsMax, this.rowSink(session, portal, describe), 'batch');
    let copyIn: Extract<ExecuteOutcome, { kind: 'copyIn' }> | undefined;
    if (outcome.kind === 'copyIn') copyIn = outcome;
    else this.finishOutcome(outcome, portal);
    if (inBatch && session.batchOpen && this.batchRetryable) {
      this.batchExecutes.push({ portal, rowsMax, heldIndex: this.held.length, describe });
      this.hold(this.writer.flush());
    }
    // Many statements without rows (a long script in one Query) must not pile up output either.
    if (copyIn === undefined) {
      const flushing = this.flushIfFull();
      if (flushing !== undefined) await flushing;
    } else if (copyInNow) {
      this.beginCopyIn(copyIn, undefined);
      return undefined;
    }
    return copyIn;
  }

  /** Executes `portal` and writes how it ended; a COPY FROM STDIN that now waits is returned. */
  private async runExecute(
    session: Session,
    portal: Portal,
    rowsMax: number,
    describe: boolean,
    transaction: 'own' | 'batch',
  ): Promise<Extract<ExecuteOutcome, { kind: 'copyIn' }> | undefined> {
    const outcome = await session.execute(portal, rowsMax, this.rowSink(session, portal, describe), transaction);
    if (outcome.kind === 'copyIn') return outcome;
    this.finishOutcome(outcome, portal);
    return undefined;
  }

  private sync(session: Session): Promise<void> | undefined {
    this.skippingUntilSync = false;
    // A batch that commits with nothing to send (a read-only one: every select-only cycle) ends
    // here without a promise — `endBatch`'s retry wrapper, the session's and the transaction's
    // commits were seven async frames that never waited for anything.
    if (session.syncNow()) {
      this.batchExecutes = [];
      this.batchRetryable = true;
      return this.readyForQuery(session);
    }
    return this.syncAfterCommit(session);
  }

  private async syncAfterCommit(session: Session): Promise<void> {
    const failure = await this.endBatch(session);
    if (failure !== undefined) this.error(failure);
    return this.readyForQuery(session);
  }

  private finishOutcome(outcome: Exclude<ExecuteOutcome, { kind: 'copyIn' }>, portal: Portal): void {
    switch (outcome.kind) {
      case 'complete':
        if (portal.statement.statement?.kind === 'Copy' && portal.statement.statement.direction === 'to stdout') this.writer.copyDone();
        this.writer.commandComplete(outcome.tag);
        return;
      case 'suspended':
        this.writer.portalSuspended();
        return;
      case 'empty':
        this.writer.emptyQueryResponse();
        return;
    }
  }

  // ───────────────────────────── COPY FROM STDIN ─────────────────────────────

  private beginCopyIn(outcome: Extract<ExecuteOutcome, { kind: 'copyIn' }>, resume: PendingQuery | undefined): void {
    this.writer.copyInResponse(0, new Array<FormatCode>(outcome.columnCount).fill(0));
    this.phase = { kind: 'copyIn', resume };
  }

  private async handleCopyIn(resume: PendingQuery | undefined, message: FrontendMessage): Promise<void> {
    const session = this.sessionValue!;
    try {
      switch (message.kind) {
        case 'CopyData':
          session.copyData(message.data);
          return;
        case 'Flush':
        case 'Sync':
          return; // ignored during COPY, as PostgreSQL does
        case 'CopyDone': {
          const tag = await session.copyDone();
          this.phase = { kind: 'ready' };
          this.writer.commandComplete(tag);
          if (resume !== undefined) return this.runStatements(session, resume);
          return;
        }
        case 'CopyFail':
          session.copyFail(message.reason);
          return;
        default:
          throw new SessionError('08P01', `unexpected message type ${message.kind} during COPY from stdin`);
      }
    } catch (error) {
      if (error instanceof ProtocolViolationError) throw error;
      this.phase = { kind: 'ready' };
      await session.abortBatch(error); // a failed COPY fails the batch it is part of
      this.error(error);
      if (resume !== undefined) return this.endQuery(session);
      this.skippingUntilSync = true;
    }
  }

  // ───────────────────────────── output ─────────────────────────────

  /** Rows as DataRows in the portal's formats; `describe`: the simple query's RowDescription, once. */
  private rowSink(session: Session, portal: Portal, describe = false): RowSink {
    return new PortalRowSink(this.writer, this.flushIfFullBound, session.textContext(), portal, describe);
  }

  private notice(notice: Notice): void {
    const fields: ErrorFields = {
      severity: notice.severity,
      sqlState: notice.sqlState,
      message: notice.message,
      ...(notice.detail === undefined ? {} : { detail: notice.detail }),
      ...(notice.hint === undefined ? {} : { hint: notice.hint }),
    };
    this.writer.noticeResponse(fields);
  }

  private error(error: unknown): void {
    if (!(error instanceof RangedbError) || error instanceof ProtocolViolationError) throw error;
    this.writer.errorResponse(errorFields(error));
  }

  private readyForQuery(session: Session): Promise<void> | undefined {
    this.writer.readyForQuery(session.transactionStatus);
    return this.flush();
  }

  /**
   * Writes what the writer and `held` have, in one socket write. Once any output of an open
   * batch reached the client the batch can no longer be retried by the server. A promise only
   * while the socket is full: an async function here (and the callers returning its promise from
   * theirs, which costs two more microtasks each) made every Sync pay for promises that were
   * never awaited for anything.
   */
  private flush(): Promise<void> | undefined {
    let bytes = this.writer.flush();
    if (this.held.length > 0) {
      bytes = this.heldBytes === 0 ? bytes : joinedOutput(this.held, bytes);
      this.setHeld([]);
    }
    if (bytes.length === 0) return undefined;
    if (this.sessionValue?.batchOpen === true) this.batchRetryable = false;
    return this.io.write(bytes) ?? undefined;
  }

  /** Past `sqlConnectionFlushBytes` of output: send it (a retried batch's output overflows instead). */
  private flushIfFull(): Promise<void> | undefined {
    if (this.writer.bufferedBytes + this.heldBytes < limits.sqlConnectionFlushBytes) return undefined;
    if (this.replaying) return Promise.reject(new ReplayOverflowError('a retried batch answered more than the connection holds back'));
    return this.flush();
  }

  /** `flushIfFull` for the row sinks, bound once per connection rather than once per Execute. */
  private readonly flushIfFullBound = (): Promise<void> | undefined => this.flushIfFull();

  /** Takes writer output into `held` (see there). */
  private hold(bytes: Uint8Array): void {
    this.held.push(bytes);
    this.heldBytes += bytes.length;
  }

  private setHeld(pieces: Uint8Array[]): void {
    this.held = pieces;
    this.heldBytes = pieces.reduce((sum, piece) => sum + piece.length, 0);
    if (pieces.length === 0) this.batchExecutes = [];
  }

  private async fatal(fields: ErrorFields): Promise<void> {
    this.writer.errorResponse({ ...fields, severity: 'FATAL' });
    await this.flush();
    this.io.close();
    await this.close();
  }

  /** A protocol violation (08P01 FATAL) or a bug (XX000, reported): answer once and close. */
  private async failConnection(error: unknown): Promise<void> {
    if (this.phase.kind === 'closed') return;
    if (error instanceof RangedbError) {
      // Protocol violations and startup refusals: FATAL, as PostgreSQL closes the connection.
      return this.fatal(errorFields(error));
    }
    this.deps.onInternalError(error);
    const message = error instanceof AssertionError ? `internal error: ${error.message}` : 'internal error';
    await this.fatal({ severity: 'FATAL', sqlState: 'XX000', message }).catch(() => undefined);
  }
}

/**
 * A portal's rows as DataRows in its formats (`Connection.rowSink`); `describe`: the simple
 * query's RowDescription, once. One object per Execute — it was an object of four closures over
 * two captured variables, six allocations on every statement's way.
 */
class PortalRowSink implements RowSink {
  private described: boolean;
  private columns: readonly ResultColumn[];

  constructor(
    private readonly writer: BackendMessageWriter,
    private readonly flushIfFull: () => Promise<void> | undefined,
    private readonly context: TextContext,
    private readonly portal: Portal,
    describe: boolean,
  ) {
    this.described = !describe;
    this.columns = portal.statement.columns ?? [];
  }

  describe(resultColumns: readonly ResultColumn[]): void {
    this.columns = resultColumns;
    if (this.described) return;
    this.described = true;
    this.writer.rowDescription(rowDescriptionFields(resultColumns, resultColumns.map(() => 0)));
  }

  rows(rows: readonly (readonly Datum[])[]): Promise<void> | undefined {
    const { columns, context, writer } = this;
    const formats = this.portal.resultFormats;
    // A row's fields are encoded before its DataRow opens, so an encoding error leaves no half message.
    for (const row of rows) writer.dataRow(row.map((datum, i) => encodeField(columns[i]!.type, datum, formats[i] ?? 0, context)));
    return this.flushIfFull();
  }

  copyOutBegin(columnCount: number): void {
    this.writer.copyOutResponse(0, new Array<FormatCode>(columnCount).fill(0));
  }

  async copyOutData(lines: readonly string[]): Promise<void> {
    for (const line of lines) this.writer.copyData(line);
    await this.flushIfFull();
  }
}

/**
 * The held pieces of output and `last` as one view, for one socket write. They are nearly always
 * adjacent views of the writer's one buffer, taken from it one after another (MessageBuilder's
 * `takeBytes`; a flushed view is never written over): then they are the view over all of them,
 * made without copying a byte. Otherwise — the writer moved to a fresh buffer in between, a
 * retried batch replaced a piece with a later one — their copy, concatenated.
 */
export function joinedOutput(pieces: readonly Uint8Array[], last: Uint8Array): Uint8Array {
  let first: Uint8Array | undefined;
  let endOffset = 0;
  let totalBytes = 0;
  for (let i = 0; i <= pieces.length; i++) {
    const piece = i < pieces.length ? pieces[i]! : last;
    if (piece.length === 0) continue;
    if (first === undefined) first = piece;
    else if (piece.buffer !== first.buffer || piece.byteOffset !== endOffset) return Buffer.concat([...pieces, last]);
    endOffset = piece.byteOffset + piece.length;
    totalBytes += piece.length;
  }
  if (first === undefined) return last;
  return first.length === totalBytes ? first : Buffer.from(first.buffer, first.byteOffset, totalBytes);
}

/** ErrorResponse fields of a `RangedbError` (detail, hint and position when it carries them). */
export function errorFields(error: unknown, severity: Severity = 'ERROR'): ErrorFields {
  if (!(error instanceof RangedbError)) return { severity, sqlState: 'XX000', message: 'internal error' };
  const extra = error as RangedbError & { readonly detail?: unknown; readonly hint?: unknown; readonly position?: unknown };
  return {
    severity,
    sqlState: error.sqlState,
    message: error.message,
    ...(typeof extra.detail === 'string' ? { detail: extra.detail } : {}),
    ...(typeof extra.hint === 'string' ? { hint: extra.hint } : {}),
    ...(typeof extra.position === 'number' && extra.position > 0 ? { position: extra.position } : {}),
  };
}
