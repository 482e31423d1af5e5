/**
 * A compact, deterministic rendering of the AST for the golden files: expressions inline as
 * S-expressions (`(+ abalance $1)`), statements and queries as indented `field: value` lines.
 * Fields that are null, false, empty or `'default'` are left out, and so are locations (the
 * `locations` directive prints those).
 */
import type * as ast from '../../../sql/parser/index.js';

const exprKinds = new Set<string>([
  'ColumnRef', 'Star', 'Literal', 'TypedLiteral', 'Parameter', 'UnaryOp', 'BinaryOp', 'And', 'Or', 'Not', 'IsNull',
  'IsBool', 'IsDistinctFrom', 'Between', 'InList', 'InSubquery', 'Like', 'Case', 'Coalesce', 'NullIf', 'MinMax',
  'FuncCall', 'SqlValueFunction', 'Cast', 'Collate', 'SubqueryExpr', 'QuantifiedComparison', 'ArrayConstructor',
  'RowConstructor', 'Indirection', 'DefaultValue',
]);

type Any = Record<string, unknown>;

function isExpr(value: unknown): value is ast.Expr {
  return typeof value === 'object' && value !== null && exprKinds.has((value as Any)['kind'] as string);
}

function name(n: ast.QualifiedName): string {
  return [n.catalog, n.schema, n.name].filter((part) => part !== null).join('.');
}

function typeName(t: ast.TypeName): string {
  const modifiers = t.modifiers.length > 0 ? `(${t.modifiers.map(expr).join(',')})` : '';
  return t.names.join('.') + modifiers + t.arrayBounds.map((bound) => (bound === -1 ? '[]' : `[${bound}]`)).join('');
}

function list(values: readonly ast.Expr[]): string {
  return values.map(expr).join(' ');
}

