/**
 * `RowDescriptions`: the encoded RowDescription of each result-column list a connection
 * described, for the result formats it was last described with. `pgbench -M prepared` (libpq's
 * PQexecPrepared) sends Describe(portal) before every Execute, and the answer depends only on
 * the statement's columns and the portal's result formats: it is encoded once and copied after
 * that, instead of a field object per column and the column names encoded again every query.
 *
 * Keyed by the identity of the column list: a statement's `columns` is replaced, never changed,
 * when it is prepared again (sql/session/statements.ts), and a list no statement holds any more
 * is forgotten with it (a WeakMap). One entry per list: a client that alternates result formats
 * on one statement re-encodes, which is only the cost without the cache.
 */
import type { FormatCode } from '../pgwire/backend-messages.js';
import { encodedRowDescription } from '../pgwire/writer.js';
import type { ResultColumn } from '../exec/contract.js';
import { rowDescriptionFields } from './wire-format.js';

interface Encoded {
  readonly formats: readonly FormatCode[];
  readonly bytes: Uint8Array;
}

export class RowDescriptions {
  private readonly byColumns = new WeakMap<readonly ResultColumn[], Encoded>();

  /** The RowDescription message of `columns` in `formats` (the portal's, expanded to one per column). */
  bytes(columns: readonly ResultColumn[], formats: readonly FormatCode[]): Uint8Array {
    const cached = this.byColumns.get(columns);
    if (cached !== undefined && sameFormats(cached.formats, formats)) return cached.bytes;
    const bytes = encodedRowDescription(rowDescriptionFields(columns, formats));
    this.byColumns.set(columns, { formats: formats.slice(), bytes });
    return bytes;
  }
}

function sameFormats(a: readonly FormatCode[], b: readonly FormatCode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
