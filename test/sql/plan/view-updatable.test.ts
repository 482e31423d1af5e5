// PostgreSQL's rules for automatically updatable views (sql/plan/view-updatable.ts): which view
// queries take INSERT / UPDATE / DELETE, PostgreSQL's detail for those that do not (in its order
// of checks), and which view columns are writable base columns. End to end (the rewrite, the
// 55000 / 0A000 errors, information_schema) in test/logic/testdata/views.slt.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../../sql/parser/index.js';
import { hasUpdatableColumn, viewDefinitionQuery, viewUpdatability, type ViewUpdatability } from '../../../sql/plan/view-updatable.js';

function judge(select: string, columnCount: number, star: readonly string[] = ['a', 'b', 'c']): ViewUpdatability {
  return viewUpdatability(viewDefinitionQuery(`CREATE VIEW v AS ${select}`), columnCount, () => star);
}

const detail = (result: ViewUpdatability): string | null => (result.updatable ? null : result.detail);

describe('viewUpdatability', () => {
  beforeAll(async () => {
    await loadParser();
  });

  it('takes a single-table SELECT: plain columns (bare or qualified by the base) are base columns, expressions are not', () => {
    const result = judge('SELECT a, t.b AS bee, a + 1 AS next, 7 AS seven FROM t WHERE c > 0', 4);
    expect(result.updatable).toBe(true);
    if (!result.updatable) return;
    expect(result.base.name.name).toBe('t');
    expect(result.where).not.toBeNull();
    expect(result.columns.map((column) => column.baseColumn)).toEqual(['a', 'b', null, null]);
    expect(hasUpdatableColumn(result)).toBe(true);
  });

  it('expands * to the base columns at creation, each writable', () => {
    const result = judge('SELECT * FROM t AS x', 3);
    expect(result.updatable && result.columns.map((column) => column.baseColumn)).toEqual(['a', 'b', 'c']);
    expect(result.updatable && result.columns[0]!.expr).toMatchObject({ kind: 'ColumnRef', path: ['x', 'a'] });
  });

  it('reads a column qualified by another name as an expression', () => {
    const result = judge('SELECT u.a FROM t', 1);
    expect(result.updatable && result.columns[0]!.baseColumn).toBeNull();
  });

  it('has no updatable column when every column is an expression (DELETE still works)', () => {
    const result = judge('SELECT 1 AS one, a + 0 AS x FROM t', 2);
    expect(result.updatable).toBe(true);
    expect(result.updatable && hasUpdatableColumn(result)).toBe(false);
  });

  it.each([
    ['SELECT DISTINCT a FROM t', 'Views containing DISTINCT are not automatically updatable.'],
    ['SELECT a FROM t GROUP BY a', 'Views containing GROUP BY are not automatically updatable.'],
    ['SELECT 1 AS one FROM t HAVING true', 'Views containing HAVING are not automatically updatable.'],
    ['SELECT a FROM t UNION SELECT a FROM u', 'Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.'],
    ['WITH w AS (SELECT 1) SELECT a FROM t', 'Views containing WITH are not automatically updatable.'],
    ['SELECT a FROM t LIMIT 1', 'Views containing LIMIT or OFFSET are not automatically updatable.'],
    ['SELECT a FROM t OFFSET 1', 'Views containing LIMIT or OFFSET are not automatically updatable.'],
    ['SELECT count(*) AS n FROM t', 'Views that return aggregate functions are not automatically updatable.'],
    ['SELECT row_number() OVER () AS r FROM t', 'Views that return window functions are not automatically updatable.'],
    ['SELECT generate_series(1, 2) AS g FROM t', 'Views that return set-returning functions are not automatically updatable.'],
    ['SELECT t.a FROM t, u', 'Views that do not select from a single table or view are not automatically updatable.'],
    ['SELECT t.a FROM t JOIN u ON true', 'Views that do not select from a single table or view are not automatically updatable.'],
    ['SELECT s.a FROM (SELECT a FROM t) s', 'Views that do not select from a single table or view are not automatically updatable.'],
    ['VALUES (1)', 'Views that do not select from a single table or view are not automatically updatable.'],
    ['SELECT 1 AS one', 'Views that do not select from a single table or view are not automatically updatable.'],
    // DISTINCT is checked before the aggregate, as PostgreSQL's view_query_is_auto_updatable does.
    ['SELECT DISTINCT count(*) FROM t', 'Views containing DISTINCT are not automatically updatable.'],
  ])('refuses %s', (select, expected) => {
    expect(detail(judge(select, 1))).toBe(expected);
  });
});
