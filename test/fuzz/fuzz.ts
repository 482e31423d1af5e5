/**
 * Differential testing of rangedb's SQL against PostgreSQL 15: one seed → one random schema and
 * data set (schema.ts) and a sequence of random queries (query.ts); each query runs on both
 * servers and the answers must agree — the same columns with the same type OIDs, and the same
 * rows as printed text (in order under ORDER BY over every column, as multisets otherwise).
 * A second oracle needs no reference server: ternary logic partitioning (TLP, Rigger and Su,
 * OOPSLA 2020; CockroachDB's `tlp`): for any predicate p, `q` returns the multiset union of
 * `q WHERE p`, `q WHERE NOT p` and `q WHERE p IS NULL` — run on rangedb alone.
 *
 * The connections, the value rendering and the reference server are the logic tests' (test/logic
 * run.ts and render.ts, test/support/reference-postgres.ts).
 *
 * Verdicts: a statement rangedb refuses with 0A000 (not supported) is skipped and counted; two
 * errors agree when their SQLSTATE classes do (which error a server meets first may differ);
 * everything else that differs is a mismatch, reported with the seed, the schema, the query
 * (minimised when dropping parts keeps the mismatch) and both answers.
 */
import type pg from 'pg';
import { renderValue } from '../logic/render.js';
import { connect, execute, type Answer, type Target } from '../logic/run.js';
import { Prng } from './prng.js';
import { QueryGenerator, queryTypes, renderQuery, renderSelect, type Query, type SelectQuery } from './query.js';
import { generateSchema, type Schema } from './schema.js';

export interface FuzzOptions {
  readonly seed: number;
  readonly queries: number;
  /** Run the TLP oracle on rangedb for each plain SELECT too. */
  readonly tlp: boolean;
  /** Per-statement timeout on both servers. */
  readonly statementTimeoutMs: number;
  /** Called after each query (progress; the milliseconds each server took, to find slow shapes). */
  readonly onQuery?: (index: number, sql: string, millis: { readonly rangedb: number; readonly postgres: number }) => void;
}

export interface Mismatch {
  readonly seed: number;
  /** 0-based index of the query in the seed's sequence (-1: the schema's setup). */
  readonly index: number;
  readonly oracle: 'postgresql' | 'tlp' | 'setup';
  readonly sql: string;
  /** The smallest variant of `sql` found that still differs (undefined: no smaller one). */
  readonly minimised: string | undefined;
  readonly rangedb: string;
  readonly reference: string;
}

export interface SeedReport {
  readonly seed: number;
  readonly schema: Schema;
  queries: number;
  agreed: number;
  /** Both servers failed with the same SQLSTATE class. */
  bothErrored: number;
  /** rangedb answered 0A000, by message. */
  readonly unsupported: Map<string, number>;
  /** Either server hit the statement timeout. */
  timedOut: number;
  tlpChecked: number;
  readonly mismatches: Mismatch[];
}

type Verdict = { readonly kind: 'agree' | 'both-errored' | 'unsupported' | 'timeout'; readonly detail?: string } | { readonly kind: 'mismatch'; readonly rangedb: string; readonly reference: string };

/** A result as comparable text: a header of names and type OIDs, then one line per row (sorted unless `ordered`). */
export function describeAnswer(answer: Answer, ordered: boolean): string {
  if (answer.kind === 'error') return `error ${answer.pgcode ?? '(no SQLSTATE)'}: ${answer.message}`;
  const { columns, rows } = answer.result;
  const lines = rows.map((row) => row.map((value, i) => renderValue(value, columns[i]!.typeOid)).join(' | '));
  if (!ordered) lines.sort();
  return [columns.map((column) => `${column.name}:${column.typeOid}`).join(' | '), ...lines].join('\n');
}

export function judge(rangedb: Answer, reference: Answer, ordered: boolean): Verdict {
  if (rangedb.kind === 'error' && rangedb.pgcode === '0A000') return { kind: 'unsupported', detail: rangedb.message };
  if ((rangedb.kind === 'error' && rangedb.pgcode === '57014') || (reference.kind === 'error' && reference.pgcode === '57014')) return { kind: 'timeout' };
  if (rangedb.kind === 'error' && reference.kind === 'error') {
    if (rangedb.pgcode !== undefined && rangedb.pgcode.slice(0, 2) === reference.pgcode?.slice(0, 2)) return { kind: 'both-errored' };
  }
  const left = describeAnswer(rangedb, ordered);
  const right = describeAnswer(reference, ordered);
  return left === right ? { kind: 'agree' } : { kind: 'mismatch', rangedb: left, reference: right };
}

