/**
 * PostgreSQL's string functions past the basic set in functions.ts (varlena.c, regexp.c):
 * `format`, `regexp_replace`, `regexp_match`, `concat_ws`, `starts_with`, `string_to_array`,
 * `quote_literal`, `quote_nullable`, `to_hex` and `overlay` — and the one-dimensional array
 * functions (array_userfuncs.c): `array_position(s)`, `array_append`, `array_prepend`,
 * `array_cat`, `array_remove` and `array_replace`, whose element comparisons are NULL-safe (IS
 * NOT DISTINCT FROM) as PostgreSQL's are.
 */
import { SqlError } from '../../catalog/errors.js';
import { distinctFrom } from '../../types/compare.js';
import type { Datum } from '../../types/datum.js';
import { formatText, parseText } from '../../types/text-io.js';
import { withShapeOf } from '../../types/array-shape.js';
import { arrayType, boolType, formatType, int4Type, int8Type, textType, type SqlType } from '../../types/sql-type.js';
import { arrayAppend, arrayCat, arrayPositions, arrayPrepend, arrayRemove } from './array-shape-functions.js';
import type { EvalContext } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';
import { optionsRegex, regexOptions } from './regex.js';
import { searchingRegex } from './user-regex.js';
import { requireElementComparison } from './operator-class.js';

const codePoints = (text: string): string[] => [...text];

