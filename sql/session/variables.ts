/**
 * Session variables (PostgreSQL's GUCs, the part drivers and psql use): their defaults, what a
 * `SET` accepts, what `SHOW` prints, and which are GUC_REPORT — sent to the client as
 * ParameterStatus at startup and whenever they change.
 *
 * Values are held as the text `SHOW` prints. Setting validates and normalizes (`iso, mdy` →
 * `ISO, MDY`); what rangedb cannot honour is refused with 0A000 rather than accepted and
 * ignored (a client asking for LATIN1 must not get UTF-8 silently). `SET LOCAL` is the
 * session's business (it restores the old value at the end of the transaction).
 */
import { assert } from '../../src/base/assert.js';
import { formatByteSize, parseByteSize } from '../../src/base/byte-size.js';
import { timeZoneFromSetting } from '../types/timezone.js';
import { SessionError, invalidParameterValue, notSupported, parameterCannotBeChanged, unrecognizedParameter } from './errors.js';

/** The PostgreSQL version clients see: 15, which libpq, JDBC and psycopg parse as 150000. */
export const serverVersion = '15.0.0';
export const serverVersionNum = '150000';

export interface VariableDefaults {
  readonly user: string;
  readonly database: string;
  readonly isSuperuser: boolean;
  readonly strictSerializable: boolean;
}

interface VariableDefinition {
  /** The name as PostgreSQL spells it in ParameterStatus and SHOW ALL (`DateStyle`, `TimeZone`). */
  readonly displayName: string;
  /** GUC_REPORT: pushed as ParameterStatus at startup and on every change. */
  readonly report: boolean;
  readonly description: string;
  initial(defaults: VariableDefaults): string;
  /** Validates and normalizes a SET; undefined: the variable is read-only (55P02). */
  readonly normalize: ((value: string, name: string) => string) | undefined;
}

const fixed = (value: string) => () => value;

export function onOff(value: string, name: string): string {
  const lower = value.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y'].includes(lower)) return 'on';
  if (['off', 'false', 'no', '0', 'f', 'n'].includes(lower)) return 'off';
  // PostgreSQL's message for a boolean parameter (guc.c parse_and_validate_value).
  throw new SessionError('22023', `parameter "${name}" requires a Boolean value`);
}

/** Only `on` is implemented: the variable exists so clients can confirm it. */
function onlyOn(value: string, name: string): string {
  if (onOff(value, name) !== 'on') throw notSupported(`setting ${name} to off is not supported`);
  return 'on';
}

const utf8Names = new Set(['utf8', 'utf-8', 'unicode']);
/** Encodings PostgreSQL knows that rangedb does not speak (refused with 0A000, not 22023). */
const otherEncodings = new Set([
  'sql_ascii', 'latin1', 'latin2', 'latin3', 'latin4', 'latin5', 'latin6', 'latin7', 'latin8', 'latin9', 'latin10',
  'win1250', 'win1251', 'win1252', 'win1253', 'win1254', 'win1255', 'win1256', 'win1257', 'win1258', 'win866', 'win874',
  'euc_jp', 'euc_cn', 'euc_kr', 'euc_tw', 'euc_jis_2004', 'sjis', 'shift_jis_2004', 'big5', 'gbk', 'gb18030', 'uhc',
  'johab', 'koi8r', 'koi8u', 'iso_8859_5', 'iso_8859_6', 'iso_8859_7', 'iso_8859_8', 'mule_internal',
]);

function clientEncoding(value: string, name: string): string {
  const lower = value.trim().toLowerCase();
  if (utf8Names.has(lower)) return 'UTF8';
  if (otherEncodings.has(lower.replace(/-/g, '_'))) throw notSupported(`client_encoding "${value}" is not supported; only UTF8 is`);
  throw invalidParameterValue(name, value);
}

