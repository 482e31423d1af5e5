/**
 * The SQL functions of the SQL/JSON path language (PostgreSQL 15's jsonpath_exec.c):
 * `jsonb_path_exists`, `jsonb_path_match`, `jsonb_path_query_array`, `jsonb_path_query_first`
 * (here) and `jsonb_path_query` (a set-returning function: set-returning.ts and
 * table-functions.ts call `jsonPathQuery`), each `(target jsonb, path jsonpath [, vars jsonb
 * [, silent bool]])`; and the operators `jsonb @? jsonpath` / `jsonb @@ jsonpath`, which are
 * exists / match with `silent` true. `vars` must be an object: its members are the path's
 * `$name` variables. `silent` suppresses the evaluation's errors (not a missing variable's):
 * the call then returns NULL, or nothing.
 */
import { SqlError } from '../../catalog/errors.js';
import type { Datum } from '../../types/datum.js';
import { parseJsonb, printJsonb, type JsonNode } from '../../types/jsonb-text.js';
import type { JsonPath } from '../../types/jsonpath-ast.js';
import { cachedJsonPath } from '../../types/jsonpath-parse.js';
import { boolType, formatType, jsonbType, jsonpathType, type SqlType } from '../../types/sql-type.js';
import { canCoerce, coerce, isOpen } from './coerce.js';
import type { CompiledExpr } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';
import { bindNamedArguments, noNamedFunction } from './named-args.js';
import { executeJsonPath } from './jsonpath-eval.js';
import { itemType } from './jsonpath-values.js';

function variablesOf(vars: Datum | undefined): JsonNode & { kind: 'object' } {
  if (vars === undefined || vars === null) return { kind: 'object', entries: new Map() };
  const node = parseJsonb(vars as string);
  if (node.kind !== 'object') {
    throw new SqlError('22023', '"vars" argument is not an object', { detail: 'Jsonpath parameters should be encoded as key-value pairs of "vars" object.' });
  }
  return node;
}

interface Call {
  readonly path: JsonPath;
  readonly document: JsonNode;
  readonly variables: JsonNode & { kind: 'object' };
  readonly silent: boolean;
}

function call([target, path, vars, silent]: readonly Datum[]): Call {
  return { path: cachedJsonPath(path as string), document: parseJsonb(target as string), variables: variablesOf(vars), silent: silent === true };
}

/** jsonb_path_exists: whether the path yields an item; NULL when a suppressed error happened. */
export function jsonPathExists(args: readonly Datum[]): Datum {
  const { path, document, variables, silent } = call(args);
  const status = executeJsonPath(path, document, variables, silent, undefined);
  return status === 'error' ? null : status === 'ok';
}

/** jsonb_path_match: the path's single boolean result (or NULL for a null one); 22038 otherwise unless silent. */
export function jsonPathMatch(args: readonly Datum[]): Datum {
  const { path, document, variables, silent } = call(args);
  const found: JsonNode[] = [];
  executeJsonPath(path, document, variables, silent, found);
  if (found.length === 1) {
    const type = itemType(found[0]!);
    if (type === 'boolean') return (found[0] as { text: string }).text === 'true';
    if (type === 'null') return null;
  }
  if (!silent) throw new SqlError('22038', 'single boolean result is expected');
  return null;
}

/** The items `jsonb_path_query` returns, printed as jsonb. */
export function jsonPathQuery(args: readonly Datum[]): string[] {
  const { path, document, variables, silent } = call(args);
  const found: JsonNode[] = [];
  executeJsonPath(path, document, variables, silent, found);
  return found.map(printJsonb);
}

const params = { names: ['target', 'path', 'vars', 'silent'], defaults: ['{}', false] };

function overloads(result: FunctionOverload['result'], impl: (args: readonly Datum[]) => Datum): readonly FunctionOverload[] {
  return [
    { args: [jsonbType, jsonpathType], result, strict: true, immutable: true, impl },
    { args: [jsonbType, jsonpathType, jsonbType], result, strict: true, immutable: true, impl },
    { args: [jsonbType, jsonpathType, jsonbType, boolType], result, strict: true, immutable: true, impl, params },
  ];
}

/** The jsonpath functions, for functions.ts's table. */
export function jsonPathFunctions(): [string, readonly FunctionOverload[]][] {
  return [
    ['jsonb_path_exists', overloads(boolType, jsonPathExists)],
    ['jsonb_path_match', overloads(boolType, jsonPathMatch)],
    ['jsonb_path_query_array', overloads(jsonbType, (args) => `[${jsonPathQuery(args).join(', ')}]`)],
    ['jsonb_path_query_first', overloads(jsonbType, (args) => jsonPathQuery(args)[0] ?? null)],
  ];
}

/** `jsonb @? jsonpath` and `jsonb @@ jsonpath`: exists / match, silent. */
export function jsonPathOperator(operator: '@?' | '@@', target: Datum, path: Datum): Datum {
  const args = [target, path, '{}', true];
  return operator === '@?' ? jsonPathExists(args) : jsonPathMatch(args);
}

const queryArgumentTypes = [jsonbType, jsonpathType, jsonbType, boolType];

/**
 * `jsonb_path_query(target, path [, vars [, silent]])` as a set-returning call (the shape of
 * set-returning.ts's SetReturningCall): one jsonb row per item the path yields.
 */
export function jsonPathQueryCall(
  argsIn: readonly CompiledExpr[],
  paramTypes: (SqlType | undefined)[],
  argNames?: readonly (string | null)[],
): { name: string; type: SqlType; args: readonly CompiledExpr[]; expand: (args: readonly Datum[]) => Iterator<Datum> } {
  const name = 'jsonb_path_query';
  let args = argsIn;
  if (argNames !== undefined) {
    // Named arguments bind as the scalar functions' do (named-args.ts), to the same parameters.
    const bound = bindNamedArguments(overloads(jsonbType, () => null), argsIn, argNames);
    if (bound === undefined) throw noNamedFunction(name, argsIn, argNames);
    args = bound.args;
  }
  if (args.length < 2 || args.length > 4 || args.some((arg, index) => !isOpen(arg) && !canCoerce(arg.type, queryArgumentTypes[index]!, 'implicit'))) {
    throw new SqlError('42883', `function ${name}(${args.map((arg) => (isOpen(arg) ? 'unknown' : formatType(arg.type))).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const coerced = args.map((arg, index) => coerce(arg, queryArgumentTypes[index]!, 'implicit', paramTypes));
  return { name, type: jsonbType, args: coerced, expand: (values) => jsonPathQuery(values)[Symbol.iterator]() };
}
