/**
 * rangedb's SQL syntax tree: readonly, `kind`-tagged nodes (kysely's habit, DESIGN.md §6). The
 * planner consumes only these types; libpg-query's JSON never leaves `sql/parser`.
 *
 * Conventions:
 * - Every expression and statement carries `location`: the byte offset (UTF-8) of its first
 *   token in the string given to `parse`, or -1 when PostgreSQL records none. Errors convert it
 *   to PostgreSQL's 1-based character position.
 * - Names are already case-folded the PostgreSQL way (unquoted identifiers lower-cased).
 * - Optional parts are `null` (never `undefined`); lists are empty arrays, never absent.
 * - Integer literals keep their digits as a string: the planner decides int4, int8 or numeric.
 */

// ───────────────────────────── names and types ─────────────────────────────

/** `[catalog.][schema.]name`: a table, index, sequence or schema-qualified object. */
export interface QualifiedName {
  readonly catalog: string | null;
  readonly schema: string | null;
  readonly name: string;
}

/** A type as written: `numeric(10,2)[]`, `pg_catalog.int4`, `varchar(20)`, `timestamptz`. */
export interface TypeName {
  readonly kind: 'TypeName';
  /** The qualified name, e.g. `['pg_catalog', 'int4']` for `integer`. */
  readonly names: readonly string[];
  /** Type modifiers: `(10, 2)` of numeric, `(20)` of varchar; usually integer literals. */
  readonly modifiers: readonly Expr[];
  /** One entry per `[]` / `[n]`: -1 for an unbounded dimension. */
  readonly arrayBounds: readonly number[];
  readonly location: number;
}

/** `AS alias (col, …)` on a FROM item. */
export interface Alias {
  readonly name: string;
  readonly columns: readonly string[];
}

/** `name = value` options (WITH (…) of CREATE TABLE, sequences, EXPLAIN, COPY, …). */
export interface Option {
  readonly name: string;
  /** The value as text (`'csv'`, `100`, `on`), or null when the option has no value. */
  readonly value: string | null;
}

// ───────────────────────────── expressions ─────────────────────────────

export type Expr =
  | ColumnRef
  | Star
  | Literal
  | TypedLiteral
  | Parameter
  | UnaryOp
  | BinaryOp
  | And
  | Or
  | Not
  | IsNull
  | IsBool
  | IsDistinctFrom
  | Between
  | InList
  | InSubquery
  | Like
  | Case
  | Coalesce
  | NullIf
  | MinMax
  | FuncCall
  | SqlValueFunction
  | Cast
  | Collate
  | SubqueryExpr
  | QuantifiedComparison
  | ArrayConstructor
  | RowConstructor
  | Indirection
  | DefaultValue
  | GroupingFunc;

/**
 * `GROUPING(a, b, …)`: over grouping sets, a bit per argument (the last the lowest), set where
 * the current row's grouping set leaves that expression out. Each argument must be a GROUP BY
 * expression of its query.
 */
export interface GroupingFunc {
  readonly kind: 'GroupingFunc';
  readonly args: readonly Expr[];
  readonly location: number;
}

/** `a`, `t.a`, `s.t.a`. */
export interface ColumnRef {
  readonly kind: 'ColumnRef';
  readonly path: readonly string[];
  readonly location: number;
  /**
   * Never set by the parser: the planner's expansion of `*` names a column by its position in the
   * FROM scope when its name does not reach it — two columns of one FROM item with one name
   * (`SELECT * FROM (SELECT 1 AS a, 2 AS a) s`), which PostgreSQL's `*` expands by position.
   */
  readonly position?: number;
}

/** `*` (empty qualifier) or `t.*`. */
export interface Star {
  readonly kind: 'Star';
  readonly qualifier: readonly string[];
  readonly location: number;
}

export type LiteralValue =
  | { readonly type: 'integer'; readonly digits: string }
  | { readonly type: 'numeric'; readonly text: string }
  | { readonly type: 'string'; readonly value: string }
  /** `B'101'` and `X'5'` (as `0101`): the binary digits. */
  | { readonly type: 'bitString'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'null' };

export interface Literal {
  readonly kind: 'Literal';
  readonly value: LiteralValue;
  readonly location: number;
}

/** `date '2024-01-01'`, `interval '1 day'`: a type name before a string constant. */
export interface TypedLiteral {
  readonly kind: 'TypedLiteral';
  readonly type: TypeName;
  readonly value: string;
  readonly location: number;
}

/** `$1`: index is 1-based as written. */
export interface Parameter {
  readonly kind: 'Parameter';
  readonly index: number;
  readonly location: number;
}

/** A prefix operator: `-x`, `~x`, `OPERATOR(pg_catalog.-) x`. */
export interface UnaryOp {
  readonly kind: 'UnaryOp';
  readonly operator: string;
  /** The schema of `OPERATOR(schema.op)`, else null. */
  readonly operatorSchema: string | null;
  readonly operand: Expr;
  readonly location: number;
}