/** An expression as an S-expression. */
export function expr(e: ast.Expr): string {
  switch (e.kind) {
    case 'ColumnRef': return e.path.join('.');
    case 'Star': return [...e.qualifier, '*'].join('.');
    case 'Literal': {
      const v = e.value;
      switch (v.type) {
        case 'integer': return v.digits;
        case 'numeric': return v.text;
        case 'string': return `'${v.value.replace(/'/g, "''").replace(/\n/g, '\\n')}'`;
        case 'bitString': return `B'${v.value}'`;
        case 'boolean': return String(v.value);
        case 'null': return 'NULL';
      }
      break;
    }
    case 'TypedLiteral': return `${typeName(e.type)}'${e.value}'`;
    case 'Parameter': return `$${e.index}`;
    case 'UnaryOp': return `(${e.operatorSchema === null ? '' : `${e.operatorSchema}.`}${e.operator} ${expr(e.operand)})`;
    case 'BinaryOp': return `(${e.operatorSchema === null ? '' : `OPERATOR(${e.operatorSchema}.`}${e.operator}${e.operatorSchema === null ? '' : ')'} ${expr(e.left)} ${expr(e.right)})`;
    case 'And': return `(AND ${list(e.args)})`;
    case 'Or': return `(OR ${list(e.args)})`;
    case 'Not': return `(NOT ${expr(e.arg)})`;
    case 'IsNull': return `(IS ${e.negated ? 'NOT ' : ''}NULL ${expr(e.arg)})`;
    case 'IsBool': return `(IS ${e.negated ? 'NOT ' : ''}${e.test.toUpperCase()} ${expr(e.arg)})`;
    case 'IsDistinctFrom': return `(IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${expr(e.left)} ${expr(e.right)})`;
    case 'Between': return `(${e.negated ? 'NOT ' : ''}BETWEEN${e.symmetric ? ' SYMMETRIC' : ''} ${expr(e.arg)} ${expr(e.low)} ${expr(e.high)})`;
    case 'InList': return `(${e.negated ? 'NOT ' : ''}IN ${expr(e.arg)} [${list(e.list)}])`;
    case 'InSubquery': return `(IN ${expr(e.arg)} {${query(e.query)}})`;
    case 'Like': return `(${e.negated ? 'NOT ' : ''}${e.mode.toUpperCase()} ${expr(e.arg)} ${expr(e.pattern)}${e.escape === null ? '' : ` ESCAPE ${expr(e.escape)}`})`;
    case 'Case': return `(CASE${e.arg === null ? '' : ` ${expr(e.arg)}`}${e.whens.map((w) => ` (WHEN ${expr(w.condition)} ${expr(w.result)})`).join('')}${e.else === null ? '' : ` (ELSE ${expr(e.else)})`})`;
    case 'Coalesce': return `(COALESCE ${list(e.args)})`;
    case 'NullIf': return `(NULLIF ${expr(e.left)} ${expr(e.right)})`;
    case 'MinMax': return `(${e.op.toUpperCase()} ${list(e.args)})`;
    case 'FuncCall': {
      const named = e.argNames === undefined ? list(e.args) : e.args.map((arg, index) => (e.argNames![index] === null ? expr(arg) : `${e.argNames![index]} => ${expr(arg)}`)).join(' ');
      const args = e.star ? '*' : `${e.distinct ? 'DISTINCT ' : ''}${e.variadic ? 'VARIADIC ' : ''}${named}`;
      const order = e.orderBy.length > 0 ? ` ORDER BY ${e.orderBy.map(sortBy).join(', ')}` : '';
      const over = e.over === undefined ? '' : ` OVER ${windowSpec(e.over)}`;
      if (e.withinGroup === true) return `${e.name.join('.')}(${args}) WITHIN GROUP (${order.trim()})${e.filter === null ? '' : ` FILTER ${expr(e.filter)}`}`;
      return `${e.name.join('.')}(${args}${order})${e.filter === null ? '' : ` FILTER ${expr(e.filter)}`}${over}`;
    }
    case 'SqlValueFunction': return e.precision === null ? e.name : `${e.name}(${e.precision})`;
    case 'Cast': return `(:: ${expr(e.arg)} ${typeName(e.type)})`;
    case 'Collate': return `(COLLATE ${expr(e.arg)} ${e.collation.join('.')})`;
    case 'SubqueryExpr': return `(${e.mode.toUpperCase()} {${query(e.query)}})`;
    case 'QuantifiedComparison': {
      const right = e.right.kind === 'array' ? expr(e.right.expr) : `{${query(e.right.query)}}`;
      return `(${e.operator} ${e.quantifier.toUpperCase()} ${expr(e.left)} ${right})`;
    }
    case 'ArrayConstructor': return `ARRAY[${list(e.elements)}]`;
    case 'RowConstructor': return `${e.explicit ? 'ROW' : ''}(${list(e.args)})`;
    case 'GroupingFunc': return `GROUPING(${list(e.args)})`;
    case 'Indirection': return `(${expr(e.arg)})${e.steps.map(step).join('')}`;
    case 'DefaultValue': return 'DEFAULT';
  }
  return '?';
}

function step(s: ast.IndirectionStep): string {
  switch (s.kind) {
    case 'field': return `.${s.name}`;
    case 'star': return '.*';
    case 'index': return `[${expr(s.index)}]`;
    case 'slice': return `[${s.lower === null ? '' : expr(s.lower)}:${s.upper === null ? '' : expr(s.upper)}]`;
  }
}

function sortBy(s: ast.SortBy): string {
  const parts = [expr(s.expr)];
  if (s.direction !== 'default') parts.push(s.direction.toUpperCase());
  if (s.nulls !== 'default') parts.push(`NULLS ${s.nulls.toUpperCase()}`);
  if (s.using !== null) parts.push(`USING ${s.using}`);
  return parts.join(' ');
}

/** `w`, or `(w PARTITION BY … ORDER BY … ROWS BETWEEN … AND … EXCLUDE …)`, prefixed by `w AS` in a WINDOW clause. */
function windowSpec(w: ast.WindowSpec): string {
  const bound = (b: ast.FrameBound): string => ('offset' in b ? `${expr(b.offset)} ${b.kind.toUpperCase()}` : b.kind.toUpperCase());
  const frame = w.frame === null ? null : `${w.frame.mode.toUpperCase()} BETWEEN ${bound(w.frame.start)} AND ${bound(w.frame.end)}${w.frame.exclude === 'no others' ? '' : ` EXCLUDE ${w.frame.exclude.toUpperCase()}`}`;
  const parts = [
    w.refName,
    w.partitionBy.length > 0 ? `PARTITION BY ${w.partitionBy.map(expr).join(', ')}` : null,
    w.orderBy.length > 0 ? `ORDER BY ${w.orderBy.map(sortBy).join(', ')}` : null,
    frame,
  ].filter((part) => part !== null);
  const isReference = w.refName === null && parts.length === 0 && w.name !== null;
  return isReference ? w.name! : `${w.name === null ? '' : `${w.name} AS `}(${parts.join(' ')})`;
}

/** A query on one line (for subqueries inside expressions). */
function query(q: ast.Query): string {
  return render(q, 0).trim().replace(/\n\s*/g, '; ');
}

function isQualifiedName(value: unknown): value is ast.QualifiedName {
  return typeof value === 'object' && value !== null && 'catalog' in value && 'schema' in value && 'name' in value && !('kind' in value);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === false || value === 'default' || (Array.isArray(value) && value.length === 0);
}

function inline(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) return null;
  if (isExpr(value)) return expr(value);
  if (isQualifiedName(value)) return name(value);
  const object = value as Any;
  if (object['kind'] === 'TypeName') return typeName(value as ast.TypeName);
  if ('direction' in object && 'nulls' in object && 'using' in object) return sortBy(value as ast.SortBy);
  if ('refName' in object && 'partitionBy' in object && 'frame' in object) return windowSpec(value as ast.WindowSpec);
  if ('expr' in object && 'alias' in object && 'location' in object) {
    const target = value as ast.Target;
    return target.alias === null ? expr(target.expr) : `${expr(target.expr)} AS ${target.alias}`;
  }
  if ('column' in object && 'value' in object && isExpr(object['value'])) {
    const assignment = value as ast.Assignment;
    const field = assignment.field === undefined ? '' : ` [field ${assignment.field.index + 1} of ${assignment.field.count}]`;
    return `${assignment.column} = ${expr(assignment.value)}${field}`;
  }
  if ('name' in object && 'columns' in object && Object.keys(object).length === 2) {
    const alias = value as ast.Alias;
    return alias.columns.length === 0 ? alias.name : `${alias.name}(${alias.columns.join(', ')})`;
  }
  if ('name' in object && 'value' in object && Object.keys(object).length === 2) {
    const option = value as ast.Option;
    return option.value === null ? option.name : `${option.name}=${option.value}`;
  }
  if ((object['kind'] === 'table' || object['kind'] === 'index') && 'table' in object) {
    const target = value as ast.AdminTarget;
    return target.kind === 'table' ? `table ${name(target.table)}` : `index ${name(target.table)}@${target.index}`;
  }
  if (object['kind'] === 'all' || object['kind'] === 'database') {
    return object['kind'] === 'all' ? 'all' : `database ${String(object['database'])}`;
  }
  if (Array.isArray(value)) {
    const items = value.map(inline);
    if (items.every((item) => item !== null)) return `[${items.join(', ')}]`;
  }
  return null;
}

