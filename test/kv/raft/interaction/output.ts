/**
 * The interaction log: lines at a level, indented under the header of the node they concern
 * (`> 1 handling Ready`). Levels, from quiet to chatty:
 *
 * - `none`: nothing but the answers of queries (`status`, `raft-log`, …) and errors;
 * - `info`: also the core's event lines (`1 became leader at term 1`);
 * - `debug` (the default): also the harness's own trace — every Ready and every message
 *   delivered or dropped.
 */
export type LogLevel = 'none' | 'info' | 'debug';

const rank: Record<LogLevel, number> = { none: 0, info: 1, debug: 2 };

export function parseLogLevel(text: string): LogLevel {
  if (text === 'none' || text === 'info' || text === 'debug') return text;
  throw new Error(`unknown log level ${text} (none, info, debug)`);
}

export class Output {
  level: LogLevel = 'debug';
  private lines: string[] = [];
  private indent = '';

  /** A line printed whatever the level: a query's answer or an error. */
  always(line: string): void {
    this.lines.push(this.indent + line);
  }

  info(line: string): void {
    if (rank[this.level] >= rank.info) this.always(line);
  }

  debug(line: string): void {
    if (rank[this.level] >= rank.debug) this.always(line);
  }

  /** Runs `body` with its lines indented under a debug-level `header`. */
  section(header: string, body: () => void): void {
    this.debug(header);
    const saved = this.indent;
    if (rank[this.level] >= rank.debug) this.indent += '  ';
    try {
      body();
    } finally {
      this.indent = saved;
    }
  }

  /** Everything printed since the last call, or `ok`. */
  take(): string {
    const text = this.lines.join('\n');
    this.lines = [];
    this.indent = '';
    return text === '' ? 'ok' : text;
  }
}
