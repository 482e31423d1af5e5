/**
 * Renames under views: ALTER TABLE | VIEW … RENAME TO and RENAME COLUMN of a relation that views
 * read rewrite each reading view's stored CREATE VIEW text, so the view keeps its answers and its
 * column names — PostgreSQL's stored rule refers to relations by OID and columns by number, and
 * follows a rename by construction; rangedb keeps the text and plans it again at each use.
 *
 * A rename edits the text in place, token by token, at the locations the parser records:
 *
 * - **relation renamed**: each FROM item that names it gets the new name (schema-qualified when
 *   the unqualified name would find another relation under the view's search_path, or when the
 *   relation moved to another schema) and, without an alias, `AS <old name>`, so every `old.c`
 *   in the query keeps its meaning;
 * - **column renamed**: each column reference that resolves to it gets the new name, and an
 *   unaliased select-list item that is one gets `AS <old name>`, so every query level's output
 *   names (the view's, a subquery's) stay as they were. References resolve as the planner
 *   resolves them: qualified by the FROM item's exposed name, else by the nearest query level
 *   with a FROM item having a column of that name.
 *
 * Where the text cannot follow the rename so (a USING or NATURAL join over the column, a `*` below
 * the view's top level, a reference next to a FROM item whose columns are not known without
 * planning), the rename is refused with 0A000, as it was for every view before.
 */
import type * as ast from '../parser/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import type { TableDesc, ViewDesc } from '../catalog/descriptors.js';
import { SqlError } from '../catalog/errors.js';
import { lookupRelation, type NameSettings } from '../catalog/resolve.js';
import { viewDefinition } from '../plan/view-updatable.js';
import { quoteIdent } from '../vtables/deparse.js';

/** A relation views can read. */
type ReadRelation = TableDesc | ViewDesc;

/** A replacement of the definition's characters [start, end) (UTF-16 indices) by `text`. */
interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** 0A000: a view reads the renamed object in a way its text cannot follow. */
function cannotFollow(what: string, view: ViewDesc, reason: string): SqlError {
  return new SqlError('0A000', `cannot rename ${what} because view "${view.name}" depends on it`, {
    detail: reason,
    hint: `rangedb keeps a view's query as text: drop the view, rename, and create the view again.`,
  });
}

/**
 * Rewrites every view that reads `relation` (before its rename to `newName`, or its move to
 * schema `newSchema`: the old name still resolves) to read it by its new name, schema-qualified
 * after a move.
 */
export async function followRelationRename(catalog: Catalog, settings: NameSettings, relation: ReadRelation, newName: string, newSchema?: string): Promise<void> {
  for (const view of await readingViews(catalog, relation)) {
    const viewSettings = settingsOf(view, settings);
    const statement = viewDefinition(view.definition);
    const text = new ViewText(view.definition);
    const cteNames = namesOfCtes(statement.query);
    const refs: ast.TableRef[] = [];
    collect(statement.query, 'TableRef', refs);
    for (const ref of refs) {
      if (ref.name.schema === null && cteNames.has(ref.name.name)) continue;
      const resolved = await lookupRelation(catalog, viewSettings, ref.name);
      if (resolved?.entry.id !== relation.id) continue;
      const name = text.path(ref.location, [ref.name.catalog, ref.name.schema, ref.name.name].filter((part): part is string => part !== null));
      if (name === undefined) throw cannotFollow(`relation "${relation.name}"`, view, `its text at ${ref.location} is not the name "${ref.name.name}"`);
      const shadowed = ref.name.schema === null && (await lookupRelation(catalog, viewSettings, { catalog: null, schema: null, name: newName })) !== undefined;
      const qualified = newSchema !== undefined || shadowed ? `${quoteIdent(newSchema ?? resolved.schema.name)}.${quoteIdent(newName)}` : quoteIdent(newName);
      // A move replaces the whole name (its schema too); a rename only the last part.
      const start = newSchema === undefined ? name.at(-1)!.start : name[0]!.start;
      text.edit({ start, end: name.at(-1)!.end, text: ref.alias === null ? `${qualified} AS ${quoteIdent(relation.name)}` : qualified });
    }
    await writeDefinition(catalog, view, text.result());
  }
}

