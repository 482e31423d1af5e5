/**
 * `Session`: one client's SQL state — session variables, the transaction block, prepared
 * statements and portals, COPY — and the way statements run: the session's own statements
 * (transaction control, SET/SHOW/RESET, PREPARE/EXECUTE/DEALLOCATE, DISCARD, COPY framing) here,
 * everything else through the `SqlEngine` (sql/exec/contract.ts).
 *
 * The connection (connection.ts) drives it: `parse` → `prepare` → `bind` → `execute`, and
 * `sync` at the end of an extended-query cycle. Rows go to a `RowSink` only once they are final:
 * in an implicit transaction the first `sqlResultRetryBufferRowsMax` rows are held back, so a
 * retryable error (40001) met before anything was sent restarts the transaction and runs the
 * statement again, and the client never knows.
 *
 * Contract: one call at a time (the connection awaits each); errors are thrown as
 * `RangedbError`s with SQLSTATEs, after the session has updated its own state (an error in a
 * transaction block aborts the block).
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import { isAmbiguousError, isRetryableError, type Sender } from '../../kv/api/index.js';
import { Txn, type TxnDeps, type TxnOptions } from '../../txn/index.js';
import type { TimerHandle } from '../../src/env/env.js';
import { parse } from '../parser/index.js';
import { isDataModifying, type AsOfClause, type Statement, type TypeName, type Expr } from '../parser/ast.js';
import { equal, formatTimestamp, type Timestamp } from '../../clock/timestamp.js';
import type { Datum } from '../types/datum.js';
import { textType, type SqlType } from '../types/sql-type.js';
import { resolveTypeName } from '../types/resolve.js';
import { parseText, type TextContext } from '../types/text-io.js';
import { timeZoneFromSetting } from '../types/timezone.js';
import type { FormatCode } from '../pgwire/backend-messages.js';
import type { CancelSignal, Notice, PreparedStatement, ResultColumn, SessionServices, SessionSettings, SqlEngine } from '../exec/contract.js';
import { startCopy, type CopyFromStdin, type CopyHost } from './copy-statement.js';
import type { Execution, ExecuteOutcome, Portal, RowSink, SessionStatement } from './statements.js';

export type { ExecuteOutcome, Portal, RowSink, SessionStatement } from './statements.js';
import {
  SessionError,
  notSupported,
  portalMissing,
  cursorMissing,
  preparedStatementExists,
  preparedStatementMissing,
  queryCanceled,
} from './errors.js';
import { evaluateAsOf } from './as-of.js';
import { constantText, settingText } from './execute-params.js';
import { readOnlyViolation } from './read-only.js';
import { TransactionBlock, restartedTxn, restartSavepointName, sqlTxnPriority, type TransactionPhase } from './transaction.js';
import { SessionVariables, computedVariables, onOff, parseDurationMs, type ReportedChange } from './variables.js';
import { decodeParameter, expandFormats } from './wire-format.js';

/** The catalog's version as this node's sessions know it: bumped by every DDL statement run. */
export interface CatalogVersion {
  value: number;
}

export interface SessionDeps {
  readonly engine: SqlEngine;
  readonly db: Sender;
  readonly txnDeps: TxnDeps;
  /** Shared by the node's sessions, so a DDL in one re-prepares cached plans in all. */
  readonly catalogVersion: CatalogVersion;
}

export interface SessionIdentity {
  readonly user: string;
  readonly database: string;
  readonly isSuperuser: boolean;
  /** The default of `strict_serializable` (commit wait). */
  readonly strictSerializable?: boolean;
}

/** What the session tells the client outside of results. */
export interface SessionOutput {
  notice(notice: Notice): void;
  /** A GUC_REPORT variable changed. */
  parameterStatus(name: string, value: string): void;
}

/** Statements the session runs itself. */
const sessionKinds: ReadonlySet<Statement['kind']> = new Set([
  'Begin', 'Commit', 'Rollback', 'Savepoint', 'ReleaseSavepoint', 'RollbackToSavepoint', 'SetVariable', 'SetTransaction',
  'Show', 'Reset', 'Prepare', 'Execute', 'Deallocate', 'Discard', 'Copy', 'DeclareCursor', 'Fetch', 'CloseCursor',
]);

/** Statements whose failure does not abort the block (they end it). */
const blockEndingKinds: ReadonlySet<Statement['kind']> = new Set(['Commit', 'Rollback']);

/** Statements accepted in an aborted or committed block. */
const blockEndKinds: ReadonlySet<Statement['kind']> = new Set(['Commit', 'Rollback', 'RollbackToSavepoint']);

const complete = (tag: string): ExecuteOutcome => ({ kind: 'complete', tag });

/**
 * A portal whose rows were all pulled, `pulled` of them by this Execute: it is done, and its
 * outcome is the statement's tag. A portal resumed after a row limit suspended it counts only
 * the rows of this Execute, as PostgreSQL's does (PortalRun sets the completion's count to the
 * rows that call fetched: `SELECT 1` for the last of three rows, `SELECT 0` when the limit took
 * the last row already).
 */
function pulledAll(portal: Portal, execution: Execution, pulled: number): ExecuteOutcome {
  assert(pulled <= execution.rowCount, 'an Execute pulls rows of its portal');
  portal.execution = undefined;
  portal.done = true;
  const tag = execution.result.tag();
  return complete(pulled === execution.rowCount ? tag : tag.replace(/\d+$/, String(pulled)));
}

/** An extended-query batch's implicit transaction. */
interface ImplicitBatch {
  /**
   * Begun by the batch's first statement that needs one (`batchTxn`), not by a SET before it:
   * a `SET strict_serializable` first in the batch must still apply to it.
   */
  txn: Txn | undefined;
  /** A statement of the batch changed the catalog: cached plans are stale when it ends. */
  ranDdl: boolean;
}

/** Session statements an extended batch may run again when it is retried (no effect but their result). */
const replayableSessionKinds: ReadonlySet<Statement['kind']> = new Set(['Show', 'SetVariable', 'Reset']);

export class Session {
  readonly variables: SessionVariables;
  private readonly block: TransactionBlock;
  private readonly prepared = new Map<string, SessionStatement>();
  private readonly portals = new Map<string, Portal>();
  /**
   * SQL cursors (DECLARE … CURSOR): a portal each, over a statement planned in the transaction
   * block that declared it, read by FETCH in that same transaction (`txn`). WITHOUT HOLD only:
   * a cursor ends with its transaction, so one whose `txn` is no longer the block's is gone.
   */
  private readonly cursors = new Map<string, { readonly portal: Portal; readonly txn: Txn; readonly serial: number }>();
  /** Cursors declared so far (each cursor's `serial`): ROLLBACK TO SAVEPOINT closes those declared after it. */
  private cursorsDeclared = 0;
  /**
   * The implicit transaction of the extended-query batch since the last Sync (PostgreSQL runs
   * every Execute up to Sync in one), committed by `sync`; undefined when no Execute opened one.
   */
  private batch: ImplicitBatch | undefined;
  /** Whether the running `execute` joins the batch's implicit transaction (`transaction: 'batch'`). */
  private extended = false;
  private copyIn: CopyFromStdin | undefined;
  /** SET LOCAL values to restore when the block ends, by variable name. */
  private readonly localUndo = new Map<string, string>();
  /** Values before a plain SET in the block, to restore if the block does not commit (PostgreSQL). */
  private readonly blockUndo = new Map<string, string>();
  private settingsCache: SessionSettings | undefined;
  private textContextCache: TextContext | undefined;
  /** `statement_timeout` in ms and `strict_serializable`, parsed once per settings change (read per statement). */
  private statementTimeoutMsCache: number | undefined;
  private strictSerializableCache: boolean | undefined;
  private implicitTxnOptionsCache: TxnOptions | undefined;
  private lastCommitWaitNanos = 0n;
  /** Work statements of the current transaction asked to run once it commits (`afterCommit`). */
  private afterCommit: (() => Promise<void>)[] = [];
  private cancelReason: 'user' | 'timeout' | undefined;
  private running = false;
  private readonly cancelSignal: CancelSignal = {
    throwIfCancelled: () => {
      if (this.cancelReason !== undefined) throw queryCanceled(this.cancelReason === 'timeout');
    },
  };
  /**
   * What statements get of the session (advisory locks, set_config); undefined when the engine
   * has no advisory lock table. Its transaction-level locks are settled after every statement
   * and transaction end; all its locks go when the session closes.
   */
  private readonly services: SessionServices | undefined;
  /** set_config(…, true) outside a block: the values to restore when the statement ends. */
  private readonly statementUndo = new Map<string, string>();

