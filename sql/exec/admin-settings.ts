/**
 * Cluster settings: `SHOW CLUSTER SETTING name`, `SHOW ALL CLUSTER SETTINGS` (variable, value,
 * setting_type, description) and `SET CLUSTER SETTING name = value | DEFAULT`.
 *
 * The registry lists only settings rangedb honours — a setting that is listed but changes nothing
 * would lie to the operator (CockroachDB's `kv.transaction.write_buffering.enabled`, say, is not
 * wired here, so it is not listed and answers 42704 like any unknown name). Each entry says what
 * it does. A value set is stored in the system keyspace (`settingKey(name)`, beside the catalog's
 * descriptors), written in the statement's transaction, so it commits or rolls back with it and
 * survives a restart; `= DEFAULT` deletes the row (CockroachDB's system.settings does the same).
 * Reads happen in the reading statement's transaction: a setting is as consistent as the data.
 *
 * Types use CockroachDB's one-letter codes: `s` string, `b` bool, `i` integer, `m` version.
 */
import type * as ast from '../parser/ast.js';
import { settingKey } from '../../kv/api/index.js';
import { limits } from '../../src/base/limits.js';
import type { Txn } from '../../txn/index.js';
import { SqlError } from '../catalog/errors.js';
import type { PlanContext } from '../plan/planner.js';
import { Scope } from '../plan/scope.js';
import type { Datum } from '../types/datum.js';
import { boolType, int8Type, textType, type SqlType } from '../types/sql-type.js';
import type { SqlEngineDeps } from './contract.js';
import { rowsSource } from './runtime.js';
import type { StatementPlan } from './statement.js';
import { resultColumn } from './admin-target.js';

type SettingType = 's' | 'b' | 'i' | 'm';

interface SettingDefinition {
  readonly name: string;
  readonly type: SettingType;
  /** The value when none was set, as text. */
  readonly defaultValue: string;
  /** A read-only setting refuses SET (55000). */
  readonly readOnly: boolean;
  readonly description: string;
}

/** The cluster's version: rangedb has one on-disk format and no upgrades yet, so it is fixed. */
export const clusterVersion = '23.1';

/**
 * Every cluster setting rangedb knows, by name. Keep the list honest: add a setting only with the
 * code that reads it (and a test that shows its effect), or when it is purely informational.
 */
const settingsRegistry: ReadonlyMap<string, SettingDefinition> = new Map(
  (
    [
      {
        name: 'cluster.organization',
        type: 's',
        defaultValue: '',
        readOnly: false,
        description: 'organization name (informational: shown by SHOW CLUSTER SETTING, changes no behaviour)',
      },
      {
        // Read by the store's MVCC GC queue (kv/replica/gc-queue.ts) at each pass, by this name.
        name: 'kv.gc.ttl_seconds',
        type: 'i',
        defaultValue: String(limits.gcTtlNanosDefault / 1_000_000_000n),
        readOnly: false,
        description: 'seconds old versions are kept after they were overwritten or deleted: AS OF SYSTEM TIME reads may go back this far; older ones are garbage collected (CockroachDB: the gc.ttlseconds zone setting, 4 hours)',
      },
      {
        name: 'sql.show_ranges_deprecated_behavior.enabled',
        type: 'b',
        defaultValue: 'false',
        readOnly: false,
        description: 'if set, SHOW RANGES answers with the pre-23.1 columns (range_size_mb, lease_holder, …, without the replica roles) and a deprecation notice',
      },
      {
        name: 'version',
        type: 'm',
        defaultValue: clusterVersion,
        readOnly: true,
        description: 'the active cluster version (read-only: rangedb has one storage format and no upgrade path yet)',
      },
    ] as const satisfies readonly SettingDefinition[]
  ).map((definition) => [definition.name, definition as SettingDefinition]),
);

