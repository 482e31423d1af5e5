/**
 * `createSqlEngine`: the `SqlEngine` of contract.ts. `prepare` opens the catalog in the
 * caller's transaction, plans the statement (plans are cached in the `PreparedStatement` with the
 * catalog version they were built at) and infers parameter types; `run` checks the catalog
 * version (re-planning if a DDL changed it), fills the statement's I/O slots, and executes.
 * A query that is a point lookup by primary key (pgbench's `SELECT abalance … WHERE aid = $1`)
 * reads its rows in the same KV batch as the catalog version: one round trip per statement.
 */
import { batchHeader, batchRequest, incrementRequest, putRequest } from '../../kv/api/index.js';
import { assert } from '../../src/base/assert.js';
import type * as ast from '../parser/ast.js';
import { Catalog, DescriptorCache } from '../catalog/catalog.js';
import { SqlError } from '../catalog/errors.js';
import { parseQualifiedName, resolveSequence } from '../catalog/resolve.js';
import type { SequenceDesc } from '../catalog/descriptors.js';
import { ExprCompiler, type OuterScope, type SlotSpec } from '../plan/expr/compile.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { PlanNode, ScanNode } from '../plan/plan.js';
import { computeSpans } from '../plan/key-spans.js';
import { planQuery, type PlanContext } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import { unixEpochMicrosBefore2000, type Datum } from '../types/datum.js';
import { textType, type SqlType } from '../types/sql-type.js';
import { timeZoneFromSetting } from '../types/timezone.js';
import type { PrepareContext, PreparedStatement, ResultColumn, RunContext, SessionSettings, SqlEngine, SqlEngineDeps, StatementResult } from './contract.js';
import { sequenceValueKey } from './ddl-common.js';
import { createDatabaseObjects } from './ddl-objects.js';
import { buildSource } from './operators.js';
import { drain, type PrefetchedReads, type RowSource, type Runtime } from './runtime.js';
import { planStatement } from './statements.js';
import type { ExecContext, StatementPlan } from './statement.js';
import { installVirtualTables, loadCatalogSnapshot } from '../vtables/index.js';

interface Planned {
  readonly plan: StatementPlan;
  readonly version: string;
  readonly slots: readonly SlotSpec[];
  readonly subqueries: ReadonlyMap<ast.Query, PlanNode>;
  readonly paramTypes: readonly SqlType[];
}

/** The last values `nextval` gave, per session (keyed by its settings object) and sequence id: `currval`. */
const currentValues = new WeakMap<SessionSettings, Map<number, bigint>>();

