// Regenerates test/sql/types/testdata/pg15.json: the answers of a real PostgreSQL 15 to the cases
// in test/sql/types/testdata/cases.json (output function text, send-function bytes, SQLSTATE and
// message of errors, casts, operators, sort orders, LIKE, format_type of type names).
//
//   PGHOST=/tmp/pgsqltypes PGPORT=54329 PGUSER=postgres node scripts/sql-types-golden.mjs
//
// It talks to the server through psql only, so it needs no driver; the tests read the JSON and
// never need a server.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const casesPath = new URL('../test/sql/types/testdata/cases.json', import.meta.url);
const outPath = new URL('../test/sql/types/testdata/pg15.json', import.meta.url);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));

const setup = String.raw`
SET client_min_messages = warning;
SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex';
CREATE OR REPLACE FUNCTION pg_temp.eval(sql text, tz text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE r text; t text;
BEGIN
  PERFORM set_config('TimeZone', coalesce(tz, 'UTC'), true);
  EXECUTE sql INTO r, t;
  RETURN jsonb_build_object('ok', r, 'type', t);
EXCEPTION WHEN others THEN
  RETURN jsonb_build_object('error', jsonb_build_object('code', SQLSTATE, 'message', SQLERRM));
END $$;
CREATE OR REPLACE FUNCTION pg_temp.io(typ text, input text, tz text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE outfn text; sendfn text; typeoid oid; res jsonb; bin jsonb;
BEGIN
  SELECT t.oid, t.typoutput::text, t.typsend::text INTO typeoid, outfn, sendfn FROM pg_type t WHERE t.oid = typ::regtype;
  res := pg_temp.eval(format('SELECT %s(%L::%s)::text, NULL::text', outfn, input, typ), tz);
  IF res ? 'ok' THEN
    bin := pg_temp.eval(format('SELECT encode(%s(%L::%s), ''hex''), NULL::text', sendfn, input, typ), tz);
    res := res || jsonb_build_object('binary', bin->'ok');
  END IF;
  RETURN res - 'type';
END $$;
CREATE OR REPLACE FUNCTION pg_temp.typename(name text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE res jsonb;
BEGIN
  EXECUTE format('CREATE TEMP TABLE golden_t (c %s)', name);
  SELECT jsonb_build_object('format', format_type(atttypid, atttypmod), 'oid', atttypid::int, 'typmod', atttypmod)
    INTO res FROM pg_attribute WHERE attrelid = 'golden_t'::regclass AND attname = 'c';
  DROP TABLE golden_t;
  RETURN res;
EXCEPTION WHEN others THEN
  RETURN jsonb_build_object('error', jsonb_build_object('code', SQLSTATE, 'message', SQLERRM));
END $$;
`;

function sqlString(value) {
  return value === null || value === undefined ? 'NULL' : `'${String(value).replace(/'/g, "''")}'`;
}

function query(rows) {
  // One statement per case, so a failing case cannot disturb the others.
  return rows.map((row) => `SELECT ${row};`).join('\n');
}

function run(sql) {
  const out = execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', setup + sql], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));
}

const io = run(query(cases.io.map((c) => `pg_temp.io(${sqlString(c.type)}, ${sqlString(c.input)}, ${sqlString(c.tz)})`)));
const evalSql = (sql, tz) => `pg_temp.eval(${sqlString(sql)}, ${sqlString(tz)})`;
const casts = run(
  query(
    cases.casts.map((c) =>
      evalSql(
        `SELECT (CAST(CAST(${sqlString(c.input)} AS ${c.from}) AS ${c.to}))::text, NULL::text`,
        c.tz,
      ),
    ),
  ),
);
const operators = run(
  query(
    cases.operators.map((c) => {
      const left = `${sqlString(c.left)}::${c.type}`;
      const right = `${sqlString(c.right)}::${c.rightType ?? c.type}`;
      const expr = c.op === 'unary-' ? `(-${left})` : `(${left} ${c.op} ${right})`;
      return evalSql(`SELECT ${expr}::text, pg_typeof(${expr})::text`, c.tz);
    }),
  ),
);
const arrayLiteral = (values) => `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`;
const sorts = run(
  query(
    cases.sorts.map((c) =>
      evalSql(`SELECT array_to_json(array_agg(v::text ORDER BY v${c.type === 'text' ? ' COLLATE "C"' : ''}, v::text))::text, NULL::text FROM unnest(${sqlString(arrayLiteral(c.values))}::${c.type}[]) v`),
    ),
  ),
);
const likes = run(
  query(
    cases.likes.map((c) =>
      evalSql(
        `SELECT (${sqlString(c.text)} ${c.ilike ? 'ILIKE' : 'LIKE'} ${sqlString(c.pattern)}${c.escape === undefined ? '' : ` ESCAPE ${sqlString(c.escape)}`})::text, NULL::text`,
      ),
    ),
  ),
);
const typeNames = run(query(cases.typeNames.map((name) => `pg_temp.typename(${sqlString(name)})`)));

const castRows = run(
  `SELECT json_build_object('source', c.castsource::int, 'target', c.casttarget::int, 'context', c.castcontext::text)::text FROM pg_cast c
   WHERE c.castsource = ANY (ARRAY[${cases.castOids.join(',')}]::oid[]) AND c.casttarget = ANY (ARRAY[${cases.castOids.join(',')}]::oid[]) ORDER BY 1;`,
);
const zip = (list, results) => list.map((c, index) => ({ ...c, result: results[index] }));
const golden = {
  generatedBy: 'scripts/sql-types-golden.mjs',
  server: execFileSync('psql', ['-X', '-At', '-c', 'SHOW server_version'], { encoding: 'utf8' }).trim(),
  io: zip(cases.io, io),
  casts: zip(cases.casts, casts),
  operators: zip(cases.operators, operators),
  sorts: zip(cases.sorts, sorts),
  likes: zip(cases.likes, likes),
  pgCast: castRows,
  typeNames: cases.typeNames.map((name, index) => ({ name, result: typeNames[index] })),
};
writeFileSync(outPath, JSON.stringify(golden, null, 1) + '\n');
console.log(`wrote ${golden.io.length} io, ${golden.casts.length} casts, ${golden.operators.length} operators, ${golden.sorts.length} sorts, ${golden.likes.length} likes, ${golden.typeNames.length} type names`);
