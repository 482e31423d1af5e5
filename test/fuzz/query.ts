/**
 * Random queries over a generated schema (schema.ts), in the manner of SQLsmith and CockroachDB's
 * `sqlsmith`: a typed expression generator (every expression is built for a wanted type, so a
 * query type-checks on any PostgreSQL-compatible server) under a query-shape generator (joins of
 * 1–3 relations, derived tables and CTEs, WHERE, GROUP BY/HAVING, DISTINCT, set operations,
 * scalar/IN/EXISTS and correlated subqueries, ORDER BY over every output column with LIMIT).
 *
 * Every query must have one right answer, so the generator stays away from what SQL leaves
 * undefined (each rule is stated where it is kept):
 * - LIMIT/OFFSET only under an ORDER BY over all output columns (a total order of the rows as
 *   printed: numerics have one scale and floats are never -0, see schema.ts);
 * - no error whose detection depends on evaluation order: divisors go through NULLIF(…, 0),
 *   products multiply leaves only (no overflow), no text→number casts, no negative substr
 *   lengths, scalar subqueries are aggregates (one row);
 * - floats stay multiples of 0.25 (no numeric→float8, no float products or quotients), so float
 *   sums and averages are exact;
 * - numeric expressions keep scale 2 (products and quotients are rounded to 2), so equal values
 *   print alike in GROUP BY, DISTINCT, set operations and min/max.
 * - string_agg always has an ORDER BY on its argument;
 * - FULL JOIN only on equalities (PostgreSQL requires a merge- or hash-joinable condition).
 */
import type { Prng } from './prng.js';
import { allTypes, literal, quoteText, typeName, type Schema, type SqlType } from './schema.js';

/** A column a query can name, with its type. */
export interface ColumnRef {
  readonly sql: string;
  readonly type: SqlType;
}

/** A relation a FROM clause can name: a table, a CTE or (inline) a derived table. */
interface Relation {
  /** The text for FROM: a name, or a parenthesised query. */
  readonly source: string;
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
  /** An upper bound of its rows, to keep joins small. */
  readonly rows: number;
  /** Its columns are named by the alias (`AS a1(c0, c1)`): VALUES. */
  readonly aliasNamesColumns?: boolean;
}

function fromItem(relation: Relation, alias: string): string {
  return `${relation.source} AS ${alias}${relation.aliasNamesColumns === true ? `(${relation.columns.map((column) => column.name).join(', ')})` : ''}`;
}

/** What an expression may see: its own FROM's columns, and the enclosing queries' (correlation). */
interface Scope {
  readonly columns: readonly ColumnRef[];
  readonly outer: readonly ColumnRef[];
  /** Whether subqueries may still be generated (a depth limit). */
  readonly subqueries: boolean;
}

export interface SelectItem {
  readonly sql: string;
  readonly type: SqlType;
  /** The ORDER BY direction for this output column: '', ' DESC', with or without NULLS FIRST/LAST. */
  readonly order: string;
}

/** A SELECT, kept in parts so a mismatch can be minimised by dropping parts. */
export interface SelectQuery {
  readonly kind: 'select';
  readonly with: readonly string[];
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: string;
  readonly where: string | undefined;
  readonly groupBy: readonly string[] | undefined;
  readonly having: string | undefined;
  /** ORDER BY over every output column (a total order of the printed rows). */
  readonly ordered: boolean;
  readonly limit: string | undefined;
  /** The columns its FROM clause brings into scope (for the TLP oracle's partitioning predicate). */
  readonly scope: readonly ColumnRef[];
}

export interface SetOperationQuery {
  readonly kind: 'set';
  readonly with: readonly string[];
  readonly left: SelectQuery;
  readonly op: string;
  readonly right: SelectQuery;
  readonly ordered: boolean;
  readonly limit: string | undefined;
}

export type Query = SelectQuery | SetOperationQuery;

export function queryTypes(query: Query): SqlType[] {
  return (query.kind === 'select' ? query.items : query.left.items).map((item) => item.type);
}

export function renderQuery(query: Query): string {
  const withClause = query.with.length > 0 ? `WITH ${query.with.join(', ')} ` : '';
  if (query.kind === 'select') return withClause + renderSelect(query);
  const order = query.ordered ? ` ORDER BY ${query.left.items.map((item, i) => `${i + 1}${item.order}`).join(', ')}${query.limit !== undefined ? ` ${query.limit}` : ''}` : '';
  return `${withClause}${renderSelect(query.left)} ${query.op} ${renderSelect(query.right)}${order}`;
}