/** PostgreSQL's quote_literal: quotes doubled, and an E'' string (backslashes doubled) when there is a backslash. */
export function quoteLiteral(text: string): string {
  const body = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** quote_ident's rule: lower-case letters, digits and underscores, not starting with a digit, stay bare. */
function quoteIdentifier(text: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(text) ? text : `"${text.replace(/"/g, '""')}"`;
}

/**
 * `format(fmt, args…)`: PostgreSQL's text_format — `%[n$][-][width]{s|I|L}` and `%%`; a width may
 * be `*` or `*n$` (taken from an argument). NULL prints as '' for %s and NULL for %L, and is
 * refused for %I (22004).
 */
function format(fmt: string, args: readonly Datum[], types: readonly SqlType[], ctx: EvalContext): string {
  /** The text of the n-th argument after the format string (1-based, as `%n$` counts). */
  const text = (position: number): string | null => {
    if (position > args.length) throw new SqlError('22023', 'too few arguments for format()');
    const value = args[position - 1]!;
    return value === null ? null : formatText(types[position - 1]!, value, ctx.textContext);
  };
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const char = fmt[i]!;
    if (char !== '%') {
      out += char;
      continue;
    }
    i++;
    if (i >= fmt.length) throw new SqlError('22023', 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    const readNumber = (): number | undefined => {
      const match = /^\d+/.exec(fmt.slice(i));
      if (match === null) return undefined;
      i += match[0].length;
      return Number(match[0]);
    };
    let position: number | undefined;
    const first = readNumber();
    let width: number | undefined;
    if (first !== undefined && fmt[i] === '$') {
      if (first === 0) throw new SqlError('22023', 'format specifies argument 0, but arguments are numbered from 1');
      position = first;
      i++;
    } else if (first !== undefined) {
      width = first;
    }
    let left = false;
    if (width === undefined) {
      while (fmt[i] === '-') {
        left = true;
        i++;
      }
      if (fmt[i] === '*') {
        i++;
        const star = readNumber();
        let widthArg: number;
        if (star !== undefined) {
          if (fmt[i] !== '$') throw new SqlError('22023', 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
          i++;
          widthArg = star;
        } else widthArg = ++next;
        const value = text(widthArg);
        width = value === null ? 0 : Number(value);
        if (width < 0) {
          left = true;
          width = -width;
        }
      } else width = readNumber();
    }
    if (i >= fmt.length) throw new SqlError('22023', 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
    const type = fmt[i]!;
    if (type !== 's' && type !== 'I' && type !== 'L') throw new SqlError('22023', `unrecognized format() type specifier "${type}"`, { hint: 'For a single "%" use "%%".' });
    const index = position ?? ++next;
    if (position !== undefined) next = position;
    const value = text(index);
    let piece: string;
    if (type === 's') piece = value ?? '';
    else if (type === 'I') {
      if (value === null) throw new SqlError('22004', 'null values cannot be formatted as an SQL identifier');
      piece = quoteIdentifier(value);
    } else piece = value === null ? 'NULL' : quoteLiteral(value);
    const length = codePoints(piece).length;
    if (width !== undefined && length < width) piece = left ? piece + ' '.repeat(width - length) : ' '.repeat(width - length) + piece;
    out += piece;
  }
  return out;
}

/** A PostgreSQL replacement string (`\1`…`\9`, `\&`, `\\`) as a JavaScript one (`$1`, `$&`, `\`; `$` escaped). */
function replacementText(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const char = replacement[i]!;
    if (char === '$') out += '$$';
    else if (char === '\\' && i + 1 < replacement.length) {
      const next = replacement[i + 1]!;
      if (/[1-9]/.test(next)) out += `$${next}`;
      else if (next === '&') out += '$&';
      else if (next === '\\') out += '\\';
      else out += `\\${next}`;
      i++;
    } else out += char;
  }
  return out;
}

function regexpReplace(source: string, pattern: string, replacement: string, flags: string): string {
  const options = regexOptions(flags, 'regexp_replace', true);
  const regex = optionsRegex(pattern, options);
  const target = options.global ? searchingRegex(regex, false) : regex;
  return source.replace(target, replacementText(replacement));
}

function regexpMatch(source: string, pattern: string, flags: string): readonly Datum[] | null {
  const options = regexOptions(flags, 'regexp_match', false, 'Use the regexp_matches function instead.');
  const match = optionsRegex(pattern, options).exec(source);
  if (match === null) return null;
  return match.length > 1 ? match.slice(1).map((group) => group ?? null) : [match[0]];
}

/** string_to_array: a NULL delimiter splits into characters, '' keeps the whole string; '' gives {}. */
function stringToArray(text: string, delimiter: string | null, nullText: string | null): readonly Datum[] {
  if (text === '') return [];
  const parts = delimiter === null ? codePoints(text) : delimiter === '' ? [text] : text.split(delimiter);
  return parts.map((part) => (nullText !== null && part === nullText ? null : part));
}

function toHex(value: bigint, bits: bigint): string {
  return BigInt.asUintN(Number(bits), value).toString(16);
}

function overlay(text: string, placing: string, start: number, count: number): string {
  if (start <= 0 || count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const chars = codePoints(text);
  return chars.slice(0, start - 1).join('') + placing + chars.slice(start - 1 + count).join('');
}

const elementOf = (type: SqlType): SqlType => (type.kind === 'array' ? type.element : type);

function noSuchFunction(name: string, types: readonly SqlType[]): SqlError {
  return new SqlError('42883', `function ${name}(${types.map((t) => formatType(t)).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
}

/** The result type of a function over anyarray: the array argument's type (42883 when it is no array, as PostgreSQL's resolution). */
function arrayResult(name: string, index: number) {
  return (types: readonly SqlType[]): SqlType => {
    const type = types[index]!;
    if (type.kind !== 'array') throw noSuchFunction(name, types);
    return type;
  };
}

/**
 * The anyelement arguments of an array function as values of the array's element type. An
 * untyped literal reaches here as text (the call coerces open arguments to text): it is read as
 * the element type, as PostgreSQL resolves `unknown` to anyelement's type; any other type than
 * the element's is 42883.
 */
function elementArgs(name: string, args: readonly Datum[], types: readonly SqlType[], arrayIndex: number, elementIndexes: readonly number[], ctx: EvalContext): { element: SqlType; values: Datum[] } {
  const element = elementOf(arrayResult(name, arrayIndex)(types));
  const values = elementIndexes.map((index) => {
    const type = types[index]!;
    const value = args[index] ?? null;
    if (type.kind === element.kind) return value;
    if (type.kind === 'text' || type.kind === 'unknown') return value === null ? null : parseText(element, value as string, ctx.textContext);
    throw noSuchFunction(name, types);
  });
  return { element, values };
}

/** elementArgs of a function that searches the array for its element: 42883 where the element has no equality (operator-class.ts). */
function searchArgs(name: string, args: readonly Datum[], types: readonly SqlType[], arrayIndex: number, elementIndexes: readonly number[], ctx: EvalContext): { element: SqlType; values: Datum[] } {
  const found = elementArgs(name, args, types, arrayIndex, elementIndexes, ctx);
  requireElementComparison(found.element, false);
  return found;
}

function lenient(args: readonly (SqlType | 'any')[], result: FunctionOverload['result'], impl: FunctionOverload['impl'], options: { strict?: boolean; immutable?: boolean; variadic?: boolean } = {}): FunctionOverload {
  return { args, result, strict: options.strict ?? false, immutable: options.immutable ?? true, impl, ...(options.variadic === true ? { variadic: true } : {}) };
}

/** The text and array functions, for functions.ts's table. */
export function textAndArrayFunctions(): [string, readonly FunctionOverload[]][] {
  const text2 = [textType, textType] as const;
  const text3 = [textType, textType, textType] as const;
  const formatOverload = (args: readonly (SqlType | 'any')[], variadic: boolean): FunctionOverload =>
    // The text of a timestamptz argument depends on the session's time zone: not immutable.
    lenient(args, textType, (values, types, ctx) => (values[0] === null ? null : format(values[0] as string, values.slice(1), types.slice(1), ctx)), { immutable: false, variadic });
  return [
    ['format', [formatOverload([textType], false), formatOverload([textType, 'any'], true)]],
    ['regexp_replace', [lenient(text3, textType, ([s, p, r]) => regexpReplace(s as string, p as string, r as string, ''), { strict: true }), lenient([textType, textType, textType, textType], textType, ([s, p, r, f]) => regexpReplace(s as string, p as string, r as string, f as string), { strict: true })]],
    ['regexp_match', [lenient(text2, arrayType(textType), ([s, p]) => regexpMatch(s as string, p as string, ''), { strict: true }), lenient(text3, arrayType(textType), ([s, p, f]) => regexpMatch(s as string, p as string, f as string), { strict: true })]],
    [
      'concat_ws',
      [
        lenient([textType, 'any'], textType, (values, types, ctx) => {
          if (values[0] === null) return null;
          const parts = values.slice(1).flatMap((value, index) => (value === null ? [] : [formatText(types[index + 1]!, value, ctx.textContext)]));
          return parts.join(values[0] as string);
        }, { immutable: false, variadic: true }),
      ],
    ],
    ['starts_with', [lenient(text2, boolType, ([s, prefix]) => (s as string).startsWith(prefix as string), { strict: true })]],
    [
      'string_to_array',
      [
        lenient(text2, arrayType(textType), ([s, d]) => (s === null ? null : stringToArray(s as string, d as string | null, null))),
        lenient(text3, arrayType(textType), ([s, d, n]) => (s === null ? null : stringToArray(s as string, d as string | null, n as string | null))),
      ],
    ],
    ['quote_literal', [lenient([textType], textType, ([s]) => quoteLiteral(s as string), { strict: true })]],
    ['quote_nullable', [lenient([textType], textType, ([s]) => (s === null ? 'NULL' : quoteLiteral(s as string)))]],
    ['to_hex', [lenient([int4Type], textType, ([n]) => toHex(BigInt(n as number), 32n), { strict: true }), lenient([int8Type], textType, ([n]) => toHex(n as bigint, 64n), { strict: true })]],
    [
      'overlay',
      [
        lenient([textType, textType, int4Type], textType, ([s, p, start]) => overlay(s as string, p as string, start as number, codePoints(p as string).length), { strict: true }),
        lenient([textType, textType, int4Type, int4Type], textType, ([s, p, start, count]) => overlay(s as string, p as string, start as number, count as number), { strict: true }),
      ],
    ],
    [
      'array_position',
      [
        lenient(['any', 'any'], int4Type, (args, types, ctx) => {
          const { element, values } = searchArgs('array_position', args, types, 0, [1], ctx);
          return args[0] === null ? null : (arrayPositions(args[0] as readonly Datum[], element, values[0]!, undefined)[0] ?? null);
        }),
        lenient(['any', 'any', int4Type], int4Type, (args, types, ctx) => {
          const { element, values } = searchArgs('array_position', args, types, 0, [1], ctx);
          return args[0] === null || args[2] === null ? null : (arrayPositions(args[0] as readonly Datum[], element, values[0]!, args[2] as number)[0] ?? null);
        }),
      ],
    ],
    [
      'array_positions',
      [lenient(['any', 'any'], arrayType(int4Type), (args, types, ctx) => {
        const { element, values } = searchArgs('array_positions', args, types, 0, [1], ctx);
        return args[0] === null ? null : arrayPositions(args[0] as readonly Datum[], element, values[0]!, undefined);
      })],
    ],
    [
      'array_append',
      [lenient(['any', 'any'], arrayResult('array_append', 0), (args, types, ctx) => arrayAppend(args[0] as readonly Datum[] | null, elementArgs('array_append', args, types, 0, [1], ctx).values[0]!))],
    ],
    [
      'array_prepend',
      [lenient(['any', 'any'], arrayResult('array_prepend', 1), (args, types, ctx) => arrayPrepend(elementArgs('array_prepend', args, types, 1, [0], ctx).values[0]!, args[1] as readonly Datum[] | null))],
    ],
    [
      'array_cat',
      [lenient(['any', 'any'], arrayResult('array_cat', 0), ([left, right], types) => {
        if (elementOf(arrayResult('array_cat', 1)(types)).kind !== elementOf(types[0]!).kind) throw noSuchFunction('array_cat', types);
        return arrayCat(left as readonly Datum[] | null, right as readonly Datum[] | null);
      })],
    ],
    [
      'array_remove',
      [lenient(['any', 'any'], arrayResult('array_remove', 0), (args, types, ctx) => {
        const { element, values } = searchArgs('array_remove', args, types, 0, [1], ctx);
        return args[0] === null ? null : arrayRemove(args[0] as readonly Datum[], element, values[0]!);
      })],
    ],
    [
      'array_replace',
      [lenient(['any', 'any', 'any'], arrayResult('array_replace', 0), (args, types, ctx) => {
        const { element, values } = searchArgs('array_replace', args, types, 0, [1, 2], ctx);
        return args[0] === null ? null : withShapeOf(args[0] as readonly Datum[], (args[0] as readonly Datum[]).map((value) => (distinctFrom(element, value ?? null, values[0]!) ? value : values[1]!)));
      })],
    ],
  ];
}