/**
 * Rewrites every view that reads `relation`'s column `oldName` (its name before the rename) to
 * read it as `newName`. Throws 0A000 when a view's text cannot follow (nothing is written then:
 * the statement fails and its transaction's writes with it).
 */
export async function followColumnRename(catalog: Catalog, settings: NameSettings, relation: ReadRelation, oldName: string, newName: string): Promise<void> {
  const position = visibleNames(relation).indexOf(oldName);
  if (position < 0) throw new SqlError('XX000', `column "${oldName}" is not a visible column of "${relation.name}"`);
  for (const view of await readingViews(catalog, relation)) {
    const statement = viewDefinition(view.definition);
    const resolver = new ColumnRenamer(catalog, settingsOf(view, settings), view, relation, position, oldName, newName);
    await resolver.query(statement.query, null, true, namesOfCtes(statement.query));
    await writeDefinition(catalog, view, resolver.text.result());
  }
}

async function readingViews(catalog: Catalog, relation: ReadRelation): Promise<ViewDesc[]> {
  const views: ViewDesc[] = [];
  for (const dependent of relation.dependedOnBy ?? []) {
    const view = await catalog.descriptor(dependent.viewId);
    if (view?.kind === 'view') views.push(view);
  }
  return views;
}

/** The names in a view's query resolve under the search_path it was created with. */
function settingsOf(view: ViewDesc, settings: NameSettings): NameSettings {
  return view.searchPath === undefined ? settings : { ...settings, searchPath: view.searchPath };
}

async function writeDefinition(catalog: Catalog, view: ViewDesc, definition: string): Promise<void> {
  if (definition === view.definition) return;
  viewDefinition(definition); // the rewritten text must still parse as a CREATE VIEW (throws otherwise)
  const current = await catalog.descriptor(view.id);
  if (current?.kind !== 'view') return;
  await catalog.writeDescriptor({ ...current, definition, version: current.version + 1 });
}

/** A relation's visible column names, in order (what `*` and an alias's column list see). */
function visibleNames(relation: ReadRelation): string[] {
  if (relation.kind === 'view') return relation.columns.map((column) => column.name);
  return relation.columns.filter((column) => !column.hidden).map((column) => column.name);
}

const queryKinds: ReadonlySet<string> = new Set(['Select', 'SetOperation', 'Values']);

/** Every node of `kind` under `node`, depth first. */
function collect<T>(node: unknown, kind: string, into: T[]): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, kind, into);
    return;
  }
  const record = node as Record<string, unknown>;
  if (record['kind'] === kind) into.push(record as T);
  for (const value of Object.values(record)) collect(value, kind, into);
}

/** The names of every WITH query in `query` (a FROM item naming one unqualified is no relation). */
function namesOfCtes(query: ast.Query): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, unknown>;
    if (record['kind'] === undefined && typeof record['name'] === 'string' && 'query' in record && 'columns' in record) names.add(record['name']);
    Object.values(record).forEach(visit);
  };
  visit(query);
  return names;
}

/** A FROM item as column resolution sees it. */
interface FromName {
  /** The name that qualifies its columns (its alias, else its relation's name); null: none. */
  readonly exposed: string | null;
  /** Its column names; undefined where they are not known without planning. */
  readonly columns: ReadonlySet<string> | undefined;
  /** Whether its column `oldName` is the renamed relation's renamed column. */
  readonly renamed: boolean;
}

/** One query level's FROM items, inside the levels around it (a subquery may read their columns). */
interface Level {
  readonly items: readonly FromName[];
  readonly outer: Level | null;
}

/**
 * Finds the references to one renamed column in a view's query and edits them (see the essay at
 * the top). `position`: the column's place among the relation's visible columns.
 */
class ColumnRenamer {
  readonly text: ViewText;