/** Drops `CREATE DATABASE`'s leftovers and makes a fresh database on one server. */
async function freshDatabase(target: Target, database: string): Promise<pg.Client> {
  const admin = await connect(target, 'defaultdb');
  try {
    for (const sql of [`DROP DATABASE IF EXISTS ${database}`, `CREATE DATABASE ${database}`]) {
      const answer = await execute(admin, sql);
      if (answer.kind === 'error') throw new Error(`${target.name}: ${sql}: ${answer.message}`);
    }
  } finally {
    await admin.end();
  }
  return connect(target, database);
}

export function describeSchema(schema: Schema): string {
  const rows = schema.tables.map((table) => `${table.name} ${table.rowCount}`).join(', ');
  return [...schema.ddl.map((sql) => `${sql};`), `-- ${schema.inserts.length} INSERT statements (rows: ${rows})`].join('\n');
}

/** Runs one seed against both servers. */
export async function runSeed(servers: { readonly rangedb: Target; readonly postgres: Target }, options: FuzzOptions): Promise<SeedReport> {
  const { seed } = options;
  const rng = new Prng(seed);
  const schema = generateSchema(rng);
  const report: SeedReport = { seed, schema, queries: 0, agreed: 0, bothErrored: 0, unsupported: new Map(), timedOut: 0, tlpChecked: 0, mismatches: [] };
  const database = `fuzz_${seed}`;
  const rangedb = await freshDatabase(servers.rangedb, database);
  const postgres = await freshDatabase(servers.postgres, database);
  try {
    for (const client of [rangedb, postgres]) await execute(client, `SET statement_timeout = ${options.statementTimeoutMs}`);
    for (const sql of [...schema.ddl, ...schema.inserts]) {
      const [mine, theirs] = [await execute(rangedb, sql), await execute(postgres, sql)];
      if (mine.kind === 'error' || theirs.kind === 'error') {
        report.mismatches.push({ seed, index: -1, oracle: 'setup', sql, minimised: undefined, rangedb: describeAnswer(mine, true), reference: describeAnswer(theirs, true) });
        return report;
      }
    }
    const generator = new QueryGenerator(rng, schema);
    // TLP's predicates come from their own stream (the query sequence does not depend on --no-tlp)
    // and their own alias numbers (a subquery's alias never shadows one of the query's).
    const tlpGenerator = new QueryGenerator(new Prng(seed ^ 0x5bd1e995), schema, 10_000);
    const millis = { rangedb: 0, postgres: 0 };
    const both = async (sql: string): Promise<[Answer, Answer]> => {
      // Wall-clock time here is test instrumentation (slow-query reports), not database logic.
      const start = performance.now();
      const mine = await execute(rangedb, sql);
      const middle = performance.now();
      const theirs = await execute(postgres, sql);
      millis.rangedb = middle - start;
      millis.postgres = performance.now() - middle;
      return [mine, theirs];
    };
    for (let index = 0; index < options.queries; index++) {
      const query = generator.query();
      const sql = renderQuery(query);
      const [mine, theirs] = await both(sql);
      const timing = { ...millis };
      report.queries++;
      const verdict = judge(mine, theirs, query.ordered);
      switch (verdict.kind) {
        case 'agree':
          report.agreed++;
          break;
        case 'both-errored':
          report.bothErrored++;
          break;
        case 'timeout':
          report.timedOut++;
          break;
        case 'unsupported':
          report.unsupported.set(verdict.detail!, (report.unsupported.get(verdict.detail!) ?? 0) + 1);
          break;
        case 'mismatch': {
          const minimised = await minimise(query, async (candidate) => {
            const [a, b] = await both(renderQuery(candidate));
            return judge(a, b, candidate.ordered).kind === 'mismatch';
          });
          report.mismatches.push({ seed, index, oracle: 'postgresql', sql, minimised: minimised === undefined ? undefined : renderQuery(minimised), rangedb: verdict.rangedb, reference: verdict.reference });
          break;
        }
      }
      if (options.tlp && query.kind === 'select' && mine.kind === 'ok' && verdict.kind === 'agree' && isTlpCandidate(query)) {
        const partitioned = tlpQuery(query, tlpGenerator.predicateOver(query.scope));
        const answer = await execute(rangedb, partitioned);
        if (answer.kind === 'ok') {
          report.tlpChecked++;
          const whole = describeAnswer(mine, false);
          const parts = describeAnswer(answer, false);
          if (whole !== parts) report.mismatches.push({ seed, index, oracle: 'tlp', sql: partitioned, minimised: undefined, rangedb: parts, reference: `${sql}\n${whole}` });
        } else if (answer.pgcode !== '0A000' && answer.pgcode !== '57014') {
          report.mismatches.push({ seed, index, oracle: 'tlp', sql: partitioned, minimised: undefined, rangedb: describeAnswer(answer, false), reference: `${sql}\n(the unpartitioned query succeeded)` });
        }
      }
      options.onQuery?.(index, sql, timing);
    }
  } finally {
    await rangedb.end().catch(() => undefined);
    await postgres.end().catch(() => undefined);
  }
  return report;
}

