/**
 * A small `SqlEngine` (sql/exec/contract.ts) for testing the session and the listener while the
 * real engine is built: constant SELECTs (literals, parameters, casts), `generate_series(a, b)`,
 * `pg_sleep(s)` (cancellable), and tables — `CREATE TABLE t (a int, b text, …)` (catalog in
 * memory, DDL), `INSERT INTO t [(cols)] VALUES …` and `SELECT * | cols FROM t` whose rows live
 * in KV through the session's transaction (keys `prefix ∥ table ∥ 0x00 ∥ row id`), so commits,
 * rollbacks and restarts are real. `failRuns` makes the next N runs throw a retryable error.
 */
import { TransactionRetryError } from '../../kv/api/index.js';
import { RangedbError } from '../../src/base/errors.js';
import type { Timers } from '../../src/env/env.js';
import type { PrepareContext, PreparedStatement, ResultColumn, RunContext, SqlEngine, StatementResult } from '../../sql/exec/contract.js';
import type { Expr, Statement, Target } from '../../sql/parser/ast.js';
import type { Datum } from '../../sql/types/datum.js';
import { formatText, parseText } from '../../sql/types/text-io.js';
import { resolveTypeName } from '../../sql/types/resolve.js';
import { int4Type, int8Type, numericType, boolType, textType, type SqlType } from '../../sql/types/sql-type.js';
import type { Txn } from '../../txn/index.js';

