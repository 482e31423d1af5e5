/**
 * COPY as the session runs it, over the engine's ordinary statements (copy.ts holds the data
 * formats):
 *
 * - `COPY t [(cols)] FROM STDIN`: the target columns (the table's, from `SELECT * FROM t`'s
 *   plan, when none are named); the input is held until CopyDone (at most `sqlCopyInBytesMax`),
 *   then parsed and inserted with `INSERT INTO t (cols) VALUES ($1, …), …` planned once per
 *   batch size (`sqlCopyBatchRowsMax` rows a statement, fewer for wide tables) — all in one transaction, which, being
 *   implicit, is retried as a whole on a conflict.
 * - `COPY t [(cols)] | (query) TO STDOUT`: the query's rows, each formatted as one line.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { Txn } from '../../txn/index.js';
import { parse } from '../parser/index.js';
import type { QueryStatement, Statement } from '../parser/ast.js';
import { formatText, parseText, type TextContext } from '../types/text-io.js';
import type { CancelSignal, PreparedStatement, SessionSettings } from '../exec/contract.js';
import { copyOptions, formatCopyLine, parseCopyData, type CopyFormat, type CopyOptions } from './copy.js';
import { SessionError, notSupported } from './errors.js';
import type { ExecuteOutcome, Portal, RowSink, SessionStatement } from './statements.js';

type CopyStatement = Extract<Statement, { kind: 'Copy' }>;

/** Parameters of one COPY INSERT statement at most: PostgreSQL's bound on a statement's parameters. */
const copyParamsPerStatementMax = 65_535;

/** What COPY needs of the session. */
export interface CopyHost {
  prepareUnnamed(statement: Statement): Promise<SessionStatement>;
  /** Runs `fn` in the open block's transaction, or in an implicit one retried as a whole and committed. */
  inTransaction<T>(fn: (txn: Txn) => Promise<T>): Promise<T>;
  planFor(statement: SessionStatement, txn: Txn): Promise<PreparedStatement>;
  /** Runs a query portal to completion, rows to `sink`. */
  runQuery(portal: Portal, sink: RowSink): Promise<ExecuteOutcome>;
  settings(): SessionSettings;
  textContext(): TextContext;
  readonly cancel: CancelSignal;
}

export type CopyStart = { readonly kind: 'copyIn'; readonly copyIn: CopyFromStdin } | { readonly kind: 'complete'; readonly tag: string };

/** Starts a COPY: FROM STDIN waits for data (`copyIn`); TO STDOUT runs to completion. */
export async function startCopy(statement: CopyStatement, host: CopyHost, sink: RowSink): Promise<CopyStart> {
  const options = copyOptions(statement.format, statement.delimiter, statement.nullString, statement.header);
  if (statement.where !== null) throw notSupported('COPY FROM … WHERE');
  if (statement.direction === 'to stdout') return { kind: 'complete', tag: await copyOut(statement, options, host, sink) };
  const tableText = qualifiedTable(statement);
  let columns = statement.columns;
  if (columns.length === 0) {
    const probe = await host.prepareUnnamed(parseOne(`SELECT * FROM ${tableText}`));
    columns = (probe.columns ?? []).map((column) => column.name);
  }
  return { kind: 'copyIn', copyIn: new CopyFromStdin(tableText, columns, options) };
}

