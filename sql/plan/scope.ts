/**
 * `Scope`: the columns an expression may name — the output of a FROM clause, a table's columns
 * for INSERT … RETURNING, the result of an aggregation — with PostgreSQL's resolution of `c`,
 * `t.c` and `s.t.c` (42703 undefined, 42702 ambiguous, 42P01 for a qualifier no FROM item has).
 */
import type { SqlType } from '../types/sql-type.js';
import { ambiguousColumn, SqlError, undefinedColumn } from '../catalog/errors.js';

export interface ScopeColumn {
  readonly name: string;
  /** The FROM item's name or alias that qualifies it (`t` in `t.c`), or null. */
  readonly table: string | null;
  readonly type: SqlType;
  /** Hidden columns (`rowid`) resolve by name but are not part of `*`. */
  readonly hidden: boolean;
  /**
   * A join's own copy of a USING / NATURAL column: only `t.c` and `t.*` name it, since a bare `c`
   * and `*` mean the join's merged column (PostgreSQL's join alias variables).
   */
  readonly qualifiedOnly?: boolean;
  /** For RowDescription: the table OID (descriptor id) and attribute number, or 0. */
  readonly tableOid: number;
  readonly columnNumber: number;
}

export class Scope {
  constructor(readonly columns: readonly ScopeColumn[]) {}

  static readonly empty = new Scope([]);

  /** The position of the column `path` names (`[c]`, `[t, c]`, `[s, t, c]`). */
  resolve(path: readonly string[]): number {
    const name = path[path.length - 1]!;
    const table = path.length >= 2 ? path[path.length - 2]! : null;
    let found = -1;
    let tableSeen = table === null;
    this.columns.forEach((column, index) => {
      if (table !== null && column.table !== table) return;
      tableSeen = true;
      if (table === null && column.qualifiedOnly === true) return;
      if (column.name !== name) return;
      if (found !== -1) throw ambiguousColumn(table === null ? name : `${table}.${name}`);
      found = index;
    });
    if (found !== -1) return found;
    if (!tableSeen) throw new SqlError('42P01', `missing FROM-clause entry for table "${table}"`);
    // PostgreSQL's errorMissingColumn: a qualified name is printed bare (column t.c does not exist).
    throw table === null ? undefinedColumn(name) : new SqlError('42703', `column ${table}.${name} does not exist`);
  }

  /** The positions `*` (qualifier empty) or `t.*` expands to. */
  star(qualifier: readonly string[]): number[] {
    const table = qualifier.length === 0 ? null : qualifier[qualifier.length - 1]!;
    const positions: number[] = [];
    this.columns.forEach((column, index) => {
      const shown = column.qualifiedOnly === true ? table !== null : !column.hidden;
      if (shown && (table === null || column.table === table)) positions.push(index);
    });
    if (table !== null && !this.columns.some((column) => column.table === table)) throw new SqlError('42P01', `missing FROM-clause entry for table "${table}"`);
    return positions;
  }

  concat(other: Scope): Scope {
    return new Scope([...this.columns, ...other.columns]);
  }
}

/**
 * The outer scope of a subquery inside a subquery (PostgreSQL's varlevelsup): the columns of the
 * query directly around it, then — nearest level first — those its own outer scope reaches. The
 * outer row is laid out the same way (sql/exec/engine.ts fillCorrelated appends the enclosing
 * outer row), so a reference two or more levels up reads a fixed position. A reference that
 * reaches past the near query marks that query correlated too (`outer.used`): it must run again
 * per row of the query it reads.
 */
export class ChainedScope extends Scope {
  constructor(
    private readonly near: Scope,
    private readonly outer: { readonly scope: Scope; used: boolean },
  ) {
    super([...near.columns, ...outer.scope.columns]);
  }

  override resolve(path: readonly string[]): number {
    try {
      return this.near.resolve(path);
    } catch (error) {
      if (!(error instanceof SqlError) || (error.sqlState !== '42703' && error.sqlState !== '42P01')) throw error;
      let index: number;
      try {
        index = this.outer.scope.resolve(path);
      } catch (outerError) {
        if (outerError instanceof SqlError && outerError.sqlState === '42803') throw outerError;
        throw error;
      }
      this.outer.used = true;
      return this.near.columns.length + index;
    }
  }
}

/**
 * The output of GROUP BY (its group columns, laid out as the aggregate's output row begins) as
 * the outer scope of a subquery in HAVING or in the grouped SELECT list: a correlated subquery
 * may read a group column; a column of the FROM clause that is not one is PostgreSQL's 42803
 * "subquery uses ungrouped column … from outer query" rather than an unknown column.
 */
export class GroupedScope extends Scope {
  constructor(
    private readonly input: Scope,
    columns: readonly ScopeColumn[],
  ) {
    super(columns);
  }

  override resolve(path: readonly string[]): number {
    try {
      return super.resolve(path);
    } catch (error) {
      let position: number;
      try {
        position = this.input.resolve(path);
      } catch {
        throw error;
      }
      const column = this.input.columns[position]!;
      throw new SqlError('42803', `subquery uses ungrouped column "${column.table === null ? column.name : `${column.table}.${column.name}`}" from outer query`);
    }
  }
}