class EngineError extends RangedbError {
  readonly code = 'FAKE_ENGINE';
  readonly errorClass = 'input';
  constructor(
    override readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

interface Table {
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
}

const column = (name: string, type: SqlType): ResultColumn => ({ name, type, tableOid: 0, columnNumber: 0 });

function rowsOf(rows: readonly (readonly Datum[])[]): AsyncIterator<readonly Datum[]> {
  let i = 0;
  return { next: async () => (i < rows.length ? { done: false, value: rows[i++]! } : { done: true, value: undefined }) };
}

function result(columns: readonly ResultColumn[] | undefined, rows: AsyncIterator<readonly Datum[]>, tag: () => string): StatementResult {
  return { columns, rows, tag, notices: [] };
}

export class FakeSqlEngine implements SqlEngine {
  readonly tables = new Map<string, Table>();
  /** The next this many `run`s throw a retryable error (40001). */
  failRuns = 0;
  runs = 0;
  /** How many CREATE TABLEs' post-commit work ran (StatementResult.afterCommit). */
  afterCommitRuns = 0;
  private nextRowId = 0;

  constructor(
    private readonly keyPrefix: Uint8Array,
    private readonly timers: Timers,
  ) {}

  async bootstrap(): Promise<void> {}

  async prepare(statement: Statement, ctx: PrepareContext): Promise<PreparedStatement> {
    switch (statement.kind) {
      case 'QueryStatement':
        return this.prepareSelect(statement, ctx);
      case 'CreateTable':
        return this.plan(statement, [], undefined, true, async () => {
          if (this.tables.has(statement.name.name)) {
            if (statement.ifNotExists) return result(undefined, rowsOf([]), () => 'CREATE TABLE');
            throw new EngineError('42P07', `relation "${statement.name.name}" already exists`);
          }
          const columns = statement.columns.map((c) => ({ name: c.name, type: resolveTypeName({ names: c.type.names, modifiers: [], arrayDimensions: c.type.arrayBounds.length }).type }));
          this.tables.set(statement.name.name, { columns });
          const created = result(undefined, rowsOf([]), () => 'CREATE TABLE');
          return Object.assign(created, { afterCommit: async () => void (this.afterCommitRuns += 1) });
        });
      case 'Insert':
        return this.prepareInsert(statement, ctx);
      default:
        throw new EngineError('0A000', `unimplemented: ${statement.kind} in the fake engine`);
    }
  }

  private plan(statement: Statement, paramTypes: readonly SqlType[], columns: readonly ResultColumn[] | undefined, isDdl: boolean, run: (ctx: RunContext) => Promise<StatementResult>): PreparedStatement {
    return {
      statement,
      paramTypes,
      columns,
      isDdl,
      run: async (ctx) => {
        this.runs += 1;
        if (this.failRuns > 0) {
          this.failRuns -= 1;
          throw new TransactionRetryError('RETRY_SERIALIZABLE', 'injected by the fake engine');
        }
        return run(ctx);
      },
    };
  }

  private table(name: string): Table {
    const table = this.tables.get(name);
    if (table === undefined) throw new EngineError('42P01', `relation "${name}" does not exist`);
    return table;
  }

  private prepareSelect(statement: Extract<Statement, { kind: 'QueryStatement' }>, ctx: PrepareContext): PreparedStatement {
    const query = statement.query;
    if (query.kind !== 'Select') throw new EngineError('0A000', 'unimplemented: only SELECT');
    const from = query.from[0];
    if (from === undefined) {
      const paramTypes: SqlType[] = [];
      const targets = query.targets.map((target, i) => this.constant(target, i, ctx, paramTypes));
      return this.plan(statement, paramTypes, targets.map((t) => t.column), false, async (run) => {
        const values: Datum[] = [];
        for (const target of targets) values.push(await target.value(run));
        return result(targets.map((t) => t.column), rowsOf([values]), () => 'SELECT 1');
      });
    }
    if (from.kind === 'FunctionRef' && from.call.name.at(-1) === 'generate_series') {
      const [low, high] = from.call.args.map((arg) => Number(literalText(arg)));
      const columns = [column('generate_series', int4Type)];
      return this.plan(statement, [], columns, false, async (run) => {
        let next = low!;
        let count = 0;
        const rows: AsyncIterator<readonly Datum[]> = {
          next: async () => {
            run.cancel.throwIfCancelled();
            if (next > high!) return { done: true, value: undefined };
            count += 1;
            return { done: false, value: [next++] };
          },
        };
        return result(columns, rows, () => `SELECT ${count}`);
      });
    }
    if (from.kind !== 'TableRef') throw new EngineError('0A000', 'unimplemented: FROM other than a table');
    const name = from.name.name;
    const table = this.table(name);
    const wanted = query.targets.length === 1 && query.targets[0]!.expr.kind === 'Star' ? table.columns.map((c) => c.name) : query.targets.map((t) => columnName(t.expr));
    const indexes = wanted.map((w) => {
      const index = table.columns.findIndex((c) => c.name === w);
      if (index < 0) throw new EngineError('42703', `column "${w}" does not exist`);
      return index;
    });
    const columns = indexes.map((i) => column(table.columns[i]!.name, table.columns[i]!.type));
    return this.plan(statement, [], columns, false, async (run) => {
      const scanned = await run.txn.scan(this.tableKey(name), this.tableKey(name, 0xff));
      const rows = scanned.map((kv) => {
        const fields = JSON.parse(Buffer.from(kv.value).toString('utf8')) as (string | null)[];
        return indexes.map((i) => (fields[i] === null ? null : parseText(table.columns[i]!.type, fields[i]!)));
      });
      return result(columns, rowsOf(rows), () => `SELECT ${rows.length}`);
    });
  }

  private prepareInsert(statement: Extract<Statement, { kind: 'Insert' }>, ctx: PrepareContext): PreparedStatement {
    const table = this.table(statement.table.name);
    const names = statement.columns.length > 0 ? statement.columns : table.columns.map((c) => c.name);
    const indexes = names.map((n) => {
      const index = table.columns.findIndex((c) => c.name === n);
      if (index < 0) throw new EngineError('42703', `column "${n}" of relation "${statement.table.name}" does not exist`);
      return index;
    });
    if (statement.source?.kind !== 'Values') throw new EngineError('0A000', 'unimplemented: INSERT other than VALUES');
    const paramTypes: SqlType[] = [];
    const rows = statement.source.rows.map((row) =>
      row.map((expr, k) => {
        const type = table.columns[indexes[k]!]!.type;
        if (expr.kind === 'Parameter') {
          paramTypes[expr.index - 1] = ctx.paramTypeHints[expr.index - 1] ?? type;
          return (run: RunContext): Datum => run.params[expr.index - 1] ?? null;
        }
        const text = literalText(expr);
        return (): Datum => (text === null ? null : parseText(type, text));
      }),
    );
    return this.plan(statement, paramTypes, undefined, false, async (run) => {
      for (const row of rows) {
        const fields: (string | null)[] = table.columns.map(() => null);
        row.forEach((value, k) => {
          const datum = value(run);
          const type = table.columns[indexes[k]!]!.type;
          fields[indexes[k]!] = datum === null ? null : formatText(type, datum);
        });
        await run.txn.put(this.rowKey(statement.table.name), Buffer.from(JSON.stringify(fields)));
      }
      return result(undefined, rowsOf([]), () => `INSERT 0 ${rows.length}`);
    });
  }

  private constant(target: Target, index: number, ctx: PrepareContext, paramTypes: SqlType[]): { column: ResultColumn; value: (run: RunContext) => Promise<Datum> } {
    const expr = target.expr;
    const name = (fallback: string): string => target.alias ?? fallback;
    if (expr.kind === 'Parameter') {
      const type = ctx.paramTypeHints[expr.index - 1] ?? textType;
      paramTypes[expr.index - 1] = type;
      return { column: column(name('?column?'), type), value: async (run) => run.params[expr.index - 1] ?? null };
    }
    if (expr.kind === 'Cast') {
      const type = resolveTypeName({ names: expr.type.names, modifiers: [], arrayDimensions: expr.type.arrayBounds.length }).type;
      const inner = expr.arg;
      if (inner.kind === 'Parameter') {
        paramTypes[inner.index - 1] = ctx.paramTypeHints[inner.index - 1] ?? type;
        return { column: column(name(type.kind), type), value: async (run) => run.params[inner.index - 1] ?? null };
      }
      const text = literalText(inner);
      return { column: column(name(type.kind), type), value: async () => (text === null ? null : parseText(type, text)) };
    }
    if (expr.kind === 'FuncCall' && expr.name.at(-1) === 'pg_sleep') {
      const seconds = Number(literalText(expr.args[0]!));
      return {
        column: column(name('pg_sleep'), textType),
        value: async (run) => {
          for (let waitedMs = 0; waitedMs < seconds * 1000; waitedMs += 10) {
            run.cancel.throwIfCancelled();
            await this.timers.sleep(10);
          }
          run.cancel.throwIfCancelled();
          return '';
        },
      };
    }
    if (expr.kind === 'FuncCall' && expr.name.at(-1) === 'current_setting') {
      const setting = literalText(expr.args[0]!) ?? '';
      return { column: column(name('current_setting'), textType), value: async (run) => run.settings.all.get(setting.toLowerCase()) ?? null };
    }
    if (expr.kind === 'BinaryOp' && expr.operator === '/') {
      return { column: column(name('?column?'), int4Type), value: async () => { throw new EngineError('22012', 'division by zero'); } };
    }
    const text = literalText(expr);
    const type = literalType(expr);
    void index;
    return { column: column(name('?column?'), type), value: async () => (text === null ? null : parseText(type, text)) };
  }

  private tableKey(table: string, suffix = 0x00): Uint8Array {
    return Buffer.concat([this.keyPrefix, Buffer.from(table), Buffer.of(suffix)]);
  }

  private rowKey(table: string): Uint8Array {
    const id = Buffer.alloc(8);
    id.writeBigUInt64BE(BigInt(++this.nextRowId));
    return Buffer.concat([this.tableKey(table), id]);
  }
}

function columnName(expr: Expr): string {
  if (expr.kind !== 'ColumnRef') throw new EngineError('0A000', 'unimplemented: only column names');
  return expr.path.at(-1)!;
}

function literalText(expr: Expr): string | null {
  if (expr.kind === 'TypedLiteral') return expr.value;
  if (expr.kind === 'UnaryOp' && expr.operator === '-') return `-${literalText(expr.operand)}`;
  if (expr.kind !== 'Literal') throw new EngineError('0A000', `unimplemented: ${expr.kind} in the fake engine`);
  const value = expr.value;
  switch (value.type) {
    case 'integer':
      return value.digits;
    case 'numeric':
      return value.text;
    case 'string':
    case 'bitString':
      return value.value;
    case 'boolean':
      return value.value ? 't' : 'f';
    case 'null':
      return null;
  }
}

function literalType(expr: Expr): SqlType {
  if (expr.kind === 'UnaryOp') return literalType(expr.operand);
  if (expr.kind !== 'Literal') return textType;
  switch (expr.value.type) {
    case 'integer':
      return BigInt(expr.value.digits) > 2147483647n ? int8Type : int4Type;
    case 'numeric':
      return numericType();
    case 'boolean':
      return boolType;
    default:
      return textType;
  }
}

export type { Txn };
