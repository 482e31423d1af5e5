/**
 * # sql/plan: from AST to plan
 *
 * ```
 *   ast.Query ──planner.ts──► PlanNode tree (plan.ts: Scan · Values · Filter · Project · Sort ·
 *      │                        Limit · Distinct · Aggregate · Join · Series · SetOp · Virtual)
 *      ├ expressions: expr/compile.ts — type-check against a Scope (scope.ts), PostgreSQL's
 *      │   implicit casts and unknown-literal / parameter inference (expr/coerce.ts), operators
 *      │   (expr/operators.ts), functions (expr/functions.ts), aggregates (expr/aggregates.ts);
 *      │   compiled once into closures, no AST walking per row
 *      ├ index selection: spans.ts — WHERE conjuncts on leading index columns → SpanSpec
 *      │   (point lookup, prefix, range), computed into keys per run by key-spans.ts
 *      └ EXPLAIN: explain.ts prints the tree with its spans as pretty keys
 * ```
 *
 * Plans are data: readonly, kind-tagged nodes holding compiled expressions; the executor
 * (sql/exec/operators.ts) turns each node into a pulled operator. The WHERE clause always stays
 * as a Filter above a Scan: spans only narrow what is read, so index selection can be
 * conservative without ever being wrong.
 *
 * Subqueries: uncorrelated ones run once per statement (their value is a slot filled before the
 * first row); a correlated one (a column of the enclosing query, `OuterScope`) runs once per
 * outer row, where the outer values are constants of the inner plan — so `WHERE e.dept = d.name`
 * inside it is a point lookup or an index span. A subquery nested in a correlated one is filled by
 * that one, per its rows. In HAVING and a grouped SELECT list the outer row is the aggregate's
 * output (group columns first: scope.ts `GroupedScope`). An aggregate in a subquery whose
 * arguments read only the enclosing query's columns is the enclosing query's (SQL's rule,
 * PostgreSQL's agglevelsup: expr/outer-aggregates.ts): registered in its grouping — a SELECT
 * that was not grouped is planned again, grouped — and read from that output row. A LATERAL FROM item is planned the same
 * way with the items to its left as its outer scope, and run per left row by an apply join
 * (lateral.ts).
 *
 * Catalog functions (`pg_get_indexdef`, `pg_table_is_visible`, `'t'::regclass`, …) come from
 * sql/vtables through expr/catalog-functions.ts; a statement that calls one gets a `catalog` slot
 * and the executor loads the catalog snapshot they read before the first row.
 *
 * Not yet: a cost model (the index with the most leading equalities wins), hash/lookup joins,
 * WITH RECURSIVE, window functions.
 */
export * from './context.js';
export * from './explain.js';
export * from './plan.js';
export * from './planner.js';
export * from './scope.js';
export { ExprCompiler, exprKey } from './expr/compile.js';
export type { CompiledExpr, EvalContext } from './expr/compiled.js';
