/**
 * Views and comments in the catalogs: `pg_views`, `pg_get_viewdef`, the comment rows of
 * `pg_description` (COMMENT ON, kept in descriptors), and the view rows `information_schema`
 * lists. Everything here reads the catalog snapshot only.
 *
 * `pg_get_viewdef` prints the query as the CREATE VIEW statement wrote it (ending in `;`), with
 * the edits renames made to follow (sql/exec/ddl-view-rename.ts), where PostgreSQL deparses its
 * stored rule (` SELECT t.a,\n    t.b\n   FROM t;`): rangedb keeps the view's text, not an
 * analysed query.
 */
import type { ViewDesc } from '../catalog/descriptors.js';
import type { Datum } from '../types/datum.js';
import type { CatalogSnapshot } from './snapshot.js';

/** The query of a CREATE VIEW statement's text: what follows its `AS` (outside quotes and parentheses). */
export function viewQueryText(view: ViewDesc): string {
  const text = view.definition;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      i = end < 0 ? text.length : end;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /\s/.test(c) && /^as\s/i.test(text.slice(i + 1, i + 4))) return text.slice(i + 3).trim();
  }
  return text;
}

/** `pg_get_viewdef(oid)`: the view's query (null when the OID is no view, as PostgreSQL). */
export function viewDefinition(snapshot: CatalogSnapshot, oid: number): string | null {
  const relation = snapshot.relation(oid);
  if (relation?.kind !== 'view') return null;
  return ` ${viewQueryText(relation).replace(/;\s*$/, '')};`;
}

/** `pg_views` rows: schemaname, viewname, viewowner, definition. */
export function pgViewsRows(snapshot: CatalogSnapshot): Datum[][] {
  return snapshot.views.map((view) => [snapshot.schema(view.schemaId)?.name ?? '', view.name, 'root', viewDefinition(snapshot, view.id)]);
}

export interface Description {
  readonly objoid: number;
  readonly classoid: number;
  readonly objsubid: number;
  readonly description: string;
}

/**
 * The COMMENT ON comments, as pg_description rows: tables, views, sequences and indexes under
 * pg_class (a column's with its attribute number in objsubid), schemas under pg_namespace.
 */
export function commentDescriptions(snapshot: CatalogSnapshot, attnum: (tableId: number, columnId: number) => number | undefined, oids: { readonly pgClass: number; readonly pgNamespace: number }): Description[] {
  const pgClassOid = oids.pgClass;
  const out: Description[] = [];
  const add = (objoid: number, classoid: number, objsubid: number, description: string | undefined): void => {
    if (description !== undefined) out.push({ objoid, classoid, objsubid, description });
  };
  for (const table of snapshot.tables) {
    add(table.id, pgClassOid, 0, table.comment);
    for (const column of table.columns) {
      const number = attnum(table.id, column.id);
      if (number !== undefined) add(table.id, pgClassOid, number, column.comment);
    }
  }
  for (const entry of snapshot.indexes) add(entry.oid, pgClassOid, 0, entry.index.comment);
  for (const view of snapshot.views) {
    add(view.id, pgClassOid, 0, view.comment);
    view.columns.forEach((column, index) => add(view.id, pgClassOid, index + 1, column.comment));
  }
  for (const sequence of snapshot.sequences) add(sequence.id, pgClassOid, 0, sequence.comment);
  for (const schema of snapshot.schemas) add(schema.oid, oids.pgNamespace, 0, schema.comment);
  return out;
}
