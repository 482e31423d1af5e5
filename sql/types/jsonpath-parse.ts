/**
 * jsonpath's input (PostgreSQL's `jsonpath_in`: jsonpath_gram.y and `flattenJsonPathParseItem`),
 * a recursive-descent parser of the same grammar. Expressions and predicates are kept apart as
 * the grammar keeps them: `@ > 1` is a predicate (usable in `? (…)`, `&&`, `!`), `@ + 1` an
 * expression (usable in arithmetic, comparisons, subscripts), and using one where the other is
 * due is 42601 at the first token that cannot continue — the token bison reports. After parsing,
 * `@` outside a filter and `last` outside a subscript are 42601 as in PostgreSQL.
 *
 * ```
 *   or        := and ('||' and)*                       predicates only
 *   and       := not ('&&' not)*
 *   not       := '!' '(' or ')' | 'exists' '(' expr ')' | compare
 *   compare   := expr [(== != <> < <= > >=) expr | 'starts' 'with' (string | $var)
 *                      | 'like_regex' string ['flag' string]]
 *   expr      := term (('+' | '-') term)*;   term := unary (('*' | '/' | '%') unary)*
 *   unary     := ('+' | '-') unary | primary accessor*
 *   primary   := '$' | '@' | $var | literal | 'last' | '(' or ')' ['is' 'unknown']
 *   accessor  := '.' key | '.*' | '.**' [levels] | '.' method '(' ')' | '[*]' | '[' subscripts ']'
 *              | '?' '(' or ')'
 * ```
 */
import { FeatureNotSupportedError, InvalidTextRepresentationError, withDetail } from './errors.js';
import {
  appendAccessors,
  jsonPathItem,
  jsonPathLevelLast,
  type JsonPath,
  type JsonPathComparison,
  type JsonPathItem,
  type JsonPathMethod,
  type JsonPathNode,
  type JsonPathRegexFlags,
  type JsonPathSubscript,
} from './jsonpath-ast.js';
import { JsonPathSyntaxError, jsonPathSyntaxError, tokenizeJsonPath, type JsonPathToken } from './jsonpath-lexer.js';
import { printJsonPath } from './jsonpath-print.js';
import { checkJsonPathRegex } from './jsonpath-regex.js';

/** A parsed operand: whether it is a predicate (a boolean condition) or an expression. */
interface Parsed {
  readonly item: JsonPathItem;
  readonly predicate: boolean;
}

const comparisons: ReadonlyMap<string, JsonPathComparison> = new Map([
  ['==', '=='],
  ['!=', '!='],
  ['<>', '!='],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
]);
const methods: ReadonlySet<string> = new Set(['abs', 'size', 'type', 'floor', 'double', 'ceiling', 'keyvalue']);

