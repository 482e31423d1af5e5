/**
 * `node dist/bench/tcp-proxy.js --listen=PORT --target=PORT`: a bare Node TCP proxy — the
 * **ceiling** for any server written on Node's event loop, measured by `npm run bench -- pgbench`.
 *
 * Issue 6 sets rangedb's select-only bar against PostgreSQL and names this ceiling: a proxy that
 * does nothing but copy bytes between pgbench and PostgreSQL already spends the event loop's
 * budget on socket reads and writes (twice each per transaction, where a server does each once),
 * so it reaches well under PostgreSQL's throughput on a small machine. Reporting it in the same
 * run shows how much of rangedb's gap is Node's own I/O cost and how much is ours.
 *
 * Each accepted connection opens one connection to the target; bytes are piped both ways with
 * Nagle off, and either side closing (or failing) closes the other. One process, one event loop,
 * as rangedb's SQL gateway is.
 */
import { connect, createServer, type Socket } from 'node:net';

function portFlag(name: string): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const port = Number(arg?.slice(name.length + 3));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`--${name}=PORT is required (1..65535)`);
  return port;
}

const listenPort = portFlag('listen');
const targetPort = portFlag('target');

function splice(client: Socket): void {
  const upstream = connect(targetPort, 'localhost');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.once('error', close).once('close', close);
  upstream.once('error', close).once('close', close);
}

const server = createServer(splice);
server.listen(listenPort, 'localhost', () => process.stdout.write(`tcp-proxy: localhost:${listenPort} -> localhost:${targetPort}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
