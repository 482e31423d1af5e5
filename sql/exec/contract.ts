/**
 * The seam between the session (sql/session: the wire protocol's view — connections, the
 * transaction state machine, prepared statements and portals) and the engine (sql/catalog,
 * sql/plan, sql/exec: what a statement means and how it runs).
 *
 * ```
 *   pgwire connection ─► Session ── statement + params ──► SqlEngine.prepare ─► PreparedStatement
 *                          │ owns the Txn (explicit,                            │ paramTypes, columns
 *                          │ or implicit and retried)                            ▼
 *                          └──────────── run(ctx with the Txn) ───────────► StatementResult
 *                                                                              rows (pulled), tag
 * ```
 *
 * The session handles transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK
 * TO), session variables (SET, SHOW, RESET of session variables), PREPARE/EXECUTE/DEALLOCATE,
 * DISCARD and COPY framing; the engine handles everything else: queries, DML, DDL, EXPLAIN,
 * admin statements, SHOW of cluster-level things (ranges, cluster settings) and virtual tables.
 *
 * Rules of the seam:
 * - `prepare` reads the catalog in the transaction it is given (DDL is transactional), and may
 *   be called again for the same statement when the catalog changed (plans are cached per
 *   prepared statement with the catalog version they were planned against).
 * - `run` executes in `ctx.txn`. Errors are `RangedbError`s with a SQLSTATE; retryable KV errors
 *   (40001) are passed up unchanged: the session retries implicit transactions itself.
 * - Rows are pulled: the session asks for rows as the client asks (Execute with a row limit
 *   suspends the portal), so a result must not be materialized unless the plan needs it (sort).
 * - A row is an array of datums in `columns` order; the engine never encodes wire formats.
 */
import type { Sender } from '../../kv/api/index.js';
import type { Timestamp } from '../../clock/timestamp.js';
import type { Logger } from '../../src/base/logger.js';
import type { Txn, TxnDeps } from '../../txn/index.js';
import type { AdvisoryLockOwner, AdvisoryLockTable } from './advisory-locks.js';
import type { Statement } from '../parser/ast.js';
import type { Datum } from '../types/datum.js';
import type { SqlType } from '../types/sql-type.js';

/** A column of a result, with what RowDescription needs. */
export interface ResultColumn {
  readonly name: string;
  readonly type: SqlType;
  /** The OID of the table the column comes from, or 0. */
  readonly tableOid: number;
  /** The column's attribute number in that table, or 0. */
  readonly columnNumber: number;
}

/** The session variables the engine reads (the session owns and validates them). */
export interface SessionSettings {
  readonly database: string;
  readonly searchPath: readonly string[];
  readonly user: string;
  readonly applicationName: string;
  /** `UTC`, a fixed offset, or an IANA zone name, as `SET TIME ZONE` accepted it. */
  readonly timeZone: string;
  readonly dateStyle: string;
  readonly intervalStyle: string;
  readonly extraFloatDigits: number;
  /** Every session variable by name, for SHOW and `current_setting()`. */
  readonly all: ReadonlyMap<string, string>;
}

/** Cancellation of a running statement (CancelRequest, statement_timeout): checked between batches. */
export interface CancelSignal {
  /** Throws the cancellation error (57014 query_canceled) if the statement was cancelled. */
  throwIfCancelled(): void;
}

export interface PrepareContext {
  /** The transaction to read the catalog in. */
  readonly txn: Txn;
  readonly settings: SessionSettings;
  /** Types the client declared for $1…$n (Parse), undefined where it left them to inference. */
  readonly paramTypeHints: readonly (SqlType | undefined)[];
}

export interface RunContext {
  readonly txn: Txn;
  readonly settings: SessionSettings;
  /** $1…$n, already converted to the types `PreparedStatement.paramTypes` says. */
  readonly params: readonly Datum[];
  readonly cancel: CancelSignal;
  /** What the session offers a statement beyond its transaction; absent where no session runs it. */
  readonly session?: SessionServices;
}

/**
 * The session's side of functions with session-wide effects: advisory locks (held past the
 * statement) and `set_config` (a SET from inside a query). A statement calling one without a
 * session (an engine-only test) fails with 0A000.
 */
export interface SessionServices {
  readonly advisoryLocks: AdvisoryLockOwner;
  /** `set_config(name, value, is_local)`: SET [LOCAL] name = value; returns the new value as SHOW prints it. */
  setConfig(name: string, value: string, isLocal: boolean): string;
  /** The session's lock_timeout in ms (0: wait without limit). */
  lockTimeoutMs(): number;
  /** A notice for the client (PostgreSQL's WARNING of an unlock of a lock not held). */
  notice(notice: Notice): void;
  /**
   * The last value nextval / setval gave per sequence id in this session, for currval: kept
   * across transactions and SETs, emptied by DISCARD SEQUENCES / DISCARD ALL.
   */
  readonly sequenceValues: Map<number, bigint>;
}

/**
 * A statement's rows, pulled in order. `takeReady`, when the iterator has it, hands out rows that
 * are all computed already (a point lookup's, point-lookup.ts) without a promise per row: the
 * next `count` of them at most, exactly what as many `next()` calls would have answered, in
 * order, advancing the same position; `readyCount` is how many are left. Iterators whose rows
 * come from operators do not have them (rows there are only known by pulling).
 */
