/**
 * The range-inspecting admin statements, with CockroachDB 23.1's output columns:
 *
 *     SHOW RANGES [FROM TABLE t | FROM INDEX t@i | FROM DATABASE d] [WITH DETAILS]
 *     SHOW RANGE FROM TABLE t | FROM INDEX t@i FOR ROW (…)
 *     ALTER TABLE t | INDEX t@i SCATTER
 *     ALTER RANGE id RELOCATE [LEASE | VOTERS] [FROM s] TO s
 *
 * Range boundaries come from meta2 (the addressing records); sizes and leaseholders from the
 * node's own replicas (`SqlEngineDeps.ranges`: each replica's applied MVCC stats and lease).
 * Keys print as absolute pretty keys (`/Table/104/1/50`); CockroachDB prints those of `FROM
 * TABLE` relative to the table (`…/1/50`) — the absolute form is what EXPLAIN prints here too.
 *
 * SCATTER and RELOCATE move replicas and leases between stores; on a single node the only store
 * is this one, so they are accepted, with CockroachDB's output, when they ask for what already
 * holds (the target is this node's store) and refused otherwise.
 */
import type * as ast from '../parser/ast.js';
import { prettyKey, tablePrefix, keyMax, prefixEnd, type RangeDescriptor } from '../../kv/api/index.js';
import { SqlError } from '../catalog/errors.js';
import type { PlanContext } from '../plan/planner.js';
import { Numeric } from '../types/numeric.js';
import { arrayType, byteaType, int8Type, jsonbType, numericType, textType, timestamptzType } from '../types/sql-type.js';
import type { Datum } from '../types/datum.js';
import type { RangeStatus, ResultColumn, SqlEngineDeps } from './contract.js';
import { rowsSource } from './runtime.js';
import { readClusterSetting } from './admin-settings.js';
import type { StatementPlan } from './statement.js';
import { keyOfRow, planKeyRows, rangeContaining, rangesOverlapping, readRangeDescriptors, resolveAdminIndex, resultColumn, type KeySpan } from './admin-target.js';

const int8Array = arrayType(int8Type);
const textArray = arrayType(textType);

/** Columns every SHOW RANGES form has, in CockroachDB 23.1's order (details interleave theirs). */
function showRangesColumns(details: boolean): ResultColumn[] {
  const head = [resultColumn('start_key', textType), resultColumn('end_key', textType), resultColumn('range_id', int8Type)];
  const detailHead = details ? [resultColumn('range_size_mb', numericType()), resultColumn('lease_holder', int8Type), resultColumn('lease_holder_locality', textType)] : [];
  const replicas = [
    resultColumn('replicas', int8Array),
    resultColumn('replica_localities', textArray),
    resultColumn('voting_replicas', int8Array),
    resultColumn('non_voting_replicas', int8Array),
    resultColumn('learner_replicas', int8Array),
    resultColumn('split_enforced_until', timestamptzType()),
  ];
  const detailTail = details ? [resultColumn('range_size', int8Type), resultColumn('span_stats', jsonbType)] : [];
  return [...head, ...detailHead, ...replicas, ...detailTail];
}

/** The store ids of a range's replicas, by role (CockroachDB lists store ids, sorted). */
function replicaLists(descriptor: RangeDescriptor): { all: bigint[]; voting: bigint[]; learners: bigint[] } {
  const sorted = [...descriptor.replicas].sort((a, b) => a.storeId - b.storeId);
  return {
    all: sorted.map((replica) => BigInt(replica.storeId)),
    // Voters of either configuration of a joint one (incoming, outgoing, demoting) vote.
    voting: sorted.filter((replica) => replica.type !== 'learner').map((replica) => BigInt(replica.storeId)),
    learners: sorted.filter((replica) => replica.type === 'learner').map((replica) => BigInt(replica.storeId)),
  };
}

/** The locality of each replica's node: this node's own for its replicas (one node, no gossip yet). */
function localities(deps: SqlEngineDeps, descriptor: RangeDescriptor): string[] {
  return descriptor.replicas.map(() => deps.ranges?.locality ?? '');
}

/** `span_stats` as PostgreSQL prints jsonb: keys by length, then bytes. */
function spanStatsJson(status: RangeStatus): string {
  const fields: [string, number | string][] = [
    ['key_bytes', status.keyBytes],
    ['key_count', status.keyCount],
    ['val_bytes', status.valBytes],
    ['val_count', status.valCount],
    ['live_bytes', status.liveBytes],
    ['live_count', status.liveCount],
    ...(status.gcThreshold === undefined ? [] : [['gc_threshold', JSON.stringify(status.gcThreshold)] as [string, string]]),
    ['intent_bytes', status.intentBytes],
    ['intent_count', status.intentCount],
  ];
  return `{${fields.map(([name, value]) => `"${name}": ${value}`).join(', ')}}`;
}

