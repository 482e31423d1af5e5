/**
 * Name resolution with PostgreSQL's rules: a database by the session's `database`; an
 * unqualified relation through the `search_path` (`"$user"` skipped when no such schema), a
 * qualified one in its schema; `db.schema.t` only in the current database (0A000 cross-database
 * references otherwise, as PostgreSQL).
 */
import type { QualifiedName } from '../parser/ast.js';
import type { Catalog, NamespaceEntry } from './catalog.js';
import type { DatabaseDescriptor, RelationDescriptor, SchemaDescriptor, SequenceDesc, TableDesc } from './descriptors.js';
import { SqlError, undefinedDatabase, undefinedSchema, undefinedTable, wrongObjectType } from './errors.js';

export interface NameSettings {
  readonly database: string;
  readonly searchPath: readonly string[];
  readonly user: string;
}

export async function currentDatabase(catalog: Catalog, settings: NameSettings): Promise<DatabaseDescriptor> {
  const database = await catalog.database(settings.database);
  if (database === undefined) throw undefinedDatabase(settings.database);
  return database;
}

/** The schemas an unqualified name is looked up in, in order. */
export async function searchSchemas(catalog: Catalog, settings: NameSettings, database: DatabaseDescriptor): Promise<SchemaDescriptor[]> {
  const schemas: SchemaDescriptor[] = [];
  for (const raw of settings.searchPath) {
    const name = raw === '"$user"' || raw === '$user' ? settings.user : raw.replace(/^"|"$/g, '');
    const schema = await catalog.schema(database.id, name);
    if (schema !== undefined) schemas.push(schema);
  }
  return schemas;
}

/** The schema a new object named `name` goes into (the first existing one on the search path). */
export async function creationSchema(catalog: Catalog, settings: NameSettings, name: QualifiedName): Promise<{ database: DatabaseDescriptor; schema: SchemaDescriptor }> {
  const database = await databaseOf(catalog, settings, name);
  if (name.schema !== null) {
    const schema = await catalog.schema(database.id, name.schema);
    if (schema === undefined) throw undefinedSchema(name.schema);
    return { database, schema };
  }
  const schemas = await searchSchemas(catalog, settings, database);
  const schema = schemas[0];
  if (schema === undefined) throw new SqlError('3F000', 'no schema has been selected to create in');
  return { database, schema };
}

async function databaseOf(catalog: Catalog, settings: NameSettings, name: QualifiedName): Promise<DatabaseDescriptor> {
  if (name.catalog !== null && name.catalog !== settings.database) {
    throw new SqlError('0A000', `cross-database references are not implemented: ${[name.catalog, name.schema, name.name].filter((part) => part !== null).join('.')}`);
  }
  return currentDatabase(catalog, settings);
}

export interface ResolvedRelation {
  readonly entry: NamespaceEntry;
  readonly database: DatabaseDescriptor;
  readonly schema: SchemaDescriptor;
}

/** The namespace entry `name` resolves to (a table, sequence or index), or undefined. */
export async function lookupRelation(catalog: Catalog, settings: NameSettings, name: QualifiedName): Promise<ResolvedRelation | undefined> {
  const database = await databaseOf(catalog, settings, name);
  if (name.schema !== null) {
    // A missing schema reads as a missing relation, as in PostgreSQL (`relation "s.t" does not exist`).
    const schema = await catalog.schema(database.id, name.schema);
    if (schema === undefined) return undefined;
    const entry = await catalog.lookup(database.id, schema.id, name.name);
    return entry === undefined ? undefined : { entry, database, schema };
  }
  for (const schema of await searchSchemas(catalog, settings, database)) {
    const entry = await catalog.lookup(database.id, schema.id, name.name);
    if (entry !== undefined) return { entry, database, schema };
  }
  return undefined;
}

export function displayName(name: QualifiedName): string {
  return name.schema === null ? name.name : `${name.schema}.${name.name}`;
}

/** The table `name` names; 42P01 if none, 42809 if it is another kind of relation. */
export async function resolveTable(catalog: Catalog, settings: NameSettings, name: QualifiedName): Promise<TableDesc> {
  const found = await lookupTableOrUndefined(catalog, settings, name);
  if (found === undefined) throw undefinedTable(displayName(name));
  return found;
}

export async function lookupTableOrUndefined(catalog: Catalog, settings: NameSettings, name: QualifiedName): Promise<TableDesc | undefined> {
  const resolved = await lookupRelation(catalog, settings, name);
  if (resolved === undefined) return undefined;
  if (resolved.entry.kind !== 'table') throw wrongObjectType(`"${name.name}" is not a table`);
  const descriptor = await catalog.descriptor(resolved.entry.id);
  if (descriptor?.kind !== 'table') throw undefinedTable(displayName(name));
  return descriptor;
}

/**
 * The table an INSERT, UPDATE or DELETE writes. A write into a view has been rewritten onto its
 * base relation before it gets here (sql/plan/view-write.ts), or refused there with PostgreSQL's
 * detail; a view still met here is refused with PostgreSQL's 55000 all the same.
 */
export async function resolveWriteTarget(catalog: Catalog, settings: NameSettings, name: QualifiedName, action: 'insert' | 'update' | 'delete'): Promise<TableDesc> {
  const resolved = await lookupRelation(catalog, settings, name);
  if (resolved?.entry.kind === 'view') {
    const verb = action === 'insert' ? 'insert into' : action === 'update' ? 'update' : 'delete from';
    const upper = action.toUpperCase();
    throw new SqlError('55000', `cannot ${verb} view "${name.name}"`, {
      detail: 'Views that are not automatically updatable are not supported by rangedb.',
      hint: `To enable ${action === 'insert' ? 'inserting into' : action === 'update' ? 'updating' : 'deleting from'} the view, provide an INSTEAD OF ${upper} trigger or an unconditional ON ${upper} DO INSTEAD rule.`,
    });
  }
  return resolveTable(catalog, settings, name);
}

export async function resolveSequence(catalog: Catalog, settings: NameSettings, name: QualifiedName): Promise<SequenceDesc> {
  const resolved = await lookupRelation(catalog, settings, name);
  if (resolved === undefined) throw undefinedTable(displayName(name));
  const descriptor: RelationDescriptor | undefined = (await catalog.descriptor(resolved.entry.id)) as RelationDescriptor | undefined;
  if (resolved.entry.kind !== 'sequence' || descriptor?.kind !== 'sequence') throw wrongObjectType(`"${name.name}" is not a sequence`);
  return descriptor;
}

/** Parses `'s'`, `'public.s'` (the text argument of nextval) into a qualified name. */
export function parseQualifiedName(text: string): QualifiedName {
  const parts = text.split('.').map((part) => (part.startsWith('"') && part.endsWith('"') ? part.slice(1, -1) : part.toLowerCase()));
  if (parts.length === 1) return { catalog: null, schema: null, name: parts[0]! };
  if (parts.length === 2) return { catalog: null, schema: parts[0]!, name: parts[1]! };
  return { catalog: parts[0]!, schema: parts[1]!, name: parts[2]! };
}

export { undefinedDatabase };
