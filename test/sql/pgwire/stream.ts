import { serialize } from 'pg-protocol';

/**
 * A connection's worth of frontend traffic as node-postgres would send it: startup, password,
 * simple queries, an extended-query batch with text, binary and NULL parameters, COPY data, and
 * Terminate. Used by the split and fuzz tests.
 */
export function sampleFrontendStream(): Buffer {
  return Buffer.concat([
    serialize.startup({ user: 'alice', database: 'defaultdb', application_name: 'split test' }),
    serialize.password('md5' + '0123456789abcdef'.repeat(2)),
    serialize.query('select 1'),
    serialize.query("insert into t values (1, 'héllo'), (2, '🐘')"),
    serialize.parse({ name: 'ins', text: 'insert into t values ($1, $2, $3)', types: [20, 25, 17] }),
    serialize.bind({ statement: 'ins', portal: 'p', values: ['7', null, Buffer.from([0, 0xff, 0x10, 0])] }),
    serialize.describe({ type: 'P', name: 'p' }),
    serialize.execute({ portal: 'p', rows: 10 }),
    serialize.close({ type: 'P', name: 'p' }),
    serialize.flush(),
    serialize.sync(),
    serialize.query('copy t from stdin'),
    serialize.copyData(Buffer.from('3\tthree\n4\tfour\n')),
    serialize.copyData(Buffer.alloc(300, 0x41)),
    serialize.copyDone(),
    serialize.copyFail('stop'),
    serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abcdef'),
    serialize.sendSCRAMClientFinalMessage('c=biws,r=abcdef,p=AAAA'),
    serialize.query(''),
    serialize.end(),
  ]);
}
