/**
 * Row writes of one DML statement: checks a new row against the table's constraints (NOT NULL,
 * CHECK) and turns inserts, updates and deletes into KV requests, sent in batches through
 * `Txn.batch` — one round trip for many rows. The primary key and unique index entries are
 * written with a conditional put expecting no value, so a duplicate fails in the store; the
 * failing key is mapped back to its constraint for PostgreSQL's 23505 with its DETAIL.
 *
 * Deletes of a statement are sent before its puts (`flush` orders them), so an UPDATE that moves
 * rows onto each other's keys (`SET id = id + 1`) checks uniqueness at the end of the statement,
 * as CockroachDB does, rather than row by row.
 *
 * A row of a table without a PRIMARY KEY whose hidden `rowid` the statement left to its default,
 * `unique_rowid()` (`generatesRowid`), has a key generated unique for it: its conditional put is
 * sent as a **fresh key** (`Txn.batch`'s `freshKeys`), which the write buffer may hold until the
 * commit instead of sending it with the statement — still checked by the store then, so a
 * duplicate id still fails with 23505 naming the primary key, at the commit
 * (`freshKeyViolation`). TPC-B's INSERT INTO pgbench_history thus rides in the commit's batch
 * instead of costing a Raft round of its own.
 */
import { conditionalPutRequest, ConditionFailedError, deleteRequest, putRequest, type Request } from '../../kv/api/index.js';
import type { Txn } from '../../txn/index.js';
import type { IndexDesc, TableDesc } from '../catalog/descriptors.js';
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import type { CompiledExpr, EvalContext } from '../plan/expr/compiled.js';
import type { RowCodec } from '../rowcodec/row-codec.js';
import type { Datum } from '../types/datum.js';
import { formatText } from '../types/text-io.js';

/**
 * Most requests one `Txn.batch` carries. Large on purpose: every batch is one Raft proposal
 * and one synced log append, so a bulk load (COPY, INSERT … SELECT) pays that fixed cost per
 * thousands of rows, not per hundred. 8,192 rows of a wide table stay far below
 * `raftCommandBytesMax` (17 MiB): a row would need 2 KiB to reach it, and `flushBytesMax` stops
 * a batch of wider rows first.
 */
const requestsPerBatchMax = 8192;
/** Buffered key and value bytes that make a batch go out before `requestsPerBatchMax`. */
const flushBytesMax = 4 * 1024 * 1024;

export interface CheckConstraint {
  readonly name: string;
  readonly expr: CompiledExpr;
}

/** A conditional put's row, kept so a 23505 can name the constraint and key; formatted only then. */
interface UniqueWrite {
  readonly key: Uint8Array;
  readonly index: IndexDesc;
  readonly row: readonly Datum[];
}

export function formatRowForDetail(table: TableDesc, row: readonly Datum[], ctx: EvalContext): string {
  return table.columns
    .map((column, index) => ({ column, value: row[index] ?? null }))
    .filter(({ column }) => !column.hidden)
    .map(({ column, value }) => (value === null ? 'null' : formatText(column.type, value, ctx.textContext)))
    .join(', ');
}

/**
 * Whether every row an INSERT writes into `table` gets a fresh primary key: the key is the
 * hidden `rowid` alone, its default is `unique_rowid()` (CREATE TABLE's, not one ALTER set), and
 * the statement gives it no value (`defaulted(position)`: the row takes the column's default).
 */
export function generatesRowid(table: TableDesc, defaulted: (position: number) => boolean): boolean {
  const keyColumns = table.primaryIndex.columns;
  if (keyColumns.length !== 1) return false;
  const position = table.columns.findIndex((column) => column.id === keyColumns[0]!.columnId);
  const column = table.columns[position];
  return column !== undefined && column.hidden && isUniqueRowIdCall(column.defaultExpr) && defaulted(position);
}

function isUniqueRowIdCall(expr: ast.Expr | null): boolean {
  return expr?.kind === 'FuncCall' && expr.name.length === 1 && expr.name[0] === 'unique_rowid' && expr.args.length === 0 && !expr.star && !expr.distinct && expr.filter === null;
}

