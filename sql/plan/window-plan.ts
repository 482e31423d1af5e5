/**
 * The data of a Window plan node (plan.ts's `WindowNode`): for one window (PARTITION BY and ORDER
 * BY), the functions computed over it, each with its frame. Built by window.ts; run by
 * sql/exec/window.ts; printed by explain.ts.
 */
import type { SqlType } from '../types/sql-type.js';
import type { AggregateCall } from './expr/aggregates.js';
import type { CompiledExpr } from './expr/compiled.js';
import type { InRange } from './window-range.js';

/** One ORDER BY key of a window: it sorts each partition, and rows equal on every key are peers. */
export interface WindowOrderKey {
  readonly expr: CompiledExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** A frame bound; an offset bound's value is computed once per statement (it cannot read the row). */
export type FrameBoundPlan =
  | { readonly kind: 'unbounded preceding' | 'current row' | 'unbounded following' }
  | {
      readonly kind: 'preceding' | 'following';
      /** bigint for ROWS and GROUPS; for RANGE, the type its in_range function takes. */
      readonly offset: CompiledExpr;
      /** RANGE only: how an ORDER BY value is compared with the current row's ± the offset. */
      readonly inRange: InRange | null;
    };

/**
 * Which rows of the partition an aggregate (and first_value, last_value, nth_value) sees for the
 * current row. PostgreSQL's default, written out: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT
 * ROW — the rows up to the current row's last peer, or the whole partition without ORDER BY.
 */
export interface WindowFramePlan {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBoundPlan;
  readonly end: FrameBoundPlan;
  readonly exclude: 'no others' | 'current row' | 'group' | 'ties';
}

export const defaultWindowFrame: WindowFramePlan = Object.freeze({
  mode: 'range',
  start: Object.freeze({ kind: 'unbounded preceding' }),
  end: Object.freeze({ kind: 'current row' }),
  exclude: 'no others',
});

/** One function a Window node computes; its result is appended to the row. */
export interface WindowFunctionPlan {
  readonly name: string;
  /** Over the node's input row. */
  readonly args: readonly CompiledExpr[];
  readonly type: SqlType;
  /** For a window aggregate (with its FILTER): the accumulator's call; null for the others. */
  readonly aggregate: AggregateCall | null;
  readonly frame: WindowFramePlan;
}