/** An infix operator by name: `+`, `=`, `~`, `||`, `->>`, `OPERATOR(pg_catalog.~)`. */
export interface BinaryOp {
  readonly kind: 'BinaryOp';
  readonly operator: string;
  readonly operatorSchema: string | null;
  readonly left: Expr;
  readonly right: Expr;
  readonly location: number;
}

export interface And {
  readonly kind: 'And';
  readonly args: readonly Expr[];
  readonly location: number;
}

export interface Or {
  readonly kind: 'Or';
  readonly args: readonly Expr[];
  readonly location: number;
}

export interface Not {
  readonly kind: 'Not';
  readonly arg: Expr;
  readonly location: number;
}

/** `x IS [NOT] NULL`. */
export interface IsNull {
  readonly kind: 'IsNull';
  readonly arg: Expr;
  readonly negated: boolean;
  readonly location: number;
}

/** `x IS [NOT] TRUE | FALSE | UNKNOWN`. */
export interface IsBool {
  readonly kind: 'IsBool';
  readonly arg: Expr;
  readonly test: 'true' | 'false' | 'unknown';
  readonly negated: boolean;
  readonly location: number;
}

/** `a IS [NOT] DISTINCT FROM b`. */
export interface IsDistinctFrom {
  readonly kind: 'IsDistinctFrom';
  readonly left: Expr;
  readonly right: Expr;
  readonly negated: boolean;
  readonly location: number;
}

/** `x [NOT] BETWEEN [SYMMETRIC] low AND high`. */
export interface Between {
  readonly kind: 'Between';
  readonly arg: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
  readonly symmetric: boolean;
  readonly location: number;
}

/** `x [NOT] IN (a, b, c)`. */
export interface InList {
  readonly kind: 'InList';
  readonly arg: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
  readonly location: number;
}

/** `x IN (SELECT …)`; `NOT IN` is `Not` around it, as in PostgreSQL. */
export interface InSubquery {
  readonly kind: 'InSubquery';
  readonly arg: Expr;
  readonly query: Query;
  readonly location: number;
}

/** `x [NOT] LIKE | ILIKE | SIMILAR TO pattern [ESCAPE e]`. */
export interface Like {
  readonly kind: 'Like';
  readonly mode: 'like' | 'ilike' | 'similar';
  readonly arg: Expr;
  readonly pattern: Expr;
  readonly escape: Expr | null;
  readonly negated: boolean;
  readonly location: number;
}

export interface CaseWhen {
  readonly condition: Expr;
  readonly result: Expr;
}

/** `CASE [arg] WHEN … THEN … [ELSE …] END`. */
export interface Case {
  readonly kind: 'Case';
  readonly arg: Expr | null;
  readonly whens: readonly CaseWhen[];
  readonly else: Expr | null;
  readonly location: number;
}

export interface Coalesce {
  readonly kind: 'Coalesce';
  readonly args: readonly Expr[];
  readonly location: number;
}

export interface NullIf {
  readonly kind: 'NullIf';
  readonly left: Expr;
  readonly right: Expr;
  readonly location: number;
}

/** `GREATEST(…)` / `LEAST(…)`. */
export interface MinMax {
  readonly kind: 'MinMax';
  readonly op: 'greatest' | 'least';
  readonly args: readonly Expr[];
  readonly location: number;
}

/** `[schema.]f([DISTINCT] args [ORDER BY …]) [FILTER (WHERE …)]`, `count(*)`. */
export interface FuncCall {
  readonly kind: 'FuncCall';
  readonly name: readonly string[];
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** `f(*)`: args is empty. */
  readonly star: boolean;
  /** `f(VARIADIC arr)`. */
  readonly variadic: boolean;
  /** Ordered-set aggregation input: `string_agg(x, ',' ORDER BY x)`. */
  readonly orderBy: readonly SortBy[];
  /**
   * `f(direct args) WITHIN GROUP (ORDER BY x)`: an ordered-set aggregate (`percentile_cont`,
   * `percentile_disc`, `mode`); `orderBy` is its WITHIN GROUP and `args` its direct arguments.
   */
  readonly withinGroup?: boolean;
  readonly filter: Expr | null;
  /** `f(…) OVER …`: a window function call (absent for a plain call or an aggregate). */
  readonly over?: WindowSpec;
  /**
   * The names of named arguments (`make_interval(days => 3)`, `f(a := 1)`), one per argument,
   * null for a positional one; absent when every argument is positional.
   */
  readonly argNames?: readonly (string | null)[];
  readonly location: number;
}

/**
 * A window, as written in `OVER (…)`, `OVER w` or `WINDOW w AS (…)` (PostgreSQL's WindowDef):
 * `name` is the window a `WINDOW` clause defines or an `OVER w` names; `refName` the window an
 * `OVER (w …)` or `WINDOW v AS (w …)` copies and extends.
 */
