/**
 * The `id` of `.keyvalue()`'s pairs: PostgreSQL numbers an object by the byte offset of its
 * container inside the jsonb document it came from (the "base object": the path's `$`, or the
 * `vars` document for a `$name`, whose ids are offset by 10^10). Offsets follow jsonb's binary
 * layout (jsonb_util.c's convertToJsonb), reproduced here without building the bytes:
 *
 * ```
 *   container := header (4) · JEntry (4) per element, or per key and per value
 *                · keys' bytes (objects, keys in storage order) · values' data
 *   value data := string: its UTF-8 bytes | number: pad to 4, numeric varlena | bool, null: —
 *               | container: pad to 4, the container
 * ```
 *
 * A numeric varlena is a 4-byte length, a 2-byte header (4 when the scale passes 63 or the
 * weight leaves -64..63) and 2 bytes per base-10000 digit, zeros at both ends stripped.
 */
import type { JsonNode } from '../../types/jsonb-text.js';
import { itemType, sortedEntries, stringOf } from './jsonpath-values.js';

/** A document's container offsets, computed once per document. */
const offsetsByDocument = new WeakMap<JsonNode, WeakMap<JsonNode, number>>();

/** The offset of `container` inside `document` (0 for the document itself or one not inside it). */
export function containerOffset(document: JsonNode, container: JsonNode): number {
  let offsets = offsetsByDocument.get(document);
  if (offsets === undefined) {
    offsets = new WeakMap();
    if (document.kind !== 'scalar') layOut(document, 0, offsets);
    offsetsByDocument.set(document, offsets);
  }
  return offsets.get(container) ?? 0;
}

const align = (offset: number): number => (offset + 3) & ~3;

/** Records the offsets of the containers inside `container` (placed at `start`); returns its end. */
function layOut(container: JsonNode, start: number, offsets: WeakMap<JsonNode, number>): number {
  const entries = container.kind === 'object' ? sortedEntries(container) : [];
  const values = container.kind === 'object' ? entries.map(([, value]) => value) : container.kind === 'array' ? container.items : [];
  let offset = start + 4 + 4 * (values.length + entries.length);
  for (const [key] of entries) offset += Buffer.byteLength(key, 'utf8');
  for (const value of values) {
    if (value.kind !== 'scalar') {
      offset = align(offset);
      offsets.set(value, offset);
      offset = layOut(value, offset, offsets);
      continue;
    }
    const type = itemType(value);
    if (type === 'string') offset += Buffer.byteLength(stringOf(value), 'utf8');
    else if (type === 'number') offset = align(offset) + numericBytes(value.text);
  }
  return offset;
}

/** The size of PostgreSQL's numeric varlena for a number printed as `text` (no exponent). */
function numericBytes(text: string): number {
  const [integerPart, fractionPart = ''] = text.replace(/^-/, '').split('.');
  const integerDigits = integerPart!.padStart(Math.ceil(integerPart!.length / 4) * 4, '0');
  const fractionDigits = fractionPart.padEnd(Math.ceil(fractionPart.length / 4) * 4, '0');
  const groups = (integerDigits + fractionDigits).match(/.{4}/g) ?? [];
  const integerGroups = integerDigits.length / 4;
  let first = 0;
  while (first < groups.length && Number(groups[first]) === 0) first++;
  let last = groups.length;
  while (last > first && Number(groups[last - 1]) === 0) last--;
  const digits = last - first;
  const weight = digits === 0 ? 0 : integerGroups - 1 - first;
  const short = fractionPart.length <= 63 && weight >= -64 && weight <= 63;
  return 4 + (short ? 2 : 4) + 2 * digits;
}
