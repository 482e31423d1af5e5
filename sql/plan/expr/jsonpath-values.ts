/**
 * The values a jsonpath evaluation passes around: jsonb's tree (`JsonNode`, scalars kept as
 * their normalized jsonb text), read and made here — the SQL/JSON item types (`.type()`), numbers
 * as exact `Numeric`s, strings decoded, objects' members in jsonb's storage order (keys shorter
 * first, then bytewise), the order PostgreSQL's iterators visit them in.
 */
import { compareKeys, escapeJson, type JsonNode } from '../../types/jsonb-text.js';
import { Numeric } from '../../types/numeric.js';

export type JsonItemType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export const jsonNull: JsonNode = Object.freeze({ kind: 'scalar', text: 'null' });

export function itemType(node: JsonNode): JsonItemType {
  if (node.kind !== 'scalar') return node.kind;
  const first = node.text[0];
  if (first === '"') return 'string';
  if (first === 'n') return 'null';
  if (first === 't' || first === 'f') return 'boolean';
  return 'number';
}

export function numberNode(value: Numeric): JsonNode {
  return { kind: 'scalar', text: value.toString() };
}

export function stringNode(value: string): JsonNode {
  return { kind: 'scalar', text: escapeJson(value) };
}

export function boolNode(value: boolean): JsonNode {
  return { kind: 'scalar', text: value ? 'true' : 'false' };
}

/** The number of a `number` item. */
export function numberOf(node: JsonNode): Numeric {
  return Numeric.parse((node as { text: string }).text);
}

/** The string of a `string` item. */
export function stringOf(node: JsonNode): string {
  return JSON.parse((node as { text: string }).text) as string;
}

/** A container's members (array elements, or object values in storage order); none for a scalar. */
export function memberValues(node: JsonNode): readonly JsonNode[] {
  if (node.kind === 'array') return node.items;
  if (node.kind === 'object') return sortedEntries(node).map(([, value]) => value);
  return [];
}

export function sortedEntries(node: JsonNode & { kind: 'object' }): [string, JsonNode][] {
  return [...node.entries].sort(([a], [b]) => compareKeys(a, b));
}

/** Strings in code-point order (UTF-8 bytes), as PostgreSQL compares them in a path. */
export function compareCodePointStrings(left: string, right: string): number {
  return left === right ? 0 : Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}