/** A COPY FROM STDIN in progress: the data so far, then the insert. */
export class CopyFromStdin {
  private readonly chunks: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    private readonly tableText: string,
    private readonly columns: readonly string[],
    private readonly options: CopyOptions,
  ) {}

  get columnCount(): number {
    return this.columns.length;
  }

  get format(): CopyFormat {
    return this.options.format;
  }

  /** CopyData: kept (copied: the reader's view is not ours to hold) up to `sqlCopyInBytesMax`. */
  data(data: Uint8Array): void {
    this.bytes += data.length;
    if (this.bytes > limits.sqlCopyInBytesMax) {
      throw new SessionError('54000', `COPY input exceeds sqlCopyInBytesMax (${limits.sqlCopyInBytesMax} bytes); load it in pieces`);
    }
    this.chunks.push(Uint8Array.from(data));
  }

  /** CopyDone: parses everything and inserts it; the tag `COPY n`. */
  async finish(host: CopyHost): Promise<string> {
    const rows = parseCopyData(Buffer.concat(this.chunks).toString('utf8'), this.options);
    checkRowWidths(rows, this.columns);
    await host.inTransaction((txn) => this.insertRows(host, txn, rows));
    return `COPY ${rows.length}`;
  }

  private async insertRows(host: CopyHost, txn: Txn, rows: readonly (readonly (string | null)[])[]): Promise<void> {
    const plans = new Map<number, SessionStatement>();
    const rowsPerStatement = Math.max(1, Math.min(limits.sqlCopyBatchRowsMax, Math.floor(copyParamsPerStatementMax / Math.max(1, this.columns.length))));
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const batch = rows.slice(start, start + rowsPerStatement);
      let statement = plans.get(batch.length);
      if (statement === undefined) {
        statement = { name: '', statement: parseOne(this.insertSql(batch.length)), paramTypeHints: [], paramTypes: [], columns: undefined, plan: undefined, planCatalogVersion: -1 };
        plans.set(batch.length, statement);
      }
      const plan = await host.planFor(statement, txn);
      const context = host.textContext();
      // Row r's column k is parameter r × width + k: its type is the column's, the same in every row.
      const params = batch.flatMap((row) => row.map((field, k) => (field === null ? null : parseText(plan.paramTypes[k]!, field, context))));
      host.cancel.throwIfCancelled();
      const result = await plan.run({ txn, settings: host.settings(), params, cancel: host.cancel });
      for (let row = await result.rows.next(); row.done !== true; row = await result.rows.next()) {
        /* an INSERT without RETURNING has no rows; pulling runs it */
      }
    }
  }

  private insertSql(rowCount: number): string {
    const width = this.columns.length;
    const rows: string[] = [];
    for (let r = 0; r < rowCount; r++) rows.push(`(${this.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
    return `INSERT INTO ${this.tableText} (${this.columns.map(quoteIdent).join(', ')}) VALUES ${rows.join(', ')}`;
  }
}

async function copyOut(statement: CopyStatement, options: CopyOptions, host: CopyHost, sink: RowSink): Promise<string> {
  let query: Statement;
  if (statement.query !== null) {
    const queryStatement: QueryStatement = { kind: 'QueryStatement', query: statement.query, location: statement.location, text: statement.text };
    query = queryStatement;
  } else {
    const columns = statement.columns.length === 0 ? '*' : statement.columns.map(quoteIdent).join(', ');
    query = parseOne(`SELECT ${columns} FROM ${qualifiedTable(statement)}`);
  }
  const prepared = await host.prepareUnnamed(query);
  const columns = prepared.columns ?? [];
  const portal: Portal = { name: '', statement: prepared, params: [], resultFormats: [], execution: undefined, done: false };
  const context = host.textContext();
  let begun = false;
  let rowCount = 0;
  const begin = (): void => {
    begun = true;
    sink.copyOutBegin(columns.length, options.format);
    if (options.header) void sink.copyOutData([formatCopyLine(columns.map((column) => column.name), options)]);
  };
  const lines: RowSink = {
    describe: () => undefined,
    rows: (rows) => {
      if (!begun) begin();
      rowCount += rows.length;
      return sink.copyOutData(rows.map((row) => formatCopyLine(row.map((datum, i) => (datum === null ? null : formatText(columns[i]!.type, datum, context))), options)));
    },
    copyOutBegin: () => undefined,
    copyOutData: () => undefined,
  };
  await host.runQuery(portal, lines);
  if (!begun) begin();
  return `COPY ${rowCount}`;
}

function qualifiedTable(statement: CopyStatement): string {
  const table = statement.table;
  assert(table !== null, 'COPY of a table names it');
  return [table.catalog, table.schema, table.name].filter((part): part is string => part !== null).map(quoteIdent).join('.');
}

function parseOne(sql: string): Statement {
  const statements = parse(sql);
  assert(statements.length === 1, () => `one statement expected: ${sql}`);
  return statements[0]!;
}

/** `"name"` unless it is a plain lower-case identifier. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function checkRowWidths(rows: readonly (readonly (string | null)[])[], columns: readonly string[]): void {
  rows.forEach((row, i) => {
    if (row.length < columns.length) {
      throw new SessionError('22P04', `missing data for column "${columns[row.length]}"`, 'input', `COPY line ${i + 1}`);
    }
    if (row.length > columns.length) throw new SessionError('22P04', 'extra data after last expected column', 'input', `COPY line ${i + 1}`);
  });
}
