/**
 * `ALTER TABLE t | INDEX t@i SPLIT AT VALUES (…)` and `UNSPLIT AT VALUES (…) | UNSPLIT ALL`,
 * with CockroachDB's output columns (`key`, `pretty`, and for SPLIT `split_enforced_until`).
 *
 * SPLIT sends an AdminSplit at each row's index key (the index's prefix + the order-preserving
 * encoding of the values); a key that already starts a range is left as it is (CockroachDB's
 * SPLIT AT is idempotent too). rangedb has no merge queue yet, so every split stays until
 * UNSPLIT: `split_enforced_until` is NULL (CockroachDB prints its "forever" timestamp there for a
 * split without `WITH EXPIRATION`; expirations would only matter to a merge queue).
 *
 * UNSPLIT in CockroachDB clears a range's sticky bit and leaves the merge to the merge queue; with
 * no merge queue on this node UNSPLIT merges at once: the range starting at the key is subsumed by
 * its left neighbour (AdminMerge on the left range, kv/replica/split-merge.ts). UNSPLIT ALL merges
 * every boundary inside the table's span — never the one at the table's own start, so each table
 * keeps its own first range — or, for an index, every boundary in the index's span.
 */
import type * as ast from '../parser/ast.js';
import { adminMergeRequest, adminSplitRequest, batchHeader, batchRequest, compareKeys, keysEqual, prettyKey } from '../../kv/api/index.js';
import { assert } from '../../src/base/assert.js';
import { InvalidInputError, RangedbError } from '../../src/base/errors.js';
import { limits } from '../../src/base/limits.js';
import { SqlError } from '../catalog/errors.js';
import type { PlanContext } from '../plan/planner.js';
import { byteaType, textType, timestamptzType } from '../types/sql-type.js';
import type { Datum } from '../types/datum.js';
import { formatText, timeZoneFromSetting } from '../types/index.js';
import type { SqlEngineDeps } from './contract.js';
import { rowsSource } from './runtime.js';
import type { StatementPlan } from './statement.js';
import { keyOfRow, planKeyRows, rangeStartingAt, readRangeDescriptors, resolveAdminIndex, resultColumn, type AdminIndex } from './admin-target.js';

