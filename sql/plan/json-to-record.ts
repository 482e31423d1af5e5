/**
 * `json_to_record(json) AS x (a int, b text[])`, `json_to_recordset`, and their jsonb twins in
 * FROM: functions returning `record`, whose columns only the query's column definition list
 * names (PostgreSQL's coldeflist). json_to_record gives one row of the object's fields as those
 * columns (expr/json-populate.ts converts each), one row of NULLs for a NULL document;
 * json_to_recordset one row per object of an array, none for a NULL document.
 *
 * PostgreSQL's refusals: no column definition list (42601), one on any other function (42601),
 * a column named twice (42701), a document that is not an object (22023 `cannot call
 * populate_composite on an array`) or not an array of objects (22023).
 */
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import { parseJson, type JsonValue } from '../types/json-text.js';
import { formatType, jsonbType, jsonType } from '../types/sql-type.js';
import { coerce, isOpen } from './expr/coerce.js';
import { inOrder, resolveType, type ExprCompiler } from './expr/compile.js';
import { populateRecord, type PopulatedColumn } from './expr/json-populate.js';
import type { FromResult } from './context.js';
import { Scope } from './scope.js';

/** The functions in FROM that take a column definition list. */
export const recordFunctionNames: ReadonlySet<string> = new Set(['json_to_record', 'json_to_recordset', 'jsonb_to_record', 'jsonb_to_recordset']);

/** The functions in FROM whose columns are OUT parameters (named already). */
const outParameterFunctionNames: ReadonlySet<string> = new Set(['json_each', 'json_each_text', 'jsonb_each', 'jsonb_each_text', '_pg_expandarray']);

/** 42601 for a column definition list on a function that does not return record. */
export function refuseColumnDefinitions(item: ast.FunctionRef, name: string | undefined): void {
  if (item.columnDefinitions === null) return;
  if (name !== undefined && outParameterFunctionNames.has(name)) throw new SqlError('42601', 'a column definition list is redundant for a function with OUT parameters');
  throw new SqlError('42601', 'a column definition list is only allowed for functions returning "record"');
}

export async function planJsonToRecord(compiler: ExprCompiler, item: ast.FunctionRef, name: string): Promise<FromResult> {
  const args = await inOrder(item.call.args, (arg) => compiler.compile(arg));
  const documentType = name.startsWith('jsonb_') ? jsonbType : jsonType;
  if (args.length !== 1 || (!isOpen(args[0]!) && args[0]!.type.kind !== documentType.kind)) {
    throw new SqlError('42883', `function ${name}(${args.map((arg) => (isOpen(arg) ? 'unknown' : formatType(arg.type))).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  }
  if (item.columnDefinitions === null) throw new SqlError('42601', 'a column definition list is required for functions returning "record"');
  const columns = definedColumns(item.columnDefinitions);
  const document = coerce(args[0]!, documentType, 'implicit', compiler.paramTypes);
  if (!document.rowIndependent) throw new SqlError('0A000', `${name} arguments must not reference columns of the same FROM list`);
  const alias = item.alias?.name ?? name;
  const scope = new Scope(columns.map((column) => ({ name: column.name, table: alias, type: column.type, hidden: false, tableOid: 0, columnNumber: 0 })));
  const recordset = name.endsWith('recordset');
  const value = document.eval;
  return {
    node: {
      kind: 'virtual',
      name,
      width: columns.length,
      rows: async (_txn, ctx) => {
        const text = value([], ctx) as string | null;
        if (text === null) return recordset ? [] : [columns.map(() => null)];
        const parsed = parseJson(text);
        return recordset ? objectsOf(parsed, name).map((object) => populateRecord(object, columns, ctx)) : [populateRecord(objectOf(parsed), columns, ctx)];
      },
    },
    scope,
  };
}

function definedColumns(definitions: readonly ast.FunctionColumn[]): PopulatedColumn[] {
  const seen = new Set<string>();
  return definitions.map((definition) => {
    if (seen.has(definition.name)) throw new SqlError('42701', `column name "${definition.name}" specified more than once`);
    seen.add(definition.name);
    return { name: definition.name, type: resolveType(definition.type) };
  });
}

type JsonObject = JsonValue & { kind: 'object' };

function objectOf(value: JsonValue): JsonObject {
  if (value.kind === 'object') return value;
  throw new SqlError('22023', `cannot call populate_composite on ${value.kind === 'array' ? 'an array' : 'a scalar'}`);
}

function objectsOf(value: JsonValue, name: string): JsonObject[] {
  // PostgreSQL's json walker names what it found; jsonb's only that it is not an array.
  const found = name.startsWith('jsonb_') ? 'a non-array' : value.kind === 'object' ? 'an object' : 'a scalar';
  if (value.kind !== 'array') throw new SqlError('22023', `cannot call ${name} on ${found}`);
  return value.items.map((item) => {
    if (item.kind !== 'object') throw new SqlError('22023', `argument of ${name} must be an array of objects`);
    return item;
  });
}
