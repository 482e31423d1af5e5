/**
 * jsonpath's output (PostgreSQL's `jsonpath_out` / `printJsonPathItem`): the canonical text a
 * parsed path prints as — keys quoted (`$."a"`), `strict ` when strict and nothing for lax,
 * binary operators parenthesized where the operand's priority is not higher than the
 * operator's, and a top-level operator in parentheses (`(1 + 2)`), as PostgreSQL prints it.
 */
import { assertNever } from '../../src/base/assert.js';
import { escapeJson } from './jsonb-text.js';
import { jsonPathLevelLast, operationPriority, type JsonPath, type JsonPathItem, type JsonPathNode, type JsonPathRegexFlags } from './jsonpath-ast.js';

export function printJsonPath(path: JsonPath): string {
  return (path.strict ? 'strict ' : '') + printItem(path.item, false, true);
}

function printItem(item: JsonPathItem, inKey: boolean, brackets: boolean): string {
  let out = printNode(item.node, inKey, brackets);
  if (item.next !== undefined) out += printItem(item.next, true, true);
  return out;
}

function operand(item: JsonPathItem, parent: JsonPathNode): string {
  return printItem(item, false, operationPriority(item.node) <= operationPriority(parent));
}

function wrap(text: string, brackets: boolean): string {
  return brackets ? `(${text})` : text;
}

function printNode(node: JsonPathNode, inKey: boolean, brackets: boolean): string {
  switch (node.kind) {
    case 'root':
      return '$';
    case 'current':
      return '@';
    case 'last':
      return 'last';
    case 'variable':
      return `$${escapeJson(node.name)}`;
    case 'null':
      return 'null';
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'numeric':
      return node.value.toString();
    case 'string':
      return escapeJson(node.value);
    case 'key':
      return (inKey ? '.' : '') + escapeJson(node.name);
    case 'anyKey':
      return inKey ? '.*' : '*';
    case 'anyArray':
      return '[*]';
    case 'index':
      return `[${node.subscripts.map((s) => printItem(s.from, false, false) + (s.to === undefined ? '' : ` to ${printItem(s.to, false, false)}`)).join(',')}]`;
    case 'any':
      return (inKey ? '.' : '') + printLevels(node.first, node.last);
    case 'method':
      return node.method === 'datetime' ? `.datetime(${node.template === undefined ? '' : escapeJson(node.template)})` : `.${node.method}()`;
    case 'filter':
      return `?(${printItem(node.predicate, false, false)})`;
    case 'not':
      return `!(${printItem(node.argument, false, false)})`;
    case 'isUnknown':
      return `(${printItem(node.argument, false, false)}) is unknown`;
    case 'exists':
      return `exists (${printItem(node.argument, false, false)})`;
    case 'and':
    case 'or':
    case 'compare':
    case 'startsWith':
    case 'arithmetic': {
      const operator = node.kind === 'compare' || node.kind === 'arithmetic' ? node.operator : { and: '&&', or: '||', startsWith: 'starts with' }[node.kind];
      return wrap(`${operand(node.left, node)} ${operator} ${operand(node.right, node)}`, brackets);
    }
    case 'likeRegex':
      return wrap(`${operand(node.argument, node)} like_regex ${escapeJson(node.pattern)}${printFlags(node.flags)}`, brackets);
    case 'unary':
      return wrap(node.operator + operand(node.argument, node), brackets);
    default:
      return assertNever(node, 'jsonpath node');
  }
}

function printLevels(first: number, last: number): string {
  const level = (value: number): string => (value === jsonPathLevelLast ? 'last' : String(value));
  if (first === 0 && last === jsonPathLevelLast) return '**';
  if (first === last) return `**{${level(first)}}`;
  return `**{${level(first)} to ${level(last)}}`;
}

function printFlags(flags: JsonPathRegexFlags | undefined): string {
  if (flags === undefined) return '';
  return ` flag "${flags.caseInsensitive ? 'i' : ''}${flags.dotAll ? 's' : ''}${flags.multiLine ? 'm' : ''}${flags.quoted ? 'q' : ''}"`;
}
