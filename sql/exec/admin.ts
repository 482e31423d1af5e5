/**
 * Admin statements, CockroachDB's syntax (parsed by sql/parser/admin) and output columns, run on
 * this node. One file per family:
 *
 * | statement | file |
 * |---|---|
 * | `ALTER TABLE t | INDEX t@i SPLIT AT VALUES …`, `UNSPLIT AT VALUES …`, `UNSPLIT ALL` | admin-split.ts |
 * | `SHOW RANGES [FROM TABLE | INDEX | DATABASE] [WITH DETAILS]`, `SHOW RANGE … FOR ROW`, `SCATTER`, `ALTER RANGE … RELOCATE` | admin-ranges.ts |
 * | `SHOW CLUSTER SETTING`, `SHOW ALL CLUSTER SETTINGS`, `SET CLUSTER SETTING` | admin-settings.ts |
 *
 * Shared: admin-target.ts (the named table or index as a key span and key encoder; meta2 reads).
 */
import type * as ast from '../parser/ast.js';
import type { PlanContext } from '../plan/planner.js';
import type { SqlEngineDeps } from './contract.js';
import type { StatementPlan } from './statement.js';
import { prepareRelocateRange, prepareScatter, prepareShowRangeForRow, prepareShowRanges } from './admin-ranges.js';
import { prepareSetClusterSetting, prepareShowClusterSetting } from './admin-settings.js';
import { prepareSplitAt, prepareUnsplit } from './admin-split.js';
import { SqlError } from '../catalog/errors.js';

export async function prepareAdmin(pctx: PlanContext, statement: ast.Statement, deps: SqlEngineDeps): Promise<StatementPlan> {
  switch (statement.kind) {
    case 'SplitAt':
      return prepareSplitAt(pctx, statement, deps);
    case 'Unsplit':
      return prepareUnsplit(pctx, statement, deps);
    case 'ShowRanges':
      return prepareShowRanges(pctx, statement, deps);
    case 'ShowRangeForRow':
      return prepareShowRangeForRow(pctx, statement, deps);
    case 'Scatter':
      return prepareScatter(pctx, statement, deps);
    case 'RelocateRange':
      return prepareRelocateRange(statement, deps);
    case 'ShowClusterSetting':
      return prepareShowClusterSetting(statement);
    case 'SetClusterSetting':
      return prepareSetClusterSetting(pctx, statement, deps);
    default:
      throw new SqlError('0A000', `${statement.kind} is not an admin statement`);
  }
}
