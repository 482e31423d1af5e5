/**
 * # sql/session — sessions and the pgwire connection state machine
 *
 * Between the wire codec (sql/pgwire: bytes ⇄ messages) and the engine (sql/exec/contract.ts:
 * statement ⇒ plan ⇒ rows) sits what PostgreSQL calls a backend and CockroachDB a connExecutor:
 *
 * ```
 *  socket ─► Connection (connection.ts) ─────────────────────► Session (session.ts) ──► SqlEngine
 *            startup, SSL 'S'/'N', trust/SCRAM auth,                 variables.ts (SET/SHOW, GUC_REPORT)
 *            ParameterStatus, BackendKeyData,                    transaction.ts (idle/open/aborted/
 *            simple query (several statements, empty,              committed; cockroach_restart)
 *            errors stop the rest), extended query               prepared statements + portals,
 *            (Parse/Bind/Describe/Execute/Close/Flush/Sync,        plans cached per catalog version
 *            skip-until-Sync), COPY sub-protocol                 implicit txns retried server-side
 *  socket ◄─ BackendMessageWriter: one write per flush           copy.ts (text/CSV in and out),
 *                                                                copy-statement.ts (COPY as
 *                                                                  INSERT/SELECT via the engine)
 * ```
 *
 * `statements.ts` holds the shared data (prepared statements, portals, row sinks);
 * `wire-format.ts` turns datums into DataRow fields and Bind parameters into datums.
 *
 * ## Transactions
 *
 * A statement outside a block runs in its own implicit transaction, committed when its last row
 * is pulled; several statements of one simple Query share one, committed after the last (the
 * extended protocol's batch, below). Retryable errors (40001) are retried by the server with a restarted transaction
 * (new epoch, or a new transaction after an abort), backing off on the injected timers, for as
 * long as no row of the statement reached the client: the first `sqlResultRetryBufferRowsMax`
 * rows are held back to widen that window.
 *
 * In the extended protocol every Execute up to Sync runs in one implicit transaction, committed
 * at Sync (PostgreSQL's rule, which pipelining drivers and JDBC batches rely on): an error rolls
 * the whole batch back and skips to Sync; BEGIN inside it makes it a block, COMMIT / ROLLBACK end
 * it with a warning. The connection holds the batch's output back until Sync, Flush or
 * `sqlConnectionFlushBytes`, so a retryable error anywhere in the batch, its commit included,
 * restarts the transaction and runs the batch's Executes again, replacing their held output
 * (CockroachDB rewinds its statement buffer the same way) — only while none of it reached the
 * client and every statement in it can run twice (not transaction control, PREPARE or COPY).
 *
 * Inside BEGIN … COMMIT the client sees 40001 (with the
 * KV retry reason in the message) and may restart with `ROLLBACK TO SAVEPOINT cockroach_restart`
 * (or any savepoint taken before the block's first statement). Other savepoints are
 * PostgreSQL's: `ROLLBACK TO SAVEPOINT s` undoes the writes since `s` (the KV transaction ignores
 * their sequence numbers, CockroachDB's partial rollback) and reopens a failed block;
 * `RELEASE SAVEPOINT cockroach_restart` commits early. COMMIT of a failed block answers
 * ROLLBACK. READ COMMITTED and REPEATABLE READ are accepted and run SERIALIZABLE (a NOTICE says
 * so). `strict_serializable = on` turns on commit wait; `SHOW last_commit_wait` reports the last
 * commit's wait.
 *
 * ## AS OF SYSTEM TIME (historical reads)
 *
 * CockroachDB's clause, carried on the statement by the parser (sql/parser/as-of-clause.ts), is
 * evaluated here when the statement runs (as-of.ts: a negative interval, a timestamp, nanoseconds
 * or an HLC decimal, against the node's clock). A statement with it runs in a read-only KV
 * transaction of its own at that fixed timestamp — planned, too, against the catalog of then;
 * `BEGIN` / `SET TRANSACTION AS OF SYSTEM TIME` make the block such a transaction, and a
 * statement's clause inside a block must name the block's time. Writes, locking reads, DDL and
 * nextval are 25006 (read-only.ts names the command).
 *
 * ## TLS
 *
 * With TLS configured (src/node/sql-server.ts) an SSLRequest is answered 'S' and the connection
 * asks its listener to run the handshake (`ConnectionIo.startTls`) before it reads the startup
 * packet; when TLS is required a StartupMessage that came in the clear is refused with 28000.
 * Without TLS the answer is 'N' and the client goes on in the clear or gives up (`sslmode`).
 *
 * ## Plans
 *
 * Parse plans once (`SqlEngine.prepare`) in the open block's transaction or a short read-only
 * one; Bind/Execute reuse the plan until the node's `CatalogVersion` moves — every DDL statement
 * (`PreparedStatement.isDdl`) bumps it, in any session — and then prepare it again in the
 * executing transaction.
 *
 * ## What is not here (yet)
 *
 * - Client certificates (TLS authenticates the server only); cleartext and MD5 passwords; users
 *   from the catalog (the listener is configured with trust or a map of SCRAM verifiers).
 * - READ ONLY transactions other than AS OF SYSTEM TIME's; RESET inside a block that then rolls back is kept (a SET there is
 *   undone, as in PostgreSQL, and so is one after a savepoint by ROLLBACK TO it).
 * - Binary COPY; DateStyle/IntervalStyle other than `ISO, MDY` / `postgres`; client encodings
 *   other than UTF8; `idle_in_transaction_session_timeout` and `lock_timeout` are accepted and
 *   shown but not enforced.
 */
export { Connection, errorFields, type AuthenticationMethod, type ConnectionDeps, type ConnectionIo } from './connection.js';
export { Session, type CatalogVersion, type ExecuteOutcome, type RowSink, type SessionDeps, type SessionIdentity, type SessionOutput } from './session.js';
export { SessionError } from './errors.js';
export { SessionVariables, serverVersion, serverVersionNum } from './variables.js';
