/**
 * What operators need while a statement runs: the transaction, the evaluation context of its
 * expressions, cancellation, and the filling of I/O slots (`nextval`, subqueries).
 */
import type { Txn } from '../../txn/index.js';
import type { CancelSignal } from './contract.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { Datum } from '../types/datum.js';
import type { ScanNode, WorkTable } from '../plan/plan.js';

/**
 * Point reads made before the plan ran, in the batch that read the catalog version
 * (`Catalog.openWithReads`): the gets of `node` for `keys`, given to its `ScanSource` once.
 */
export interface PrefetchedReads {
  readonly node: ScanNode;
  readonly keys: readonly Uint8Array[];
  readonly values: readonly (Uint8Array | undefined)[];
  used: boolean;
}

export interface Runtime {
  readonly txn: Txn;
  readonly ctx: EvalContext;
  readonly cancel: CancelSignal;
  /**
   * Computes this row's per-row slots (nextval) into `ctx.slots`: all of the statement's, or
   * `only` these (a VALUES row fills the sequence calls it makes, no others). `row` is the row
   * the slots' arguments read (a session function's `pg_try_advisory_lock(id)`); none by default.
   */
  readonly fillRowSlots: (only?: readonly number[], row?: readonly Datum[]) => Promise<void>;
  /** Runs the correlated subqueries of `slots` for the enclosing row `row`, into `ctx.slots`. */
  readonly fillCorrelated: (slots: readonly number[], row: readonly Datum[]) => Promise<void>;
  /** The statement's point lookup, already read (see `PrefetchedReads`). */
  readonly prefetched?: PrefetchedReads;
  /** The working tables of the recursive CTEs being run around this operator (operators.ts), and the RETURNING rows of the statement's data-modifying WITH queries. */
  readonly workTables?: ReadonlyMap<WorkTable, { readonly rows: readonly Datum[][] }>;
  /**
   * The tables the statement's data-modifying WITH queries have written (descriptor id → WITH
   * query name): a locking scan of one — rows to change or lock again — is refused
   * (modifying-ctes.ts); a plain read reads the statement's snapshot.
   */
  readonly modifiedTables?: ReadonlyMap<number, string>;
}

/** A batch of rows; operators pass rows along in batches to amortize the awaits. */
export type RowBatch = Datum[][];

/** A pulled operator (Volcano, batched): `next` gives the next batch, or null at the end. */
export interface RowSource {
  next(): Promise<RowBatch | null>;
}

/** Every row of `source`. */
export async function drain(source: RowSource): Promise<Datum[][]> {
  const rows: Datum[][] = [];
  for (let batch = await source.next(); batch !== null; batch = await source.next()) for (const row of batch) rows.push(row);
  return rows;
}

/** The source of fixed rows. */
export function rowsSource(rows: Datum[][], batchRows = 1024): RowSource {
  let offset = 0;
  return {
    next() {
      if (offset >= rows.length) return Promise.resolve(null);
      const batch = rows.slice(offset, offset + batchRows);
      offset += batchRows;
      return Promise.resolve(batch);
    },
  };
}