/** Parses jsonpath text; 22P02 for an empty path, 42601 for a syntax error, as PostgreSQL. */
export function parseJsonPath(text: string): JsonPath {
  const parser = new Parser(tokenizeJsonPath(text));
  if (parser.peek().kind === 'end') throw new InvalidTextRepresentationError(`invalid input syntax for type jsonpath: "${text}"`);
  const mode = parser.keywordIs('strict') || parser.keywordIs('lax') ? (parser.next() as { keyword: string }).keyword : 'lax';
  const parsed = parser.or();
  if (parser.peek().kind !== 'end') parser.fail();
  checkPlacement(parsed.item, false, false);
  return Object.freeze({ strict: mode === 'strict', item: parsed.item });
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: readonly JsonPathToken[]) {}

  peek(): JsonPathToken {
    return this.tokens[this.index]!;
  }

  next(): JsonPathToken {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  fail(): never {
    return this.failAt(this.peek());
  }

  failAt(token: JsonPathToken): never {
    throw jsonPathSyntaxError('syntax error', token.near);
  }

  punctIs(text: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.text === text;
  }

  keywordIs(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.keyword === keyword;
  }

  expectPunct(text: string): void {
    if (!this.punctIs(text)) this.fail();
    this.index++;
  }

  expectKeyword(keyword: string): void {
    if (!this.keywordIs(keyword)) this.fail();
    this.index++;
  }

  expectString(): string {
    const token = this.peek();
    if (token.kind !== 'string') this.fail();
    this.index++;
    return token.value;
  }

  predicate(parsed: Parsed): JsonPathItem {
    if (!parsed.predicate) this.fail();
    return parsed.item;
  }

  expression(parsed: Parsed): JsonPathItem {
    if (parsed.predicate) this.fail();
    return parsed.item;
  }

  or(): Parsed {
    let left = this.and();
    while (this.punctIs('||')) {
      const leftItem = this.predicate(left);
      this.index++;
      left = { item: jsonPathItem({ kind: 'or', left: leftItem, right: this.predicate(this.and()) }), predicate: true };
    }
    return left;
  }

  and(): Parsed {
    let left = this.not();
    while (this.punctIs('&&')) {
      const leftItem = this.predicate(left);
      this.index++;
      left = { item: jsonPathItem({ kind: 'and', left: leftItem, right: this.predicate(this.not()) }), predicate: true };
    }
    return left;
  }

  not(): Parsed {
    if (this.punctIs('!')) {
      this.index++;
      const argument = this.keywordIs('exists') ? this.exists() : this.parenthesizedPredicate();
      return { item: jsonPathItem({ kind: 'not', argument }), predicate: true };
    }
    if (this.keywordIs('exists')) return { item: this.exists(), predicate: true };
    return this.compare();
  }

  parenthesizedPredicate(): JsonPathItem {
    this.expectPunct('(');
    const item = this.predicate(this.or());
    this.expectPunct(')');
    return item;
  }

  exists(): JsonPathItem {
    this.expectKeyword('exists');
    this.expectPunct('(');
    const argument = this.expression(this.additive());
    this.expectPunct(')');
    return jsonPathItem({ kind: 'exists', argument });
  }

  compare(): Parsed {
    const left = this.additive();
    if (left.predicate) return left;
    const token = this.peek();
    const operator = token.kind === 'punct' ? comparisons.get(token.text) : undefined;
    if (operator !== undefined) {
      this.index++;
      return { item: jsonPathItem({ kind: 'compare', operator, left: left.item, right: this.expression(this.additive()) }), predicate: true };
    }
    if (this.keywordIs('starts')) return { item: this.startsWith(left.item), predicate: true };
    if (this.keywordIs('like_regex')) return { item: this.likeRegex(left.item), predicate: true };
    return left;
  }

  startsWith(left: JsonPathItem): JsonPathItem {
    this.index++;
    this.expectKeyword('with');
    const token = this.next();
    if (token.kind === 'string') return jsonPathItem({ kind: 'startsWith', left, right: jsonPathItem({ kind: 'string', value: token.value }) });
    if (token.kind === 'variable') return jsonPathItem({ kind: 'startsWith', left, right: jsonPathItem({ kind: 'variable', name: token.name }) });
    return this.failAt(token);
  }

  likeRegex(argument: JsonPathItem): JsonPathItem {
    this.index++;
    const pattern = this.expectString();
    let flags: JsonPathRegexFlags | undefined;
    if (this.keywordIs('flag')) {
      this.index++;
      flags = parseRegexFlags(this.expectString());
    }
    checkJsonPathRegex(pattern, flags);
    return jsonPathItem({ kind: 'likeRegex', argument, pattern, flags });
  }

  additive(): Parsed {
    let left = this.multiplicative();
    for (let token = this.peek(); token.kind === 'punct' && (token.text === '+' || token.text === '-'); token = this.peek()) {
      const leftItem = this.expression(left);
      this.index++;
      left = { item: jsonPathItem({ kind: 'arithmetic', operator: token.text, left: leftItem, right: this.expression(this.multiplicative()) }), predicate: false };
    }
    return left;
  }

  multiplicative(): Parsed {
    let left = this.unary();
    for (let token = this.peek(); token.kind === 'punct' && (token.text === '*' || token.text === '/' || token.text === '%'); token = this.peek()) {
      const leftItem = this.expression(left);
      this.index++;
      left = { item: jsonPathItem({ kind: 'arithmetic', operator: token.text, left: leftItem, right: this.expression(this.unary()) }), predicate: false };
    }
    return left;
  }

  unary(): Parsed {
    const token = this.peek();
    if (token.kind !== 'punct' || (token.text !== '+' && token.text !== '-')) return this.postfix();
    this.index++;
    const argument = this.expression(this.unary());
    // PostgreSQL's makeItemUnary folds a sign into a bare number literal.
    if (argument.node.kind === 'numeric' && argument.next === undefined) {
      return { item: token.text === '+' ? argument : jsonPathItem({ kind: 'numeric', value: argument.node.value.negate() }), predicate: false };
    }
    return { item: jsonPathItem({ kind: 'unary', operator: token.text, argument }), predicate: false };
  }

  postfix(): Parsed {
    const primary = this.primary();
    const accessors: JsonPathNode[] = [];
    for (let accessor = this.accessor(); accessor !== undefined; accessor = this.accessor()) accessors.push(accessor);
    if (accessors.length === 0) return primary;
    return { item: appendAccessors(primary.item, accessors), predicate: false };
  }

  primary(): Parsed {
    const token = this.next();
    const literal = (node: JsonPathNode): Parsed => ({ item: jsonPathItem(node), predicate: false });
    switch (token.kind) {
      case 'string':
        return literal({ kind: 'string', value: token.value });
      case 'number':
        return literal({ kind: 'numeric', value: token.value });
      case 'variable':
        return literal({ kind: 'variable', name: token.name });
      case 'word': {
        const keywordNodes: Readonly<Record<string, JsonPathNode>> = { null: { kind: 'null' }, true: { kind: 'bool', value: true }, false: { kind: 'bool', value: false }, last: { kind: 'last' } };
        const node = keywordNodes[token.keyword];
        if (node !== undefined) return literal(node);
        break;
      }
      case 'punct':
        if (token.text === '$') return literal({ kind: 'root' });
        if (token.text === '@') return literal({ kind: 'current' });
        if (token.text === '(') return this.parenthesized();
        break;
      case 'end':
        break;
    }
    return this.failAt(token);
  }

  parenthesized(): Parsed {
    const inner = this.or();
    this.expectPunct(')');
    if (inner.predicate && this.keywordIs('is')) {
      this.index++;
      this.expectKeyword('unknown');
      return { item: jsonPathItem({ kind: 'isUnknown', argument: inner.item }), predicate: true };
    }
    return inner;
  }

  /** The next accessor, or undefined when the next token starts none. */
  accessor(): JsonPathNode | undefined {
    if (this.punctIs('[')) return this.arrayAccessor();
    if (this.punctIs('?')) {
      this.index++;
      return { kind: 'filter', predicate: this.parenthesizedPredicate() };
    }
    if (!this.punctIs('.')) return undefined;
    this.index++;
    const token = this.next();
    if (token.kind === 'string') return { kind: 'key', name: token.value };
    if (token.kind === 'punct' && token.text === '*') return { kind: 'anyKey' };
    if (token.kind === 'punct' && token.text === '**') return this.levels();
    if (token.kind !== 'word') return this.failAt(token);
    if (this.punctIs('(') && (methods.has(token.keyword) || token.keyword === 'datetime')) return this.method(token.keyword as JsonPathMethod);
    return { kind: 'key', name: token.text };
  }

  method(method: JsonPathMethod): JsonPathNode {
    this.expectPunct('(');
    const template = method === 'datetime' && this.peek().kind === 'string' ? this.expectString() : undefined;
    this.expectPunct(')');
    return { kind: 'method', method, template };
  }

  levels(): JsonPathNode {
    if (!this.punctIs('{')) return { kind: 'any', first: 0, last: jsonPathLevelLast };
    this.index++;
    const first = this.level();
    let last = first;
    if (this.keywordIs('to')) {
      this.index++;
      last = this.level();
    }
    this.expectPunct('}');
    return { kind: 'any', first, last };
  }

  level(): number {
    const token = this.next();
    if (token.kind === 'word' && token.keyword === 'last') return jsonPathLevelLast;
    if (token.kind === 'number' && token.integer) return Math.min(Number(token.value.toString()), jsonPathLevelLast);
    return this.failAt(token);
  }

  arrayAccessor(): JsonPathNode {
    this.expectPunct('[');
    if (this.punctIs('*')) {
      this.index++;
      this.expectPunct(']');
      return { kind: 'anyArray' };
    }
    const subscripts: JsonPathSubscript[] = [];
    for (;;) {
      const from = this.expression(this.additive());
      let to: JsonPathItem | undefined;
      if (this.keywordIs('to')) {
        this.index++;
        to = this.expression(this.additive());
      }
      subscripts.push(Object.freeze({ from, to }));
      if (this.punctIs(']')) break;
      this.expectPunct(',');
    }
    this.index++;
    return { kind: 'index', subscripts };
  }
}

