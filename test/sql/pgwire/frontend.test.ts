// Frames serialized by node-postgres's own codec (pg-protocol) must decode to the fields it was
// given: the oracle is a real client's encoder, not ours.
import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import { parsePasswordMessage, parseSaslInitialResponse, parseSaslResponse } from '../../../sql/pgwire/authentication-response.js';
import type { AuthenticationResponse } from '../../../sql/pgwire/frontend-messages.js';
import { FrontendMessageReader } from '../../../sql/pgwire/reader.js';
import { cstring, drain, frame, hex, int32, plain, readerInMessagesPhase } from './support.js';

function decodeTyped(bytes: Uint8Array): unknown[] {
  const reader = readerInMessagesPhase();
  reader.push(bytes);
  const messages = drain(reader);
  expect(reader.bufferedBytes).toBe(0);
  return messages.map(plain);
}

describe('startup phase', () => {
  it('decodes a StartupMessage with its parameters, in order', () => {
    const reader = new FrontendMessageReader();
    reader.push(serialize.startup({ user: 'alice', database: 'defaultdb', application_name: 'psql' }));
    const [message] = drain(reader);
    expect(message?.kind).toBe('StartupMessage');
    if (message?.kind !== 'StartupMessage') return;
    expect(message.protocolMajorVersion).toBe(3);
    expect(message.protocolMinorVersion).toBe(0);
    expect([...message.parameters]).toEqual([
      ['user', 'alice'],
      ['database', 'defaultdb'],
      ['application_name', 'psql'],
      ['client_encoding', 'UTF8'], // pg-protocol always appends it
    ]);
    expect(reader.phase).toBe('messages');
  });

  it('decodes SSLRequest, then a StartupMessage sent after the answer', () => {
    const reader = new FrontendMessageReader();
    reader.push(serialize.requestSsl());
    expect(drain(reader).map(plain)).toEqual([{ kind: 'SSLRequest' }]);
    expect(reader.phase).toBe('startup');
    reader.push(serialize.startup({ user: 'u' }));
    expect(drain(reader).map((m) => m.kind)).toEqual(['StartupMessage']);
  });

  it('decodes GSSENCRequest (80877104)', () => {
    const reader = new FrontendMessageReader();
    reader.push(Buffer.concat([int32(8), int32(80877104)]));
    expect(drain(reader).map(plain)).toEqual([{ kind: 'GSSENCRequest' }]);
  });

  it('decodes CancelRequest with process id and secret key, and then accepts nothing', () => {
    const reader = new FrontendMessageReader();
    reader.push(serialize.cancel(4242, -123456789));
    expect(drain(reader).map(plain)).toEqual([{ kind: 'CancelRequest', processId: 4242, secretKey: -123456789 }]);
    expect(reader.phase).toBe('ended');
    reader.push(serialize.query('select 1'));
    expect(reader.next()).toBeUndefined();
  });

  it('accepts protocol 3.2 (the session negotiates it down)', () => {
    const body = Buffer.concat([int32((3 << 16) | 2), cstring('user'), cstring('u'), Buffer.from([0])]);
    const reader = new FrontendMessageReader();
    reader.push(Buffer.concat([int32(body.length + 4), body]));
    const [message] = drain(reader);
    expect(message?.kind === 'StartupMessage' && message.protocolMinorVersion).toBe(2);
  });
});