export interface WindowSpec {
  readonly name: string | null;
  readonly refName: string | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortBy[];
  /** The frame clause; null when the window has none (the default frame). */
  readonly frame: WindowFrame | null;
  readonly location: number;
}

/** `ROWS | RANGE | GROUPS BETWEEN start AND end [EXCLUDE …]` (a lone start ends at CURRENT ROW). */
export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
  readonly exclude: 'no others' | 'current row' | 'group' | 'ties';
}

export type FrameBound =
  | { readonly kind: 'unbounded preceding' | 'current row' | 'unbounded following' }
  | { readonly kind: 'preceding' | 'following'; readonly offset: Expr };

/** The keyword functions without parentheses: `CURRENT_DATE`, `CURRENT_USER`, `LOCALTIMESTAMP(3)`. */
export interface SqlValueFunction {
  readonly kind: 'SqlValueFunction';
  readonly name:
    | 'current_date'
    | 'current_time'
    | 'current_timestamp'
    | 'localtime'
    | 'localtimestamp'
    | 'current_role'
    | 'current_user'
    | 'user'
    | 'session_user'
    | 'current_catalog'
    | 'current_schema';
  /** The precision of `CURRENT_TIMESTAMP(3)`, else null. */
  readonly precision: number | null;
  readonly location: number;
}

/** `x::t` or `CAST(x AS t)`. */
export interface Cast {
  readonly kind: 'Cast';
  readonly arg: Expr;
  readonly type: TypeName;
  readonly location: number;
}

/** `x COLLATE "C"`. */
export interface Collate {
  readonly kind: 'Collate';
  readonly arg: Expr;
  readonly collation: readonly string[];
  readonly location: number;
}

/** `EXISTS (…)`, a scalar `(SELECT …)`, `ARRAY(SELECT …)`. */
export interface SubqueryExpr {
  readonly kind: 'SubqueryExpr';
  readonly mode: 'exists' | 'scalar' | 'array';
  readonly query: Query;
  readonly location: number;
}

/** `x op ANY|ALL (array)` or `x op ANY|ALL (SELECT …)`. */
export interface QuantifiedComparison {
  readonly kind: 'QuantifiedComparison';
  readonly quantifier: 'any' | 'all';
  readonly operator: string;
  readonly left: Expr;
  readonly right: { readonly kind: 'array'; readonly expr: Expr } | { readonly kind: 'subquery'; readonly query: Query };
  readonly location: number;
}

/** `ARRAY[a, b]` (nested `ARRAY[[1],[2]]` nests constructors). */
export interface ArrayConstructor {
  readonly kind: 'ArrayConstructor';
  readonly elements: readonly Expr[];
  readonly location: number;
}

/** `ROW(a, b)` (explicit) or `(a, b)` (implicit). */
export interface RowConstructor {
  readonly kind: 'RowConstructor';
  readonly args: readonly Expr[];
  readonly explicit: boolean;
  readonly location: number;
}

export type IndirectionStep =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'index'; readonly index: Expr }
  | { readonly kind: 'slice'; readonly lower: Expr | null; readonly upper: Expr | null };

/** `(expr).field`, `arr[1]`, `arr[1:2]`, `(c).*`. */
export interface Indirection {
  readonly kind: 'Indirection';
  readonly arg: Expr;
  readonly steps: readonly IndirectionStep[];
  readonly location: number;
}

/** `DEFAULT` inside INSERT … VALUES or UPDATE … SET. */
export interface DefaultValue {
  readonly kind: 'DefaultValue';
  readonly location: number;
}

// ───────────────────────────── queries ─────────────────────────────

export interface SortBy {
  readonly expr: Expr;
  readonly direction: 'asc' | 'desc' | 'default';
  readonly nulls: 'first' | 'last' | 'default';
  /** `ORDER BY x USING <`: the operator, else null. */
  readonly using: string | null;
}

export interface Target {
  readonly expr: Expr;
  readonly alias: string | null;
  readonly location: number;
}

export interface CommonTableExpr {
  readonly name: string;
  readonly columns: readonly string[];
  /** A query, or a data-modifying statement (`d AS (DELETE … RETURNING …)`), allowed only in a statement's own WITH. */
  readonly query: Query | DataModifyingStatement;
  readonly materialized: 'default' | 'always' | 'never';
  readonly location: number;
}

export interface With {
  readonly recursive: boolean;
  readonly ctes: readonly CommonTableExpr[];
}

/** `FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF t, …] [NOWAIT | SKIP LOCKED]`. */
export interface LockingClause {
  readonly strength: 'update' | 'no key update' | 'share' | 'key share';
  readonly tables: readonly QualifiedName[];
  readonly wait: 'block' | 'nowait' | 'skip locked';
}

/** The clauses that may follow any query: ORDER BY, LIMIT, OFFSET, FOR UPDATE, and a WITH before it. */
interface QueryTail {
  readonly with: With | null;
  readonly orderBy: readonly SortBy[];
  /** `LIMIT n`; `LIMIT ALL` is a null literal. */
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  readonly locking: readonly LockingClause[];
  readonly location: number;
}

