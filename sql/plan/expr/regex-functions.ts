/**
 * PostgreSQL 15's match-counting regular-expression functions (regexp.c) over regex.ts's
 * translation: `regexp_count`, `regexp_like`, `regexp_substr`, `regexp_instr`,
 * `regexp_split_to_array`, `regexp_replace`'s forms with a start (and N; the plain ones are
 * text-functions.ts's), and the values of the set-returning `regexp_matches` and
 * `regexp_split_to_table` (set-returning.ts and table-functions.ts make their rows).
 *
 * All of them walk the matches as PostgreSQL's setup_regexp_matches does: the search starts at
 * `start` (a 1-based character position), each next one at the end of the last match, one
 * character further after an empty match, and stops past the end of the string — so `a*` finds
 * `aaa` and then the empty match at the end. Positions are in characters (code points), not
 * JavaScript's UTF-16 units.
 */
import { SqlError } from '../../catalog/errors.js';
import type { Datum } from '../../types/datum.js';
import { arrayType, boolType, int4Type, textType } from '../../types/sql-type.js';
import type { FunctionOverload } from './function-overload.js';
import { optionsRegex, regexOptions } from './regex.js';
import { searchingRegex } from './user-regex.js';

/** One match: its span in UTF-16 units of the source and its groups (NULL where a group did not take part). */
interface RegexMatch {
  readonly start: number;
  readonly end: number;
  readonly groups: readonly (string | null)[];
  /** Each group's start in UTF-16 units (-1 where it did not take part); empty unless asked for (`withGroupStarts`). */
  readonly groupStarts: readonly number[];
}

const invalidParameter = (name: string, value: number): SqlError => new SqlError('22023', `invalid value for parameter "${name}": ${value}`);

