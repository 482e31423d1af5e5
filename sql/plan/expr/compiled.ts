/**
 * A compiled expression: its result type and a closure that evaluates it over a row. Expressions
 * are type-checked and compiled once per prepared statement (compile.ts); evaluating one is a
 * chain of closure calls with no AST in sight.
 *
 * Anything an expression needs beyond its row comes in the `EvalContext` of the run: parameters,
 * the statement's timestamps, session settings, the injected random source. Values that need
 * I/O (`nextval`, uncorrelated subqueries) cannot be computed inside a synchronous closure: the
 * compiler gives each a slot, the executor fills the slots (awaiting KV) before it evaluates the
 * row, and the closure reads the slot.
 */
import type { UniqueRowIds } from './unique-rowid.js';
import type { RandomSource } from '../../../src/env/env.js';
import type { SessionSettings } from '../../exec/contract.js';
import type { Datum } from '../../types/datum.js';
import type { SqlType } from '../../types/sql-type.js';
import type { TextContext } from '../../types/text-io.js';

export interface EvalContext {
  readonly params: readonly Datum[];
  /** now(), current_timestamp: the transaction's timestamp, µs since 2000-01-01 UTC. */
  readonly txnTimestampMicros: bigint;
  readonly statementTimestampMicros: bigint;
  readonly settings: SessionSettings;
  readonly random: RandomSource;
  readonly textContext: TextContext;
  /** The values of the `nextval` calls (and other I/O) of the current row, by slot. */
  readonly slots: Datum[];
  /** The database's name (current_database()). */
  readonly database: string;
  /** The enclosing query's current row, while a correlated subquery runs for it. */
  readonly outer: { row: readonly Datum[] };
  /**
   * The catalog as `pg_catalog` shows it, for the catalog functions (`pg_get_indexdef`,
   * `pg_table_is_visible`, `'t'::regclass`, …): loaded by the executor before the statement runs
   * when the plan has a `catalog` slot (sql/vtables owns its shape; opaque here).
   */
  readonly catalog: { snapshot: unknown };
  /** The node's `unique_rowid()` generator (unique-rowid.ts): one per engine, holding the node id. */
  readonly uniqueRowIds: UniqueRowIds;
}

export type Evaluator = (row: readonly Datum[], ctx: EvalContext) => Datum;

export interface CompiledExpr {
  readonly type: SqlType;
  readonly eval: Evaluator;
  /** A string literal or NULL whose type is still open (PostgreSQL's `unknown`): its text, or null. */
  readonly unknownLiteral?: { readonly text: string | null };
  /** `$n` (0-based) whose type is still open: the first context that needs a type gives it. */
  readonly openParam?: number;
  /** True if the value does not depend on the row (constants, parameters, now()): usable for key spans. */
  readonly rowIndependent: boolean;
  /** A bare column reference: its position in the row. */
  readonly columnIndex?: number;
  /** A compile-time constant (literals and casts of literals). */
  readonly constant?: { readonly value: Datum };
}

export function constantExpr(type: SqlType, value: Datum): CompiledExpr {
  return { type, eval: () => value, rowIndependent: true, constant: { value } };
}
