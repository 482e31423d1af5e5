/**
 * Utility statements: transactions, session variables, EXPLAIN, prepared statements, COPY,
 * VACUUM / ANALYZE, DISCARD, CREATE DATABASE and CREATE SEQUENCE.
 */
import type * as pg from 'libpg-query';
import type * as ast from '../ast.js';
import { bodyOf, defElemValue, optionIsTrue, qualifiedName, strings, type Context } from './context.js';
import { exprs, locationOf, optional, typeName } from './expr.js';
import { options } from './ddl.js';
import { query } from './query.js';

interface Base {
  readonly location: number;
  readonly text: string;
}

const isolationLevels: readonly ast.IsolationLevel[] = ['serializable', 'repeatable read', 'read committed', 'read uncommitted'];

/** The transaction modes of BEGIN / SET TRANSACTION, from their DefElems. */
function transactionModes(nodes: readonly pg.Node[] | undefined, ctx: Context): ast.TransactionModes {
  let isolation: ast.IsolationLevel | null = null;
  let readOnly: boolean | null = null;
  let deferrable: boolean | null = null;
  for (const node of nodes ?? []) {
    const def = bodyOf<pg.DefElem>(node);
    const value = defElemValue(ctx, def.arg);
    if (def.defname === 'transaction_isolation') isolation = isolationLevels.find((level) => level === value) ?? null;
    else if (def.defname === 'transaction_read_only') readOnly = value === '1' || value === 'true';
    else if (def.defname === 'transaction_deferrable') deferrable = value === '1' || value === 'true';
  }
  return { isolation, readOnly, deferrable };
}

export function transaction(s: pg.TransactionStmt, base: Base, ctx: Context): ast.Statement {
  if (s.chain === true) ctx.unsupported('AND CHAIN is not supported', base.location);
  const name = s.savepoint_name ?? '';
  switch (s.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return { kind: 'Begin', ...base, start: s.kind === 'TRANS_STMT_START', ...transactionModes(s.options, ctx) };
    case 'TRANS_STMT_COMMIT':
      return { kind: 'Commit', ...base };
    case 'TRANS_STMT_ROLLBACK':
      return { kind: 'Rollback', ...base };
    case 'TRANS_STMT_SAVEPOINT':
      return { kind: 'Savepoint', ...base, name };
    case 'TRANS_STMT_RELEASE':
      return { kind: 'ReleaseSavepoint', ...base, name };
    case 'TRANS_STMT_ROLLBACK_TO':
      return { kind: 'RollbackToSavepoint', ...base, name };
    default:
      return ctx.unsupported('two-phase commit statements (PREPARE TRANSACTION, COMMIT PREPARED) are not supported', base.location);
  }
}

export function setVariable(s: pg.VariableSetStmt, base: Base, ctx: Context): ast.Statement {
  const name = s.name ?? '';
  switch (s.kind) {
    case 'VAR_SET_VALUE':
      return { kind: 'SetVariable', ...base, name, local: s.is_local ?? false, values: exprs(s.args, ctx) };
    case 'VAR_SET_DEFAULT':
      return { kind: 'SetVariable', ...base, name, local: s.is_local ?? false, values: null };
    case 'VAR_SET_MULTI':
      if (name !== 'TRANSACTION' && name !== 'SESSION CHARACTERISTICS') break;
      return { kind: 'SetTransaction', ...base, sessionDefault: name === 'SESSION CHARACTERISTICS', ...transactionModes(s.args, ctx) };
    case 'VAR_RESET':
      return { kind: 'Reset', ...base, name };
    case 'VAR_RESET_ALL':
      return { kind: 'Reset', ...base, name: null };
    default:
      break;
  }
  return ctx.unsupported(`SET ${name === '' ? '… FROM CURRENT' : name} is not supported`, base.location);
}

export function explain(s: pg.ExplainStmt, base: Base, ctx: Context): ast.Explain {
  const explainOptions = options(s.options, ctx);
  const flag = (name: string): boolean => explainOptions.some((option) => option.name === name && optionIsTrue(option.value));
  if (s.query === undefined) return ctx.unsupported('EXPLAIN without a statement', base.location);
  const inner = ctx.statement(s.query, base.location, base.text);
  return { kind: 'Explain', ...base, analyze: flag('analyze'), verbose: flag('verbose'), options: explainOptions, statement: inner };
}

export function prepare(s: pg.PrepareStmt, base: Base, ctx: Context): ast.Prepare {
  if (s.query === undefined) return ctx.unsupported('PREPARE without a statement', base.location);
  const parameterTypes = (s.argtypes ?? []).map((node) => typeName(bodyOf(node), ctx));
  return { kind: 'Prepare', ...base, name: s.name ?? '', parameterTypes, statement: ctx.statement(s.query, base.location, base.text) };
}

export function execute(s: pg.ExecuteStmt, base: Base, ctx: Context): ast.Execute {
  return { kind: 'Execute', ...base, name: s.name ?? '', params: exprs(s.params, ctx) };
}

