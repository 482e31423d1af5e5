/**
 * # sql/exec: running statements
 *
 * The engine behind the session/engine seam (`contract.ts`): `createSqlEngine(deps)` gives the
 * `SqlEngine` the session calls — `prepare` a parsed statement in a transaction, `run` it with
 * parameters, pull its rows.
 *
 * ```
 *   Statement ──planStatement (statements.ts)──► StatementPlan ──execute(Runtime)──► rows, tag, notices
 *     │ query       sql/plan: planner → plan tree ──► operators.ts: one pulled RowSource per node
 *     │ INSERT/UPDATE/DELETE   dml.ts: read all affected rows, then row-writer.ts (batched KV writes)
 *     │ WITH d AS (DELETE …)   modifying-ctes.ts: data-modifying WITH queries run first, once each
 *     │ DDL         ddl-*.ts: sql/catalog descriptors, in the same transaction
 *     └ admin       admin.ts → admin-split.ts (SPLIT AT, UNSPLIT), admin-ranges.ts (SHOW RANGES,
 *                   FOR ROW, SCATTER, RELOCATE), admin-settings.ts (cluster settings)
 * ```
 *
 * ## Choices
 *
 * - **Pulled batches.** Every operator is a `RowSource` whose `next()` gives a batch of rows
 *   (Volcano with batches): the session pulls as the client asks, so `LIMIT` or a suspended
 *   portal reads no more than needed; scans page through the KV store with a growing key limit.
 *   Only Sort, Aggregate, the inner side of a nested-loop Join and set operations materialize.
 * - **DML reads first, then writes.** An UPDATE or DELETE reads every affected row before its
 *   first write, an INSERT … SELECT its whole source: a statement never sees its own writes (the
 *   Halloween problem) and the writes go out in few large `Txn.batch` calls. Deletes of a
 *   statement are sent before its puts, so uniqueness is checked at the end of the statement.
 * - **Uniqueness in the store.** Primary keys and unique index entries are written with a
 *   conditional put expecting no value; a `ConditionFailedError` is mapped back to the constraint
 *   and its key for PostgreSQL's 23505 `duplicate key value violates unique constraint "t_pkey"`
 *   / `Key (id)=(1) already exists.`
 * - **Plans are cached with their catalog version.** `run` re-reads the version token (one point
 *   read) and re-plans if a DDL changed the catalog since `prepare`.
 * - **Sequences are not transactional** (PostgreSQL's rule): `nextval` is a non-transactional
 *   KV increment of the sequence's counter; a rolled-back INSERT leaves a gap.
 * - **After commit.** CREATE TABLE returns `afterCommit`, which splits off the new table's range
 *   once the transaction committed (the session runs it; a failure is logged).
 *
 * ## Not yet
 *
 * Partial, expression and INCLUDE indexes; WITH ORDINALITY;
 * changing again rows of a table a data-modifying CTE of the statement changes (0A000; reads
 * of it read the statement's snapshot: modifying-ctes.ts); spilling sorts and hash tables to disk (53200 past `distsql_workmem`
 * instead); a merge queue (UNSPLIT merges at once; SPLIT AT … WITH EXPIRATION is refused);
 * SCATTER/RELOCATE across stores. test/logic/known-differences.md lists the SQL that answers
 * otherwise than PostgreSQL 15, each with its reason.
 */
export * from './contract.js';
export { createSqlEngine } from './engine.js';
export { SqlError } from '../catalog/errors.js';