/** A SELECT without its WITH clause. */
export function renderSelect(select: SelectQuery): string {
  const parts = [`SELECT ${select.distinct ? 'DISTINCT ' : ''}${select.items.map((item, i) => `${item.sql} AS c${i}`).join(', ')}`, `FROM ${select.from}`];
  if (select.where !== undefined) parts.push(`WHERE ${select.where}`);
  if (select.groupBy !== undefined && select.groupBy.length > 0) parts.push(`GROUP BY ${select.groupBy.join(', ')}`);
  if (select.having !== undefined) parts.push(`HAVING ${select.having}`);
  if (select.ordered) parts.push(`ORDER BY ${select.items.map((item, i) => `${i + 1}${item.order}`).join(', ')}`);
  if (select.ordered && select.limit !== undefined) parts.push(select.limit);
  return parts.join(' ');
}

const comparisons = ['=', '<>', '<', '<=', '>', '>='] as const;
const likePatterns = ['a%', '%a', '%b%', '_', 'a_', '%', '', 'B\\%', '%\\_%', 'A%', 'h%o', '__'];
/** Types whose values a server compares and sorts. */
const comparable: readonly SqlType[] = ['int4', 'int8', 'text', 'numeric', 'bool', 'date', 'float8'];

export class QueryGenerator {
  private aliases = 0;
  /** Where alias numbering starts for each query (a second generator, for TLP predicates, starts elsewhere so its aliases never shadow the query's). */
  private readonly aliasBase: number;
  private ctes: Relation[] = [];
  private readonly tables: readonly Relation[];

  constructor(
    private readonly rng: Prng,
    schema: Schema,
    aliasBase = 0,
  ) {
    this.aliasBase = aliasBase;
    this.aliases = aliasBase;
    this.tables = schema.tables.map((table) => ({ source: table.name, columns: table.columns, rows: table.rowCount }));
  }

  /** One top-level query. */
  query(): Query {
    this.aliases = this.aliasBase;
    this.ctes = [];
    const rng = this.rng;
    const withs: string[] = [];
    if (rng.chance(0.15)) {
      const count = rng.int(1, 2);
      for (let i = 0; i < count; i++) {
        const body = rng.chance(0.4) ? this.groupedSelect(1, false) : this.plainSelect(1, undefined, false);
        const name = `w${i}`;
        withs.push(`${name} AS (${renderSelect(body)})`);
        this.ctes.push({ source: name, columns: body.items.map((item, j) => ({ name: `c${j}`, type: item.type })), rows: relationRows(body, this.tables) });
      }
    }
    const shape = rng.weighted<'plain' | 'grouped' | 'set'>([
      [6, 'plain'],
      [3, 'grouped'],
      [2, 'set'],
    ]);
    if (shape === 'set') {
      const types = rng.sample(allTypes, rng.int(1, 3));
      const left = this.plainSelect(2, types, false);
      const right = this.plainSelect(2, types, false);
      const op = rng.pick(['UNION', 'UNION ALL', 'INTERSECT', 'INTERSECT ALL', 'EXCEPT', 'EXCEPT ALL']);
      const ordered = rng.chance(0.6);
      return { kind: 'set', with: withs, left, op, right, ordered, limit: ordered && rng.chance(0.4) ? this.limit() : undefined };
    }
    const select = shape === 'grouped' ? this.groupedSelect(2, true) : this.plainSelect(2, undefined, true);
    return { ...select, with: withs };
  }

  private limit(): string {
    return `LIMIT ${this.rng.int(0, 12)}${this.rng.chance(0.3) ? ` OFFSET ${this.rng.int(0, 5)}` : ''}`;
  }

  private alias(): string {
    return `a${this.aliases++}`;
  }

  private itemOrder(): string {
    return this.rng.pick(['', '', ' DESC', ' ASC NULLS FIRST', ' DESC NULLS LAST']);
  }

  /** SELECT [DISTINCT] expressions FROM … [WHERE …] [ORDER BY all [LIMIT]]; `types` fixes the output types (set operations). */
  plainSelect(depth: number, types: readonly SqlType[] | undefined, top: boolean): SelectQuery {
    const rng = this.rng;
    const from = this.fromClause(depth);
    const scope: Scope = { columns: from.scope, outer: [], subqueries: subqueriesAllowed(depth, from.rows) };
    const outputTypes = types ?? Array.from({ length: rng.int(1, 4) }, () => this.typeFrom(scope));
    const items = outputTypes.map((type) => ({ sql: this.expr(type, scope, 2), type, order: this.itemOrder() }));
    const where = rng.chance(0.7) ? this.predicate(scope, 3) : undefined;
    const ordered = top && rng.chance(0.5);
    return {
      kind: 'select',
      with: [],
      distinct: rng.chance(0.2),
      items,
      from: from.sql,
      where,
      groupBy: undefined,
      having: undefined,
      ordered,
      limit: ordered && rng.chance(0.4) ? this.limit() : undefined,
      scope: from.scope,
    };
  }