// PostgreSQL's CURSOR_OPT_* bits (parsenodes.h) in DeclareCursorStmt.options.
const cursorBinary = 0x1;
const cursorScroll = 0x2;
const cursorHold = 0x20;
/** FETCH ALL's count as libpg-query reports it (FETCH_ALL is LONG_MAX, cut to 32 bits). */
const fetchAll = 2147483647;

export function declareCursor(s: pg.DeclareCursorStmt, base: Base, ctx: Context): ast.DeclareCursor {
  if (s.query === undefined) return ctx.unsupported('DECLARE CURSOR without a query', base.location);
  const options = s.options ?? 0;
  return { kind: 'DeclareCursor', ...base, name: s.portalname ?? '', query: ctx.statement(s.query, base.location, base.text), hold: (options & cursorHold) !== 0, binary: (options & cursorBinary) !== 0, scroll: (options & cursorScroll) !== 0 };
}

export function fetch(s: pg.FetchStmt, base: Base): ast.Fetch {
  const howMany = Number(s.howMany ?? 0);
  const forward = (s.direction ?? 'FETCH_FORWARD') === 'FETCH_FORWARD';
  return { kind: 'Fetch', ...base, name: s.portalname ?? '', count: howMany >= fetchAll ? null : howMany, forward, move: s.ismove === true };
}

export function closeCursor(s: pg.ClosePortalStmt, base: Base): ast.CloseCursor {
  return { kind: 'CloseCursor', ...base, name: s.portalname ?? null };
}

export function deallocate(s: pg.DeallocateStmt, base: Base): ast.Deallocate {
  return { kind: 'Deallocate', ...base, name: s.name ?? null };
}

const copyFormats: readonly ast.Copy['format'][] = ['text', 'csv', 'binary'];

export function copy(s: pg.CopyStmt, base: Base, ctx: Context): ast.Copy {
  if (s.filename !== undefined || s.is_program === true) ctx.unsupported('COPY to or from a file or program is not supported; use STDIN or STDOUT', base.location);
  const all = options(s.options, ctx);
  const value = (name: string): string | null | undefined => all.find((option) => option.name === name)?.value;
  const format = value('format') ?? 'text';
  const formatName = copyFormats.find((known) => known === format.toLowerCase());
  if (formatName === undefined) return ctx.unsupported(`COPY format "${format}" is not supported`, base.location);
  const header = value('header');
  if (header?.toLowerCase() === 'match') ctx.unsupported('COPY … HEADER MATCH is not supported', base.location);
  const isFrom = s.is_from ?? false;
  return {
    kind: 'Copy',
    ...base,
    table: s.relation === undefined ? null : qualifiedName(s.relation),
    query: s.query === undefined ? null : query(s.query, ctx, locationOf(s.query)),
    columns: strings(s.attlist),
    direction: isFrom ? 'from stdin' : 'to stdout',
    format: formatName,
    header: header !== undefined && optionIsTrue(header),
    delimiter: value('delimiter') ?? null,
    nullString: value('null') ?? null,
    otherOptions: all.filter((option) => !['format', 'header', 'delimiter', 'null'].includes(option.name)),
    where: optional(s.whereClause, ctx),
  };
}

export function vacuum(s: pg.VacuumStmt, base: Base, ctx: Context): ast.Vacuum | ast.Analyze {
  const tables = (s.rels ?? []).map((node) => {
    const relation = bodyOf<pg.VacuumRelation>(node);
    return { table: qualifiedName(relation.relation ?? {}), columns: strings(relation.va_cols) };
  });
  return { kind: s.is_vacuumcmd === true ? 'Vacuum' : 'Analyze', ...base, options: options(s.options, ctx), tables };
}

const discardTargets: Record<string, ast.Discard['target']> = { DISCARD_ALL: 'all', DISCARD_PLANS: 'plans', DISCARD_SEQUENCES: 'sequences', DISCARD_TEMP: 'temp' };

export function discard(s: pg.DiscardStmt, base: Base): ast.Discard {
  return { kind: 'Discard', ...base, target: discardTargets[s.target ?? 'DISCARD_ALL'] ?? 'all' };
}

export function createDatabase(s: pg.CreatedbStmt, base: Base, ctx: Context): ast.CreateDatabase {
  return { kind: 'CreateDatabase', ...base, name: s.dbname ?? '', options: options(s.options, ctx) };
}

export function createSequence(s: pg.CreateSeqStmt, base: Base, ctx: Context): ast.CreateSequence {
  const relation = s.sequence ?? {};
  if (relation.relpersistence === 't') ctx.unsupported('temporary sequences are not supported', relation.location);
  return { kind: 'CreateSequence', ...base, name: qualifiedName(relation), ifNotExists: s.if_not_exists ?? false, options: options(s.options, ctx) };
}

/** `SHOW name`. */
export function show(s: pg.VariableShowStmt, base: Base): ast.Show {
  return { kind: 'Show', ...base, name: s.name ?? '' };
}
