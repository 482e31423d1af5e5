/**
 * The table description the row codec needs — the minimal interface the catalog will produce:
 * a table id, its columns (stable ids, types, nullability, the value old rows imply for a column
 * added later), the primary index and the secondary indexes (column ids with directions).
 *
 * Column ids are never reused; a row's datums are passed positionally, in `columns` order (the
 * codec maps ids to positions once, when it is built).
 */
import { assert } from '../../src/base/assert.js';
import type { Direction } from '../../kv/api/index.js';
import type { Datum } from '../types/datum.js';
import type { SqlType } from '../types/sql-type.js';

export interface ColumnDescriptor {
  /** Stable id, ≥ 1, unique within the table, never reused after a DROP COLUMN. */
  readonly id: number;
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  /**
   * The value of this column in rows written before it was added (PostgreSQL's
   * `attmissingval`): `ALTER TABLE … ADD COLUMN c int DEFAULT 7` rewrites nothing; old rows,
   * which lack the column, read 7. Undefined means NULL.
   */
  readonly missingValue?: Datum;
}

export interface IndexColumn {
  readonly columnId: number;
  readonly direction: Direction;
}

export interface IndexDescriptor {
  /** ≥ 1; the primary index is conventionally 1. */
  readonly id: number;
  readonly name: string;
  /** A unique secondary index keys non-NULL entries by the index columns alone. */
  readonly unique: boolean;
  readonly columns: readonly IndexColumn[];
}

export interface TableDescriptor {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly ColumnDescriptor[];
  /** Its columns are the primary key, which must be NOT NULL. */
  readonly primaryIndex: IndexDescriptor;
  readonly secondaryIndexes: readonly IndexDescriptor[];
}

/** Asserts the descriptor is well formed (the catalog builds it; a bad one is a programmer error). */
export function checkTableDescriptor(table: TableDescriptor): void {
  assert(Number.isSafeInteger(table.id) && table.id > 0, () => `bad table id ${table.id}`);
  const ids = new Set<number>();
  for (const column of table.columns) {
    assert(Number.isSafeInteger(column.id) && column.id > 0, () => `bad column id ${column.id}`);
    assert(!ids.has(column.id), () => `duplicate column id ${column.id}`);
    ids.add(column.id);
  }
  assert(table.primaryIndex.columns.length > 0, 'a primary index needs a column');
  const indexIds = new Set<number>();
  for (const index of [table.primaryIndex, ...table.secondaryIndexes]) {
    assert(Number.isSafeInteger(index.id) && index.id > 0 && !indexIds.has(index.id), () => `bad or duplicate index id ${index.id}`);
    indexIds.add(index.id);
    for (const column of index.columns) assert(ids.has(column.columnId), () => `index ${index.name} names unknown column ${column.columnId}`);
  }
  for (const column of table.primaryIndex.columns) {
    assert(!table.columns.find((c) => c.id === column.columnId)!.nullable, 'primary key columns must be NOT NULL');
  }
}
