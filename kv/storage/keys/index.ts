/**
 * # Order-preserving key encoding
 *
 * SQL rows live in a sorted key-value store, so a table's index key — `/table/<id>/<index>/`
 * followed by the index columns — must be bytes whose order (LevelDB compares unsigned bytes,
 * like `Buffer.compare`) is the SQL order of the column values. This folder turns tuples of
 * typed values (`KeyValue`) into such bytes and back. The models are CockroachDB's
 * `util/encoding` and toyDB's `encoding/keycode`.
 *
 * ## Properties
 *
 * 1. **Order.** For values a, b of one kind, `compare(encode(a), encode(b))` has the sign of
 *    `compareKeyValues(a, b)`; descending columns reverse it.
 * 2. **Prefix-free, self-delimiting elements.** No element's encoding is a proper prefix of
 *    another's, so a tuple is just the concatenation of its elements, and comparing two tuples
 *    bytewise compares them element by element. Appending columns never reorders keys.
 * 3. **Prefix scans.** The encoding of `(a, b)` is a prefix of the encoding of `(a, b, c, …)`,
 *    so `[encodeKey(prefix), prefixEnd(encodeKey(prefix)))` spans exactly those keys.
 * 4. **No schema needed to decode.** Each element opens with a tag byte naming its kind and
 *    direction. `decodeKey` accepts only canonical encodings: it returns values whose encoding
 *    is exactly the input, or throws `KeyDecodeError` — never a crash, never a wrong value.
 * 5. **Equal values, equal bytes.** -0 and +0 encode alike (SQL says they are equal); so do
 *    `-123.4500` and `-123.45`, and all NaNs. Distinct values never share an encoding.
 *
 * ## Layout
 *
 * ```
 *   key      = element*
 *   element  = tag payload                    ascending: tag < 0x80
 *            | ~(tag payload)                 descending: every byte complemented, tag ≥ 0x80
 *
 *   kind         tag   payload                                        file
 *   null         00    —                                              scalars.ts
 *   bool         10    00 | 01                                        scalars.ts
 *   int          12    ordered int64                                  integers.ts, ordered-int.ts
 *   float        14    8 bytes: IEEE 754 bits, sign-flipped           float.ts
 *   decimal      16    class [exponent digit-pairs 00]                decimal.ts
 *   text         18    escaped UTF-8                                  strings.ts, escape.ts
 *   bytes        1a    escaped bytes                                  strings.ts, escape.ts
 *   date         1c    ordered int (days, int32)                      integers.ts
 *   timestamp    1e    ordered int64 (microseconds)                   integers.ts
 *   timestamptz  20    ordered int64 (microseconds, UTC)              integers.ts
 * ```
 *
 * Examples (ascending; the descending form complements every byte):
 *
 * ```
 *   NULL            00                                   descending ff
 *   true            10 01                                descending ef fe
 *   0               12 80
 *   1               12 81 01                             descending ed 7e fe
 *   -1              12 7f
 *   256             12 82 01 00
 *   int64 max       12 88 7f ff ff ff ff ff ff ff
 *   int64 min       12 77 80 00 00 00 00 00 00 00
 *   1.0 (float)     14 bf f0 00 00 00 00 00 00
 *   NaN (float)     14 ff f8 00 00 00 00 00 00
 *   123.45          16 03 81 02 0d 23 33 00
 *   -123.45         16 01 7e fd f2 dc cc ff
 *   'a'             18 61 00 01                          descending e7 9e ff fe
 *   'a\0b'          18 61 00 ff 62 00 01
 *   (1, 'a')        12 81 01 18 61 00 01
 * ```
 *
 * ## Descending = complement
 *
 * A descending column stores the bitwise complement of the ascending element, tag included
 * (CockroachDB does this for bytes; here one rule serves every kind). Two distinct ascending
 * elements differ at some first byte inside both (they are prefix-free), and complementing
 * flips that byte comparison, so the order reverses while the encoding stays prefix-free and
 * decodable: the tag says the direction, and the decoder reads the payload through a 0xff mask.
 *
 * ## NULLs first ascending, last descending
 *
 * PostgreSQL sorts NULL as larger than every value (ASC is NULLS LAST, DESC NULLS FIRST).
 * CockroachDB sorts NULL as smaller than every value, and so do we, for three reasons:
 * NULL's tag 00 is the smallest byte and its complement ff the largest, so the complement rule
 * places NULLs with no special case; an index scan for `x > c` or `x < c` never has NULLs in
 * the middle of its span, and `x IS NULL` is one contiguous span at the start; and rangedb
 * speaks CockroachDB's dialect, so its users expect CockroachDB's order. A query that asks for
 * PostgreSQL's placement (`NULLS LAST`) gets it from the planner (an extra `x IS NULL` sort
 * key), not from the storage order.
 *
 * ## Choices and their reasons
 *
 * - **One tag byte plus a payload**, rather than CockroachDB's packing of small integers into
 *   the tag itself: small ints cost two bytes instead of one, but every kind gets one tag per
 *   direction and the tag table stays tiny. Integers are variable-length (`ordered-int.ts`):
 *   ids and small numbers take 2–3 bytes with the tag, never 9.
 * - **NaN sorts last** (PostgreSQL) for floats and decimals; CockroachDB sorts float NaN first.
 * - **Decimals by value, not by text**: the scale of `1.50` is not in the key. A column that
 *   must return its scale keeps it in the row value (CockroachDB's composite encoding).
 * - **Text is compared by code point** (the "C" collation): UTF-8 byte order is code point
 *   order. Other collations need collation keys, which are not here yet.
 * - **Canonical decoding** (minimal integer lengths, normal decimals, one NaN, no -0): it
 *   makes "decodes" imply "is the encoding of", which property tests check on random garbage.
 */
export { KeyBuilder } from './builder.js';
export { compareKeyValues } from './compare.js';
export type { NormalDecimal } from './decimal-text.js';
export { compareDecimals, formatDecimal, parseDecimal } from './decimal-text.js';
export { appendDecimal, appendNormalDecimal } from './decimal.js';
export type { DecodedKeyValue } from './encoding.js';
export { appendKeyValue, decodeKey, decodeKeyElements, encodeKey, keyDirections, readKeyValue } from './encoding.js';
export { KeyDecodeError } from './errors.js';
export { appendFloat } from './float.js';
export { appendDate, appendInt, appendTimestamp, appendTimestamptz } from './integers.js';
export type {
  BoolKeyValue,
  BytesKeyValue,
  DateKeyValue,
  DecimalKeyValue,
  Direction,
  FloatKeyValue,
  IntKeyValue,
  KeyValue,
  KeyValueKind,
  NullKeyValue,
  TextKeyValue,
  TimestampKeyValue,
  TimestamptzKeyValue,
} from './key-value.js';
export {
  boolValue,
  bytesValue,
  dateValue,
  decimalValue,
  floatValue,
  int32Max,
  int32Min,
  int64Max,
  int64Min,
  intValue,
  keyValueKinds,
  nullValue,
  textValue,
  timestamptzValue,
  timestampValue,
} from './key-value.js';
export { prefixEnd } from './prefix.js';
export { appendBool, appendNull } from './scalars.js';
export { appendBytes, appendText } from './strings.js';
