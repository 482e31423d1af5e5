/**
 * What the admin statements share: the table or index they name (`t`, `t@i`) resolved into a
 * key span and a key encoder, the rows of `… AT VALUES (…)` compiled against the index's key
 * columns, and the range descriptors read from meta2 (the addressing records, DESIGN §4).
 *
 * Admin requests (AdminSplit, AdminMerge) are not transactional: they run as their own KV admin
 * transactions beside the statement's, exactly as CockroachDB's SPLIT AT does, so a ROLLBACK of
 * the SQL transaction does not undo them.
 */
import type * as ast from '../parser/ast.js';
import { KeyBuilder, batchHeader, batchRequest, compareKeys, decodeRangeDescriptor, keyMax, keysEqual, meta2Prefix, metaMax, prefixEnd, scanRequest, tablePrefix, type RangeDescriptor } from '../../kv/api/index.js';
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { IndexDesc, TableDesc } from '../catalog/descriptors.js';
import { SqlError } from '../catalog/errors.js';
import { resolveTable } from '../catalog/resolve.js';
import { appendDatumKey } from '../rowcodec/key-datum.js';
import type { CompiledExpr, EvalContext } from '../plan/expr/compiled.js';
import { codecOf, planValuesRows, type PlanContext } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import type { Datum } from '../types/datum.js';
import type { SqlType } from '../types/sql-type.js';
import type { ResultColumn, SqlEngineDeps } from './contract.js';

export const resultColumn = (name: string, type: SqlType): ResultColumn => ({ name, type, tableOid: 0, columnNumber: 0 });

/** A key span `[start, end)`. */
export interface KeySpan {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
}

/** An admin statement's table or index, resolved. */
export interface AdminIndex {
  /** Whether the statement named the table (`t`) or an index (`t@i`). */
  readonly targetKind: 'table' | 'index';
  readonly table: TableDesc;
  readonly index: IndexDesc;
  /** The types of the index's key columns, in key order (a non-unique secondary index's primary key suffix included). */
  readonly keyTypes: readonly SqlType[];
  /**
   * The keys the statement may touch: the whole table (`/Table/<id>` …) for a table target (its
   * primary index plus every secondary index), the index's prefix for an index target.
   */
  readonly span: KeySpan;
  /** The index key (or key prefix) of leading key column values. */
  keyOf(values: readonly Datum[]): Uint8Array;
}

/** Resolves `t` (its primary index) or `t@i`; 42P01 for a missing table, 42704 for a missing index. */
export async function resolveAdminIndex(pctx: PlanContext, target: ast.AdminTarget): Promise<AdminIndex> {
  const table = await resolveTable(pctx.catalog, pctx.settings, target.table);
  const codec = codecOf(table);
  let index: IndexDesc = table.primaryIndex;
  let span: KeySpan;
  if (target.kind === 'index') {
    const found = [table.primaryIndex, ...table.secondaryIndexes].find((candidate) => candidate.name === target.index);
    if (found === undefined) throw new SqlError('42704', `index "${target.index}" does not exist`);
    index = found;
    const prefix = codec.indexPrefix(index.id);
    span = { start: prefix, end: prefixEnd(prefix, keyMax) };
  } else {
    const prefix = tablePrefix(table.id);
    span = { start: prefix, end: prefixEnd(prefix, keyMax) };
  }
  const isPrimary = index.id === table.primaryIndex.id;
  // A non-unique secondary index keys each entry by its columns and then the primary key columns
  // it lacks (the suffix that makes entries unique): a row's full key names those too, as in
  // CockroachDB (`FOR ROW (grp, id)`, `SPLIT AT VALUES (3, 150)` between entries of one value).
  const suffix = isPrimary || index.unique ? [] : table.primaryIndex.columns.filter((pk) => !index.columns.some((column) => column.columnId === pk.columnId));
  const typeOf = (columnId: number): SqlType => table.columns.find((candidate) => candidate.id === columnId)!.type;
  const keyTypes = [...index.columns, ...suffix].map((column) => typeOf(column.columnId));
  return {
    targetKind: target.kind,
    table,
    index,
    keyTypes,
    span,
    keyOf(values) {
      assert(values.length <= keyTypes.length, 'more values than index key columns');
      if (isPrimary) return codec.primaryKeyFromValues(values);
      const key = codec.indexKeyFromValues(index.id, values.slice(0, index.columns.length));
      if (values.length <= index.columns.length) return key;
      const builder = new KeyBuilder(key.length + 32);
      builder.pushBytes(key);
      values.slice(index.columns.length).forEach((datum, offset) => {
        const column = suffix[offset]!;
        appendDatumKey(builder, typeOf(column.columnId), datum, column.direction);
      });
      return builder.finish();
    },
  };
}

