/**
 * The logger. Library code logs through pino, never through the console. A component takes a `Logger`
 * (usually `env.logger.child({ component: 'mvcc' })`) rather than importing a global, so the
 * simulator can silence or capture logs per node.
 *
 * Output is JSON lines; when stdout is a terminal the CLI pipes it through pino-pretty.
 */
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Human-readable output (pino-pretty) instead of JSON lines. */
  readonly pretty?: boolean;
  /** Static fields on every line, e.g. `{ node: 1 }`. */
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (options.pretty === true) {
    return pino({
      level,
      base: options.base ?? {},
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino({ level, base: options.base ?? {} });
}

/** A logger that drops everything: for tests and benchmarks that measure, not talk. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
