/**
 * Case-insensitive matching without JavaScript's `i` flag: a pattern rewritten so that, matched
 * case-sensitively, it matches exactly what the original matched with `i`.
 *
 * Why: V8's linear-time regex engine (the fallback user-regex.ts turns on) refuses the `i` flag,
 * so a hostile `~*` pattern would still backtrack exponentially. Without the flag it is eligible.
 *
 * What `i` means (ECMAScript's Canonicalize, non-Unicode mode): a character `x` matches `c` when
 * canon(x) = canon(c), where canon(ch) is ch.toUpperCase() if that is one code unit and does not
 * take a non-ASCII character to ASCII, else ch. So each character belongs to a fold group — the
 * characters sharing its canon ({k, K}, {σ, ς, Σ}, {µ, μ, Μ}; the Kelvin sign and `ſ` alone).
 * The rewrite:
 *  - a literal character outside brackets (plain, identity-escaped, `\xHH`, `\uHHHH`) whose group
 *    has more than one member becomes a bracket of its group;
 *  - a bracket expression gains every group-mate of its members (ranges included). With `i`, `x`
 *    matches a bracket when some member shares its canon; that is exactly membership in the
 *    expanded set, and so negation (`[^...]`) stays exact too;
 *  - `\d \D \w \W \s \S \b \B`, `.`, anchors, groups and quantifiers are unchanged (in non-Unicode
 *    mode their sets are closed under folding).
 * Patterns whose meaning the rewrite cannot keep exactly — backreferences (`\1`, `\k<name>`: they
 * compare case-insensitively), legacy octal escapes, `\c` — give undefined, and the caller keeps
 * the `i` flag (those patterns backtrack anyway: see user-regex.ts). Proven equal to the `i` flag
 * by test/sql/plan/case-expansion.property.test.ts.
 */

/** canon(ch) for every UTF-16 code unit, each canon's group, and (ascending) the units that fold with another: built on first use. */
let foldGroups: Map<number, readonly number[]> | undefined;
let canonOf: Uint16Array | undefined;
let foldingUnits: readonly number[] = [];

function canonical(unit: number): number {
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const canon = upper.charCodeAt(0);
  return unit >= 128 && canon < 128 ? unit : canon;
}

/** The group-mates of `unit` (itself included). */
function groupOf(unit: number): readonly number[] {
  if (foldGroups === undefined || canonOf === undefined) {
    canonOf = new Uint16Array(0x10000);
    const groups = new Map<number, number[]>();
    for (let code = 0; code < 0x10000; code++) {
      const canon = canonical(code);
      canonOf[code] = canon;
      const group = groups.get(canon);
      if (group === undefined) groups.set(canon, [code]);
      else group.push(code);
    }
    foldGroups = groups;
    foldingUnits = [...canonOf.keys()].filter((code) => groups.get(canonOf![code]!)!.length > 1);
  }
  return foldGroups.get(canonOf[unit]!)!;
}

/**
 * The units in `from`..`to` that fold with another unit. Walks only the (about three
 * thousand) folding units, so `[\x00-\uffff]` costs no more than `[a-z]`.
 */
function foldingUnitsIn(from: number, to: number): readonly number[] {
  groupOf(0);
  let low = 0;
  let high = foldingUnits.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (foldingUnits[middle]! < from) low = middle + 1;
    else high = middle;
  }
  const inside: number[] = [];
  for (let at = low; at < foldingUnits.length && foldingUnits[at]! <= to; at++) inside.push(foldingUnits[at]!);
  return inside;
}

const hex4 = (unit: number): string => `\\u${unit.toString(16).padStart(4, '0')}`;

/** A bracket member: one code unit, a range, or a class escape copied as written. */
type Member = { readonly from: number; readonly to: number } | { readonly escape: string };

/** Thrown inside the parser for what the rewrite does not keep exactly. */
class Unsupported extends Error {}

/** The escapes whose sets are closed under folding and are copied as written. */
const classEscapes = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const controlEscapes: Readonly<Record<string, number>> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

class Rewriter {
  private index = 0;
  private out = '';

  constructor(private readonly source: string) {}

  run(): string {
    while (this.index < this.source.length) this.step();
    return this.out;
  }

  private step(): void {
    const char = this.source[this.index]!;
    if (char === '\\') return this.escapeOutside();
    if (char === '[') return this.bracket();
    if (char === '(') return this.groupOpen();
    if (char === '{') return this.brace();
    this.index++;
    if ('^$|)?*+.'.includes(char)) this.out += char;
    else if (char === '}' || char === ']') this.out += `\\${char}`;
    else this.literal(char.charCodeAt(0), char);
  }

  /** A literal code unit: its fold group as a bracket, or `written` when it folds alone. */
  private literal(unit: number, written: string): void {
    const group = groupOf(unit);
    this.out += group.length === 1 ? written : `[${group.map(hex4).join('')}]`;
  }

  private escapeOutside(): void {
    const next = this.source[this.index + 1];
    if (next === undefined) throw new Unsupported('trailing backslash');
    if (classEscapes.has(next) || next === 'b' || next === 'B') {
      this.out += `\\${next}`;
      this.index += 2;
      return;
    }
    const unit = this.escapedUnit();
    this.literal(unit.value, unit.written);
  }

