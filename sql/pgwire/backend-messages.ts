/**
 * The value types the backend writer takes: what a RowDescription column, an ErrorResponse and a
 * ReadyForQuery status are made of. The messages themselves are methods of
 * `BackendMessageWriter` (writer.ts), named after the protocol's messages.
 */

/** 0 = text, 1 = binary: how one column or parameter is encoded on the wire. */
export type FormatCode = 0 | 1;
export const textFormat: FormatCode = 0;
export const binaryFormat: FormatCode = 1;

/**
 * ReadyForQuery's transaction status: 'I' idle (no transaction block), 'T' in a transaction
 * block, 'E' in a failed transaction block (statements are refused until ROLLBACK).
 */
export type TransactionStatus = 'I' | 'T' | 'E';

/** One column of a RowDescription. */
export interface RowDescriptionField {
  readonly name: string;
  /** The table's OID if the column is a plain table column, else 0. */
  readonly tableOid: number;
  /** The column's attribute number in that table (1-based), else 0. */
  readonly columnAttributeNumber: number;
  readonly typeOid: number;
  /** pg_type.typlen: bytes of a fixed-size type, -1 varlena, -2 C string. */
  readonly typeSize: number;
  /** pg_attribute.atttypmod (e.g. varchar(n) → n + 4), -1 if none. */
  readonly typeModifier: number;
  /** Zero when the message answers Describe of a statement (formats are not known yet). */
  readonly formatCode: FormatCode;
}

/** ErrorResponse severities; NoticeResponse uses WARNING, NOTICE, DEBUG, INFO and LOG. */
export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

/**
 * The fields of an ErrorResponse or NoticeResponse ("Error and Notice Message Fields"). Absent
 * optional fields are not sent. Severity goes out twice, as S (localized, which we do not) and V
 * (never localized, what drivers match on).
 */
export interface ErrorFields {
  readonly severity: Severity;
  /** C: the five-character SQLSTATE, e.g. `42P01`. */
  readonly sqlState: string;
  /** M: the primary message, PostgreSQL's wording, e.g. `relation "t" does not exist`. */
  readonly message: string;
  /** D */
  readonly detail?: string;
  /** H */
  readonly hint?: string;
  /** P: 1-based character (not byte) position in the client's query. */
  readonly position?: number;
  /** p: position in `internalQuery`. */
  readonly internalPosition?: number;
  /** q: an internally generated query that failed. */
  readonly internalQuery?: string;
  /** W: the context (call stack of PL functions, the SQL statement of a COPY line…). */
  readonly where?: string;
  /** s */
  readonly schemaName?: string;
  /** t */
  readonly tableName?: string;
  /** c */
  readonly columnName?: string;
  /** d */
  readonly dataTypeName?: string;
  /** n */
  readonly constraintName?: string;
  /** F: source file that reported the error. */
  readonly file?: string;
  /** L: source line. */
  readonly line?: number;
  /** R: source routine. */
  readonly routine?: string;
}

/** Field code of each optional field, in the order PostgreSQL sends them. */
export const errorFieldCodes: readonly (readonly [string, Exclude<keyof ErrorFields, 'severity' | 'sqlState' | 'message'>])[] =
  Object.freeze([
    ['D', 'detail'],
    ['H', 'hint'],
    ['P', 'position'],
    ['p', 'internalPosition'],
    ['q', 'internalQuery'],
    ['W', 'where'],
    ['s', 'schemaName'],
    ['t', 'tableName'],
    ['c', 'columnName'],
    ['d', 'dataTypeName'],
    ['n', 'constraintName'],
    ['F', 'file'],
    ['L', 'line'],
    ['R', 'routine'],
  ] as const);