  /** SELECT keys, aggregates FROM … [WHERE …] GROUP BY keys [HAVING …] (no keys: one row). */
  groupedSelect(depth: number, top: boolean): SelectQuery {
    const rng = this.rng;
    const from = this.fromClause(depth);
    const scope: Scope = { columns: from.scope, outer: [], subqueries: subqueriesAllowed(depth, from.rows) };
    const keyCount = rng.weighted([
      [1, 0],
      [4, 1],
      [2, 2],
    ]);
    const keys: ColumnRef[] = [];
    for (let i = 0; i < keyCount; i++) {
      if (rng.chance(0.7)) keys.push(rng.pick(scope.columns));
      else {
        const type = this.typeFrom(scope);
        const sql = this.expr(type, { ...scope, subqueries: false }, 1);
        // A key without a column may be a bare constant, and `GROUP BY true` is an error (42601),
        // not a constant key: such keys are replaced by a column.
        keys.push(/\ba\d+\.\w+/.test(sql) ? { sql, type } : rng.pick(scope.columns));
      }
    }
    const uniqueKeys = keys.filter((key, i) => keys.findIndex((other) => other.sql === key.sql) === i);
    const aggregateScope: Scope = { ...scope, subqueries: false };
    const aggregates = Array.from({ length: rng.int(1, 3) }, () => this.aggregate(aggregateScope));
    const items: SelectItem[] = [...uniqueKeys.map((key) => ({ ...key, order: this.itemOrder() })), ...aggregates.map((a) => ({ ...a, order: this.itemOrder() }))];
    const where = rng.chance(0.5) ? this.predicate(scope, 2) : undefined;
    const having = rng.chance(0.4) ? this.havingPredicate(aggregateScope, uniqueKeys) : undefined;
    const ordered = top && rng.chance(0.6);
    return {
      kind: 'select',
      with: [],
      distinct: rng.chance(0.1),
      items,
      from: from.sql,
      where,
      groupBy: uniqueKeys.map((key) => key.sql),
      having,
      ordered,
      limit: ordered && rng.chance(0.4) ? this.limit() : undefined,
      scope: from.scope,
    };
  }

  private aggregate(scope: Scope): ColumnRef {
    const rng = this.rng;
    const kind = rng.weighted<'count*' | 'count' | 'countd' | 'sum' | 'avg' | 'minmax' | 'bool' | 'string_agg'>([
      [3, 'count*'],
      [2, 'count'],
      [1, 'countd'],
      [3, 'sum'],
      [2, 'avg'],
      [3, 'minmax'],
      [1, 'bool'],
      // Always with ORDER BY its own argument: without it (or with ties) the order is undefined.
      [0.3, 'string_agg'],
    ]);
    const call = this.aggregateCall(scope, kind);
    // FILTER (WHERE …) on some calls.
    if (kind !== 'string_agg' && rng.chance(0.12)) return { sql: `${call.sql} FILTER (WHERE ${this.predicate(scope, 1)})`, type: call.type };
    return call;
  }

  private aggregateCall(scope: Scope, kind: 'count*' | 'count' | 'countd' | 'sum' | 'avg' | 'minmax' | 'bool' | 'string_agg'): ColumnRef {
    const rng = this.rng;
    switch (kind) {
      case 'count*':
        return { sql: 'count(*)', type: 'int8' };
      case 'count':
        return { sql: `count(${this.expr(this.typeFrom(scope), scope, 1)})`, type: 'int8' };
      case 'countd':
        return { sql: `count(DISTINCT ${this.expr(this.typeFrom(scope), scope, 1)})`, type: 'int8' };
      case 'sum': {
        const type = rng.pick<SqlType>(['int4', 'int8', 'numeric', 'float8']);
        const result: SqlType = type === 'int4' ? 'int8' : type === 'int8' ? 'numeric' : type;
        return { sql: `sum(${this.expr(type, scope, 1)})`, type: result };
      }
      case 'avg': {
        const type = rng.pick<SqlType>(['int4', 'int8', 'numeric', 'float8']);
        return { sql: `avg(${this.expr(type, scope, 1)})`, type: type === 'float8' ? 'float8' : 'numeric' };
      }
      case 'minmax': {
        const type = rng.pick<SqlType>(['int4', 'int8', 'text', 'numeric', 'date', 'float8']);
        return { sql: `${rng.pick(['min', 'max'])}(${this.expr(type, scope, 1)})`, type };
      }
      case 'bool':
        return { sql: `${rng.pick(['bool_and', 'bool_or', 'every'])}(${this.predicate(scope, 1)})`, type: 'bool' };
      case 'string_agg': {
        const argument = this.expr('text', scope, 1);
        return { sql: `string_agg(${argument}, ${quoteText(rng.pick([',', '', ' | ']))} ORDER BY ${argument})`, type: 'text' };
      }
    }
  }

