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
import { prepareWithClause } from './modifying-ctes.js';
import { buildSource } from './operators.js';
import { rowsSource } from './runtime.js';
import type { ExecOutcome, StatementPlan, StatementPrelude } from './statement.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { PlanNode } from '../plan/plan.js';
import { ExecStats, gatherStatsFor, statsOf, stopGathering } from './exec-stats.js';
import { explainOptions, formatNanos, nodeStatsLines, statementStatsLines } from './explain-analyze.js';
import { prepareAdmin } from './admin.js';

export async function planStatement(pctx: PlanContext, statement: ast.Statement, deps: SqlEngineDeps): Promise<StatementPlan> {
  switch (statement.kind) {
    // A statement's own WITH may hold data-modifying queries (modifying-ctes.ts).
    case 'QueryStatement':
      return prepareWithClause(pctx, statement.query, prepareQuery);
    case 'Insert':
      return prepareWithClause(pctx, statement, prepareInsert);
    case 'Update':
      return prepareWithClause(pctx, statement, prepareUpdate);
    case 'Delete':
      return prepareWithClause(pctx, statement, prepareDelete);
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

/** When an EXPLAIN ANALYZE run's prelude started (its data-modifying WITH queries), per run. */
const analyzeStarts = new WeakMap<EvalContext, bigint>();

/** EXPLAIN [ANALYZE] (explain-analyze.ts): the plan, or under ANALYZE the plan run with what each node did. */
async function prepareExplain(pctx: PlanContext, statement: ast.Explain, deps: SqlEngineDeps): Promise<StatementPlan> {
  const options = explainOptions(statement.options);
  const clock = deps.txnDeps.clock;
  const planningStart = clock.physicalNow();
  const inner = await planStatement(pctx, statement.statement, deps);
  const planningNanos = clock.physicalNow() - planningStart;
  // Under ANALYZE the statement really runs: its data-modifying WITH queries first, as it would,
  // with the gathering of statistics started before them (they are part of what it did).
  const innerPrelude = options.analyze ? inner.prelude : undefined;
  const prelude: StatementPrelude | undefined =
    innerPrelude === undefined
      ? undefined
      : {
          ...innerPrelude,
          run(rt, exec, into) {
            analyzeStarts.set(rt.ctx, clock.physicalNow());
            gatherStatsFor(rt.ctx, new ExecStats(() => clock.physicalNow()));
            return innerPrelude.run(rt, exec, into);
          },
        };
  return {
    columns: [{ name: 'info', type: textType, tableOid: 0, columnNumber: 0 }],
    paramTypes: [],
    isDdl: false,
    ...(prelude === undefined ? {} : { prelude }),
    async execute(rt, exec) {
      const explained = (lines: readonly string[], extra: Partial<ExecOutcome> = {}): ExecOutcome => ({ rows: rowsSource(lines.map((line) => [line])), tag: () => 'EXPLAIN', notices: [], ...extra });
      const summary = options.summary ? [`planning time: ${formatNanos(planningNanos)}`] : [];
      if (!options.analyze) {
        if (inner.node === undefined) return explained([`• ${statement.statement.kind}`]);
        return explained([...summary, 'distribution: local', 'vectorized: false', ...explainPlan(inner.node, rt.ctx), ...explainPrelude(inner, (node) => explainPlan(node, rt.ctx))]);
      }
      // The statement really runs (its writes too), its rows counted and dropped.
      // Started by the prelude when the statement has one.
      const start = analyzeStarts.get(rt.ctx) ?? clock.physicalNow();
      let stats = statsOf(rt.ctx);
      if (stats === undefined) gatherStatsFor(rt.ctx, (stats = new ExecStats(() => clock.physicalNow())));
      const gathered = stats;
      let outcome: ExecOutcome;
      let rowCount = 0;
      try {
        outcome = await inner.execute(rt, exec);
        if (outcome.rows !== null) for (let batch = await outcome.rows.next(); batch !== null; batch = await outcome.rows.next()) rowCount += batch.length;
      } finally {
        stopGathering(rt.ctx);
      }
      const executionNanos = clock.physicalNow() - start;
      const header = [...summary, ...(options.summary ? [`execution time: ${formatNanos(executionNanos)}`] : []), 'distribution: local', 'vectorized: false', ...statementStatsLines(gathered, outcome.tag(rowCount))];
      const annotate = (node: PlanNode): readonly string[] => nodeStatsLines(gathered, node, options.timing);
      const plan = [...(inner.node === undefined ? [`• ${statement.statement.kind}`] : explainPlan(inner.node, rt.ctx, annotate)), ...explainPrelude(inner, (node) => explainPlan(node, rt.ctx, annotate))];
      return explained([...header, ...plan], { notices: outcome.notices, ...(outcome.afterCommit === undefined ? {} : { afterCommit: outcome.afterCommit }) });
    },
  };
}

/**
 * A statement's data-modifying WITH queries under its plan, as PostgreSQL's EXPLAIN lists a
 * ModifyTable CTE: each query's title, then its plan (the rows it reads), indented.
 */
function explainPrelude(plan: StatementPlan, explain: (node: PlanNode) => string[]): string[] {
  if (plan.prelude === undefined) return [];
  return plan.prelude.explain.flatMap(({ title, node }) => [`• ${title}`, ...(node === undefined ? [] : explain(node).map((line) => `  ${line}`))]);
}