  constructor(
    private readonly deps: SessionDeps,
    readonly identity: SessionIdentity,
    private readonly output: SessionOutput,
  ) {
    this.variables = new SessionVariables({
      user: identity.user,
      database: identity.database,
      isSuperuser: identity.isSuperuser,
      strictSerializable: identity.strictSerializable ?? false,
    });
    this.block = new TransactionBlock(deps.db, deps.txnDeps);
    const table = deps.engine.advisoryLocks;
    this.services =
      table === undefined
        ? undefined
        : {
            advisoryLocks: table.owner(deps.txnDeps.timers),
            setConfig: (name, value, isLocal) => this.setConfig(name, value, isLocal),
            lockTimeoutMs: () => parseDurationMs(this.variables.get('lock_timeout'), 'lock_timeout'),
            notice: (notice) => this.output.notice(notice),
            sequenceValues: new Map(),
          };
  }

  // ───────────────────────────── state the connection reads ─────────────────────────────

  /** ReadyForQuery's status: I idle, T in a block (or an open implicit txn), E failed block. */
  get transactionStatus(): 'I' | 'T' | 'E' {
    switch (this.block.phase) {
      case 'idle':
        return 'I';
      case 'open':
      case 'committed':
        return 'T';
      case 'aborted':
        return 'E';
    }
  }

  get transactionPhase(): TransactionPhase {
    return this.block.phase;
  }

  /** Whether a statement is running now (a CancelRequest has something to cancel). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Cancels the running statement, if any (CancelRequest): it fails with 57014. */
  cancel(): void {
    if (this.running) this.cancelReason = 'user';
  }

  /** Applies startup parameters (`application_name`, `client_encoding`, `DateStyle`, …). */
  applyStartupParameters(parameters: ReadonlyMap<string, string>): void {
    for (const [name, value] of parameters) {
      if (name === 'user' || name === 'database' || name === 'replication') continue;
      if (name === 'options') {
        for (const [optionName, optionValue] of parseStartupOptions(value)) this.setVariable(optionName, optionValue);
        continue;
      }
      this.setVariable(name, value);
    }
  }

  settings(): SessionSettings {
    if (this.settingsCache === undefined) {
      const v = this.variables;
      const searchPath = v
        .get('search_path')
        .split(',')
        .map((part) => part.trim().replace(/^"(.*)"$/, '$1'))
        .filter((part) => part !== '' && part !== '$user');
      this.settingsCache = Object.freeze({
        database: v.get('database'),
        searchPath,
        user: this.identity.user,
        applicationName: v.get('application_name'),
        timeZone: v.get('TimeZone'),
        dateStyle: v.get('DateStyle'),
        intervalStyle: v.get('IntervalStyle'),
        extraFloatDigits: Number(v.get('extra_float_digits')),
        all: new LiveVariables(v.snapshot(), (name) => (name === 'transaction_read_only' ? this.transactionReadOnly() : undefined)),
      });
    }
    return this.settingsCache;
  }

  textContext(): TextContext {
    this.textContextCache ??= Object.freeze({ timeZone: timeZoneFromSetting(this.variables.get('TimeZone')), extraFloatDigits: Number(this.variables.get('extra_float_digits')) });
    return this.textContextCache;
  }

  // ───────────────────────────── parse, prepare, bind ─────────────────────────────

  /** Parses a query string; throws 42601 with the position. */
  parse(sql: string): Statement[] {
    return parse(sql);
  }

  /**
   * Prepares `statement` (undefined: an empty query) as `name` ('' = unnamed, replaced freely).
   * Engine statements are planned now, in the open block's transaction or a short one.
   */
  async prepare(name: string, statement: Statement | undefined, paramTypeHints: readonly (SqlType | undefined)[]): Promise<SessionStatement> {
    if (name !== '' && this.prepared.has(name)) throw preparedStatementExists(name);
    if (this.prepared.size >= limits.sqlPreparedStatementsMax && !this.prepared.has(name)) {
      throw new SessionError('54000', `too many prepared statements (sqlPreparedStatementsMax ${limits.sqlPreparedStatementsMax})`);
    }
    const prepared = await this.guard(statement, () => this.makeStatement(name, statement, paramTypeHints));
    this.prepared.set(name, prepared);
    return prepared;
  }

  /**
   * Prepares without storing (a simple-query statement). With `planNow` false an engine
   * statement is planned only when it runs, in its own transaction: one transaction per
   * statement instead of two.
   */
  async prepareUnnamed(statement: Statement, planNow = true): Promise<SessionStatement> {
    if (!planNow && !sessionKinds.has(statement.kind)) {
      return { name: '', statement, paramTypeHints: [], paramTypes: [], columns: undefined, plan: undefined, planCatalogVersion: -1 };
    }
    return this.guard(statement, () => this.makeStatement('', statement, []));
  }

  statement(name: string): SessionStatement {
    const prepared = this.prepared.get(name);
    if (prepared === undefined) throw preparedStatementMissing(name);
    return prepared;
  }

  closeStatement(name: string): void {
    this.prepared.delete(name);
  }

  /** Bind: a portal over `statement` with parameters decoded by their types. */
  bind(
    portalName: string,
    statement: SessionStatement,
    parameters: readonly (Uint8Array | null)[],
    parameterFormatCodes: readonly number[],
    resultFormatCodes: readonly number[],
  ): Portal {
    if (this.block.phase !== 'open' && this.block.phase !== 'idle' && !(statement.statement !== undefined && blockEndKinds.has(statement.statement.kind))) {
      this.block.checkUsable();
    }
    if (portalName !== '' && this.portals.has(portalName)) throw new SessionError('42P03', `portal "${portalName}" already exists`);
    if (this.portals.size >= limits.sqlPortalsMax && !this.portals.has(portalName)) throw new SessionError('54000', 'too many portals');
    try {
      if (parameters.length !== statement.paramTypes.length) {
        throw new SessionError('08P01', `bind message supplies ${parameters.length} parameters, but prepared statement "${statement.name}" requires ${statement.paramTypes.length}`);
      }
      const formats = expandFormats(parameterFormatCodes, parameters.length, 'parameter');
      const params = parameters.map((bytes, i) => decodeParameter(statement.paramTypes[i]!, bytes, formats[i]!, this.textContext()));
      const resultFormats = expandFormats(resultFormatCodes, statement.columns?.length ?? 0, 'result');
      return this.openPortal(portalName, statement, params, resultFormats);
    } catch (error) {
      this.block.fail(error);
      throw error;
    }
  }

  /** A portal with text results over an already-decoded parameter list (simple query, EXECUTE). */
  openPortal(portalName: string, statement: SessionStatement, params: readonly Datum[], resultFormats?: readonly FormatCode[]): Portal {
    const portal: Portal = {
      name: portalName,
      statement,
      params,
      resultFormats: resultFormats ?? new Array<FormatCode>(statement.columns?.length ?? 0).fill(0),
      execution: undefined,
      done: false,
    };
    this.portals.set(portalName, portal);
    return portal;
  }

  portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (portal === undefined) throw portalMissing(name);
    return portal;
  }

  closePortal(name: string): void {
    this.portals.delete(name);
  }

  // ───────────────────────────── execute ─────────────────────────────

  /**
   * Runs (or resumes) a portal, sending at most `rowsMax` rows (0: all) to `sink`. Returns the
   * tag, `suspended` when the row limit stopped it, `empty` for an empty query, or `copyIn` when
   * COPY FROM STDIN now waits for CopyData. Outside a block, `own` runs the statement in its
   * own implicit transaction (retried here), `batch` in the batch's, committed by `sync`.
   */
  async execute(portal: Portal, rowsMax: number, sink: RowSink, transaction: 'own' | 'batch' = 'own'): Promise<ExecuteOutcome> {
    const statement = portal.statement.statement;
    if (statement === undefined) return { kind: 'empty' };
    assert(!this.running, 'one statement at a time');
    this.running = true;
    this.extended = transaction === 'batch';
    this.cancelReason = undefined;
    const timer = this.startStatementTimer();
    try {
      // `guard`, inline: one promise less on every statement's way.
      return await this.dispatch(portal, statement, rowsMax, sink);
    } catch (error) {
      if (!blockEndingKinds.has(statement.kind)) this.block.fail(error);
      throw error;
    } finally {
      if (timer !== undefined) this.deps.txnDeps.timers.clearTimeout(timer);
      this.running = false;
      this.extended = false;
      this.cancelReason = undefined;
      this.endOfStatement();
    }
  }

  /** After each statement: transaction-level advisory locks of ended transactions go, statement-local settings are undone. */
  private endOfStatement(): void {
    this.services?.advisoryLocks.settle();
    if (this.statementUndo.size === 0) return;
    for (const [name, value] of this.statementUndo) this.report(this.variables.restore(name, value));
    this.statementUndo.clear();
  }

  /** Whether an extended-query batch's implicit transaction is open (until Sync). */
  get batchOpen(): boolean {
    return this.batch !== undefined;
  }

  /**
   * Whether executing `portal` again in a restarted batch transaction gives the same effects
   * (engine statements and SET/SHOW/RESET; not transaction control, PREPARE, COPY, …).
   */
  isReplayable(portal: Portal): boolean {
    const kind = portal.statement.statement?.kind;
    if (kind === undefined) return true;
    if (kind === 'Execute') {
      const inner = this.prepared.get((portal.statement.statement as Extract<Statement, { kind: 'Execute' }>).name)?.statement?.kind;
      return inner === undefined || !sessionKinds.has(inner) || replayableSessionKinds.has(inner);
    }
    return kind !== 'Copy' && (!sessionKinds.has(kind) || replayableSessionKinds.has(kind));
  }

  /**
   * End of an extended-query cycle: commits the batch's implicit transaction and drops the
   * portals a finished transaction leaves behind. A failed commit leaves the batch open: the
   * caller restarts it (`restartBatch`) and runs it again, or gives up (`abortBatch`).
   */
  async sync(): Promise<void> {
    await this.commitBatch();
    this.afterSync();
  }

  /**
   * `sync` done synchronously when nothing in it must be awaited: no batch is open, or its
   * transaction commits with nothing to send (`Txn.commitIfNothingToSend` — an implicit read-only
   * transaction, the end of every select-only cycle). True: done, as `sync` would have; false:
   * nothing was done, call `sync`. Spares the Sync of a point read its chain of promises.
   */
  syncNow(): boolean {
    const batch = this.batch;
    if (batch !== undefined) {
      const txn = batch.txn;
      if (txn !== undefined && !txn.isFinished && !txn.commitIfNothingToSend()) return false;
      this.batchCommitted(batch, txn);
    }
    this.afterSync();
    return true;
  }

  private afterSync(): void {
    this.services?.advisoryLocks.settle();
    if (this.block.phase === 'idle') this.portals.clear();
  }

  /**
   * After `error` in the open batch: restarts its transaction (a new epoch, or a new one after an
   * abort) and backs off, if the error is retryable, attempts remain and the statement was not
   * cancelled; the caller then runs the batch's statements again. False: nothing was changed.
   */
  async restartBatch(error: unknown, attempt: number): Promise<boolean> {
    const batch = this.batch;
    if (batch?.txn === undefined || isAmbiguousError(error) || !isRetryableError(error)) return false;
    if (attempt >= limits.sqlImplicitTxnAttemptsMax || this.cancelReason !== undefined) return false;
    this.afterCommit = [];
    this.restoreBatchSettings();
    batch.txn = restartedTxn(batch.txn, error, this.deps.db, this.deps.txnDeps, this.strictSerializable());
    await this.backoff(attempt);
    return true;
  }

  /**
   * Rolls the batch's implicit transaction back (an error ends it, as in PostgreSQL); after an
   * ambiguous error the transaction is abandoned instead: its commit may have happened.
   */
  async abortBatch(error?: unknown): Promise<void> {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    this.afterCommit = [];
    this.restoreBatchSettings();
    const txn = batch.txn;
    if (txn !== undefined && isAmbiguousError(error)) txn.abandon();
    else if (txn !== undefined && !txn.isFinished) await txn.rollback().catch(() => undefined); // pushers clean up otherwise
    if (batch.ranDdl) this.deps.catalogVersion.value += 1;
    this.services?.advisoryLocks.settle();
  }

  /** The connection is closing: roll back whatever is open. */
  async close(): Promise<void> {
    // Advisory locks first: a session waiting for one fails, and others waiting on this one's go on.
    this.services?.advisoryLocks.close();
    await this.abortBatch();
    await this.block.rollback();
    this.afterCommit = [];
  }

  /** Commits the open batch (if any): its post-commit work runs, its SETs stay. */
  private async commitBatch(): Promise<void> {
    const batch = this.batch;
    if (batch === undefined) return;
    const txn = batch.txn;
    if (txn !== undefined && !txn.isFinished) await txn.commit();
    this.batchCommitted(batch, txn);
  }

  /** The open batch committed (its transaction `txn`): its post-commit work runs, its SETs stay. */
  private batchCommitted(batch: ImplicitBatch, txn: Txn | undefined): void {
    this.batch = undefined;
    this.blockUndo.clear();
    if (txn !== undefined) this.committed(txn.lastCommitWaitNanos);
    if (batch.ranDdl) this.deps.catalogVersion.value += 1;
  }

  /** The open batch, opened now if need be (by its first statement). */
  private openBatch(): ImplicitBatch {
    this.batch ??= { txn: undefined, ranDdl: false };
    return this.batch;
  }

  /** The batch's implicit transaction, begun now if need be. */
  private batchTxn(batch: ImplicitBatch): Txn {
    batch.txn ??= new Txn(this.deps.db, this.deps.txnDeps, this.implicitTxnOptions());
    return batch.txn;
  }

  /** A SET in a batch that does not commit is undone (PostgreSQL's SET is transactional). */
  private restoreBatchSettings(): void {
    if (this.block.phase !== 'idle') return;
    for (const [name, value] of this.blockUndo) this.report(this.variables.restore(name, value));
    this.blockUndo.clear();
    this.invalidateSettings();
  }

  private async backoff(attempt: number): Promise<void> {
    // Full jitter: contenders that collided once must not retry in lockstep.
    const { timers, random } = this.deps.txnDeps;
    const capMs = Math.min(limits.sqlImplicitTxnBackoffMsMax, 2 ** Math.min(attempt, 20));
    await timers.sleep(1 + random.int(capMs));
  }

  /** A transaction committed: record its commit wait, then run its statements' post-commit work. */
  private committed(commitWaitNanos: bigint): void {
    this.lastCommitWaitNanos = commitWaitNanos;
    const work = this.afterCommit;
    this.afterCommit = [];
    // Post-commit work (a split of a new table's range) never fails the statement; the engine logs.
    for (const run of work) void run().catch(() => undefined);
  }

  private dispatch(portal: Portal, statement: Statement, rowsMax: number, sink: RowSink): Promise<ExecuteOutcome> {
    if (!blockEndKinds.has(statement.kind)) this.block.checkUsable();
    if (!sessionKinds.has(statement.kind)) return this.runEngine(portal, rowsMax, sink);
    // The session's own statements take AS OF SYSTEM TIME only as a transaction's (BEGIN, SET
    // TRANSACTION); elsewhere (DECLARE CURSOR FOR, COPY (…) TO) it is refused, not ignored.
    if (statement.asOf !== undefined && statement.kind !== 'Begin' && statement.kind !== 'SetTransaction') {
      throw new SessionError('0A000', `AS OF SYSTEM TIME cannot be used with ${statement.text.split(/\s+/, 1)[0]!.toUpperCase()}`, 'input', undefined, 'begin the transaction with BEGIN AS OF SYSTEM TIME instead');
    }
    return this.runSessionStatement(portal, statement, sink);
  }

  /** Runs `fn`; an error in an open block aborts it (PostgreSQL: any error in a block does). */
  private async guard<T>(statement: Statement | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (statement === undefined || !blockEndingKinds.has(statement.kind)) this.block.fail(error);
      throw error;
    }
  }

  private startStatementTimer(): TimerHandle | undefined {
    this.statementTimeoutMsCache ??= parseDurationMs(this.variables.get('statement_timeout'), 'statement_timeout');
    const timeoutMs = this.statementTimeoutMsCache;
    if (timeoutMs === 0) return undefined;
    return this.deps.txnDeps.timers.setTimeout(() => {
      if (this.running) this.cancelReason ??= 'timeout';
    }, timeoutMs);
  }

  // ───────────────────────────── engine statements ─────────────────────────────

  private strictSerializable(): boolean {
    this.strictSerializableCache ??= this.variables.get('strict_serializable') === 'on';
    return this.strictSerializableCache;
  }

  /**
   * Not an async function: it only picks the way a statement runs, and each async frame on a
   * point read's way costs a promise and a microtask (`execute` awaits what it returns).
   */
  private runEngine(portal: Portal, rowsMax: number, sink: RowSink): Promise<ExecuteOutcome> {
    const execution = portal.execution;
    if (execution !== undefined) return this.resume(portal, execution, rowsMax, sink);
    if (portal.done) return Promise.resolve(complete(this.zeroRowTag(portal)));
    const asOf = portal.statement.statement?.asOf;
    if (asOf !== undefined) return this.runHistorical(portal, asOf, rowsMax, sink);
    if (this.block.phase === 'open') {
      this.block.ranStatement = true;
      return this.runInTxn(this.block.txn, portal, rowsMax, sink, { delivered: false }, this.block);
    }
    if (this.extended) {
      // Not retried here: a retry must run the batch's earlier statements again (connection.ts).
      const batch = this.openBatch();
      return this.runInTxn(this.batchTxn(batch), portal, rowsMax, sink, { delivered: false }, batch);
    }
    return this.runImplicit(portal, rowsMax, sink);
  }

  /**
   * A statement with AS OF SYSTEM TIME. In a block, the block's transaction must be historical at
   * the same timestamp (CockroachDB's rule: a transaction reads at one timestamp; BEGIN / SET
   * TRANSACTION AS OF SYSTEM TIME make it so). Outside one — a simple query or an extended
   * batch — it runs in a read-only transaction of its own at that timestamp, apart from the
   * batch's: it reads a fixed past state, which no other statement's writes could be part of.
   * That transaction holds nothing (no lock, no record), so a portal suspended by a row limit
   * reads on through it; it is committed — which sends nothing — once the rows are all out.
   */
  private async runHistorical(portal: Portal, asOf: AsOfClause, rowsMax: number, sink: RowSink): Promise<ExecuteOutcome> {
    const at = this.asOfTimestamp(asOf);
    if (this.block.phase === 'open') {
      const txn = this.block.txn;
      const fixed = txn.fixedTimestamp;
      if (fixed === undefined || !equal(fixed, at)) {
        const expected = formatTimestamp(fixed ?? txn.transaction.readTimestamp);
        throw new SessionError('0A000', `inconsistent AS OF SYSTEM TIME timestamp; expected: ${expected}, got: ${formatTimestamp(at)}`, 'input', undefined, 'try SET TRANSACTION AS OF SYSTEM TIME');
      }
      this.block.ranStatement = true;
      return this.runInTxn(txn, portal, rowsMax, sink, { delivered: false });
    }
    const progress = { delivered: false };
    return this.withImplicitTxn(
      () => progress.delivered,
      async (txn) => {
        const outcome = await this.runInTxn(txn, portal, rowsMax, sink, progress);
        return { outcome, commit: outcome.kind !== 'suspended' };
      },
      at,
    );
  }

  /** The timestamp an AS OF SYSTEM TIME clause names, against the node's clock now (sql/session/as-of.ts). */
  private asOfTimestamp(asOf: AsOfClause): Timestamp {
    return evaluateAsOf(asOf, { now: this.deps.txnDeps.clock.now(), text: this.textContext() });
  }

  /** An implicit transaction around one statement, retried while nothing reached the client. */
  private async runImplicit(portal: Portal, rowsMax: number, sink: RowSink): Promise<ExecuteOutcome> {
    const progress = { delivered: false };
    return this.withImplicitTxn(
      () => progress.delivered,
      async (txn) => ({ outcome: await this.runInTxn(txn, portal, rowsMax, sink, progress), commit: true }),
    );
  }

  /**
   * Runs `fn` in a new transaction and commits it (if `fn` asks), retrying retryable errors with
   * a restarted transaction while `delivered()` is false (runTxn's loop, with that condition).
   * `fixedTimestamp`: a historical read-only transaction (AS OF SYSTEM TIME).
   */
  private async withImplicitTxn<T>(delivered: () => boolean, fn: (txn: Txn) => Promise<{ outcome: T; commit: boolean }>, fixedTimestamp?: Timestamp): Promise<T> {
    const { db, txnDeps } = this.deps;
    let txn = new Txn(db, txnDeps, fixedTimestamp === undefined ? this.implicitTxnOptions() : { ...this.implicitTxnOptions(), fixedTimestamp });
    for (let attempt = 1; ; attempt++) {
      try {
        const { outcome, commit } = await fn(txn);
        if (commit) {
          await txn.commit();
          this.committed(txn.lastCommitWaitNanos);
        }
        return outcome;
      } catch (error) {
        this.afterCommit = [];
        if (isAmbiguousError(error)) {
          txn.abandon();
          throw error;
        }
        if (!isRetryableError(error) || delivered() || attempt >= limits.sqlImplicitTxnAttemptsMax || this.cancelReason !== undefined) {
          if (!txn.isFinished) await txn.rollback().catch(() => undefined);
          if (isRetryableError(error) && this.cancelReason !== undefined) throw queryCanceled(this.cancelReason === 'timeout');
          throw error;
        }
        txn = restartedTxn(txn, error, db, txnDeps, this.strictSerializable());
        await this.backoff(attempt);
      }
    }
  }

  /**
   * Runs `portal` in `txn`. `ranIn`: the block or batch whose transaction it is — marked as having
   * run DDL once a DDL statement ran (its end then invalidates cached plans).
   */
  private async runInTxn(txn: Txn, portal: Portal, rowsMax: number, sink: RowSink, progress: { delivered: boolean }, ranIn?: { ranDdl: boolean }): Promise<ExecuteOutcome> {
    const plan = this.cachedPlan(portal.statement) ?? (await this.planFor(portal.statement, txn));
    if (txn.isReadOnly) {
      const violation = readOnlyViolation(plan.statement, plan.isDdl);
      if (violation !== undefined) throw new SessionError('25006', `cannot execute ${violation} in a read-only transaction`);
    }
    if (plan.columns !== undefined) sink.describe(plan.columns);
    this.cancelSignal.throwIfCancelled();
    // One literal shape, session or not (absent is undefined): no spread of a second object per statement.
    const result = await plan.run({ txn, settings: this.settings(), params: portal.params, cancel: this.cancelSignal, session: this.services });
    const execution: Execution = { result, txn, rowCount: 0 };
    const deliver = (rows: readonly (readonly Datum[])[]): Promise<void> | void => {
      progress.delivered = true;
      return sink.rows(rows);
    };
    // A point read's rows are at hand: no promise, no microtask turn between its read and its DataRow.
    const pulled = this.pullReady(portal, execution, rowsMax, deliver) ?? this.pull(portal, execution, rowsMax, deliver);
    const outcome = pulled instanceof Promise ? await pulled : pulled;
    for (const notice of result.notices) this.output.notice(notice);
    const afterCommit = (result as { readonly afterCommit?: () => Promise<void> }).afterCommit;
    if (afterCommit !== undefined) this.afterCommit.push(afterCommit);
    if (outcome.kind === 'complete' && plan.isDdl) this.deps.catalogVersion.value += 1;
    if (ranIn !== undefined && plan.isDdl) ranIn.ranDdl = true;
    return outcome;
  }

  private async resume(portal: Portal, execution: Execution, rowsMax: number, sink: RowSink): Promise<ExecuteOutcome> {
    return this.pull(portal, execution, rowsMax, (rows) => sink.rows(rows));
  }

  /**
   * Pulls rows into batches: the first `sqlResultRetryBufferRowsMax` are held back (retry
   * window), then each full batch is delivered; stops at `rowsMax` (suspending the portal).
   */
  private async pull(
    portal: Portal,
    execution: Execution,
    rowsMax: number,
    deliver: (rows: readonly (readonly Datum[])[]) => Promise<void> | void,
  ): Promise<ExecuteOutcome> {
    let batch: (readonly Datum[])[] = [];
    let pulled = 0;
    const rows = execution.result.rows;
    for (;;) {
      this.cancelSignal.throwIfCancelled();
      if (rowsMax > 0 && pulled === rowsMax) {
        if (batch.length > 0) await deliver(batch);
        portal.execution = execution;
        return { kind: 'suspended' };
      }
      const next = await rows.next();
      if (next.done === true) break;
      batch.push(next.value);
      pulled += 1;
      execution.rowCount += 1;
      if (batch.length >= limits.sqlResultRetryBufferRowsMax) {
        await deliver(batch);
        batch = [];
      }
    }
    if (batch.length > 0) {
      // A sink that takes rows at once (the connection's, below its flush size) returns nothing: no await.
      const delivering = deliver(batch);
      if (delivering !== undefined) await delivering;
    }
    return pulledAll(portal, execution, pulled);
  }

  /**
   * `pull` done at once when it has no reason to wait: every row is computed already
   * (`ResultRowIterator.takeReady`, a point lookup's), they are fewer than `rowsMax` (no
   * suspension) and fit one delivery (`sqlResultRetryBufferRowsMax`). Then it answers what `pull`
   * would — one cancellation check, the rows delivered in one batch, the portal done — and
   * awaits only a sink that is flushing. Undefined: nothing was taken, `pull` the rows.
   */
  private pullReady(
    portal: Portal,
    execution: Execution,
    rowsMax: number,
    deliver: (rows: readonly (readonly Datum[])[]) => Promise<void> | void,
  ): ExecuteOutcome | Promise<ExecuteOutcome> | undefined {
    const rows = execution.result.rows;
    const readyCount = rows.readyCount;
    if (readyCount === undefined || rows.takeReady === undefined) return undefined;
    if (readyCount > limits.sqlResultRetryBufferRowsMax || (rowsMax > 0 && readyCount >= rowsMax)) return undefined;
    this.cancelSignal.throwIfCancelled();
    const batch = rows.takeReady(readyCount);
    assert(batch.length === readyCount, 'takeReady hands out every ready row asked for');
    execution.rowCount += batch.length;
    const delivering = batch.length > 0 ? deliver(batch) : undefined;
    if (delivering instanceof Promise) return delivering.then(() => pulledAll(portal, execution, batch.length));
    return pulledAll(portal, execution, batch.length);
  }

  /** The tag of executing a portal that already ran to completion (PostgreSQL: no rows). */
  private zeroRowTag(portal: Portal): string {
    const kind = portal.statement.statement?.kind;
    return kind === 'QueryStatement' ? 'SELECT 0' : (portal.statement.statement?.text.split(/\s/)[0]?.toUpperCase() ?? '');
  }

  /** The statement's plan if it is cached and no DDL statement ran since it was planned. */
  private cachedPlan(statement: SessionStatement): PreparedStatement | undefined {
    return statement.planCatalogVersion === this.deps.catalogVersion.value ? statement.plan : undefined;
  }

  /** The statement's plan, prepared again if a DDL statement ran since it was planned. */
  private async planFor(statement: SessionStatement, txn: Txn): Promise<PreparedStatement> {
    const version = this.deps.catalogVersion.value;
    if (statement.plan !== undefined && statement.planCatalogVersion === version) return statement.plan;
    assert(statement.statement !== undefined);
    const plan = await this.deps.engine.prepare(statement.statement, { txn, settings: this.settings(), paramTypeHints: statement.paramTypeHints });
    if (statement.plan !== undefined && !sameColumns(statement.plan.columns, plan.columns)) {
      throw new SessionError('0A000', 'cached plan must not change result type');
    }
    statement.plan = plan;
    statement.planCatalogVersion = version;
    statement.paramTypes = plan.paramTypes;
    statement.columns = plan.columns;
    return plan;
  }

  private async makeStatement(name: string, statement: Statement | undefined, paramTypeHints: readonly (SqlType | undefined)[]): Promise<SessionStatement> {
    const prepared: SessionStatement = {
      name,
      statement,
      paramTypeHints,
      paramTypes: [],
      columns: undefined,
      plan: undefined,
      planCatalogVersion: -1,
    };
    if (statement === undefined) return prepared;
    if (sessionKinds.has(statement.kind)) {
      prepared.columns = this.sessionStatementColumns(statement);
      return prepared;
    }
    if (!blockEndKinds.has(statement.kind)) this.block.checkUsable();
    if (statement.asOf !== undefined && this.block.phase !== 'open') {
      // Planned against the catalog as of its time: a table created since is not there (42P01).
      const at = this.asOfTimestamp(statement.asOf);
      await this.withImplicitTxn(() => false, async (txn) => ({ outcome: await this.planFor(prepared, txn), commit: true }), at);
    } else if (this.block.phase === 'open') {
      await this.planFor(prepared, this.block.txn);
    } else if (this.batch?.txn !== undefined) {
      // In the batch's transaction: it sees what the batch's earlier statements (DDL) did.
      await this.planFor(prepared, this.batch.txn);
    } else {
      // Planning reads the catalog: in a short transaction of its own (read-only: no commit record).
      await this.withImplicitTxn(() => false, async (txn) => ({ outcome: await this.planFor(prepared, txn), commit: true }));
    }
    return prepared;
  }

  private sessionStatementColumns(statement: Statement): ResultColumn[] | undefined {
    switch (statement.kind) {
      case 'Show':
        return statement.name === 'all' ? ['name', 'setting', 'description'].map(textColumn) : [textColumn(statement.name)];
      case 'Execute':
        return this.prepared.get(statement.name)?.columns?.slice();
      case 'Fetch':
        return statement.move ? undefined : this.liveCursor(statement.name)?.portal.statement.columns?.slice();
      default:
        return undefined;
    }
  }

  // ───────────────────────────── session statements ─────────────────────────────

  private async runSessionStatement(portal: Portal, statement: Statement, sink: RowSink): Promise<ExecuteOutcome> {
    switch (statement.kind) {
      case 'Begin':
        return complete(this.begin(statement.isolation, statement.readOnly, statement.asOf));
      case 'Commit':
        return complete(await this.endBlock(true));
      case 'Rollback':
        return complete(await this.endBlock(false));
      case 'Savepoint':
        await this.block.savepoint(statement.name, { afterCommitCount: this.afterCommit.length, variables: this.variables.snapshot(), cursorsDeclared: this.cursorsDeclared });
        return complete('SAVEPOINT');
      case 'ReleaseSavepoint':
        await this.block.release(statement.name);
        if (statement.name === restartSavepointName) this.committed(this.block.lastCommitWaitNanos);
        return complete('RELEASE');
      case 'RollbackToSavepoint': {
        const rolledBack = await this.block.rollbackTo(statement.name, this.strictSerializable());
        // The undone statements' post-commit work goes with them (all of it after a restart).
        this.afterCommit.length = rolledBack.restarted ? 0 : Math.min(this.afterCommit.length, rolledBack.mark.afterCommitCount);
        this.restoreVariables(rolledBack.mark.variables);
        // A cursor declared after the savepoint goes with it (PostgreSQL drops the portals of an aborted subtransaction).
        for (const [name, cursor] of this.cursors) if (cursor.serial > (rolledBack.mark.cursorsDeclared ?? 0)) this.cursors.delete(name);
        // A DDL statement undone leaves plans cached against its catalog: prepare them again.
        if (this.block.ranDdl) this.deps.catalogVersion.value += 1;
        return complete('ROLLBACK');
      }
      case 'SetVariable':
        if (this.extended && this.block.phase === 'idle' && !statement.local) this.openBatch(); // undone if the batch fails
        this.set(statement.name, statement.values, statement.local);
        return complete('SET');
      case 'SetTransaction':
        if (statement.asOf !== undefined) this.setTransactionAsOf(statement.asOf, statement.sessionDefault);
        this.checkIsolation(statement.isolation, statement.readOnly, !statement.sessionDefault && this.isHistorical());
        if (statement.sessionDefault) {
          if (statement.readOnly !== null) this.setText('default_transaction_read_only', statement.readOnly ? 'on' : 'off', false);
        } else if (this.block.phase === 'idle') {
          // The asOf path warned already.
          if (statement.asOf === undefined) this.output.notice({ severity: 'WARNING', sqlState: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' });
        } else if (statement.readOnly !== null) {
          this.block.setReadOnly(statement.readOnly);
        }
        return complete('SET');
      case 'Show': {
        const rows = this.show(statement.name); // an unknown name fails before RowDescription, as in PostgreSQL
        sink.describe(this.sessionStatementColumns(statement)!);
        await sink.rows(rows);
        return complete('SHOW');
      }
      case 'Reset':
        this.report(statement.name === null ? this.variables.resetAll() : this.variables.reset(statement.name));
        this.invalidateSettings();
        return complete('RESET');
      case 'Prepare':
        await this.prepare(statement.name, statement.statement, statement.parameterTypes.map(resolveParamType));
        return complete('PREPARE');
      case 'Execute':
        return this.executeSql(statement.name, statement.params, sink);
      case 'Deallocate':
        if (statement.name === null) this.prepared.clear();
        else if (!this.prepared.delete(statement.name)) throw preparedStatementMissing(statement.name);
        return complete(statement.name === null ? 'DEALLOCATE ALL' : 'DEALLOCATE');
      case 'Discard':
        return complete(this.discard(statement.target));
      case 'Copy':
        return this.copy(statement, sink);
      case 'DeclareCursor':
        await this.declareCursor(statement);
        return complete('DECLARE CURSOR');
      case 'Fetch':
        return this.fetch(statement, sink);
      case 'CloseCursor':
        if (statement.name === null) this.cursors.clear();
        else if (this.liveCursor(statement.name) === undefined) throw cursorMissing(statement.name);
        else this.cursors.delete(statement.name);
        return complete('CLOSE CURSOR');
      default:
        void portal;
        return unreachableKind(statement.kind);
    }
  }

  private begin(isolation: string | null, readOnly: boolean | null, asOf?: AsOfClause): string {
    if (this.block.phase !== 'idle') {
      // The clause cannot apply to the transaction already running: refused, not ignored.
      if (asOf !== undefined) throw new SessionError('25001', 'there is already a transaction in progress');
      this.output.notice({ severity: 'WARNING', sqlState: '25001', message: 'there is already a transaction in progress' });
      return 'BEGIN';
    }
    this.checkIsolation(isolation, readOnly, asOf !== undefined);
    const at = asOf === undefined ? undefined : this.asOfTimestamp(asOf);
    if (at !== undefined && this.batch?.txn !== undefined) {
      throw new SessionError('25001', 'BEGIN AS OF SYSTEM TIME must come before the other statements of its transaction');
    }
    // BEGIN in an extended batch turns its implicit transaction into the block (PostgreSQL).
    const batch = this.batch;
    this.batch = undefined;
    this.block.begin(this.strictSerializable(), batch?.txn, at, readOnly ?? this.defaultReadOnly());
    if (batch?.ranDdl === true) this.block.ranDdl = true;
    return 'BEGIN';
  }

  /** default_transaction_read_only: whether a new transaction (a block's or an implicit one) is READ ONLY. */
  private defaultReadOnly(): boolean {
    return this.variables.get('default_transaction_read_only') === 'on';
  }

  /**
   * The options of an implicit transaction (a batch's or a lone statement's), made once per change of
   * the variables they come from: every statement outside a block begins one, and looking the
   * variables up (lower-casing their names) and building the object each time showed in the
   * select-only profile. Frozen: `Txn` keeps it as it is.
   */
  private implicitTxnOptions(): TxnOptions {
    this.implicitTxnOptionsCache ??= Object.freeze({ strictSerializable: this.strictSerializable(), priority: sqlTxnPriority, readOnly: this.defaultReadOnly(), implicit: true });
    return this.implicitTxnOptionsCache;
  }

  /** Whether the open block's transaction is historical (AS OF SYSTEM TIME). */
  private isHistorical(): boolean {
    return this.block.phase === 'open' && this.block.txn.fixedTimestamp !== undefined;
  }

  /**
   * `SET transaction_read_only` / `set_config('transaction_read_only', …)`: SET TRANSACTION READ
   * ONLY | READ WRITE in a block (DEFAULT: default_transaction_read_only); outside one PostgreSQL
   * accepts it and it changes nothing (the next transaction starts from the default).
   */
  private setTransactionReadOnly(text: string | null): void {
    const readOnly = text === null ? this.defaultReadOnly() : onOff(text, 'transaction_read_only') === 'on';
    this.checkIsolation(null, readOnly, this.isHistorical());
    if (this.block.phase === 'open') this.block.setReadOnly(readOnly);
  }

  /** `historical`: the transaction is AS OF SYSTEM TIME, read-only already, so READ ONLY is what it is. */
  private checkIsolation(isolation: string | null, readOnly: boolean | null, historical = false): void {
    if (readOnly === false && historical) throw new SessionError('25006', 'AS OF SYSTEM TIME transactions are read-only: READ WRITE is not allowed');
    if (isolation !== null && isolation !== 'serializable') {
      this.output.notice({
        severity: 'NOTICE',
        sqlState: '00000',
        message: `${isolation.toUpperCase()} isolation is not supported; the transaction runs as SERIALIZABLE`,
      });
    }
  }

  /**
   * SET TRANSACTION AS OF SYSTEM TIME: the block's transaction becomes historical (before its
   * first statement). Outside a block it does nothing, with PostgreSQL's warning for SET
   * TRANSACTION there; as a session default it is refused.
   */
  private setTransactionAsOf(asOf: AsOfClause, sessionDefault: boolean): void {
    if (sessionDefault) throw new SessionError('0A000', 'AS OF SYSTEM TIME cannot be a session characteristic: give it to BEGIN or SET TRANSACTION');
    const at = this.asOfTimestamp(asOf);
    if (this.block.phase === 'idle') {
      this.output.notice({ severity: 'WARNING', sqlState: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' });
      return;
    }
    this.block.setFixedTimestamp(at, this.strictSerializable());
  }

  private async endBlock(commit: boolean): Promise<string> {
    if (this.block.phase === 'idle') {
      this.output.notice({ severity: 'WARNING', sqlState: '25P01', message: 'there is no transaction in progress' });
      // In an extended batch it ends the batch's implicit transaction, as PostgreSQL does.
      if (commit) await this.commitBatch();
      else await this.abortBatch();
      return commit ? 'COMMIT' : 'ROLLBACK';
    }
    const ranDdl = this.block.ranDdl;
    let committed = false;
    try {
      if (!commit) {
        await this.block.rollback();
        this.afterCommit = [];
        return 'ROLLBACK';
      }
      const wasCommitted = this.block.phase === 'committed';
      const tag = await this.block.commit().catch((error: unknown) => {
        this.afterCommit = [];
        throw error;
      });
      committed = tag === 'COMMIT';
      if (tag === 'ROLLBACK') this.afterCommit = [];
      else if (!wasCommitted) this.committed(this.block.lastCommitWaitNanos);
      return tag;
    } finally {
      this.endOfBlock(ranDdl, committed);
    }
  }

  /**
   * The block ended: SET LOCAL undone (and every SET of the block, unless it committed), portals
   * dropped, other sessions' plans invalidated by DDL.
   */
  private endOfBlock(ranDdl: boolean, committed: boolean): void {
    for (const [name, value] of this.localUndo) this.report(this.variables.restore(name, value));
    if (!committed) for (const [name, value] of this.blockUndo) this.report(this.variables.restore(name, value));
    this.localUndo.clear();
    this.blockUndo.clear();
    this.invalidateSettings();
    this.portals.clear();
    if (ranDdl) this.deps.catalogVersion.value += 1;
  }

  /** Puts every variable back to `saved` (a SET after a savepoint is undone by a rollback to it). */
  private restoreVariables(saved: ReadonlyMap<string, string>): void {
    if (saved.size === 0) return; // cockroach_restart re-added after a failed RELEASE: nothing kept
    const current = this.variables.snapshot();
    for (const [name, value] of current) {
      const before = saved.get(name);
      // A custom variable first set after it stays defined, empty (PostgreSQL keeps the placeholder).
      if (before === undefined) this.report(this.variables.restore(name, ''));
      else if (before !== value) this.report(this.variables.restore(name, before));
    }
    for (const [name, value] of saved) if (!current.has(name)) this.report(this.variables.restore(name, value));
    this.invalidateSettings();
  }

  private set(name: string, values: readonly Expr[] | null, local: boolean): void {
    if (name === 'transaction_isolation') {
      this.checkIsolation(values === null ? null : settingText(values[0]!), null);
      return;
    }
    if (name.toLowerCase() === 'transaction_read_only') {
      this.setTransactionReadOnly(values === null ? null : values.map(settingText).join(', '));
      return;
    }
    if (local && this.block.phase === 'idle') {
      this.output.notice({ severity: 'WARNING', sqlState: '25P01', message: 'SET LOCAL can only be used in transaction blocks' });
      return;
    }
    this.setText(name, values === null ? null : values.map(settingText).join(', '), local);
  }

  /**
   * `set_config(name, value, is_local)`: SET [LOCAL] from a query; returns the value as SHOW
   * prints it. A local one outside a block lasts until the statement's implicit transaction
   * ends, as in PostgreSQL (kysely's migrator sets lock_timeout so, in a CTE).
   */
  private setConfig(name: string, value: string, isLocal: boolean): string {
    if (name.toLowerCase() === 'transaction_isolation') {
      this.checkIsolation(value, null);
      return this.variables.get(name);
    }
    if (name.toLowerCase() === 'transaction_read_only') {
      this.setTransactionReadOnly(value);
      return this.transactionReadOnly();
    }
    if (isLocal && this.block.phase === 'idle') {
      const key = name.toLowerCase();
      if (!this.statementUndo.has(key)) this.statementUndo.set(key, this.variables.find(name) ?? (key.includes('.') ? '' : this.variables.get(name)));
      this.setVariable(name, value);
    } else {
      this.setText(name, value, isLocal);
    }
    return this.variables.get(name);
  }

  /** SET [LOCAL] `name` to `text` (RESET when null), remembered for the block's undo. */
  private setText(name: string, text: string | null, local: boolean): void {
    const key = name.toLowerCase();
    // A custom variable (`my.x`) not set before is undone to '' (PostgreSQL keeps its placeholder).
    const before = this.variables.find(name) ?? (key.includes('.') ? '' : undefined);
    if (text === null) this.report(this.variables.reset(name));
    else this.setVariable(name, text);
    if (before === undefined || (this.block.phase === 'idle' && this.batch === undefined)) return;
    if (local) {
      if (!this.localUndo.has(key)) this.localUndo.set(key, before);
    } else if (!this.blockUndo.has(key)) {
      // The value the block started with: what a SET LOCAL saved, else the value before this SET.
      this.blockUndo.set(key, this.localUndo.get(key) ?? before);
      this.localUndo.delete(key);
    } else {
      this.localUndo.delete(key);
    }
  }

  private setVariable(name: string, value: string): void {
    if (name.toLowerCase() === 'session_authorization' && value !== this.identity.user) {
      throw notSupported('SET SESSION AUTHORIZATION to another user');
    }
    this.report(this.variables.set(name, value));
    this.invalidateSettings();
  }

  private show(name: string): string[][] {
    const key = name.toLowerCase();
    if (key === 'all') return this.variables.all().map((row) => (row[0] === 'transaction_read_only' ? [row[0], this.transactionReadOnly(), row[2]] : [...row]));
    if (computedVariables.has(key)) return [[formatNanosAsInterval(this.lastCommitWaitNanos)]];
    if (key === 'transaction_read_only') return [[this.transactionReadOnly()]];
    return [[this.variables.get(key)]];
  }

  /**
   * SHOW transaction_read_only: the open block's transaction's mode — `on` for READ ONLY and for
   * AS OF SYSTEM TIME — else the default a statement's own transaction starts with.
   */
  private transactionReadOnly(): string {
    if (this.block.phase === 'open') return this.block.txn.isReadOnly ? 'on' : 'off';
    return this.variables.get('default_transaction_read_only');
  }

  /** After any change of the variables: report what changed (GUC_REPORT) and drop what was derived from them. */
  private report(changes: readonly ReportedChange[]): void {
    this.invalidateSettings();
    for (const change of changes) this.output.parameterStatus(change.name, change.value);
  }

  private invalidateSettings(): void {
    this.settingsCache = undefined;
    this.textContextCache = undefined;
    this.statementTimeoutMsCache = undefined;
    this.strictSerializableCache = undefined;
    this.implicitTxnOptionsCache = undefined;
  }

  private discard(target: 'all' | 'plans' | 'sequences' | 'temp'): string {
    switch (target) {
      case 'all':
        if (this.block.phase !== 'idle') throw new SessionError('25001', 'DISCARD ALL cannot run inside a transaction block');
        this.prepared.clear();
        this.portals.clear();
        this.report(this.variables.resetAll());
        this.invalidateSettings();
        this.services?.sequenceValues.clear();
        return 'DISCARD ALL';
      case 'plans':
        for (const statement of this.prepared.values()) statement.plan = undefined;
        return 'DISCARD PLANS';
      case 'sequences':
        this.services?.sequenceValues.clear();
        return 'DISCARD SEQUENCES';
      case 'temp':
        return 'DISCARD TEMP';
    }
  }

  /** SQL EXECUTE: the prepared statement with constant parameters, its tag as its own. */
  // ───────────────────────────── cursors ─────────────────────────────

  /** The cursor `name` if it was declared in the block's current transaction. */
  private liveCursor(name: string): { readonly portal: Portal; readonly txn: Txn; readonly serial: number } | undefined {
    const cursor = this.cursors.get(name);
    if (cursor === undefined) return undefined;
    if (this.block.phase !== 'open' || this.block.txn !== cursor.txn) {
      this.cursors.delete(name);
      return undefined;
    }
    return cursor;
  }

  /** DECLARE: plans the query in the block's transaction; its rows are pulled by FETCH. */
  private async declareCursor(statement: Extract<Statement, { kind: 'DeclareCursor' }>): Promise<void> {
    if (statement.hold) throw new SessionError('0A000', 'DECLARE CURSOR WITH HOLD is not supported');
    if (statement.scroll) throw new SessionError('0A000', 'DECLARE SCROLL CURSOR is not supported');
    if (statement.binary) throw new SessionError('0A000', 'DECLARE BINARY CURSOR is not supported');
    if (this.block.phase !== 'open') throw new SessionError('25P01', 'DECLARE CURSOR can only be used in transaction blocks');
    if (statement.query.kind !== 'QueryStatement') throw new SessionError('42601', 'DECLARE CURSOR must be a SELECT or VALUES query');
    // A cursor's rows are pulled later, FETCH by FETCH: its writes would have no statement to run in (PostgreSQL refuses them too).
    if (statement.query.query.with?.ctes.some((cte) => isDataModifying(cte.query)) === true) throw new SessionError('0A000', 'DECLARE CURSOR must not contain data-modifying statements in WITH');
    if (this.liveCursor(statement.name) !== undefined) throw new SessionError('42P03', `cursor "${statement.name}" already exists`);
    if (this.cursors.size >= limits.sqlPortalsMax) throw new SessionError('54000', 'too many cursors');
    const prepared = await this.makeStatement('', statement.query, []);
    this.block.ranStatement = true;
    this.cursorsDeclared += 1;
    this.cursors.set(statement.name, { portal: { name: statement.name, statement: prepared, params: [], resultFormats: [], execution: undefined, done: false }, txn: this.block.txn, serial: this.cursorsDeclared });
  }

  /**
   * FETCH [FORWARD] n | ALL (and MOVE): the cursor's next rows, pulled through its portal as an
   * Execute with a row limit pulls them; a RowDescription of the query's columns each time
   * and the tag `FETCH n` (`MOVE n`) for the rows this statement took.
   */
  private async fetch(statement: Extract<Statement, { kind: 'Fetch' }>, sink: RowSink): Promise<ExecuteOutcome> {
    const cursor = this.liveCursor(statement.name);
    if (cursor === undefined) throw cursorMissing(statement.name);
    if (!statement.forward || statement.count === 0) throw new SessionError('0A000', 'cursor can only scan forward');
    const portal = cursor.portal;
    const columns = portal.statement.columns ?? portal.statement.plan?.columns ?? [];
    if (!statement.move) sink.describe(columns);
    let taken = 0;
    const counted: RowSink = {
      describe: () => undefined,
      rows: (rows) => {
        taken += rows.length;
        return statement.move ? undefined : sink.rows(rows);
      },
      copyOutBegin: (columnCount, format) => sink.copyOutBegin(columnCount, format),
      copyOutData: (lines) => sink.copyOutData(lines),
    };
    if (!portal.done) await this.runEngine(portal, statement.count ?? 0, counted);
    return complete(`${statement.move ? 'MOVE' : 'FETCH'} ${taken}`);
  }

  private async executeSql(name: string, paramExprs: readonly Expr[], sink: RowSink): Promise<ExecuteOutcome> {
    const statement = this.statement(name);
    if (paramExprs.length !== statement.paramTypes.length) {
      throw new SessionError('42601', `wrong number of parameters for prepared statement "${name}"`, 'input', `Expected ${statement.paramTypes.length} parameters but got ${paramExprs.length}.`);
    }
    const params = paramExprs.map((expr, i) => {
      const text = constantText(expr);
      return text === null ? null : parseText(statement.paramTypes[i]!, text, this.textContext());
    });
    const inner: Portal = { name: '', statement, params, resultFormats: [], execution: undefined, done: false };
    const innerStatement = statement.statement;
    if (innerStatement === undefined) return { kind: 'empty' };
    if (sessionKinds.has(innerStatement.kind)) return this.runSessionStatement(inner, innerStatement, sink);
    return this.runEngine(inner, 0, sink);
  }

  // ───────────────────────────── COPY ─────────────────────────────

  /** What COPY needs of the session (copy-statement.ts). */
  private copyHost(): CopyHost {
    return {
      prepareUnnamed: (statement) => this.prepareUnnamed(statement),
      inTransaction: (fn) => {
        if (this.block.phase === 'open') {
          this.block.ranStatement = true;
          return fn(this.block.txn);
        }
        if (this.batch !== undefined) return fn(this.batchTxn(this.batch));
        return this.withImplicitTxn(() => false, async (txn) => ({ outcome: await fn(txn), commit: true }));
      },
      planFor: (statement, txn) => this.planFor(statement, txn),
      runQuery: (portal, sink) => this.runEngine(portal, 0, sink),
      settings: () => this.settings(),
      textContext: () => this.textContext(),
      cancel: this.cancelSignal,
    };
  }

  private async copy(statement: Extract<Statement, { kind: 'Copy' }>, sink: RowSink): Promise<ExecuteOutcome> {
    // Refused before CopyInResponse, as PostgreSQL does, not after the client sent its data.
    if (statement.direction === 'from stdin' && this.block.phase === 'open' && this.block.txn.isReadOnly) {
      throw new SessionError('25006', 'cannot execute COPY FROM in a read-only transaction');
    }
    const started = await startCopy(statement, this.copyHost(), sink);
    if (started.kind === 'copyIn') {
      this.copyIn = started.copyIn;
      return { kind: 'copyIn', columnCount: started.copyIn.columnCount, format: started.copyIn.format };
    }
    return complete(started.tag);
  }

  /** CopyData during COPY FROM STDIN. */
  copyData(data: Uint8Array): void {
    const copyIn = this.copyIn;
    assert(copyIn !== undefined, 'CopyData outside COPY');
    try {
      copyIn.data(data);
    } catch (error) {
      this.copyIn = undefined;
      this.block.fail(error);
      throw error;
    }
  }

  /** CopyFail: the client gave up; the COPY fails with its reason. */
  copyFail(reason: string): never {
    this.copyIn = undefined;
    const error = new SessionError('57014', `COPY from stdin failed: ${reason}`);
    this.block.fail(error);
    throw error;
  }

  get inCopy(): boolean {
    return this.copyIn !== undefined;
  }

  /** CopyDone: parses the input and inserts it (one transaction, retried as a whole). */
  async copyDone(): Promise<string> {
    const copyIn = this.copyIn;
    assert(copyIn !== undefined, 'CopyDone outside COPY');
    this.copyIn = undefined;
    this.running = true;
    this.cancelReason = undefined;
    try {
      return await this.guard(undefined, () => copyIn.finish(this.copyHost()));
    } finally {
      this.running = false;
    }
  }
}

/**
 * The startup `options` parameter (PGOPTIONS): `-c name=value` and `--name=value`, separated by
 * spaces, a backslash escaping the next character. Other switches are refused (0A000).
 */
export function parseStartupOptions(options: string): [string, string][] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < options.length; i++) {
    const c = options[i]!;
    if (c === '\\' && i + 1 < options.length) word += options[++i];
    else if (/\s/.test(c)) {
      if (word !== '') words.push(word);
      word = '';
    } else word += c;
  }
  if (word !== '') words.push(word);
  const settings: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    const setting = words[i] === '-c' ? words[++i] : words[i]!.startsWith('--') ? words[i]!.slice(2) : words[i]!.startsWith('-c') ? words[i]!.slice(2) : undefined;
    const equals = setting?.indexOf('=') ?? -1;
    if (setting === undefined || equals <= 0) throw notSupported(`startup option "${words[i] ?? ''}"`);
    settings.push([setting.slice(0, equals).replace(/-/g, '_'), setting.slice(equals + 1)]);
  }
  return settings;
}

