/**
 * The SQL listener: a `net` TCP server speaking the PostgreSQL wire protocol on `--sql-addr`
 * (CockroachDB's default `localhost:26257`). One socket is one `Connection` (sql/session), which
 * owns one `Session`; this file only moves bytes and keeps the books:
 *
 * ```
 *  accept ─► too many? 53300 FATAL, close
 *     │
 *  socket 'data' ─► ReceivePump ─► connection.receive(chunk)   (one chunk at a time; a chunk
 *  socket.write ◄── connection's flushes                          arriving while one is handled
 *                   (await 'drain' when full)                     queues and pauses the socket)
 *     │
 *  CancelRequest on a new socket ─► registry[pid] with the right secret ─► session.cancel()
 *  'close' ─► connection.close(): roll back what is open, forget the session
 * ```
 *
 * TLS (`SqlServerConfig.tls`): an SSLRequest is answered 'S' and the socket handed to a
 * server-side `TLSSocket` (node:tls, TLS 1.2 or later) before the startup packet, as PostgreSQL
 * does; from then on the connection reads and writes through it. With `required` (the default, as
 * CockroachDB's secure mode) a client that starts in the clear is refused with 28000; without
 * TLS configured the answer is 'N' and clients continue in the clear (`sslmode=prefer`).
 *
 * The server never crashes on a client: socket errors close that socket; a bug met while serving
 * one client is logged with its stack, answered with XX000 and closes that connection only.
 * `stop()` drains: no new connections, idle connections get 57P01 at once, busy ones may finish
 * their statement for up to `sqlDrainWaitMsMax`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { limits } from '../base/limits.js';
import type { Logger } from '../base/logger.js';
import type { Env } from '../env/env.js';
import { ProtocolViolationError } from '../../sql/pgwire/errors.js';
import { parseScramVerifier } from '../../sql/pgwire/scram.js';
import { Connection, type AuthenticationMethod } from '../../sql/session/connection.js';
import type { SessionDeps } from '../../sql/session/session.js';

export interface SqlServerConfig {
  /** `host:port`; port 0 picks a free one (tests). */
  readonly addr: string;
  /** Trust every user without a password (CockroachDB's `--insecure`). */
  readonly insecure: boolean;
  /** User → SCRAM-SHA-256 verifier (PostgreSQL's `rolpassword` format), for secure mode. */
  readonly passwords?: ReadonlyMap<string, string>;
  /** The default of `strict_serializable` (commit wait) for new sessions. */
  readonly strictSerializable?: boolean;
  /** At most this many connections (default `limits.sqlConnectionsMax`). */
  readonly connectionsMax?: number;
  /** Serve TLS (see the file comment). */
  readonly tls?: SqlTlsConfig;
}

/** The node's certificate and key (CockroachDB's `node.crt` / `node.key`), PEM. */
export interface SqlTlsConfig {
  readonly certPem: string | Uint8Array;
  readonly keyPem: string | Uint8Array;
  /** Refuse clients that do not ask for TLS (28000). Default true. */
  readonly required?: boolean;
}

/** TLS 1.2 is the oldest version served (1.0 and 1.1 are deprecated, RFC 8996). */
const tlsMinVersion = 'TLSv1.2';