/**
 * The rows of `SPLIT AT VALUES` / `UNSPLIT AT VALUES` / `FOR ROW`, compiled against the index's
 * leading key columns (assignment casts, as CockroachDB types them).
 */
export async function planKeyRows(pctx: PlanContext, target: AdminIndex, rows: readonly (readonly ast.Expr[])[], what: string): Promise<CompiledExpr[][]> {
  const width = rows[0]?.length ?? 0;
  if (rows.length > limits.sqlAdminSplitRowsMax) throw new SqlError('54000', `too many rows in ${what} data: ${rows.length} (at most ${limits.sqlAdminSplitRowsMax})`);
  for (const row of rows) if (row.length > target.keyTypes.length) throw new SqlError('42601', `too many columns in ${what} data`);
  if (width === 0) throw new SqlError('42601', `no columns in ${what} data`);
  const planned = await planValuesRows(pctx.compiler.withScope(Scope.empty), rows, target.keyTypes.slice(0, width));
  return planned.rows;
}

/**
 * The key of one compiled row. A NULL primary key value is no key at all (22004); in a secondary
 * index NULL is a value of the key order and encodes like any other.
 */
export function keyOfRow(target: AdminIndex, row: readonly CompiledExpr[], ctx: EvalContext, what: string): { key: Uint8Array; values: Datum[] } {
  const values = row.map((expr) => expr.eval([], ctx));
  if (target.index.id === target.table.primaryIndex.id && values.some((value) => value === null)) throw new SqlError('22004', `NULL in ${what} key`);
  return { key: target.keyOf(values), values };
}

/** Every range descriptor, in key order, as meta2 holds them (read at the present, not in a txn). */
export async function readRangeDescriptors(deps: SqlEngineDeps): Promise<RangeDescriptor[]> {
  const response = await deps.db.send(batchRequest(batchHeader({ timestamp: deps.txnDeps.clock.now() }), [scanRequest(meta2Prefix, metaMax)]));
  return response.responses[0].rows.map((row) => decodeRangeDescriptor(row.value));
}

/** The ranges that overlap `span` (all of them for null). */
export function rangesOverlapping(descriptors: readonly RangeDescriptor[], span: KeySpan | null): RangeDescriptor[] {
  if (span === null) return [...descriptors];
  return descriptors.filter((descriptor) => compareKeys(descriptor.endKey, span.start) > 0 && compareKeys(descriptor.startKey, span.end) < 0);
}

/** The range holding `key`. */
export function rangeContaining(descriptors: readonly RangeDescriptor[], key: Uint8Array): RangeDescriptor {
  const found = descriptors.find((descriptor) => compareKeys(descriptor.startKey, key) <= 0 && compareKeys(key, descriptor.endKey) < 0);
  assert(found !== undefined, 'meta2 covers the whole keyspace');
  return found;
}

/** The range that starts exactly at `key`, if `key` is a range boundary. */
export function rangeStartingAt(descriptors: readonly RangeDescriptor[], key: Uint8Array): RangeDescriptor | undefined {
  return descriptors.find((descriptor) => keysEqual(descriptor.startKey, key));
}