  /** A HAVING condition over aggregates and group keys. */
  private havingPredicate(scope: Scope, keys: readonly ColumnRef[]): string {
    const rng = this.rng;
    const one = (): string => {
      if (keys.length > 0 && rng.chance(0.25)) {
        const key = rng.pick(keys);
        return rng.chance(0.5) ? `${key.sql} IS NOT NULL` : `${key.sql} ${rng.pick(comparisons)} ${literal(rng, key.type)}`;
      }
      const aggregate = this.aggregate(scope);
      if (aggregate.type === 'bool') return aggregate.sql;
      return `${aggregate.sql} ${rng.pick(comparisons)} ${literal(rng, aggregate.type)}`;
    };
    return rng.chance(0.3) ? `${one()} ${rng.pick(['AND', 'OR'])} ${one()}` : one();
  }

  /** FROM: 1–3 relations joined; `depth` > 0 allows derived tables. */
  private fromClause(depth: number): { sql: string; scope: ColumnRef[]; rows: number } {
    const rng = this.rng;
    const count = rng.weighted([
      [4, 1],
      [4, 2],
      [2, 3],
    ]);
    const first = this.relation(depth);
    const firstAlias = this.alias();
    let sql = fromItem(first, firstAlias);
    let scope: ColumnRef[] = first.columns.map((column) => ({ sql: `${firstAlias}.${column.name}`, type: column.type }));
    let rows = first.rows;
    for (let i = 1; i < count; i++) {
      const next = this.relation(depth);
      const alias = this.alias();
      const nextColumns = next.columns.map((column) => ({ sql: `${alias}.${column.name}`, type: column.type }));
      const pairs: [ColumnRef, ColumnRef][] = [];
      for (const left of scope) for (const right of nextColumns) if (joinable(left.type, right.type)) pairs.push([left, right]);
      // Keep every join's output to some thousands of rows (an equality on a column of a small
      // domain matches about one row in eight; PostgreSQL too needs seconds for millions of rows).
      const small = rows * next.rows <= 12_000;
      if ((pairs.length === 0 && !small) || rows * next.rows > 160_000) break;
      const kind = rng.weighted<string>([
        [4, 'JOIN'],
        [3, 'LEFT JOIN'],
        [2, 'RIGHT JOIN'],
        [2, 'FULL JOIN'],
        [small && i === 1 ? 1 : 0, 'CROSS JOIN'],
      ]);
      // USING needs one column of that name on each side: only the first join, where the left side is one relation.
      const using = i === 1 ? first.columns.filter((column) => next.columns.some((other) => other.name === column.name && joinable(other.type, column.type))) : [];
      if (kind === 'CROSS JOIN') {
        sql += ` CROSS JOIN ${fromItem(next, alias)}`;
        rows *= next.rows;
        scope = [...scope, ...nextColumns];
        break; // nothing joins a cross product
      } else if (using.length > 0 && rng.chance(0.25)) {
        sql += ` ${kind} ${fromItem(next, alias)} USING (${rng.sample(using, rng.int(1, 2)).map((column) => column.name).join(', ')})`;
        rows = Math.ceil((rows * next.rows) / 8);
      } else {
        const equalities = rng.sample(pairs, rng.chance(0.2) ? 2 : 1).map(([left, right]) => `${left.sql} = ${right.sql}`);
        const joinScope: Scope = { columns: [...scope, ...nextColumns], outer: [], subqueries: false };
        let on: string;
        if (equalities.length === 0) on = this.predicate(joinScope, 1);
        else if (kind !== 'FULL JOIN' && rng.chance(0.25)) on = `${equalities.join(' AND ')} AND ${this.predicate(joinScope, 1)}`;
        else on = equalities.join(' AND ');
        if (kind === 'FULL JOIN' && equalities.length === 0) {
          sql += ` LEFT JOIN ${fromItem(next, alias)} ON ${on}`;
        } else sql += ` ${kind} ${fromItem(next, alias)} ON ${on}`;
        rows = equalities.length === 0 ? rows * next.rows : Math.ceil((rows * next.rows) / 8);
      }
      scope = [...scope, ...nextColumns];
    }
    return { sql, scope, rows };
  }

