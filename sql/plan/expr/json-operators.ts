/**
 * json's operators, as PostgreSQL 15 defines them (jsonfuncs.c): `->` a field (text) or an
 * element (int; negative counts from the end) as json — the value's own text, verbatim — and
 * `->>` as text; `#>` / `#>>` the same along a path (text[]). A missing key, an index out of
 * range or a step into a scalar gives NULL; `->>` of JSON null is SQL NULL. Where an object
 * repeats a key, the last pair's value is the one found.
 *
 * json has no other operators: no equality (PostgreSQL has none: 42883, refused in
 * operators.ts), no containment or key tests (those are jsonb's).
 */
import type { Datum } from '../../types/datum.js';
import { jsonAsText, jsonField, parseJson, type JsonValue } from '../../types/json-text.js';
import { arrayType, formatType, int4Type, jsonType, textType, typeCategory, type SqlType } from '../../types/sql-type.js';
import { SqlError } from '../../catalog/errors.js';
import { coerce, isOpen } from './coerce.js';
import type { CompiledExpr } from './compiled.js';
import { jsonPath } from './json-functions.js';
import { strictBinary } from './strict.js';

const jsonOperatorNames: ReadonlySet<string> = new Set(['->', '->>', '#>', '#>>']);
const textArrayType = arrayType(textType);

function element(value: JsonValue, index: number): JsonValue | undefined {
  if (value.kind !== 'array') return undefined;
  return value.items[index < 0 ? value.items.length + index : index];
}

function noOperator(operator: string, right: SqlType): SqlError {
  return new SqlError('42883', `operator does not exist: json ${operator} ${formatType(right)}`, { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
}

/** `json -> int`: int4 (an int2 widens to it; there is no bigint overload, as PostgreSQL). */
const isInteger = (type: SqlType): boolean => type.kind === 'int2' || type.kind === 'int4';

/** The result of a lookup: json text for `->` / `#>`, text for `->>` / `#>>`. */
function result(found: JsonValue | undefined, asText: boolean): Datum {
  return asText ? jsonAsText(found) : (found?.text ?? null);
}

/**
 * `left operator right` for json's operators, or undefined when `left` is not json (or the
 * operator is not one of json's), so jsonb's and others may apply. An untyped right side takes
 * text for `->` and text[] for `#>`, as PostgreSQL's unknown-prefers-text resolution does.
 */
export function jsonOperator(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr | undefined {
  if (!jsonOperatorNames.has(operator) || isOpen(leftIn) || leftIn.type.kind !== 'json') return undefined;
  const asText = operator === '->>' || operator === '#>>';
  const resultType = asText ? textType : jsonType;
  if (operator === '#>' || operator === '#>>') {
    if (!isOpen(rightIn) && !(rightIn.type.kind === 'array' && typeCategory(rightIn.type.element) === 'S')) throw noOperator(operator, rightIn.type);
    const right = coerce(rightIn, textArrayType, 'implicit', paramTypes);
    return strictBinary(resultType, leftIn, right, (a, b) => result(jsonPath(parseJson(a as string), b as readonly Datum[]), asText));
  }
  if (!isOpen(rightIn) && isInteger(rightIn.type)) {
    const right = coerce(rightIn, int4Type, 'implicit', paramTypes);
    return strictBinary(resultType, leftIn, right, (a, b) => result(element(parseJson(a as string), b as number), asText));
  }
  if (!isOpen(rightIn) && typeCategory(rightIn.type) !== 'S') throw noOperator(operator, rightIn.type);
  const right = coerce(rightIn, textType, 'implicit', paramTypes);
  return strictBinary(resultType, leftIn, right, (a, b) => result(jsonField(parseJson(a as string), b as string), asText));
}
