/**
 * Array text I/O as PostgreSQL's `array_out`/`array_in`: `{1,2,NULL}`, `{{1,2},{3,4}}`, and
 * `[0:1]={1,2}` when a lower bound is not 1 (every dimension then written). Elements are
 * double-quoted when empty, equal to `NULL` (any case), or containing `{`, `}`, `,`, `"`, `\`
 * or blanks, with `"` and `\` backslash-escaped inside quotes. Input is checked as array_in
 * checks it: sub-arrays of one level must match (22P02), at most 6 dimensions (54000), and
 * given dimensions must match the contents.
 */
import { type ArrayShape, checkArrayDimensions, elementCount, formatDimensions } from './array-shape.js';
import { InvalidTextRepresentationError, withDetail } from './errors.js';

/** Formats elements already turned to text (`undefined` for a NULL element), in `shape`. */
export function formatArrayText(elements: readonly (string | undefined)[], shape?: ArrayShape): string {
  const texts = elements.map((element) => (element === undefined ? 'NULL' : quoteElement(element)));
  if (shape === undefined || shape.lengths.length <= 1) {
    const decoration = shape !== undefined && shape.lengths.length === 1 && shape.lowerBounds[0] !== 1 ? `${formatDimensions(shape)}=` : '';
    return `${decoration}{${texts.join(',')}}`;
  }
  const decoration = shape.lowerBounds.some((bound) => bound !== 1) ? `${formatDimensions(shape)}=` : '';
  return decoration + nest(texts, shape.lengths, 0, 0);
}

function nest(texts: readonly string[], lengths: readonly number[], dimension: number, start: number): string {
  if (dimension === lengths.length - 1) return `{${texts.slice(start, start + lengths[dimension]!).join(',')}}`;
  const stride = elementCount(lengths.slice(dimension + 1));
  const parts: string[] = [];
  for (let index = 0; index < lengths[dimension]!; index++) parts.push(nest(texts, lengths, dimension + 1, start + index * stride));
  return `{${parts.join(',')}}`;
}

