/**
 * # sql/types: SQL types and values, PostgreSQL-exact
 *
 * Every value a client sends or reads passes through here, so this folder's one rule is: do what
 * PostgreSQL 15 does, byte for byte — the same text for `1.50::numeric`, `0.1::float4`,
 * `'1.5 months'::interval`; the same binary for the pgwire binary format; the same SQLSTATE
 * and message for `'abc'::int` (22P02 `invalid input syntax for type integer: "abc"`). Drivers
 * and ORMs parse our output with PostgreSQL parsers and match on PostgreSQL error codes; an
 * approximate answer is a bug they will find.
 *
 * ```
 *   parsed type name ──resolveTypeName──► SqlType {kind, oid, typmod, …}      (sql-type, resolve)
 *
 *   text ──parseText──►  Datum  ──formatText──► text       (text-io: *-text.ts per type family)
 *   bytes ─decodeBinary─► Datum ──encodeBinary─► bytes     (binary-io, numeric-binary)
 *                          │
 *        castDatum ◄───────┼───────► arithmetic / negate / concat  (cast, typmod, arithmetic,
 *        (typmod: 22001, 22003)      date/time ± interval           datetime-arithmetic)
 *                          │
 *        compareDatums, equalDatums, and3/or3/not3, like           (compare, like)
 * ```
 *
 * Files: `sql-type.ts` (the type union, OIDs, typmods, `formatType`), `resolve.ts` (type names),
 * `datum.ts` (values, epochs, limits), `array-shape.ts` (an array's dimensions and lower bounds:
 * elements flat, row-major, the shape hidden on the array unless 1-D from 1), `numeric.ts` + `numeric-binary.ts`, `*-text.ts` (text I/O
 * per family: int, float, datetime, interval, scalar (bool, bytea, uuid), jsonb, array) behind
 * `text-io.ts`, `binary-io.ts`, `calendar.ts` + `timezone.ts`, `typmod.ts`, `cast.ts` +
 * `cast-context.ts`, `arithmetic.ts` + `datetime-arithmetic.ts`, `compare.ts`, `like.ts`,
 * `errors.ts`.
 *
 * ## Values (`Datum`, datum.ts)
 *
 * A datum is the plain JS value that is fastest to compute with, never a wrapper: `boolean`,
 * `number` for int2/int4/float4/float8/oid, `bigint` for int8, `string` for the character types,
 * uuid and jsonb, `Uint8Array` for bytea, `Numeric` (numeric.ts, exact: a bigint and a scale, no
 * floating point anywhere) and `{months, days, micros}` for interval. Dates are days and
 * timestamps microseconds since 2000-01-01 — PostgreSQL's own epoch and infinities, so the
 * binary wire format *is* the datum and no conversion can drift. A datum is meaningless without
 * its `SqlType`; every function takes both.
 *
 * ## Choices
 *
 * - **PostgreSQL 15 is the oracle.** `test/sql/types/testdata/pg15.json` holds a real server's
 *   answers (output text, send bytes, errors, casts, operators, sort order, LIKE, format_type) to
 *   `cases.json`; `scripts/sql-types-golden.mjs` regenerates it. Settings are PostgreSQL's
 *   defaults: DateStyle ISO, MDY; IntervalStyle postgres; extra_float_digits 1; bytea hex.
 * - **Floats print shortest-round-trip** (PostgreSQL ≥ 12's Ryū output) with PostgreSQL's switch
 *   to exponent notation; float4 digits are the shortest that read back as the same float32.
 * - **Text compares by code point** (the C collation), the order the key encoding keeps, so an
 *   index scan and a sort agree. Locale collations are future work.
 * - **jsonb is held as normalized text** (keys sorted and deduplicated as jsonb does): equality is
 *   text equality and output is right; `compareDatums` parses it for jsonb's btree order, and
 *   the operators (`->`, `@>`, `?`: sql/plan/expr/jsonb-operators.ts) parse their operands.
 * - **json is held as its input text** (json-text.ts: validated, then kept verbatim); its
 *   operators and functions walk a tree that keeps each value's own text.
 * - **Time zones**: a session `TimeZone` (timezone.ts) is UTC, a fixed offset or an IANA zone
 *   through `Intl`; `SET TIME ZONE '+05:30'` is POSIX (west-positive) as in PostgreSQL.
 * - **Errors** are `RangedbError` subclasses (errors.ts) carrying PostgreSQL's SQLSTATE; their
 *   `message` is PostgreSQL's primary message, a `detail` property its DETAIL where there is one.
 *
 * ## Not yet
 *
 * reg* types print as numbers (name lookup needs the catalog); time, timetz,
 * money, bit, inet, ranges; zone abbreviations (`PST`) in date input;
 * IntervalStyle other than postgres and DateStyle other than ISO, MDY. `castContext`
 * (cast-context.ts) says where a cast may apply; choosing casts is the planner's job.
 */
export * from './arithmetic.js';
export * from './binary-io.js';
export * from './calendar.js';
export * from './cast.js';
export * from './cast-context.js';
export * from './compare.js';
export * from './datetime-arithmetic.js';
export * from './datetime-text.js';
export * from './datum.js';
export * from './errors.js';
export * from './float-text.js';
export * from './int-text.js';
export * from './interval-text.js';
export * from './like.js';
export * from './numeric.js';
export * from './numeric-binary.js';
export * from './resolve.js';
export * from './scalar-text.js';
export * from './sql-type.js';
export * from './text-io.js';
export * from './timezone.js';
export * from './typmod.js';
export { compareJsonb, escapeJson, normalizeJsonb, parseJsonb, type JsonNode } from './jsonb-text.js';
export { parseJson, validateJson, type JsonEntry, type JsonValue } from './json-text.js';
export { formatArrayText, parseArrayText } from './array-text.js';
export * from './array-shape.js';
