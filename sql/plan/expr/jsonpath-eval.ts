/**
 * The SQL/JSON path evaluator (PostgreSQL 15's jsonpath_exec.c, rewritten): evaluates a parsed
 * path (sql/types/jsonpath-ast.ts) against a jsonb document and collects the items it yields.
 *
 * The rules that matter, as PostgreSQL applies them:
 * - **lax** mode (the default) unwraps an array one level for a member accessor, a filter, a
 *   method; wraps a non-array as a one-element array for `[…]` / `[*]`; and ignores structural
 *   errors (a missing key, an accessor on the wrong type): they yield nothing. **strict** mode
 *   raises them (2203A, 22039, 2203C, 22033).
 * - A predicate evaluates to true, false or unknown; an error inside one (comparing a string
 *   with a number, a failing operand) is unknown, never raised. In lax mode a comparison is
 *   true as soon as one pair of its operands' items compares true; in strict mode any unknown
 *   pair makes it unknown.
 * - Non-structural errors (arithmetic on a non-number, a missing variable) are raised unless the
 *   call is `silent`, when evaluation stops with the result "error" (`jperError`): the functions
 *   then return NULL / nothing.
 *
 * Each step returns a `Status` (`ok`: something was found; `notFound`; `error`: an error was
 * suppressed) and appends what it yields to `found`; without `found` (an existence test) a
 * step stops at the first item.
 */
import { assertNever } from '../../../src/base/assert.js';
import { SqlError } from '../../catalog/errors.js';
import type { JsonNode } from '../../types/jsonb-text.js';
import { jsonPathLevelLast, type JsonPath, type JsonPathItem, type JsonPathNode } from '../../types/jsonpath-ast.js';
import { numericArithmetic } from '../../types/arithmetic.js';
import { Numeric } from '../../types/numeric.js';
import { executeMethod } from './jsonpath-methods.js';
import type { JsonPathContext, Status, Truth } from './jsonpath-context.js';
import { executeBool } from './jsonpath-predicates.js';
import { boolNode, itemType, jsonNull, memberValues, numberNode, numberOf, stringNode } from './jsonpath-values.js';

export type { Status } from './jsonpath-context.js';

/** The evaluation's state (PostgreSQL's JsonPathExecContext). */
export class JsonPathExecutor implements JsonPathContext {
  readonly lax: boolean;
  ignoreStructuralErrors: boolean;
  throwErrors: boolean;
  current: JsonNode;
  /** The size of the array whose subscript is being evaluated (for `last`); -1 outside one. */
  innermostArraySize = -1;
  /** The document `.keyvalue()` numbers objects in: `$`'s (id 0) or the `vars` document's (id 1). */
  baseObject: { readonly document: JsonNode; readonly id: number };

  constructor(
    path: JsonPath,
    readonly root: JsonNode,
    /** The `vars` argument: an object whose members are the `$name` variables. */
    readonly variables: JsonNode & { kind: 'object' },
    throwErrors: boolean,
  ) {
    this.baseObject = { document: root, id: 0 };
    this.lax = !path.strict;
    this.ignoreStructuralErrors = this.lax;
    this.throwErrors = throwErrors;
    this.current = root;
  }

  /** PostgreSQL's RETURN_ERROR: raise `error`, or return 'error' when errors are suppressed. */
  fail(error: SqlError): Status {
    if (this.throwErrors) throw error;
    return 'error';
  }

  /** A structural error: ignored (nothing found) in lax mode, else as `fail`. */
  structural(error: SqlError): Status {
    return this.ignoreStructuralErrors ? 'notFound' : this.fail(error);
  }

  execute(item: JsonPathItem, value: JsonNode, found: JsonNode[] | undefined): Status {
    return this.executeUnwrap(item, value, found, this.lax);
  }

  /** Continues with the item after `item` (or `next`), or yields `value` when there is none. */
  executeNext(item: JsonPathItem, value: JsonNode, found: JsonNode[] | undefined, next = item.next): Status {
    if (next !== undefined) return this.execute(next, value, found);
    found?.push(value);
    return 'ok';
  }

  /** Evaluates `item` with errors suppressed (PostgreSQL's …NoThrow), unwrapping array results if `unwrap`. */
  executeQuietly(item: JsonPathItem, value: JsonNode, unwrap: boolean, found: JsonNode[]): Status {
    const saved = this.throwErrors;
    this.throwErrors = false;
    try {
      return this.executeUnwrappingResult(item, value, unwrap, found);
    } finally {
      this.throwErrors = saved;
    }
  }

