/**
 * The one place a client's regular expression becomes a RegExp: the `~` operators, SIMILAR TO,
 * the regexp_* functions (regex.ts, regex-functions.ts, text-functions.ts) and jsonpath's
 * like_regex (types/jsonpath-regex.ts) all compile here.
 *
 * Why one place: JavaScript's RegExp backtracks, and it runs synchronously on the node's only
 * thread. `'aaaaaaaaaaaaaaaaaaaaaaaaaa!' ~ '(a+)+$'` would take seconds (doubling per `a`) while
 * every session, Raft tick, heartbeat and lock-wait timer waits, and statement_timeout cannot
 * interrupt it. PostgreSQL's engine answers at once. So the first import of this module turns on
 * V8's linear-time fallback (`--enable-experimental-regexp-engine-on-excessive-backtracks`):
 * a match that backtracks more than V8's limit is re-run by an automaton-based engine, linear in
 * the input. V8 reads the flag at match time, so setting it here, before any client pattern is
 * compiled, covers them all.
 *
 * The fallback takes only what the linear engine supports: flags `g`, `y`, `m`, `s` (not `i`,
 * `u`, `d`), no backreferences, no lookarounds. Hence:
 *  - case-insensitive matching is a rewritten pattern (case-expansion.ts), not the `i` flag;
 *  - match positions of groups (the `d` flag) are asked for only by regexp_instr's subexpr;
 *  - regex.ts translates ARE's `\m` / `\M` to a plain `\b` where the next / previous atom is a
 *    word character, a lookaround only where it is not.
 * RESIDUAL RISK: a pattern with a backreference (`(a+)+\1`), a lookaround (`(?=`, `(?<=`, `\m`
 * before a non-word atom), one the case rewrite refuses (see case-expansion.ts; then `i` is
 * used), or regexp_instr with a subexpr can still backtrack exponentially on a crafted input.
 * No input-length bound helps (26 characters already take seconds), so none is imposed; moving
 * such matches off the event loop (a worker with a deadline) is the remaining fix.
 */
import { setFlagsFromString } from 'node:v8';
import { caseExpanded } from './case-expansion.js';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/** How a client pattern matches. */
export interface UserRegexFlags {
  readonly caseInsensitive: boolean;
  /** `.` matches a newline (JavaScript's `s`). */
  readonly dotAll: boolean;
  /** `^` and `$` at line breaks (JavaScript's `m`). */
  readonly multiLine: boolean;
}

/**
 * `source` (JavaScript regex syntax, non-Unicode) compiled; throws the RegExp constructor's
 * SyntaxError for a bad pattern (callers map it to 2201B).
 */
export function compileUserRegex(source: string, flags: UserRegexFlags): RegExp {
  const jsFlags = `${flags.dotAll ? 's' : ''}${flags.multiLine ? 'm' : ''}`;
  if (!flags.caseInsensitive) return new RegExp(source, jsFlags);
  const expanded = caseExpanded(source);
  if (expanded !== undefined) {
    try {
      return new RegExp(expanded, jsFlags);
    } catch {
      // The original's own error (or its `i` compile) is what the client sees.
    }
  }
  return new RegExp(source, `i${jsFlags}`);
}

/** `regex` (from compileUserRegex) searching every match (`g`), with group positions too when `indices` (`d`). */
export function searchingRegex(regex: RegExp, indices: boolean): RegExp {
  return new RegExp(regex.source, `${regex.flags.replace(/[gd]/g, '')}${indices ? 'd' : ''}g`);
}
