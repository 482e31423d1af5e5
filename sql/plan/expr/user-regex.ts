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
 * the input. The flag is process-wide and V8 consults it when it compiles a pattern's matcher
 * (lazily, at its first matches), so setting it at the first import of the one module every
 * client pattern compiles through covers them all (the server's own fixed patterns too).
 *
 * The fallback takes only what the linear engine supports: flags `g`, `y`, `m`, `s` (not `i`,
 * `u`, `d`), no backreferences, no lookarounds. Hence:
 *  - case-insensitive matching is a rewritten pattern (case-expansion.ts), not the `i` flag;
 *  - match positions of groups (the `d` flag) are asked for only by regexp_instr's subexpr;
 *  - regex.ts translates ARE's `\m` / `\M` to a plain `\b` where the next / previous atom is a
 *    word character, a lookaround only where it is not.
 * RESIDUAL RISK (still exponential on a crafted input, still blocking the node): a pattern with
 * a backreference (`^(a+)+\1$`), a lookaround (`(a+)+(?=$)`; `\m` / `\M` next to a group, a
 * bracket or a quantifier: `(a+)+\M`), one the case rewrite refuses (a legacy octal escape or
 * `\c` under `~*`: then the `i` flag is used), and regexp_instr with a subexpr. PostgreSQL 15
 * answers all of these at once (`repeat('a', 20000) || '!' ~ '^(a+)+\1$'` in 3 ms). No input
 * length bound helps (26 characters already take seconds), so none is imposed. The remaining
 * fix is to run such patterns where they can be stopped: a worker thread with a deadline, or an
 * engine of our own for backreferences and lookarounds.
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
