/**
 * A random schema and its data, from a seed: 2–4 tables of int, bigint, text, numeric, boolean,
 * date and float8 columns, with primary keys (single or composite, or none: rangedb's hidden
 * rowid), secondary and unique indexes, and a few hundred rows with duplicates and NULLs.
 *
 * The values are chosen so that every correct server gives the same answer, byte for byte:
 * - integers come from small domains (joins and GROUP BY meet duplicates; products stay far from
 *   overflow);
 * - numerics always have scale 2 (1.5 and 1.50 are equal but print differently, so mixed scales
 *   would make GROUP BY, DISTINCT and min/max print whichever value a server met first);
 * - floats are multiples of 0.25 well inside 2^53, so every sum is exact in any order and an
 *   aggregate over floats cannot differ by summation order;
 * - text comes from a small vocabulary with LIKE wildcards, case variants and the empty string
 *   (both servers collate bytewise: rangedb always, PostgreSQL with --no-locale).
 */
import type { Prng } from './prng.js';

export type SqlType = 'int4' | 'int8' | 'text' | 'numeric' | 'bool' | 'date' | 'float8';

export const allTypes: readonly SqlType[] = ['int4', 'int8', 'text', 'numeric', 'bool', 'date', 'float8'];

/** The name a type is written with in DDL and casts. */
export const typeName: Readonly<Record<SqlType, string>> = {
  int4: 'int',
  int8: 'bigint',
  text: 'text',
  numeric: 'numeric',
  bool: 'boolean',
  date: 'date',
  float8: 'float8',
};

/** The type OID each type's values arrive with over pgwire. */
export const typeOid: Readonly<Record<SqlType, number>> = { int4: 23, int8: 20, text: 25, numeric: 1700, bool: 16, date: 1082, float8: 701 };

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  /** Values are distinct (a unique index or the primary key covers the column alone). */
  readonly unique: boolean;
}

export interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly primaryKey: readonly string[];
  readonly rowCount: number;
}

export interface Schema {
  readonly tables: readonly Table[];
  /** CREATE TABLE and CREATE INDEX statements, in order. */
  readonly ddl: readonly string[];
  /** INSERT statements, in order. */
  readonly inserts: readonly string[];
}

/**
 * Multibyte text is '日本' (no case): rangedb maps case as PostgreSQL does under a Unicode locale
 * (upper('é') is 'É'), the reference runs in the C locale (it stays 'é'); listed in
 * test/logic/known-differences.md.
 */
export const textVocabulary: readonly string[] = ['', 'a', 'A', 'ab', 'abc', 'b', 'ba', 'B%', 'x_y', ' a', 'a ', 'hello', 'Hello', 'zz', '10', '2', '日本', "it's"];

export function quoteText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Day `n` after 2024-01-01 as ISO text (n within a couple of months). */
export function isoDate(n: number): string {
  const date = new Date(Date.UTC(2024, 0, 1 + n));
  return date.toISOString().slice(0, 10);
}

/** A random literal of `type`, as SQL (negative numbers parenthesised, so `a - (-1)` never reads as a comment). */
export function literal(rng: Prng, type: SqlType): string {
  switch (type) {
    case 'int4': {
      const v = rng.int(-10, 30);
      return v < 0 ? `(${v})` : String(v);
    }
    case 'int8': {
      const v = rng.chance(0.5) ? rng.int(-10, 30) : 3_000_000_000 + rng.int(0, 20) * 1_000_000_000;
      return v < 0 ? `(${v})::bigint` : v < 2 ** 31 ? `${v}::bigint` : String(v);
    }
    case 'text':
      return quoteText(rng.pick(textVocabulary));
    case 'numeric': {
      const cents = rng.int(-2000, 5000);
      const text = formatCents(cents);
      return cents < 0 ? `(${text})` : text;
    }
    case 'bool':
      return rng.pick(['true', 'false']);
    case 'date':
      return `'${isoDate(rng.int(0, 45))}'::date`;
    case 'float8': {
      const v = rng.int(-200, 200) / 4;
      return v < 0 ? `(${v})::float8` : `${v}::float8`;
    }
  }
}

