// However TCP cuts the stream, the reader must produce the same messages: fed one byte at a time,
// split in two at every byte, and cut into random chunks. Messages are compared only at the end,
// which also checks that byte views handed out earlier were never overwritten.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrontendMessageReader } from '../../../sql/pgwire/reader.js';
import type { FrontendMessage } from '../../../sql/pgwire/frontend-messages.js';
import { plain, readChunks } from './support.js';
import { sampleFrontendStream } from './stream.js';

const stream = sampleFrontendStream();

function decodeInChunks(chunks: readonly Uint8Array[]): unknown[] {
  const reader = new FrontendMessageReader();
  const messages: FrontendMessage[] = readChunks(reader, chunks);
  expect(reader.phase).toBe('ended');
  return messages.map(plain);
}

const expected = decodeInChunks([stream]);

describe('split-at-every-byte', () => {
  it('the whole stream at once decodes to every message', () => {
    expect(expected).toHaveLength(20);
    expect(expected.map((m) => (m as { kind: string }).kind)).toEqual([
      'StartupMessage', 'AuthenticationResponse', 'Query', 'Query', 'Parse', 'Bind', 'Describe', 'Execute', 'Close', 'Flush',
      'Sync', 'Query', 'CopyData', 'CopyData', 'CopyDone', 'CopyFail', 'AuthenticationResponse', 'AuthenticationResponse',
      'Query', 'Terminate',
    ]);
  });

  it('one byte at a time', () => {
    const bytes = [...stream].map((byte) => Uint8Array.of(byte));
    expect(decodeInChunks(bytes)).toEqual(expected);
  });

  it('split in two at every byte', () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(decodeInChunks([stream.subarray(0, at), stream.subarray(at)])).toEqual(expected);
    }
  });

  it('split in three at every pair of points 37 bytes apart', () => {
    for (let at = 0; at + 37 <= stream.length; at++) {
      const chunks = [stream.subarray(0, at), stream.subarray(at, at + 37), stream.subarray(at + 37)];
      expect(decodeInChunks(chunks)).toEqual(expected);
    }
  });

  it('random chunkings, from chunks that are not Buffers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 40 }), (cuts) => {
        const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
        const chunks = points.slice(1).map((end, i) => new Uint8Array(stream.subarray(points[i]!, end)));
        expect(decodeInChunks(chunks)).toEqual(expected);
      }),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it('a 4 MiB CopyData arriving in 64 KiB chunks', () => {
    const reader = new FrontendMessageReader();
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 131) & 0xff;
    const header = Buffer.alloc(5);
    header[0] = 'd'.charCodeAt(0);
    header.writeInt32BE(payload.length + 4, 1);
    const startup = stream.subarray(0, stream.readInt32BE(0));
    const bytes = Buffer.concat([startup, header, payload]);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 65_536) chunks.push(bytes.subarray(at, at + 65_536));
    const messages = readChunks(reader, chunks);
    expect(messages.map((m) => m.kind)).toEqual(['StartupMessage', 'CopyData']);
    const copy = messages[1]!;
    expect(copy.kind === 'CopyData' && Buffer.from(copy.data).equals(payload)).toBe(true);
    expect(reader.bufferedBytes).toBe(0);
  });
});
