/**
 * `rangedb start-single-node`: runs one node with one store and its SQL listener (every user is
 * trusted; TLS with `--certs-dir` or `--tls-cert`/`--tls-key`, then required unless
 * `--accept-sql-without-tls`) until SIGINT or SIGTERM, then shuts down cleanly (SQL connections
 * drained, queued writes drained, the store closed). A second signal exits at once.
 */
import { createLogger, type LogLevel } from '../base/logger.js';
import { realEnv } from '../env/real.js';
import { RangedbNode } from '../node/node.js';
import { loadSqlTlsConfig, type SqlTlsFlags } from '../node/sql-tls.js';

const logLevels: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export async function startSingleNode(options: { storePath: string; logLevel: string; sqlAddr: string; tls?: SqlTlsFlags }): Promise<number> {
  if (!logLevels.includes(options.logLevel as LogLevel)) {
    console.error(`--log-level must be one of ${logLevels.join(', ')}`);
    return 2;
  }
  let tls;
  try {
    tls = loadSqlTlsConfig(options.tls ?? {});
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const logger = createLogger({ level: options.logLevel as LogLevel, pretty: process.stdout.isTTY === true });
  const env = realEnv({ logger });
  const node = await RangedbNode.start(env, { storePath: options.storePath, sql: { addr: options.sqlAddr, insecure: true, ...(tls === undefined ? {} : { tls }) } });
  const { port } = node.sql!.address;
  const host = options.sqlAddr.replace(/:\d+$/, '') || 'localhost';
  const url = `postgresql://root@${host.includes(':') ? `[${host}]` : host}:${port}/defaultdb?sslmode=${tls === undefined ? 'disable' : 'require'}`;
  logger.info({ sqlUrl: url }, `rangedb is running; connect with: psql ${url}; press Ctrl-C to stop`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ signal }, 'shutting down');
  const forceExit = (): void => process.exit(130);
  process.once('SIGINT', forceExit);
  process.once('SIGTERM', forceExit);
  await node.stop();
  logger.flush();
  return 0;
}
