/** Schema changes: CREATE TABLE | INDEX | DATABASE | SCHEMA | SEQUENCE, DROP, ALTER TABLE, TRUNCATE. */
import type * as pg from 'libpg-query';
import { defined } from '../../../src/base/assert.js';
import type * as ast from '../ast.js';
import { bodyOf, defElemValue, loc, qualifiedName, qualifiedNameOf, stringOf, strings, tagOf, type Context } from './context.js';
import { locationOf, optional, required, typeName } from './expr.js';

interface Base {
  readonly location: number;
  readonly text: string;
}

export function options(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.Option[] {
  return (nodes ?? []).map((node) => {
    const def = bodyOf<pg.DefElem>(node);
    return { name: def.defname ?? '', value: defElemValue(ctx, def.arg) };
  });
}

const referentialActions: Record<string, ast.ReferentialAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** A Constraint node (column or table); null for the DEFERRABLE family, which rangedb ignores. */
export function constraint(c: pg.Constraint, ctx: Context): ast.Constraint | null {
  const base = { name: c.conname ?? null, location: loc(c.location) };
  if (c.deferrable === true) ctx.unsupported('DEFERRABLE constraints are not supported', c.location);
  if (c.skip_validation === true) ctx.unsupported('NOT VALID constraints are not supported', c.location);
  if (c.including !== undefined) ctx.unsupported('INCLUDE in a constraint is not supported', c.location);
  if (c.indexspace !== undefined) ctx.unsupported('USING INDEX TABLESPACE is not supported', c.location);
  // Accepted and not kept: NO INHERIT (rangedb has no inheritance) and a constraint index's
  // WITH (storage options), which rangedb's storage ignores as it ignores a table's.
  switch (c.contype) {
    case 'CONSTR_NULL':
      return { kind: 'Null', ...base };
    case 'CONSTR_NOTNULL':
      return { kind: 'NotNull', ...base };
    case 'CONSTR_DEFAULT':
      return { kind: 'Default', ...base, expr: required(c.raw_expr, ctx) };
    case 'CONSTR_CHECK':
      return { kind: 'Check', ...base, expr: required(c.raw_expr, ctx) };
    case 'CONSTR_PRIMARY':
      if (c.indexname !== undefined) ctx.unsupported('PRIMARY KEY USING INDEX is not supported', c.location);
      return { kind: 'PrimaryKey', ...base, columns: strings(c.keys) };
    case 'CONSTR_UNIQUE':
      if (c.indexname !== undefined) ctx.unsupported('UNIQUE USING INDEX is not supported', c.location);
      return { kind: 'Unique', ...base, columns: strings(c.keys), nullsNotDistinct: c.nulls_not_distinct ?? false };
    case 'CONSTR_FOREIGN':
      return {
        kind: 'ForeignKey',
        ...base,
        columns: strings(c.fk_attrs),
        table: qualifiedName(c.pktable ?? {}),
        referencedColumns: strings(c.pk_attrs),
        onDelete: referentialActions[c.fk_del_action ?? 'a'] ?? 'no action',
        onUpdate: referentialActions[c.fk_upd_action ?? 'a'] ?? 'no action',
        match: c.fk_matchtype === 'f' ? 'full' : c.fk_matchtype === 'p' ? 'partial' : 'simple',
      };
    case 'CONSTR_ATTR_NOT_DEFERRABLE':
    case 'CONSTR_ATTR_IMMEDIATE':
      return null;
    case 'CONSTR_IDENTITY':
      return { kind: 'Identity', ...base, generated: c.generated_when === 'a' ? 'always' : 'by default', options: options(c.options, ctx) };
    case 'CONSTR_GENERATED':
      return ctx.unsupported('generated columns are not supported', c.location);
    case 'CONSTR_EXCLUSION':
      return ctx.unsupported('EXCLUDE constraints are not supported', c.location);
    default:
      return ctx.unsupported('DEFERRABLE constraints are not supported', c.location);
  }
}

function constraints(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.Constraint[] {
  return (nodes ?? []).flatMap((node) => constraint(bodyOf(node), ctx) ?? []);
}

export function columnDef(c: pg.ColumnDef, ctx: Context): ast.ColumnDef {
  if (c.compression !== undefined) ctx.unsupported('COMPRESSION is not supported', c.location);
  if (c.storage_name !== undefined) ctx.unsupported('STORAGE is not supported', c.location);
  return {
    name: c.colname ?? '',
    type: typeName(c.typeName, ctx),
    collation: c.collClause === undefined ? null : strings(c.collClause.collname),
    constraints: constraints(c.constraints, ctx),
    location: loc(c.location),
  };
}

export function createTable(s: pg.CreateStmt, base: Base, ctx: Context): ast.CreateTable {
  const relation = s.relation ?? {};
  if (relation.relpersistence === 't') ctx.unsupported('temporary tables are not supported', relation.location);
  if (relation.relpersistence === 'u') ctx.unsupported('unlogged tables are not supported', relation.location);
  if (s.inhRelations !== undefined) ctx.unsupported('INHERITS is not supported', base.location);
  if (s.partspec !== undefined || s.partbound !== undefined) ctx.unsupported('partitioned tables are not supported', base.location);
  if (s.ofTypename !== undefined) ctx.unsupported('typed tables (OF type) are not supported', base.location);
  if (s.oncommit !== undefined && s.oncommit !== 'ONCOMMIT_NOOP') ctx.unsupported('ON COMMIT is not supported', base.location);
  if (s.tablespacename !== undefined) ctx.unsupported('TABLESPACE is not supported', base.location);
  if (s.accessMethod !== undefined) ctx.unsupported('table access methods (USING) are not supported', base.location);
  const columns: ast.ColumnDef[] = [];
  const tableConstraints: ast.Constraint[] = [];
  for (const element of s.tableElts ?? []) {
    const tag = tagOf(element);
    if (tag === 'ColumnDef') columns.push(columnDef(bodyOf(element), ctx));
    else if (tag === 'Constraint') {
      const tableConstraint = constraint(bodyOf(element), ctx);
      if (tableConstraint !== null) tableConstraints.push(tableConstraint);
    }
    else ctx.unsupported(tag === 'TableLikeClause' ? 'CREATE TABLE … (LIKE …) is not supported' : `${tag} in CREATE TABLE is not supported`, locationOf(element));
  }
  return {
    kind: 'CreateTable',
    ...base,
    name: qualifiedName(relation),
    ifNotExists: s.if_not_exists ?? false,
    columns,
    constraints: tableConstraints,
    storageOptions: options(s.options, ctx),
  };
}

export function createIndex(s: pg.IndexStmt, base: Base, ctx: Context): ast.CreateIndex {
  const columns = (s.indexParams ?? []).map((node): ast.IndexElem => {
    const elem = bodyOf<pg.IndexElem>(node);
    if (elem.opclass !== undefined) ctx.unsupported('index operator classes are not supported', base.location);
    if (elem.collation !== undefined) ctx.unsupported('COLLATE in an index is not supported', base.location);
    return {
      column: elem.name ?? null,
      expr: optional(elem.expr, ctx),
      direction: elem.ordering === 'SORTBY_ASC' ? 'asc' : elem.ordering === 'SORTBY_DESC' ? 'desc' : 'default',
      nulls: elem.nulls_ordering === 'SORTBY_NULLS_FIRST' ? 'first' : elem.nulls_ordering === 'SORTBY_NULLS_LAST' ? 'last' : 'default',
    };
  });
  const include = (s.indexIncludingParams ?? []).map((node) => bodyOf<pg.IndexElem>(node).name ?? '');
  if (s.tableSpace !== undefined) ctx.unsupported('TABLESPACE is not supported', base.location);
  if (s.nulls_not_distinct === true) ctx.unsupported('NULLS NOT DISTINCT indexes are not supported', base.location);
  return {
    kind: 'CreateIndex',
    ...base,
    name: s.idxname ?? null,
    table: qualifiedName(s.relation ?? {}),
    unique: s.unique ?? false,
    ifNotExists: s.if_not_exists ?? false,
    concurrently: s.concurrent ?? false,
    method: s.accessMethod ?? 'btree',
    columns,
    include,
    where: optional(s.whereClause, ctx),
    storageOptions: options(s.options, ctx),
  };
}

export function createSchema(s: pg.CreateSchemaStmt, base: Base, ctx: Context): ast.CreateSchema {
  if (s.schemaElts !== undefined) ctx.unsupported('CREATE SCHEMA with schema elements is not supported', base.location);
  return { kind: 'CreateSchema', ...base, name: s.schemaname ?? s.authrole?.rolename ?? '', ifNotExists: s.if_not_exists ?? false, authorization: s.authrole?.rolename ?? null };
}

const dropTypes: Partial<Record<string, ast.Drop['objectType']>> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_INDEX: 'index',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_SCHEMA: 'schema',
};

export function drop(s: pg.DropStmt, base: Base, ctx: Context): ast.Drop {
  const objectType = dropTypes[s.removeType ?? ''];
  if (objectType === undefined) {
    return ctx.unsupported(`DROP ${(s.removeType ?? '').replace(/^OBJECT_/, '').replace(/_/g, ' ')} is not supported`, base.location);
  }
  if (s.concurrent === true) ctx.unsupported('DROP INDEX CONCURRENTLY is not supported', base.location);
  const names = (s.objects ?? []).map((node) =>
    tagOf(node) === 'String' ? { catalog: null, schema: null, name: stringOf(node) } : qualifiedNameOf(bodyOf<pg.List>(node).items ?? []),
  );
  return { kind: 'Drop', ...base, objectType, names, ifExists: s.missing_ok ?? false, cascade: s.behavior === 'DROP_CASCADE' };
}

export function dropDatabase(s: pg.DropdbStmt, base: Base, ctx: Context): ast.Drop {
  if (s.options !== undefined) ctx.unsupported('DROP DATABASE … WITH (FORCE) is not supported', base.location);
  return { kind: 'Drop', ...base, objectType: 'database', names: [{ catalog: null, schema: null, name: s.dbname ?? '' }], ifExists: s.missing_ok ?? false, cascade: false };
}

function alterTableCommand(cmd: pg.AlterTableCmd, location: number, ctx: Context): ast.AlterTableCommand {
  const column = cmd.name ?? '';
  const cascade = cmd.behavior === 'DROP_CASCADE';
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      return { kind: 'AddColumn', column: columnDef(bodyOf(defined(cmd.def, 'a column definition')), ctx), ifNotExists: cmd.missing_ok ?? false };
    case 'AT_DropColumn':
      return { kind: 'DropColumn', column, ifExists: cmd.missing_ok ?? false, cascade };
    case 'AT_AddConstraint': {
      const added = constraint(bodyOf(defined(cmd.def, 'a constraint')), ctx);
      if (added === null) return ctx.unsupported('this constraint form is not supported', location);
      return { kind: 'AddConstraint', constraint: added };
    }
    case 'AT_DropConstraint':
      return { kind: 'DropConstraint', name: column, ifExists: cmd.missing_ok ?? false, cascade };
    case 'AT_ColumnDefault':
      return { kind: 'SetDefault', column, default: optional(cmd.def, ctx) };
    case 'AT_SetNotNull':
      return { kind: 'SetNotNull', column };
    case 'AT_DropNotNull':
      return { kind: 'DropNotNull', column };
    case 'AT_AlterColumnType': {
      const def = bodyOf<pg.ColumnDef>(defined(cmd.def, 'a column definition'));
      if (def.collClause !== undefined) ctx.unsupported('ALTER COLUMN … TYPE … COLLATE is not supported', location);
      return { kind: 'AlterColumnType', column, type: typeName(def.typeName, ctx), using: optional(def.raw_default, ctx) };
    }
    default: {
      const name = (cmd.subtype ?? '').replace(/^AT_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
      return ctx.unsupported(`ALTER TABLE ${name} is not supported`, location);
    }
  }
}

export function alterTable(s: pg.AlterTableStmt, base: Base, ctx: Context): ast.AlterTable {
  if (s.objtype !== undefined && s.objtype !== 'OBJECT_TABLE') {
    return ctx.unsupported(`ALTER ${s.objtype.replace(/^OBJECT_/, '').replace(/_/g, ' ')} is not supported`, base.location);
  }
  return {
    kind: 'AlterTable',
    ...base,
    table: qualifiedName(s.relation ?? {}),
    ifExists: s.missing_ok ?? false,
    commands: (s.cmds ?? []).map((node) => alterTableCommand(bodyOf(node), base.location, ctx)),
  };
}

export function truncate(s: pg.TruncateStmt, base: Base): ast.Truncate {
  return {
    kind: 'Truncate',
    ...base,
    tables: (s.relations ?? []).map((node) => qualifiedName(bodyOf(node))),
    cascade: s.behavior === 'DROP_CASCADE',
    restartIdentity: s.restart_seqs ?? false,
  };
}