export class RowWriter {
  private deletes: Request[] = [];
  private writes: Request[] = [];
  /**
   * The buffered conditional puts' rows, searched only when one fails (23505): nothing per row
   * is formatted or hashed on the way in — a bulk load's rows allocate no error text.
   */
  private uniqueWrites: UniqueWrite[] = [];
  /** The primary keys of inserted rows generated unique (`freshRowids`), sent as fresh keys. */
  private freshKeys: Uint8Array[] = [];
  private bufferedBytes = 0;
  private readonly positions: Map<number, number>;

  constructor(
    private readonly txn: Txn,
    readonly table: TableDesc,
    private readonly codec: RowCodec,
    private readonly checks: readonly CheckConstraint[],
    private readonly ctx: EvalContext,
    /** WITH CHECK OPTION conditions of the views the statement writes through (named by view). */
    private readonly viewChecks: readonly CheckConstraint[] = [],
    /** Every row `insert` gets has a primary key generated unique for it (`generatesRowid`). */
    private readonly freshRowids = false,
  ) {
    this.positions = new Map(table.columns.map((column, position) => [column.id, position]));
  }

  /** 23502 / 23514 if `row` breaks NOT NULL or a CHECK. */
  validate(row: readonly Datum[]): void {
    this.table.columns.forEach((column, index) => {
      if (!column.nullable && row[index] === null) {
        throw new SqlError('23502', `null value in column "${column.name}" of relation "${this.table.name}" violates not-null constraint`, { detail: `Failing row contains (${formatRowForDetail(this.table, row, this.ctx)}).` });
      }
    });
    for (const check of this.checks) {
      if (check.expr.eval(row, this.ctx) === false) {
        throw new SqlError('23514', `new row for relation "${this.table.name}" violates check constraint "${check.name}"`, { detail: `Failing row contains (${formatRowForDetail(this.table, row, this.ctx)}).` });
      }
    }
  }

  /**
   * 44000 if a view the statement writes through (WITH CHECK OPTION) would not show one of the
   * rows it wrote, innermost view first. Checked once the rows are written (after `flush`), as
   * PostgreSQL checks a view's option after the row is in (ExecInsert / ExecUpdate): a row that
   * is also a duplicate key is 23505, and one that ON CONFLICT DO NOTHING skipped is not checked.
   * Unlike a CHECK constraint, a condition that is null fails: the view would not show the row.
   */
  checkViews(rows: readonly (readonly Datum[])[]): void {
    if (this.viewChecks.length === 0) return;
    for (const row of rows) {
      for (const check of this.viewChecks) {
        if (check.expr.eval(row, this.ctx) !== true) {
          throw new SqlError('44000', `new row violates check option for view "${check.name}"`, { detail: `Failing row contains (${formatRowForDetail(this.table, row, this.ctx)}).` });
        }
      }
    }
  }

  private keyDetail(index: IndexDesc, row: readonly Datum[]): string {
    const columns = index.columns.map((column) => this.table.columns[this.positions.get(column.columnId)!]!);
    const values = index.columns.map((column) => {
      const position = this.positions.get(column.columnId)!;
      const value = row[position] ?? null;
      return value === null ? 'null' : formatText(this.table.columns[position]!.type, value, this.ctx.textContext);
    });
    return `Key (${columns.map((column) => column.name).join(', ')})=(${values.join(', ')}) already exists.`;
  }

  private expectAbsent(key: Uint8Array, value: Uint8Array, index: IndexDesc, row: readonly Datum[]): void {
    this.uniqueWrites.push({ key, index, row });
    this.bufferedBytes += key.length + value.length;
    this.writes.push(conditionalPutRequest(key, value, undefined));
  }

  private put(key: Uint8Array, value: Uint8Array): void {
    this.bufferedBytes += key.length + value.length;
    this.writes.push(putRequest(key, value));
  }

