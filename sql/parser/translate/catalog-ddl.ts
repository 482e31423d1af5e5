/**
 * Schema changes that name existing objects: ALTER … RENAME, CREATE VIEW and
 * COMMENT ON. PostgreSQL's `ObjectType` words (`OBJECT_TABLE`, …) become our lowercase names;
 * object kinds rangedb does not have (functions, types, …) are refused naming the statement.
 */
import type * as pg from 'libpg-query';
import type * as ast from '../ast.js';
import { bodyOf, defElemValue, qualifiedName, qualifiedNameOf, stringOf, strings, tagOf, type Context } from './context.js';

interface Base {
  readonly location: number;
  readonly text: string;
}

/** `OBJECT_TABLE` → `TABLE` (for messages). */
function objectWord(type: string | undefined): string {
  return (type ?? '').replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

const relationTypes: Partial<Record<string, 'table' | 'index' | 'view' | 'sequence'>> = {
  OBJECT_TABLE: 'table',
  OBJECT_INDEX: 'index',
  OBJECT_VIEW: 'view',
  OBJECT_SEQUENCE: 'sequence',
};

export function rename(s: pg.RenameStmt, base: Base, ctx: Context): ast.Rename {
  const common = { kind: 'Rename' as const, ...base, newName: s.newname ?? '', ifExists: s.missing_ok ?? false };
  switch (s.renameType) {
    case 'OBJECT_COLUMN':
    case 'OBJECT_TABCONSTRAINT': {
      const statementType = relationTypes[s.renameType === 'OBJECT_TABCONSTRAINT' ? 'OBJECT_TABLE' : (s.relationType ?? '')];
      if (statementType === undefined) return ctx.unsupported(`ALTER ${objectWord(s.relationType)} … RENAME is not supported`, base.location);
      return { ...common, statementType, target: s.renameType === 'OBJECT_COLUMN' ? 'column' : 'constraint', relation: qualifiedName(s.relation ?? {}), oldName: s.subname ?? '' };
    }
    default: {
      const statementType = relationTypes[s.renameType ?? ''];
      if (statementType === undefined) return ctx.unsupported(`ALTER ${objectWord(s.renameType)} … RENAME is not supported`, base.location);
      return { ...common, statementType, target: 'relation', relation: qualifiedName(s.relation ?? {}), oldName: null };
    }
  }
}

/** `ALTER TABLE | VIEW | SEQUENCE r SET SCHEMA s`: a Rename whose target is the schema. */
export function setSchema(s: pg.AlterObjectSchemaStmt, base: Base, ctx: Context): ast.Rename {
  const statementType = relationTypes[s.objectType ?? ''];
  if (statementType === undefined || statementType === 'index' || s.relation === undefined) return ctx.unsupported(`ALTER ${objectWord(s.objectType)} … SET SCHEMA is not supported`, base.location);
  return { kind: 'Rename', ...base, statementType, target: 'schema', relation: qualifiedName(s.relation), oldName: null, newName: s.newschema ?? '', ifExists: s.missing_ok ?? false };
}

export function createView(s: pg.ViewStmt, base: Base, ctx: Context): ast.CreateView {
  const view = s.view ?? {};
  if (view.relpersistence === 't') ctx.unsupported('temporary views are not supported', view.location);
  if (s.query === undefined || tagOf(s.query) !== 'SelectStmt') return ctx.unsupported('this view query is not supported', base.location);
  // PostgreSQL's DefineView: WITH [LOCAL | CASCADED] CHECK OPTION is the reloption check_option
  // appended to WITH (…) — so both together are "specified more than once" (ddl-view.ts checks).
  const clause = s.withCheckOption === 'LOCAL_CHECK_OPTION' ? 'local' : s.withCheckOption === 'CASCADED_CHECK_OPTION' ? 'cascaded' : undefined;
  // `toast.*` options are a table's TOAST relation's: PostgreSQL accepts them on a view, unchecked, and drops them.
  const viewOptions: ast.Option[] = (s.options ?? []).flatMap((node) => {
    const def = bodyOf<pg.DefElem>(node);
    const name = def.defname ?? '';
    if (def.defnamespace === 'toast') return [];
    return [{ name: def.defnamespace === undefined ? name : `${def.defnamespace}.${name}`, value: defElemValue(ctx, def.arg) }];
  });
  if (clause !== undefined) viewOptions.push({ name: 'check_option', value: clause });
  // The enum's values compare case-insensitively (parse_one_reloption); an invalid one is 22023 at execution.
  const checkValue = viewOptions.find((option) => option.name === 'check_option')?.value?.toLowerCase();
  const checkOption = checkValue === 'local' || checkValue === 'cascaded' ? checkValue : undefined;
  return {
    kind: 'CreateView',
    ...base,
    name: qualifiedName(view),
    columns: strings(s.aliases),
    query: ctx.query(s.query),
    orReplace: s.replace ?? false,
    ...(checkOption === undefined ? {} : { checkOption }),
    ...(viewOptions.length === 0 ? {} : { options: viewOptions }),
  };
}

const commentTypes: Partial<Record<string, ast.Comment['objectType']>> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_INDEX: 'index',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_COLUMN: 'column',
  OBJECT_SCHEMA: 'schema',
};

export function comment(s: pg.CommentStmt, base: Base, ctx: Context): ast.Comment {
  const objectType = commentTypes[s.objtype ?? ''];
  if (objectType === undefined || s.object === undefined) return ctx.unsupported(`COMMENT ON ${objectWord(s.objtype)} is not supported`, base.location);
  // PostgreSQL's CreateComments: an empty comment is the same as NULL (it deletes the comment).
  const text = s.comment === undefined || s.comment === '' ? null : s.comment;
  const common = { kind: 'Comment' as const, ...base, objectType, comment: text };
  if (objectType === 'schema') return { ...common, object: { catalog: null, schema: null, name: stringOf(s.object) }, column: null };
  const parts = bodyOf<pg.List>(s.object).items ?? [];
  if (objectType !== 'column') return { ...common, object: qualifiedNameOf(parts), column: null };
  // COMMENT ON COLUMN [schema.]table.column: the last part is the column.
  if (parts.length < 2) return ctx.unsupported('COMMENT ON COLUMN needs a table-qualified column name', base.location);
  return { ...common, object: qualifiedNameOf(parts.slice(0, -1)), column: stringOf(parts[parts.length - 1]!) };
}