function showRangesRow(deps: SqlEngineDeps, descriptor: RangeDescriptor, details: boolean): Datum[] {
  const lists = replicaLists(descriptor);
  const replicaColumns: Datum[] = [lists.all, localities(deps, descriptor), lists.voting, [], lists.learners, null];
  const head: Datum[] = [prettyKey(descriptor.startKey), prettyKey(descriptor.endKey), BigInt(descriptor.rangeId)];
  if (!details) return [...head, ...replicaColumns];
  const status = deps.ranges?.rangeStatus(descriptor.rangeId);
  const sizeBytes = status === undefined ? null : BigInt(status.keyBytes + status.valBytes);
  const leaseholder = status?.leaseholderNodeId ?? null;
  return [
    ...head,
    sizeBytes === null ? null : Numeric.of(sizeBytes, 6), // bytes ÷ 10⁶, exact
    leaseholder === null ? null : BigInt(leaseholder),
    leaseholder === null ? null : (deps.ranges?.locality ?? ''),
    ...replicaColumns,
    sizeBytes,
    status === undefined ? null : spanStatsJson(status),
  ];
}

/** A span SHOW RANGES covers, with the table's name for the pre-23.1 `FROM DATABASE` form. */
interface NamedSpan extends KeySpan {
  readonly tableName: string | null;
}

/** The spans of every table of database `name` (3D000 if it does not exist), in table id order. */
async function databaseSpans(pctx: PlanContext, name: string): Promise<NamedSpan[]> {
  const database = await pctx.catalog.database(name);
  if (database === undefined) throw new SqlError('3D000', `database "${name}" does not exist`);
  const entries = await pctx.catalog.listNames(database.id);
  return entries
    .filter((entry) => entry.kind === 'table')
    .sort((a, b) => a.id - b.id)
    .map((entry) => ({ start: tablePrefix(entry.id), end: prefixEnd(tablePrefix(entry.id), keyMax), tableName: entry.name }));
}

/** Pre-23.1 columns (`sql.show_ranges_deprecated_behavior.enabled`): CockroachDB 22.2's SHOW RANGES. */
function deprecatedColumns(withTableName: boolean): ResultColumn[] {
  return [
    ...(withTableName ? [resultColumn('table_name', textType)] : []),
    resultColumn('start_key', textType),
    resultColumn('end_key', textType),
    resultColumn('range_id', int8Type),
    resultColumn('range_size_mb', numericType()),
    resultColumn('lease_holder', int8Type),
    resultColumn('lease_holder_locality', textType),
    resultColumn('replicas', int8Array),
    resultColumn('replica_localities', textArray),
  ];
}

function deprecatedRow(deps: SqlEngineDeps, descriptor: RangeDescriptor, tableName: string | null): Datum[] {
  const details = showRangesRow(deps, descriptor, true);
  // start_key, end_key, range_id, range_size_mb, lease_holder, lease_holder_locality, replicas, replica_localities
  return [...(tableName === null ? [] : [tableName]), ...details.slice(0, 8)];
}

const deprecatedNotice = {
  severity: 'NOTICE',
  sqlState: '00000',
  message: 'attention! the pre-23.1 behavior of SHOW RANGES is deprecated!',
  hint: "Consider enabling the new functionality by setting 'sql.show_ranges_deprecated_behavior.enabled' to 'false'.",
} as const;

const deprecatedSetting = 'sql.show_ranges_deprecated_behavior.enabled';

export async function prepareShowRanges(pctx: PlanContext, statement: ast.ShowRanges, deps: SqlEngineDeps): Promise<StatementPlan> {
  let spans: NamedSpan[] | null;
  switch (statement.source.kind) {
    case 'all':
      spans = null;
      break;
    case 'database':
      spans = await databaseSpans(pctx, statement.source.database);
      break;
    case 'table':
    case 'index':
      spans = [{ ...(await resolveAdminIndex(pctx, statement.source)).span, tableName: null }];
      break;
  }
  const details = statement.details;
  // The result's shape depends on a cluster setting: read at prepare (Describe must know the
  // columns) and again at run; a plan whose shape changed since is refused as PostgreSQL refuses
  // a cached plan whose result type changed.
  const deprecated = (await readClusterSetting(pctx.catalog.txn, deprecatedSetting)) === 'true';
  const byTable = deprecated && statement.source.kind === 'database';
  return {
    columns: deprecated ? deprecatedColumns(byTable) : showRangesColumns(details),
    paramTypes: [],
    isDdl: false,
    async execute(rt) {
      if (((await readClusterSetting(rt.txn, deprecatedSetting)) === 'true') !== deprecated) throw new SqlError('0A000', 'cached plan must not change result type');
      const descriptors = await readRangeDescriptors(deps);
      let rows: Datum[][];
      if (byTable) {
        rows = spans!.flatMap((span) => rangesOverlapping(descriptors, span).map((descriptor) => deprecatedRow(deps, descriptor, span.tableName)));
      } else {
        const shown = spans === null ? descriptors : descriptors.filter((descriptor) => spans.some((span) => rangesOverlapping([descriptor], span).length > 0));
        rows = shown.map((descriptor) => (deprecated ? deprecatedRow(deps, descriptor, null) : showRangesRow(deps, descriptor, details)));
      }
      return { rows: rowsSource(rows), tag: (count) => `SELECT ${count}`, notices: deprecated ? [deprecatedNotice] : [] };
    },
  };
}