function parseRegexFlags(text: string): JsonPathRegexFlags | undefined {
  const flags = { caseInsensitive: false, dotAll: false, multiLine: false, quoted: false };
  for (const flag of text) {
    if (flag === 'i') flags.caseInsensitive = true;
    else if (flag === 's') flags.dotAll = true;
    else if (flag === 'm') flags.multiLine = true;
    else if (flag === 'q') flags.quoted = true;
    else if (flag === 'x') throw new FeatureNotSupportedError('XQuery "x" flag (expanded regular expressions) is not implemented');
    else throw withDetail(new JsonPathSyntaxError('invalid input syntax for type jsonpath'), `Unrecognized flag character "${flag}" in LIKE_REGEX predicate.`);
  }
  return Object.values(flags).some(Boolean) ? Object.freeze(flags) : undefined;
}

/** PostgreSQL's checks after parsing: `@` only inside a filter, `last` only inside a subscript. */
function checkPlacement(item: JsonPathItem | undefined, inFilter: boolean, inSubscript: boolean): void {
  for (let current = item; current !== undefined; current = current.next) {
    const node = current.node;
    switch (node.kind) {
      case 'current':
        if (!inFilter) throw new JsonPathSyntaxError('@ is not allowed in root expressions');
        break;
      case 'last':
        if (!inSubscript) throw new JsonPathSyntaxError('LAST is allowed only in array subscripts');
        break;
      case 'filter':
        checkPlacement(node.predicate, true, inSubscript);
        break;
      case 'index':
        for (const subscript of node.subscripts) {
          checkPlacement(subscript.from, inFilter, true);
          checkPlacement(subscript.to, inFilter, true);
        }
        break;
      case 'and':
      case 'or':
      case 'compare':
      case 'startsWith':
      case 'arithmetic':
        checkPlacement(node.left, inFilter, inSubscript);
        checkPlacement(node.right, inFilter, inSubscript);
        break;
      case 'not':
      case 'isUnknown':
      case 'exists':
      case 'likeRegex':
      case 'unary':
        checkPlacement(node.argument, inFilter, inSubscript);
        break;
      default:
        break;
    }
  }
}


