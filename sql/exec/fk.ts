/**
 * Foreign keys at run time: the checks and actions of one DML statement (CockroachDB's "fk
 * checks" and "cascader", PostgreSQL's RI triggers).
 *
 * ```
 *   statement writes (RowWriter) ─ flush ─▶ ForeignKeyActions.finish
 *                                             │
 *       ┌── level 1: rows the statement deleted/updated in referenced tables
 *       │     each inbound FK: find referencing rows (an index on the FK columns, else a scan)
 *       │       NO ACTION / RESTRICT → 23503 "… is still referenced from table"
 *       │       CASCADE / SET NULL / SET DEFAULT → child writes, flushed: the next level
 *       └── … until no level has changes (bounded: foreignKeyCascadeLevelsMax)
 *                                             │
 *       child-side checks of every row written on any level, batched: one KV batch of point
 *       gets per constraint for all rows (not one round trip per row) → 23503 "is not present"
 * ```
 *
 * Everything runs after the statement's own writes were sent, in its transaction, so the
 * checks see the statement's end state (a row inserted by the same statement satisfies a
 * self-reference, a row deleted by it no longer references anything) — PostgreSQL's
 * end-of-statement semantics for NO ACTION.
 *
 * Isolation: rangedb's transactions are SERIALIZABLE, so the checks are plain reads in the
 * transaction — no locks on the parent row. A concurrent DELETE of the parent either wrote first
 * (our read meets its intent and waits, then sees the row gone: 23503) or writes after our read
 * (the timestamp cache pushes it above our read; its own scan of the child table meets our
 * intent). That is CockroachDB's default under SERIALIZABLE; a shared lock on the parent row would
 * only trade a possible 40001 retry for lock waits. Referencing rows a cascade changes are read
 * with exclusive locks, as UPDATE and DELETE read the rows they change.
 */
import { getRequest } from '../../kv/api/index.js';
import { assert } from '../../src/base/assert.js';
import type { Catalog } from '../catalog/catalog.js';
import { allIndexes, foreignKeysOf, referencedByOf, type ForeignKeyDesc, type IndexDesc, type TableDesc } from '../catalog/descriptors.js';
import { SqlError } from '../catalog/errors.js';
import { ExprCompiler } from '../plan/expr/compile.js';
import { constantExpr } from '../plan/expr/compiled.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { ScanNode } from '../plan/plan.js';
import { codecOf, scanNode } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import { compareDatums } from '../types/compare.js';
import type { Datum } from '../types/datum.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import { formatText } from '../types/text-io.js';
import { RowWriter } from './row-writer.js';
import { drain, type Runtime } from './runtime.js';
import { ScanSource } from './scan.js';

/**
 * Most levels of cascading actions one statement runs. Each level is one batch of referencing
 * rows changed; a chain of self-references one row deep per level (a tree deleted from its
 * root) is the deepest case. Cycles of cascades stop once no row matches, but values that keep
 * changing (ON UPDATE CASCADE around a cycle) would not: the limit turns them into an error.
 */
export const foreignKeyCascadeLevelsMax = 10_000;

/** Most point gets of one check batch. */
const checkKeysPerBatchMax = 8192;

const integerKinds = new Set(['int2', 'int4', 'int8']);
const stringKinds = new Set(['text', 'varchar', 'bpchar', 'name']);

/** Whether a referencing column of type `from` can reference a key column of type `to` (both sides' equality). */
export function foreignKeyTypesCompatible(from: SqlType, to: SqlType): boolean {
  if (from.kind === to.kind) return from.kind !== 'array' || from.oid === to.oid;
  return (integerKinds.has(from.kind) && integerKinds.has(to.kind)) || (stringKinds.has(from.kind) && stringKinds.has(to.kind));
}

/** `value` of type `from` as a datum of `to` (types `foreignKeyTypesCompatible`): integers change representation. */
function convertValue(value: Datum, from: SqlType, to: SqlType): Datum {
  if (value === null || from.kind === to.kind) return value;
  if (to.kind === 'int8') return BigInt(value as number | bigint);
  if (to.kind === 'int2' || to.kind === 'int4') return Number(value as number | bigint);
  return value;
}

function positionsOf(table: TableDesc, columnIds: readonly number[]): number[] {
  return columnIds.map((id) => {
    const position = table.columns.findIndex((column) => column.id === id);
    assert(position !== -1, () => `column ${id} of table ${table.name}`);
    return position;
  });
}

