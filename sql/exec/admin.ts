/**
 * Admin statements (CockroachDB's syntax, parsed by sql/parser/admin): `ALTER TABLE … SPLIT AT
 * VALUES` (an AdminSplit at each encoded primary key) and `SHOW RANGES [FROM TABLE t]` (read
 * from meta2). The rest answer 0A000 for now.
 */
import type * as ast from '../parser/ast.js';
import { adminSplitRequest, batchHeader, batchRequest, decodeRangeDescriptor, keyMax, meta2Prefix, metaMax, prefixEnd, prettyKey, scanRequest, tablePrefix, compareKeys } from '../../kv/api/index.js';
import { SqlError } from '../catalog/errors.js';
import { resolveTable } from '../catalog/resolve.js';
import { codecOf, planValuesRows, type PlanContext } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import { int8Type, textType, type SqlType } from '../types/sql-type.js';
import type { Datum } from '../types/datum.js';
import type { ResultColumn, SqlEngineDeps } from './contract.js';
import { rowsSource } from './runtime.js';
import type { StatementPlan } from './statement.js';

const column = (name: string, type: SqlType): ResultColumn => ({ name, type, tableOid: 0, columnNumber: 0 });

export async function prepareAdmin(pctx: PlanContext, statement: ast.Statement, deps: SqlEngineDeps): Promise<StatementPlan> {
  switch (statement.kind) {
    case 'SplitAt':
      return prepareSplitAt(pctx, statement, deps);
    case 'ShowRanges':
      return prepareShowRanges(pctx, statement, deps);
    default:
      throw new SqlError('0A000', `${statement.kind} is not supported yet`);
  }
}

async function prepareSplitAt(pctx: PlanContext, statement: ast.SplitAt, deps: SqlEngineDeps): Promise<StatementPlan> {
  if (statement.target.kind !== 'table') throw new SqlError('0A000', 'SPLIT AT of an index is not supported yet');
  const table = await resolveTable(pctx.catalog, pctx.settings, statement.target.table);
  const codec = codecOf(table);
  const keyTypes = table.primaryIndex.columns.map((indexColumn) => table.columns.find((candidate) => candidate.id === indexColumn.columnId)!.type);
  for (const row of statement.rows) if (row.length > keyTypes.length) throw new SqlError('42601', `too many columns in SPLIT AT data`);
  const { rows } = await planValuesRows(pctx.compiler.withScope(Scope.empty), statement.rows, keyTypes.slice(0, statement.rows[0]?.length ?? 0));
  return {
    columns: [column('key', textType), column('pretty', textType), column('split_enforced_until', textType)],
    paramTypes: [],
    isDdl: false,
    async execute(rt) {
      const out: Datum[][] = [];
      for (const row of rows) {
        const values = row.map((expr) => expr.eval([], rt.ctx));
        if (values.some((value) => value === null)) throw new SqlError('22004', 'NULL in SPLIT AT key');
        const key = codec.primaryKeyFromValues(values);
        await deps.db.send(batchRequest(batchHeader({ timestamp: deps.txnDeps.clock.now() }), [adminSplitRequest(key)]));
        out.push([Buffer.from(key).toString('hex'), prettyKey(key), null]);
      }
      return { rows: rowsSource(out), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}

async function prepareShowRanges(pctx: PlanContext, statement: ast.ShowRanges, deps: SqlEngineDeps): Promise<StatementPlan> {
  let span: { start: Uint8Array; end: Uint8Array } | null = null;
  if (statement.source.kind === 'table') {
    const table = await resolveTable(pctx.catalog, pctx.settings, statement.source.table);
    const prefix = tablePrefix(table.id);
    span = { start: prefix, end: prefixEnd(prefix, keyMax) };
  } else if (statement.source.kind !== 'all') {
    throw new SqlError('0A000', 'SHOW RANGES FROM DATABASE / INDEX is not supported yet');
  }
  return {
    columns: [column('start_key', textType), column('end_key', textType), column('range_id', int8Type), column('replicas', textType), column('lease_holder', int8Type)],
    paramTypes: [],
    isDdl: false,
    async execute() {
      const response = await deps.db.send(batchRequest(batchHeader({ timestamp: deps.txnDeps.clock.now() }), [scanRequest(meta2Prefix, metaMax)]));
      const out: Datum[][] = [];
      for (const row of response.responses[0].rows) {
        const descriptor = decodeRangeDescriptor(row.value);
        if (span !== null && (compareKeys(descriptor.endKey, span.start) <= 0 || compareKeys(descriptor.startKey, span.end) >= 0)) continue;
        const replicas = descriptor.replicas.map((replica) => replica.nodeId);
        out.push([prettyKey(descriptor.startKey), prettyKey(descriptor.endKey), BigInt(descriptor.rangeId), `{${replicas.join(',')}}`, replicas[0] === undefined ? null : BigInt(replicas[0])]);
      }
      return { rows: rowsSource(out), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}