export interface Select extends QueryTail {
  readonly kind: 'Select';
  /** null: no DISTINCT; `[]`: plain DISTINCT; exprs: DISTINCT ON (exprs). */
  readonly distinct: readonly Expr[] | null;
  readonly targets: readonly Target[];
  readonly from: readonly FromItem[];
  readonly where: Expr | null;
  readonly groupBy: readonly Expr[];
  /**
   * GROUP BY ROLLUP / CUBE / GROUPING SETS, expanded by the parser into its grouping sets, each
   * the positions in `groupBy` of the expressions it groups by (`[]`: the empty set, one group of
   * every row); absent for a plain GROUP BY (one set of all of `groupBy`).
   */
  readonly groupingSets?: readonly (readonly number[])[];
  readonly having: Expr | null;
  /** `WINDOW w AS (…), …`: the named windows, in order (each has a `name`). */
  readonly window: readonly WindowSpec[];
}

/** `left UNION|INTERSECT|EXCEPT [ALL] right`; the tail applies to the whole. */
export interface SetOperation extends QueryTail {
  readonly kind: 'SetOperation';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
}

/** `VALUES (…), (…)` as a query; rows may contain `DefaultValue` only under INSERT. */
export interface Values extends QueryTail {
  readonly kind: 'Values';
  readonly rows: readonly (readonly Expr[])[];
}

export type Query = Select | SetOperation | Values;

/** A statement that may stand in a WITH query: PostgreSQL's data-modifying statements in WITH. */
export type DataModifyingStatement = Insert | Update | Delete;

/** Whether a WITH query is a data-modifying statement rather than a query. */
export function isDataModifying(query: Query | DataModifyingStatement): query is DataModifyingStatement {
  return query.kind === 'Insert' || query.kind === 'Update' || query.kind === 'Delete';
}

export type FromItem = TableRef | SubqueryRef | FunctionRef | Join;

export interface TableRef {
  readonly kind: 'TableRef';
  readonly name: QualifiedName;
  readonly alias: Alias | null;
  /** `ONLY t`: PostgreSQL's inheritance opt-out; rangedb has no inheritance, so it is informational. */
  readonly only: boolean;
  readonly location: number;
}

export interface SubqueryRef {
  readonly kind: 'SubqueryRef';
  readonly query: Query;
  readonly alias: Alias | null;
  readonly lateral: boolean;
  readonly location: number;
}

/** A set-returning function in FROM: `generate_series(1, 10) AS g(i)`. */
export interface FunctionRef {
  readonly kind: 'FunctionRef';
  readonly call: FuncCall;
  readonly alias: Alias | null;
  /** `AS x (a int, b text)`: the columns of a function returning record; null when not written. */
  readonly columnDefinitions: readonly FunctionColumn[] | null;
  readonly withOrdinality: boolean;
  readonly lateral: boolean;
  readonly location: number;
}

/** One column of a FROM function's column definition list. */
export interface FunctionColumn {
  readonly name: string;
  readonly type: TypeName;
  readonly location: number;
}

export interface Join {
  readonly kind: 'Join';
  readonly joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
  readonly natural: boolean;
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on: Expr | null;
  readonly using: readonly string[];
  /**
   * `USING (k) AS j` (PostgreSQL 14's join_using_alias): a name for the join's merged USING
   * columns only (`j.k`); the sides keep their own names. null without one.
   */
  readonly usingAlias: string | null;
  /** `(a JOIN b …) AS j [(c, …)]`: the whole join's name, which hides the sides' names. */
  readonly alias: Alias | null;
  readonly location: number;
}

// ───────────────────────────── statements ─────────────────────────────

/** Every statement knows its source text: the statement tag, logs and error positions use it. */
interface StatementBase {
  readonly location: number;
  /** The statement's text, trimmed, without its `;`. */
  readonly text: string;
  /**
   * CockroachDB's `AS OF SYSTEM TIME <expr>` on the statement (a SELECT's FROM clause, BEGIN,
   * SET TRANSACTION), taken out of the text before parsing (as-of-clause.ts); absent without one.
   */
  readonly asOf?: AsOfClause;
}

/** `AS OF SYSTEM TIME <expr>`: the expression as written, evaluated by the session when the statement runs. */
export interface AsOfClause {
  readonly expr: Expr;
  /** Byte offset of `AS`. */
  readonly location: number;
}

/** A query used as a statement: SELECT, a set operation or VALUES. */
export interface QueryStatement extends StatementBase {
  readonly kind: 'QueryStatement';
  readonly query: Query;
}