function definitionOf(name: string): SettingDefinition {
  const definition = settingsRegistry.get(name.toLowerCase());
  if (definition === undefined) throw new SqlError('42704', `unrecognized configuration parameter "${name}"`);
  return definition;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The current value of setting `name` as text (its default unless SET), read in `txn`. */
export async function readClusterSetting(txn: Txn, name: string): Promise<string> {
  const definition = definitionOf(name);
  const stored = await txn.get(settingKey(definition.name));
  if (stored === undefined) return definition.defaultValue;
  return (JSON.parse(decoder.decode(stored)) as { value: string }).value;
}

/** The SQL type SHOW CLUSTER SETTING answers with for a setting type. */
function sqlTypeOf(type: SettingType): SqlType {
  return type === 'b' ? boolType : type === 'i' ? int8Type : textType;
}

function datumOf(definition: SettingDefinition, text: string): Datum {
  if (definition.type === 'i') return BigInt(text);
  return definition.type === 'b' ? text === 'true' : text;
}

/** Checks and canonicalizes a value for `definition`; 22023 for a value of the wrong type. */
function canonicalValue(definition: SettingDefinition, value: Datum): string {
  if (value === null) throw new SqlError('22023', `setting "${definition.name}" cannot be NULL`);
  if (definition.type === 'b') {
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'string' && ['true', 'false', 'on', 'off', 't', 'f', 'yes', 'no'].includes(value.trim().toLowerCase())) {
      return ['true', 'on', 't', 'yes'].includes(value.trim().toLowerCase()) ? 'true' : 'false';
    }
    throw new SqlError('22023', `invalid value for setting "${definition.name}": expected a boolean, got ${describeDatum(value)}`);
  }
  if (definition.type === 'i') return canonicalInteger(definition, value);
  if (typeof value === 'string') return value;
  throw new SqlError('22023', `invalid value for setting "${definition.name}": expected a string, got ${describeDatum(value)}`);
}

/** Integer settings (so far only TTLs) take 1 … 2^31 − 1, as a number or a string of digits. */
function canonicalInteger(definition: SettingDefinition, value: Datum): string {
  let parsed: bigint | undefined;
  if (typeof value === 'bigint') parsed = value;
  else if (typeof value === 'number' && Number.isInteger(value)) parsed = BigInt(value);
  else if (typeof value === 'string' && /^\s*\d{1,12}\s*$/.test(value)) parsed = BigInt(value.trim());
  if (parsed === undefined) throw new SqlError('22023', `invalid value for setting "${definition.name}": expected an integer, got ${describeDatum(value)}`);
  if (parsed < 1n || parsed > 2_147_483_647n) throw new SqlError('22023', `invalid value for setting "${definition.name}": ${parsed} is outside 1 … 2147483647`);
  return parsed.toString();
}

function describeDatum(value: Datum): string {
  if (typeof value === 'bigint' || typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  if (typeof value === 'string') return `"${value}"`;
  return 'a value of another type';
}

export function prepareShowClusterSetting(statement: ast.ShowClusterSetting): StatementPlan {
  if (statement.name === null) {
    return {
      columns: [resultColumn('variable', textType), resultColumn('value', textType), resultColumn('setting_type', textType), resultColumn('description', textType)],
      paramTypes: [],
      isDdl: false,
      async execute(rt) {
        const rows: Datum[][] = [];
        for (const definition of [...settingsRegistry.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
          rows.push([definition.name, await readClusterSetting(rt.txn, definition.name), definition.type, definition.description]);
        }
        return { rows: rowsSource(rows), tag: (count) => `SELECT ${count}`, notices: [] };
      },
    };
  }
  const definition = definitionOf(statement.name);
  return {
    columns: [resultColumn(definition.name, sqlTypeOf(definition.type))],
    paramTypes: [],
    isDdl: false,
    async execute(rt) {
      const value = await readClusterSetting(rt.txn, definition.name);
      return { rows: rowsSource([[datumOf(definition, value)]]), tag: (count) => `SELECT ${count}`, notices: [] };
    },
  };
}

export async function prepareSetClusterSetting(pctx: PlanContext, statement: ast.SetClusterSetting, _deps: SqlEngineDeps): Promise<StatementPlan> {
  const definition = definitionOf(statement.name);
  if (definition.readOnly) throw new SqlError('55000', `setting "${definition.name}" is read-only`);
  const expr = statement.value === null ? null : await pctx.compiler.withScope(Scope.empty).compile(statement.value);
  if (expr !== null && !expr.rowIndependent) throw new SqlError('22023', `invalid value for setting "${definition.name}": it must be a constant`);
  return {
    columns: undefined,
    paramTypes: [],
    // Not DDL: the catalog is unchanged. A prepared statement whose result columns depend on a
    // setting (SHOW RANGES under sql.show_ranges_deprecated_behavior.enabled) checks it when it
    // runs and answers PostgreSQL's 0A000 "cached plan must not change result type" if it moved.
    isDdl: false,
    async execute(rt) {
      const key = settingKey(definition.name);
      if (expr === null) {
        await rt.txn.delete(key);
      } else {
        const value = canonicalValue(definition, expr.eval([], rt.ctx));
        await rt.txn.put(key, encoder.encode(JSON.stringify({ value, type: definition.type })));
      }
      return { rows: null, tag: () => 'SET CLUSTER SETTING', notices: [] };
    },
  };
}