  /** Evaluates `item`; in lax mode with `unwrap`, array results contribute their elements. */
  executeUnwrappingResult(item: JsonPathItem, value: JsonNode, unwrap: boolean, found: JsonNode[]): Status {
    if (!(unwrap && this.lax)) return this.execute(item, value, found);
    const sequence: JsonNode[] = [];
    const status = this.execute(item, value, sequence);
    if (status === 'error') return status;
    for (const result of sequence) {
      if (result.kind === 'array') found.push(...result.items);
      else found.push(result);
    }
    return 'ok';
  }

  /** Applies `item` to each element of `array` (PostgreSQL's executeItemUnwrapTargetArray). */
  unwrapTarget(item: JsonPathItem | undefined, array: JsonNode, found: JsonNode[] | undefined, unwrapElements: boolean): Status {
    return this.executeAny(item, array, found, 1, 1, 1, false, unwrapElements);
  }

  /** The members of `container` from `level` down, between levels `first` and `last` (`.**`, `.*`, `[*]`). */
  executeAny(item: JsonPathItem | undefined, container: JsonNode, found: JsonNode[] | undefined, level: number, first: number, last: number, ignoreStructural: boolean, unwrapNext: boolean): Status {
    let status: Status = 'notFound';
    if (level > last) return status;
    for (const member of memberValues(container)) {
      const isContainer = member.kind !== 'scalar';
      if (level >= first || (first === jsonPathLevelLast && last === jsonPathLevelLast && !isContainer)) {
        if (item === undefined) {
          if (found === undefined) return 'ok';
          found.push(member);
        } else {
          status = this.withStructuralErrorsIgnored(ignoreStructural, () => this.executeUnwrap(item, member, found, unwrapNext));
          if (status === 'error' || (status === 'ok' && found === undefined)) break;
        }
      }
      if (level < last && isContainer) {
        status = this.executeAny(item, member, found, level + 1, first, last, ignoreStructural, unwrapNext);
        if (status === 'error' || (status === 'ok' && found === undefined)) break;
      }
    }
    return status;
  }

  withStructuralErrorsIgnored(ignore: boolean, run: () => Status): Status {
    if (!ignore) return run();
    const saved = this.ignoreStructuralErrors;
    this.ignoreStructuralErrors = true;
    try {
      return run();
    } finally {
      this.ignoreStructuralErrors = saved;
    }
  }

  /** Evaluates a predicate with `@` bound to `value` (a filter's condition). */
  executeNestedBool(item: JsonPathItem, value: JsonNode): Truth {
    const saved = this.current;
    this.current = value;
    try {
      return executeBool(this, item, value);
    } finally {
      this.current = saved;
    }
  }

  /** PostgreSQL's executeItemOptUnwrapTarget: one step of a path. */
  executeUnwrap(item: JsonPathItem, value: JsonNode, found: JsonNode[] | undefined, unwrap: boolean): Status {
    const node = item.node;
    switch (node.kind) {
      case 'and':
      case 'or':
      case 'not':
      case 'isUnknown':
      case 'compare':
      case 'startsWith':
      case 'likeRegex':
      case 'exists':
        return this.appendBool(item, found, executeBool(this, item, value));
      case 'arithmetic':
        return this.executeBinaryArithmetic(item, node, value, found);
      case 'unary':
        return this.executeUnaryArithmetic(item, node, value, found);
      case 'key':
        return this.executeKey(item, node.name, value, found, unwrap);
      case 'anyKey':
        if (value.kind === 'object') return this.executeAny(item.next, value, found, 1, 1, 1, false, this.lax);
        if (unwrap && value.kind === 'array') return this.unwrapTarget(item, value, found, false);
        return this.structural(new SqlError('2203C', 'jsonpath wildcard member accessor can only be applied to an object'));
      case 'anyArray':
        if (value.kind === 'array') return this.unwrapTarget(item.next, value, found, this.lax);
        if (this.lax) return this.executeNext(item, value, found);
        return this.structural(new SqlError('22039', 'jsonpath wildcard array accessor can only be applied to an array'));
      case 'index':
        return this.executeIndex(item, node, value, found);
      case 'any':
        return this.executeAnyPath(item, node, value, found);
      case 'filter': {
        if (unwrap && value.kind === 'array') return this.unwrapTarget(item, value, found, false);
        if (this.executeNestedBool(node.predicate, value) !== 'true') return 'notFound';
        return this.executeNext(item, value, found);
      }
      case 'root':
        return this.withBaseObject(this.root, 0, () => this.executeNext(item, this.root, found));
      case 'current':
        return this.executeNext(item, this.current, found);
      case 'null':
      case 'bool':
      case 'numeric':
      case 'string':
      case 'variable':
      case 'last':
        if (item.next === undefined && found === undefined && node.kind !== 'variable') return 'ok';
        if (node.kind === 'variable') return this.withBaseObject(this.variables, 1, () => this.executeNext(item, this.literal(node), found));
        return this.executeNext(item, this.literal(node), found);
      case 'method':
        return executeMethod(this, item, node, value, found, unwrap);
      default:
        return assertNever(node, 'jsonpath node');
    }
  }

