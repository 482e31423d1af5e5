/**
 * The SQL/JSON path language's syntax tree (PostgreSQL's `JsonPathItem`): a path is a mode
 * (`lax`, the default, or `strict`) and an item; an item is a node and the accessor chain that
 * follows it (`next`), as PostgreSQL links `$.a[*]` as root → key "a" → any-array. Items are
 * frozen values; jsonpath-parse.ts builds them, jsonpath-print.ts prints them back as
 * `jsonpath_out` does, and sql/plan/expr/jsonpath-eval.ts evaluates them.
 */
import type { Numeric } from './numeric.js';

/** `last` as a `.**{…}` level bound (PostgreSQL stores it as PG_UINT32_MAX). */
export const jsonPathLevelLast = 0xffffffff;

export type JsonPathComparison = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type JsonPathArithmetic = '+' | '-' | '*' | '/' | '%';
export type JsonPathMethod = 'type' | 'size' | 'double' | 'ceiling' | 'floor' | 'abs' | 'keyvalue' | 'datetime';

export interface JsonPathSubscript {
  readonly from: JsonPathItem;
  /** The end of `[from to to]`; undefined for a single index. */
  readonly to: JsonPathItem | undefined;
}

/** XQuery's flags of `like_regex … flag "…"`, in PostgreSQL's print order. */
export interface JsonPathRegexFlags {
  readonly caseInsensitive: boolean; // i
  readonly dotAll: boolean; // s
  readonly multiLine: boolean; // m
  readonly quoted: boolean; // q
}

export type JsonPathNode =
  | { readonly kind: 'root' }
  | { readonly kind: 'current' }
  | { readonly kind: 'last' }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'numeric'; readonly value: Numeric }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'anyKey' }
  | { readonly kind: 'anyArray' }
  | { readonly kind: 'index'; readonly subscripts: readonly JsonPathSubscript[] }
  | { readonly kind: 'any'; readonly first: number; readonly last: number }
  | { readonly kind: 'method'; readonly method: JsonPathMethod; readonly template: string | undefined }
  | { readonly kind: 'filter'; readonly predicate: JsonPathItem }
  | { readonly kind: 'and' | 'or'; readonly left: JsonPathItem; readonly right: JsonPathItem }
  | { readonly kind: 'not' | 'isUnknown' | 'exists'; readonly argument: JsonPathItem }
  | { readonly kind: 'compare'; readonly operator: JsonPathComparison; readonly left: JsonPathItem; readonly right: JsonPathItem }
  | { readonly kind: 'startsWith'; readonly left: JsonPathItem; readonly right: JsonPathItem }
  | { readonly kind: 'likeRegex'; readonly argument: JsonPathItem; readonly pattern: string; readonly flags: JsonPathRegexFlags | undefined }
  | { readonly kind: 'arithmetic'; readonly operator: JsonPathArithmetic; readonly left: JsonPathItem; readonly right: JsonPathItem }
  | { readonly kind: 'unary'; readonly operator: '+' | '-'; readonly argument: JsonPathItem };

/** One node of a path and the accessor that follows it. */
export interface JsonPathItem {
  readonly node: JsonPathNode;
  readonly next: JsonPathItem | undefined;
}

export interface JsonPath {
  /** `strict` raises structural errors; `lax` (the default) unwraps arrays and ignores them. */
  readonly strict: boolean;
  readonly item: JsonPathItem;
}

/** The item `node` followed by `next`. */
export function jsonPathItem(node: JsonPathNode, next?: JsonPathItem): JsonPathItem {
  return Object.freeze({ node: Object.freeze(node), next });
}

/** `head` with `accessors` appended to the end of its chain, in order. */
export function appendAccessors(head: JsonPathItem, accessors: readonly JsonPathNode[]): JsonPathItem {
  if (accessors.length === 0) return head;
  let tail: JsonPathItem | undefined;
  for (let index = accessors.length - 1; index >= 0; index--) tail = jsonPathItem(accessors[index]!, tail);
  return withTail(head, tail!);
}

function withTail(item: JsonPathItem, tail: JsonPathItem): JsonPathItem {
  return jsonPathItem(item.node, item.next === undefined ? tail : withTail(item.next, tail));
}

/** PostgreSQL's `operationPriority`: where a printed operand needs parentheses. */
export function operationPriority(node: JsonPathNode): number {
  switch (node.kind) {
    case 'or':
      return 0;
    case 'and':
      return 1;
    case 'compare':
    case 'startsWith':
      return 2;
    case 'arithmetic':
      return node.operator === '+' || node.operator === '-' ? 3 : 4;
    case 'unary':
      return 5;
    default:
      return 6;
  }
}