export async function prepareSplitAt(pctx: PlanContext, statement: ast.SplitAt, deps: SqlEngineDeps): Promise<StatementPlan> {
  const target = await resolveAdminIndex(pctx, statement.target);
  const rows = await planKeyRows(pctx, target, statement.rows, 'SPLIT AT');
  return {
    columns: [resultColumn('key', byteaType), resultColumn('pretty', textType), resultColumn('split_enforced_until', timestamptzType())],
    paramTypes: [],
    isDdl: false,
    async execute(rt) {
      const out: Datum[][] = [];
      for (const row of rows) {
        const { key } = keyOfRow(target, row, rt.ctx, 'SPLIT AT');
        rt.cancel.throwIfCancelled();
        await splitAt(deps, key);
        out.push([key, prettyKey(key), null]);
      }
      return { rows: rowsSource(out), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}

export async function prepareUnsplit(pctx: PlanContext, statement: ast.Unsplit, deps: SqlEngineDeps): Promise<StatementPlan> {
  const target = await resolveAdminIndex(pctx, statement.target);
  const rows = statement.rows === null ? null : await planKeyRows(pctx, target, statement.rows, 'UNSPLIT AT');
  return {
    columns: [resultColumn('key', byteaType), resultColumn('pretty', textType)],
    paramTypes: [],
    isDdl: false,
    async execute(rt) {
      const keys: Uint8Array[] = [];
      if (rows === null) {
        keys.push(...(await unsplitAll(deps, target)));
      } else {
        for (const row of rows) {
          const { key, values } = keyOfRow(target, row, rt.ctx, 'UNSPLIT AT');
          rt.cancel.throwIfCancelled();
          await unsplitAt(deps, key, values, target);
          keys.push(key);
        }
      }
      return { rows: rowsSource(keys.map((key) => [key, prettyKey(key)])), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}

/**
 * Whether an admin request lost a race with another split or merge of the same range: the
 * descriptor changed under it (40001), or the split it asked for was made meanwhile ("already
 * split", 22023). The caller re-reads meta2 and decides again.
 */
function lostAdminRace(error: unknown): boolean {
  return error instanceof InvalidInputError || (error instanceof RangedbError && error.sqlState === '40001');
}

/**
 * Splits at `key` unless a range already starts there. A split racing another split or merge of
 * the same range re-reads meta2 and tries again, at most `limits.txnRetriesMax` times (an admin
 * split is a transaction, retried as one), so concurrent SPLIT AT of the same key all succeed.
 */
async function splitAt(deps: SqlEngineDeps, key: Uint8Array): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (rangeStartingAt(await readRangeDescriptors(deps), key) !== undefined) return;
    try {
      await sendAdmin(deps, adminSplitRequest(key));
      return;
    } catch (error: unknown) {
      if (!lostAdminRace(error) || attempt >= limits.txnRetriesMax) throw error;
    }
  }
}

/**
 * Merges the range starting at `boundary` into its left neighbour, retrying a lost race as
 * `splitAt` does. False if `boundary` was not a range start when first read; true once merged,
 * or once a racing UNSPLIT merged it first.
 */
async function mergeBoundary(deps: SqlEngineDeps, boundary: Uint8Array): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const descriptors = await readRangeDescriptors(deps);
    if (rangeStartingAt(descriptors, boundary) === undefined) return attempt > 1;
    const left = descriptors.find((descriptor) => keysEqual(descriptor.endKey, boundary));
    assert(left !== undefined, 'a range that is not the first has a left neighbour');
    try {
      await sendAdmin(deps, adminMergeRequest(left.startKey));
      return true;
    } catch (error: unknown) {
      if (!lostAdminRace(error) || attempt >= limits.txnRetriesMax) throw error;
    }
  }
}

/** Merges the range starting at `key` into its left neighbour; CockroachDB's error if `key` is not a boundary. */
async function unsplitAt(deps: SqlEngineDeps, key: Uint8Array, values: readonly Datum[], target: AdminIndex): Promise<void> {
  // A key of the table's index always sorts after the table's own start (`/Table/<id>`), so this
  // never merges the table's first range into the table before it.
  assert(compareKeys(key, target.span.start) > 0 || target.targetKind === 'index', 'UNSPLIT AT the table start');
  if (await mergeBoundary(deps, key)) return;
  const shown = values.map((value, index) => (value === null ? 'NULL' : formatText(target.keyTypes[index]!, value, { timeZone: timeZoneFromSetting('UTC') }))).join(', ');
  throw new SqlError('22023', `could not UNSPLIT AT (${shown}): key ${prettyKey(key)} is not the start of a range`);
}

/**
 * Merges every boundary inside the target's span, left to right (each merge widens the same left
 * range). Returns the keys that stopped being boundaries.
 */
async function unsplitAll(deps: SqlEngineDeps, target: AdminIndex): Promise<Uint8Array[]> {
  const isTable = target.targetKind === 'table';
  const descriptors = await readRangeDescriptors(deps);
  const boundaries = descriptors
    .map((descriptor) => descriptor.startKey)
    .filter((start) => {
      const fromStart = compareKeys(start, target.span.start);
      return (isTable ? fromStart > 0 : fromStart >= 0) && compareKeys(start, target.span.end) < 0;
    });
  const merged: Uint8Array[] = [];
  for (const boundary of boundaries) if (await mergeBoundary(deps, boundary)) merged.push(boundary);
  return merged;
}

async function sendAdmin(deps: SqlEngineDeps, request: Parameters<typeof batchRequest>[1][number]): Promise<void> {
  await deps.db.send(batchRequest(batchHeader({ timestamp: deps.txnDeps.clock.now() }), [request]));
}