  constructor(
    private readonly catalog: Catalog,
    private readonly settings: NameSettings,
    private readonly view: ViewDesc,
    private readonly relation: ReadRelation,
    private readonly position: number,
    private readonly oldName: string,
    private readonly newName: string,
  ) {
    this.text = new ViewText(view.definition);
  }

  /** `top`: the view's own query (or a branch of its set operation), whose output names the view fixed at creation. */
  async query(query: ast.Query, outer: Level | null, top: boolean, cteNames: ReadonlySet<string>): Promise<void> {
    for (const cte of query.with?.ctes ?? []) await this.walk(cte.query, { items: [], outer }, cteNames);
    if (query.kind === 'SetOperation') {
      await this.query(query.left, outer, top, cteNames);
      await this.query(query.right, outer, top, cteNames);
      return; // its ORDER BY names its output columns, which keep their names
    }
    if (query.kind === 'Values') {
      await this.walk(query.rows, { items: [], outer }, cteNames);
      return;
    }
    await this.select(query, outer, top, cteNames);
  }

  private async select(select: ast.Select, outer: Level | null, top: boolean, cteNames: ReadonlySet<string>): Promise<void> {
    const items: FromName[] = [];
    const level: Level = { items, outer };
    const deferred: unknown[] = [];
    for (const item of select.from) await this.fromItem(item, level, items, deferred, cteNames);
    await this.walk(deferred, level, cteNames);
    const outputNames = new Set<string>();
    for (const target of select.targets) {
      if (target.expr.kind === 'Star') {
        if (!top && this.starReaches(target.expr, level)) throw this.refuse('a `*` below the top of its query reads the column');
        continue;
      }
      const edited = await this.walk(target.expr, level, cteNames);
      const ref = target.expr.kind === 'ColumnRef' ? target.expr : undefined;
      if (target.alias !== null) outputNames.add(target.alias);
      else if (ref !== undefined) outputNames.add(ref.path.at(-1)!);
      if (target.alias === null && ref !== undefined && edited) this.text.insertAfterPath(ref.location, ref.path, ` AS ${quoteIdent(this.oldName)}`);
    }
    await this.walk([select.where, select.groupBy, select.having, select.window, select.distinct, select.limit, select.offset], level, cteNames);
    for (const sort of select.orderBy) {
      // A bare name in ORDER BY is an output column first (PostgreSQL's findTargetlistEntrySQL92).
      if (sort.expr.kind === 'ColumnRef' && sort.expr.path.length === 1 && outputNames.has(sort.expr.path[0]!)) continue;
      await this.walk(sort, level, cteNames);
    }
  }

  /** Adds `item`'s names to `items`; its expressions (ON, function arguments) go to `deferred`, walked once every item is known. */
  private async fromItem(item: ast.FromItem, level: Level, items: FromName[], deferred: unknown[], cteNames: ReadonlySet<string>): Promise<void> {
    switch (item.kind) {
      case 'TableRef':
        items.push(await this.tableRef(item, cteNames));
        return;
      case 'SubqueryRef':
        await this.query(item.query, level, false, cteNames);
        items.push({ exposed: item.alias?.name ?? null, columns: aliased(subqueryNames(item.query), item.alias), renamed: false });
        return;
      case 'FunctionRef':
        deferred.push(item.call);
        items.push({ exposed: item.alias?.name ?? item.call.name.at(-1)!, columns: item.alias === null || item.alias.columns.length === 0 ? undefined : new Set(item.alias.columns), renamed: false });
        return;
      case 'Join': {
        const sides: FromName[] = [];
        await this.fromItem(item.left, level, sides, deferred, cteNames);
        await this.fromItem(item.right, level, sides, deferred, cteNames);
        const reaches = sides.some((side) => side.renamed);
        if (reaches && item.natural) throw this.refuse('a NATURAL join matches the column by its name');
        if (reaches && item.using.includes(this.oldName)) throw this.refuse('a JOIN … USING names the column');
        if (reaches && item.alias !== null) throw this.refuse('an aliased join reads the column');
        items.push(...sides);
        if (item.on !== null) deferred.push(item.on);
        return;
      }
      default:
        return item satisfies never;
    }
  }

