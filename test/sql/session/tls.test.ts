// The connection's side of TLS (the handshake itself is the listener's, test/e2e/sql-tls.test.ts):
// 'S' and the upgrade when TLS is configured, 'N' otherwise; a cleartext startup refused with
// 28000 when TLS is required; plaintext pipelined behind an SSLRequest refused (CVE-2021-23214);
// a second SSLRequest inside TLS read as an unsupported protocol version, as PostgreSQL does
// (PostgreSQL answers that one with 0A000; sql/pgwire's reader with 08P01).
import { serialize } from 'pg-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../../sql/parser/index.js';
import { harness } from './harness.js';

beforeAll(() => loadParser());

const startup = (): Uint8Array => serialize.startup({ user: 'root', database: 'defaultdb' });

describe('SSLRequest', () => {
  it("answers S and starts TLS before reading on when TLS is configured", async () => {
    const h = harness({ tls: { required: true } });
    expect(await h.send(serialize.requestSsl())).toEqual(['byte S']);
    expect(h.tlsStarts).toBe(1);
    const lines = await h.send(startup());
    expect(lines[0]).toBe('authenticationOk');
    expect(lines.at(-1)).toBe('Z I');
  });

  it('answers N without TLS configured, and never starts it', async () => {
    const h = harness();
    expect(await h.send(serialize.requestSsl())).toEqual(['byte N']);
    expect(h.tlsStarts).toBe(0);
  });

  it('refuses a cleartext startup with 28000 when TLS is required, and lets it in when only accepted', async () => {
    const h = harness({ tls: { required: true } });
    expect(await h.send(startup())).toEqual(['E 28000 no pg_hba.conf entry for user "root", database "defaultdb", no encryption']);
    expect(h.closed).toBe(true);
    const accepted = harness({ tls: { required: false } });
    expect((await accepted.send(startup())).at(-1)).toBe('Z I');
  });

  it('refuses plaintext sent behind the SSLRequest before the answer (CVE-2021-23214)', async () => {
    const h = harness({ tls: { required: true } });
    const both = Buffer.concat([serialize.requestSsl(), startup()]);
    expect(await h.send(both)).toEqual([
      'E 08P01 received unencrypted data after SSL request (This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.)',
    ]);
    expect(h.tlsStarts).toBe(0);
    expect(h.closed).toBe(true);
  });

  it('reads a second SSLRequest as an unsupported protocol version (FATAL, from the pgwire reader)', async () => {
    const h = harness({ tls: { required: true } });
    await h.send(serialize.requestSsl());
    const lines = await h.send(serialize.requestSsl());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('E 08P01 unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0');
    expect(h.closed).toBe(true);
  });
});
