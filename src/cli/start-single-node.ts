/**
 * `rangedb start-single-node`: runs one node with one store until SIGINT or SIGTERM, then shuts
 * down cleanly (queued writes drained, the store closed). A second signal exits at once.
 */
import { createLogger, type LogLevel } from '../base/logger.js';
import { realEnv } from '../env/real.js';
import { RangedbNode } from '../node/node.js';

const logLevels: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export async function startSingleNode(options: { storePath: string; logLevel: string }): Promise<number> {
  if (!logLevels.includes(options.logLevel as LogLevel)) {
    console.error(`--log-level must be one of ${logLevels.join(', ')}`);
    return 2;
  }
  const logger = createLogger({ level: options.logLevel as LogLevel, pretty: process.stdout.isTTY === true });
  const env = realEnv({ logger });
  const node = await RangedbNode.start(env, { storePath: options.storePath });
  logger.info('rangedb is running; press Ctrl-C to stop');
  // Signal listeners do not keep Node's event loop alive; until the node has listeners of its own
  // (the SQL and RPC servers), this timer does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(keepAlive);
  logger.info({ signal }, 'shutting down');
  const forceExit = (): void => process.exit(130);
  process.once('SIGINT', forceExit);
  process.once('SIGTERM', forceExit);
  await node.stop();
  logger.flush();
  return 0;
}