/** A plain SELECT whose rows TLP can partition: no grouping, DISTINCT or LIMIT. */
function isTlpCandidate(query: SelectQuery): boolean {
  return query.groupBy === undefined && !query.distinct && query.limit === undefined;
}

/** `q WHERE p UNION ALL q WHERE NOT p UNION ALL q WHERE p IS NULL`, each ANDed with q's own WHERE. */
export function tlpQuery(query: SelectQuery, predicate: string): string {
  const part = (condition: string): string =>
    renderSelect({ ...query, ordered: false, limit: undefined, where: query.where === undefined ? condition : `(${query.where}) AND ${condition}` });
  const withClause = query.with.length > 0 ? `WITH ${query.with.join(', ')} ` : '';
  return withClause + [`(${predicate})`, `(NOT (${predicate}))`, `((${predicate}) IS NULL)`].map(part).join(' UNION ALL ');
}

/**
 * Greedy minimisation (delta debugging over the query's parts): drop WHERE, HAVING, ORDER
 * BY/LIMIT, DISTINCT and output columns one at a time, keeping each drop that still differs.
 * A few extra queries per mismatch; set operations are minimised arm by arm.
 */
async function minimise(query: Query, differs: (candidate: Query) => Promise<boolean>): Promise<Query | undefined> {
  let best: Query = query;
  let changed = false;
  const attempt = async (candidate: Query | undefined): Promise<void> => {
    if (candidate === undefined || renderQuery(candidate) === renderQuery(best)) return;
    if (await differs(candidate)) {
      best = candidate;
      changed = true;
    }
  };
  if (best.kind === 'select') {
    await attempt({ ...best, where: undefined });
    await attempt(best.kind === 'select' ? { ...best, having: undefined } : undefined);
    await attempt({ ...best, ordered: false, limit: undefined });
    await attempt(best.kind === 'select' ? { ...best, distinct: false } : undefined);
    for (let i = 0; best.kind === 'select' && i < best.items.length && best.items.length > 1; ) {
      const before: Query = best;
      await attempt({ ...best, items: best.items.filter((_, j) => j !== i) });
      if (best === before) i++;
    }
  } else {
    await attempt({ ...best, ordered: false, limit: undefined });
    const types = queryTypes(best).length;
    for (let i = 0; best.kind === 'set' && i < types && queryTypes(best).length > 1; ) {
      const before: Query = best;
      const drop = (select: SelectQuery): SelectQuery => ({ ...select, items: select.items.filter((_, j) => j !== i) });
      await attempt({ ...best, left: drop(best.left), right: drop(best.right) });
      if (best === before) i++;
    }
    if (best.kind === 'set') await attempt({ ...best, left: { ...best.left, where: undefined }, right: { ...best.right, where: undefined } });
  }
  return changed ? best : undefined;
}

/** A mismatch as a report: everything needed to reproduce it by hand. */
export function formatMismatch(mismatch: Mismatch, schema: Schema): string {
  const lines = [
    `=== mismatch (${mismatch.oracle}) seed ${mismatch.seed}, query ${mismatch.index}`,
    '--- schema',
    describeSchema(schema),
    '--- query',
    `${mismatch.sql};`,
    ...(mismatch.minimised !== undefined ? ['--- minimised (still differs)', `${mismatch.minimised};`] : []),
    `--- rangedb`,
    clip(mismatch.rangedb),
    `--- ${mismatch.oracle === 'tlp' ? 'unpartitioned query on rangedb' : 'postgresql'}`,
    clip(mismatch.reference),
  ];
  return lines.join('\n');
}

function clip(text: string, maxLines = 25): string {
  const lines = text.split('\n');
  return lines.length <= maxLines ? text : [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more line(s)`].join('\n');
}