  /** The code unit an escape at `index` denotes (not a class escape), consuming it. */
  private escapedUnit(): { value: number; written: string } {
    const start = this.index;
    const next = this.source[this.index + 1]!;
    if (/[1-9]/.test(next) || next === 'k' || next === 'c') throw new Unsupported(`\\${next}`);
    let value: number;
    if (next === '0') {
      if (/[0-9]/.test(this.source[this.index + 2] ?? '')) throw new Unsupported('octal escape');
      value = 0;
      this.index += 2;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(this.source.slice(this.index + 2, this.index + 4))) {
      value = parseInt(this.source.slice(this.index + 2, this.index + 4), 16);
      this.index += 4;
    } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.source.slice(this.index + 2, this.index + 6))) {
      value = parseInt(this.source.slice(this.index + 2, this.index + 6), 16);
      this.index += 6;
    } else {
      value = controlEscapes[next] ?? next.charCodeAt(0);
      this.index += 2;
    }
    return { value, written: this.source.slice(start, this.index) };
  }

  /** `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`, copied (a group's name is not a literal). */
  private groupOpen(): void {
    const rest = this.source.slice(this.index);
    const header = /^\(\?(?::|=|!|<=|<!|<[^>]*>)/.exec(rest)?.[0] ?? '(';
    if (header.startsWith('(?<') && !header.startsWith('(?<=') && !header.startsWith('(?<!')) throw new Unsupported('named group');
    this.out += header;
    this.index += header.length;
  }

  /** `{n}`, `{n,}`, `{n,m}` is a quantifier; any other `{` is a literal brace (Annex B). */
  private brace(): void {
    const quantifier = /^\{[0-9]+(,[0-9]*)?\}/.exec(this.source.slice(this.index))?.[0];
    if (quantifier !== undefined) {
      this.out += quantifier;
      this.index += quantifier.length;
    } else {
      this.out += '\\{';
      this.index++;
    }
  }

  private bracket(): void {
    this.index++;
    const negated = this.source[this.index] === '^';
    if (negated) this.index++;
    const members: Member[] = [];
    while (this.source[this.index] !== ']') {
      if (this.index >= this.source.length) throw new Unsupported('unterminated bracket');
      members.push(...this.members());
    }
    this.index++;
    this.out += `[${negated ? '^' : ''}${this.bracketBody(members)}]`;
  }

  /**
   * The next bracket members: a range when `-` joins two single code units; Annex B reads
   * `\w-a` (a class escape at either end) as the escape, `-` and the other.
   */
  private members(): Member[] {
    const first = this.atomInBracket();
    if (this.source[this.index] !== '-' || this.index + 1 >= this.source.length || this.source[this.index + 1] === ']') return [first];
    this.index++;
    const last = this.atomInBracket();
    if ('escape' in first || 'escape' in last) return [first, { from: 0x2d, to: 0x2d }, last];
    if (last.from < first.from) throw new Unsupported('range out of order');
    return [{ from: first.from, to: last.from }];
  }

  private atomInBracket(): Member {
    const char = this.source[this.index]!;
    if (char !== '\\') {
      this.index++;
      return { from: char.charCodeAt(0), to: char.charCodeAt(0) };
    }
    const next = this.source[this.index + 1];
    if (next === undefined) throw new Unsupported('trailing backslash');
    if (classEscapes.has(next)) {
      this.index += 2;
      return { escape: `\\${next}` };
    }
    if (next === 'b') {
      this.index += 2;
      return { from: 0x08, to: 0x08 };
    }
    if (next === '-') {
      this.index += 2;
      return { from: 0x2d, to: 0x2d };
    }
    const unit = this.escapedUnit();
    return { from: unit.value, to: unit.value };
  }

  /** The members re-written unambiguously, plus every group-mate not already a member. */
  private bracketBody(members: readonly Member[]): string {
    const units = new Set<number>();
    let body = '';
    for (const member of members) {
      if ('escape' in member) {
        body += member.escape;
        continue;
      }
      body += member.from === member.to ? hex4(member.from) : `${hex4(member.from)}-${hex4(member.to)}`;
      for (const unit of foldingUnitsIn(member.from, member.to)) for (const mate of groupOf(unit)) if (mate < member.from || mate > member.to) units.add(mate);
    }
    return body + rangesText([...units].sort((left, right) => left - right));
  }
}

/** Sorted code units as the shortest run of units and `a-b` ranges. */
function rangesText(units: readonly number[]): string {
  let text = '';
  for (let start = 0; start < units.length; ) {
    let end = start;
    while (end + 1 < units.length && units[end + 1] === units[end]! + 1) end++;
    text += end === start ? hex4(units[start]!) : `${hex4(units[start]!)}-${hex4(units[end]!)}`;
    start = end + 1;
  }
  return text;
}

/**
 * `source` (JavaScript regex source, non-Unicode mode) rewritten to match case-insensitively
 * without the `i` flag, or undefined when the rewrite cannot keep its meaning exactly.
 */
export function caseExpanded(source: string): string | undefined {
  try {
    return new Rewriter(source).run();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
