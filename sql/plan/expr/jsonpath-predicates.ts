/**
 * jsonpath's predicates (PostgreSQL's executeBoolItem and executePredicate): three-valued
 * `&&`, `||`, `!`, `is unknown`, `exists`, the comparisons, `starts with` and `like_regex`.
 * An operand's errors never escape a predicate: they make it unknown. Each side of a comparison
 * is a sequence (lax mode unwraps arrays into it); lax mode answers true at the first pair that
 * compares true, strict mode answers unknown at the first pair that cannot be compared.
 */
import { SqlError } from '../../catalog/errors.js';
import type { JsonNode } from '../../types/jsonb-text.js';
import type { JsonPathComparison, JsonPathItem, JsonPathNode } from '../../types/jsonpath-ast.js';
import { jsonPathRegex } from '../../types/jsonpath-regex.js';
import type { JsonPathContext, Truth } from './jsonpath-context.js';
import { compareCodePointStrings, itemType, numberOf, stringOf } from './jsonpath-values.js';

const truth = (value: boolean): Truth => (value ? 'true' : 'false');

/** The truth of predicate `item` for the current item `value`. */
export function executeBool(executor: JsonPathContext, item: JsonPathItem, value: JsonNode): Truth {
  const node = item.node;
  switch (node.kind) {
    case 'and': {
      const left = executeBool(executor, node.left, value);
      if (left === 'false') return left;
      const right = executeBool(executor, node.right, value);
      return right === 'true' ? left : right;
    }
    case 'or': {
      const left = executeBool(executor, node.left, value);
      if (left === 'true') return left;
      const right = executeBool(executor, node.right, value);
      return right === 'false' ? left : right;
    }
    case 'not': {
      const argument = executeBool(executor, node.argument, value);
      return argument === 'unknown' ? argument : truth(argument === 'false');
    }
    case 'isUnknown':
      return truth(executeBool(executor, node.argument, value) === 'unknown');
    case 'exists':
      return executeExists(executor, node.argument, value);
    case 'compare':
      return executePredicate(executor, node.left, node.right, value, true, (left, right) => compareItems(node.operator, left, right!));
    case 'startsWith':
      return executePredicate(executor, node.left, node.right, value, false, startsWith);
    case 'likeRegex':
      return executePredicate(executor, node.argument, undefined, value, false, (left) => likeRegex(node, left));
    default:
      throw new SqlError('XX000', 'invalid boolean jsonpath item type');
  }
}

function executeExists(executor: JsonPathContext, argument: JsonPathItem, value: JsonNode): Truth {
  const results: JsonNode[] = [];
  if (!executor.lax) {
    // Strict mode sees every item, to know that none of them is an error.
    const status = executor.executeQuietly(argument, value, false, results);
    return status === 'error' ? 'unknown' : truth(results.length > 0);
  }
  const saved = executor.throwErrors;
  executor.throwErrors = false;
  try {
    const status = executor.execute(argument, value, undefined);
    return status === 'error' ? 'unknown' : truth(status === 'ok');
  } finally {
    executor.throwErrors = saved;
  }
}

function executePredicate(
  executor: JsonPathContext,
  leftItem: JsonPathItem,
  rightItem: JsonPathItem | undefined,
  value: JsonNode,
  unwrapRight: boolean,
  test: (left: JsonNode, right: JsonNode | undefined) => Truth,
): Truth {
  const left: JsonNode[] = [];
  if (executor.executeQuietly(leftItem, value, true, left) === 'error') return 'unknown';
  const right: (JsonNode | undefined)[] = [];
  if (rightItem !== undefined) {
    const rightValues: JsonNode[] = [];
    if (executor.executeQuietly(rightItem, value, unwrapRight, rightValues) === 'error') return 'unknown';
    right.push(...rightValues);
  } else {
    right.push(undefined);
  }
  let error = false;
  let found = false;
  for (const leftValue of left) {
    for (const rightValue of right) {
      const result = test(leftValue, rightValue);
      if (result === 'unknown') {
        if (!executor.lax) return 'unknown';
        error = true;
      } else if (result === 'true') {
        if (executor.lax) return 'true';
        found = true;
      }
    }
  }
  if (found) return 'true';
  return error ? 'unknown' : 'false';
}

/** PostgreSQL's compareItems: null equals only null; other mixed types and containers are unknown. */
function compareItems(operator: JsonPathComparison, left: JsonNode, right: JsonNode): Truth {
  const leftType = itemType(left);
  const rightType = itemType(right);
  if (leftType !== rightType) {
    if (leftType === 'null' || rightType === 'null') return truth(operator === '!=');
    return 'unknown';
  }
  let order: number;
  switch (leftType) {
    case 'null':
      order = 0;
      break;
    case 'boolean':
      order = Number((left as { text: string }).text === 'true') - Number((right as { text: string }).text === 'true');
      break;
    case 'number':
      order = numberOf(left).compare(numberOf(right));
      break;
    case 'string':
      order = compareCodePointStrings(stringOf(left), stringOf(right));
      break;
    default:
      return 'unknown';
  }
  switch (operator) {
    case '==':
      return truth(order === 0);
    case '!=':
      return truth(order !== 0);
    case '<':
      return truth(order < 0);
    case '<=':
      return truth(order <= 0);
    case '>':
      return truth(order > 0);
    case '>=':
      return truth(order >= 0);
  }
}

function startsWith(whole: JsonNode, initial: JsonNode | undefined): Truth {
  if (itemType(whole) !== 'string' || initial === undefined || itemType(initial) !== 'string') return 'unknown';
  return truth(stringOf(whole).startsWith(stringOf(initial)));
}

function likeRegex(node: JsonPathNode & { kind: 'likeRegex' }, value: JsonNode): Truth {
  if (itemType(value) !== 'string') return 'unknown';
  return truth(jsonPathRegex(node.pattern, node.flags).test(stringOf(value)));
}
