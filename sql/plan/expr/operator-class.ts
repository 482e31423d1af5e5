/**
 * Which types have PostgreSQL's btree operator class: an equality operator and an order. Every
 * type rangedb has does, except json and jsonpath (only jsonb compares). PostgreSQL refuses
 * whatever needs the missing operators with 42883, and names what it looked for:
 *
 * | what needs it                                              | message (type as named)                           |
 * |------------------------------------------------------------|---------------------------------------------------|
 * | `=` `<` … IS DISTINCT FROM, NULLIF, CASE x WHEN, IN, ANY   | operator does not exist: json = json              |
 * | DISTINCT, GROUP BY, UNION, PARTITION BY, count(DISTINCT x) | could not identify an equality operator for type json[] |
 * | ORDER BY (a query's, an aggregate's, a window's)           | could not identify an ordering operator for type json[] |
 * | GREATEST / LEAST                                           | could not identify a comparison function for type json[] |
 * | json[] = json[], @>, &&, array_position (array_eq, …)      | could not identify an equality operator for type json |
 * | json[] < json[] (array_cmp)                                | could not identify a comparison function for type json |
 *
 * An array has the operators of its element (PostgreSQL's array_eq / array_cmp look the
 * element's up when they run): the grouping messages name the array type, array_eq's the element.
 * Records are left alone: PostgreSQL's record_eq only fails once two rows are compared.
 */
import { SqlError } from '../../catalog/errors.js';
import { formatType, type SqlType } from '../../types/sql-type.js';

/** Whether `type` has equality and an order (a btree operator class, its element's for an array). */
export function hasOperatorClass(type: SqlType): boolean {
  if (type.kind === 'array') return hasOperatorClass(type.element);
  return type.kind !== 'json' && type.kind !== 'jsonpath';
}

/** The scalar type an array of `type` compares its elements in (`type` itself when not an array). */
function innermostElement(type: SqlType): SqlType {
  return type.kind === 'array' ? innermostElement(type.element) : type;
}

/** DISTINCT, GROUP BY, set operations, PARTITION BY, an aggregate's DISTINCT: 42883 without equality. */
export function requireEqualityOperator(type: SqlType): void {
  if (!hasOperatorClass(type)) throw new SqlError('42883', `could not identify an equality operator for type ${formatType(type)}`);
}

/** ORDER BY (a query's, an aggregate's, a window's, WITHIN GROUP's): 42883 without an order. */
export function requireOrderingOperator(type: SqlType): void {
  if (!hasOperatorClass(type)) throw new SqlError('42883', `could not identify an ordering operator for type ${formatType(type)}`, { hint: 'Use an explicit ordering operator or modify the query.' });
}

/** GREATEST / LEAST (the type's btree comparison function): 42883 without one. */
export function requireComparisonFunction(type: SqlType): void {
  if (!hasOperatorClass(type)) throw new SqlError('42883', `could not identify a comparison function for type ${formatType(type)}`);
}

/**
 * An array operator or function that compares elements (array_eq for `=` `<>` `@>` `&&`,
 * array_position, array_remove, …; array_cmp for `<` `<=` `>` `>=`): 42883 naming the element.
 */
export function requireElementComparison(arrayType: SqlType, ordering: boolean): void {
  const element = innermostElement(arrayType);
  if (hasOperatorClass(element)) return;
  const looked = ordering ? 'a comparison function' : 'an equality operator';
  throw new SqlError('42883', `could not identify ${looked} for type ${formatType(element)}`);
}
