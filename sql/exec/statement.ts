/**
 * `StatementPlan`: what `prepare` builds for one statement and `run` executes — the engine's
 * internal form of a prepared statement, one per statement kind (query, DML, DDL, admin).
 */
import type { Notice, ResultColumn, SessionSettings, SqlEngineDeps } from './contract.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DescriptorCache } from '../catalog/catalog.js';
import type { RowSource, Runtime } from './runtime.js';
import type { SqlType } from '../types/sql-type.js';
import type { PlanNode, WorkTable } from '../plan/plan.js';
import type { Datum } from '../types/datum.js';
import type { ReaderHorizon } from './reader-horizon.js';

export interface ExecContext {
  readonly catalog: Catalog;
  readonly settings: SessionSettings;
  readonly deps: SqlEngineDeps;
  readonly cache: DescriptorCache;
  /** The engine's open transactions, for clearing the data of dropped indexes (reader-horizon.ts). */
  readonly readers: ReaderHorizon;
}

export interface ExecOutcome {
  readonly rows: RowSource | null;
  /** The tag, given the number of rows returned (known once they were pulled). */
  readonly tag: (rowCount: number) => string;
  readonly notices: readonly Notice[];
  /** Work to do once the transaction committed (e.g. split a new table's range). */
  readonly afterCommit?: () => Promise<void>;
}

export interface StatementPlan {
  readonly columns: readonly ResultColumn[] | undefined;
  readonly paramTypes: readonly SqlType[];
  readonly isDdl: boolean;
  /** The plan tree, for EXPLAIN (queries and DML reads). */
  readonly node?: PlanNode;
  /** What runs before the statement's subqueries and plan: its data-modifying WITH queries (modifying-ctes.ts). */
  readonly prelude?: StatementPrelude;
  execute(rt: Runtime, exec: ExecContext): Promise<ExecOutcome>;
}

/**
 * A statement's data-modifying WITH queries (modifying-ctes.ts): run once each, in order, before
 * anything else of the statement; their RETURNING rows go into `into.workTables` and the tables
 * they wrote into `into.modifiedTables` (the maps the statement's `Runtime` holds).
 */
export interface StatementPrelude {
  /** The working tables it fills: a subquery reading one runs after the prelude. */
  readonly tables: ReadonlySet<WorkTable>;
  /** For EXPLAIN: each query's title and plan. */
  readonly explain: readonly { readonly title: string; readonly node: PlanNode | undefined }[];
  run(rt: Runtime, exec: ExecContext, into: { readonly workTables: Map<WorkTable, { readonly rows: readonly Datum[][] }>; readonly modifiedTables: Map<number, string> }): Promise<readonly Notice[]>;
}
