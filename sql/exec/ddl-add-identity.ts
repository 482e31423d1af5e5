/**
 * ALTER TABLE … ADD COLUMN c int GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(sequence options)],
 * in the statement's transaction, as PostgreSQL does it: the column is NOT NULL with a sequence
 * the table owns, and every existing row is given the sequence's next value.
 *
 * PostgreSQL fills the rows in its heap's physical order (for a table only ever inserted into,
 * about insertion order). rangedb's rows have no physical order apart from their primary key, so
 * they are numbered in primary-key order (the rowid of a table without a PRIMARY KEY grows with
 * insertion, so there it is insertion order too). The values are the sequence's first N —
 * start, start + increment, … — and the sequence's call count is written with them, in the
 * transaction: a rollback leaves neither the column nor a used-up sequence, and the next INSERT's
 * nextval continues after the last row. Each row's primary-index value is written again (no
 * secondary index holds the new column); a value past the sequence's range is 2200H, as
 * PostgreSQL's nextval.
 */
import type * as ast from '../parser/ast.js';
import { putRequest, type Request } from '../../kv/api/index.js';
import type { ColumnDesc, SequenceDesc, TableDesc } from '../catalog/descriptors.js';
import { SqlError } from '../catalog/errors.js';
import { RowCodec } from '../rowcodec/row-codec.js';
import type { Datum } from '../types/datum.js';
import { assert } from '../../src/base/assert.js';
import { sequenceValueKey } from './ddl-common.js';
import { createOwnedSequence } from './ddl-create-table.js';
import { readAllRows } from './ddl-index.js';
import type { Runtime } from './runtime.js';
import type { ExecContext } from './statement.js';

type IdentityConstraint = Extract<ast.Constraint, { kind: 'Identity' }>;

/** Puts per KV batch while the rows are written again. */
const rewriteRequestsMax = 2048;

/**
 * `table` with `column` added as an identity column and its rows numbered; the caller writes the
 * returned descriptor. `column` is the column as declared (without a default: 42601 otherwise).
 */
export async function addIdentityColumn(rt: Runtime, exec: ExecContext, table: TableDesc, schemaName: string, column: ColumnDesc, identity: IdentityConstraint): Promise<TableDesc> {
  if (column.defaultExpr !== null) throw new SqlError('42601', `both default and identity specified for column "${column.name}" of table "${table.name}"`);
  if (column.type.kind !== 'int2' && column.type.kind !== 'int4' && column.type.kind !== 'int8') throw new SqlError('22023', 'identity column type must be smallint, integer, or bigint');
  const owned = await createOwnedSequence(exec.catalog, table.parentId, { id: table.schemaId, name: schemaName }, table.id, table.name, column, identity.options, new Set());
  const sequence = await exec.catalog.descriptor(owned.ownedSequenceId);
  assert(sequence?.kind === 'sequence', 'the identity sequence was just written');
  const added: ColumnDesc = Object.freeze({ ...column, ...owned, nullable: false, identity: identity.generated });
  const updated: TableDesc = { ...table, columns: [...table.columns, added], nextColumnId: table.nextColumnId + 1 };
  const rows = await readAllRows(table, rt);
  const values = identityValues(sequence, rows.length, column.type.kind === 'int8');
  const codec = new RowCodec(updated);
  let requests: Request[] = [countRequest(sequence, rows.length)];
  for (let index = 0; index < rows.length; index++) {
    const entry = codec.encodePrimary([...rows[index]!, values[index]!]);
    requests.push(putRequest(entry.key, entry.value));
    if (requests.length >= rewriteRequestsMax) {
      await rt.txn.batch(requests);
      requests = [];
    }
  }
  if (requests.length > 0) await rt.txn.batch(requests);
  return updated;
}

/** The sequence's first `count` values (its nextval's, in order); 2200H past its range. */
function identityValues(sequence: SequenceDesc, count: number, bigint: boolean): Datum[] {
  const values: Datum[] = [];
  for (let index = 0; index < count; index++) {
    const value = sequence.start + BigInt(index) * sequence.increment;
    if (value > sequence.maxValue || value < sequence.minValue) {
      const maximum = value > sequence.maxValue;
      throw new SqlError('2200H', `nextval: reached ${maximum ? 'maximum' : 'minimum'} value of sequence "${sequence.name}" (${maximum ? sequence.maxValue : sequence.minValue})`);
    }
    values.push(bigint ? value : Number(value));
  }
  return values;
}

/** The sequence's call count after `count` nextvals, written in the transaction (engine.ts reads it the same way). */
function countRequest(sequence: SequenceDesc, count: number): Request {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(count));
  return putRequest(sequenceValueKey(sequence.id), bytes);
}