  private relation(depth: number): Relation {
    const rng = this.rng;
    const kind = rng.weighted<'table' | 'cte' | 'derived' | 'setop' | 'values'>([
      [6, 'table'],
      [this.ctes.length > 0 ? 3 : 0, 'cte'],
      [depth > 0 ? 1 : 0, 'derived'],
      [depth > 0 ? 0.4 : 0, 'setop'],
      [0.4, 'values'],
    ]);
    if (kind === 'cte') return rng.pick(this.ctes);
    if (kind === 'values') {
      // The first row has no NULLs, so every column's type comes from a typed value.
      const types = Array.from({ length: rng.int(1, 3) }, () => rng.pick(allTypes));
      const rows = Array.from({ length: rng.int(1, 6) }, (_, row) => `(${types.map((type) => (row > 0 && rng.chance(0.2) ? 'NULL' : literal(rng, type))).join(', ')})`);
      return { source: `(VALUES ${rows.join(', ')})`, columns: types.map((type, i) => ({ name: `c${i}`, type })), rows: rows.length, aliasNamesColumns: true };
    }
    if (kind === 'setop') {
      const types = rng.sample(allTypes, rng.int(1, 2));
      const left = this.plainSelect(0, types, false);
      const right = this.plainSelect(0, types, false);
      const op = rng.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT ALL']);
      return { source: `(${renderSelect(left)} ${op} ${renderSelect(right)})`, columns: types.map((type, i) => ({ name: `c${i}`, type })), rows: relationRows(left, this.tables) * 2 };
    }
    if (kind === 'derived') {
      const body = rng.chance(0.35) ? this.groupedSelect(0, false) : this.plainSelect(0, undefined, false);
      return { source: `(${renderSelect(body)})`, columns: body.items.map((item, i) => ({ name: `c${i}`, type: item.type })), rows: relationRows(body, this.tables) };
    }
    return rng.pick(this.tables);
  }

  /** A type with a column in scope (mostly), so expressions mostly read data. */
  private typeFrom(scope: Scope): SqlType {
    if (scope.columns.length > 0 && this.rng.chance(0.85)) return this.rng.pick(scope.columns).type;
    return this.rng.pick(allTypes);
  }

  private leaf(type: SqlType, scope: Scope): string {
    const rng = this.rng;
    if (scope.outer.length > 0 && rng.chance(0.25)) {
      const outer = scope.outer.filter((column) => column.type === type);
      if (outer.length > 0) return rng.pick(outer).sql;
    }
    const columns = scope.columns.filter((column) => column.type === type);
    if (columns.length > 0 && rng.chance(0.8)) return rng.pick(columns).sql;
    if (rng.chance(0.05)) return `NULL::${typeName[type]}`;
    return literal(rng, type);
  }

