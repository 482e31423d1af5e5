/**
 * jsonpath's item methods (PostgreSQL 15's jsonpath_exec.c): `.type()`, `.size()`, `.abs()`,
 * `.floor()`, `.ceiling()`, `.double()` and `.keyvalue()`. In lax mode the numeric methods,
 * `.double()` and `.keyvalue()` apply to each element of an array; `.size()` of a non-array is 1.
 * `.datetime()` parses (the path prints it) but is 0A000 here: it needs the datetime templates.
 */
import { SqlError } from '../../catalog/errors.js';
import type { JsonNode } from '../../types/jsonb-text.js';
import type { JsonPathItem, JsonPathNode } from '../../types/jsonpath-ast.js';
import { Numeric } from '../../types/numeric.js';
import type { JsonPathContext, Status } from './jsonpath-context.js';
import { containerOffset } from './jsonpath-keyvalue-id.js';
import { itemType, numberNode, numberOf, sortedEntries, stringNode, stringOf } from './jsonpath-values.js';

type MethodNode = JsonPathNode & { kind: 'method' };

export function executeMethod(executor: JsonPathContext, item: JsonPathItem, node: MethodNode, value: JsonNode, found: JsonNode[] | undefined, unwrap: boolean): Status {
  const name = node.method;
  switch (name) {
    case 'type':
      return executor.executeNext(item, stringNode(itemType(value)), found);
    case 'size':
      if (value.kind === 'array') return executor.executeNext(item, numberNode(Numeric.of(BigInt(value.items.length))), found);
      if (executor.lax) return executor.executeNext(item, numberNode(Numeric.of(1n)), found);
      return executor.structural(new SqlError('22039', 'jsonpath item method .size() can only be applied to an array'));
    case 'datetime':
      throw new SqlError('0A000', 'jsonpath item method .datetime() is not supported');
    default:
      break;
  }
  if (unwrap && value.kind === 'array') return executor.unwrapTarget(item, value, found, false);
  switch (name) {
    case 'abs':
    case 'floor':
    case 'ceiling':
      if (itemType(value) !== 'number') return executor.fail(new SqlError('22036', `jsonpath item method .${name}() can only be applied to a numeric value`));
      return executor.executeNext(item, numberNode(numericMethod(name, numberOf(value))), found);
    case 'double':
      return executeDouble(executor, item, value, found);
    case 'keyvalue':
      return executeKeyValue(executor, item, value, found);
  }
}

function numericMethod(name: 'abs' | 'floor' | 'ceiling', value: Numeric): Numeric {
  if (name === 'abs') return value.abs();
  if (!value.isFinite) return value;
  const truncated = value.trunc(0);
  if (name === 'floor') return truncated.compare(value) > 0 ? truncated.sub(Numeric.of(1n)) : truncated;
  return truncated.compare(value) < 0 ? truncated.add(Numeric.of(1n)) : truncated;
}

/** `.double()`: a number stays itself if a float8 can hold it; a string becomes float8_numeric of its value. */
function executeDouble(executor: JsonPathContext, item: JsonPathItem, value: JsonNode, found: JsonNode[] | undefined): Status {
  const type = itemType(value);
  if (type === 'number') {
    if (!Number.isFinite(Number(numberOf(value).toString()))) {
      return executor.fail(new SqlError('22036', 'numeric argument of jsonpath item method .double() is out of range for type double precision'));
    }
    return executor.executeNext(item, value, found);
  }
  if (type === 'string') {
    const double = parseDouble(stringOf(value));
    if (double === undefined) return executor.fail(new SqlError('22036', 'string argument of jsonpath item method .double() is not a valid representation of a double precision number'));
    return executor.executeNext(item, numberNode(float8Numeric(double)), found);
  }
  return executor.fail(new SqlError('22036', 'jsonpath item method .double() can only be applied to a string or numeric value'));
}

/** float8in's accepted text (blanks around a decimal number), finite only; undefined otherwise. */
function parseDouble(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** PostgreSQL's float8_numeric: the double printed with 15 significant digits (`%.15g`). */
function float8Numeric(value: number): Numeric {
  const text = value.toPrecision(15);
  if (text.includes('e')) return Numeric.parse(text);
  return Numeric.parse(text.includes('.') ? text.replace(/\.?0+$/, '') : text);
}

/**
 * `.keyvalue()`: each member of an object as `{"id": …, "key": …, "value": …}`, the id the
 * object's offset in its document (jsonpath-keyvalue-id.ts).
 */
function executeKeyValue(executor: JsonPathContext, item: JsonPathItem, value: JsonNode, found: JsonNode[] | undefined): Status {
  if (value.kind !== 'object') return executor.fail(new SqlError('2203C', 'jsonpath item method .keyvalue() can only be applied to an object'));
  let status: Status = 'notFound';
  const base = executor.baseObject;
  const id = Numeric.of(BigInt(base.id) * 10_000_000_000n + BigInt(containerOffset(base.document, value)));
  for (const [key, member] of sortedEntries(value)) {
    const pair: JsonNode = {
      kind: 'object',
      entries: new Map([
        ['id', numberNode(id)],
        ['key', stringNode(key)],
        ['value', member],
      ]),
    };
    status = executor.executeNext(item, pair, found);
    if (status === 'error') return status;
    if (status === 'ok' && found === undefined) return status;
  }
  return status;
}
