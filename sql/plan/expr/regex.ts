/**
 * PostgreSQL's POSIX regular-expression match operators (`~`, `~*`, `!~`, `!~*`) over
 * JavaScript's `RegExp`. PostgreSQL's ARE flavour and JavaScript's agree on what psql and most
 * applications write (anchors, groups, alternation, classes, quantifiers, `\d`, `\s`, `\w`); the
 * translation adds the POSIX bracket classes (`[[:alpha:]]`) and ARE's word-boundary escapes
 * (`\m`, `\M`, `\y`, `\Y`). Anything JavaScript rejects is SQLSTATE 2201B, as PostgreSQL does
 * for a pattern it cannot compile.
 *
 * PostgreSQL's default is not newline-sensitive: `.` matches a newline and `^` / `$` anchor
 * only at the ends of the string — JavaScript's `s` (dotAll) flag without `m`. The `n` option
 * (`m`, its synonym) makes it newline-sensitive: JavaScript's `m` without `s`.
 *
 * Compiled patterns are cached (a bounded map): a WHERE clause matches one pattern against
 * every row. Every pattern compiles through user-regex.ts, which keeps a hostile one from
 * backtracking the node to a halt (and says what still can).
 */
import { SqlError } from '../../catalog/errors.js';
import { compileUserRegex } from './user-regex.js';

/** Most compiled patterns kept; the oldest is dropped past it. */
const regexCacheEntriesMax = 256;
const cache = new Map<string, RegExp>();

const posixClasses: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

/**
 * `\m` (start of a word) and `\M` (end of a word) as JavaScript. Where the next atom (for `\m`)
 * or the previous one (for `\M`) is a word character that must be there — a literal letter,
 * digit or `_`, or `\w` / `\d`, not made optional by `?`, `*` or `{0` — a plain `\b` means the
 * same and keeps the pattern fit for the linear engine (user-regex.ts); elsewhere a lookaround.
 */
function wordEdges(pattern: string): string {
  const tokens = patternTokens(pattern);
  const sureWordChar = (at: number): boolean => {
    const token = tokens[at];
    const after = tokens[at + 1] ?? '';
    return token !== undefined && /^(?:[A-Za-z0-9_]|\\[wd])$/.test(token) && after !== '?' && after !== '*' && !after.startsWith('{0');
  };
  let out = '';
  for (let at = 0; at < tokens.length; at++) {
    const token = tokens[at]!;
    if (token === '\\m') out += sureWordChar(at + 1) ? '\\b' : '\\b(?=\\w)';
    else if (token === '\\M') out += sureWordChar(at - 1) ? '\\b' : '\\b(?<=\\w)';
    else out += token;
  }
  return out;
}

/**
 * `pattern` cut into escapes (with all their digits: `\x2a` is one token, never a word
 * character `a`), `{...}` bounds and single characters.
 */
function patternTokens(pattern: string): string[] {
  return pattern.match(/\\(?:[xuU][0-9a-fA-F]*|c[\s\S]|[0-9]+|[\s\S])|\{[0-9,]*\}|[\s\S]/g) ?? [];
}

/** The JavaScript source of a PostgreSQL ARE pattern. */
export function translatePattern(pattern: string): string {
  return wordEdges(pattern.replace(/\[:([a-z]+):\]/g, (whole, name: string) => posixClasses[name] ?? whole))
    .replace(/\\y/g, '\\b')
    .replace(/\\Y/g, '\\B');
}

/** The options of a regexp_* function's flags argument that rangedb applies. */
export interface RegexOptions {
  readonly caseInsensitive: boolean;
  readonly newlineSensitive: boolean;
  /** `g`: every match, not the first (refused by the functions that take no `g`). */
  readonly global: boolean;
  /** `q`: the pattern is a literal string. */
  readonly quoted: boolean;
  /** `x`: expanded syntax — blanks and `#` comments outside brackets are not part of the pattern. */
  readonly expanded: boolean;
}

/**
 * The flags argument of the regexp_* functions (PostgreSQL's parse_re_flags): `i` / `c` case,
 * `n` / `m` newline-sensitive and `s` not, `q` literal, `x` expanded and `t` tight (the default),
 * `g` global where `globalAllowed` (otherwise 22023 as `name() does not support the "global"
 * option`). The other ARE options (`b`, `e`, `p`, `w`) are 22023 here (not implemented), as an
 * unknown one is in PostgreSQL.
 */
export function regexOptions(flags: string, name: string, globalAllowed: boolean, hint?: string): RegexOptions {
  let caseInsensitive = false;
  let newlineSensitive = false;
  let global = false;
  let quoted = false;
  let expanded = false;
  for (const flag of flags) {
    if (flag === 'i' || flag === 'c') caseInsensitive = flag === 'i';
    else if (flag === 'n' || flag === 'm' || flag === 's') newlineSensitive = flag !== 's';
    else if (flag === 'g') global = true;
    else if (flag === 'q') quoted = true;
    else if (flag === 'x' || flag === 't') expanded = flag === 'x';
    else throw new SqlError('22023', `invalid regular expression option: "${flag}"`);
  }
  if (global && !globalAllowed) throw new SqlError('22023', `${name}() does not support the "global" option`, hint === undefined ? {} : { hint });
  return { caseInsensitive, newlineSensitive, global, quoted, expanded };
}

