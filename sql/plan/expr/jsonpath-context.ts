/**
 * What the predicates and item methods (jsonpath-predicates.ts, jsonpath-methods.ts) see of the
 * evaluator (jsonpath-eval.ts's `JsonPathExecutor`), so that they need not import it back.
 */
import type { SqlError } from '../../catalog/errors.js';
import type { JsonNode } from '../../types/jsonb-text.js';
import type { JsonPathItem } from '../../types/jsonpath-ast.js';

/** A step's outcome: found something, found nothing, or an error was suppressed (`silent`). */
export type Status = 'ok' | 'notFound' | 'error';

/** A predicate's three-valued truth. */
export type Truth = 'true' | 'false' | 'unknown';

export interface JsonPathContext {
  readonly lax: boolean;
  /** Whether errors are raised (false under `silent` and inside predicates). */
  throwErrors: boolean;
  /** The document `.keyvalue()` numbers objects in, and its id (0 for `$`, 1 for `vars`). */
  readonly baseObject: { readonly document: JsonNode; readonly id: number };
  fail(error: SqlError): Status;
  structural(error: SqlError): Status;
  execute(item: JsonPathItem, value: JsonNode, found: JsonNode[] | undefined): Status;
  executeNext(item: JsonPathItem, value: JsonNode, found: JsonNode[] | undefined): Status;
  executeQuietly(item: JsonPathItem, value: JsonNode, unwrap: boolean, found: JsonNode[]): Status;
  unwrapTarget(item: JsonPathItem | undefined, array: JsonNode, found: JsonNode[] | undefined, unwrapElements: boolean): Status;
}