  private async tableRef(item: ast.TableRef, cteNames: ReadonlySet<string>): Promise<FromName> {
    const exposed = item.alias?.name ?? item.name.name;
    if (item.name.schema === null && cteNames.has(item.name.name)) return { exposed, columns: undefined, renamed: false };
    const resolved = await lookupRelation(this.catalog, this.settings, item.name);
    const descriptor = resolved === undefined ? undefined : await this.catalog.descriptor(resolved.entry.id);
    if (descriptor?.kind !== 'table' && descriptor?.kind !== 'view') return { exposed, columns: undefined, renamed: false };
    const names = visibleNames(descriptor).map((name, index) => item.alias?.columns[index] ?? name);
    const hidden = descriptor.kind === 'table' ? descriptor.columns.filter((column) => column.hidden).map((column) => column.name) : [];
    const renamed = descriptor.id === this.relation.id && names[this.position] === this.oldName;
    return { exposed, columns: new Set([...names, ...hidden]), renamed };
  }

  /** Whether `*` (or `q.*`) over `level` expands the renamed column. */
  private starReaches(star: ast.Star, level: Level): boolean {
    const qualifier = star.qualifier.at(-1);
    return level.items.some((item) => item.renamed && (qualifier === undefined || item.exposed === qualifier));
  }

  /**
   * Edits the references to the renamed column under `node` at `level` (nested queries at their
   * own levels); whether it edited one.
   */
  private async walk(node: unknown, level: Level, cteNames: ReadonlySet<string>): Promise<boolean> {
    if (node === null || typeof node !== 'object') return false;
    if (Array.isArray(node)) {
      let edited = false;
      for (const item of node) edited = (await this.walk(item, level, cteNames)) || edited;
      return edited;
    }
    const record = node as Record<string, unknown>;
    const kind = record['kind'];
    if (typeof kind === 'string' && queryKinds.has(kind)) {
      await this.query(node as ast.Query, level, false, cteNames);
      return false;
    }
    if (kind === 'ColumnRef') return this.columnRef(node as ast.ColumnRef, level);
    if (kind === 'Star' && this.starReaches(node as ast.Star, level)) throw this.refuse('a `*` inside an expression reads the column');
    let edited = false;
    for (const value of Object.values(record)) edited = (await this.walk(value, level, cteNames)) || edited;
    return edited;
  }

  private columnRef(ref: ast.ColumnRef, level: Level): boolean {
    if (ref.path.at(-1) !== this.oldName || !this.resolvesToRenamed(ref.path, level)) return false;
    this.text.replaceLastOfPath(ref.location, ref.path, quoteIdent(this.newName));
    return true;
  }

  /** Whether `path` (ending in the old name) names the renamed column, resolved as scope.ts resolves it. */
  private resolvesToRenamed(path: readonly string[], level: Level): boolean {
    const qualifier = path.length >= 2 ? path.at(-2)! : undefined;
    // A level passed with a FROM item of unknown columns might have been where the name resolved.
    let uncertain = false;
    for (let current: Level | null = level; current !== null; current = current.outer) {
      if (qualifier !== undefined) {
        const item = current.items.find((candidate) => candidate.exposed === qualifier);
        if (item !== undefined) return item.renamed;
        continue;
      }
      const known = current.items.filter((item) => item.columns?.has(this.oldName) === true);
      const unknown = current.items.some((item) => item.columns === undefined);
      if (known.length === 0) {
        uncertain ||= unknown;
        continue;
      }
      // The renamed relation's FROM items always have known columns.
      if (!known.some((item) => item.renamed)) return false;
      if (known.length === 1 && !unknown && !uncertain) return true;
      throw this.refuse(`"${this.oldName}" could also be a column of a FROM item whose columns are not known before planning`);
    }
    return false;
  }

  private refuse(reason: string): SqlError {
    return cannotFollow(`column "${this.oldName}" of relation "${this.relation.name}"`, this.view, reason);
  }
}