function quoteElement(text: string): string {
  if (text.length > 0 && !/[{}",\\\s]/.test(text) && text.toUpperCase() !== 'NULL') return text;
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

function malformed(text: string, detail: string): InvalidTextRepresentationError {
  return withDetail(new InvalidTextRepresentationError(`malformed array literal: "${text}"`), detail);
}

/** An array literal read: its element texts (`undefined` for an unquoted NULL) and shape. */
export interface ParsedArrayText {
  readonly elements: (string | undefined)[];
  readonly shape: ArrayShape;
}

/** Reads `[l:u]…={…}` or `{…}` of any depth. */
export function parseArrayText(text: string): ParsedArrayText {
  const simple = parseSimpleArrayText(text);
  if (simple !== undefined) return simple;
  const reader = new ArrayTextReader(text);
  const given = reader.dimensionsDecoration();
  const { elements, lengths } = reader.body();
  if (given === undefined) return { elements, shape: { lengths, lowerBounds: lengths.map(() => 1) } };
  const givenLengths = given.map(([lower, upper]) => upper - lower + 1);
  if (givenLengths.length !== lengths.length || givenLengths.some((length, index) => length !== lengths[index])) throw malformed(text, 'Specified array dimensions do not match array contents.');
  return { elements, shape: { lengths, lowerBounds: given.map(([lower]) => lower) } };
}

const simpleArrayPattern = /^\s*\{([^{}"\\]*)\}\s*$/;

/**
 * The common literal, one dimension with no quotes or escapes (`{1,2,3}`), by splitting on
 * commas; undefined for anything else, or a malformed element, which the full reader reads
 * (and reports).
 */
function parseSimpleArrayText(text: string): ParsedArrayText | undefined {
  const match = simpleArrayPattern.exec(text);
  if (match === null) return undefined;
  const body = match[1]!;
  if (body.trim() === '') return { elements: [], shape: { lengths: [], lowerBounds: [] } };
  const elements: (string | undefined)[] = body.split(',').map((part) => part.trim());
  if (elements.includes('')) return undefined;
  for (let index = 0; index < elements.length; index++) if ((elements[index] as string).toUpperCase() === 'NULL') elements[index] = undefined;
  return { elements, shape: { lengths: [elements.length], lowerBounds: [1] } };
}

/** JavaScript's `\s` (as before), without a regular expression for the ASCII characters. */
function isBlank(char: string | undefined): boolean {
  if (char === undefined) return false;
  if (char === ' ' || (char >= '\t' && char <= '\r')) return true;
  return char > '~' && /\s/.test(char);
}

/** A cursor over one literal; each method reads one part of the grammar. */
class ArrayTextReader {
  private index = 0;
  private readonly lengths: (number | undefined)[] = [];
  private leafDepth: number | undefined;
  private readonly elements: (string | undefined)[] = [];

  constructor(private readonly text: string) {}

  private skipBlanks(): void {
    while (isBlank(this.text[this.index])) this.index++;
  }

  private fail(detail: string): never {
    throw malformed(this.text, detail);
  }

  /** `[1:2][0:1]=` (a bare `[n]` is `[1:n]`), or undefined when the literal starts with `{`. */
  dimensionsDecoration(): [number, number][] | undefined {
    this.skipBlanks();
    if (this.text[this.index] !== '[') return undefined;
    const bounds: [number, number][] = [];
    while (this.text[this.index] === '[') {
      const match = /^\[\s*([+-]?\d+)\s*(?::\s*([+-]?\d+)\s*)?\]/.exec(this.text.slice(this.index));
      if (match === null) this.fail(/^\[\s*[+-]?\d/.test(this.text.slice(this.index)) ? 'Missing "]" after array dimensions.' : 'Missing array dimension value.');
      const lower = match[2] === undefined ? 1 : Number(match[1]);
      const upper = Number(match[2] ?? match[1]);
      if (upper < lower) this.fail('Upper bound cannot be less than lower bound.');
      bounds.push([lower, upper]);
      checkArrayDimensions(bounds.length);
      this.index += match[0].length;
      this.skipBlanks();
    }
    if (this.text[this.index] !== '=') this.fail('Missing "=" after array dimensions.');
    this.index++;
    this.skipBlanks();
    return bounds;
  }

  /** `{…}` to the end of the text: the elements and the length of each dimension. */
  body(): { elements: (string | undefined)[]; lengths: number[] } {
    if (this.text[this.index] !== '{') this.fail('Array value must start with "{" or dimension information.');
    this.braces(0);
    this.skipBlanks();
    if (this.index < this.text.length) this.fail('Junk after closing right brace.');
    if (this.elements.length === 0) return { elements: [], lengths: [] };
    const lengths = this.lengths.slice(0, (this.leafDepth ?? -1) + 1).map((length) => length ?? 0);
    return { elements: this.elements, lengths };
  }

  /** One `{…}` at `depth` (0 outermost); the opening brace is at the cursor. */
  private braces(depth: number): void {
    checkArrayDimensions(depth + 1);
    this.index++;
    this.skipBlanks();
    let count = 0;
    if (this.text[this.index] === '}') {
      // Only the whole literal may be empty: `{{}}` and `{{},{}}` are refused, as in PostgreSQL 15.
      if (depth > 0) this.fail('Unexpected "}" character.');
      this.index++;
      return this.noteLength(depth, 0);
    }
    for (;;) {
      this.skipBlanks();
      if (this.text[this.index] === '{') {
        if (this.leafDepth !== undefined && this.leafDepth <= depth) this.fail('Unexpected "{" character.');
        this.braces(depth + 1);
      } else {
        if (this.leafDepth !== undefined && this.leafDepth !== depth) this.fail('Multidimensional arrays must have sub-arrays with matching dimensions.');
        this.leafDepth = depth;
        this.elements.push(this.element());
      }
      count++;
      this.skipBlanks();
      const next = this.text[this.index];
      this.index++;
      if (next === '}') return this.noteLength(depth, count);
      if (next !== ',') this.fail(next === undefined ? 'Unexpected end of input.' : 'Unexpected array element.');
    }
  }

  private noteLength(depth: number, count: number): void {
    const known = this.lengths[depth];
    if (known === undefined) this.lengths[depth] = count;
    else if (known !== count) this.fail('Multidimensional arrays must have sub-arrays with matching dimensions.');
  }

  /** One element: quoted (`"…"`, backslash escapes) or bare (trimmed; `NULL` is the null). */
  private element(): string | undefined {
    let value = '';
    if (this.text[this.index] === '"') {
      this.index++;
      while (this.index < this.text.length && this.text[this.index] !== '"') {
        if (this.text[this.index] === '\\') this.index++;
        value += this.text[this.index] ?? '';
        this.index++;
      }
      if (this.text[this.index] !== '"') this.fail('Unexpected end of input.');
      this.index++;
      return value;
    }
    while (this.index < this.text.length && this.text[this.index] !== ',' && this.text[this.index] !== '}') {
      const char = this.text[this.index]!;
      if (char === '{' || char === '"') this.fail('Unexpected array element.');
      if (char === '\\') this.index++;
      value += this.text[this.index] ?? '';
      this.index++;
    }
    if (this.index >= this.text.length) this.fail('Unexpected end of input.');
    const trimmed = value.trim();
    if (trimmed === '') this.fail(`Unexpected "${this.text[this.index]!}" character.`);
    return trimmed.toUpperCase() === 'NULL' ? undefined : trimmed;
  }
}
