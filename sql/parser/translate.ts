/**
 * The one-time translation of libpg-query's JSON (PostgreSQL's raw parse tree) into our AST
 * (`ast.ts`). It runs once per statement, right after parsing; nothing above `sql/parser` sees
 * PostgreSQL's node shapes.
 *
 *     RawStmt ──► statement()  ──► translate/dml.ts      INSERT UPDATE DELETE
 *                   │              translate/ddl.ts      CREATE DROP ALTER TRUNCATE
 *                   │              translate/utility.ts  BEGIN SET SHOW EXPLAIN COPY VACUUM …
 *                   └► query() ──► translate/query.ts    SELECT, set operations, VALUES, FROM
 *                                  translate/expr.ts     expressions
 *
 * Contract: every construct is either translated faithfully or refused with
 * `FeatureNotSupportedError` (0A000, `unimplemented: …`) — never dropped silently. Statements
 * rangedb does not implement are named from their node tag (`CreateFunctionStmt` → `CREATE
 * FUNCTION is not supported`).
 */
import type * as pg from 'libpg-query';
import type * as ast from './ast.js';
import { bodyOf, Context, tagOf, type Recursion } from './translate/context.js';
import { deleteStatement, insert, update } from './translate/dml.js';
import { alterTable, createIndex, createSchema, createTable, drop, dropDatabase, truncate } from './translate/ddl.js';
import { comment, createView, rename, setSchema } from './translate/catalog-ddl.js';
import { query } from './translate/query.js';
import * as utility from './translate/utility.js';
import type { Source } from './source.js';

/** Names for statements whose tag does not spell them well. */
const statementNames: Record<string, string> = {
  CreateTableAsStmt: 'CREATE TABLE AS',
  CreateFunctionStmt: 'CREATE FUNCTION',
  GrantStmt: 'GRANT and REVOKE',
  GrantRoleStmt: 'GRANT and REVOKE of roles',
  CreateRoleStmt: 'CREATE ROLE / USER',
  AlterRoleStmt: 'ALTER ROLE / USER',
  DropRoleStmt: 'DROP ROLE / USER',
  ListenStmt: 'LISTEN',
  NotifyStmt: 'NOTIFY',
  UnlistenStmt: 'UNLISTEN',
  LockStmt: 'LOCK TABLE',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreateTrigStmt: 'CREATE TRIGGER',
  RuleStmt: 'CREATE RULE',
  MergeStmt: 'MERGE',
  CheckPointStmt: 'CHECKPOINT',
  ClusterStmt: 'CLUSTER',
  ReindexStmt: 'REINDEX',
  AlterSeqStmt: 'ALTER SEQUENCE',
  AlterDatabaseStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE … SET',
  AlterRoleSetStmt: 'ALTER ROLE … SET',
  ConstraintsSetStmt: 'SET CONSTRAINTS',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateEnumStmt: 'CREATE TYPE … AS ENUM',
  CompositeTypeStmt: 'CREATE TYPE … AS',
  AlterObjectSchemaStmt: 'ALTER … SET SCHEMA',
  AlterOwnerStmt: 'ALTER … OWNER TO',
};

/** `CreateForeignTableStmt` → `CREATE FOREIGN TABLE`. */
function statementName(tag: string): string {
  return statementNames[tag] ?? tag.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function statement(node: pg.Node, location: number, text: string, ctx: Context): ast.Statement {
  const base = { location, text };
  const tag = tagOf(node);
  switch (tag) {
    case 'SelectStmt':
      return { kind: 'QueryStatement', ...base, query: query(node, ctx, location) };
    case 'InsertStmt':
      return insert(bodyOf(node), base, ctx);
    case 'UpdateStmt':
      return update(bodyOf(node), base, ctx);
    case 'DeleteStmt':
      return deleteStatement(bodyOf(node), base, ctx);
    case 'CreateStmt':
      return createTable(bodyOf(node), base, ctx);
    case 'IndexStmt':
      return createIndex(bodyOf(node), base, ctx);
    case 'CreatedbStmt':
      return utility.createDatabase(bodyOf(node), base, ctx);
    case 'CreateSchemaStmt':
      return createSchema(bodyOf(node), base, ctx);
    case 'CreateSeqStmt':
      return utility.createSequence(bodyOf(node), base, ctx);
    case 'DropStmt':
      return drop(bodyOf(node), base, ctx);
    case 'DropdbStmt':
      return dropDatabase(bodyOf(node), base, ctx);
    case 'AlterTableStmt':
      return alterTable(bodyOf(node), base, ctx);
    case 'RenameStmt':
      return rename(bodyOf(node), base, ctx);
    case 'AlterObjectSchemaStmt':
      return setSchema(bodyOf(node), base, ctx);
    case 'ViewStmt':
      return createView(bodyOf(node), base, ctx);
    case 'CommentStmt':
      return comment(bodyOf(node), base, ctx);
    case 'TruncateStmt':
      return truncate(bodyOf(node), base);
    case 'VacuumStmt':
      return utility.vacuum(bodyOf(node), base, ctx);
    case 'TransactionStmt':
      return utility.transaction(bodyOf(node), base, ctx);
    case 'VariableSetStmt':
      return utility.setVariable(bodyOf(node), base, ctx);
    case 'VariableShowStmt':
      return utility.show(bodyOf(node), base);
    case 'ExplainStmt':
      return utility.explain(bodyOf(node), base, ctx);
    case 'PrepareStmt':
      return utility.prepare(bodyOf(node), base, ctx);
    case 'ExecuteStmt':
      return utility.execute(bodyOf(node), base, ctx);
    case 'DeallocateStmt':
      return utility.deallocate(bodyOf(node), base);
    case 'DeclareCursorStmt':
      return utility.declareCursor(bodyOf(node), base, ctx);
    case 'FetchStmt':
      return utility.fetch(bodyOf(node), base);
    case 'ClosePortalStmt':
      return utility.closeCursor(bodyOf(node), base);
    case 'CopyStmt':
      return utility.copy(bodyOf(node), base, ctx);
    case 'DiscardStmt':
      return utility.discard(bodyOf(node), base);
    default:
      return ctx.unsupported(`${statementName(tag)} is not supported`, location);
  }
}

const recursion: Recursion = { query: (node, ctx) => query(node, ctx), statement };

/**
 * Translates one raw statement. `location` is the byte offset of the statement's first token and
 * `text` its trimmed source; both are copied onto the statement.
 */
export function translateStatement(node: pg.Node, location: number, text: string, source: Source): ast.Statement {
  return statement(node, location, text, new Context(source, recursion));
}

/** Translates a SelectStmt node (the admin grammar's VALUES rows come through here). */
export function translateQuery(node: pg.Node, source: Source): ast.Query {
  return query(node, new Context(source, recursion));
}
