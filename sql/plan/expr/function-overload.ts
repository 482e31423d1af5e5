/**
 * The shape of one built-in function overload, in a module of its own so that the function
 * tables (functions.ts) and the files that contribute to them (datetime-, text- and
 * jsonb-functions.ts) share it without importing each other.
 */
import type { Datum } from '../../types/datum.js';
import type { SqlType } from '../../types/sql-type.js';
import type { EvalContext } from './compiled.js';

export interface FunctionOverload {
  /** Argument types; `'any'` accepts any type (its actual type is passed in `argTypes`). */
  readonly args: readonly (SqlType | 'any')[];
  /** Trailing arguments repeat the last declared type (`concat(any, …)`). */
  readonly variadic?: boolean;
  /** The result type, possibly depending on the argument types. */
  readonly result: SqlType | ((argTypes: readonly SqlType[]) => SqlType);
  /** Whether NULL in any argument gives NULL without calling `impl` (PostgreSQL's STRICT). */
  readonly strict: boolean;
  /** Whether the result depends only on the arguments (constant-foldable). */
  readonly immutable: boolean;
  readonly impl: (args: readonly Datum[], argTypes: readonly SqlType[], ctx: EvalContext) => Datum;
  /** Whether `impl` reads `ctx.catalog` (a catalog function: the executor loads the snapshot first). */
  readonly readsCatalog?: boolean;
  /**
   * The parameters' names (pg_proc.proargnames), which calls with named arguments bind to
   * (named-args.ts), and the defaults of the last `defaults.length` parameters. Absent: the
   * overload takes positional arguments only.
   */
  readonly params?: { readonly names: readonly string[]; readonly defaults: readonly Datum[] };
}