export interface Assignment {
  readonly column: string;
  readonly value: Expr;
  /**
   * `SET (a, b) = (SELECT x, y …)`: `value` is the row sub-select (the same object for each of its
   * columns, evaluated once per row) and this column takes field `index` of its `count`. A row
   * constructor on the right (`SET (a, b) = (1, 2)`) is split into one plain assignment each.
   */
  readonly field?: { readonly index: number; readonly count: number };
  /** `SET a[i][j] = v` / `SET a[1:2] = …`: the subscripts assigned into (array-assign.ts); absent: the whole column. */
  readonly subscripts?: readonly AssignmentSubscript[];
  readonly location: number;
}

/** One step of an assignment target: `[i]`, `[lower:upper]` or `.field` (refused: rangedb has no composite columns). */
export type AssignmentSubscript = Extract<IndirectionStep, { kind: 'index' | 'slice' | 'field' }>;

export interface OnConflict {
  /** The conflict target's columns (`ON CONFLICT (a, b)`); empty when none is given. */
  readonly columns: readonly string[];
  readonly targetWhere: Expr | null;
  /** `ON CONFLICT ON CONSTRAINT name`. */
  readonly constraint: string | null;
  readonly action: { readonly kind: 'nothing' } | { readonly kind: 'update'; readonly set: readonly Assignment[]; readonly where: Expr | null };
}

export interface Insert extends StatementBase {
  readonly kind: 'Insert';
  readonly with: With | null;
  readonly table: QualifiedName;
  readonly alias: string | null;
  readonly columns: readonly string[];
  /** `INSERT INTO t (a[1], a[2])`: each column's subscripts (null: the whole column); absent when none has any. */
  readonly columnSubscripts?: readonly (readonly AssignmentSubscript[] | null)[];
  /** null for `DEFAULT VALUES`. */
  readonly source: Query | null;
  readonly onConflict: OnConflict | null;
  readonly returning: readonly Target[];
  /** OVERRIDING SYSTEM VALUE (a value for a GENERATED ALWAYS identity column is taken) or USER VALUE (identity columns' given values are ignored); null: neither. */
  readonly overriding: 'system' | 'user' | null;
  /**
   * CockroachDB's `UPSERT INTO …` (parsed as an INSERT, rewrite.ts): on a primary-key conflict the
   * given columns of the existing row are overwritten, as `ON CONFLICT (primary key) DO UPDATE
   * SET c = excluded.c` for each given column; it takes no ON CONFLICT clause of its own.
   */
  readonly upsert: boolean;
  /** Set by the rewrite of a write through a view WITH CHECK OPTION (view-write.ts), never by the parser. */
  readonly viewChecks?: readonly ViewCheck[];
}

/**
 * A view's WITH CHECK OPTION condition on a row written through it: `condition` over the base
 * table's columns must be true (null fails too, unlike a CHECK constraint), else 44000 naming
 * `view`; null for a view without WHERE. `cascaded`: the views under it must be checked too.
 */
export interface ViewCheck {
  readonly view: string;
  readonly condition: Expr | null;
  readonly cascaded: boolean;
}

export interface Update extends StatementBase {
  readonly kind: 'Update';
  readonly with: With | null;
  readonly table: QualifiedName;
  readonly alias: string | null;
  readonly set: readonly Assignment[];
  readonly from: readonly FromItem[];
  readonly where: Expr | null;
  readonly returning: readonly Target[];
  /** Set by the rewrite of a write through a view WITH CHECK OPTION (view-write.ts), never by the parser. */
  readonly viewChecks?: readonly ViewCheck[];
}

export interface Delete extends StatementBase {
  readonly kind: 'Delete';
  readonly with: With | null;
  readonly table: QualifiedName;
  readonly alias: string | null;
  readonly using: readonly FromItem[];
  readonly where: Expr | null;
  readonly returning: readonly Target[];
}

export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

/** A column or table constraint; in a column's list, `columns` is empty (the column itself). */
export type Constraint = { readonly name: string | null; readonly location: number } & (
  | { readonly kind: 'NotNull' }
  | { readonly kind: 'Null' }
  | { readonly kind: 'Default'; readonly expr: Expr }
  | { readonly kind: 'PrimaryKey'; readonly columns: readonly string[] }
  | { readonly kind: 'Unique'; readonly columns: readonly string[]; readonly nullsNotDistinct: boolean }
  | { readonly kind: 'Check'; readonly expr: Expr }
  /** GENERATED ALWAYS | BY DEFAULT AS IDENTITY [(sequence options)]. */
  | { readonly kind: 'Identity'; readonly generated: 'always' | 'by default'; readonly options: readonly Option[] }
  | {
      readonly kind: 'ForeignKey';
      readonly columns: readonly string[];
      readonly table: QualifiedName;
      readonly referencedColumns: readonly string[];
      readonly onDelete: ReferentialAction;
      readonly onUpdate: ReferentialAction;
      readonly match: 'simple' | 'full' | 'partial';
    }
);

export interface ColumnDef {
  readonly name: string;
  readonly type: TypeName;
  readonly collation: readonly string[] | null;
  readonly constraints: readonly Constraint[];
  readonly location: number;
}