/** Cents as a numeric literal of scale 2 (-1234 → -12.34). */
function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A value for row `row` of a column (its literal, without casts: the column's type gives it). */
function columnValue(rng: Prng, column: Column, row: number): string {
  if (column.nullable && rng.chance(0.2)) return 'NULL';
  if (column.unique) {
    // Distinct by construction: the row number spread over the domain.
    switch (column.type) {
      case 'int4':
        return String(row * 3 - 40);
      case 'int8':
        return String(row * 1_000_000_007);
      case 'text':
        return quoteText(`${rng.pick(textVocabulary)}#${row}`);
      case 'numeric':
        return formatCents(row * 37 - 500);
      case 'date':
        return `'${isoDate(row)}'`;
      case 'float8':
        return String(row / 4 - 10);
      case 'bool':
        throw new Error('a unique boolean column');
    }
  }
  switch (column.type) {
    case 'int4':
      return String(rng.int(-10, 30));
    case 'int8':
      return String(rng.chance(0.6) ? rng.int(-10, 30) : 3_000_000_000 + rng.int(0, 20) * 1_000_000_000);
    case 'text':
      return quoteText(rng.pick(textVocabulary));
    case 'numeric':
      return formatCents(rng.int(-2000, 5000));
    case 'bool':
      return rng.pick(['true', 'false']);
    case 'date':
      return `'${isoDate(rng.int(0, 45))}'`;
    case 'float8':
      return String(rng.int(-200, 200) / 4);
  }
}

export function generateSchema(rng: Prng): Schema {
  const tableCount = rng.int(2, 4);
  const tables: Table[] = [];
  const ddl: string[] = [];
  const inserts: string[] = [];
  for (let t = 0; t < tableCount; t++) {
    const name = `t${t}`;
    const columnCount = rng.int(3, 6);
    const keyShape = rng.weighted<'single' | 'composite' | 'none'>([
      [5, 'single'],
      [2, 'composite'],
      [2, 'none'],
    ]);
    const columns: Column[] = [];
    const primaryKey: string[] = [];
    if (keyShape === 'single') {
      columns.push({ name: 'k', type: rng.pick(['int4', 'int8', 'int4']), nullable: false, unique: true });
      primaryKey.push('k');
    } else if (keyShape === 'composite') {
      // (k1, k2) unique together: k1 = row / 4, k2 = row % 4 (written below).
      columns.push({ name: 'k1', type: 'int4', nullable: false, unique: false });
      columns.push({ name: 'k2', type: rng.pick(['int4', 'text']), nullable: false, unique: false });
      primaryKey.push('k1', 'k2');
    }
    for (let c = 0; c < columnCount; c++) {
      const type = rng.weighted<SqlType>([
        [4, 'int4'],
        [2, 'int8'],
        [3, 'text'],
        [2, 'numeric'],
        [2, 'bool'],
        [1, 'date'],
        [2, 'float8'],
      ]);
      columns.push({ name: `c${c}`, type, nullable: rng.chance(0.8), unique: type !== 'bool' && rng.chance(0.12) });
    }
    const columnDefs = columns.map((column) => `${column.name} ${typeName[column.type]}${column.nullable ? '' : ' NOT NULL'}`);
    if (primaryKey.length > 0) columnDefs.push(`PRIMARY KEY (${primaryKey.join(', ')})`);
    ddl.push(`CREATE TABLE ${name} (${columnDefs.join(', ')})`);
    let indexNumber = 0;
    for (const column of columns) {
      if (column.unique && !primaryKey.includes(column.name)) ddl.push(`CREATE UNIQUE INDEX ${name}_u${indexNumber++} ON ${name} (${column.name})`);
    }
    const secondary = rng.int(0, 3);
    const plain = columns.filter((column) => !primaryKey.includes(column.name));
    for (let i = 0; i < secondary && plain.length > 0; i++) {
      const indexed = rng.sample(plain, rng.int(1, 2)).map((column) => `${column.name}${rng.chance(0.3) ? ' DESC' : ''}`);
      ddl.push(`CREATE INDEX ${name}_i${indexNumber++} ON ${name} (${indexed.join(', ')})`);
    }
    const rowCount = rng.int(20, 160);
    const rows: string[] = [];
    for (let row = 0; row < rowCount; row++) {
      const values = columns.map((column) => {
        if (keyShape === 'composite' && column.name === 'k1') return String(Math.floor(row / 4));
        if (keyShape === 'composite' && column.name === 'k2') return column.type === 'int4' ? String(row % 4) : quoteText(['a', 'b', 'B', ''][row % 4]!);
        if (keyShape === 'single' && column.name === 'k') return String(row * 2 - 30);
        return columnValue(rng, column, row);
      });
      rows.push(`(${values.join(', ')})`);
    }
    for (let start = 0; start < rows.length; start += 50) {
      inserts.push(`INSERT INTO ${name} (${columns.map((column) => column.name).join(', ')}) VALUES ${rows.slice(start, start + 50).join(', ')}`);
    }
    tables.push({ name, columns, primaryKey, rowCount });
  }
  return { tables, ddl, inserts };
}
