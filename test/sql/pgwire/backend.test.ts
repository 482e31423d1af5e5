// Every backend message our writer encodes must be read back by node-postgres's own parser
// (pg-protocol's Parser) with the fields we gave it.
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { describe, expect, it } from 'vitest';
import { BackendMessageWriter } from '../../../sql/pgwire/writer.js';

function parseAll(bytes: Uint8Array): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  new Parser().parse(Buffer.from(bytes), (message: BackendMessage) => {
    messages.push(message as unknown as Record<string, unknown>); // not spread: Error.message is not enumerable
  });
  return messages;
}

function written(build: (writer: BackendMessageWriter) => void): Record<string, unknown>[] {
  const writer = new BackendMessageWriter();
  build(writer);
  const bytes = writer.flush();
  expect(writer.bufferedBytes).toBe(0);
  return parseAll(bytes);
}

describe('authentication and startup', () => {
  it('AuthenticationOk, CleartextPassword, MD5Password', () => {
    const messages = written((w) => {
      w.authenticationOk();
      w.authenticationCleartextPassword();
      w.authenticationMd5Password(Buffer.from([1, 2, 3, 4]));
    });
    expect(messages.map((m) => m.name)).toEqual(['authenticationOk', 'authenticationCleartextPassword', 'authenticationMD5Password']);
    expect(Buffer.from(messages[2]!.salt as Buffer).toString('hex')).toBe('01020304');
  });

  it('AuthenticationSASL, SASLContinue, SASLFinal', () => {
    const messages = written((w) => {
      w.authenticationSasl(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
      w.authenticationSaslContinue('r=abc,s=c2FsdA==,i=4096');
      w.authenticationSaslFinal(Buffer.from('v=signature'));
    });
    expect(messages[0]).toMatchObject({ name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] });
    expect(messages[1]).toMatchObject({ name: 'authenticationSASLContinue', data: 'r=abc,s=c2FsdA==,i=4096' });
    expect(messages[2]).toMatchObject({ name: 'authenticationSASLFinal', data: 'v=signature' });
  });

  it('ParameterStatus, BackendKeyData, ReadyForQuery I/T/E', () => {
    const messages = written((w) => {
      w.parameterStatus('server_version', '16.0');
      w.backendKeyData(1234, -5678);
      w.readyForQuery('I');
      w.readyForQuery('T');
      w.readyForQuery('E');
    });
    expect(messages).toMatchObject([
      { name: 'parameterStatus', parameterName: 'server_version', parameterValue: '16.0' },
      { name: 'backendKeyData', processID: 1234, secretKey: -5678 },
      { name: 'readyForQuery', status: 'I' },
      { name: 'readyForQuery', status: 'T' },
      { name: 'readyForQuery', status: 'E' },
    ]);
  });

  it("SSLRequest and GSSENCRequest answers are single bytes outside any message", () => {
    const writer = new BackendMessageWriter();
    writer.sslRequestAnswer(true);
    writer.sslRequestAnswer(false);
    writer.gssEncRequestAnswer(true);
    expect(Buffer.from(writer.flush()).toString()).toBe('SNG');
  });

  it('NegotiateProtocolVersion (not parsed by pg-protocol: checked byte by byte)', () => {
    const writer = new BackendMessageWriter();
    writer.negotiateProtocolVersion(0, ['_pq_.compression']);
    const bytes = Buffer.from(writer.flush());
    expect(bytes.toString('latin1', 0, 1)).toBe('v');
    expect(bytes.readInt32BE(1)).toBe(bytes.length - 1);
    expect(bytes.readInt32BE(5)).toBe(0);
    expect(bytes.readInt32BE(9)).toBe(1);
    expect(bytes.toString('latin1', 13)).toBe('_pq_.compression\0');
  });
});

