/**
 * Helpers shared by the DDL statements: PostgreSQL's generated names (`t_pkey`, `t_a_key`,
 * `t_a_idx`, `t_a_seq`, `t_a_check`, made unique with a number), the data and names a dropped
 * table leaves behind, the split of a new table's range, and sequence values.
 */
import { batchHeader, batchRequest, adminSplitRequest, deleteRangeRequest, indexPrefix, intValue, keyMax, prefixEnd, systemKey, tablePrefix } from '../../kv/api/index.js';
import { RangedbError } from '../../src/base/errors.js';
import type { Logger } from '../../src/base/logger.js';
import type { Catalog } from '../catalog/catalog.js';
import type { IndexDesc, SequenceDesc, TableDesc } from '../catalog/descriptors.js';
import type { Notice, SqlEngineDeps } from './contract.js';

/** `name` made unique in the schema's relation namespace (`t_a_idx`, `t_a_idx1`, …), truncated to 63 bytes. */
export async function uniqueRelationName(catalog: Catalog, parentId: number, schemaId: number, base: string, taken: ReadonlySet<string> = new Set()): Promise<string> {
  for (let suffix = 0; ; suffix++) {
    const tail = suffix === 0 ? '' : String(suffix);
    const name = base.slice(0, 63 - tail.length) + tail;
    if (!taken.has(name) && (await catalog.lookup(parentId, schemaId, name)) === undefined) return name;
  }
}

/** PostgreSQL's `ChooseRelationName` base: `table_col1_col2_suffix`. */
export function generatedName(table: string, columns: readonly string[], suffix: string): string {
  return [table, ...columns, suffix].join('_');
}

export function notice(message: string, sqlState = '00000'): Notice {
  return { severity: 'NOTICE', sqlState, message };
}

/** Most keys one DeleteRange of a DDL statement deletes: each batch must stay a modest Raft command. */
const deleteRangeKeysMax = 4096;

/** Deletes every key with `prefix` in the transaction, in bounded chunks (following resume spans). */
async function deletePrefix(catalog: Catalog, prefix: Uint8Array): Promise<void> {
  let start = prefix;
  const end = prefixEnd(prefix, keyMax);
  for (;;) {
    const response = await catalog.txn.batch([deleteRangeRequest(start, end)], { maxSpanRequestKeys: deleteRangeKeysMax });
    const resume = response.responses[0].resumeSpan;
    if (resume === undefined) return;
    start = resume.key;
  }
}

/** Deletes every row of `table` (all its indexes) in the transaction. */
export async function deleteTableData(catalog: Catalog, table: TableDesc): Promise<void> {
  await deletePrefix(catalog, tablePrefix(table.id));
}

export async function deleteIndexData(catalog: Catalog, table: TableDesc, index: IndexDesc): Promise<void> {
  await deletePrefix(catalog, indexPrefix(table.id, index.id));
}

/**
 * Removes a table: its data, descriptor, its name and its indexes' names, and its owned
 * sequences. `keepData`: the caller clears the data after the commit instead
 * (`clearDroppedSpansAfterCommit`) — a ClearRange per range rather than an intent per row now
 * and its resolution later.
 */
export async function dropTableObjects(catalog: Catalog, table: TableDesc, options: { readonly keepData?: boolean } = {}): Promise<void> {
  if (options.keepData !== true) await deleteTableData(catalog, table);
  for (const index of [table.primaryIndex, ...table.secondaryIndexes]) {
    const entry = await catalog.lookup(table.parentId, table.schemaId, index.name);
    if (entry?.kind === 'index' && entry.id === table.id) await catalog.deleteName(table.parentId, table.schemaId, index.name);
  }
  await catalog.deleteName(table.parentId, table.schemaId, table.name);
  await catalog.deleteDescriptor(table.id);
  for (const column of table.columns) {
    if (column.ownedSequenceId === null) continue;
    const sequence = await catalog.descriptor(column.ownedSequenceId);
    if (sequence?.kind === 'sequence') await dropSequenceObjects(catalog, sequence);
  }
}

export async function dropSequenceObjects(catalog: Catalog, sequence: SequenceDesc): Promise<void> {
  await catalog.deleteName(sequence.parentId, sequence.schemaId, sequence.name);
  await catalog.deleteDescriptor(sequence.id);
}

/** The key holding a sequence's call count (written outside transactions, as PostgreSQL's sequences are). */
export function sequenceValueKey(sequenceId: number): Uint8Array {
  return systemKey('Generator', [intValue(BigInt(sequenceId))]);
}

/** Attempts at splitting off a new table's range: concurrent splits of one range conflict (40001). */
const splitAttemptsMax = 10;

/**
 * Splits off a new table's range (each table starts in its own range, so its load and its
 * splits are its own). Run after the creating transaction committed; a split that conflicts with
 * another split of the same range (pgbench -i creates four tables back to back, and each splits
 * the range they all start in) is tried again after a short backoff. A failure is only logged —
 * the table works in a shared range too, but a bulk load into the system range then makes its
 * transaction's intents local to the record's range, resolved inside its commit.
 */
export function splitAfterCommit(deps: SqlEngineDeps, tableId: number, logger: Logger | undefined): () => Promise<void> {
  return async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        const timestamp = deps.txnDeps.clock.now();
        await deps.db.send(batchRequest(batchHeader({ timestamp }), [adminSplitRequest(tablePrefix(tableId))]));
        return;
      } catch (error) {
        const conflict = error instanceof RangedbError && error.sqlState === '40001';
        if (!conflict || attempt >= splitAttemptsMax) {
          logger?.warn({ err: error, tableId, attempt }, 'could not split off the range of a new table');
          return;
        }
        await deps.txnDeps.timers.sleep(1 + deps.txnDeps.random.int(10 * attempt));
      }
    }
  };
}