function dateStyle(value: string, name: string): string {
  const parts = value.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '');
  if (parts.length === 0) throw invalidParameterValue(name, value);
  for (const part of parts) {
    if (part === 'iso' || part === 'mdy') continue;
    if (['sql', 'postgres', 'german', 'dmy', 'ymd', 'euro', 'european', 'us', 'noneuropean', 'nonEuropean'].includes(part)) {
      throw notSupported(`DateStyle "${value}" is not supported; only "ISO, MDY" is`);
    }
    throw invalidParameterValue(name, value);
  }
  return 'ISO, MDY';
}

function intervalStyle(value: string, name: string): string {
  const lower = value.trim().toLowerCase();
  if (lower === 'postgres') return 'postgres';
  if (['postgres_verbose', 'sql_standard', 'iso_8601'].includes(lower)) throw notSupported(`IntervalStyle "${value}" is not supported; only postgres is`);
  throw invalidParameterValue(name, value);
}

function timeZone(value: string, name: string): string {
  const trimmed = value.trim();
  if (/^(local|default)$/i.test(trimmed)) return 'UTC';
  try {
    timeZoneFromSetting(trimmed);
  } catch {
    throw invalidParameterValue(name, value);
  }
  return /^(utc|gmt|z|zulu|etc\/utc)$/i.test(trimmed) ? 'UTC' : trimmed;
}

const durationUnitsMs: Readonly<Record<string, number>> = Object.freeze({ ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 });

/** `statement_timeout`: milliseconds, or a number with a unit (`5s`, `100ms`, `1min`); 0 is off. */
export function parseDurationMs(value: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/i.exec(value);
  if (match === null) throw invalidParameterValue(name, value, 'Valid units for this parameter are "ms", "s", "min", "h", and "d".');
  const ms = Math.round(Number(match[1]) * durationUnitsMs[(match[2] ?? 'ms').toLowerCase()]!);
  if (!Number.isSafeInteger(ms) || ms > 2_147_483_647) throw invalidParameterValue(name, value);
  return ms;
}

/** PostgreSQL's SHOW of a millisecond setting: the largest unit that divides it. */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * `distsql_workmem` (CockroachDB's name): the bytes one row-holding operator may use, as a size
 * (`64MiB`, `512kB`, bytes). At least 1 KiB: a smaller budget fails every sort.
 */
function workMem(value: string, name: string): string {
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw invalidParameterValue(name, value, 'Valid units for this parameter are "B", "kB", "MB", "GB", "TB" (and "KiB", "MiB", "GiB", "TiB").');
  if (bytes < 1024) throw invalidParameterValue(name, value, 'The minimum is 1kB.');
  return formatByteSize(bytes);
}

const isolationNames = new Set(['serializable', 'repeatable read', 'read committed', 'read uncommitted']);

function isolation(value: string, name: string): string {
  const lower = value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!isolationNames.has(lower)) throw invalidParameterValue(name, value);
  // Weaker levels run as serializable (the session sends a NOTICE); SHOW tells the truth.
  return 'serializable';
}

function searchPath(value: string): string {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => (/^[a-z_][a-z0-9_$]*$/.test(part) ? part : `"${part.replace(/^"|"$/g, '').replace(/"/g, '""')}"`))
    .join(', ');
}

const anyText = (value: string): string => value;