/** The PRIMARY KEY or unique index of `table` whose columns are exactly `columnIds` (in any order), or undefined. */
export function uniqueIndexOn(table: TableDesc, columnIds: readonly number[]): IndexDesc | undefined {
  const same = (index: IndexDesc): boolean => index.unique && index.columns.length === columnIds.length && index.columns.every((column) => columnIds.includes(column.columnId));
  return allIndexes(table).find(same);
}

/** PostgreSQL's `Key (a, b)=(1, 2)` for a DETAIL. */
function keyText(table: TableDesc, positions: readonly number[], values: readonly Datum[], ctx: EvalContext): string {
  const names = positions.map((position) => table.columns[position]!.name);
  const texts = values.map((value, index) => (value === null ? 'null' : formatText(table.columns[positions[index]!]!.type, value, ctx.textContext)));
  return `Key (${names.join(', ')})=(${texts.join(', ')})`;
}

/**
 * One foreign key with both of its tables resolved: where its columns sit in rows of each, the
 * referenced unique index (point lookups) and an index of the referencing table whose leading
 * columns are the key's (the lookup of referencing rows), if it has one.
 */
export class ResolvedForeignKey {
  readonly childPositions: readonly number[];
  readonly parentPositions: readonly number[];
  readonly parentIndex: IndexDesc;
  /** For each column of `parentIndex`, the ordinal of the FK column it holds. */
  private readonly parentIndexOrder: readonly number[];
  /** An index of the child whose leading columns are the FK's, with the FK ordinal of each, or null. */
  private readonly childIndex: { readonly index: IndexDesc; readonly order: readonly number[] } | null;

  constructor(
    readonly child: TableDesc,
    readonly parent: TableDesc,
    readonly fk: ForeignKeyDesc,
  ) {
    this.childPositions = positionsOf(child, fk.columnIds);
    this.parentPositions = positionsOf(parent, fk.referencedColumnIds);
    // ALTER COLUMN … TYPE may have changed a column since the constraint was made: refuse the
    // statement rather than encode a datum of one type as a key of another.
    this.childPositions.forEach((position, index) => {
      const from = child.columns[position]!;
      const to = parent.columns[this.parentPositions[index]!]!;
      if (!foreignKeyTypesCompatible(from.type, to.type)) {
        throw new SqlError('42804', `foreign key constraint "${fk.name}" cannot be implemented`, { detail: `Key columns "${from.name}" and "${to.name}" are of incompatible types: ${formatType(from.type)} and ${formatType(to.type)}.` });
      }
    });
    const index = uniqueIndexOn(parent, fk.referencedColumnIds);
    assert(index !== undefined, () => `foreign key ${fk.name}: no unique index on ${parent.name}`);
    this.parentIndex = index;
    this.parentIndexOrder = index.columns.map((column) => fk.referencedColumnIds.indexOf(column.columnId));
    const count = fk.columnIds.length;
    const found = allIndexes(child).find((candidate) => candidate.columns.length >= count && candidate.columns.slice(0, count).every((column) => fk.columnIds.includes(column.columnId)));
    this.childIndex = found === undefined ? null : { index: found, order: found.columns.slice(0, count).map((column) => fk.columnIds.indexOf(column.columnId)) };
  }

  /** The FK's values in a child row, converted to the parent's column types. */
  childValues(row: readonly Datum[]): Datum[] {
    return this.childPositions.map((position, index) => convertValue(row[position] ?? null, this.child.columns[position]!.type, this.parent.columns[this.parentPositions[index]!]!.type));
  }

  /** The referenced values in a parent row. */
  parentValues(row: readonly Datum[]): Datum[] {
    return this.parentPositions.map((position) => row[position] ?? null);
  }

  /** Parent values as the child's column types (what a cascade writes into the child). */
  asChildValues(parentValues: readonly Datum[]): Datum[] {
    return parentValues.map((value, index) => convertValue(value, this.parent.columns[this.parentPositions[index]!]!.type, this.child.columns[this.childPositions[index]!]!.type));
  }

  /**
   * Whether the child row's key is to be checked: MATCH SIMPLE skips a key with any NULL;
   * MATCH FULL skips an all-NULL key and refuses a partly NULL one (23503).
   */
  needsCheck(row: readonly Datum[], ctx: EvalContext): boolean {
    const nulls = this.childPositions.filter((position) => row[position] === null).length;
    if (nulls === 0) return true;
    if (this.fk.match === 'full' && nulls < this.childPositions.length) {
      throw new SqlError('23503', `insert or update on table "${this.child.name}" violates foreign key constraint "${this.fk.name}"`, { detail: 'MATCH FULL does not allow mixing of null and nonnull key values.' });
    }
    void ctx;
    return false;
  }