  /** An expression of `type`; `depth` bounds its nesting. */
  expr(type: SqlType, scope: Scope, depth: number): string {
    const rng = this.rng;
    if (depth <= 0 || rng.chance(0.35)) return this.leaf(type, scope);
    const sub = (t: SqlType = type): string => this.expr(t, scope, depth - 1);
    const generic = rng.weighted<'case' | 'simplecase' | 'coalesce' | 'nullif' | 'greatest' | 'subquery' | 'own'>([
      [1, 'case'],
      [0.5, 'simplecase'],
      [1, 'coalesce'],
      [0.4, 'nullif'],
      [0.4, 'greatest'],
      [scope.subqueries ? 0.5 : 0, 'subquery'],
      [6, 'own'],
    ]);
    switch (generic) {
      case 'case': {
        const whens = Array.from({ length: rng.int(1, 2) }, () => `WHEN ${this.predicate(scope, depth - 1)} THEN ${sub()}`);
        return `CASE ${whens.join(' ')}${rng.chance(0.7) ? ` ELSE ${sub()}` : ''} END`;
      }
      case 'simplecase': {
        const operand = this.typeFrom(scope);
        const whens = Array.from({ length: rng.int(1, 2) }, () => `WHEN ${literal(rng, operand)} THEN ${sub()}`);
        return `CASE ${this.expr(operand, scope, depth - 1)} ${whens.join(' ')}${rng.chance(0.7) ? ` ELSE ${sub()}` : ''} END`;
      }
      case 'coalesce':
        return `COALESCE(${Array.from({ length: rng.int(2, 3) }, () => sub()).join(', ')})`;
      case 'nullif':
        return `NULLIF(${sub()}, ${sub()})`;
      case 'greatest':
        return `${rng.pick(['GREATEST', 'LEAST'])}(${sub()}, ${sub()})`;
      case 'subquery':
        return this.scalarSubquery(type, scope);
      case 'own':
        break;
    }
    switch (type) {
      case 'int4':
        return rng.weighted<() => string>([
          [3, () => `(${sub()} ${rng.pick(['+', '-'])} ${sub()})`],
          [1, () => `(${this.leaf('int4', scope)} * ${this.leaf('int4', scope)})`],
          [1, () => `(${sub()} ${rng.pick(['/', '%'])} NULLIF(${sub()}, 0))`],
          [0.5, () => `(- ${sub()})`],
          [0.5, () => `abs(${sub()})`],
          [1, () => `length(${sub('text')})`],
          [0.5, () => (rng.chance(0.5) ? `strpos(${sub('text')}, ${sub('text')})` : `position(${sub('text')} IN ${sub('text')})`)],
          [0.5, () => `(${sub('date')} - ${sub('date')})`],
          // Not from bigint: values past 2^31 would fail with 22003 in whichever rows a server evaluates first.
          [0.5, () => `CAST(${sub(rng.pick<SqlType>(['numeric', 'float8']))} AS int)`],
          [0.3, () => `CAST(${this.predicate(scope, depth - 1)} AS int)`],
        ])();
      case 'int8':
        return rng.weighted<() => string>([
          [3, () => `(${sub()} ${rng.pick(['+', '-'])} ${sub(rng.pick<SqlType>(['int4', 'int8']))})`],
          [1, () => `(${this.leaf('int8', scope)} * ${rng.int(-3, 5)})`],
          [1, () => `(${sub()} ${rng.pick(['/', '%'])} NULLIF(${sub(rng.pick<SqlType>(['int4', 'int8']))}, 0))`],
          [1, () => `CAST(${sub('int4')} AS bigint)`],
          [0.5, () => `abs(${sub()})`],
        ])();
      case 'text':
        return rng.weighted<() => string>([
          [2, () => `(${sub()} || ${sub()})`],
          [1, () => `${rng.pick(['upper', 'lower', 'btrim', 'ltrim', 'rtrim', 'reverse', 'initcap'])}(${sub()})`],
          [1, () => `substr(${sub()}, ${rng.int(-1, 3)}, ${rng.int(0, 3)})`],
          [0.5, () => `${rng.pick(['left', 'right'])}(${sub()}, ${rng.int(-2, 3)})`],
          [0.5, () => `replace(${sub()}, ${quoteText(rng.pick(['a', 'b', ' ', '']))}, ${quoteText(rng.pick(['x', '', 'AB']))})`],
          [0.5, () => `concat(${sub()}, ${sub()})`],
          [0.5, () => `${rng.pick(['lpad', 'rpad'])}(${sub()}, ${rng.int(0, 6)}, ${quoteText(rng.pick(['*', 'ab']))})`],
          [0.3, () => `repeat(${sub()}, ${rng.int(0, 2)})`],
          [0.3, () => `split_part(${sub()}, ${quoteText(rng.pick(['a', ' ', 'b']))}, ${rng.int(1, 2)})`],
          [1, () => `CAST(${sub(rng.pick<SqlType>(['int4', 'int8', 'numeric', 'bool', 'date', 'float8']))} AS text)`],
        ])();
      case 'numeric':
        return rng.weighted<() => string>([
          [3, () => `(${sub()} ${rng.pick(['+', '-'])} ${sub()})`],
          [1, () => `round(${this.leaf('numeric', scope)} * ${this.leaf(rng.pick<SqlType>(['numeric', 'int4']), scope)}, 2)`],
          [1, () => `round(${sub()} / NULLIF(${sub(rng.pick<SqlType>(['numeric', 'int4']))}, 0), 2)`],
          [0.5, () => `(- ${sub()})`],
          [0.5, () => `abs(${sub()})`],
          [1, () => `round(CAST(${sub(rng.pick<SqlType>(['int4', 'int8']))} AS numeric), 2)`],
          [0.5, () => `round(${sub()} ${rng.pick(['+', '-'])} ${sub('int4')}, 2)`],
        ])();
      case 'float8':
        return rng.weighted<() => string>([
          [3, () => `(${sub()} ${rng.pick(['+', '-'])} ${sub()})`],
          [1, () => `CAST(${sub('int4')} AS float8)`],
          [0.5, () => `abs(${sub()})`],
          // floor, not ceil: ceil(-0.25) is -0, which prints as -0 but groups and sorts with 0.
          [0.5, () => `floor(${sub()})`],
        ])();
      case 'date':
        return rng.weighted<() => string>([
          [2, () => `(${sub()} ${rng.pick(['+', '-'])} ${rng.int(0, 20)})`],
          [1, () => `(${sub()} + ${this.leaf('int4', scope)})`],
        ])();
      case 'bool':
        return this.predicate(scope, depth);
    }
  }