describe('typed messages from pg-protocol', () => {
  it('Query', () => {
    expect(decodeTyped(serialize.query('select 1; select \'é\''))).toEqual([{ kind: 'Query', sql: "select 1; select 'é'" }]);
  });

  it('Parse, named and unnamed, with and without parameter types', () => {
    const bytes = Buffer.concat([
      serialize.parse({ name: 's1', text: 'select $1::int + $2', types: [23, 4294967295] }),
      serialize.parse({ text: 'select 1' }),
    ]);
    expect(decodeTyped(bytes)).toEqual([
      { kind: 'Parse', statementName: 's1', sql: 'select $1::int + $2', parameterTypeOids: [23, 4294967295] },
      { kind: 'Parse', statementName: '', sql: 'select 1', parameterTypeOids: [] },
    ]);
  });

  it('Bind with text, binary and NULL parameters and binary results', () => {
    const bytes = serialize.bind({ portal: 'p1', statement: 's1', values: ['42', null, Buffer.from([0, 1, 2, 255]), ''], binary: true });
    expect(decodeTyped(bytes)).toEqual([
      {
        kind: 'Bind',
        portalName: 'p1',
        statementName: 's1',
        parameterFormatCodes: [0, 0, 1, 0],
        parameters: [hex('42'), null, { hex: '000102ff' }, { hex: '' }],
        resultFormatCodes: [1],
      },
    ]);
  });

  it('Bind without parameters', () => {
    expect(decodeTyped(serialize.bind())).toEqual([
      { kind: 'Bind', portalName: '', statementName: '', parameterFormatCodes: [], parameters: [], resultFormatCodes: [0] },
    ]);
  });

  it('Describe and Close of statements and portals', () => {
    const bytes = Buffer.concat([
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.describe({ type: 'P' }),
      serialize.close({ type: 'S', name: 's1' }),
      serialize.close({ type: 'P', name: 'p' }),
    ]);
    expect(decodeTyped(bytes)).toEqual([
      { kind: 'Describe', target: 'statement', name: 's1' },
      { kind: 'Describe', target: 'portal', name: '' },
      { kind: 'Close', target: 'statement', name: 's1' },
      { kind: 'Close', target: 'portal', name: 'p' },
    ]);
  });

  it('Execute with and without a row limit', () => {
    const bytes = Buffer.concat([serialize.execute(), serialize.execute({ portal: 'p1', rows: 100 })]);
    expect(decodeTyped(bytes)).toEqual([
      { kind: 'Execute', portalName: '', rowsMax: 0 },
      { kind: 'Execute', portalName: 'p1', rowsMax: 100 },
    ]);
  });

  it('Sync, Flush, CopyData, CopyDone, CopyFail', () => {
    const bytes = Buffer.concat([
      serialize.sync(),
      serialize.flush(),
      serialize.copyData(Buffer.from('1\tone\n2\ttwo\n')),
      serialize.copyDone(),
      serialize.copyFail('client gave up'),
    ]);
    expect(decodeTyped(bytes)).toEqual([
      { kind: 'Sync' },
      { kind: 'Flush' },
      { kind: 'CopyData', data: hex('1\tone\n2\ttwo\n') },
      { kind: 'CopyDone' },
      { kind: 'CopyFail', reason: 'client gave up' },
    ]);
  });

  it('Terminate ends the stream; later bytes are ignored', () => {
    const reader = readerInMessagesPhase();
    reader.push(Buffer.concat([serialize.end(), serialize.query('select 1')]));
    expect(drain(reader).map(plain)).toEqual([{ kind: 'Terminate' }]);
    expect(reader.phase).toBe('ended');
    reader.push(serialize.sync());
    expect(reader.next()).toBeUndefined();
  });

  it('an extended-query batch as pg sends it, in one write', () => {
    const bytes = Buffer.concat([
      serialize.parse({ text: 'select $1' }),
      serialize.bind({ values: ['x'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
    ]);
    expect(decodeTyped(bytes).map((m) => (m as { kind: string }).kind)).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Sync']);
  });
});

describe("the 'p' message", () => {
  function authenticationResponse(bytes: Uint8Array): AuthenticationResponse {
    const reader = readerInMessagesPhase();
    reader.push(bytes);
    const message = reader.next();
    if (message?.kind !== 'AuthenticationResponse') throw new Error(`expected AuthenticationResponse, got ${message?.kind}`);
    return message;
  }

  it('PasswordMessage', () => {
    expect(parsePasswordMessage(authenticationResponse(serialize.password('s3cret')))).toBe('s3cret');
  });

  it('SASLInitialResponse', () => {
    const message = authenticationResponse(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abc'));
    const parsed = parseSaslInitialResponse(message);
    expect(parsed.mechanism).toBe('SCRAM-SHA-256');
    expect(Buffer.from(parsed.initialResponse!).toString()).toBe('n,,n=*,r=abc');
  });

  it('SASLInitialResponse without initial data (length -1)', () => {
    const message = authenticationResponse(frame('p', Buffer.concat([cstring('SCRAM-SHA-256'), int32(-1)])));
    expect(parseSaslInitialResponse(message)).toEqual({ mechanism: 'SCRAM-SHA-256', initialResponse: null });
  });

  it('SASLResponse', () => {
    const message = authenticationResponse(serialize.sendSCRAMClientFinalMessage('c=biws,r=abc,p=xyz'));
    expect(Buffer.from(parseSaslResponse(message)).toString()).toBe('c=biws,r=abc,p=xyz');
  });

  it('a password without its NUL, or with bytes after it, is a violation', () => {
    expect(() => parsePasswordMessage(authenticationResponse(frame('p', Buffer.from('abc'))))).toThrow('invalid password packet size');
    expect(() => parsePasswordMessage(authenticationResponse(frame('p', Buffer.from('abc\0d'))))).toThrow('invalid password packet size');
  });

  it('a SASLInitialResponse whose data length overruns the body is a violation', () => {
    const message = authenticationResponse(frame('p', Buffer.concat([cstring('SCRAM-SHA-256'), int32(10), Buffer.from('abc')])));
    expect(() => parseSaslInitialResponse(message)).toThrow('insufficient data left in message');
  });
});