  /** The key of the parent row with `values` (non-NULL, parent types) in the referenced index. */
  parentKey(values: readonly Datum[]): Uint8Array {
    const ordered = this.parentIndexOrder.map((ordinal) => values[ordinal]!);
    const codec = codecOf(this.parent);
    if (this.parentIndex.id === this.parent.primaryIndex.id) return codec.primaryKeyFromValues(ordered);
    return codec.indexKeyFromValues(this.parentIndex.id, ordered);
  }

  /** 23503 for a child row whose parent is missing. */
  missingParent(row: readonly Datum[], ctx: EvalContext): SqlError {
    const values = this.childPositions.map((position) => row[position] ?? null);
    return new SqlError('23503', `insert or update on table "${this.child.name}" violates foreign key constraint "${this.fk.name}"`, { detail: `${keyText(this.child, this.childPositions, values, ctx)} is not present in table "${this.parent.name}".` });
  }

  /** 23503 for a parent row still referenced. */
  stillReferenced(parentValues: readonly Datum[], ctx: EvalContext): SqlError {
    return new SqlError('23503', `update or delete on table "${this.parent.name}" violates foreign key constraint "${this.fk.name}" on table "${this.child.name}"`, { detail: `${keyText(this.parent, this.parentPositions, parentValues, ctx)} is still referenced from table "${this.child.name}".` });
  }

  /**
   * The child rows referencing any of `parentKeys` (parent values, non-NULL): through the child
   * index on the FK columns when there is one (a prefix scan per key), else one scan of the table
   * filtered here.
   */
  async referencingRows(rt: Runtime, parentKeys: readonly (readonly Datum[])[], lock: boolean): Promise<Datum[][]> {
    if (parentKeys.length === 0) return [];
    const wanted = new Set(parentKeys.map((values) => Buffer.from(this.parentKey(values)).toString('latin1')));
    const locking = lock ? ({ strength: 'exclusive', waitPolicy: 'block' } as const) : null;
    let node: ScanNode;
    if (this.childIndex === null) node = scanNode(this.child, null, locking);
    else {
      const { index, order } = this.childIndex;
      const prefixes = parentKeys.map((values) => {
        const childValues = this.asChildValues(values);
        return order.map((ordinal) => constantExpr(this.child.columns[this.childPositions[ordinal]!]!.type, childValues[ordinal]!));
      });
      node = scanNode(this.child, { index, spans: { kind: 'prefixes', prefixes, exact: false } }, locking);
    }
    const rows = await drain(new ScanSource(node, rt));
    return rows.filter((row) => {
      if (this.childPositions.some((position) => row[position] === null)) return false;
      return wanted.has(Buffer.from(this.parentKey(this.childValues(row))).toString('latin1'));
    });
  }
}

/** Resolves the FKs of the tables a statement touches, reading each descriptor once. */
class ForeignKeyResolver {
  private readonly tables = new Map<number, TableDesc>();
  private readonly outbound = new Map<number, ResolvedForeignKey[]>();
  private readonly inbound = new Map<number, ResolvedForeignKey[]>();

  constructor(private readonly catalog: Catalog) {}

  async table(id: number, known?: TableDesc): Promise<TableDesc> {
    let table = this.tables.get(id);
    if (table === undefined) {
      if (known !== undefined) table = known;
      else {
        const descriptor = await this.catalog.descriptor(id);
        assert(descriptor?.kind === 'table', () => `foreign key table ${id}`);
        table = descriptor;
      }
      this.tables.set(id, table);
    }
    return table;
  }

  async outboundOf(table: TableDesc): Promise<ResolvedForeignKey[]> {
    let resolved = this.outbound.get(table.id);
    if (resolved === undefined) {
      resolved = [];
      for (const fk of foreignKeysOf(table)) resolved.push(new ResolvedForeignKey(table, await this.table(fk.referencedTableId), fk));
      this.outbound.set(table.id, resolved);
    }
    return resolved;
  }

  async inboundOf(table: TableDesc): Promise<ResolvedForeignKey[]> {
    let resolved = this.inbound.get(table.id);
    if (resolved === undefined) {
      resolved = [];
      for (const reference of referencedByOf(table)) {
        const child = await this.table(reference.originTableId);
        const fk = foreignKeysOf(child).find((candidate) => candidate.name === reference.name && candidate.referencedTableId === table.id);
        assert(fk !== undefined, () => `back-reference ${reference.name} from table ${child.name}`);
        resolved.push(new ResolvedForeignKey(child, table, fk));
      }
      this.inbound.set(table.id, resolved);
    }
    return resolved;
  }
}