export async function prepareShowRangeForRow(pctx: PlanContext, statement: ast.ShowRangeForRow, deps: SqlEngineDeps): Promise<StatementPlan> {
  const target = await resolveAdminIndex(pctx, statement.target);
  if (statement.row.length !== target.keyTypes.length) {
    throw new SqlError('42601', `number of values in row (${statement.row.length}) must be equal to number of columns in index (${target.keyTypes.length})`);
  }
  const [row] = await planKeyRows(pctx, target, [statement.row], 'FOR ROW');
  return {
    columns: [
      resultColumn('range_id', int8Type),
      resultColumn('start_key', textType),
      resultColumn('end_key', textType),
      resultColumn('lease_holder', int8Type),
      resultColumn('lease_holder_locality', textType),
      resultColumn('replicas', int8Array),
      resultColumn('replica_localities', textArray),
    ],
    paramTypes: [],
    isDdl: false,
    async execute(rt) {
      const { key } = keyOfRow(target, row!, rt.ctx, 'FOR ROW');
      const descriptor = rangeContaining(await readRangeDescriptors(deps), key);
      const leaseholder = deps.ranges?.rangeStatus(descriptor.rangeId)?.leaseholderNodeId ?? null;
      const out: Datum[] = [
        BigInt(descriptor.rangeId),
        prettyKey(descriptor.startKey),
        prettyKey(descriptor.endKey),
        leaseholder === null ? null : BigInt(leaseholder),
        leaseholder === null ? null : (deps.ranges?.locality ?? ''),
        replicaLists(descriptor).all,
        localities(deps, descriptor),
      ];
      return { rows: rowsSource([out]), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}

/**
 * SCATTER: CockroachDB re-places the span's replicas and leases at random across stores and lists
 * the ranges it visited (`key`, `pretty`: each range's start). One store: every replica is
 * already where it can only be, so it lists the ranges and moves nothing.
 */
export async function prepareScatter(pctx: PlanContext, statement: ast.Scatter, deps: SqlEngineDeps): Promise<StatementPlan> {
  const target = await resolveAdminIndex(pctx, statement.target);
  return {
    columns: [resultColumn('key', byteaType), resultColumn('pretty', textType)],
    paramTypes: [],
    isDdl: false,
    async execute() {
      const ranges = rangesOverlapping(await readRangeDescriptors(deps), target.span);
      const rows = ranges.map((descriptor): Datum[] => [descriptor.startKey, prettyKey(descriptor.startKey)]);
      return { rows: rowsSource(rows), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}

/**
 * `ALTER RANGE id RELOCATE [LEASE | VOTERS] [FROM s] TO s` (store ids): a no-op answering
 * CockroachDB's row (`range_id`, `pretty`, `result` = 'ok') when the range's replicas and lease
 * already sit on store `s`; with one store any other target does not exist (22023).
 */
export function prepareRelocateRange(statement: ast.RelocateRange, deps: SqlEngineDeps): StatementPlan {
  return {
    columns: [resultColumn('range_id', int8Type), resultColumn('pretty', textType), resultColumn('result', textType)],
    paramTypes: [],
    isDdl: false,
    async execute() {
      const descriptor = (await readRangeDescriptors(deps)).find((candidate) => candidate.rangeId === statement.rangeId);
      if (descriptor === undefined) throw new SqlError('22023', `range r${statement.rangeId} does not exist`);
      const stores = new Set(descriptor.replicas.map((replica) => replica.storeId));
      for (const storeId of [statement.toNode, ...(statement.fromNode === null ? [] : [statement.fromNode])]) {
        if (!stores.has(storeId as never)) {
          const have = [...stores].sort((a, b) => a - b).map((id) => `s${id}`).join(', ');
          throw new SqlError('22023', `cannot relocate r${descriptor.rangeId} to or from store s${storeId}: this cluster has no such store (r${descriptor.rangeId} is on ${have})`);
        }
      }
      if (statement.what === 'voters' && statement.fromNode !== null && statement.fromNode !== statement.toNode) {
        throw new SqlError('22023', `cannot move r${descriptor.rangeId}'s voter from s${statement.fromNode} to s${statement.toNode}: s${statement.toNode} already holds one`);
      }
      return { rows: rowsSource([[BigInt(descriptor.rangeId), prettyKey(descriptor.startKey), 'ok']]), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}
