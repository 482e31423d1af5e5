// TLS on the SQL listener against a real node: a self-signed certificate made at test time with
// openssl; node-postgres with `ssl` (verifying the certificate, and not), psql with
// sslmode=require; TLS 1.2 as the floor; a cleartext client refused with 28000 when TLS is
// required and let in when it is only accepted; 'N' to an SSLRequest without TLS configured, so
// sslmode=require fails and sslmode=prefer goes on in the clear, as with PostgreSQL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSqlTlsConfig } from '../../src/node/sql-tls.js';
import { tempDir } from '../support/tmp.js';
import { startSqlNode, type SqlNode } from './sql-support.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const hasPsql = spawnSync('psql', ['--version']).status === 0;

/** A self-signed certificate for localhost / 127.0.0.1 (node.crt, node.key) in a temp folder. */
function makeCertificate(): { dir: string; cert: string; key: string; remove: () => void } {
  const dir = tempDir('sql-tls');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost'];
  args.push('-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir.path, 'node.key'), '-out', join(dir.path, 'node.crt'));
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return { dir: dir.path, cert: readFileSync(join(dir.path, 'node.crt'), 'utf8'), key: readFileSync(join(dir.path, 'node.key'), 'utf8'), remove: dir.remove };
}

function psql(url: string, command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('psql', [url, '-X', '-A', '-t', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Sends an SSLRequest on a plain socket and returns the one-byte answer. */
function sslRequestAnswer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, 'localhost', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    socket.once('data', (data) => {
      resolve(String.fromCharCode(data[0]!));
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

async function query(config: pg.ClientConfig, sql: string): Promise<{ rows: unknown[]; encrypted: boolean; protocol: string | null }> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    const result = await client.query(sql);
    const stream = (client as unknown as { connection: { stream: { encrypted?: boolean; getProtocol?: () => string | null } } }).connection.stream;
    return { rows: result.rows, encrypted: stream.encrypted === true, protocol: stream.getProtocol?.() ?? null };
  } finally {
    await client.end();
  }
}

describe.runIf(hasOpenssl)('SQL over TLS', () => {
  let certificate: ReturnType<typeof makeCertificate>;
  let required: SqlNode;
  let accepted: SqlNode;

  beforeAll(async () => {
    certificate = makeCertificate();
    required = await startSqlNode({ tls: loadSqlTlsConfig({ certsDir: certificate.dir }) }, { fake: true });
    accepted = await startSqlNode({ tls: { certPem: certificate.cert, keyPem: certificate.key, required: false } }, { fake: true });
  }, 60_000);

  afterAll(async () => {
    await required?.stop();
    await accepted?.stop();
    certificate?.remove();
  });

  it('answers SSLRequest with S and serves node-postgres over TLS 1.2+, verifying the certificate', async () => {
    expect(await sslRequestAnswer(required.port)).toBe('S');
    const verified = await query({ host: 'localhost', port: required.port, user: 'root', database: 'defaultdb', ssl: { ca: certificate.cert, servername: 'localhost' } }, 'select 1 as one');
    expect(verified.rows).toEqual([{ one: 1 }]);
    expect(verified.encrypted).toBe(true);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(verified.protocol);
    const unverified = await query({ host: 'localhost', port: required.port, user: 'root', database: 'defaultdb', ssl: { rejectUnauthorized: false } }, "select 'x' as x");
    expect(unverified.rows).toEqual([{ x: 'x' }]);
  });

  it('streams a large result through TLS (many flushes, back-pressure)', async () => {
    const result = await query({ host: 'localhost', port: required.port, user: 'root', database: 'defaultdb', ssl: { rejectUnauthorized: false } }, 'select * from generate_series(1, 50000)');
    expect(result.rows.length).toBe(50_000);
    expect(result.rows.at(-1)).toEqual({ generate_series: 50_000 });
  });

  it('refuses a cleartext startup with 28000 when TLS is required', async () => {
    const client = new pg.Client({ host: 'localhost', port: required.port, user: 'root', database: 'defaultdb', ssl: false });
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    await client.end().catch(() => undefined);
    expect(error?.code).toBe('28000');
    expect(error?.message).toBe('no pg_hba.conf entry for user "root", database "defaultdb", no encryption');
  });

  it('lets a cleartext client in when TLS is only accepted', async () => {
    const plain = await query({ host: 'localhost', port: accepted.port, user: 'root', database: 'defaultdb', ssl: false }, 'select 2 as two');
    expect(plain).toEqual({ rows: [{ two: 2 }], encrypted: false, protocol: null });
    const encrypted = await query({ host: 'localhost', port: accepted.port, user: 'root', database: 'defaultdb', ssl: { rejectUnauthorized: false } }, 'select 3 as three');
    expect(encrypted.encrypted).toBe(true);
  });

  it('refuses TLS older than 1.2', async () => {
    const failure = await new Promise<string>((resolve) => {
      const plain = netConnect(required.port, 'localhost', () => plain.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
      plain.once('data', () => {
        const secure = tlsConnect({ socket: plain, maxVersion: 'TLSv1.1', minVersion: 'TLSv1', rejectUnauthorized: false, ciphers: 'DEFAULT:@SECLEVEL=0' });
        secure.once('secureConnect', () => {
          resolve('connected');
          secure.destroy();
        });
        secure.once('error', (error) => resolve(error.message));
      });
    });
    expect(failure).toMatch(/alert protocol version/); // the server's alert 70: TLS 1.1 is not served
  });

  it.runIf(hasPsql)('psql connects with sslmode=require and reports the TLS connection', async () => {
    const url = `postgresql://root@localhost:${required.port}/defaultdb?sslmode=require`;
    const result = await psql(url, '\\conninfo');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
    const refused = await psql(`postgresql://root@localhost:${required.port}/defaultdb?sslmode=disable`, 'select 1');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/no pg_hba\.conf entry for user "root", database "defaultdb", no encryption/);
  });
});

describe('SQL without TLS configured', () => {
  let server: SqlNode;
  beforeAll(async () => {
    server = await startSqlNode({}, { fake: true });
  });
  afterAll(async () => server.stop());

  it("answers SSLRequest with N: node-postgres's ssl fails, sslmode=prefer goes on in the clear", async () => {
    expect(await sslRequestAnswer(server.port)).toBe('N');
    const client = new pg.Client({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb', ssl: { rejectUnauthorized: false } });
    await expect(client.connect()).rejects.toThrow(/does not support SSL/);
    await client.end().catch(() => undefined);
  });

  it.runIf(hasPsql)('psql: sslmode=require fails, sslmode=prefer connects without TLS', async () => {
    const required = await psql(`postgresql://root@localhost:${server.port}/defaultdb?sslmode=require`, 'select 1');
    expect(required.code).not.toBe(0);
    expect(required.stderr).toMatch(/server does not support SSL, but SSL was required/);
    const preferred = await psql(`postgresql://root@localhost:${server.port}/defaultdb?sslmode=prefer`, 'select 1');
    expect(preferred.stdout.trim()).toBe('1');
  });
});

describe('loadSqlTlsConfig (start-single-node flags)', () => {
  it.runIf(hasOpenssl)('reads node.crt and node.key from --certs-dir, or --tls-cert/--tls-key', () => {
    const certificate = makeCertificate();
    try {
      expect(loadSqlTlsConfig({ certsDir: certificate.dir })).toMatchObject({ certPem: certificate.cert, keyPem: certificate.key, required: true });
      expect(loadSqlTlsConfig({ tlsCert: join(certificate.dir, 'node.crt'), tlsKey: join(certificate.dir, 'node.key'), acceptWithoutTls: true })).toMatchObject({ required: false });
    } finally {
      certificate.remove();
    }
  });

  it('is off without flags and says what is wrong with bad ones', () => {
    expect(loadSqlTlsConfig({})).toBeUndefined();
    expect(() => loadSqlTlsConfig({ tlsCert: 'a.crt' })).toThrow('--tls-cert and --tls-key go together');
    expect(() => loadSqlTlsConfig({ certsDir: '/nonexistent-certs' })).toThrow(/cannot read \/nonexistent-certs\/node\.crt/);
    expect(() => loadSqlTlsConfig({ certsDir: '/x', tlsCert: 'a', tlsKey: 'b' })).toThrow('--certs-dir or --tls-cert/--tls-key, not both');
  });
});

describe.runIf(hasOpenssl)('rangedb start-single-node --certs-dir (the built CLI)', () => {
  const cli = join(process.cwd(), 'dist/src/cli/main.js');

  it('serves SQL over TLS with node.crt/node.key, prints an sslmode=require URL, refuses a bad --certs-dir', async () => {
    expect(existsSync(cli), 'run `npm run build` first').toBe(true);
    const certificate = makeCertificate();
    const store = tempDir('sql-tls-cli');
    const child = spawn(process.execPath, [cli, 'start-single-node', `--store=${store.path}`, '--sql-addr=localhost:0', `--certs-dir=${certificate.dir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      for (let waitedMs = 0; !/rangedb is running/.test(output); waitedMs += 20) {
        if (waitedMs > 20_000) throw new Error(`the node did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const url = /connect with: psql (postgresql:\/\/root@localhost:(\d+)\/defaultdb\?sslmode=require)/.exec(output);
      expect(url, output).not.toBeNull();
      const result = await query({ host: 'localhost', port: Number(url![2]), user: 'root', database: 'defaultdb', ssl: { ca: certificate.cert, servername: 'localhost' } }, 'select 1 as one');
      expect(result).toMatchObject({ rows: [{ one: 1 }], encrypted: true });
    } finally {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      store.remove();
      certificate.remove();
    }
    const bad = spawnSync(process.execPath, [cli, 'start-single-node', '--store=/nonexistent/x', '--certs-dir=/nonexistent-certs'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot read \/nonexistent-certs\/node\.crt/);
  });
});
