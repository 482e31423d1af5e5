#!/usr/bin/env node
/**
 * `rangedb` — the command line. One file per command in this folder; this one dispatches.
 * Flags follow CockroachDB's names where one exists (`--store`, `--sql-addr`, `--log-level`).
 */
import { parseArgs } from 'node:util';
import { startSingleNode } from './start-single-node.js';

const usage = `usage: rangedb <command> [flags]

commands:
  start-single-node   start a one-node cluster (no replication)
                        --store=<path>        data folder (default: rangedb-data)
                        --sql-addr=<host:port> the SQL (pgwire) listener (default: localhost:26257)
                        --log-level=<level>   trace|debug|info|warn|error (default: info)
                        --certs-dir=<path>    serve SQL over TLS with <path>/node.crt and node.key
                        --tls-cert=<file> --tls-key=<file>  the same, with the files named
                        --accept-sql-without-tls  with TLS, also let clients in the clear
  version             print the version
  help                print this text
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start-single-node': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          store: { type: 'string', default: 'rangedb-data' },
          'log-level': { type: 'string', default: 'info' },
          'sql-addr': { type: 'string', default: 'localhost:26257' },
          'certs-dir': { type: 'string' },
          'tls-cert': { type: 'string' },
          'tls-key': { type: 'string' },
          'accept-sql-without-tls': { type: 'boolean', default: false },
        },
        strict: true,
      });
      const tls = {
        ...(values['certs-dir'] === undefined ? {} : { certsDir: values['certs-dir'] }),
        ...(values['tls-cert'] === undefined ? {} : { tlsCert: values['tls-cert'] }),
        ...(values['tls-key'] === undefined ? {} : { tlsKey: values['tls-key'] }),
        acceptWithoutTls: values['accept-sql-without-tls'],
      };
      return startSingleNode({ storePath: values.store, logLevel: values['log-level'], sqlAddr: values['sql-addr'], tls });
    }
    case 'version':
      console.log('rangedb 0.1.0');
      return 0;
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return 0;
    default:
      console.error(`unknown command: ${command}\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