/** One row change: an insert (`oldRow` null), a delete (`newRow` null) or an update. */
interface RowChange {
  readonly oldRow: readonly Datum[] | null;
  readonly newRow: readonly Datum[] | null;
}

/** Whether two rows agree on the columns at `positions` (NULL equal to NULL: a key that did not change). */
function sameValues(left: readonly Datum[], right: readonly Datum[], positions: readonly number[], table: TableDesc): boolean {
  return positions.every((position) => {
    const a = left[position] ?? null;
    const b = right[position] ?? null;
    if (a === null || b === null) return a === b;
    return compareDatums(table.columns[position]!.type, a, b) === 0;
  });
}

/**
 * The foreign-key work of one DML statement on `table`: record its row changes as they are
 * written, then `finish` after the statement's writer flushed.
 */
export class ForeignKeyActions {
  private readonly resolver: ForeignKeyResolver;
  private readonly changes: RowChange[] = [];

  constructor(
    catalog: Catalog,
    private readonly table: TableDesc,
  ) {
    this.resolver = new ForeignKeyResolver(catalog);
  }

  inserted(row: readonly Datum[]): void {
    this.changes.push({ oldRow: null, newRow: row });
  }

  updated(oldRow: readonly Datum[], newRow: readonly Datum[]): void {
    this.changes.push({ oldRow, newRow });
  }

  deleted(row: readonly Datum[]): void {
    this.changes.push({ oldRow: row, newRow: null });
  }

  /**
   * Runs the referential actions level by level, then the checks of every row written. Its
   * reads see the statement's own writes even when the statement's reads are pinned at its
   * start (`Txn.readingLatest`; a data-modifying WITH): a row the statement itself inserted may
   * be the one referenced (PostgreSQL's RI triggers read the latest state too).
   */
  finish(rt: Runtime): Promise<void> {
    return rt.txn.readingLatest(() => this.checkAndAct(rt));
  }

  private async checkAndAct(rt: Runtime): Promise<void> {
    await this.resolver.table(this.table.id, this.table);
    const written: { table: TableDesc; changes: RowChange[] }[] = [];
    let level: { table: TableDesc; changes: RowChange[] }[] = [{ table: this.table, changes: this.changes }];
    for (let depth = 0; level.length > 0; depth++) {
      if (depth > foreignKeyCascadeLevelsMax) throw new SqlError('54000', `foreign key cascades went more than ${foreignKeyCascadeLevelsMax} levels deep`);
      written.push(...level);
      const next: { table: TableDesc; changes: RowChange[] }[] = [];
      for (const { table, changes } of level) {
        for (const fk of await this.resolver.inboundOf(table)) {
          const cascaded = await this.act(rt, fk, changes);
          if (cascaded.length > 0) next.push({ table: fk.child, changes: cascaded });
        }
      }
      level = next;
    }
    for (const { table, changes } of written) {
      for (const fk of await this.resolver.outboundOf(table)) await checkParents(rt, fk, changedRows(fk, changes, rt.ctx));
    }
  }

  /**
   * The action of inbound `fk` for the parent rows `changes` removed or re-keyed: the referencing
   * rows are refused (NO ACTION, RESTRICT) or changed (the cascades); returns the child changes.
   */
  private async act(rt: Runtime, fk: ResolvedForeignKey, changes: readonly RowChange[]): Promise<RowChange[]> {
    const deletes = changes.filter((change) => change.oldRow !== null && change.newRow === null);
    const updates = changes.filter((change) => change.oldRow !== null && change.newRow !== null);
    return [...(await this.actOn(rt, fk, deletes, fk.fk.onDelete)), ...(await this.actOn(rt, fk, updates, fk.fk.onUpdate))];
  }