  withBaseObject(document: JsonNode, id: number, run: () => Status): Status {
    const saved = this.baseObject;
    this.baseObject = { document, id };
    try {
      return run();
    } finally {
      this.baseObject = saved;
    }
  }

  appendBool(item: JsonPathItem, found: JsonNode[] | undefined, truth: Truth): Status {
    if (item.next === undefined && found === undefined) return 'ok';
    return this.executeNext(item, truth === 'unknown' ? jsonNull : boolNode(truth === 'true'), found);
  }

  literal(node: JsonPathNode): JsonNode {
    switch (node.kind) {
      case 'null':
        return jsonNull;
      case 'bool':
        return boolNode(node.value);
      case 'numeric':
        return numberNode(node.value);
      case 'string':
        return stringNode(node.value);
      case 'variable': {
        const variable = this.variables.entries.get(node.name);
        if (variable === undefined) throw new SqlError('42704', `could not find jsonpath variable "${node.name}"`);
        return variable;
      }
      case 'last':
        if (this.innermostArraySize < 0) throw new SqlError('XX000', 'evaluating jsonpath LAST outside of array subscript');
        return numberNode(Numeric.of(BigInt(this.innermostArraySize - 1)));
      default:
        throw new SqlError('XX000', `not a jsonpath literal: ${node.kind}`);
    }
  }

  executeKey(item: JsonPathItem, key: string, value: JsonNode, found: JsonNode[] | undefined, unwrap: boolean): Status {
    if (value.kind === 'object') {
      const member = value.entries.get(key);
      if (member !== undefined) return this.executeNext(item, member, found);
      return this.structural(new SqlError('2203A', `JSON object does not contain key "${key}"`));
    }
    if (unwrap && value.kind === 'array') return this.unwrapTarget(item, value, found, false);
    return this.structural(new SqlError('2203A', 'jsonpath member accessor can only be applied to an object'));
  }

  executeAnyPath(item: JsonPathItem, node: JsonPathNode & { kind: 'any' }, value: JsonNode, found: JsonNode[] | undefined): Status {
    let status: Status = 'notFound';
    if (node.first === 0) {
      status = this.withStructuralErrorsIgnored(true, () => this.executeNext(item, value, found));
      if (status === 'ok' && found === undefined) return status;
    }
    if (value.kind !== 'scalar') status = this.executeAny(item.next, value, found, 1, node.first, node.last, true, this.lax);
    return status;
  }

  executeIndex(item: JsonPathItem, node: JsonPathNode & { kind: 'index' }, value: JsonNode, found: JsonNode[] | undefined): Status {
    if (value.kind !== 'array' && !this.lax) return this.structural(new SqlError('22039', 'jsonpath array accessor can only be applied to an array'));
    const size = value.kind === 'array' ? value.items.length : 1;
    const savedSize = this.innermostArraySize;
    this.innermostArraySize = size;
    try {
      let status: Status = 'notFound';
      for (const subscript of node.subscripts) {
        const from = this.arrayIndex(subscript.from, value);
        if (typeof from === 'string') return from;
        const to = subscript.to === undefined ? from : this.arrayIndex(subscript.to, value);
        if (typeof to === 'string') return to;
        if (!this.ignoreStructuralErrors && (from < 0 || from > to || to >= size)) return this.fail(new SqlError('22033', 'jsonpath array subscript is out of bounds'));
        for (let index = Math.max(from, 0); index <= Math.min(to, size - 1); index++) {
          const element = value.kind === 'array' ? value.items[index]! : value;
          if (item.next === undefined && found === undefined) return 'ok';
          status = this.executeNext(item, element, found);
          if (status === 'error') return status;
          if (status === 'ok' && found === undefined) return status;
        }
      }
      return status;
    } finally {
      this.innermostArraySize = savedSize;
    }
  }