/** The UTF-16 index of the 1-based character position `position` (past the end when the string is shorter). */
function unitIndexOf(source: string, position: number): number {
  let index = 0;
  for (let character = 1; character < position; character++) {
    if (index >= source.length) return source.length + 1;
    index += (source.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return index;
}

/** The 1-based character position of a UTF-16 index. */
function characterPosition(source: string, index: number): number {
  return [...source.slice(0, index)].length + 1;
}

/**
 * The matches of `pattern` in `source` from the UTF-16 index `from`, every one when `global`
 * (PostgreSQL's setup_regexp_matches without its split-only degenerate-match skipping).
 */
function* matchesOf(source: string, regex: RegExp, from: number, global: boolean, withGroupStarts = false): Generator<RegexMatch> {
  // Group positions (the `d` flag) only when asked: V8's linear-time engine refuses `d` (user-regex.ts).
  const searcher = searchingRegex(regex, withGroupStarts);
  let searchFrom = from;
  while (searchFrom <= source.length) {
    searcher.lastIndex = searchFrom;
    const found = searcher.exec(source);
    if (found === null) return;
    const start = found.index;
    const end = start + found[0].length;
    const groupStarts = withGroupStarts ? found.indices!.slice(1).map((span) => span?.[0] ?? -1) : [];
    yield { start, end, groups: found.slice(1).map((group) => group ?? null), groupStarts };
    if (!global) return;
    searchFrom = end === start ? end + ((source.codePointAt(end) ?? 0) > 0xffff ? 2 : 1) : end;
  }
}

interface MatchWalk {
  readonly source: string;
  readonly pattern: string;
  readonly start: number;
  readonly flags: string;
}

function walk(name: string, args: MatchWalk, withGroupStarts = false): Generator<RegexMatch> {
  if (args.start <= 0) throw invalidParameter('start', args.start);
  const options = regexOptions(args.flags, name, false);
  const regex = optionsRegex(args.pattern, options);
  return matchesOf(args.source, regex, unitIndexOf(args.source, args.start), true, withGroupStarts);
}

/** The `n`th match (1-based) of a walk, or undefined. */
function nthMatch(matches: Generator<RegexMatch>, n: number): RegexMatch | undefined {
  let seen = 0;
  for (const match of matches) if (++seen === n) return match;
  return undefined;
}

export function regexpCount(args: MatchWalk): number {
  let count = 0;
  for (const matches = walk('regexp_count', args); !matches.next().done; ) count++;
  return count;
}

export function regexpLike(source: string, pattern: string, flags: string): boolean {
  const options = regexOptions(flags, 'regexp_like', false);
  return optionsRegex(pattern, options).test(source);
}

/** regexp_substr: the `n`th match's text, or its group `subexpr`'s; NULL for no such match or group. */
export function regexpSubstr(args: MatchWalk, n: number, subexpr: number): string | null {
  if (n <= 0) throw invalidParameter('n', n);
  if (subexpr < 0) throw invalidParameter('subexpr', subexpr);
  const match = nthMatch(walk('regexp_substr', args), n);
  if (match === undefined) return null;
  if (subexpr === 0) return args.source.slice(match.start, match.end);
  return match.groups[subexpr - 1] ?? null;
}

/** regexp_instr: where the `n`th match (or its group `subexpr`) starts, or ends plus one with endoption 1; 0 for none. */
export function regexpInstr(args: MatchWalk, n: number, endOption: number, subexpr: number): number {
  if (n <= 0) throw invalidParameter('n', n);
  if (endOption !== 0 && endOption !== 1) throw invalidParameter('endoption', endOption);
  if (subexpr < 0) throw invalidParameter('subexpr', subexpr);
  const match = nthMatch(walk('regexp_instr', args, subexpr > 0), n);
  if (match === undefined) return 0;
  if (subexpr === 0) return characterPosition(args.source, endOption === 0 ? match.start : match.end);
  const group = match.groups[subexpr - 1];
  const groupStart = match.groupStarts[subexpr - 1];
  if (group === undefined || group === null || groupStart === undefined) return 0;
  return characterPosition(args.source, endOption === 0 ? groupStart : groupStart + group.length);
}

/**
 * regexp_matches' rows: per match a text[] of its groups (NULL for a group that did not take
 * part), or of the whole match when the pattern has no groups; every match with `g`.
 */
export function* regexpMatchesRows(source: string, pattern: string, flags: string): Generator<Datum> {
  const options = regexOptions(flags, 'regexp_matches', true);
  const regex = optionsRegex(pattern, options);
  for (const match of matchesOf(source, regex, 0, options.global)) {
    yield Object.freeze(match.groups.length > 0 ? [...match.groups] : [source.slice(match.start, match.end)]);
  }
}

/**
 * regexp_replace(source, pattern, replacement, start [, N [, flags]]): the `n`th match at or
 * after `start` replaced, or every one for N 0; without N, every one with `g` and else the
 * first (PostgreSQL's textregexreplace_extended).
 */
export function regexpReplaceFrom(source: string, pattern: string, replacement: string, start: number, n: number | undefined, flags: string): string {
  if (start <= 0) throw invalidParameter('start', start);
  if (n !== undefined && n < 0) throw invalidParameter('n', n);
  const options = regexOptions(flags, 'regexp_replace', true);
  const wanted = n ?? (options.global ? 0 : 1);
  const regex = optionsRegex(pattern, options);
  let out = '';
  let copied = 0;
  let seen = 0;
  for (const match of matchesOf(source, regex, unitIndexOf(source, start), true)) {
    seen++;
    if (wanted !== 0 && seen !== wanted) continue;
    out += source.slice(copied, match.start) + expandReplacement(replacement, source.slice(match.start, match.end), match.groups);
    copied = match.end;
    if (wanted !== 0) break;
  }
  return out + source.slice(copied);
}

/**
 * A replacement's text for one match (PostgreSQL's appendStringInfoRegexpSubstr): `\1`…`\9` a
 * group (nothing for one that did not take part or does not exist), `\&` the match, `\\` a
 * backslash; a backslash before anything else stays as written.
 */
function expandReplacement(replacement: string, whole: string, groups: readonly (string | null)[]): string {
  let out = '';
  for (let index = 0; index < replacement.length; index++) {
    const char = replacement[index]!;
    const next = replacement[index + 1];
    if (char !== '\\' || next === undefined) out += char;
    else if (next >= '1' && next <= '9') {
      out += groups[Number(next) - 1] ?? '';
      index++;
    } else if (next === '&' || next === '\\') {
      out += next === '&' ? whole : '\\';
      index++;
    } else out += char;
  }
  return out;
}

/**
 * The pieces of `source` between the matches of `pattern` (regexp_split_to_array / _to_table):
 * PostgreSQL ignores degenerate matches — empty ones at the end of the string, or ending where
 * the last match (taken or not) ended, which covers the start — so `''` splits between characters.
 */
export function regexpSplit(source: string, pattern: string, flags: string, name: string): string[] {
  const options = regexOptions(flags, name, false);
  const regex = optionsRegex(pattern, options);
  const pieces: string[] = [];
  let pieceStart = 0;
  let previousEnd = 0;
  for (const match of matchesOf(source, regex, 0, true)) {
    if (match.start < source.length && match.end > previousEnd) {
      pieces.push(source.slice(pieceStart, match.start));
      pieceStart = match.end;
    }
    previousEnd = match.end;
  }
  pieces.push(source.slice(pieceStart));
  return pieces;
}

/** The regexp_matches result type: one text[] per row. */
export const regexpMatchesType = arrayType(textType);

function strict(args: FunctionOverload['args'], result: FunctionOverload['result'], impl: FunctionOverload['impl']): FunctionOverload {
  return { args, result, strict: true, immutable: true, impl };
}

/** The scalar functions above, with PostgreSQL's optional trailing arguments as overloads. */
export function regexFunctions(): [string, readonly FunctionOverload[]][] {
  const t = textType;
  const i = int4Type;
  const at = (values: readonly Datum[], flagsIndex: number | undefined): MatchWalk => ({
    source: values[0] as string,
    pattern: values[1] as string,
    start: (values[2] as number | undefined) ?? 1,
    flags: flagsIndex === undefined ? '' : (values[flagsIndex] as string),
  });
  const int = (values: readonly Datum[], index: number, fallback: number): number => (values[index] as number | undefined) ?? fallback;
  return [
    ['regexp_count', [strict([t, t], i, (v) => regexpCount(at(v, undefined))), strict([t, t, i], i, (v) => regexpCount(at(v, undefined))), strict([t, t, i, t], i, (v) => regexpCount(at(v, 3)))]],
    [
      'regexp_split_to_array',
      [
        strict([t, t], arrayType(t), ([s, p]) => regexpSplit(s as string, p as string, '', 'regexp_split_to_array')),
        strict([t, t, t], arrayType(t), ([s, p, f]) => regexpSplit(s as string, p as string, f as string, 'regexp_split_to_array')),
      ],
    ],
    [
      'regexp_replace',
      [
        strict([t, t, t, i], t, ([s, p, r, start]) => regexpReplaceFrom(s as string, p as string, r as string, start as number, undefined, '')),
        strict([t, t, t, i, i], t, ([s, p, r, start, n]) => regexpReplaceFrom(s as string, p as string, r as string, start as number, n as number, '')),
        strict([t, t, t, i, i, t], t, ([s, p, r, start, n, f]) => regexpReplaceFrom(s as string, p as string, r as string, start as number, n as number, f as string)),
      ],
    ],
    ['regexp_like', [strict([t, t], boolType, ([s, p]) => regexpLike(s as string, p as string, '')), strict([t, t, t], boolType, ([s, p, f]) => regexpLike(s as string, p as string, f as string))]],
    [
      'regexp_substr',
      [
        strict([t, t], t, (v) => regexpSubstr(at(v, undefined), 1, 0)),
        strict([t, t, i], t, (v) => regexpSubstr(at(v, undefined), 1, 0)),
        strict([t, t, i, i], t, (v) => regexpSubstr(at(v, undefined), int(v, 3, 1), 0)),
        strict([t, t, i, i, t], t, (v) => regexpSubstr(at(v, 4), int(v, 3, 1), 0)),
        strict([t, t, i, i, t, i], t, (v) => regexpSubstr(at(v, 4), int(v, 3, 1), int(v, 5, 0))),
      ],
    ],
    [
      'regexp_instr',
      [
        strict([t, t], i, (v) => regexpInstr(at(v, undefined), 1, 0, 0)),
        strict([t, t, i], i, (v) => regexpInstr(at(v, undefined), 1, 0, 0)),
        strict([t, t, i, i], i, (v) => regexpInstr(at(v, undefined), int(v, 3, 1), 0, 0)),
        strict([t, t, i, i, i], i, (v) => regexpInstr(at(v, undefined), int(v, 3, 1), int(v, 4, 0), 0)),
        strict([t, t, i, i, i, t], i, (v) => regexpInstr(at(v, 5), int(v, 3, 1), int(v, 4, 0), 0)),
        strict([t, t, i, i, i, t, i], i, (v) => regexpInstr(at(v, 5), int(v, 3, 1), int(v, 4, 0), int(v, 6, 0))),
      ],
    ],
  ];
}