export function createSqlEngine(deps: SqlEngineDeps): SqlEngine {
  installVirtualTables();
  const cache = new DescriptorCache();

  async function plan(statement: ast.Statement, catalog: Catalog, settings: SessionSettings, hints: readonly (SqlType | undefined)[]): Promise<Planned> {
    const paramTypes: (SqlType | undefined)[] = [...hints];
    const subqueries = new Map<ast.Query, PlanNode>();
    const compiler: ExprCompiler = new ExprCompiler(Scope.empty, paramTypes, [], null, async (query, outerScope) => {
      const outer: OuterScope = { scope: outerScope, used: false };
      const planned = await planQuery({ catalog, settings, compiler: compiler.withScope(Scope.empty).forSubquery(outer) }, query);
      subqueries.set(query, planned.node);
      return { types: planned.columns.map((column) => column.type), correlated: outer.used };
    });
    const pctx: PlanContext = { catalog, settings, compiler };
    const statementPlan = await planStatement(pctx, statement, deps);
    const resolved = paramTypes.map((type) => type ?? textType);
    return { plan: statementPlan, version: catalog.version, slots: compiler.slots, subqueries, paramTypes: resolved };
  }

  return {
    async prepare(statement: ast.Statement, ctx: PrepareContext): Promise<PreparedStatement> {
      const catalog = await Catalog.open(ctx.txn, cache);
      let planned = await plan(statement, catalog, ctx.settings, ctx.paramTypeHints);
      const columns = planned.plan.columns;
      const paramTypes = planned.paramTypes;
      return {
        statement,
        paramTypes,
        columns,
        isDdl: planned.plan.isDdl,
        async run(run: RunContext): Promise<StatementResult> {
          const ctx = evalContext(run, planned.slots.length);
          const lookup = statement.kind === 'QueryStatement' ? pointLookup(planned, ctx) : undefined;
          let runCatalog: Catalog;
          let prefetched: PrefetchedReads | undefined;
          if (lookup === undefined) {
            runCatalog = await Catalog.open(run.txn, cache);
          } else {
            const opened = await Catalog.openWithReads(run.txn, cache, lookup.keys);
            runCatalog = opened.catalog;
            prefetched = { node: lookup.node, keys: lookup.keys, values: opened.values, used: false };
          }
          if (runCatalog.version !== planned.version) {
            const replanned = await plan(statement, runCatalog, run.settings, paramTypes);
            if (!sameColumns(replanned.plan.columns, columns) || replanned.paramTypes.length !== paramTypes.length) throw new SqlError('0A000', 'cached plan must not change result type');
            planned = replanned;
            // The reads were for the old plan's scan node: the new plan's scan reads again.
            return execute(planned, runCatalog, run, evalContext(run, planned.slots.length), undefined);
          }
          return execute(planned, runCatalog, run, ctx, prefetched);
        },
      };
    },

    async bootstrap(txn) {
      const catalog = await Catalog.open(txn, cache);
      for (const name of ['defaultdb', 'postgres']) {
        if ((await catalog.database(name)) === undefined) await createDatabaseObjects(catalog, name);
      }
    },
  };

  async function execute(planned: Planned, catalog: Catalog, run: RunContext, ctx: EvalContext, prefetched: PrefetchedReads | undefined): Promise<StatementResult> {
    const sequences = new Map<string, SequenceDesc>();
    const sequence = async (name: string): Promise<SequenceDesc> => {
      let found = sequences.get(name);
      if (found === undefined) sequences.set(name, (found = await resolveSequence(catalog, run.settings, parseQualifiedName(name))));
      return found;
    };
    const rowSlotIndexes = planned.slots.flatMap((slot, index) => (slot.kind === 'subquery' || slot.kind === 'catalog' ? [] : [index]));
    // Catalog functions are synchronous: the snapshot they read is loaded once, before any row.
    if (planned.slots.some((slot) => slot.kind === 'catalog')) ctx.catalog.snapshot = await loadCatalogSnapshot(run.txn, ctx);
    const rt: Runtime = {
      txn: run.txn,
      ctx,
      ...(prefetched === undefined ? {} : { prefetched }),
      cancel: run.cancel,
      fillRowSlots: async () => {
        for (const index of rowSlotIndexes) ctx.slots[index] = await sequenceSlot(planned.slots[index]!, sequence, run, ctx);
      },
      fillCorrelated: async (slots, row) => {
        const saved = ctx.outer.row;
        try {
          for (const index of slots) {
            ctx.outer.row = row;
            const slot = planned.slots[index]!;
            assert(slot.kind === 'subquery', 'a correlated slot is a subquery');
            ctx.slots[index] = await subquerySlot(slot, planned.subqueries, rt);
          }
        } finally {
          ctx.outer.row = saved;
        }
      },
    };
    for (const [index, slot] of planned.slots.entries()) {
      if (slot.kind !== 'subquery' || slot.correlated) continue;
      ctx.slots[index] = await subquerySlot(slot, planned.subqueries, rt);
    }
    const exec: ExecContext = { catalog, settings: run.settings, deps, cache };
    const outcome = await planned.plan.execute(rt, exec);
    let count = 0;
    const source: RowSource | null = outcome.rows;
    const rows = (async function* (): AsyncGenerator<readonly Datum[]> {
      if (source === null) return;
      for (let batch = await source.next(); batch !== null; batch = await source.next()) {
        for (const row of batch) {
          count++;
          yield row;
        }
      }
    })();
    return {
      columns: planned.plan.columns,
      rows,
      tag: () => outcome.tag(count),
      notices: outcome.notices,
      ...(outcome.afterCommit === undefined ? {} : { afterCommit: outcome.afterCommit }),
    };
  }

  function evalContext(run: RunContext, slotCount: number): EvalContext {
    const txnMicros = run.txn.transaction.minTimestamp.wallNanos / 1000n - unixEpochMicrosBefore2000;
    const statementMicros = deps.txnDeps.clock.now().wallNanos / 1000n - unixEpochMicrosBefore2000;
    const timeZone = timeZoneFromSetting(run.settings.timeZone);
    return {
      params: run.params,
      txnTimestampMicros: txnMicros,
      statementTimestampMicros: statementMicros > txnMicros ? statementMicros : txnMicros,
      settings: run.settings,
      random: deps.txnDeps.random,
      textContext: { timeZone, nowMicros: txnMicros },
      slots: new Array<Datum>(slotCount).fill(null),
      database: run.settings.database,
      outer: { row: [] },
      catalog: { snapshot: undefined },
    };
  }

  async function sequenceSlot(slot: SlotSpec, sequence: (name: string) => Promise<SequenceDesc>, run: RunContext, ctx: EvalContext): Promise<Datum> {
    assert(slot.kind !== 'subquery' && slot.kind !== 'catalog', 'row slots are sequence calls');
    const descriptor = await sequence(slot.sequence);
    const values = currentValues.get(run.settings) ?? new Map<number, bigint>();
    currentValues.set(run.settings, values);
    if (slot.kind === 'currval') {
      const value = values.get(descriptor.id);
      if (value === undefined) throw new SqlError('55000', `currval of sequence "${descriptor.name}" is not yet defined in this session`);
      return value;
    }
    const timestamp = deps.txnDeps.clock.now();
    if (slot.kind === 'setval') {
      const target = slot.value.eval([], ctx) as bigint | null;
      if (target === null) return null;
      if (target < descriptor.minValue || target > descriptor.maxValue) throw new SqlError('22003', `setval: value ${target} is out of bounds for sequence "${descriptor.name}" (${descriptor.minValue}..${descriptor.maxValue})`);
      const calls = (target - descriptor.start) / descriptor.increment + 1n;
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigInt64(0, calls);
      await deps.db.send(batchRequest(batchHeader({ timestamp }), [putRequest(sequenceValueKey(descriptor.id), bytes)]));
      values.set(descriptor.id, target);
      return target;
    }
    // nextval: a non-transactional increment, as PostgreSQL's sequences: never rolled back.
    const response = await deps.db.send(batchRequest(batchHeader({ timestamp }), [incrementRequest(sequenceValueKey(descriptor.id), 1n)]));
    const calls = response.responses[0].newValue;
    const value = descriptor.start + (calls - 1n) * descriptor.increment;
    if (value > descriptor.maxValue || value < descriptor.minValue) {
      throw new SqlError('2200H', `nextval: reached ${value > descriptor.maxValue ? 'maximum' : 'minimum'} value of sequence "${descriptor.name}" (${value > descriptor.maxValue ? descriptor.maxValue : descriptor.minValue})`);
    }
    values.set(descriptor.id, value);
    return value;
  }
}

