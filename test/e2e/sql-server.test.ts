// The SQL listener's books: the connection limit (53300), graceful drain on stop (a running
// statement finishes, idle sessions get 57P01), GSSENCRequest answered 'N'.
import { createConnection } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startSqlNode } from './sql-support.js';

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: 'localhost', port, user: 'root' });
  await client.connect();
  return client;
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
});
