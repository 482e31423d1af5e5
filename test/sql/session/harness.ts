/**
 * Drives a `Connection` (and its `Session`) the way a socket would, with frontend messages
 * serialized by node-postgres's codec (`pg-protocol`) and backend messages read back by its
 * parser, rendered as one short line each for exact expectations:
 *
 *   T a:int4            RowDescription (name:type, `/1` for binary columns)
 *   D 1|x|NULL          DataRow (text fields)
 *   C SELECT 1          CommandComplete
 *   Z I                 ReadyForQuery
 *   E 42601 message     ErrorResponse (`@position` when it has one)
 *   N NOTICE message    NoticeResponse
 *   S name=value        ParameterStatus
 *
 * KV is the coordinator tests' one-range local sender on a manual clock (test/txn/harness.ts):
 * every call is driven on virtual time, so retries' backoffs and statement timeouts take no
 * real time.
 */
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { silentLogger } from '../../../src/base/logger.js';
import { Connection, type AuthenticationMethod } from '../../../sql/session/connection.js';
import type { CatalogVersion } from '../../../sql/session/session.js';
import { typeOfOid, typeName } from '../../../sql/types/sql-type.js';
import { FakeSqlEngine } from '../../support/fake-sql-engine.js';
import { world, type World } from '../../txn/harness.js';

void silentLogger;

export interface Harness {
  readonly world: World;
  readonly engine: FakeSqlEngine;
  readonly connection: Connection;
  readonly cancels: [number, number][];
  readonly internalErrors: unknown[];
  closed: boolean;
  /** Sends frontend bytes and returns the backend messages they produced, one line each. */
  send(...frames: Uint8Array[]): Promise<string[]>;
  /** The raw bytes written since the last call. */
  raw: Uint8Array[];
  /** How many times the connection asked to start TLS (with the `tls` option). */
  tlsStarts: number;
}

export function harness(
  options: { authenticate?: (user: string) => AuthenticationMethod; catalogVersion?: CatalogVersion; engine?: FakeSqlEngine; world?: World; tls?: { required: boolean } } = {},
): Harness {
  const w = options.world ?? world();
  const engine = options.engine ?? new FakeSqlEngine(Buffer.from('r/'), w.timers);
  const parser = new Parser();
  const lines: string[] = [];
  const h: Harness = {
    world: w,
    engine,
    connection: undefined as unknown as Connection,
    cancels: [],
    internalErrors: [],
    closed: false,
    raw: [],
    tlsStarts: 0,
    async send(...frames) {
      for (const frame of frames) await w.timers.drive(h.connection.receive(frame));
      return lines.splice(0);
    },
  };
  (h as { connection: Connection }).connection = new Connection(
    {
      session: { engine, db: w.sender, txnDeps: w.deps, catalogVersion: options.catalogVersion ?? { value: 0 } },
      random: w.deps.random,
      authenticate: (user) => options.authenticate?.(user) ?? { kind: 'trust' },
      onCancel: (pid, secret) => h.cancels.push([pid, secret]),
      onInternalError: (error) => h.internalErrors.push(error),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    },
    {
      write: (bytes) => {
        h.raw.push(Uint8Array.from(bytes));
        if (bytes.length === 1) return void lines.push(`byte ${String.fromCharCode(bytes[0]!)}`);
        parser.parse(Buffer.from(bytes), (message) => lines.push(render(message)));
      },
      close: () => {
        h.closed = true;
      },
      // The handshake itself is the listener's (test/e2e/sql-tls.test.ts): here the bytes go on as they are.
      startTls: async () => {
        h.tlsStarts += 1;
      },
    },
  );
  return h;
}

/** A harness past startup (user root, trust), with the startup lines discarded. */
export async function started(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  const h = harness(options);
  await h.send(serialize.startup({ user: 'root', database: 'defaultdb' }));
  return h;
}

export function render(message: BackendMessage): string {
  const m = message as BackendMessage & Record<string, unknown>;
  switch (message.name) {
    case 'rowDescription':
      return `T ${(m.fields as { name: string; dataTypeID: number; format: string }[]).map((f) => `${f.name}:${typeName(typeOfOid(f.dataTypeID)!)}${f.format === 'binary' ? '/1' : ''}`).join(' ')}`;
    case 'dataRow':
      return `D ${(m.fields as (string | null)[]).map((f) => (f === null ? 'NULL' : f)).join('|')}`;
    case 'commandComplete':
      return `C ${m.text as string}`;
    case 'readyForQuery':
      return `Z ${m.status as string}`;
    case 'error':
      return `E ${m.code as string} ${m.message as string}${m.position === undefined ? '' : ` @${m.position as string}`}${m.detail === undefined ? '' : ` (${m.detail as string})`}`;
    case 'notice':
      return `N ${m.severity as string} ${m.message as string}`;
    case 'parameterStatus':
      return `S ${m.parameterName as string}=${m.parameterValue as string}`;
    case 'backendKeyData':
      return 'K';
    case 'parameterDescription':
      return `t ${(m.dataTypeIDs as number[]).map((oid) => typeName(typeOfOid(oid)!)).join(' ')}`;
    case 'copyData':
      return `d ${JSON.stringify(Buffer.from(m.chunk as Buffer).toString('utf8'))}`;
    case 'copyInResponse':
    case 'copyOutResponse':
      return `${message.name} ${(m.columnTypes as number[]).length}`;
    case 'authenticationSASL':
      return `R SASL ${(m.mechanisms as string[]).join(',')}`;
    case 'authenticationSASLContinue':
    case 'authenticationSASLFinal':
      return `R ${message.name}`;
    default:
      return message.name;
  }
}