export interface CreateTable extends StatementBase {
  readonly kind: 'CreateTable';
  readonly name: QualifiedName;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[];
  readonly constraints: readonly Constraint[];
  /** `WITH (fillfactor = 100)`: accepted and kept; rangedb's storage ignores them. */
  readonly storageOptions: readonly Option[];
}

export interface IndexElem {
  /** The column, or null for an expression index element. */
  readonly column: string | null;
  readonly expr: Expr | null;
  readonly direction: 'asc' | 'desc' | 'default';
  readonly nulls: 'first' | 'last' | 'default';
}

export interface CreateIndex extends StatementBase {
  readonly kind: 'CreateIndex';
  readonly name: string | null;
  readonly table: QualifiedName;
  readonly unique: boolean;
  readonly ifNotExists: boolean;
  readonly concurrently: boolean;
  readonly method: string;
  readonly columns: readonly IndexElem[];
  readonly include: readonly string[];
  readonly where: Expr | null;
  /** `WITH (fillfactor = 70)`: accepted and kept; rangedb's storage ignores them. */
  readonly storageOptions: readonly Option[];
}

export interface CreateDatabase extends StatementBase {
  readonly kind: 'CreateDatabase';
  readonly name: string;
  readonly options: readonly Option[];
}

export interface CreateSchema extends StatementBase {
  readonly kind: 'CreateSchema';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly authorization: string | null;
}

export interface CreateSequence extends StatementBase {
  readonly kind: 'CreateSequence';
  readonly name: QualifiedName;
  readonly ifNotExists: boolean;
  readonly options: readonly Option[];
}

