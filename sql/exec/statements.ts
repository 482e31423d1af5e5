/**
 * The statement dispatcher: each statement kind the engine handles → its `StatementPlan`.
 * Transaction control, session variables, PREPARE/EXECUTE, DISCARD and COPY framing are the
 * session's (contract.ts); they reach here only by mistake and get 0A000.
 */
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import { explainPlan } from '../plan/explain.js';
import { planQuery, type PlanContext, type PlannedQuery } from '../plan/planner.js';
import type { CompiledExpr } from '../plan/expr/compiled.js';
import { textType } from '../types/sql-type.js';
import type { SqlEngineDeps } from './contract.js';
import { prepareAlterTable } from './ddl-alter.js';
import { prepareComment } from './ddl-comment.js';
import { prepareRename } from './ddl-rename.js';
import { prepareCreateView } from './ddl-view.js';
import { prepareCreateTable } from './ddl-create-table.js';
import { dropIndex, prepareCreateIndex } from './ddl-index.js';
import { prepareCreateDatabase, prepareCreateSchema, prepareCreateSequence, prepareDrop, prepareMaintenance, prepareTruncate } from './ddl-objects.js';
import { prepareDelete, prepareInsert, prepareUpdate } from './dml.js';
import { buildSource } from './operators.js';
import { rowsSource } from './runtime.js';
import type { ExecOutcome, StatementPlan } from './statement.js';
import { ExecStats, gatherStatsFor, stopGathering } from './exec-stats.js';
import { explainOptions, formatNanos, nodeStatsLines, statementStatsLines } from './explain-analyze.js';
import { prepareAdmin } from './admin.js';

export async function planStatement(pctx: PlanContext, statement: ast.Statement, deps: SqlEngineDeps): Promise<StatementPlan> {
  switch (statement.kind) {
    case 'QueryStatement':
      return prepareQuery(pctx, statement.query);
    case 'Insert':
      return prepareInsert(pctx, statement);
    case 'Update':
      return prepareUpdate(pctx, statement);
    case 'Delete':
      return prepareDelete(pctx, statement);
    case 'CreateTable':
      return prepareCreateTable(statement);
    case 'CreateIndex':
      return prepareCreateIndex(statement);
    case 'CreateDatabase':
      return prepareCreateDatabase(statement);
    case 'CreateSchema':
      return prepareCreateSchema(statement);
    case 'CreateSequence':
      return prepareCreateSequence(statement);
    case 'Drop':
      return prepareDrop(statement, dropIndex);
    case 'AlterTable':
      return prepareAlterTable(statement);
    case 'Rename':
      return prepareRename(statement);
    case 'CreateView':
      return prepareCreateView(pctx, statement);
    case 'Comment':
      return prepareComment(statement);
    case 'Truncate':
      return prepareTruncate(statement);
    case 'Vacuum':
    case 'Analyze':
      return prepareMaintenance(statement);
    case 'Explain':
      return prepareExplain(pctx, statement, deps);
    case 'SplitAt':
    case 'ShowRanges':
    case 'Unsplit':
    case 'Scatter':
    case 'RelocateRange':
    case 'ShowRangeForRow':
    case 'ShowClusterSetting':
    case 'SetClusterSetting':
      return prepareAdmin(pctx, statement, deps);
    default:
      throw new SqlError('0A000', `${statement.kind} is handled by the session, not the SQL engine`);
  }
}

async function prepareQuery(pctx: PlanContext, query: ast.Query): Promise<StatementPlan> {
  const planned = regNames(pctx, await planQuery(pctx, query));
  return {
    columns: planned.columns,
    paramTypes: [],
    isDdl: false,
    node: planned.node,
    execute(rt) {
      return Promise.resolve({ rows: buildSource(planned.node, rt), tag: (count: number) => `SELECT ${count}`, notices: [] });
    },
  };
}

/**
 * A query's `regclass` / `regtype` result columns sent as the names PostgreSQL prints for them
 * (`SELECT 't'::regclass` gives `t`), typed text: rangedb's reg* values are OIDs inside, and the
 * name needs the catalog, which the wire format's output functions do not have.
 */
function regNames(pctx: PlanContext, planned: PlannedQuery): PlannedQuery {
  const outputs = planned.columns.map((column, index) => pctx.compiler.regOutput({ type: column.type, eval: (row) => row[index] ?? null, rowIndependent: false }));
  if (outputs.every((output) => output === undefined)) return planned;
  const exprs: CompiledExpr[] = outputs.map((output, index) => output ?? { type: planned.columns[index]!.type, eval: (row) => row[index] ?? null, rowIndependent: false });
  return {
    node: { kind: 'project', input: planned.node, exprs, rowSlots: false, width: exprs.length },
    columns: planned.columns.map((column, index) => (outputs[index] === undefined ? column : { ...column, type: textType })),
  };
}

/** EXPLAIN [ANALYZE] (explain-analyze.ts): the plan, or under ANALYZE the plan run with what each node did. */
async function prepareExplain(pctx: PlanContext, statement: ast.Explain, deps: SqlEngineDeps): Promise<StatementPlan> {
  const options = explainOptions(statement.options);
  const clock = deps.txnDeps.clock;
  const planningStart = clock.physicalNow();
  const inner = await planStatement(pctx, statement.statement, deps);
  const planningNanos = clock.physicalNow() - planningStart;
  return {
    columns: [{ name: 'info', type: textType, tableOid: 0, columnNumber: 0 }],
    paramTypes: [],
    isDdl: false,
    async execute(rt, exec) {
      const explained = (lines: readonly string[], extra: Partial<ExecOutcome> = {}): ExecOutcome => ({ rows: rowsSource(lines.map((line) => [line])), tag: () => 'EXPLAIN', notices: [], ...extra });
      const summary = options.summary ? [`planning time: ${formatNanos(planningNanos)}`] : [];
      if (!options.analyze) {
        if (inner.node === undefined) return explained([`• ${statement.statement.kind}`]);
        return explained([...summary, 'distribution: local', 'vectorized: false', ...explainPlan(inner.node, rt.ctx)]);
      }
      // The statement really runs (its writes too), its rows counted and dropped.
      const stats = new ExecStats(() => clock.physicalNow());
      const start = clock.physicalNow();
      gatherStatsFor(rt.ctx, stats);
      let outcome: ExecOutcome;
      let rowCount = 0;
      try {
        outcome = await inner.execute(rt, exec);
        if (outcome.rows !== null) for (let batch = await outcome.rows.next(); batch !== null; batch = await outcome.rows.next()) rowCount += batch.length;
      } finally {
        stopGathering(rt.ctx);
      }
      const executionNanos = clock.physicalNow() - start;
      const header = [...summary, ...(options.summary ? [`execution time: ${formatNanos(executionNanos)}`] : []), 'distribution: local', 'vectorized: false', ...statementStatsLines(stats, outcome.tag(rowCount))];
      const plan = inner.node === undefined ? [`• ${statement.statement.kind}`] : explainPlan(inner.node, rt.ctx, (node) => nodeStatsLines(stats, node, options.timing));
      return explained([...header, ...plan], { notices: outcome.notices, ...(outcome.afterCommit === undefined ? {} : { afterCommit: outcome.afterCommit }) });
    },
  };
}
