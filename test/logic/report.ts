/**
 * One logic file's run, judged against the known differences: what failed (unlisted), what
 * differed as listed, and which listed differences no longer differ — each as readable text with
 * the file and line, the SQL, and the expected and actual results.
 */
import { knownDifference, staleDifferences, type KnownDifference } from './known.js';
import type { Outcome, TargetName } from './run.js';

export interface FileReport {
  readonly path: string;
  readonly target: TargetName;
  readonly records: number;
  /** Unlisted disagreements: each one fails the run. */
  readonly failures: readonly string[];
  /** Disagreements listed in the known-differences file. */
  readonly known: readonly string[];
  /** Listed differences that did not occur: each one fails the run too. */
  readonly stale: readonly string[];
}

function indent(text: string): string {
  return text === '' ? '    (nothing)' : text.split('\n').map((line) => `    ${line}`).join('\n');
}

export function describeOutcome(path: string, outcome: Outcome): string {
  return [`${path}:${outcome.record.line}:`, indent(outcome.record.sql), '  expected:', indent(outcome.expected), '  actual:', indent(outcome.actual)].join('\n');
}

export function judge(path: string, outcomes: readonly Outcome[], known: readonly KnownDifference[], target: TargetName): FileReport {
  const failures: string[] = [];
  const listed: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.passed) continue;
    const entry = knownDifference(known, path, outcome, target);
    if (entry === undefined) failures.push(describeOutcome(path, outcome));
    else listed.push(`${path}:${outcome.record.line}: known difference (known-differences.md:${entry.line}): ${entry.reason}`);
  }
  const stale = staleDifferences(known, path, outcomes, target).map(
    (entry) => `known-differences.md:${entry.line}: \`${entry.sql}\` is listed as a difference on ${target}, but ${target} now does what the file expects: remove the entry`,
  );
  return { path, target, records: outcomes.length, failures, known: listed, stale };
}

/** The report as text: nothing but a summary line when all is well. */
export function formatReport(report: FileReport): string {
  const summary = `${report.path} on ${report.target}: ${report.records} records, ${report.failures.length} failed, ${report.known.length} known differences, ${report.stale.length} stale entries`;
  return [summary, ...report.failures, ...report.known, ...report.stale].join('\n');
}
