/**
 * `npm run fuzz:sql -- [--seeds N] [--seed S] [--queries Q] [--no-tlp] [--timeout-ms T]`: the
 * random query generator against a rangedb node started in this process and a PostgreSQL 15
 * started in a temp folder. Seeds S, S+1, … S+N-1 (default: 1 seed from 1, 200 queries each).
 * Prints progress per seed and every mismatch with its seed, schema, query (minimised when
 * possible) and both answers, and writes a file per mismatch that replays it in psql
 * (schema, data and query) under $TMPDIR. Exit status 1 when any mismatch was found.
 *
 * Built by `npm run fuzz:sql` (tsc -p test/fuzz/tsconfig.json) and run from dist/.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSqlNode } from '../e2e/sql-support.js';
import { hasReferencePostgres, startReferencePostgres } from '../support/reference-postgres.js';
import { formatMismatch, runSeed, type SeedReport } from './fuzz.js';

interface Arguments {
  readonly seeds: number;
  readonly first: number;
  readonly queries: number;
  readonly tlp: boolean;
  readonly timeoutMs: number;
}

function parseArguments(args: readonly string[]): Arguments {
  const value = (name: string, fallback: number): number => {
    const index = args.indexOf(name);
    if (index < 0) return fallback;
    const parsed = Number(args[index + 1]);
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} needs a non-negative integer`);
    return parsed;
  };
  const known = new Set(['--seeds', '--seed', '--queries', '--timeout-ms', '--no-tlp']);
  args.forEach((arg, i) => {
    if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg} (known: ${[...known].join(', ')})`);
    if (!arg.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--') || args[i - 1] === '--no-tlp')) throw new Error(`unexpected argument ${arg}`);
  });
  return { seeds: value('--seeds', 1), first: value('--seed', 1), queries: value('--queries', 200), tlp: !args.includes('--no-tlp'), timeoutMs: value('--timeout-ms', 20_000) };
}

function summary(report: SeedReport): string {
  const unsupported = [...report.unsupported.values()].reduce((a, b) => a + b, 0);
  return `seed ${report.seed}: ${report.queries} queries, ${report.agreed} agreed, ${report.bothErrored} both errored, ${unsupported} unsupported (0A000), ${report.timedOut} timed out, ${report.tlpChecked} TLP checks, ${report.mismatches.length} mismatch(es)`;
}

async function main(args: readonly string[]): Promise<number> {
  const options = parseArguments(args);
  if (!hasReferencePostgres()) {
    process.stderr.write('PostgreSQL 15 server binaries not found (set PG_BINDIR): cannot compare with PostgreSQL\n');
    return 2;
  }
  const [node, postgres] = await Promise.all([startSqlNode(), startReferencePostgres()]);
  const outDir = mkdtempSync(join(tmpdir(), 'rangedb-fuzz-'));
  const unsupported = new Map<string, number>();
  let mismatches = 0;
  try {
    const servers = {
      rangedb: { name: 'rangedb', host: 'localhost', port: node.port, user: 'root' },
      postgres: { name: 'postgresql', host: postgres.host, port: postgres.port, user: postgres.user },
    } as const;
    for (let seed = options.first; seed < options.first + options.seeds; seed++) {
      const report = await runSeed(servers, {
        seed,
        queries: options.queries,
        tlp: options.tlp,
        statementTimeoutMs: options.timeoutMs,
        onQuery: (index) => {
          if ((index + 1) % 50 === 0 && process.stderr.isTTY) process.stderr.write(`  seed ${seed}: ${index + 1}/${options.queries}\r`);
        },
      });
      process.stdout.write(`${summary(report)}\n`);
      for (const [message, count] of report.unsupported) unsupported.set(message, (unsupported.get(message) ?? 0) + count);
      report.mismatches.forEach((mismatch, i) => {
        mismatches++;
        const path = join(outDir, `seed-${seed}-${i}.sql`);
        const query = mismatch.minimised ?? mismatch.sql;
        writeFileSync(path, [...report.schema.ddl, ...report.schema.inserts, query].map((sql) => `${sql};`).join('\n') + '\n');
        process.stdout.write(`${formatMismatch(mismatch, report.schema)}\n--- replay: psql -f ${path}\n\n`);
      });
    }
  } finally {
    await Promise.all([node.stop(), postgres.stop()]);
  }
  if (unsupported.size > 0) {
    process.stdout.write('unsupported by rangedb (0A000, skipped):\n');
    for (const [message, count] of [...unsupported].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${count} × ${message}\n`);
  }
  process.stdout.write(mismatches === 0 ? 'no mismatches\n' : `${mismatches} mismatch(es); replay files in ${outDir}\n`);
  return mismatches === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
