// The SQL listener's books: the connection limit (53300), graceful drain on stop (a running
// statement finishes, idle sessions get 57P01), GSSENCRequest answered 'N'; a pipelined client's
// messages in many small chunks are answered in order, and a slow statement stops the reads.
import { createConnection, type Socket } from 'node:net';
import pg from 'pg';
import { parse, serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { describe, expect, it } from 'vitest';
import { startSqlNode } from './sql-support.js';

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: 'localhost', port, user: 'root' });
  await client.connect();
  return client;
}

/** A raw pgwire client: connected, started up, with every backend message it receives. */
async function rawClient(port: number): Promise<{ socket: Socket; messages: BackendMessage[]; until(count: number, name: string): Promise<void> }> {
  const socket = createConnection({ host: 'localhost', port });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.on('connect', resolve));
  const messages: BackendMessage[] = [];
  let wake = (): void => undefined;
  void parse(socket, (message) => {
    messages.push(message);
    wake();
  });
  const until = async (count: number, name: string): Promise<void> => {
    while (messages.filter((message) => message.name === name).length < count) await new Promise<void>((resolve) => (wake = resolve));
  };
  socket.write(serialize.startup({ user: 'root', database: 'defaultdb' }));
  await until(1, 'readyForQuery');
  messages.length = 0;
  return { socket, messages, until };
}

describe('SqlServer', () => {
  it('refuses a connection past the limit with 53300 and accepts again once one closes', async () => {
    const server = await startSqlNode({ connectionsMax: 2 });
    const a = await connect(server.port);
    const b = await connect(server.port);
    await expect(connect(server.port)).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
    await a.end();
    for (let i = 0; i < 50 && server.node.sql!.connectionCount > 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const c = await connect(server.port);
    expect((await c.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    await Promise.all([b.end(), c.end()]);
    await server.stop();
  });

  it('drains on stop: a running statement finishes, then sessions are told 57P01', async () => {
    const server = await startSqlNode({}, { fake: true }); // pg_sleep: a statement still running at stop
    const busy = await connect(server.port);
    const idle = await connect(server.port);
    const idleError = new Promise<{ code?: string }>((resolve) => idle.on('error', (error) => resolve(error as { code?: string })));
    busy.on('error', () => undefined);
    const running = busy.query('SELECT pg_sleep(0.3) AS slept');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.stop();
    expect((await running).rows).toEqual([{ slept: '' }]);
    expect((await idleError).code).toBe('57P01');
  });

  it("answers GSSENCRequest with 'N'", async () => {
    const server = await startSqlNode();
    const socket = createConnection({ host: 'localhost', port: server.port });
    await new Promise((resolve) => socket.on('connect', resolve));
    const answer = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]));
    expect((await answer).toString('latin1')).toBe('N');
    socket.destroy();
    await server.stop();
  });

  it('answers a pipelined client whose messages arrive in many small chunks, in order', async () => {
    const server = await startSqlNode({}, { fake: true });
    const client = await rawClient(server.port);
    const count = 40;
    const bytes = Buffer.concat(Array.from({ length: count }, (_, i) => serialize.query(`SELECT ${i} AS n`)));
    // 1 to 7 bytes a write, a turn of the event loop now and then: many 'data' events, most of
    // them arriving while an earlier query is still being handled.
    for (let at = 0, step = 0; at < bytes.length; step++) {
      const size = 1 + (step % 7);
      client.socket.write(bytes.subarray(at, at + size));
      at += size;
      if (step % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await client.until(count, 'readyForQuery');
    const values = client.messages.flatMap((message) => (message.name === 'dataRow' ? [(message as unknown as { fields: string[] }).fields[0]] : []));
    expect(values).toEqual(Array.from({ length: count }, (_, i) => String(i)));
    expect(client.messages.filter((message) => message.name === 'commandComplete')).toHaveLength(count);
    client.socket.destroy();
    await server.stop();
  });

  it('stops reading from a client while its statement runs, and reads on once it is done', async () => {
    const server = await startSqlNode({}, { fake: true });
    const client = await rawClient(server.port);
    client.socket.write(serialize.query('SELECT pg_sleep(1.5) AS slept'));
    // 64 MiB behind it, CopyData outside COPY (read and ignored), each piece written once the
    // last reached the kernel: more than the kernel's socket buffers hold, so most of it cannot
    // leave the client while the server reads nothing.
    const copyData = serialize.copyData(Buffer.alloc(64 * 1024 - 5, 0x61));
    let sent = 0;
    const writing = (async () => {
      for (let i = 0; i < 1024; i++) {
        await new Promise<void>((resolve, reject) => client.socket.write(copyData, (error) => (error ? reject(error) : resolve())));
        sent += copyData.length;
      }
      client.socket.write(serialize.query('SELECT 7 AS n'));
    })();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(client.messages.some((message) => message.name === 'readyForQuery')).toBe(false); // still sleeping
    // About 4 MiB here (the kernel's buffers and the stream's high-water mark); reading on
    // regardless, the server had taken 25 MiB by now on a loaded machine.
    expect(sent).toBeLessThan(12 * 1024 * 1024);
    await writing;
    await client.until(2, 'readyForQuery');
    const rows = client.messages.flatMap((message) => (message.name === 'dataRow' ? [(message as unknown as { fields: string[] }).fields[0]] : []));
    expect(rows).toEqual(['', '7']);
    client.socket.destroy();
    await server.stop();
  });

  it('handles the statements a client pipelined before it closed its socket', async () => {
    const server = await startSqlNode({}, { fake: true });
    const client = await rawClient(server.port);
    client.socket.write(serialize.query('CREATE TABLE t (a int)'));
    await client.until(1, 'readyForQuery');
    // A slow statement, then an INSERT, then the client goes away before either is answered.
    client.socket.end(Buffer.concat([serialize.query('SELECT pg_sleep(0.2)'), serialize.query('INSERT INTO t VALUES (42)')]));
    await new Promise((resolve) => client.socket.on('close', resolve));
    const reader = await connect(server.port);
    let rows: unknown[] = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = (await reader.query('SELECT * FROM t')).rows;
    }
    expect(rows).toEqual([{ a: 42 }]);
    await reader.end();
    await server.stop();
  });
});