/** DROP TABLE | VIEW | INDEX | SEQUENCE | SCHEMA | DATABASE. */
export interface Drop extends StatementBase {
  readonly kind: 'Drop';
  readonly objectType: 'table' | 'view' | 'index' | 'sequence' | 'schema' | 'database';
  readonly names: readonly QualifiedName[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

export type AlterTableCommand =
  | { readonly kind: 'AddColumn'; readonly column: ColumnDef; readonly ifNotExists: boolean }
  | { readonly kind: 'DropColumn'; readonly column: string; readonly ifExists: boolean; readonly cascade: boolean }
  | { readonly kind: 'AddConstraint'; readonly constraint: Constraint }
  | { readonly kind: 'DropConstraint'; readonly name: string; readonly ifExists: boolean; readonly cascade: boolean }
  /** `ALTER COLUMN c SET DEFAULT e` (`DROP DEFAULT`: null). */
  | { readonly kind: 'SetDefault'; readonly column: string; readonly default: Expr | null }
  | { readonly kind: 'SetNotNull'; readonly column: string }
  | { readonly kind: 'DropNotNull'; readonly column: string }
  /** `ALTER COLUMN c [SET DATA] TYPE t [USING e]` (using null: an assignment cast of the old value). */
  | { readonly kind: 'AlterColumnType'; readonly column: string; readonly type: TypeName; readonly using: Expr | null };

export interface AlterTable extends StatementBase {
  readonly kind: 'AlterTable';
  readonly table: QualifiedName;
  readonly ifExists: boolean;
  readonly commands: readonly AlterTableCommand[];
}

/**
 * `ALTER TABLE | INDEX | VIEW | SEQUENCE r RENAME TO n` (target 'relation'), `… RENAME [COLUMN] c
 * TO n` ('column'), `ALTER TABLE r RENAME CONSTRAINT c TO n` ('constraint'), `ALTER TABLE | VIEW |
 * SEQUENCE r SET SCHEMA n` ('schema': a move to another schema, `newName` the schema's).
 * `statementType` is the word after ALTER (the command tag, and which relation kinds it accepts).
 */
export interface Rename extends StatementBase {
  readonly kind: 'Rename';
  readonly statementType: 'table' | 'index' | 'view' | 'sequence';
  readonly target: 'relation' | 'column' | 'constraint' | 'schema';
  readonly relation: QualifiedName;
  /** The column or constraint renamed (null when the relation itself is). */
  readonly oldName: string | null;
  readonly newName: string;
  readonly ifExists: boolean;
}

/**
 * `CREATE [OR REPLACE] VIEW v [(cols)] AS query`. `text` (the statement's source) is what the
 * view descriptor keeps: it is parsed again, and `query` taken from it, each time the view is used.
 */
export interface CreateView extends StatementBase {
  readonly kind: 'CreateView';
  readonly name: QualifiedName;
  readonly columns: readonly string[];
  readonly query: Query;
  readonly orReplace: boolean;
  /** WITH [LOCAL | CASCADED] CHECK OPTION (plain WITH CHECK OPTION is CASCADED); absent: none. */
  readonly checkOption?: 'local' | 'cascaded';
  /**
   * WITH (name [= value], …) as written, the CHECK OPTION clause appended as `check_option` (as
   * PostgreSQL's DefineView does): the view's reloptions, validated when the view is created.
   * A namespaced name is `namespace.name`. Absent: none.
   */
  readonly options?: readonly Option[];
}

/** `COMMENT ON TABLE | VIEW | INDEX | SEQUENCE | COLUMN | SCHEMA name IS 'text' | NULL`. */
export interface Comment extends StatementBase {
  readonly kind: 'Comment';
  readonly objectType: 'table' | 'view' | 'index' | 'sequence' | 'column' | 'schema';
  /** The relation (for a column: the column's relation; for a schema: name is the schema). */
  readonly object: QualifiedName;
  readonly column: string | null;
  /** The comment; null (`IS NULL`, or `IS ''`) removes it. */
  readonly comment: string | null;
}

export interface Truncate extends StatementBase {
  readonly kind: 'Truncate';
  readonly tables: readonly QualifiedName[];
  readonly cascade: boolean;
  readonly restartIdentity: boolean;
}

export interface VacuumTarget {
  readonly table: QualifiedName;
  readonly columns: readonly string[];
}

/** VACUUM [FULL] [VERBOSE] [ANALYZE] [t, …]. */
export interface Vacuum extends StatementBase {
  readonly kind: 'Vacuum';
  readonly options: readonly Option[];
  readonly tables: readonly VacuumTarget[];
}

/** ANALYZE [VERBOSE] [t (cols), …]. */
export interface Analyze extends StatementBase {
  readonly kind: 'Analyze';
  readonly options: readonly Option[];
  readonly tables: readonly VacuumTarget[];
}

export type IsolationLevel = 'serializable' | 'repeatable read' | 'read committed' | 'read uncommitted';

export interface TransactionModes {
  readonly isolation: IsolationLevel | null;
  readonly readOnly: boolean | null;
  readonly deferrable: boolean | null;
}

export interface Begin extends StatementBase, TransactionModes {
  readonly kind: 'Begin';
  /** `START TRANSACTION` rather than `BEGIN`. */
  readonly start: boolean;
}

export interface Commit extends StatementBase {
  readonly kind: 'Commit';
}

export interface Rollback extends StatementBase {
  readonly kind: 'Rollback';
}

export interface Savepoint extends StatementBase {
  readonly kind: 'Savepoint';
  readonly name: string;
}

export interface ReleaseSavepoint extends StatementBase {
  readonly kind: 'ReleaseSavepoint';
  readonly name: string;
}

export interface RollbackToSavepoint extends StatementBase {
  readonly kind: 'RollbackToSavepoint';
  readonly name: string;
}

/** `SET [SESSION | LOCAL] name = | TO value, …` / `TO DEFAULT`; `SET TIME ZONE x` is `timezone`. */
export interface SetVariable extends StatementBase {
  readonly kind: 'SetVariable';
  readonly name: string;
  readonly local: boolean;
  /** The values, each a literal (or a typed literal); null for DEFAULT. */
  readonly values: readonly Expr[] | null;
}

/** `SET [SESSION CHARACTERISTICS AS] TRANSACTION ISOLATION LEVEL …, READ ONLY`. */
export interface SetTransaction extends StatementBase, TransactionModes {
  readonly kind: 'SetTransaction';
  /** `SET SESSION CHARACTERISTICS AS TRANSACTION` (the session default) rather than this txn. */
  readonly sessionDefault: boolean;
}

/** `SHOW name` / `SHOW ALL` (name `all`). */
export interface Show extends StatementBase {
  readonly kind: 'Show';
  readonly name: string;
}

/** `RESET name` / `RESET ALL` (name null). */
export interface Reset extends StatementBase {
  readonly kind: 'Reset';
  readonly name: string | null;
}

export interface Explain extends StatementBase {
  readonly kind: 'Explain';
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly options: readonly Option[];
  readonly statement: Statement;
}

export interface Prepare extends StatementBase {
  readonly kind: 'Prepare';
  readonly name: string;
  readonly parameterTypes: readonly TypeName[];
  readonly statement: Statement;
}

export interface Execute extends StatementBase {
  readonly kind: 'Execute';
  readonly name: string;
  readonly params: readonly Expr[];
}

/**
 * `DECLARE name [BINARY] [NO SCROLL] CURSOR [WITHOUT HOLD] FOR query`: a SQL-level cursor, a
 * portal over `query` in the open transaction block (psycopg2's named cursors, psql's
 * FETCH_COUNT). `hold`, `binary` and `scroll` are what was asked; the session refuses them.
 */
export interface DeclareCursor extends StatementBase {
  readonly kind: 'DeclareCursor';
  readonly name: string;
  readonly query: Statement;
  readonly hold: boolean;
  readonly binary: boolean;
  readonly scroll: boolean;
}

/** `FETCH [FORWARD] [n | ALL] [FROM | IN] name` (`MOVE` with `move`); count null for ALL. */
export interface Fetch extends StatementBase {
  readonly kind: 'Fetch';
  readonly name: string;
  readonly count: number | null;
  /** FORWARD (or NEXT, or a bare count): the only direction a no-scroll cursor goes. */
  readonly forward: boolean;
  readonly move: boolean;
}

/** `CLOSE name | ALL` (name null for ALL). */
export interface CloseCursor extends StatementBase {
  readonly kind: 'CloseCursor';
  readonly name: string | null;
}

/** `DEALLOCATE [PREPARE] name | ALL` (name null for ALL). */
export interface Deallocate extends StatementBase {
  readonly kind: 'Deallocate';
  readonly name: string | null;
}

/** `COPY t [(cols)] FROM STDIN | TO STDOUT [WITH (…)]` and `COPY (query) TO STDOUT`. */
export interface Copy extends StatementBase {
  readonly kind: 'Copy';
  readonly table: QualifiedName | null;
  readonly query: Query | null;
  readonly columns: readonly string[];
  readonly direction: 'from stdin' | 'to stdout';
  readonly format: 'text' | 'csv' | 'binary';
  readonly header: boolean;
  /** null: the format's default (tab for text, comma for csv). */
  readonly delimiter: string | null;
  /** null: the format's default (`\N` for text, empty for csv). */
  readonly nullString: string | null;
  /** Options other than the four above (FREEZE, QUOTE, ESCAPE, …), kept for the planner to judge. */
  readonly otherOptions: readonly Option[];
  readonly where: Expr | null;
}

export interface Discard extends StatementBase {
  readonly kind: 'Discard';
  readonly target: 'all' | 'plans' | 'sequences' | 'temp';
}

// ───────────────────────────── admin statements (sql/parser/admin) ─────────────────────────────

/** The table or index an admin statement acts on: `t` or `t@idx`. */
export type AdminTarget =
  | { readonly kind: 'table'; readonly table: QualifiedName }
  | { readonly kind: 'index'; readonly table: QualifiedName; readonly index: string };

/** `ALTER TABLE t SPLIT AT VALUES (…), (…)` / `ALTER INDEX t@i SPLIT AT …`. */
export interface SplitAt extends StatementBase {
  readonly kind: 'SplitAt';
  readonly target: AdminTarget;
  readonly rows: readonly (readonly Expr[])[];
}

/** `ALTER TABLE t UNSPLIT AT VALUES …` (rows) / `UNSPLIT ALL` (rows null). */
export interface Unsplit extends StatementBase {
  readonly kind: 'Unsplit';
  readonly target: AdminTarget;
  readonly rows: readonly (readonly Expr[])[] | null;
}

export interface Scatter extends StatementBase {
  readonly kind: 'Scatter';
  readonly target: AdminTarget;
}

/** `ALTER RANGE id RELOCATE [LEASE | VOTERS] [FROM n] TO n`. */
export interface RelocateRange extends StatementBase {
  readonly kind: 'RelocateRange';
  readonly rangeId: number;
  readonly what: 'voters' | 'lease';
  readonly fromNode: number | null;
  readonly toNode: number;
}

export interface ShowRanges extends StatementBase {
  readonly kind: 'ShowRanges';
  readonly source:
    | { readonly kind: 'all' }
    | { readonly kind: 'database'; readonly database: string }
    | AdminTarget;
  readonly details: boolean;
}

export interface ShowRangeForRow extends StatementBase {
  readonly kind: 'ShowRangeForRow';
  readonly target: AdminTarget;
  readonly row: readonly Expr[];
}

/** `SHOW CLUSTER SETTING name` / `SHOW ALL CLUSTER SETTINGS` (name null). */
export interface ShowClusterSetting extends StatementBase {
  readonly kind: 'ShowClusterSetting';
  readonly name: string | null;
}

/** `SET CLUSTER SETTING name = value | DEFAULT` (value null for DEFAULT). */
export interface SetClusterSetting extends StatementBase {
  readonly kind: 'SetClusterSetting';
  readonly name: string;
  readonly value: Expr | null;
}

export type Statement =
  | QueryStatement
  | Insert
  | Update
  | Delete
  | CreateTable
  | CreateIndex
  | CreateDatabase
  | CreateSchema
  | CreateSequence
  | Drop
  | AlterTable
  | Rename
  | CreateView
  | Comment
  | Truncate
  | Vacuum
  | Analyze
  | Begin
  | Commit
  | Rollback
  | Savepoint
  | ReleaseSavepoint
  | RollbackToSavepoint
  | SetVariable
  | SetTransaction
  | Show
  | Reset
  | Explain
  | Prepare
  | Execute
  | Deallocate
  | DeclareCursor
  | Fetch
  | CloseCursor
  | Copy
  | Discard
  | SplitAt
  | Unsplit
  | Scatter
  | RelocateRange
  | ShowRanges
  | ShowRangeForRow
  | ShowClusterSetting
  | SetClusterSetting;

export type StatementKind = Statement['kind'];