  /** A scalar subquery of `type`: an aggregate over a correlated (or not) single-table query. */
  private scalarSubquery(type: SqlType, scope: Scope): string {
    const rng = this.rng;
    const table = rng.pick(this.tables);
    const alias = this.alias();
    const inner: Scope = { columns: table.columns.map((column) => ({ sql: `${alias}.${column.name}`, type: column.type })), outer: [...scope.columns, ...scope.outer], subqueries: false };
    const where = rng.chance(0.8) ? ` WHERE ${this.predicate(inner, 2)}` : '';
    let aggregate: string;
    if (type === 'bool') aggregate = `${rng.pick(['bool_and', 'bool_or'])}(${this.predicate({ ...inner, outer: [] }, 1)})`;
    else if (type === 'int8' && rng.chance(0.5)) aggregate = 'count(*)';
    // The argument reads the subquery's own columns only: an aggregate over outer columns alone
    // belongs to the outer query (SQL's rule, PostgreSQL's agglevelsup: sql/plan/expr/
    // outer-aggregates.ts), which would make that query grouped — a shape the oracles here do
    // not expect (test/logic/testdata/subqueries.slt holds such queries).
    else aggregate = `${rng.pick(['min', 'max'])}(${this.expr(type, { ...inner, outer: [] }, 1)})`;
    return `(SELECT ${aggregate} FROM ${table.source} AS ${alias}${where})`;
  }

  /** A predicate over `columns` (TLP's partitioning predicate: may hold subqueries, correlated to `columns`). */
  predicateOver(columns: readonly ColumnRef[]): string {
    return this.predicate({ columns, outer: [], subqueries: true }, 2);
  }

  /** A boolean expression. */
  private predicate(scope: Scope, depth: number): string {
    const rng = this.rng;
    if (depth <= 0) return this.comparison(scope, 0);
    const kind = rng.weighted<string>([
      [4, 'cmp'],
      [2, 'and'],
      [2, 'or'],
      [1, 'not'],
      [1.5, 'isnull'],
      [1, 'in'],
      [0.4, 'any'],
      [1, 'between'],
      [1, 'like'],
      [0.7, 'distinct'],
      [0.5, 'istrue'],
      [0.5, 'boolcol'],
      [scope.subqueries ? 1 : 0, 'exists'],
      [scope.subqueries ? 1 : 0, 'insub'],
      [scope.subqueries ? 0.7 : 0, 'cmpsub'],
    ]);
    const type = (): SqlType => this.typeFrom(scope);
    switch (kind) {
      case 'and':
      case 'or':
        return `(${this.predicate(scope, depth - 1)} ${kind.toUpperCase()} ${this.predicate(scope, depth - 1)})`;
      case 'not':
        return `(NOT ${this.predicate(scope, depth - 1)})`;
      case 'isnull':
        return `(${this.expr(type(), scope, depth - 1)} IS ${rng.chance(0.5) ? 'NOT ' : ''}NULL)`;
      case 'in': {
        const t = type();
        const values = Array.from({ length: rng.int(1, 4) }, () => (rng.chance(0.1) ? 'NULL' : literal(rng, t)));
        return `(${this.expr(t, scope, depth - 1)} ${rng.chance(0.3) ? 'NOT ' : ''}IN (${values.join(', ')}))`;
      }
      case 'any': {
        const t = type();
        const values = Array.from({ length: rng.int(1, 4) }, () => (rng.chance(0.1) ? `NULL::${typeName[t]}` : literal(rng, t)));
        return `(${this.expr(t, scope, depth - 1)} ${rng.pick(comparisons)} ${rng.pick(['ANY', 'ALL'])} (ARRAY[${values.join(', ')}]))`;
      }
      case 'between': {
        const t = rng.pick(comparable.filter((c) => c !== 'bool'));
        return `(${this.expr(t, scope, depth - 1)} ${rng.chance(0.3) ? 'NOT ' : ''}BETWEEN ${rng.chance(0.2) ? 'SYMMETRIC ' : ''}${this.expr(t, scope, 0)} AND ${this.expr(t, scope, 0)})`;
      }
      case 'like':
        return `(${this.expr('text', scope, depth - 1)} ${rng.chance(0.3) ? 'NOT ' : ''}${rng.pick(['LIKE', 'LIKE', 'ILIKE'])} ${quoteText(rng.pick(likePatterns))})`;
      case 'distinct': {
        const t = type();
        return `(${this.expr(t, scope, depth - 1)} IS ${rng.chance(0.5) ? 'NOT ' : ''}DISTINCT FROM ${this.expr(t, scope, depth - 1)})`;
      }
      case 'istrue':
        return `(${this.predicate(scope, depth - 1)} IS ${rng.chance(0.5) ? 'NOT ' : ''}${rng.pick(['TRUE', 'FALSE', 'UNKNOWN'])})`;
      case 'boolcol':
        return this.leaf('bool', scope);
      case 'exists':
      case 'insub':
      case 'cmpsub':
        return this.subqueryPredicate(kind, scope);
      default:
        return this.comparison(scope, depth - 1);
    }
  }

