// The random query generator (test/fuzz) on a fixed set of seeds: each seed's schema, data and
// queries run on a rangedb node and on a PostgreSQL 15 started in a temp folder, and every
// answer must agree (or rangedb must refuse with 0A000, counted); the TLP oracle checks plain
// SELECTs on rangedb alone. `npm run fuzz:sql -- --seeds N` runs more seeds from the command line.
//
// In CI (env CI set) missing PostgreSQL 15 binaries fail the test; elsewhere it is skipped, as in
// test/logic/logic.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from '../e2e/sql-support.js';
import { hasReferencePostgres, startReferencePostgres, type ReferencePostgres } from '../support/reference-postgres.js';
import { formatMismatch, runSeed } from './fuzz.js';
import { Prng } from './prng.js';
import { QueryGenerator, renderQuery } from './query.js';
import { generateSchema } from './schema.js';

/** The seeds CI runs: 60 queries in all (schema setup is ~4 s a seed); `npm run fuzz:sql` runs more. */
const ciSeeds = [1, 2];
const queriesPerSeed = 30;
/** Short: a correlated subquery under a cross join runs once per row on rangedb and can take seconds; a timeout is counted, not failed. */
const statementTimeoutMs = 3_000;
const postgresInstalled = hasReferencePostgres();

describe('the generator', () => {
  it('is deterministic: one seed, one schema and one query sequence', () => {
    const sequence = (seed: number): string[] => {
      const rng = new Prng(seed);
      const schema = generateSchema(rng);
      const generator = new QueryGenerator(rng, schema);
      return [...schema.ddl, ...schema.inserts, ...Array.from({ length: 30 }, () => renderQuery(generator.query()))];
    };
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
  });

  it('makes 2–4 tables with keys, indexes, NULLs and duplicates', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const schema = generateSchema(new Prng(seed));
      expect(schema.tables.length).toBeGreaterThanOrEqual(2);
      expect(schema.tables.length).toBeLessThanOrEqual(4);
      expect(schema.inserts.some((sql) => sql.includes('NULL'))).toBe(true);
    }
    const all = Array.from({ length: 20 }, (_, i) => generateSchema(new Prng(i + 1)).ddl).flat();
    expect(all.some((sql) => sql.startsWith('CREATE UNIQUE INDEX'))).toBe(true);
    expect(all.some((sql) => sql.startsWith('CREATE INDEX'))).toBe(true);
    expect(all.some((sql) => sql.includes('PRIMARY KEY (k1, k2)'))).toBe(true);
  });

  it('covers joins, grouping, subqueries, set operations and CTEs', () => {
    const rng = new Prng(42);
    const generator = new QueryGenerator(rng, generateSchema(rng));
    const text = Array.from({ length: 300 }, () => renderQuery(generator.query())).join('\n');
    for (const feature of ['LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN', 'GROUP BY', 'HAVING', 'DISTINCT', 'EXISTS', ' IN (SELECT', 'UNION', 'INTERSECT', 'EXCEPT', 'WITH ', 'LIMIT', 'CASE ', 'COALESCE', 'LIKE', 'BETWEEN', 'IS NULL', 'USING (', '(VALUES ', 'FILTER (WHERE', 'ANY (ARRAY[']) {
      expect(text, feature).toContain(feature);
    }
  });
});

describe('rangedb against PostgreSQL 15 on random queries', () => {
  it('has PostgreSQL 15 where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(postgresInstalled, 'PostgreSQL 15 server binaries (PG_BINDIR or /usr/lib/postgresql/15/bin)').toBe(true);
  });

  describe.runIf(postgresInstalled)('seeds', () => {
    let node: SqlNode;
    let postgres: ReferencePostgres;
    beforeAll(async () => {
      [node, postgres] = await Promise.all([startSqlNode(), startReferencePostgres()]);
    }, 120_000);
    afterAll(async () => {
      await Promise.all([node?.stop(), postgres?.stop()]);
    });

    it.each(ciSeeds)('seed %i', async (seed) => {
      const report = await runSeed(
        {
          rangedb: { name: 'rangedb', host: 'localhost', port: node.port, user: 'root' },
          postgres: { name: 'postgresql', host: postgres.host, port: postgres.port, user: postgres.user },
        },
        { seed, queries: queriesPerSeed, tlp: true, statementTimeoutMs },
      );
      expect(report.queries).toBe(queriesPerSeed);
      // Most queries must be compared, not skipped: a generator that only produced refused SQL would prove nothing.
      expect(report.agreed + report.mismatches.length).toBeGreaterThan(queriesPerSeed * 0.6);
      expect(report.mismatches.map((mismatch) => formatMismatch(mismatch, report.schema)).join('\n\n')).toBe('');
    }, 120_000);
  });
});