async function subquerySlot(slot: Extract<SlotSpec, { kind: 'subquery' }>, subqueries: ReadonlyMap<ast.Query, PlanNode>, rt: Runtime): Promise<Datum> {
  const node = subqueries.get(slot.query);
  assert(node !== undefined, 'a planned subquery');
  const rows = await drain(buildSource(node, rt));
  switch (slot.mode) {
    case 'exists':
      return rows.length > 0;
    case 'scalar':
      if (rows.length > 1) throw new SqlError('21000', 'more than one row returned by a subquery used as an expression');
      return rows[0]?.[0] ?? null;
    case 'in':
    case 'array':
      return rows.map((row) => row[0] ?? null);
    default:
      return slot.mode satisfies never;
  }
}

/**
 * The primary-key point lookup a query's rows come from — a plain (non-locking) scan of exact
 * primary keys under projections, filters, sorts and limits — with its keys for this run; undefined for
 * any other plan, or one with slots (subqueries, nextval: their values are not known yet).
 */
function pointLookup(planned: Planned, ctx: EvalContext): { node: ScanNode; keys: Uint8Array[] } | undefined {
  if (planned.slots.length > 0) return undefined;
  let node: PlanNode | undefined = planned.plan.node;
  while (node !== undefined && (node.kind === 'project' || node.kind === 'filter' || node.kind === 'limit' || node.kind === 'sort')) node = node.input;
  if (node?.kind !== 'scan' || node.locking !== null || node.spans.kind !== 'prefixes' || !node.spans.exact || node.index.id !== node.table.primaryIndex.id) return undefined;
  let keys: Uint8Array[] | null;
  try {
    keys = computeSpans(node, node.spans, ctx).pointKeys;
  } catch {
    return undefined; // a parameter that does not convert: the scan itself raises it, in order
  }
  return keys === null || keys.length === 0 ? undefined : { node, keys };
}

function sameColumns(left: readonly ResultColumn[] | undefined, right: readonly ResultColumn[] | undefined): boolean {
  if (left === undefined || right === undefined) return left === right;
  return left.length === right.length && left.every((column, index) => column.type.oid === right[index]!.type.oid && column.name === right[index]!.name);
}