const skipped = new Set(['kind', 'location', 'text']);
/** Fields where false (said) differs from null (unsaid), so false is printed. */
const triState = new Set(['readOnly', 'deferrable']);

/** Any node as indented lines: `Kind` then `field: value` per non-empty field. */
export function render(value: unknown, depth: number): string {
  const pad = '  '.repeat(depth);
  const object = value as Any;
  const lines: string[] = [];
  if (typeof object['kind'] === 'string') lines.push(`${pad}${object['kind']}`);
  const fieldPad = typeof object['kind'] === 'string' ? `${pad}  ` : pad;
  for (const [key, field] of Object.entries(object)) {
    if (key === 'distinct' && Array.isArray(field) && field.length === 0) {
      lines.push(`${fieldPad}distinct: true`); // plain DISTINCT (an empty DISTINCT ON list)
      continue;
    }
    if (skipped.has(key) || (isEmpty(field) && !(field === false && triState.has(key)))) continue;
    const text = inline(field);
    if (text !== null && text.length <= 100) {
      lines.push(`${fieldPad}${key}: ${text}`);
    } else if (Array.isArray(field)) {
      lines.push(`${fieldPad}${key}:`);
      for (const item of field) {
        const itemText = inline(item);
        if (itemText !== null && itemText.length <= 100) {
          lines.push(`${fieldPad}- ${itemText}`);
        } else {
          // YAML-like: the item's first line after the dash, the rest under it.
          const itemLines = render(item, 0).split('\n');
          lines.push(`${fieldPad}- ${itemLines[0]!}`, ...itemLines.slice(1).map((line) => `${fieldPad}  ${line}`));
        }
      }
    } else {
      lines.push(`${fieldPad}${key}:`, render(field, depth + 2));
    }
  }
  return lines.join('\n');
}

/** Every location in a tree, as `kind@offset`, in document order (for the `locations` directive). */
export function locations(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) locations(item, out);
  } else if (typeof value === 'object' && value !== null) {
    const object = value as Any;
    if (typeof object['location'] === 'number') out.push(`${String(object['kind'] ?? 'node')}@${object['location']}`);
    for (const [key, field] of Object.entries(object)) if (key !== 'location') locations(field, out);
  }
  return out;
}