  private comparison(scope: Scope, depth: number): string {
    const t = this.typeFrom(scope);
    // Numbers compare across types (int = bigint, int < numeric, numeric = float8 …) by implicit casts.
    const numbers: readonly SqlType[] = ['int4', 'int8', 'numeric', 'float8'];
    const right: SqlType = numbers.includes(t) && this.rng.chance(0.3) ? this.rng.pick(numbers) : t;
    return `(${this.expr(t, scope, depth)} ${this.rng.pick(comparisons)} ${this.expr(right, scope, depth)})`;
  }

  private subqueryPredicate(kind: 'exists' | 'insub' | 'cmpsub', scope: Scope): string {
    const rng = this.rng;
    const table = rng.pick(this.tables);
    const alias = this.alias();
    const inner: Scope = { columns: table.columns.map((column) => ({ sql: `${alias}.${column.name}`, type: column.type })), outer: [...scope.columns, ...scope.outer], subqueries: false };
    const where = (): string => (rng.chance(0.85) ? ` WHERE ${this.predicate(inner, 2)}` : '');
    const source = `${table.source} AS ${alias}`;
    switch (kind) {
      case 'exists':
        return `(${rng.chance(0.3) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${source}${where()}))`;
      case 'insub': {
        const t = rng.pick(table.columns).type;
        return `(${this.expr(t, scope, 1)} ${rng.chance(0.35) ? 'NOT ' : ''}IN (SELECT ${this.expr(t, { ...inner, outer: [] }, 1)} FROM ${source}${where()}))`;
      }
      case 'cmpsub': {
        const t = rng.pick(table.columns).type;
        const aggregate = t === 'bool' ? `bool_or(${this.leaf('bool', { ...inner, outer: [] })})` : `${rng.pick(['min', 'max'])}(${this.expr(t, { ...inner, outer: [] }, 1)})`;
        return `(${this.expr(t, scope, 1)} ${rng.pick(comparisons)} (SELECT ${aggregate} FROM ${source}${where()}))`;
      }
    }
  }
}

/**
 * Subqueries only over FROM clauses of a few thousand rows at most: rangedb runs a correlated
 * subquery once per row (a nested loop, no decorrelation yet), and over a cross join that takes
 * long enough to hit the statement timeout, which tests nothing.
 */
function subqueriesAllowed(depth: number, rows: number): boolean {
  return depth > 0 && rows <= 3_000;
}

/** int and bigint compare with each other; every other type only with itself. */
function joinable(a: SqlType, b: SqlType): boolean {
  const integer = (t: SqlType): boolean => t === 'int4' || t === 'int8';
  return a === b || (integer(a) && integer(b));
}

/** An upper bound of a SELECT's rows: its first relation's (joins are bounded by fromClause). */
function relationRows(select: SelectQuery, tables: readonly Relation[]): number {
  const name = /^(\w+) AS /.exec(select.from)?.[1];
  return tables.find((table) => table.source === name)?.rows ?? 200;
}
