/**
 * A string key of a row's datums with SQL equality (for DISTINCT, GROUP BY, UNION): the
 * order-preserving key encoding where the type has one — it equates exactly what `=` equates
 * (`1.5` and `1.50`, `-0` and `0`, `'a '` and `'a'` as bpchar) — else the datum's text.
 */
import { KeyBuilder } from '../../kv/api/index.js';
import { appendDatumKey, keyEncodable } from './key-datum.js';
import type { Datum } from '../types/datum.js';
import { formatText } from '../types/text-io.js';
import type { SqlType } from '../types/sql-type.js';

const builder = new KeyBuilder(256);

export function datumsKey(types: readonly SqlType[], values: readonly Datum[]): string {
  builder.reset();
  let text = '';
  types.forEach((type, index) => {
    const value = values[index] ?? null;
    if (value === null || keyEncodable(type)) appendDatumKey(builder, type, value, 'ascending');
    else text += `\u0000${formatText(type, value)}`;
  });
  return Buffer.from(builder.finish()).toString('latin1') + text;
}
