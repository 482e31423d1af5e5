/**
 * `like_regex`'s patterns: PostgreSQL compiles them when the path is parsed (a bad pattern is
 * 2201B at input) and matches unanchored with XQuery's flags mapped onto its regex engine —
 * `i` case-insensitive, `s` dot matches newline (off by default: REG_NLSTOP), `m` `^`/`$` at
 * line breaks, `q` the pattern is literal. Here the engine is JavaScript's RegExp through the
 * same translation the `~` operators use (sql/plan/expr/regex.ts), compiled by user-regex.ts.
 */
import { optionsRegex, translatePattern } from '../plan/expr/regex.js';
import { compileUserRegex } from '../plan/expr/user-regex.js';
import type { JsonPathRegexFlags } from './jsonpath-ast.js';

const compiledMax = 256;
const compiled = new Map<string, RegExp>();

/** Throws 2201B (PostgreSQL's wording) when `pattern` does not compile. */
export function checkJsonPathRegex(pattern: string, flags: JsonPathRegexFlags | undefined): void {
  optionsRegex(pattern, { caseInsensitive: flags?.caseInsensitive ?? false, newlineSensitive: false, global: false, quoted: flags?.quoted ?? false, expanded: false });
}

/** The RegExp of a `like_regex` predicate (cached). */
export function jsonPathRegex(pattern: string, flags: JsonPathRegexFlags | undefined): RegExp {
  const quoted = flags?.quoted ?? false;
  const userFlags = { caseInsensitive: flags?.caseInsensitive === true, dotAll: !quoted && flags?.dotAll === true, multiLine: !quoted && flags?.multiLine === true };
  const key = `${userFlags.caseInsensitive ? 'i' : ''}${userFlags.dotAll ? 's' : ''}${userFlags.multiLine ? 'm' : ''}/${quoted ? 'q' : ''}/${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    checkJsonPathRegex(pattern, flags);
    regex = compileUserRegex(quoted ? pattern.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&') : translatePattern(pattern), userFlags);
    if (compiled.size >= compiledMax) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, regex);
  }
  return regex;
}