const definitions: ReadonlyMap<string, VariableDefinition> = new Map<string, VariableDefinition>(
  (
    [
      ['application_name', true, 'Sets the application name to be reported in statistics and logs.', fixed(''), anyText],
      ['client_encoding', true, "Sets the client's character set encoding.", fixed('UTF8'), clientEncoding],
      ['DateStyle', true, 'Sets the display format for date and time values.', fixed('ISO, MDY'), dateStyle],
      ['IntervalStyle', true, 'Sets the display format for interval values.', fixed('postgres'), intervalStyle],
      ['TimeZone', true, 'Sets the time zone for displaying and interpreting time stamps.', fixed('UTC'), timeZone],
      ['search_path', false, 'Sets the schema search order for names that are not schema-qualified.', fixed('"$user", public'), searchPath],
      ['statement_timeout', false, 'Sets the maximum allowed duration of any statement.', fixed('0'), (v: string, n: string) => formatDurationMs(parseDurationMs(v, n))],
      ['extra_float_digits', false, 'Sets the number of digits displayed for floating-point values.', fixed('1'), extraFloatDigitsChecked],
      ['standard_conforming_strings', true, "Causes '...' strings to treat backslashes literally.", fixed('on'), onlyOn],
      ['integer_datetimes', true, 'Shows whether datetimes are integer based.', fixed('on'), undefined],
      ['default_transaction_isolation', false, 'Sets the transaction isolation level of each new transaction.', fixed('serializable'), isolation],
      ['transaction_isolation', false, "Sets the current transaction's isolation level.", fixed('serializable'), isolation],
      ['default_transaction_read_only', true, 'Sets the default read-only status of new transactions.', fixed('off'), onOff],
      // The session answers for this one (the open transaction's mode); SET goes to SET TRANSACTION.
      ['transaction_read_only', false, "Sets the current transaction's read-only status.", fixed('off'), onOff],
      ['server_version', true, 'Shows the server version.', fixed(serverVersion), undefined],
      ['server_version_num', false, 'Shows the server version as an integer.', fixed(serverVersionNum), undefined],
      ['server_encoding', true, 'Shows the server (database) character set encoding.', fixed('UTF8'), undefined],
      ['is_superuser', true, 'Shows whether the current user is a superuser.', (d: VariableDefaults) => (d.isSuperuser ? 'on' : 'off'), undefined],
      ['session_authorization', true, 'Sets the session user name.', (d: VariableDefaults) => d.user, undefined],
      ['in_hot_standby', true, 'Shows whether hot standby is currently active.', fixed('off'), undefined],
      ['bytea_output', false, 'Sets the output format for bytea.', fixed('hex'), (v: string, n: string) => only(v, n, 'hex')],
      ['max_identifier_length', false, 'Shows the maximum identifier length.', fixed('63'), undefined],
      // PostgreSQL's INDEX_MAX_KEYS: the JDBC driver reads it (getImportedKeys joins generate_series(1, max_index_keys)).
      ['max_index_keys', false, 'Shows the maximum number of index keys.', fixed('32'), undefined],
      ['lc_messages', false, 'Sets the language in which messages are displayed.', fixed('C'), anyText],
      ['lock_timeout', false, 'Sets the maximum allowed duration of any wait for a lock.', fixed('0'), (v: string, n: string) => formatDurationMs(parseDurationMs(v, n))],
      ['idle_in_transaction_session_timeout', false, 'Sets the maximum allowed idle time between queries, when in a transaction.', fixed('0'), (v: string, n: string) => formatDurationMs(parseDurationMs(v, n))],
      ['database', false, 'The current database (CockroachDB).', (d: VariableDefaults) => d.database, anyText],
      ['distsql_workmem', false, 'Memory one operator of a statement may hold (sort, hash join, aggregate, window); past it the statement fails with 53200.', fixed('64MiB'), workMem],
      ['strict_serializable', false, 'Wait out clock uncertainty at each commit (commit wait), for strict serializability.', (d: VariableDefaults) => (d.strictSerializable ? 'on' : 'off'), onOff],
    ] as const
  ).map(([displayName, report, description, initial, normalize]) => [displayName.toLowerCase(), { displayName, report, description, initial, normalize }]),
);

function extraFloatDigitsChecked(value: string, name: string): string {
  const n = Number(value.trim());
  if (!Number.isInteger(n) || value.trim() === '') throw invalidParameterValue(name, value);
  if (n < -15 || n > 3) throw invalidParameterValue(name, value, 'Valid values are between "-15" and "3".');
  return String(n);
}

function only(value: string, name: string, allowed: string): string {
  if (value.trim().toLowerCase() !== allowed) throw notSupported(`${name} "${value}" is not supported; only ${allowed} is`);
  return allowed;
}