  private async actOn(rt: Runtime, fk: ResolvedForeignKey, changes: readonly RowChange[], action: ForeignKeyDesc['onDelete']): Promise<RowChange[]> {
    if (changes.length === 0) return [];
    // Old parent keys gone (deleted, or updated to other values), with the new values of an update.
    const gone = new Map<string, { old: Datum[]; replacement: Datum[] | null }>();
    for (const change of changes) {
      if (change.oldRow === null) continue;
      const old = fk.parentValues(change.oldRow);
      if (old.some((value) => value === null)) continue;
      if (change.newRow !== null && sameValues(change.oldRow, change.newRow, fk.parentPositions, fk.parent)) continue;
      gone.set(Buffer.from(fk.parentKey(old)).toString('latin1'), { old, replacement: change.newRow === null ? null : fk.parentValues(change.newRow) });
    }
    if (gone.size === 0) return [];
    let entries = [...gone.values()];
    if (action === 'no action') {
      // PostgreSQL's ri_Check_Pk_Still_Present: a key the statement removed and wrote again
      // (UPDATE … SET id = id + 1 over a run of ids) is still there for its referencing rows.
      const response = await rt.txn.batch(entries.map((entry) => getRequest(fk.parentKey(entry.old))));
      entries = entries.filter((_entry, index) => {
        const result = response.responses[index]!;
        return result.kind !== 'get' || result.value === undefined;
      });
      if (entries.length === 0) return [];
    }
    const cascades = action === 'cascade' || action === 'set null' || action === 'set default';
    const rows = await fk.referencingRows(rt, entries.map((entry) => entry.old), cascades);
    if (rows.length === 0) return [];
    if (!cascades) {
      const row = rows[0]!;
      throw fk.stillReferenced(fk.childValues(row), rt.ctx);
    }
    const writer = new RowWriter(rt.txn, fk.child, codecOf(fk.child), [], rt.ctx);
    const out: RowChange[] = [];
    const defaults = action === 'set default' ? await compileDefaults(fk, rt.ctx) : null;
    for (const row of rows) {
      const entry = gone.get(Buffer.from(fk.parentKey(fk.childValues(row))).toString('latin1'));
      assert(entry !== undefined, 'a referencing row of a removed key');
      if (action === 'cascade' && entry.replacement === null) {
        await writer.delete(row);
        out.push({ oldRow: row, newRow: null });
        continue;
      }
      const newRow = [...row];
      const values = action === 'cascade' ? fk.asChildValues(entry.replacement!) : action === 'set null' ? fk.childPositions.map(() => null) : defaults!;
      fk.childPositions.forEach((position, index) => (newRow[position] = values[index]!));
      writer.validate(newRow);
      await writer.update(row, newRow);
      out.push({ oldRow: row, newRow });
    }
    await writer.flush();
    return out;
  }
}

/** The FK columns' DEFAULTs of the child (SET DEFAULT), evaluated once for the statement. */
async function compileDefaults(fk: ResolvedForeignKey, ctx: EvalContext): Promise<Datum[]> {
  const compiler = new ExprCompiler(Scope.empty, []);
  const values: Datum[] = [];
  for (const position of fk.childPositions) {
    const column = fk.child.columns[position]!;
    if (column.defaultExpr === null) values.push(null);
    else values.push((await compiler.compileAs(column.defaultExpr, column.type, 'assignment', `column "${column.name}"`)).eval([], ctx));
  }
  return values;
}

/** The rows of `changes` whose FK columns need a check: inserts, and updates that changed them. */
function changedRows(fk: ResolvedForeignKey, changes: readonly RowChange[], ctx: EvalContext): (readonly Datum[])[] {
  const rows: (readonly Datum[])[] = [];
  for (const change of changes) {
    if (change.newRow === null) continue;
    if (change.oldRow !== null && sameValues(change.oldRow, change.newRow, fk.childPositions, fk.child)) continue;
    if (fk.needsCheck(change.newRow, ctx)) rows.push(change.newRow);
  }
  return rows;
}

/**
 * 23503 unless every row's parent exists: the distinct parent keys are read with batched point
 * gets (CockroachDB's FK checks as a lookup join: one round trip per `checkKeysPerBatchMax`
 * rows, not per row).
 */
export async function checkParents(rt: Runtime, fk: ResolvedForeignKey, rows: readonly (readonly Datum[])[]): Promise<void> {
  const byKey = new Map<string, { key: Uint8Array; row: readonly Datum[] }>();
  for (const row of rows) {
    const key = fk.parentKey(fk.childValues(row));
    const id = Buffer.from(key).toString('latin1');
    if (!byKey.has(id)) byKey.set(id, { key, row });
  }
  const pending = [...byKey.values()];
  for (let offset = 0; offset < pending.length; offset += checkKeysPerBatchMax) {
    const chunk = pending.slice(offset, offset + checkKeysPerBatchMax);
    const response = await rt.txn.batch(chunk.map((entry) => getRequest(entry.key)));
    response.responses.forEach((result, index) => {
      if (result.kind === 'get' && result.value === undefined) throw fk.missingParent(chunk[index]!.row, rt.ctx);
    });
  }
}
