/**
 * Arguments of one interaction command line, etcd datadriven style:
 *
 *     add-nodes 3 voters=(1,2,3) index=10 prevote=true
 *     partition (1) (2,3)
 *
 * Positional arguments keep their order (`(1)` and `(2,3)` above); `key=value` arguments are by
 * name; a list is written `(a,b,c)` or `(a b c)`.
 */
export class Args {
  readonly name: string;
  readonly positional: readonly string[];
  private readonly named: ReadonlyMap<string, string>;
  private readonly used = new Set<string>();

  constructor(readonly text: string) {
    const tokens = text.match(/(?:[^\s"(]+|"[^"]*"|\([^)]*\))+/g) ?? [];
    const [name, ...rest] = tokens;
    if (name === undefined) throw new Error('empty command');
    this.name = name;
    const positional: string[] = [];
    const named = new Map<string, string>();
    for (const token of rest) {
      const eq = token.indexOf('=');
      if (eq === -1 || token.startsWith('(')) positional.push(token);
      else named.set(token.slice(0, eq), unquote(token.slice(eq + 1)));
    }
    this.positional = positional;
    this.named = named;
  }

  /** The i-th positional argument as a node id or count. */
  int(i: number): number {
    return toInt(this.string(i), `${this.name} argument ${i + 1}`);
  }

  string(i: number): string {
    const value = this.positional[i];
    if (value === undefined) throw new Error(`${this.name}: missing argument ${i + 1} in '${this.text}'`);
    return unquote(value);
  }

  /** Every positional argument as an integer (node ids). */
  ints(): number[] {
    return this.positional.map((p) => toInt(p, `${this.name} argument`));
  }

  get(key: string): string | undefined {
    if (this.named.has(key)) this.used.add(key);
    return this.named.get(key);
  }

  intOr(key: string, fallback: number): number;
  intOr(key: string, fallback: undefined): number | undefined;
  intOr(key: string, fallback: number | undefined): number | undefined {
    const value = this.get(key);
    return value === undefined ? fallback : toInt(value, `${this.name} ${key}=`);
  }

  bool(key: string): boolean {
    const value = this.get(key);
    if (value === undefined) return false;
    if (value === 'true' || value === '') return true;
    if (value === 'false') return false;
    throw new Error(`${this.name}: ${key}= must be true or false, got ${value}`);
  }

  /** `(1,2,3)` → [1, 2, 3]; absent → []. */
  list(key: string): number[] {
    const value = this.get(key);
    return value === undefined ? [] : parseIdList(value);
  }

  /** Fails on a `key=` argument no handler asked for: a typo must not pass silently. */
  checkAllUsed(): void {
    for (const key of this.named.keys()) {
      if (!this.used.has(key)) throw new Error(`${this.name}: unknown argument ${key}= in '${this.text}'`);
    }
  }
}

export function parseIdList(text: string): number[] {
  const inner = text.replace(/^\(|\)$/g, '').trim();
  if (inner === '') return [];
  return inner.split(/[\s,]+/).map((p) => toInt(p, 'id list'));
}

function toInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${what} must be an integer, got '${text}'`);
  return n;
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
