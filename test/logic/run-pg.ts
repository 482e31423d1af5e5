/**
 * `npm run test:pg [-- [--rewrite] [file.slt …]]`: runs the logic files (test/logic/testdata)
 * against a real PostgreSQL 15 started in a temp folder, and prints, per file, every record where
 * PostgreSQL disagrees with what the file expects. A disagreement listed in
 * test/logic/known-differences.md is printed as known; an unlisted one, or a listed one that no
 * longer happens, makes the exit status 1.
 *
 * `--rewrite` writes PostgreSQL's answers into the files instead (the oracle writes the golden
 * output; review the diff, then rangedb must agree or the difference must be listed).
 *
 * Built by `npm run test:pg` (tsc -p test/logic/tsconfig.json) and run from dist/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLogicFile } from './parse.js';
import { formatReport } from './report.js';
import { rewriteFile } from './run.js';
import { knownDifferences, logicFiles, runAndJudge, testdataDir } from './suite.js';
import { hasReferencePostgres, startReferencePostgres } from '../support/reference-postgres.js';

async function main(args: readonly string[]): Promise<number> {
  const rewrite = args.includes('--rewrite');
  const named = args.filter((arg) => !arg.startsWith('--'));
  const files = named.length > 0 ? named : logicFiles();
  if (!hasReferencePostgres()) {
    process.stderr.write('PostgreSQL 15 server binaries not found (set PG_BINDIR): cannot run the logic files against PostgreSQL\n');
    return 2;
  }
  const known = knownDifferences();
  const postgres = await startReferencePostgres();
  let bad = 0;
  try {
    const target = { name: 'postgresql', host: postgres.host, port: postgres.port, user: postgres.user } as const;
    for (const name of files) {
      const { report, outcomes } = await runAndJudge(name, target, known);
      process.stdout.write(`${formatReport(report)}\n`);
      if (rewrite) {
        const path = join(testdataDir, name);
        writeFileSync(path, rewriteFile(readLogicFile(path), outcomes));
      } else bad += report.failures.length + report.stale.length;
    }
  } finally {
    await postgres.stop();
  }
  process.stdout.write(bad === 0 ? 'PostgreSQL 15 agrees with every logic file (or differs as listed)\n' : `${bad} unlisted disagreement(s) with PostgreSQL 15\n`);
  return bad === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