export interface ResultRowIterator extends AsyncIterator<readonly Datum[]> {
  readonly readyCount?: number;
  takeReady?(count: number): readonly (readonly Datum[])[];
}

export interface StatementResult {
  /** Undefined for a statement that returns no rows (no RowDescription; e.g. CREATE TABLE). */
  readonly columns: readonly ResultColumn[] | undefined;
  /** The rows, pulled in order; empty for a statement without columns. */
  readonly rows: ResultRowIterator;
  /**
   * The command tag once every row was pulled (`SELECT 3`, `INSERT 0 5`, `UPDATE 2`,
   * `CREATE TABLE`): a function because a row count is known only at the end.
   */
  tag(): string;
  /** Notices the statement raised (e.g. `relation "t" already exists, skipping`). */
  readonly notices: readonly Notice[];
  /**
   * Optional work for the session to run once the statement's transaction has committed, and
   * only then (CREATE TABLE splits off the new table's range). Failures are the engine's to log;
   * it never throws. Absent for most statements.
   */
  readonly afterCommit?: () => Promise<void>;
}

export interface Notice {
  readonly severity: 'NOTICE' | 'WARNING' | 'INFO' | 'DEBUG' | 'LOG';
  readonly sqlState: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

export interface PreparedStatement {
  readonly statement: Statement;
  /** The type of each parameter, hinted or inferred (unknown ones default to text). */
  readonly paramTypes: readonly SqlType[];
  /** The result columns, known before running (Describe), or undefined if it returns no rows. */
  readonly columns: readonly ResultColumn[] | undefined;
  /** Whether running it changes the catalog (the session then drops cached plans). */
  readonly isDdl: boolean;
  run(ctx: RunContext): Promise<StatementResult>;
}

/** What the engine needs from its node. */
export interface SqlEngineDeps {
  /** The KV sender (DistSender) transactions and admin requests go through. */
  readonly db: Sender;
  readonly txnDeps: TxnDeps;
  /** Where the engine logs what it cannot report to a client (a failed post-commit split). Optional. */
  readonly logger?: Logger;
  /**
   * The node's view of the ranges it holds (sizes from MVCC stats, leaseholders), for `SHOW
   * RANGES … WITH DETAILS` and `SHOW RANGE … FOR ROW`. Optional: without it those columns are
   * NULL. An interface so that sql/ never imports kv/replica (the node implements it over its
   * Store: src/node/sql-engine.ts).
   */
  readonly ranges?: NodeRangeStatus;
  /**
   * Whether prepared point lookups have their catalog version confirmed by a shared fence read
   * (sql/catalog/version-fence.ts) instead of reading it each. Default on; the fence assumes one
   * hybrid clock for every SQL gateway (one node).
   */
  readonly catalogFence?: boolean;
  /**
   * How far ahead the fence leases the catalog version (version-fence.ts, Lease): statements
   * inside a lease read no version token at all; a DDL's commit waits out at most this long.
   * Default `catalogLeaseNanosDefault`; 0: no lease, the fence reads at its statements' times.
   */
  readonly catalogLeaseNanos?: bigint;
}

/** What one node knows about a range it holds a replica of, read from that replica's state. */
export interface RangeStatus {
  /** The node holding the range's lease, or null while no lease is known. */
  readonly leaseholderNodeId: number | null;
  /** The range's MVCC statistics (kv/storage/mvcc/stats.ts), exact, as of the replica's applied state. */
  readonly keyBytes: number;
  readonly valBytes: number;
  readonly liveBytes: number;
  readonly liveCount: number;
  readonly keyCount: number;
  readonly valCount: number;
  readonly intentBytes: number;
  readonly intentCount: number;
  /**
   * The range's GC threshold (kv/replica/gc-queue.ts: reads at or below it are refused with
   * 72000) as `seconds.nanoseconds,logical` (formatTimestamp), or absent where the node does not know it.
   */
  readonly gcThreshold?: string;
}

/** The ranges one node holds, by range id (the node's stores, read locally: no RPC). */
export interface NodeRangeStatus {
  readonly nodeId: number;
  /** The node's `--locality` as CockroachDB prints it (`region=us-east1,zone=a`), or '' without one. */
  readonly locality: string;
  /** The range's status on this node, or undefined if the node has no replica of it. */
  rangeStatus(rangeId: number): RangeStatus | undefined;
}

export interface SqlEngine {
  /**
   * Plans `statement` (not a transaction-control or session-variable statement: those are the
   * session's). Throws a `RangedbError` with the SQLSTATE PostgreSQL would give (42P01 undefined
   * table, 42703 undefined column, 42804 datatype mismatch, 0A000 not supported, …).
   */
  prepare(statement: Statement, ctx: PrepareContext): Promise<PreparedStatement>;
  /** Creates the system database objects on first start (defaultdb, postgres, public schemas). Idempotent. */
  bootstrap(txn: Txn): Promise<void>;
  /** The node's advisory lock manager (sessions take an owner handle on it); absent in test engines. */
  readonly advisoryLocks?: AdvisoryLockTable;
  /**
   * The oldest timestamp an open transaction of this engine may read at (reader-horizon.ts), or
   * undefined: the node holds the store's GC threshold below it. Absent in test engines.
   */
  readonly oldestReaderTimestamp?: () => Timestamp | undefined;
}
