import { assert } from '../../src/base/assert.js';
import type { ErrorFields, FormatCode, RowDescriptionField, TransactionStatus } from './backend-messages.js';
import { errorFieldCodes } from './backend-messages.js';
import { MessageBuilder } from './message-builder.js';

/** The writer's first buffer; it grows by doubling when a batch needs more. */
const initialBufferBytes = 16 * 1024;

// Authentication request codes (the int32 after the 'R' message's length).
const authOk = 0;
const authCleartextPassword = 3;
const authMd5Password = 5;
const authSasl = 10;
const authSaslContinue = 11;
const authSaslFinal = 12;

/**
 * Encodes backend (server → client) messages of PostgreSQL protocol 3.0 into one growing buffer;
 * `flush` returns everything written since the last flush as one view, for one socket write.
 * Sans-I/O: it never touches a socket.
 *
 * Methods are named after the protocol's messages. The DataRow path is built for one call per
 * field with no intermediate arrays:
 *
 * ```ts
 * writer.beginDataRow(2);
 * writer.dataRowText('42');
 * writer.dataRowNull();
 * writer.endDataRow();
 * socket.write(writer.flush());
 * ```
 *
 * Contract: a flushed view is never written over (the socket may hold it until drained); the
 * caller must not modify it. Arguments are the server's own values, so a bad one (a string with
 * NUL, a DataRow with the wrong number of fields) is an assertion, not an error.
 */
export class BackendMessageWriter {
  private readonly builder = new MessageBuilder(initialBufferBytes);
  /** Fields still expected by the open DataRow, or -1 when none is open. */
  private dataRowFieldsRemaining = -1;

  /** Bytes written and not yet flushed. */
  get bufferedBytes(): number {
    return this.builder.bufferedBytes;
  }

  /** All bytes written since the last flush, as one view (empty if none). */
  flush(): Uint8Array {
    assert(this.dataRowFieldsRemaining < 0, 'flush inside a DataRow');
    return this.builder.takeBytes();
  }

  // ---- startup and authentication ----

  /** The single byte answering SSLRequest: 'S' (go ahead with TLS) or 'N' (continue in the clear). */
  sslRequestAnswer(accepted: boolean): void {
    this.builder.writeRawByte(accepted ? 0x53 : 0x4e);
  }

  /** The single byte answering GSSENCRequest: 'G' or 'N'. */
  gssEncRequestAnswer(accepted: boolean): void {
    this.builder.writeRawByte(accepted ? 0x47 : 0x4e);
  }

  authenticationOk(): void {
    this.authentication(authOk);
    this.builder.endMessage();
  }

  authenticationCleartextPassword(): void {
    this.authentication(authCleartextPassword);
    this.builder.endMessage();
  }

  /** `salt`: 4 random bytes the client mixes into md5(md5(password + user) + salt). */
  authenticationMd5Password(salt: Uint8Array): void {
    assert(salt.length === 4, 'an MD5 salt is 4 bytes');
    this.authentication(authMd5Password);
    this.builder.writeBytes(salt);
    this.builder.endMessage();
  }

  /** The SASL mechanisms offered, in order of preference (e.g. `['SCRAM-SHA-256']`). */
  authenticationSasl(mechanisms: readonly string[]): void {
    assert(mechanisms.length > 0);
    this.authentication(authSasl);
    for (const mechanism of mechanisms) this.builder.writeCString(mechanism);
    this.builder.writeUint8(0);
    this.builder.endMessage();
  }

  /** SCRAM's server-first-message. */
  authenticationSaslContinue(data: Uint8Array | string): void {
    this.authentication(authSaslContinue);
    this.writeOpaque(data);
    this.builder.endMessage();
  }

  /** SCRAM's server-final-message. */
  authenticationSaslFinal(data: Uint8Array | string): void {
    this.authentication(authSaslFinal);
    this.writeOpaque(data);
    this.builder.endMessage();
  }

  /** Reports a run-time parameter (server_version, client_encoding, TimeZone, …). */
  parameterStatus(name: string, value: string): void {
    this.builder.beginMessage(0x53); // 'S'
    this.builder.writeCString(name);
    this.builder.writeCString(value);
    this.builder.endMessage();
  }

  /** The key a client must quote in a CancelRequest for this session. */
  backendKeyData(processId: number, secretKey: number): void {
    this.builder.beginMessage(0x4b); // 'K'
    this.builder.writeInt32(processId);
    this.builder.writeInt32(secretKey);
    this.builder.endMessage();
  }

