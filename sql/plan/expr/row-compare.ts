/**
 * Row comparisons — `(a, b) < (1, 2)`, `(a, b) IN ((1, 2), (3, 4))`, `(a, b) = (SELECT x, y …)`,
 * `(a, b) IN (SELECT x, y …)`, `ROW(a, b) IS DISTINCT FROM ROW(c, d)` — as PostgreSQL's parser
 * expands them (make_row_comparison_op, make_row_distinct_op). They are not comparisons of
 * record values: each field pair compares as the scalar operator would (its own common type,
 * 42883 where there is none), with SQL's NULL rules:
 *
 *  - `=` is the AND of the fields' `=` (NULL where no field is false), `<>` the OR of their `<>`;
 *  - `<`, `<=`, `>`, `>=` are lexicographic: the fields are compared left to right and the first
 *    pair that is not equal decides; a NULL met before a decision makes the answer NULL. This is
 *    the keyset-pagination predicate applications send: `WHERE (created_at, id) > ($1, $2)`;
 *  - IS DISTINCT FROM is the OR of the fields' IS DISTINCT FROM (NULLs compare as equal).
 *
 * The right side's evaluators may read a different row than the left's (a subquery's row while
 * the left reads the outer one), so each side is evaluated over its own row.
 */
import { SqlError } from '../../catalog/errors.js';
import { and3, compareOperator, distinctFrom, or3, type Truth } from '../../types/compare.js';
import type { Datum } from '../../types/datum.js';
import type { SqlType } from '../../types/sql-type.js';
import type { CompiledExpr, EvalContext, Evaluator } from './compiled.js';
import { comparisonOperands } from './operators.js';

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

const comparisonOperators: ReadonlyMap<string, ComparisonOperator> = new Map([
  ['=', '='],
  ['<>', '<>'],
  ['!=', '<>'],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
]);

/** The comparison `operator` names (`!=` is `<>`), or undefined for an operator rows lack. */
export function rowComparisonOperator(operator: string): ComparisonOperator | undefined {
  return comparisonOperators.get(operator);
}

/** One field pair of a row comparison, brought to the type it compares in. */
export interface RowFieldPair {
  readonly type: SqlType;
  readonly left: Evaluator;
  readonly right: Evaluator;
}

/**
 * Pairs the fields of two rows (42601 when their lengths differ, PostgreSQL's message), each pair
 * resolved as the scalar comparison `operator` (`=` for IS DISTINCT FROM).
 */
export function pairRowFields(operator: string, left: readonly CompiledExpr[], right: readonly CompiledExpr[], paramTypes: (SqlType | undefined)[]): RowFieldPair[] {
  if (left.length !== right.length) throw new SqlError('42601', 'unequal number of entries in row expressions');
  return left.map((field, index) => {
    const [l, r, type] = comparisonOperands(operator, field, right[index]!, paramTypes);
    return { type, left: l.eval, right: r.eval };
  });
}

/** `left op right` over paired fields; the left side reads `leftRow`, the right side `rightRow`. */
export function compareRows(op: ComparisonOperator, pairs: readonly RowFieldPair[], leftRow: readonly Datum[], rightRow: readonly Datum[], ctx: EvalContext): Truth {
  switch (op) {
    case '=': {
      let result: Truth = true;
      for (const pair of pairs) {
        result = and3(result, compareOperator('=', pair.type, pair.left(leftRow, ctx), pair.right(rightRow, ctx)));
        if (result === false) return false;
      }
      return result;
    }
    case '<>': {
      let result: Truth = false;
      for (const pair of pairs) {
        result = or3(result, compareOperator('<>', pair.type, pair.left(leftRow, ctx), pair.right(rightRow, ctx)));
        if (result === true) return true;
      }
      return result;
    }
    default: {
      for (const pair of pairs) {
        const l = pair.left(leftRow, ctx);
        const r = pair.right(rightRow, ctx);
        if (l === null || r === null) return null;
        if (compareOperator('=', pair.type, l, r) !== true) return compareOperator(op, pair.type, l, r);
      }
      return op === '<=' || op === '>=';
    }
  }
}

/** `left IS DISTINCT FROM right` over paired fields (both read `row`). */
export function rowsDistinct(pairs: readonly RowFieldPair[], row: readonly Datum[], ctx: EvalContext): boolean {
  return pairs.some((pair) => distinctFrom(pair.type, pair.left(row, ctx), pair.right(row, ctx)));
}

/**
 * `left op ANY (rows)` / `left op ALL (rows)` with SQL's NULL rules: ANY is true if one row
 * compares true, else NULL if one compared NULL; ALL is false if one compares false, else NULL
 * if one compared NULL. Over no rows ANY is false and ALL true. `IN (subquery)` is `= ANY`.
 */
export function quantifiedRows(op: ComparisonOperator, all: boolean, pairs: readonly RowFieldPair[], leftRow: readonly Datum[], rows: readonly (readonly Datum[])[], ctx: EvalContext): Truth {
  let result: Truth = all;
  for (const right of rows) {
    const truth = compareRows(op, pairs, leftRow, right, ctx);
    result = all ? and3(result, truth) : or3(result, truth);
    if (result === !all) return result;
  }
  return result;
}