  /**
   * The 23505 of a fresh row whose check failed after its statement (a held row's, at a later
   * batch or the commit: txn/write-buffer.ts "Fresh keys"), as the statement would have said it.
   */
  private readonly freshKeyViolation = (key: Uint8Array, value: Uint8Array): SqlError => {
    const index = this.table.primaryIndex;
    return new SqlError('23505', `duplicate key value violates unique constraint "${index.name}"`, { detail: this.keyDetail(index, this.codec.decodePrimary(key, value)) });
  };

  /** The 23505 of a failed conditional put on `key`, if it is one of ours. */
  private uniqueViolation(key: Uint8Array): SqlError | undefined {
    const write = this.uniqueWrites.find((candidate) => Buffer.compare(candidate.key, key) === 0);
    if (write === undefined) return undefined;
    return new SqlError('23505', `duplicate key value violates unique constraint "${write.index.name}"`, { detail: this.keyDetail(write.index, write.row) });
  }

  async insert(row: readonly Datum[]): Promise<void> {
    const primary = this.codec.encodePrimary(row);
    this.expectAbsent(primary.key, primary.value, this.table.primaryIndex, row);
    if (this.freshRowids) this.freshKeys.push(primary.key);
    for (const entry of this.codec.indexEntries(row)) {
      if (entry.unique) this.expectAbsent(entry.key, entry.value, this.indexById(entry.indexId), row);
      else this.put(entry.key, entry.value);
    }
    await this.maybeFlush();
  }

  async delete(row: readonly Datum[]): Promise<void> {
    this.deletes.push(deleteRequest(this.codec.primaryKey(row)));
    for (const entry of this.codec.indexEntries(row)) this.deletes.push(deleteRequest(entry.key));
    await this.maybeFlush();
  }

  async update(oldRow: readonly Datum[], newRow: readonly Datum[]): Promise<void> {
    const oldKey = this.codec.primaryKey(oldRow);
    const primary = this.codec.encodePrimary(newRow);
    if (Buffer.compare(oldKey, primary.key) === 0) {
      this.put(primary.key, primary.value);
    } else {
      this.deletes.push(deleteRequest(oldKey));
      this.expectAbsent(primary.key, primary.value, this.table.primaryIndex, newRow);
    }
    const oldEntries = this.codec.indexEntries(oldRow);
    this.codec.indexEntries(newRow).forEach((entry, index) => {
      const old = oldEntries[index]!;
      const sameKey = Buffer.compare(old.key, entry.key) === 0;
      if (sameKey && Buffer.compare(old.value, entry.value) === 0) return;
      if (sameKey) {
        this.put(entry.key, entry.value);
        return;
      }
      this.deletes.push(deleteRequest(old.key));
      if (entry.unique) this.expectAbsent(entry.key, entry.value, this.indexById(entry.indexId), newRow);
      else this.put(entry.key, entry.value);
    });
    await this.maybeFlush();
  }

  private indexById(indexId: number): IndexDesc {
    return this.table.secondaryIndexes.find((index) => index.id === indexId)!;
  }

  private async maybeFlush(): Promise<void> {
    const full = this.deletes.length + this.writes.length >= requestsPerBatchMax || this.bufferedBytes >= flushBytesMax;
    if (full && (this.deletes.length === 0 || this.writes.length === 0)) await this.flush();
  }

  /** Sends what is buffered: deletes first, then puts. */
  async flush(): Promise<void> {
    const requests = this.deletes.length === 0 ? this.writes : [...this.deletes, ...this.writes];
    const freshKeys = this.freshKeys;
    this.deletes = [];
    this.writes = [];
    this.freshKeys = [];
    this.bufferedBytes = 0;
    for (let offset = 0; offset < requests.length; offset += requestsPerBatchMax) {
      try {
        await this.txn.batch(requests.length <= requestsPerBatchMax ? requests : requests.slice(offset, offset + requestsPerBatchMax), { freshKeys, freshKeyViolation: this.freshKeyViolation });
      } catch (error) {
        if (error instanceof ConditionFailedError) throw this.uniqueViolation(error.key) ?? error;
        throw error;
      }
    }
    this.uniqueWrites = [];
  }
}
