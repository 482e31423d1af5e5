/**
 * `createSqlEngine`: the `SqlEngine` of contract.ts. `prepare` opens the catalog in the
 * caller's transaction, plans the statement (plans are cached in the `PreparedStatement` with the
 * catalog version they were built at) and infers parameter types; `run` checks the catalog
 * version (re-planning if a DDL changed it), fills the statement's I/O slots, and executes.
 * A query that is a point lookup by primary key (pgbench's `SELECT abalance … WHERE aid = $1`)
 * reads its rows in the same KV batch as the catalog version: one round trip per statement.
 */
import { batchHeader, batchRequest, getRequest, incrementRequest, putRequest } from '../../kv/api/index.js';
import { equal } from '../../clock/timestamp.js';
import { assert } from '../../src/base/assert.js';
import type * as ast from '../parser/ast.js';
import { Catalog, DescriptorCache, hasWrittenCatalog } from '../catalog/catalog.js';
import { catalogLeaseNanosDefault, CatalogVersionFence } from '../catalog/version-fence.js';
import { SqlError } from '../catalog/errors.js';
import { parseQualifiedName, resolveSequence } from '../catalog/resolve.js';
import type { SequenceDesc } from '../catalog/descriptors.js';
import { ExprCompiler, type OuterScope, type SlotSpec } from '../plan/expr/compile.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import { UniqueRowIds } from '../plan/expr/unique-rowid.js';
import type { PlanNode, ScanNode, WorkTable } from '../plan/plan.js';
import { computeSpans } from '../plan/key-spans.js';
import { planQuery, type PlanContext } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import { unixEpochMicrosBefore2000, type Datum } from '../types/datum.js';
import { textType, type SqlType } from '../types/sql-type.js';
import { timeZoneFromSetting, type TimeZone } from '../types/timezone.js';
import type { TextContext } from '../types/text-io.js';
import type { RandomSource } from '../../src/env/env.js';
import type { HybridClock } from '../../clock/hlc.js';
import type { PrepareContext, PreparedStatement, ResultColumn, RunContext, SessionSettings, SqlEngine, SqlEngineDeps, StatementResult } from './contract.js';
import { sequenceValueKey } from './ddl-common.js';
import { createDatabaseObjects } from './ddl-objects.js';
import { buildSource } from './operators.js';
import { pointLookupChain, pointLookupRows, ReadyRows, type PointLookupChain } from './point-lookup.js';
import { drain, rowsSource, type PrefetchedReads, type RowBatch, type RowSource, type Runtime } from './runtime.js';
import { RangeTableStatistics } from './table-stats.js';
import { AdvisoryLockTable } from './advisory-locks.js';
import { ReaderHorizon } from './reader-horizon.js';
import { sessionSlot } from './session-functions.js';
import { planStatement } from './statements.js';
import type { ExecContext, StatementPlan } from './statement.js';
import { readsWorkTable } from './modifying-ctes.js';
import { installVirtualTables, loadCatalogSnapshot } from '../vtables/index.js';

interface Planned {
  readonly plan: StatementPlan;
  readonly version: string;
  readonly slots: readonly SlotSpec[];
  readonly subqueries: ReadonlyMap<ast.Query, PlanNode>;
  readonly paramTypes: readonly SqlType[];
  /** The scan whose keys the engine reads with the catalog version (`pointLookupScan`), or null. */
  readonly lookupScan: ScanNode | null;
  /** Its rows computed without operators (point-lookup.ts), or null: the operators run. */
  readonly lookupChain: PointLookupChain | null;
  /** The slots filled per row (nextval, currval, setval). */
  readonly rowSlotIndexes: readonly number[];
  /** Whether a catalog function needs the catalog snapshot loaded before the first row. */
  readonly hasCatalogSlot: boolean;
}

/**
 * The last values `nextval` gave, per sequence id, where no session runs the statement (an
 * engine-only caller), keyed by its settings object; a session keeps its own (SessionServices).
 */
