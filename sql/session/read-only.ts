/**
 * What a read-only transaction may not run — BEGIN READ ONLY / SET TRANSACTION READ ONLY /
 * default_transaction_read_only, and the historical ones (AS OF SYSTEM TIME), all `Txn.isReadOnly`
 * — named as PostgreSQL names it in `cannot execute <what> in a read-only transaction` (25006):
 * INSERT, UPDATE, DELETE, SELECT FOR UPDATE / FOR SHARE (a lock is a write), DDL, TRUNCATE,
 * and the admin statements that change the cluster (SPLIT AT, SET CLUSTER SETTING, …).
 * Queries, EXPLAIN (without ANALYZE of a write), VACUUM / ANALYZE (no-ops here) and SHOW pass.
 *
 * The check is made by the session on the plan's statement before it runs, so the client gets
 * the statement's name; the coordinator's own guard (txn.ts `ReadOnlyTransactionError`) stays
 * behind it for any write that would slip through. COPY FROM is refused by the session before
 * it starts, and nextval / setval, which write outside the transaction, check for themselves
 * (sql/exec/engine.ts).
 */
import type { Query, Statement } from '../parser/ast.js';

/** The command `statement` runs if it would write, or undefined if a read-only transaction may run it. */
export function readOnlyViolation(statement: Statement, isDdl: boolean): string | undefined {
  switch (statement.kind) {
    case 'QueryStatement':
      return lockingClause(statement.query);
    case 'Insert':
    case 'Update':
    case 'Delete':
      return statement.kind.toUpperCase();
    case 'Explain':
      return statement.analyze ? readOnlyViolation(statement.statement, false) : undefined;
    case 'Truncate':
      return 'TRUNCATE TABLE';
    case 'Vacuum':
    case 'Analyze':
    case 'ShowRanges':
    case 'ShowRangeForRow':
    case 'ShowClusterSetting':
      return undefined;
    default:
      return isDdl || !isSessionKind(statement) ? commandName(statement.text) : undefined;
  }
}

/** `SELECT FOR UPDATE` / `SELECT FOR SHARE` (PostgreSQL's names) when the query locks rows. */
function lockingClause(query: Query): string | undefined {
  const locking = query.locking[0];
  if (locking === undefined) return query.kind === 'SetOperation' ? (lockingClause(query.left) ?? lockingClause(query.right)) : undefined;
  return `SELECT FOR ${locking.strength.toUpperCase()}`;
}

const sessionKinds: ReadonlySet<Statement['kind']> = new Set(['Begin', 'Commit', 'Rollback', 'Savepoint', 'ReleaseSavepoint', 'RollbackToSavepoint', 'SetVariable', 'SetTransaction', 'Show', 'Reset', 'Prepare', 'Execute', 'Deallocate', 'Discard', 'DeclareCursor', 'Fetch', 'CloseCursor']);

function isSessionKind(statement: Statement): boolean {
  return sessionKinds.has(statement.kind);
}

/** The command's name from its text: `CREATE TABLE`, `DROP INDEX`, `ALTER TABLE`, `COMMENT`, … */
function commandName(text: string): string {
  const words = text
    .replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '')
    .split(/\s+/)
    .map((word) => word.toUpperCase().replace(/[^A-Z_]/g, ''));
  const [first = 'STATEMENT', ...rest] = words;
  if (first !== 'CREATE' && first !== 'DROP' && first !== 'ALTER') return first;
  // CREATE [OR REPLACE] [UNIQUE | TEMP …] TABLE: the object's word.
  const object = rest.find((word) => !['OR', 'REPLACE', 'UNIQUE', 'TEMP', 'TEMPORARY', 'UNLOGGED', 'MATERIALIZED'].includes(word));
  return object === undefined ? first : `${first} ${object}`;
}