  /**
   * The client asked for protocol 3.`minor` > 3.0 or sent `_pq_.` options we do not know: answer
   * with the newest minor version we speak and the options we ignored.
   */
  negotiateProtocolVersion(newestMinorVersion: number, unrecognizedOptions: readonly string[]): void {
    this.builder.beginMessage(0x76); // 'v'
    this.builder.writeInt32(newestMinorVersion);
    this.builder.writeInt32(unrecognizedOptions.length);
    for (const option of unrecognizedOptions) this.builder.writeCString(option);
    this.builder.endMessage();
  }

  readyForQuery(status: TransactionStatus): void {
    this.builder.beginMessage(0x5a); // 'Z'
    this.builder.writeUint8(status.charCodeAt(0));
    this.builder.endMessage();
  }

  // ---- query results ----

  rowDescription(fields: readonly RowDescriptionField[]): void {
    this.builder.beginMessage(0x54); // 'T'
    this.builder.writeInt16(fields.length);
    for (const field of fields) {
      this.builder.writeCString(field.name);
      this.builder.writeUint32(field.tableOid);
      this.builder.writeInt16(field.columnAttributeNumber);
      this.builder.writeUint32(field.typeOid);
      this.builder.writeInt16(field.typeSize);
      this.builder.writeInt32(field.typeModifier);
      this.builder.writeInt16(field.formatCode);
    }
    this.builder.endMessage();
  }

  /**
   * Whole messages encoded before (`encodedRowDescription`), written as they are: a prepared
   * statement's RowDescription is the same bytes on every Describe of its portals.
   */
  encodedMessages(messages: Uint8Array): void {
    assert(this.dataRowFieldsRemaining < 0, 'encoded messages inside a DataRow');
    assert(messages.length >= 5, 'an encoded message has a type and a length');
    this.builder.writeBytes(messages);
  }

  /** Opens a DataRow of `fieldCount` fields; exactly that many `dataRow*` calls must follow. */
  beginDataRow(fieldCount: number): void {
    assert(this.dataRowFieldsRemaining < 0, 'a DataRow is already open');
    assert(fieldCount >= 0 && fieldCount <= 0xffff);
    this.builder.beginMessage(0x44); // 'D'
    this.builder.writeInt16(fieldCount);
    this.dataRowFieldsRemaining = fieldCount;
  }

  /** A field already encoded (text or binary bytes), copied in once. */
  dataRowBytes(bytes: Uint8Array): void {
    this.takeDataRowField();
    this.builder.writeInt32(bytes.length);
    this.builder.writeBytes(bytes);
  }

  /** A text-format field, written as UTF-8 straight into the buffer. */
  dataRowText(text: string): void {
    this.takeDataRowField();
    this.builder.writeLengthPrefixedText(text);
  }

  /** SQL NULL: length -1, no bytes. */
  dataRowNull(): void {
    this.takeDataRowField();
    this.builder.writeInt32(-1);
  }

  /** One of the three above, by the value's type. */
  dataRowField(value: Uint8Array | string | null): void {
    if (value === null) this.dataRowNull();
    else if (typeof value === 'string') this.dataRowText(value);
    else this.dataRowBytes(value);
  }

  endDataRow(): void {
    // No lazy-message closure here: this runs once per row.
    if (this.dataRowFieldsRemaining !== 0) assert(false, `DataRow ended with ${this.dataRowFieldsRemaining} fields missing`);
    this.dataRowFieldsRemaining = -1;
    this.builder.endMessage();
  }

  /** A whole DataRow from an array (convenient off the hot path). */
  dataRow(values: readonly (Uint8Array | string | null)[]): void {
    this.beginDataRow(values.length);
    for (const value of values) this.dataRowField(value);
    this.endDataRow();
  }

  /** The command tag: `SELECT 3`, `INSERT 0 1`, `UPDATE 2`, `BEGIN`, … */
  commandComplete(tag: string): void {
    this.builder.beginMessage(0x43); // 'C'
    this.builder.writeCString(tag);
    this.builder.endMessage();
  }

  /** Answers a Query (or Execute) whose string held no statement. */
  emptyQueryResponse(): void {
    this.emptyMessage(0x49); // 'I'
  }

  errorResponse(fields: ErrorFields): void {
    this.noticeOrError(0x45, fields); // 'E'
  }