const currentValues = new WeakMap<SessionSettings, Map<number, bigint>>();

export function createSqlEngine(deps: SqlEngineDeps): SqlEngine {
  installVirtualTables();
  const cache = new DescriptorCache();
  const fence = deps.catalogFence === false ? undefined : new CatalogVersionFence(deps.db, deps.catalogLeaseNanos ?? catalogLeaseNanosDefault, () => deps.txnDeps.clock.now());
  // Every catalog the engine opens takes the token from the fence when it vouches for it.
  cache.fence = fence;
  // Every statement's transaction is seen here before it reads the catalog (reader-horizon.ts).
  const readers = new ReaderHorizon();
  const statistics = new RangeTableStatistics(deps);
  const advisoryLocks = new AdvisoryLockTable();
  // unique_rowid() carries the node's id: the node's (its range status), or 1 for an engine without one (tests).
  const uniqueRowIds = new UniqueRowIds(deps.ranges?.nodeId ?? 1);

  async function plan(statement: ast.Statement, catalog: Catalog, settings: SessionSettings, hints: readonly (SqlType | undefined)[]): Promise<Planned> {
    const paramTypes: (SqlType | undefined)[] = [...hints];
    const subqueries = new Map<ast.Query, PlanNode>();
    const compiler: ExprCompiler = new ExprCompiler(Scope.empty, paramTypes, [], null, async (query, outerScope, cteScope) => {
      const outer: OuterScope = { scope: outerScope, used: false };
      const subquery = compiler.withScope(Scope.empty).forSubquery(outer);
      // The WITH queries around the subquery (the compiler's `withCtes` passes the planner's own map).
      const ctes = cteScope as PlanContext['ctes'];
      const planned = await planQuery({ catalog, settings, statistics, compiler: ctes === undefined ? subquery : subquery.withCtes(ctes), ...(ctes === undefined ? {} : { ctes }) }, query);
      subqueries.set(query, planned.node);
      return { types: planned.columns.map((column) => column.type), correlated: outer.used };
    });
    const pctx: PlanContext = { catalog, settings, compiler, statistics };
    const statementPlan = await planStatement(pctx, statement, deps);
    const resolved = paramTypes.map((type) => type ?? textType);
    const lookupScan = statement.kind === 'QueryStatement' ? pointLookupScan(statementPlan, compiler.slots) : null;
    const slots = compiler.slots;
    return {
      plan: statementPlan,
      version: catalog.version,
      slots,
      subqueries,
      paramTypes: resolved,
      lookupScan,
      lookupChain: pointLookupChain(statementPlan, lookupScan),
      rowSlotIndexes: slots.flatMap((slot, index) => (slot.kind === 'subquery' || slot.kind === 'catalog' || slot.kind === 'setReturning' ? [] : [index])),
      hasCatalogSlot: slots.some((slot) => slot.kind === 'catalog'),
    };
  }

  return {
    advisoryLocks,
    oldestReaderTimestamp: () => readers.oldestOpen(),
    async prepare(statement: ast.Statement, ctx: PrepareContext): Promise<PreparedStatement> {
      readers.enter(ctx.txn);
      // DML takes the catalog token from the lease when it can (version-fence.ts); DDL reads it.
      const dml = statement.kind === 'QueryStatement' || statement.kind === 'Insert' || statement.kind === 'Update' || statement.kind === 'Delete';
      const catalog = await Catalog.open(ctx.txn, cache, dml);
      let planned = await plan(statement, catalog, ctx.settings, ctx.paramTypeHints);
      const columns = planned.plan.columns;
      const paramTypes = planned.paramTypes;
      return {
        statement,
        paramTypes,
        columns,
        isDdl: planned.plan.isDdl,
        /**
         * Not an async function: it picks the way the statement runs, and a point lookup the
         * fence vouches for runs in one async frame (`fencedRun`) — this one was a second
         * frame on every point read's way. What it throws becomes the rejection, as before.
         */
        run(run: RunContext): Promise<StatementResult> {
          try {
            readers.enter(run.txn);
            const ctx = evalContext(run, planned.slots.length);
            const lookup = planned.lookupScan === null ? undefined : pointLookup(planned.lookupScan, ctx);
            if (lookup !== undefined && fence !== undefined) return fencedRun(fence, planned, lookup, run, ctx, unfenced);
            return unfenced(run, ctx, lookup);
          } catch (error) {
            return Promise.reject(error);
          }
        },
      };

      /** The statement with the catalog read in its transaction (with the lookup's rows, if any). */
      async function unfenced(run: RunContext, ctx: EvalContext, lookup: { node: ScanNode; keys: Uint8Array[] } | undefined): Promise<StatementResult> {
        let runCatalog: Catalog;
        let prefetched: PrefetchedReads | undefined;
        if (lookup === undefined) {
          runCatalog = await Catalog.open(run.txn, cache, dml);
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
      }
    },

    async bootstrap(txn) {
      const catalog = await Catalog.open(txn, cache);
      for (const name of ['defaultdb', 'postgres']) {
        if ((await catalog.database(name)) === undefined) await createDatabaseObjects(catalog, name);
      }
    },
  };

  /**
   * A statement with data-modifying WITH queries runs with its reads pinned at its start
   * (transaction stepping, `Txn.step`): every part reads the snapshot the statement began with,
   * not the changes the others make (PostgreSQL's rule; sql/exec/modifying-ctes.ts). Its result
   * rows are read before the pin is released, so they are produced under it too.
   */
  async function execute(planned: Planned, catalog: Catalog, run: RunContext, ctx: EvalContext, prefetched: PrefetchedReads | undefined): Promise<StatementResult> {
    if (prefetched !== undefined && planned.lookupChain !== null) return pointLookupResult(planned.plan, planned.lookupChain, prefetched, ctx);
    if (planned.plan.prelude === undefined) return executeStatement(planned, catalog, run, ctx, prefetched);
    run.txn.step();
    try {
      return await executeStatement(planned, catalog, run, ctx, prefetched, true);
    } finally {
      run.txn.stopStepping();
    }
  }

  /** `materialize`: every result row is read before it returns (the rows are not read lazily by the caller). */
  async function executeStatement(planned: Planned, catalog: Catalog, run: RunContext, ctx: EvalContext, prefetched: PrefetchedReads | undefined, materialize = false): Promise<StatementResult> {
    // Catalog functions are synchronous: the snapshot they read is loaded once, before any row.
    if (planned.hasCatalogSlot) ctx.catalog.snapshot = await loadCatalogSnapshot(run.txn, ctx);
    // Filled by the statement's data-modifying WITH queries (modifying-ctes.ts), if it has any.
    const workTables = new Map<WorkTable, { readonly rows: readonly Datum[][] }>();
    const modifiedTables = new Map<number, string>();
    const prelude = planned.plan.prelude;
    const rt: Runtime = {
      txn: run.txn,
      ctx,
      ...(prefetched === undefined ? {} : { prefetched }),
      ...(prelude === undefined ? {} : { workTables, modifiedTables }),
      cancel: run.cancel,
      fillRowSlots: planned.rowSlotIndexes.length === 0 ? noSlots : rowSlotFiller(planned, catalog, run, ctx),
      fillCorrelated: async (slots, row) => {
        const saved = ctx.outer.row;
        try {
          for (const index of slots) {
            // Inside a correlated subquery the enclosing outer row follows (a reference two levels up: scope.ts ChainedScope).
            ctx.outer.row = saved.length === 0 ? row : [...row, ...saved];
            const slot = planned.slots[index]!;
            assert(slot.kind === 'subquery', 'a correlated slot is a subquery');
            ctx.slots[index] = await subquerySlot(slot, planned.subqueries, rt);
          }
        } finally {
          ctx.outer.row = saved;
        }
      },
    };
    const exec: ExecContext = { catalog, settings: run.settings, deps, cache, readers };
    // Uncorrelated subqueries run first, except those reading a data-modifying WITH query's
    // RETURNING rows, which run once the prelude has run it.
    const afterPrelude: number[] = [];
    for (let index = 0; index < planned.slots.length; index++) {
      const slot = planned.slots[index]!;
      if (slot.kind !== 'subquery' || slot.correlated) continue;
      if (prelude !== undefined && readsWorkTable(planned.subqueries.get(slot.query), prelude.tables)) afterPrelude.push(index);
      else ctx.slots[index] = await subquerySlot(slot, planned.subqueries, rt);
    }
    const preludeNotices = prelude === undefined ? [] : await prelude.run(rt, exec, { workTables, modifiedTables });
    for (const index of afterPrelude) {
      const slot = planned.slots[index]!;
      assert(slot.kind === 'subquery', 'a deferred slot is a subquery');
      ctx.slots[index] = await subquerySlot(slot, planned.subqueries, rt);
    }
    const planOutcome = await planned.plan.execute(rt, exec);
    const outcome = preludeNotices.length === 0 ? planOutcome : { ...planOutcome, notices: [...preludeNotices, ...planOutcome.notices] };
    const rows = new ResultRows(materialize && outcome.rows !== null ? rowsSource(await drain(outcome.rows)) : outcome.rows);
    return {
      columns: planned.plan.columns,
      rows,
      tag: () => outcome.tag(rows.count),
      notices: outcome.notices,
      ...(outcome.afterCommit === undefined ? {} : { afterCommit: outcome.afterCommit }),
    };
  }

  /** `Runtime.fillRowSlots` of a plan that calls nextval/currval/setval (sequences resolved once per run) or a session function. */
  function rowSlotFiller(planned: Planned, catalog: Catalog, run: RunContext, ctx: EvalContext): (only?: readonly number[]) => Promise<void> {
    const sequences = new Map<string, SequenceDesc>();
    const sequence = async (name: string): Promise<SequenceDesc> => {
      let found = sequences.get(name);
      if (found === undefined) sequences.set(name, (found = await resolveSequence(catalog, run.settings, parseQualifiedName(name))));
      return found;
    };
    return async (only, row = []) => {
      for (const index of only ?? planned.rowSlotIndexes) {
        const slot = planned.slots[index]!;
        ctx.slots[index] = slot.kind === 'session' ? await sessionSlot(slot, row, run, ctx) : await sequenceSlot(slot, sequence, run, ctx);
      }
    };
  }

  /**
   * A point lookup whose catalog version the fence confirms (version-fence.ts): its rows are read
   * in its transaction while the fence reads the version token for its group — one request to
   * the table's range instead of a batch that also reads the system range. The catalog is then
   * the plan's version (`Catalog.confirmed`, taken if the statement needs one); the rows come at
   * once, with no catalog and not through `execute`'s async frame (point-lookup.ts). `unfenced`
   * runs it when the fence cannot vouch for it (its transaction holds locks or wrote the catalog,
   * the plan's token is not confirmed as of its read timestamp, the fence saw another token, or
   * it failed): the statement then reads the token itself (its row reads stay in the read set,
   * harmlessly).
   */
  async function fencedRun(
    fence: CatalogVersionFence,
    planned: Planned,
    lookup: { node: ScanNode; keys: Uint8Array[] },
    run: RunContext,
    ctx: EvalContext,
    unfenced: (run: RunContext, ctx: EvalContext, lookup: { node: ScanNode; keys: Uint8Array[] }) => Promise<StatementResult>,
  ): Promise<StatementResult> {
    // A transaction holding locks (it has an anchor) must not wait on the fence: the fence waits
    // out a DDL's intent on the token, and that DDL may be waiting on those locks — a cycle the
    // KV deadlock detector cannot see. Nor may one that wrote the catalog (its own token).
    if (run.txn.transaction.key.length > 0 || hasWrittenCatalog(run.txn)) return unfenced(run, ctx, lookup);
    const readTimestamp = run.txn.transaction.readTimestamp;
    // Under the lease the token is nearly always known already: no promise for it then.
    const known = fence.versionAt(readTimestamp);
    const pending = known === undefined ? fence.versionAtOrAbove(readTimestamp) : undefined;
    // Until a fence confirmed the plan's token at or before T, the answer only starts the chain.
    if (!fence.covers(planned.version, readTimestamp)) return unfenced(run, ctx, lookup);
    const response = await run.txn.batch(lookup.keys.map((key) => getRequest(key)));
    if ((known ?? (await pending)) !== planned.version || !equal(run.txn.transaction.readTimestamp, readTimestamp)) return unfenced(run, ctx, lookup);
    const values = response.responses.map((result) => {
      assert(result.kind === 'get', 'a get answers a get');
      return result.value;
    });
    const fenced: PrefetchedReads = { node: lookup.node, keys: lookup.keys, values, used: false };
    if (planned.lookupChain !== null) return pointLookupResult(planned.plan, planned.lookupChain, fenced, ctx);
    return execute(planned, Catalog.confirmed(run.txn, cache, planned.version), run, ctx, fenced);
  }

  function evalContext(run: RunContext, slotCount: number): EvalContext {
    return new StatementEvalContext(run, slotCount, deps.txnDeps.random, deps.txnDeps.clock, uniqueRowIds);
  }

  async function sequenceSlot(slot: SlotSpec, sequence: (name: string) => Promise<SequenceDesc>, run: RunContext, ctx: EvalContext): Promise<Datum> {
    assert(slot.kind !== 'subquery' && slot.kind !== 'catalog' && slot.kind !== 'session' && slot.kind !== 'setReturning', 'row slots are sequence calls');
    const descriptor = await sequence(slot.sequence);
    const values = run.session?.sequenceValues ?? currentValues.get(run.settings) ?? new Map<number, bigint>();
    if (run.session === undefined) currentValues.set(run.settings, values);
    if (slot.kind === 'currval') {
      const value = values.get(descriptor.id);
      if (value === undefined) throw new SqlError('55000', `currval of sequence "${descriptor.name}" is not yet defined in this session`);
      return value;
    }
    // They write outside the transaction, so its read-only guard (AS OF SYSTEM TIME) would not see them.
    if (run.txn.isReadOnly) throw new SqlError('25006', `cannot execute ${slot.kind}() in a read-only transaction`);
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
    case 'row':
      if (rows.length > 1) throw new SqlError('21000', 'more than one row returned by a subquery used as an expression');
      return rows[0] ?? null;
    case 'rows':
      return rows;
    default:
      return slot.mode satisfies never;
  }
}

/**
 * The scan a query's rows come from if it is a primary-key point lookup — a plain (non-locking)
 * scan of exact primary keys under projections, filters, sorts and limits — found once per plan;
 * null for any other plan, or one with slots (subqueries, nextval: their values are not known
 * before it runs).
 */
function pointLookupScan(plan: StatementPlan, slots: readonly SlotSpec[]): ScanNode | null {
  if (slots.length > 0) return null;
  let node: PlanNode | undefined = plan.node;
  while (node !== undefined && (node.kind === 'project' || node.kind === 'filter' || node.kind === 'limit' || node.kind === 'sort')) node = node.input;
  if (node?.kind !== 'scan' || node.locking !== null || node.spans.kind !== 'prefixes' || !node.spans.exact || node.index.id !== node.table.primaryIndex.id) return null;
  return node;
}

/**
 * A point lookup's result from the rows the engine read with the catalog version, through its
 * filters and projections without operators (point-lookup.ts). Only a query has a lookup
 * chain, and a query's tag is `SELECT n` (statements.ts).
 */
function pointLookupResult(plan: StatementPlan, chain: PointLookupChain, prefetched: PrefetchedReads, ctx: EvalContext): StatementResult {
  prefetched.used = true;
  const rows = new ReadyRows(pointLookupRows(chain, prefetched, ctx));
  return { columns: plan.columns, rows, tag: () => `SELECT ${rows.count}`, notices: [] };
}

/** The keys of the point lookup `node` for this run (its parameters' values); undefined if none. */
function pointLookup(node: ScanNode, ctx: EvalContext): { node: ScanNode; keys: Uint8Array[] } | undefined {
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

const noSlots = (): Promise<void> => Promise.resolve();

/**
 * A statement's rows as the session pulls them, batch by batch from the plan's source, counting
 * them for the tag. A plain object rather than an async generator: a point lookup's one row
 * costs one resolved promise instead of a generator's resumptions.
 */
class ResultRows implements AsyncIterator<readonly Datum[]> {
  count = 0;
  private batch: RowBatch = [];
  private position = 0;

  constructor(private source: RowSource | null) {}

  async next(): Promise<IteratorResult<readonly Datum[]>> {
    while (this.position >= this.batch.length) {
      if (this.source === null) return { done: true, value: undefined };
      const batch = await this.source.next();
      if (batch === null) {
        this.source = null;
        this.batch = [];
        this.position = 0;
        return { done: true, value: undefined };
      }
      this.batch = batch;
      this.position = 0;
    }
    this.count++;
    return { done: false, value: this.batch[this.position++]! };
  }
}

/** The last TimeZone setting parsed and its zone: sessions rarely change it, and parsing takes regexes. */
let lastTimeZone: { readonly setting: string; readonly zone: TimeZone } | undefined;

function timeZoneOf(setting: string): TimeZone {
  if (lastTimeZone?.setting !== setting) lastTimeZone = { setting, zone: timeZoneFromSetting(setting) };
  return lastTimeZone.zone;
}

/** Nanoseconds since the Unix epoch as SQL's timestamps count: µs since 2000-01-01 UTC. */
function micros2000(wallNanos: bigint): bigint {
  return wallNanos / 1000n - unixEpochMicrosBefore2000;
}

/**
 * One run's `EvalContext`. Its timestamps and text context are made when an expression first asks
 * for them, then stay: most statements never ask (a point lookup's `abalance` does not), and the
 * bigint arithmetic, a closure and a text context per statement were a visible share of a point
 * lookup's cost. The transaction's timestamp is its `minTimestamp`, which never moves, so reading
 * it late reads what reading it at the start would. The statement timestamp is read from the
 * clock at the first ask (statement_timestamp(), clock_timestamp()), never below the
 * transaction's.
 */
class StatementEvalContext implements EvalContext {
  readonly params: readonly Datum[];
  readonly settings: SessionSettings;
  readonly slots: Datum[];
  readonly database: string;
  readonly outer: { row: readonly Datum[] } = { row: [] };
  readonly catalog: { snapshot: unknown } = { snapshot: undefined };
  private txnMicros: bigint | undefined;
  private statementMicros: bigint | undefined;
  private textContextValue: TextContext | undefined;

  constructor(
    private readonly run: RunContext,
    slotCount: number,
    readonly random: RandomSource,
    private readonly clock: HybridClock,
    readonly uniqueRowIds: UniqueRowIds,
  ) {
    this.params = run.params;
    this.settings = run.settings;
    this.slots = slotCount === 0 ? [] : new Array<Datum>(slotCount).fill(null);
    this.database = run.settings.database;
  }

  get txnTimestampMicros(): bigint {
    this.txnMicros ??= micros2000(this.run.txn.transaction.minTimestamp.wallNanos);
    return this.txnMicros;
  }

  get textContext(): TextContext {
    this.textContextValue ??= { timeZone: timeZoneOf(this.settings.timeZone), nowMicros: this.txnTimestampMicros, extraFloatDigits: this.settings.extraFloatDigits };
    return this.textContextValue;
  }

  get statementTimestampMicros(): bigint {
    if (this.statementMicros === undefined) {
      const now = micros2000(this.clock.now().wallNanos);
      this.statementMicros = now > this.txnTimestampMicros ? now : this.txnTimestampMicros;
    }
    return this.statementMicros;
  }
}
