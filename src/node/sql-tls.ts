/**
 * Where the SQL listener's certificate comes from: CockroachDB's `--certs-dir` layout
 * (`node.crt`, `node.key`) or explicit `--tls-cert` / `--tls-key` files, read once at startup.
 * TLS is required unless `acceptWithoutTls` (CockroachDB's `--accept-sql-without-tls`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlTlsConfig } from './sql-server.js';

export interface SqlTlsFlags {
  readonly certsDir?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly acceptWithoutTls?: boolean;
}

/** The TLS configuration the flags ask for, or undefined for none; throws with what is wrong. */
export function loadSqlTlsConfig(flags: SqlTlsFlags): SqlTlsConfig | undefined {
  const explicit = flags.tlsCert !== undefined || flags.tlsKey !== undefined;
  if (flags.certsDir !== undefined && explicit) throw new Error('--certs-dir or --tls-cert/--tls-key, not both');
  if (explicit && (flags.tlsCert === undefined || flags.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
  const certPath = flags.certsDir !== undefined ? join(flags.certsDir, 'node.crt') : flags.tlsCert;
  const keyPath = flags.certsDir !== undefined ? join(flags.certsDir, 'node.key') : flags.tlsKey;
  if (certPath === undefined || keyPath === undefined) {
    if (flags.acceptWithoutTls === true) throw new Error('--accept-sql-without-tls needs a certificate (--certs-dir or --tls-cert/--tls-key)');
    return undefined;
  }
  return Object.freeze({ certPem: readPem(certPath), keyPem: readPem(keyPath), required: flags.acceptWithoutTls !== true });
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
