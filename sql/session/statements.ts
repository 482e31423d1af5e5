/**
 * The session's data: prepared statements, portals and their executions, where rows go, and
 * what executing a portal comes to. Shared by session.ts and copy-statement.ts.
 */
import type { StatementResult, PreparedStatement, ResultColumn } from '../exec/contract.js';
import type { FormatCode } from '../pgwire/backend-messages.js';
import type { Statement } from '../parser/ast.js';
import type { Datum } from '../types/datum.js';
import type { SqlType } from '../types/sql-type.js';
import type { Txn } from '../../txn/index.js';
import type { CopyFormat } from './copy.js';

/** Where an execution's final rows go. */
export interface RowSink {
  /**
   * The result's columns, once its plan is known and before its first row (possibly again, the
   * same, when an implicit transaction is retried): the simple query's RowDescription.
   */
  describe(columns: readonly ResultColumn[]): void;
  rows(rows: readonly (readonly Datum[])[]): Promise<void> | void;
  /** COPY TO STDOUT: CopyOutResponse, before the first line. */
  copyOutBegin(columnCount: number, format: CopyFormat): void;
  copyOutData(lines: readonly string[]): Promise<void> | void;
}

/** A prepared statement as the session holds it (protocol Parse or SQL PREPARE). */
export interface SessionStatement {
  readonly name: string;
  /** Undefined for an empty query string. */
  readonly statement: Statement | undefined;
  readonly paramTypeHints: readonly (SqlType | undefined)[];
  paramTypes: readonly SqlType[];
  columns: readonly ResultColumn[] | undefined;
  /** The engine's plan, for statements the engine runs; re-prepared when the catalog changed. */
  plan: PreparedStatement | undefined;
  planCatalogVersion: number;
}

/** A portal's execution in progress (its rows are pulled as the client asks). */
export interface Execution {
  readonly result: StatementResult;
  readonly txn: Txn;
  rowCount: number;
}

export interface Portal {
  readonly name: string;
  readonly statement: SessionStatement;
  readonly params: readonly Datum[];
  readonly resultFormats: readonly FormatCode[];
  /** A suspended execution (Execute with a row limit). */
  execution: Execution | undefined;
  done: boolean;
}

export type ExecuteOutcome =
  | { readonly kind: 'complete'; readonly tag: string }
  | { readonly kind: 'suspended' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'copyIn'; readonly columnCount: number; readonly format: CopyFormat };