/** The pattern of a regexp_* function compiled with its options (cached), or 2201B. */
export function optionsRegex(pattern: string, options: RegexOptions): RegExp {
  if (options.quoted && options.expanded) throw new SqlError('2201B', 'invalid regular expression: invalid argument to regex function');
  if (options.quoted) return compiled(pattern.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), options.caseInsensitive, options.newlineSensitive, false);
  return compiled(options.expanded ? withoutExpandedBlanks(pattern) : pattern, options.caseInsensitive, options.newlineSensitive);
}

/**
 * An expanded-syntax pattern (`x`) as a tight one: blanks and `#` comments (to the end of the
 * line) dropped outside bracket expressions; an escaped blank or `#` stays, as its escape.
 */
function withoutExpandedBlanks(pattern: string): string {
  let out = '';
  let inBracket = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\' && index + 1 < pattern.length) {
      out += char + pattern[++index]!;
    } else if (inBracket) {
      if (char === ']') inBracket = false;
      out += char;
    } else if (char === '[') {
      inBracket = true;
      out += char;
      if (pattern[index + 1] === '^') out += pattern[++index]!;
      if (pattern[index + 1] === ']') out += pattern[++index]!;
    } else if (char === '#') {
      while (index + 1 < pattern.length && pattern[index + 1] !== '\n') index++;
    } else if (!/\s/.test(char)) out += char;
  }
  return out;
}

/** `pattern` compiled (cached); `translate` false for JavaScript source already (a quoted pattern). */
function compiled(pattern: string, caseInsensitive: boolean, newlineSensitive = false, translate = true): RegExp {
  const flags = `${caseInsensitive ? 'i' : ''}${newlineSensitive ? 'm' : 's'}`;
  const key = `${flags}${translate ? '/' : '='}${pattern}`;
  let regex = cache.get(key);
  if (regex !== undefined) return regex;
  try {
    regex = compileUserRegex(translate ? translatePattern(pattern) : pattern, { caseInsensitive, dotAll: !newlineSensitive, multiLine: newlineSensitive });
  } catch (error) {
    throw new SqlError('2201B', `invalid regular expression: ${regexErrorText((error as Error).message)}`);
  }
  if (cache.size >= regexCacheEntriesMax) cache.delete(cache.keys().next().value!);
  cache.set(key, regex);
  return regex;
}

/** PostgreSQL's wording (regerror) for what JavaScript's RegExp reports, where the two agree on the fault. */
function regexErrorText(message: string): string {
  if (/Unterminated group|Unmatched '\)'/.test(message)) return 'parentheses () not balanced';
  if (/Unterminated character class/.test(message)) return 'brackets [] not balanced';
  if (/Nothing to repeat/.test(message)) return 'quantifier operand invalid';
  if (/\\ at end of pattern/.test(message)) return 'invalid escape \\ sequence';
  return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
}

/** Whether `text` matches `pattern` anywhere (unanchored, as PostgreSQL's `~`). */
export function regexMatch(text: string, pattern: string, caseInsensitive: boolean): boolean {
  return compiled(pattern, caseInsensitive).test(text);
}

/**
 * A SIMILAR TO pattern as a regular expression (PostgreSQL's similar_to_escape): anchored at
 * both ends, `%` any string, `_` any character, `(` a non-capturing group, `.`, `^`, `$` and a
 * backslash literal, bracket expressions copied, and the escape character (default `\`) making
 * the next character literal. The escape-double-quote substring markers are refused (0A000).
 */
export function similarToRegex(pattern: string, escape: string | null): string {
  if (escape !== null && [...escape].length > 1) throw new SqlError('2201V', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  let out = '^(?:';
  let afterEscape = false;
  let inBracket = false;
  let bracketStart = false;
  for (const char of pattern) {
    if (afterEscape) {
      if (char === '"' && !inBracket) throw new SqlError('0A000', 'SIMILAR TO with substring markers is not supported yet');
      out += /[a-zA-Z0-9]/.test(char) ? char : `\\${char}`;
      afterEscape = false;
    } else if (escape !== null && escape !== '' && char === escape) {
      afterEscape = true;
    } else if (inBracket) {
      if (char === ']' && !bracketStart) inBracket = false;
      bracketStart = bracketStart && char === '^';
      out += char === '\\' ? '\\\\' : char;
    } else if (char === '[') {
      inBracket = true;
      bracketStart = true;
      out += char;
    } else if (char === '%') out += '.*';
    else if (char === '_') out += '.';
    else if (char === '(') out += '(?:';
    else if (char === '\\' || char === '.' || char === '^' || char === '$') out += `\\${char}`;
    else out += char;
  }
  return `${out})$`;
}
