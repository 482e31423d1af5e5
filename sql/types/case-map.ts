/**
 * Case mapping of text as PostgreSQL 15 does it under rangedb's ctype, C.UTF-8 (what
 * pg_database.datctype reports; the collation stays C, code-point order): each character on its
 * own through the C library's `towupper` / `towlower`, Unicode's simple one-to-one mapping. So
 * `upper('école')` is `ÉCOLE`, but `upper('ß')` stays `ß` (no `SS`: one character never becomes
 * two) and `lower('ΑΣ')` is `ασ` (no final-sigma rule: no character looks at its neighbours).
 *
 * JavaScript's toUpperCase / toLowerCase apply the full mapping (SpecialCasing.txt); taken one
 * code point at a time and kept only where they give one code point, they are the simple
 * mapping, but for U+0130 (İ), whose simple lower case is a plain `i`.
 */

const dottedCapitalI = '\u0130';

function mapCodePoint(char: string, upper: boolean): string {
  if (!upper && char === dottedCapitalI) return 'i';
  const mapped = upper ? char.toUpperCase() : char.toLowerCase();
  return [...mapped].length === 1 ? mapped : char;
}

function mapText(text: string, upper: boolean): string {
  // ASCII-only text (the common case) maps the same either way, and faster.
  if (/^[\x00-\x7f]*$/.test(text)) return upper ? text.toUpperCase() : text.toLowerCase();
  let out = '';
  for (const char of text) out += mapCodePoint(char, upper);
  return out;
}

/** PostgreSQL's `upper` under C.UTF-8: each character's simple upper case. */
export function upperText(text: string): string {
  return mapText(text, true);
}

/** PostgreSQL's `lower` (and ILIKE's folding) under C.UTF-8: each character's simple lower case. */
export function lowerText(text: string): string {
  return mapText(text, false);
}

/** One character's simple upper case (initcap's first letter of a word). */
export function upperChar(char: string): string {
  return mapCodePoint(char, true);
}

/** One character's simple lower case (initcap's other letters). */
export function lowerChar(char: string): string {
  return mapCodePoint(char, false);
}