/*
 * The jsonpath datum is the path as written, checked — not the canonical text it prints as:
 * PostgreSQL's printer drops the parentheses an accessor on an operator needs (`(@ + 1).size()`
 * prints as `@ + 1.size()`, which does not parse back), so a datum of printed text could not
 * always be evaluated. Output (text and binary) prints it; parses are cached by text.
 */
const parsedPathsMax = 256;
const parsedPaths = new Map<string, JsonPath>();

/** The parsed path of a jsonpath datum (or any jsonpath text), cached; throws as `parseJsonPath`. */
export function cachedJsonPath(text: string): JsonPath {
  let path = parsedPaths.get(text);
  if (path === undefined) {
    path = parseJsonPath(text);
    if (parsedPaths.size >= parsedPathsMax) parsedPaths.delete(parsedPaths.keys().next().value!);
    parsedPaths.set(text, path);
  }
  return path;
}

/** `jsonpath_in`: the datum of `text` (itself, once it parses). */
export function checkJsonPath(text: string): string {
  cachedJsonPath(text);
  return text;
}

/** `jsonpath_out`: the canonical text of a datum. */
export function formatJsonPath(datum: string): string {
  return printJsonPath(cachedJsonPath(datum));
}

/** `jsonpath_in` then `jsonpath_out`. */
export function normalizeJsonPath(text: string): string {
  return printJsonPath(parseJsonPath(text));
}