  /** A subscript's value as an integer (truncated), or the status of its failure. */
  arrayIndex(item: JsonPathItem, value: JsonNode): number | Status {
    const results: JsonNode[] = [];
    const status = this.execute(item, value, results);
    if (status === 'error') return status;
    if (results.length !== 1 || itemType(results[0]!) !== 'number') return this.fail(new SqlError('22033', 'jsonpath array subscript is not a single numeric value'));
    const index = numberOf(results[0]!).trunc(0);
    if (!index.isFinite || index.compare(Numeric.of(2147483647n)) > 0 || index.compare(Numeric.of(-2147483648n)) < 0) {
      return this.fail(new SqlError('22033', 'jsonpath array subscript is out of integer range'));
    }
    return Number(index.toString());
  }

  executeBinaryArithmetic(item: JsonPathItem, node: JsonPathNode & { kind: 'arithmetic' }, value: JsonNode, found: JsonNode[] | undefined): Status {
    const left: JsonNode[] = [];
    let status = this.executeUnwrappingResult(node.left, value, true, left);
    if (status === 'error') return status;
    const right: JsonNode[] = [];
    status = this.executeUnwrappingResult(node.right, value, true, right);
    if (status === 'error') return status;
    if (left.length !== 1 || itemType(left[0]!) !== 'number') return this.fail(new SqlError('22038', `left operand of jsonpath operator ${node.operator} is not a single numeric value`));
    if (right.length !== 1 || itemType(right[0]!) !== 'number') return this.fail(new SqlError('22038', `right operand of jsonpath operator ${node.operator} is not a single numeric value`));
    let result: Numeric;
    try {
      result = numericArithmetic(node.operator, numberOf(left[0]!), numberOf(right[0]!));
    } catch (error) {
      if (error instanceof Error && 'sqlState' in error) return this.fail(error as SqlError);
      throw error;
    }
    if (item.next === undefined && found === undefined) return 'ok';
    return this.executeNext(item, numberNode(result), found);
  }

  executeUnaryArithmetic(item: JsonPathItem, node: JsonPathNode & { kind: 'unary' }, value: JsonNode, found: JsonNode[] | undefined): Status {
    const operands: JsonNode[] = [];
    const status = this.executeUnwrappingResult(node.argument, value, true, operands);
    if (status === 'error') return status;
    let result: Status = 'notFound';
    const hasNext = item.next !== undefined;
    for (const operand of operands) {
      if (itemType(operand) === 'number') {
        if (found === undefined && !hasNext) return 'ok';
      } else {
        if (found === undefined && !hasNext) continue;
        return this.fail(new SqlError('2203B', `operand of unary jsonpath operator ${node.operator} is not a numeric value`));
      }
      const number = numberOf(operand);
      const nextStatus = this.executeNext(item, numberNode(node.operator === '-' ? number.negate() : number), found);
      if (nextStatus === 'error') return nextStatus;
      if (nextStatus === 'ok') {
        if (found === undefined) return 'ok';
        result = 'ok';
      }
    }
    return result;
  }
}


/** Collects what `path` yields for `document` (PostgreSQL's executeJsonPath); 'error' when `silent` suppressed one. */
export function executeJsonPath(path: JsonPath, document: JsonNode, variables: JsonNode & { kind: 'object' }, silent: boolean, found: JsonNode[] | undefined): Status {
  const executor = new JsonPathExecutor(path, document, variables, !silent);
  if (path.strict && found === undefined) {
    // Strict mode must see every item to know that no error happens anywhere.
    const all: JsonNode[] = [];
    const status = executor.execute(path.item, document, all);
    if (status === 'error') return status;
    return all.length === 0 ? 'notFound' : 'ok';
  }
  return executor.execute(path.item, document, found);
}