/** Variables only SHOW answers (computed by the session, never SET). */
export const computedVariables: ReadonlySet<string> = new Set(['last_commit_wait']);

export function isKnownVariable(name: string): boolean {
  return definitions.has(name.toLowerCase()) || computedVariables.has(name.toLowerCase());
}

/** A placeholder variable (`myapp.setting`): PostgreSQL accepts any dotted name. */
function isCustomVariable(name: string): boolean {
  return /^[a-z_][a-z0-9_$]*\.[a-z_][a-z0-9_$.]*$/i.test(name);
}

/** A change to report as ParameterStatus. */
export interface ReportedChange {
  readonly name: string;
  readonly value: string;
}

/**
 * One session's variables. `set` and `reset` return the GUC_REPORT changes to send. Names are
 * case-insensitive (held lower-case).
 */
export class SessionVariables {
  private readonly values = new Map<string, string>();

  constructor(private readonly defaults: VariableDefaults) {
    for (const [name, definition] of definitions) this.values.set(name, definition.initial(defaults));
  }

  /** The value `SHOW name` prints; throws 42704 for an unknown name. */
  get(name: string): string {
    const value = this.values.get(name.toLowerCase());
    if (value === undefined) throw unrecognizedParameter(name);
    return value;
  }

  /** The value, or undefined if the variable does not exist. */
  find(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  /** Sets from SET's value list (joined with `, ` as PostgreSQL does for list variables). */
  set(name: string, value: string): ReportedChange[] {
    const key = name.toLowerCase();
    const definition = definitions.get(key);
    if (definition === undefined) {
      if (!isCustomVariable(key)) throw unrecognizedParameter(name);
      this.values.set(key, value);
      return [];
    }
    if (definition.normalize === undefined) {
      // PostgreSQL lets a read-only variable be "set" to its current value.
      if (value === this.values.get(key)) return [];
      throw parameterCannotBeChanged(name);
    }
    return this.assign(key, definition, definition.normalize(value, key));
  }

  /** Puts a value back exactly (SET LOCAL's undo); no validation. */
  restore(name: string, value: string): ReportedChange[] {
    const key = name.toLowerCase();
    const definition = definitions.get(key);
    if (definition === undefined) {
      this.values.set(key, value);
      return [];
    }
    return this.assign(key, definition, value);
  }

  reset(name: string): ReportedChange[] {
    const key = name.toLowerCase();
    const definition = definitions.get(key);
    if (definition === undefined) {
      if (this.values.delete(key) || isCustomVariable(key)) return [];
      throw unrecognizedParameter(name);
    }
    if (definition.normalize === undefined) throw parameterCannotBeChanged(name);
    return this.assign(key, definition, definition.initial(this.defaults));
  }

  resetAll(): ReportedChange[] {
    const changes: ReportedChange[] = [];
    for (const [key, definition] of definitions) {
      if (definition.normalize !== undefined) changes.push(...this.assign(key, definition, definition.initial(this.defaults)));
    }
    return changes;
  }

  /** Every GUC_REPORT variable with its value, for the startup ParameterStatus set. */
  reported(): ReportedChange[] {
    return [...definitions].filter(([, d]) => d.report).map(([key, d]) => ({ name: d.displayName, value: this.values.get(key)! }));
  }

  /** SHOW ALL: name, setting, description, sorted by name. */
  all(): readonly (readonly [string, string, string])[] {
    const rows = [...this.values].map(([key, value]) => [key, value, definitions.get(key)?.description ?? ''] as const);
    return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Every variable by lower-case name (SessionSettings.all). */
  snapshot(): ReadonlyMap<string, string> {
    return new Map(this.values);
  }

  private assign(key: string, definition: VariableDefinition, value: string): ReportedChange[] {
    const before = this.values.get(key);
    assert(before !== undefined);
    this.values.set(key, value);
    return definition.report && before !== value ? [{ name: definition.displayName, value }] : [];
  }
}
