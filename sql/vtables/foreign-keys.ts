/**
 * Foreign keys in the catalog views: their `pg_constraint` rows (contype 'f'), the text
 * `pg_get_constraintdef` prints for them (ruleutils.c's `pg_get_constraintdef_worker`, which
 * psql's `\d` shows under "Foreign-key constraints:" and "Referenced by:"), and what
 * `information_schema` derives from them (referential_constraints, key_column_usage's
 * position_in_unique_constraint, constraint_column_usage's referenced columns).
 */
import type { ForeignKeyDesc, TableDesc } from '../catalog/descriptors.js';
import type { Datum } from '../types/datum.js';
import { quoteIdent } from './deparse.js';
import { indexOid, indexOidSlot, type CatalogSnapshot, type ForeignKeyEntry } from './snapshot.js';

type Action = ForeignKeyDesc['onDelete'];

/** `confupdtype` / `confdeltype` (FKCONSTR_ACTION_*). */
const actionCodes: Readonly<Record<Action, string>> = { 'no action': 'a', restrict: 'r', cascade: 'c', 'set null': 'n', 'set default': 'd' };

/** `update_rule` / `delete_rule` of information_schema.referential_constraints, and the words of the definition. */
const actionWords: Readonly<Record<Action, string>> = { 'no action': 'NO ACTION', restrict: 'RESTRICT', cascade: 'CASCADE', 'set null': 'SET NULL', 'set default': 'SET DEFAULT' };

function columnNames(table: TableDesc, ids: readonly number[]): string[] {
  return ids.map((id) => table.columns.find((column) => column.id === id)!.name);
}

/** `attnum`s: positions among all the table's columns (tables.ts's `attnums`; FK columns are never hidden). */
function attributeNumbers(table: TableDesc, ids: readonly number[]): number[] {
  return ids.map((id) => table.columns.findIndex((column) => column.id === id) + 1);
}

/** A foreign key's `pg_constraint` row (column order of tables.ts's pg_constraint). */
export function foreignKeyConstraintRow(entry: ForeignKeyEntry): Datum[] {
  const { fk, table, referenced } = entry;
  return [
    entry.oid, fk.name, table.schemaId, 'f', false, false, true, table.id, 0, indexOid(referenced.id, indexOidSlot(referenced, entry.referencedIndex)), 0, referenced.id,
    actionCodes[fk.onUpdate], actionCodes[fk.onDelete], fk.match === 'full' ? 'f' : 's', true, 0, true,
    attributeNumbers(table, fk.columnIds), attributeNumbers(referenced, fk.referencedColumnIds), null, null, null, null, null, null,
  ];
}

/** `pg_get_constraintdef` of a foreign key: `FOREIGN KEY (a) REFERENCES p(id) MATCH FULL ON UPDATE … ON DELETE …`. */
export function foreignKeyDefinition(snapshot: CatalogSnapshot, entry: ForeignKeyEntry): string {
  const { fk, table, referenced } = entry;
  const columns = columnNames(table, fk.columnIds).map(quoteIdent).join(', ');
  const referencedColumns = columnNames(referenced, fk.referencedColumnIds).map(quoteIdent).join(', ');
  // generate_relation_name: qualified only when the schema is not on the search path.
  const schema = snapshot.schema(referenced.schemaId);
  const visible = schema !== undefined && snapshot.searchPath().includes(schema);
  const target = visible ? quoteIdent(referenced.name) : `${quoteIdent(schema?.name ?? 'public')}.${quoteIdent(referenced.name)}`;
  let text = `FOREIGN KEY (${columns}) REFERENCES ${target}(${referencedColumns})`;
  if (fk.match === 'full') text += ' MATCH FULL';
  if (fk.onUpdate !== 'no action') text += ` ON UPDATE ${actionWords[fk.onUpdate]}`;
  if (fk.onDelete !== 'no action') text += ` ON DELETE ${actionWords[fk.onDelete]}`;
  return text;
}

/** The foreign keys of the snapshot. */
export function foreignKeyEntries(snapshot: CatalogSnapshot): ForeignKeyEntry[] {
  return snapshot.constraints.filter((entry): entry is ForeignKeyEntry => entry.kind === 'foreign');
}

/** information_schema.referential_constraints rows. */
export function referentialConstraintRows(snapshot: CatalogSnapshot): Datum[][] {
  const database = snapshot.settings.database;
  return foreignKeyEntries(snapshot).map(({ fk, table, referenced, referencedIndex }) => [
    database, snapshot.schema(table.schemaId)?.name ?? '', fk.name,
    database, snapshot.schema(referenced.schemaId)?.name ?? '', referencedIndex.name,
    fk.match === 'full' ? 'FULL' : 'NONE', actionWords[fk.onUpdate], actionWords[fk.onDelete],
  ]);
}

/** For key_column_usage: each FK column's position in the referenced unique constraint (1-based). */
export function positionsInUniqueConstraint(entry: ForeignKeyEntry): number[] {
  return entry.fk.referencedColumnIds.map((id) => entry.referencedIndex.columns.findIndex((column) => column.columnId === id) + 1);
}
