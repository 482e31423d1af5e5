/** What planning a statement needs (the catalog in the statement's transaction, the session's settings, the statement's compiler), and what planning a FROM item gives. */
import type { Catalog } from '../catalog/catalog.js';
import type { ResultColumn, SessionSettings } from '../exec/contract.js';
import type { ExprCompiler } from './expr/compile.js';
import type { TableDesc } from '../catalog/descriptors.js';
import type { PlanNode } from './plan.js';
import type { Scope } from './scope.js';

/** What the planner knows of a table's size (the engine's implementation reads range stats: sql/exec/table-stats.ts). */
export interface TableStatistics {
  /** The table's estimated row count, or undefined when nothing is known. */
  rowCount(table: TableDesc): Promise<number | undefined>;
}

export interface PlanContext {
  readonly catalog: Catalog;
  readonly settings: SessionSettings;
  readonly compiler: ExprCompiler;
  /**
   * The WITH queries in scope, by name (each reference runs the query's plan again; a
   * data-modifying one's node reads the RETURNING rows it left: sql/exec/modifying-ctes.ts).
   * `withoutReturning`: a data-modifying one without RETURNING, which cannot be read (0A000).
   */
  readonly ctes?: ReadonlyMap<string, { readonly node: PlanNode; readonly columns: readonly ResultColumn[]; readonly withoutReturning?: boolean }>;
  /** The views being expanded around this query, outermost first (views.ts: a view reading itself is 42P17). */
  readonly views?: readonly number[];
  /** Table sizes for join planning (join-planning.ts); absent: every table is assumed middling. */
  readonly statistics?: TableStatistics;
}

export interface FromResult {
  readonly node: PlanNode;
  readonly scope: Scope;
  /** The FROM items a locking clause can name or reach (PostgreSQL's range table); absent: none. */
  readonly relations?: readonly FromRelation[];
}

/**
 * A FROM item as a locking clause sees it (plan/locking.ts): a table, whose columns start at
 * `offset` in the FROM list's scope, or something it cannot lock (a join's alias, a function, a
 * WITH query, a subquery or view, VALUES, a virtual table).
 */
export interface FromRelation {
  readonly kind: 'table' | 'join' | 'function' | 'cte' | 'subquery' | 'values' | 'virtual';
  readonly alias: string | null;
  /** For `table`: its descriptor. */
  readonly table?: TableDesc;
  readonly offset: number;
  /** On the nullable side of an outer join (its rows may be missing from a result row). */
  readonly nullable: boolean;
}

/** `relations` moved `by` columns right and, when `nullable`, onto the nullable side of an outer join. */
export function shiftRelations(relations: readonly FromRelation[] | undefined, by: number, nullable = false): FromRelation[] {
  return (relations ?? []).map((relation) => ({ ...relation, offset: relation.offset + by, nullable: relation.nullable || nullable }));
}
