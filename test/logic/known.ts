/**
 * The known-differences file (test/logic/known-differences.md): every place where a server does
 * not do what a logic file expects, on purpose or for now, with the reason. A run consults it, so
 * a listed difference is reported as known rather than as a failure; a listed difference that no
 * longer differs fails the run too, so the list cannot go stale.
 *
 * Format (markdown, read by `parseKnownDifferences`):
 *
 *     ## types.slt
 *
 *     ### `SELECT 1.5::float4`
 *     - on: postgresql
 *     - reason: why the two disagree, and what would remove the difference.
 *
 * `## <file>` names the logic file, `### \`<sql>\`` the record by its SQL (whitespace collapsed,
 * so a multi-line statement is written on one line), `on:` the server that disagrees with the
 * file (`rangedb`, `postgresql` or `both`), and `reason:` is required.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Outcome, TargetName } from './run.js';

export interface KnownDifference {
  readonly file: string;
  readonly sql: string;
  readonly on: TargetName | 'both';
  readonly reason: string;
  /** 1-based line of the entry's `###` heading. */
  readonly line: number;
}

export function normalizeSql(sql: string): string {
  return sql.trim().replace(/\s+/g, ' ');
}

export function readKnownDifferences(path: string): KnownDifference[] {
  return parseKnownDifferences(path, readFileSync(path, 'utf8'));
}

export function parseKnownDifferences(path: string, text: string): KnownDifference[] {
  const entries: KnownDifference[] = [];
  let file: string | undefined;
  let pending: { sql: string; line: number; on?: string; reason?: string } | undefined;
  const finish = (): void => {
    if (pending === undefined) return;
    const { sql, line, on, reason } = pending;
    if (on !== 'rangedb' && on !== 'postgresql' && on !== 'both') throw new Error(`${path}:${line}: an entry needs "- on: rangedb | postgresql | both"`);
    if (reason === undefined || reason === '') throw new Error(`${path}:${line}: an entry needs "- reason: …"`);
    entries.push({ file: file!, sql, on, reason, line });
    pending = undefined;
  };
  text.split('\n').forEach((line, index) => {
    const fileHeading = /^## (\S+)\s*$/.exec(line);
    const entryHeading = /^### `(.+)`\s*$/.exec(line);
    const field = /^- (on|reason): (.*)$/.exec(line);
    if (fileHeading !== null) {
      finish();
      file = fileHeading[1]!;
    } else if (entryHeading !== null) {
      finish();
      if (file === undefined) throw new Error(`${path}:${index + 1}: an entry before any "## <file>" heading`);
      pending = { sql: normalizeSql(entryHeading[1]!), line: index + 1 };
    } else if (field !== null && pending !== undefined) {
      pending[field[1] as 'on' | 'reason'] = field[2]!.trim();
    } else if (pending?.reason !== undefined && line.trim() !== '' && !line.startsWith('#')) {
      pending.reason += ` ${line.trim()}`; // a reason continued on the next lines
    }
  });
  finish();
  return entries;
}

/** The entry that lists this outcome's record as a difference on `target`, if any. */
export function knownDifference(known: readonly KnownDifference[], path: string, outcome: Outcome, target: TargetName): KnownDifference | undefined {
  const file = basename(path);
  const sql = normalizeSql(outcome.record.sql);
  return known.find((entry) => entry.file === file && entry.sql === sql && (entry.on === target || entry.on === 'both'));
}

/** The entries for `target` in `path` that match no failing outcome: listed, but no longer different. */
export function staleDifferences(known: readonly KnownDifference[], path: string, outcomes: readonly Outcome[], target: TargetName): KnownDifference[] {
  const file = basename(path);
  const failing = new Set(outcomes.filter((outcome) => !outcome.passed).map((outcome) => normalizeSql(outcome.record.sql)));
  return known.filter((entry) => entry.file === file && (entry.on === target || entry.on === 'both') && !failing.has(entry.sql));
}