/** A subquery's output column names where its select list shows them (undefined: not known without planning). */
function subqueryNames(query: ast.Query): string[] | undefined {
  if (query.kind === 'SetOperation') return subqueryNames(query.left);
  if (query.kind !== 'Select') return undefined;
  const names: string[] = [];
  for (const target of query.targets) {
    if (target.alias !== null) names.push(target.alias);
    else if (target.expr.kind === 'ColumnRef') names.push(target.expr.path.at(-1)!);
    else if (target.expr.kind === 'FuncCall') names.push(target.expr.name.at(-1)!);
    else return undefined;
  }
  return names;
}

/** `names` under an alias's column list (the first ones renamed). */
function aliased(names: readonly string[] | undefined, alias: ast.Alias | null): ReadonlySet<string> | undefined {
  if (names === undefined) return undefined;
  return new Set(names.map((name, index) => alias?.columns[index] ?? name));
}

/**
 * A view's CREATE VIEW text being edited. Locations are the parser's UTF-8 byte offsets; edits
 * are kept as UTF-16 ranges and applied last to first.
 */
class ViewText {
  private readonly edits: TextEdit[] = [];
  private readonly bytes: Buffer;

  constructor(private readonly source: string) {
    this.bytes = Buffer.from(source, 'utf8');
  }

  /**
   * The spans of the dotted name `parts` written at byte `location`, or undefined when the text
   * there is not that name (each part compared as the parser folds it).
   */
  path(location: number, parts: readonly string[]): { start: number; end: number }[] | undefined {
    if (location < 0 || location > this.bytes.length) return undefined;
    let index = this.bytes.subarray(0, location).toString('utf8').length;
    const spans: { start: number; end: number }[] = [];
    for (const [n, part] of parts.entries()) {
      if (n > 0) {
        index = skipSpace(this.source, index);
        if (this.source[index] !== '.') return undefined;
        index = skipSpace(this.source, index + 1);
      }
      const end = identifierEnd(this.source, index);
      if (end === index || identifierValue(this.source.slice(index, end)) !== part) return undefined;
      spans.push({ start: index, end });
      index = end;
    }
    return spans;
  }

  replaceLastOfPath(location: number, path: readonly string[], text: string): void {
    const last = this.spansOf(location, path).at(-1)!;
    this.edit({ start: last.start, end: last.end, text });
  }

  insertAfterPath(location: number, path: readonly string[], text: string): void {
    const end = this.spansOf(location, path).at(-1)!.end;
    this.edit({ start: end, end, text });
  }

  edit(edit: TextEdit): void {
    this.edits.push(edit);
  }

  result(): string {
    let text = this.source;
    const ordered = [...this.edits].sort((a, b) => b.start - a.start || b.end - a.end);
    for (const edit of ordered) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    return text;
  }

  private spansOf(location: number, path: readonly string[]): { start: number; end: number }[] {
    const spans = this.path(location, path);
    if (spans === undefined) throw new SqlError('0A000', `cannot rename: the view's text at byte ${location} is not the column reference ${path.join('.')}`);
    return spans;
  }
}

/** The index after whitespace and comments from `index`. */
function skipSpace(text: string, index: number): number {
  for (;;) {
    while (index < text.length && /\s/.test(text[index]!)) index++;
    if (text.startsWith('--', index)) {
      const end = text.indexOf('\n', index);
      index = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? text.length : end + 2;
    } else {
      return index;
    }
  }
}

/** The end of the identifier (quoted or not) starting at `index`; `index` when there is none. */
function identifierEnd(text: string, index: number): number {
  if (text[index] === '"') {
    let at = index + 1;
    for (;;) {
      const close = text.indexOf('"', at);
      if (close < 0) return index;
      if (text[close + 1] !== '"') return close + 1;
      at = close + 2;
    }
  }
  const match = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(index));
  return match === null ? index : index + match[0].length;
}

/** An identifier's name as the parser folds it: quoted ones as written, others lower-cased. */
function identifierValue(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token.toLowerCase();
}