describe('query results', () => {
  it('RowDescription with every column attribute', () => {
    const [message] = written((w) =>
      w.rowDescription([
        { name: 'id', tableOid: 4294967295, columnAttributeNumber: 1, typeOid: 20, typeSize: 8, typeModifier: -1, formatCode: 1 },
        { name: 'näme', tableOid: 0, columnAttributeNumber: 0, typeOid: 1043, typeSize: -1, typeModifier: 68, formatCode: 0 },
      ]),
    );
    expect(message).toMatchObject({
      name: 'rowDescription',
      fieldCount: 2,
      fields: [
        { name: 'id', tableID: 4294967295, columnID: 1, dataTypeID: 20, dataTypeSize: 8, dataTypeModifier: -1, format: 'binary' },
        { name: 'näme', tableID: 0, columnID: 0, dataTypeID: 1043, dataTypeSize: -1, dataTypeModifier: 68, format: 'text' },
      ],
    });
  });

  it('DataRow from text, bytes and NULL, field by field', () => {
    const long = 'abcdefghij'.repeat(10);
    const messages = written((w) => {
      w.beginDataRow(4);
      w.dataRowText('42');
      w.dataRowNull();
      w.dataRowText('');
      w.dataRowBytes(Buffer.from('héllo wörld ✓ 🐘'));
      w.endDataRow();
      // Text fields short and long, ASCII and not, take different encoding paths.
      w.dataRow(['héllo wörld ✓ 🐘', long, `${long}é`, 'a\u0080b\u07ff\u0800\uffff']);
      w.dataRow([]);
      w.dataRow(['x', null]);
    });
    expect(messages).toMatchObject([
      { name: 'dataRow', fields: ['42', null, '', 'héllo wörld ✓ 🐘'] },
      { name: 'dataRow', fields: ['héllo wörld ✓ 🐘', long, `${long}é`, 'a\u0080b\u07ff\u0800\uffff'] },
      { name: 'dataRow', fields: [] },
      { name: 'dataRow', fields: ['x', null] },
    ]);
  });

  it('DataRow with binary fields (pg-protocol has no binary mode: checked byte by byte)', () => {
    const writer = new BackendMessageWriter();
    writer.dataRow([Buffer.from([0, 0, 0, 7]), null]);
    expect(Buffer.from(writer.flush()).toString('hex')).toBe('44' + '00000012' + '0002' + '00000004' + '00000007' + 'ffffffff');
  });

  it('CommandComplete, EmptyQueryResponse', () => {
    const messages = written((w) => {
      w.commandComplete('SELECT 3');
      w.commandComplete('INSERT 0 1');
      w.emptyQueryResponse();
    });
    expect(messages).toMatchObject([
      { name: 'commandComplete', text: 'SELECT 3' },
      { name: 'commandComplete', text: 'INSERT 0 1' },
      { name: 'emptyQuery' },
    ]);
  });

  it('ErrorResponse with every field', () => {
    const [message] = written((w) =>
      w.errorResponse({
        severity: 'ERROR',
        sqlState: '23505',
        message: 'duplicate key value violates unique constraint "t_pkey"',
        detail: 'Key (id)=(1) already exists.',
        hint: 'a hint',
        position: 15,
        internalPosition: 3,
        internalQuery: 'select 1',
        where: 'SQL statement',
        schemaName: 'public',
        tableName: 't',
        columnName: 'id',
        dataTypeName: 'int8',
        constraintName: 't_pkey',
        file: 'nbtinsert.c',
        line: 664,
        routine: '_bt_check_unique',
      }),
    );
    expect(message).toMatchObject({
      name: 'error',
      severity: 'ERROR',
      code: '23505',
      message: 'duplicate key value violates unique constraint "t_pkey"',
      detail: 'Key (id)=(1) already exists.',
      hint: 'a hint',
      position: '15',
      internalPosition: '3',
      internalQuery: 'select 1',
      where: 'SQL statement',
      schema: 'public',
      table: 't',
      column: 'id',
      dataType: 'int8',
      constraint: 't_pkey',
      file: 'nbtinsert.c',
      line: '664',
      routine: '_bt_check_unique',
    });
  });

  it('NoticeResponse with only the required fields', () => {
    const [message] = written((w) => w.noticeResponse({ severity: 'NOTICE', sqlState: '00000', message: 'relation "t" already exists, skipping' }));
    expect(message).toMatchObject({ name: 'notice', severity: 'NOTICE', code: '00000', message: 'relation "t" already exists, skipping' });
    expect(message!.detail).toBeUndefined();
  });
});

