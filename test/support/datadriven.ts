/**
 * Golden "datadriven" test files in the style of etcd-io/raft and CockroachDB:
 *
 *     # A header saying what the scenario is about.
 *
 *     run ok
 *     put k=a v=1 ts=10
 *     get k=a ts=11
 *     ----
 *     get: "a" -> "1" @10
 *
 * A case is a directive line (`run ok`), optional further input lines, a `----` separator and
 * the expected output, which ends at the first blank line. Lines starting with `#` between cases
 * are comments. `REWRITE=1 npx vitest run <file>` rewrites every expected output with what the
 * code produced; review the diff before committing it.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface TestCase {
  /** The directive, e.g. `run ok`. */
  readonly directive: string;
  /** The input lines after the directive. */
  readonly input: readonly string[];
  readonly expected: string;
  /** 1-based line of the directive, for messages. */
  readonly line: number;
}

interface ParsedFile {
  readonly cases: TestCase[];
  /** The file split into its parts, to rewrite expected outputs in place. */
  readonly parts: ({ kind: 'text'; text: string } | { kind: 'expected'; index: number })[];
}

export function parseDataDriven(text: string): ParsedFile {
  const lines = text.split('\n');
  const cases: TestCase[] = [];
  const parts: ParsedFile['parts'] = [];
  let pending: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      pending.push(line);
      i++;
      continue;
    }
    const start = i;
    const directive = line.trim();
    const input: string[] = [];
    i++;
    while (i < lines.length && lines[i] !== '----') {
      if (lines[i]!.trim() === '') throw new Error(`line ${i + 1}: blank line inside the input of the case at line ${start + 1}`);
      input.push(lines[i]!.trim());
      i++;
    }
    if (i >= lines.length) throw new Error(`line ${start + 1}: case without a ---- separator`);
    pending.push(...lines.slice(start, i + 1));
    parts.push({ kind: 'text', text: pending.join('\n') });
    pending = [];
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!);
    parts.push({ kind: 'expected', index: cases.length });
    cases.push({ directive, input, expected: expected.join('\n'), line: start + 1 });
  }
  parts.push({ kind: 'text', text: pending.join('\n') });
  return { cases, parts };
}

export const rewriting = process.env['REWRITE'] === '1';

/**
 * Runs every case of the file through `handler` and returns, per case, the actual and expected
 * output. With REWRITE=1 the file is rewritten with the actual outputs first.
 */
export async function runDataDrivenFile(
  path: string,
  handler: (testCase: TestCase) => Promise<string>,
): Promise<{ testCase: TestCase; actual: string }[]> {
  const parsed = parseDataDriven(readFileSync(path, 'utf8'));
  const results: { testCase: TestCase; actual: string }[] = [];
  for (const testCase of parsed.cases) {
    const actual = (await handler(testCase)).trimEnd();
    results.push({ testCase, actual: actual === '' ? '<empty>' : actual });
  }
  if (rewriting) {
    const text = parsed.parts
      .map((part) => (part.kind === 'text' ? part.text : results[part.index]!.actual))
      .join('\n');
    writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
  }
  return results;
}

/** A parsed input line: `cmd k=v k=(a,b) flag`. */
export interface Command {
  readonly name: string;
  readonly args: ReadonlyMap<string, string>;
  readonly text: string;
}

export function parseCommand(line: string): Command {
  const tokens = line.match(/(?:[^\s"(]+|"[^"]*"|\([^)]*\))+/g) ?? [];
  const [name, ...rest] = tokens;
  if (name === undefined) throw new Error(`empty command: ${line}`);
  const args = new Map<string, string>();
  for (const token of rest) {
    const eq = token.indexOf('=');
    if (eq === -1) args.set(token, '');
    else args.set(token.slice(0, eq), unquote(token.slice(eq + 1)));
  }
  return { name, args, text: line };
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