/**
 * The variables a statement sees (`current_setting`), with those that follow the transaction
 * rather than a SET (transaction_read_only) read when asked: the settings object is cached
 * across transactions and remade only when a variable changes, not at each BEGIN.
 */
class LiveVariables extends Map<string, string> {
  constructor(
    values: ReadonlyMap<string, string>,
    private readonly live: (name: string) => string | undefined,
  ) {
    super(values);
  }

  override get(name: string): string | undefined {
    return this.live(name) ?? super.get(name);
  }
}

function textColumn(name: string): ResultColumn {
  return Object.freeze({ name, type: textType, tableOid: 0, columnNumber: 0 });
}

function sameColumns(a: readonly ResultColumn[] | undefined, b: readonly ResultColumn[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((column, i) => column.type.oid === b[i]!.type.oid && column.name === b[i]!.name);
}

function resolveParamType(typeName: TypeName): SqlType {
  const modifiers = typeName.modifiers.map((expr) => Number(constantText(expr)));
  return resolveTypeName({ names: typeName.names, modifiers, arrayDimensions: typeName.arrayBounds.length }).type;
}

/** `00:00:00.001234`: an interval's text, for SHOW last_commit_wait. */
function formatNanosAsInterval(nanos: bigint): string {
  const micros = nanos / 1000n;
  const seconds = micros / 1_000_000n;
  const fraction = String(micros % 1_000_000n).padStart(6, '0');
  const hh = String(seconds / 3600n).padStart(2, '0');
  const mm = String((seconds / 60n) % 60n).padStart(2, '0');
  const ss = String(seconds % 60n).padStart(2, '0');
  return `${hh}:${mm}:${ss}${micros % 1_000_000n === 0n ? '' : `.${fraction.replace(/0+$/, '')}`}`;
}

function unreachableKind(kind: string): never {
  return assertNever(kind as never, 'session statement kind');
}

