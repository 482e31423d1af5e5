/**
 * `LIKE` / `ILIKE` as PostgreSQL: `%` matches any run of characters, `_` exactly one, the
 * escape character (default `\`, `ESCAPE ''` for none) makes the next character literal. A
 * pattern ending in the escape character is 22025 `LIKE pattern must not end with escape
 * character` — but, as in PostgreSQL's matcher, only when matching reaches that escape with text
 * left over; otherwise the match simply fails. An escape string of more than one character is
 * 22025 `invalid escape string`. `ILIKE` compares lower-cased text (Unicode simple lowercase,
 * PostgreSQL's for the common locales).
 *
 * No regular expressions: a pattern is cut at its `%`s into segments of literals and `_`s; the
 * first segment must match at the start, the last at the end, and each middle one at its
 * leftmost place after the previous one (leftmost is always safe, since `%` absorbs the rest).
 * That is O(text × pattern) at worst, where a backtracking regex for `%a%a%a%…b` is exponential
 * — a pattern is user input, and one query must not stall a node. Compiled patterns are cached
 * (bounded) because a query applies one pattern to many rows.
 */
import { lowerText } from './case-map.js';
import { InvalidEscapeSequenceError } from './errors.js';

/** A pattern segment between `%`s: code points, with -1 for `_`. */
type Segment = readonly number[];

interface CompiledPattern {
  /** Segments between `%`s; a pattern without `%` has exactly one. */
  readonly segments: readonly Segment[];
  /** Whether the pattern starts / ends with `%`. */
  readonly openStart: boolean;
  readonly openEnd: boolean;
  /** The pattern ends in a dangling escape. */
  readonly dangling: boolean;
}

const anyOne = -1;
const cacheEntriesMax = 256;
const cache = new Map<string, CompiledPattern>();

function compile(pattern: string, escape: string, caseInsensitive: boolean): CompiledPattern {
  const cacheKey = `${caseInsensitive ? 'i' : 'c'}${escape.length}${escape}${pattern}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  if ([...escape].length > 1) throw new InvalidEscapeSequenceError('invalid escape string');
  const segments: number[][] = [[]];
  let dangling = false;
  const chars = [...(caseInsensitive ? lowerText(pattern) : pattern)];
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index]!;
    const current = segments[segments.length - 1]!;
    if (escape !== '' && char === escape) {
      const next = chars[++index];
      if (next === undefined) dangling = true;
      else current.push(next.codePointAt(0)!);
    } else if (char === '%') {
      if (current.length > 0 || segments.length === 1) segments.push([]);
    } else current.push(char === '_' ? anyOne : char.codePointAt(0)!);
  }
  const openStart = chars[0] === '%';
  const compiled: CompiledPattern = { segments: openStart ? segments.slice(1) : segments, openStart, openEnd: segments.length > 1 && segments[segments.length - 1]!.length === 0, dangling };
  if (cache.size >= cacheEntriesMax) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, compiled);
  return compiled;
}

function codePoints(text: string): readonly number[] {
  const out: number[] = [];
  for (const char of text) out.push(char.codePointAt(0)!);
  return out;
}

function matchesAt(text: readonly number[], at: number, segment: Segment): boolean {
  if (at + segment.length > text.length) return false;
  for (let index = 0; index < segment.length; index++) {
    const wanted = segment[index]!;
    if (wanted !== anyOne && wanted !== text[at + index]) return false;
  }
  return true;
}

/** Whether the segments, separated by `%`, match `text`; `requireRest` asks for ≥ 1 character after the match. */
function matchSegments(text: readonly number[], pattern: CompiledPattern, requireRest: boolean): boolean {
  const segments = pattern.segments.filter((segment) => segment.length > 0);
  const open = pattern.segments.length > 1 || pattern.openStart;
  if (!open) {
    const only = pattern.segments[0] ?? [];
    return matchesAt(text, 0, only) && (requireRest ? text.length > only.length : text.length === only.length);
  }
  let position = 0;
  let first = 0;
  if (!pattern.openStart) {
    if (!matchesAt(text, 0, segments[0] ?? [])) return false;
    position = segments[0]?.length ?? 0;
    first = 1;
  }
  const anchoredEnd = !pattern.openEnd && !requireRest && segments.length > first;
  const middleEnd = anchoredEnd ? segments.length - 1 : segments.length;
  for (let index = first; index < middleEnd; index++) {
    const segment = segments[index]!;
    while (position + segment.length <= text.length && !matchesAt(text, position, segment)) position++;
    if (position + segment.length > text.length) return false;
    position += segment.length;
  }
  if (anchoredEnd) {
    const last = segments[segments.length - 1]!;
    return text.length - last.length >= position && matchesAt(text, text.length - last.length, last);
  }
  return requireRest ? text.length > position : true;
}

/** `text LIKE pattern [ESCAPE escape]`, or ILIKE when `caseInsensitive`; NULL in, NULL out. */
export function like(text: string | null, pattern: string | null, options: { escape?: string | null; caseInsensitive?: boolean } = {}): boolean | null {
  const escape = options.escape === undefined ? '\\' : options.escape;
  if (text === null || pattern === null || escape === null) return null;
  const caseInsensitive = options.caseInsensitive ?? false;
  const compiled = compile(pattern, escape, caseInsensitive);
  const points = codePoints(caseInsensitive ? lowerText(text) : text);
  if (compiled.dangling) {
    // PostgreSQL fails at the escape once the match reaches it with text left (400 random
    // patterns checked against PostgreSQL 15 in pg15.json).
    if (matchSegments(points, compiled, true)) throw new InvalidEscapeSequenceError('LIKE pattern must not end with escape character');
    return false;
  }
  return matchSegments(points, compiled, false);
}
