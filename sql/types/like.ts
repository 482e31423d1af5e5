/**
 * `LIKE` / `ILIKE` as PostgreSQL: `%` matches any run of characters, `_` exactly one, the
 * escape character (default `\`, `ESCAPE ''` for none) makes the next character literal. A
 * pattern ending in the escape character is 22025 `LIKE pattern must not end with escape
 * character` — but, as in PostgreSQL's matcher, only when matching reaches that escape with text
 * left over; otherwise the match simply fails. An escape string of more than one character is
 * 22025 `invalid escape string`. `ILIKE` compares lower-cased text (Unicode simple lowercase,
 * PostgreSQL's for the common locales). Compiled patterns are cached (bounded) because a query
 * applies one pattern to many rows.
 */
import { InvalidEscapeSequenceError } from './errors.js';

interface CompiledPattern {
  readonly regexp: RegExp;
  /** True if the pattern ends in a dangling escape: `regexp` then matches "reached it with text left". */
  readonly dangling: boolean;
}

const cacheEntriesMax = 256;
const cache = new Map<string, CompiledPattern>();

function compile(pattern: string, escape: string, caseInsensitive: boolean): CompiledPattern {
  const cacheKey = `${caseInsensitive ? 'i' : 'c'}${escape.length}${escape}${pattern}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  if ([...escape].length > 1) throw new InvalidEscapeSequenceError('invalid escape string');
  let source = '^';
  let dangling = false;
  const chars = [...(caseInsensitive ? pattern.toLowerCase() : pattern)];
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index]!;
    if (escape !== '' && char === escape) {
      const next = chars[++index];
      if (next === undefined) dangling = true;
      else source += quote(next);
    } else if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += quote(char);
  }
  const compiled = { regexp: new RegExp(dangling ? `${source}.` : `${source}$`, 'su'), dangling };
  if (cache.size >= cacheEntriesMax) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, compiled);
  return compiled;
}

function quote(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** `text LIKE pattern [ESCAPE escape]`, or ILIKE when `caseInsensitive`; NULL in, NULL out. */
export function like(text: string | null, pattern: string | null, options: { escape?: string | null; caseInsensitive?: boolean } = {}): boolean | null {
  const escape = options.escape === undefined ? '\\' : options.escape;
  if (text === null || pattern === null || escape === null) return null;
  const caseInsensitive = options.caseInsensitive ?? false;
  const { regexp, dangling } = compile(pattern, escape, caseInsensitive);
  const matched = regexp.test(caseInsensitive ? text.toLowerCase() : text);
  if (dangling && matched) throw new InvalidEscapeSequenceError('LIKE pattern must not end with escape character');
  return dangling ? false : matched;
}