describe('extended query, COPY and notifications', () => {
  it('ParseComplete, BindComplete, CloseComplete, NoData, PortalSuspended, ParameterDescription', () => {
    const messages = written((w) => {
      w.parseComplete();
      w.bindComplete();
      w.closeComplete();
      w.noData();
      w.portalSuspended();
      w.parameterDescription([23, 25, 4294967295]);
    });
    expect(messages).toMatchObject([
      { name: 'parseComplete' },
      { name: 'bindComplete' },
      { name: 'closeComplete' },
      { name: 'noData' },
      { name: 'portalSuspended' },
      { name: 'parameterDescription', parameterCount: 3, dataTypeIDs: [23, 25, 4294967295] },
    ]);
  });

  it('CopyInResponse, CopyOutResponse, CopyData, CopyDone', () => {
    const messages = written((w) => {
      w.copyInResponse(0, [0, 0]);
      w.copyOutResponse(1, [1, 0, 1]);
      w.copyData('1\tone\n');
      w.copyData(Buffer.from([0xff, 0x00]));
      w.copyDone();
    });
    expect(messages).toMatchObject([
      { name: 'copyInResponse', binary: false, columnTypes: [0, 0] },
      { name: 'copyOutResponse', binary: true, columnTypes: [1, 0, 1] },
      { name: 'copyData' },
      { name: 'copyData' },
      { name: 'copyDone' },
    ]);
    expect(Buffer.from(messages[2]!.chunk as Buffer).toString()).toBe('1\tone\n');
    expect(Buffer.from(messages[3]!.chunk as Buffer).toString('hex')).toBe('ff00');
  });

  it('NotificationResponse', () => {
    const [message] = written((w) => w.notificationResponse(77, 'jobs', '{"id":1}'));
    expect(message).toMatchObject({ name: 'notification', processId: 77, channel: 'jobs', payload: '{"id":1}' });
  });
});

describe('buffering', () => {
  it('a flushed batch is never overwritten by later messages, through growth', () => {
    const writer = new BackendMessageWriter();
    writer.commandComplete('SELECT 1');
    writer.readyForQuery('I');
    const first = writer.flush();
    const copy = Buffer.from(first);
    // Enough rows to outgrow the initial buffer several times, with a DataRow open across growth.
    for (let i = 0; i < 2_000; i++) writer.dataRow([`row ${i}`, 'x'.repeat(i % 97), null]);
    writer.beginDataRow(1);
    writer.dataRowText('y'.repeat(100_000));
    writer.endDataRow();
    const second = writer.flush();
    expect(Buffer.from(first).equals(copy)).toBe(true);
    const messages = parseAll(second);
    expect(messages).toHaveLength(2_001);
    expect(messages[1_999]).toMatchObject({ fields: ['row 1999', 'x'.repeat(1999 % 97), null] });
    expect((messages[2_000]!.fields as string[])[0]).toHaveLength(100_000);
    expect(writer.flush()).toHaveLength(0);
  });

  it('flushes taken one after another are adjacent views of one buffer; an empty flush is empty', () => {
    const writer = new BackendMessageWriter();
    expect(writer.flush()).toHaveLength(0);
    writer.bindComplete();
    const bind = writer.flush();
    expect(writer.flush()).toHaveLength(0);
    writer.commandComplete('SELECT 1');
    const complete = writer.flush();
    expect(complete.buffer).toBe(bind.buffer);
    expect(complete.byteOffset).toBe(bind.byteOffset + bind.length);
    writer.readyForQuery('I');
    expect(parseAll(writer.flush())).toMatchObject([{ name: 'readyForQuery', status: 'I' }]);
    expect(parseAll(bind)).toMatchObject([{ name: 'bindComplete' }]);
  });

  it('a DataRow with the wrong number of fields is an assertion (a bug in the caller)', () => {
    const writer = new BackendMessageWriter();
    writer.beginDataRow(2);
    writer.dataRowText('a');
    expect(() => writer.endDataRow()).toThrow('DataRow ended with 1 fields missing');
    expect(() => writer.dataRow(['a'])).toThrow();
  });
});