  noticeResponse(fields: ErrorFields): void {
    this.noticeOrError(0x4e, fields); // 'N'
  }

  // ---- extended query ----

  parseComplete(): void {
    this.emptyMessage(0x31); // '1'
  }

  bindComplete(): void {
    this.emptyMessage(0x32); // '2'
  }

  closeComplete(): void {
    this.emptyMessage(0x33); // '3'
  }

  /** Describe of a statement or portal that returns no rows. */
  noData(): void {
    this.emptyMessage(0x6e); // 'n'
  }

  /** Describe of a statement: the type OID of each parameter. */
  parameterDescription(typeOids: readonly number[]): void {
    this.builder.beginMessage(0x74); // 't'
    this.builder.writeInt16(typeOids.length);
    for (const oid of typeOids) this.builder.writeUint32(oid);
    this.builder.endMessage();
  }

  /** Execute reached its row limit; the portal can be executed again for more. */
  portalSuspended(): void {
    this.emptyMessage(0x73); // 's'
  }

  // ---- COPY and notifications ----

  /** COPY FROM STDIN begins: the client sends CopyData until CopyDone or CopyFail. */
  copyInResponse(overallFormat: FormatCode, columnFormats: readonly FormatCode[]): void {
    this.copyResponse(0x47, overallFormat, columnFormats); // 'G'
  }

  /** COPY TO STDOUT begins: CopyData messages follow, then CopyDone. */
  copyOutResponse(overallFormat: FormatCode, columnFormats: readonly FormatCode[]): void {
    this.copyResponse(0x48, overallFormat, columnFormats); // 'H'
  }

  copyData(data: Uint8Array | string): void {
    this.builder.beginMessage(0x64); // 'd'
    this.writeOpaque(data);
    this.builder.endMessage();
  }

  copyDone(): void {
    this.emptyMessage(0x63); // 'c'
  }

  /** A NOTIFY on `channel` from session `processId`. */
  notificationResponse(processId: number, channel: string, payload: string): void {
    this.builder.beginMessage(0x41); // 'A'
    this.builder.writeInt32(processId);
    this.builder.writeCString(channel);
    this.builder.writeCString(payload);
    this.builder.endMessage();
  }

  // ---- shared layouts ----

  private authentication(requestCode: number): void {
    this.builder.beginMessage(0x52); // 'R'
    this.builder.writeInt32(requestCode);
  }

  private emptyMessage(type: number): void {
    this.builder.beginMessage(type);
    this.builder.endMessage();
  }

  private writeOpaque(data: Uint8Array | string): void {
    if (typeof data === 'string') this.builder.writeText(data);
    else this.builder.writeBytes(data);
  }

  private copyResponse(type: number, overallFormat: FormatCode, columnFormats: readonly FormatCode[]): void {
    // In text COPY every column is text (the protocol requires per-column codes of 0).
    assert(overallFormat === 1 || columnFormats.every((format) => format === 0));
    this.builder.beginMessage(type);
    this.builder.writeUint8(overallFormat);
    this.builder.writeInt16(columnFormats.length);
    for (const format of columnFormats) this.builder.writeInt16(format);
    this.builder.endMessage();
  }

  private noticeOrError(type: number, fields: ErrorFields): void {
    assert(fields.sqlState.length === 5, 'a SQLSTATE has five characters');
    this.builder.beginMessage(type);
    this.field(0x53, fields.severity); // S
    this.field(0x56, fields.severity); // V
    this.field(0x43, fields.sqlState); // C
    this.field(0x4d, fields.message); // M
    for (const [code, key] of errorFieldCodes) {
      const value = fields[key];
      if (value !== undefined) this.field(code.charCodeAt(0), typeof value === 'number' ? String(value) : value);
    }
    this.builder.writeUint8(0);
    this.builder.endMessage();
  }

  private field(code: number, value: string): void {
    this.builder.writeUint8(code);
    this.builder.writeCString(value);
  }

  private takeDataRowField(): void {
    assert(this.dataRowFieldsRemaining > 0, 'DataRow field outside a DataRow or beyond its count');
    this.dataRowFieldsRemaining -= 1;
  }
}

/** A RowDescription's bytes (a copy the caller owns), to be written again with `encodedMessages`. */
export function encodedRowDescription(fields: readonly RowDescriptionField[]): Uint8Array {
  const writer = new BackendMessageWriter();
  writer.rowDescription(fields);
  return Uint8Array.from(writer.flush());
}