/** A secure context for `tls`; a bad certificate or key fails here, at startup, with what is wrong. */
function secureContextOf(tls: SqlTlsConfig): SecureContext {
  try {
    return createSecureContext({ cert: Buffer.from(tls.certPem), key: Buffer.from(tls.keyPem), minVersion: tlsMinVersion });
  } catch (error) {
    throw new Error(`the SQL listener's TLS certificate or key is unusable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function parseAddr(addr: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (match === null) throw new Error(`bad address "${addr}": expected host:port`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`bad port in "${addr}"`);
  return { host: match[1] ?? (match[2] === '' ? 'localhost' : match[2]!), port };
}

export class SqlServer {
  private readonly connections = new Map<Socket, Connection>();
  private readonly byProcessId = new Map<number, Connection>();
  /** Every open socket, refused ones included: stop() must close them all. */
  private readonly sockets = new Set<Socket>();
  /** Starts the chunks one turn of the event loop delivered, together (see `ReceiveBatch`). */
  private readonly receiveBatch: ReceiveBatch;
  private stopping = false;

  private constructor(
    private readonly server: Server,
    private readonly env: Env,
    private readonly logger: Logger,
    private readonly sessionDeps: SessionDeps,
    private readonly config: SqlServerConfig,
    private readonly secureContext: SecureContext | undefined,
  ) {
    const afterIo = env.timers.afterIo;
    this.receiveBatch = new ReceiveBatch(afterIo === undefined ? undefined : (run) => afterIo.call(env.timers, run));
  }

  static async start(env: Env, sessionDeps: SessionDeps, config: SqlServerConfig): Promise<SqlServer> {
    const { host, port } = parseAddr(config.addr);
    const logger = env.logger.child({ component: 'sql' });
    const secureContext = config.tls === undefined ? undefined : secureContextOf(config.tls);
    const server = createServer({ noDelay: true });
    const sqlServer = new SqlServer(server, env, logger, sessionDeps, config, secureContext);
    server.on('connection', (socket) => sqlServer.accept(socket));
    server.on('error', (error) => logger.error({ err: error }, 'SQL listener error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    logger.info({ addr: sqlServer.addressText, tls: config.tls === undefined ? 'off' : config.tls.required === false ? 'accepted' : 'required' }, 'SQL server listening');
    return sqlServer;
  }

  /** The bound address (the real port when configured with 0). */
  get address(): { host: string; port: number } {
    const bound = this.server.address();
    if (bound === null || typeof bound === 'string') throw new Error('the SQL server is not listening');
    return { host: bound.address, port: bound.port };
  }

  get addressText(): string {
    const { host, port } = this.address;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening and drains the connections (see the file comment). Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (let waitedMs = 0; waitedMs < limits.sqlDrainWaitMsMax; waitedMs += 20) {
      if ([...this.connections.values()].every((connection) => connection.session?.isRunning !== true)) break;
      await this.env.timers.sleep(20);
    }
    await Promise.all([...this.connections].map(async ([socket, connection]) => {
      await connection.shutdown().catch(() => undefined);
      socket.destroy();
    }));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.logger.info('SQL server stopped');
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    // Once we have ended our side and it is flushed, nothing the client still sends matters.
    socket.once('finish', () => socket.destroy());
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // The stream the connection reads and writes: the socket, or the TLSSocket over it once
    // an SSLRequest was answered 'S'.
    let stream: Socket = socket;
    const pump = new ReceivePump(
      (chunk) => connection.receive(chunk),
      {
        pause: () => stream.pause(),
        resume: () => {
          if (!stream.destroyed) stream.resume();
        },
      },
      (error) => {
        this.logger.error({ err: error }, 'SQL connection failed');
        socket.destroy();
      },
      this.receiveBatch,
    );
    const onData = (chunk: Buffer): void => pump.push(chunk);
    const startTls = async (): Promise<void> => {
      const secureContext = this.secureContext;
      if (secureContext === undefined) throw new Error('startTls without a TLS configuration');
      // Bytes the client sent behind the SSLRequest before our 'S' would be taken for decrypted
      // ones (CVE-2021-23214); the reader refuses those within its buffer, these were still queued.
      if (pump.queuedChunks > 0) throw new ProtocolViolationError('received unencrypted data after SSL request');
      socket.off('data', onData);
      const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext });
      tlsSocket.on('data', onData);
      tlsSocket.on('error', (error) => {
        // A failed handshake (a client that does not trust the certificate, an old protocol).
        this.logger.debug({ err: error, remote: socket.remoteAddress }, 'SQL TLS error');
        socket.destroy();
      });
      tlsSocket.once('close', () => socket.destroy());
      stream = tlsSocket;
      // TLS reads through the plain socket: it must flow even if the pump had paused it.
      socket.resume();
    };
    const connection = new Connection(
      {
        session: this.sessionDeps,
        random: this.env.random,
        authenticate: (user) => this.authenticate(user),
        onCancel: (processId, secretKey) => this.cancel(processId, secretKey),
        onInternalError: (error) => this.logger.error({ err: error, remote: socket.remoteAddress }, 'internal error serving a SQL client'),
        ...(this.config.strictSerializable === undefined ? {} : { strictSerializable: this.config.strictSerializable }),
        ...(this.config.tls === undefined ? {} : { tls: { required: this.config.tls.required !== false } }),
      },
      {
        write: (bytes) => write(stream, bytes),
        close: () => stream.end(),
        startTls,
      },
    );
    if (this.stopping || this.connections.size >= (this.config.connectionsMax ?? limits.sqlConnectionsMax)) {
      const reason = this.stopping ? 'the database system is shutting down' : 'sorry, too many clients already';
      void connection.refuse(this.stopping ? '57P03' : '53300', reason).catch(() => socket.destroy());
      socket.on('error', () => socket.destroy());
      return;
    }
    this.connections.set(socket, connection);
    this.byProcessId.set(connection.processId, connection);
    socket.on('data', onData);
    socket.on('error', (error) => {
      this.logger.debug({ err: error, remote: socket.remoteAddress }, 'SQL socket error');
      socket.destroy();
    });
    socket.on('close', () => {
      this.connections.delete(socket);
      this.byProcessId.delete(connection.processId);
      // After the chunks already received were handled (a pipelined client may close at once).
      pump.whenIdle(() => connection.close().catch((error: unknown) => this.logger.warn({ err: error }, 'closing a SQL session failed')));
    });
  }

  private authenticate(user: string): AuthenticationMethod {
    const verifierText = this.config.passwords?.get(user);
    if (verifierText !== undefined) {
      const verifier = parseScramVerifier(verifierText);
      if (verifier !== undefined) return { kind: 'scram', verifier };
    }
    if (this.config.insecure) return { kind: 'trust' };
    return { kind: 'reject', sqlState: '28P01', message: `password authentication failed for user "${user}"` };
  }

  private cancel(processId: number, secretKey: number): void {
    const connection = this.byProcessId.get(processId);
    // A wrong secret is ignored silently, as PostgreSQL does: no oracle for guessing keys.
    if (connection === undefined || connection.secretKey !== secretKey) return;
    this.logger.info({ processId }, 'cancel request');
    connection.session?.cancel();
  }
}

function write(socket: Socket, bytes: Uint8Array): Promise<void> | void {
  if (socket.destroyed || !socket.writable) return;
  if (socket.write(bytes)) return;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** What `ReceivePump` needs of the socket: its back-pressure switch. */
export interface ReceiveFlow {
  pause(): void;
  resume(): void;
}

/**
 * Feeds a connection its socket's chunks one at a time and in order — `Connection.receive` calls
 * must not overlap — with the socket's back-pressure: a chunk that arrives while the previous one
 * is still being handled is queued and the stream paused until the connection has caught up, so a
 * slow statement stops the reads (and the kernel's TCP window then stops the client) instead of
 * piling the client's bytes up in memory.
 *
 * The common case, a chunk reaching an idle connection (a client waiting for each answer, as
 * pgbench does), neither pauses nor resumes the stream and costs one promise reaction; it starts
 * with the other connections' chunks of this turn of the event loop (`ReceiveBatch`), or at once
 * without one. (Pausing and resuming on every chunk, through a then/catch/finally chain, cost a
 * `resume_` tick, a `Readable.read(0)` and four promises per chunk: about 7 of the 33 µs of
 * server CPU a bare round trip took, .scratch/h1/echo-ab.sh.)
 *
 * `whenIdle` runs its callback once every chunk received so far was handled: the socket's close
 * must not overtake a pipelined client's last statements.
 */
export class ReceivePump {
  private readonly queued: Uint8Array[] = [];
  private busy = false;
  private paused = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly receive: (chunk: Uint8Array) => Promise<void>,
    private readonly flow: ReceiveFlow,
    /** `receive` failed (a bug: the connection answers what the client did wrong itself). */
    private readonly fail: (error: unknown) => void,
    /** Where a chunk for an idle connection waits to be started with the turn's others. */
    private readonly batch?: ReceiveBatch,
  ) {}

  /** Chunks received and not yet handed to `receive`. */
  get queuedChunks(): number {
    return this.queued.length;
  }

  /** A chunk from the socket ('data'). */
  push(chunk: Uint8Array): void {
    if (!this.busy) {
      if (this.batch === undefined) {
        this.start(chunk);
        return;
      }
      this.busy = true; // from now on: chunks queue behind this one
      this.batch.add(() => this.start(chunk));
      return;
    }
    this.queued.push(chunk);
    if (!this.paused) {
      this.paused = true;
      this.flow.pause();
    }
  }

  /** Runs `callback` once every chunk pushed so far was handled (at once when idle). */
  whenIdle(callback: () => void): void {
    if (this.busy) this.idleWaiters.push(callback);
    else callback();
  }

  private start(chunk: Uint8Array): void {
    this.busy = true;
    let handled: Promise<void>;
    try {
      handled = this.receive(chunk);
    } catch (error) {
      this.failed(error);
      return;
    }
    handled.then(this.done, this.failed);
  }

  private readonly done = (): void => {
    const next = this.queued.shift();
    if (next !== undefined) {
      this.start(next);
      return;
    }
    this.busy = false;
    if (this.paused) {
      this.paused = false;
      this.flow.resume();
    }
    this.runIdleWaiters();
  };

  private readonly failed = (error: unknown): void => {
    // The connection is torn down (`fail` destroys the socket): what is queued is dropped.
    this.queued.length = 0;
    this.busy = false;
    this.fail(error);
    this.runIdleWaiters();
  };

  private runIdleWaiters(): void {
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * Starts, together, the chunks that one turn of the event loop brought to idle connections: each
 * 'data' callback only records its start, and one `afterIo` callback (Node's check phase, right
 * after the poll phase delivered the turn's reads) runs them all. Their statements' async
 * continuations then interleave in one microtask queue, so each step of the way — decoding,
 * planning, the KV read, encoding — runs for every connection back to back while its code and
 * data are warm in the CPU's caches and branch predictors and V8's inline caches; started one
 * by one in their own 'data' callbacks, each statement ran its whole path alone, cold, and the
 * microtask checkpoint after each callback drained it to the end before the next socket was read.
 * (The event-loop-turn batching of a reactor server, as a Redis or nginx worker serves every
 * ready socket of one epoll_wait before waiting again.)
 *
 * Measured with pgbench -S -M prepared, 8 clients, scale 1, interleaved A/B runs on one loaded
 * machine: 305–345 → 160–200 µs of node main-thread CPU per transaction (about −45%), system time
 * halved (fewer wake-ups per transaction). The delay a chunk sees is the rest of the turn's I/O
 * callbacks, not a timer.
 */
export class ReceiveBatch {
  private starts: (() => void)[] = [];
  private scheduled = false;

  /** `defer` runs its callback after the turn's I/O callbacks; absent: every start runs at once. */
  constructor(private readonly defer: ((run: () => void) => void) | undefined) {}

  add(start: () => void): void {
    if (this.defer === undefined) {
      start();
      return;
    }
    this.starts.push(start);
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const starts = this.starts;
    this.starts = [];
    // A start never throws (`ReceivePump.start` reports its receive's failures).
    for (const start of starts) start();
  };
}
