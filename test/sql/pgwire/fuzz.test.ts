// Hostile input: random bytes and mutated valid streams, in random chunks. The reader may only
// ever throw ProtocolViolationError, must terminate, and must never hold a complete-but-unread
// message larger than its limit (nothing it buffers outgrows what a valid message may declare).
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import { limits } from '../../../src/base/limits.js';
import { parsePasswordMessage, parseSaslInitialResponse } from '../../../sql/pgwire/authentication-response.js';
import { ProtocolViolationError } from '../../../sql/pgwire/errors.js';
import { FrontendMessageReader } from '../../../sql/pgwire/reader.js';
import { parseClientFirstMessage } from '../../../sql/pgwire/scram.js';
import { sampleFrontendStream } from './stream.js';

const seed = 4_2026_1126;
const startup = Buffer.from(serialize.startup({ user: 'u' }));
const validTypedStream = sampleFrontendStream().subarray(sampleFrontendStream().readInt32BE(0));

type Outcome = { readonly kind: 'ok' | 'violation' | 'ended'; readonly messages: number };

/** Feeds chunks, draining after each, checking the reader's invariants throughout. */
function feed(reader: FrontendMessageReader, chunks: readonly Uint8Array[]): Outcome {
  let messages = 0;
  let pushed = 0;
  try {
    for (const chunk of chunks) {
      reader.push(chunk);
      pushed += chunk.length;
      for (let message = reader.next(); message !== undefined; message = reader.next()) {
        messages += 1;
        // Every message consumes at least 5 bytes: the loop cannot spin.
        check(messages * 5 <= pushed, 'more messages than bytes');
        if (message.kind === 'AuthenticationResponse') tryAuthenticationParsers(message);
      }
      // After a drain, what is left is an incomplete message, never more than its limit.
      check(reader.bufferedBytes <= pushed, 'buffered more than pushed');
      check(reader.bufferedBytes < 1 + limits.pgwireMessageBytesMax, 'buffered a whole message beyond the limit');
    }
    return { kind: reader.phase === 'ended' ? 'ended' : 'ok', messages };
  } catch (error) {
    if (!(error instanceof ProtocolViolationError)) throw error;
    check(error.sqlState === '08P01' && reader.phase === 'failed', 'a violation poisons the reader');
    check(throws(() => reader.next()) === error, 'next rethrows the violation');
    check(throws(() => reader.push(Uint8Array.of(0))) === error, 'push rethrows the violation');
    return { kind: 'violation', messages };
  }
}

// Plain checks, not expect(): they run millions of times.
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

function throws(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

function tryAuthenticationParsers(message: { readonly kind: 'AuthenticationResponse'; readonly body: Uint8Array }): void {
  for (const parse of [parsePasswordMessage, parseSaslInitialResponse, (m: typeof message) => parseClientFirstMessage(Buffer.from(m.body).toString())]) {
    try {
      parse(message);
    } catch (error) {
      if (!(error instanceof ProtocolViolationError)) throw error;
    }
  }
}

/** Cuts `bytes` at the given points (sorted, deduplicated). */
function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const sorted = [...new Set([0, ...points.map((p) => p % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  return sorted.slice(1).map((end, i) => bytes.subarray(sorted[i]!, end));
}

const cutPoints = fc.array(fc.nat(), { maxLength: 8 });

type Mutation = { readonly at: number; readonly op: 'flip' | 'set' | 'insert' | 'delete'; readonly byte: number };
const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('flip', 'set', 'insert', 'delete'),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const out = [...bytes];
  for (const { at, op, byte } of mutations) {
    const i = at % (out.length + 1);
    if (op === 'insert') out.splice(i, 0, byte);
    else if (i < out.length) {
      if (op === 'flip') out[i] = out[i]! ^ (1 << (byte & 7));
      else if (op === 'set') out[i] = byte;
      else out.splice(i, 1);
    }
  }
  return Uint8Array.from(out);
}

describe('fuzz', () => {
  it('random bytes in the startup phase', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), cutPoints, (bytes, points) => {
        feed(new FrontendMessageReader(), cut(bytes, points));
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it('random bytes after a valid startup', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), cutPoints, (bytes, points) => {
        feed(new FrontendMessageReader(), [startup, ...cut(bytes, points)]);
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it('random frames: a known type byte, a plausible length, random body', () => {
    const typeBytes = 'QPBDESHCXdcfp'.split('').map((c) => c.charCodeAt(0));
    const randomFrame = fc
      .record({ type: fc.constantFrom(...typeBytes), body: fc.uint8Array({ maxLength: 40 }), lengthDelta: fc.integer({ min: -6, max: 6 }) })
      .map(({ type, body, lengthDelta }) => {
        const header = Buffer.alloc(5);
        header[0] = type;
        header.writeInt32BE(body.length + 4 + (lengthDelta > 3 ? 0 : lengthDelta), 1);
        return Buffer.concat([header, body]);
      });
    let decoded = 0;
    fc.assert(
      fc.property(fc.array(randomFrame, { maxLength: 10 }), cutPoints, (frames, points) => {
        decoded += feed(new FrontendMessageReader(), [startup, ...cut(Buffer.concat(frames), points)]).messages - 1;
      }),
      { seed, numRuns: 3_000 },
    );
    // Random bodies must also get through the decoders sometimes, or their checks go untested.
    expect(decoded).toBeGreaterThan(200);
  });

  it('mutated valid streams', () => {
    const whole = sampleFrontendStream();
    let violations = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), cutPoints, (mutations, points) => {
        if (feed(new FrontendMessageReader(), cut(mutate(whole, mutations), points)).kind === 'violation') violations += 1;
      }),
      { seed, numRuns: 2_000 },
    );
    // The mutations must reach the checks, or this test proves nothing.
    expect(violations).toBeGreaterThan(100);
  });

  it('mutated typed messages after a valid startup', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), cutPoints, (mutations, points) => {
        feed(new FrontendMessageReader(), [startup, ...cut(mutate(validTypedStream, mutations), points)]);
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it('SCRAM client-first messages from random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseClientFirstMessage(text);
        } catch (error) {
          if (!(error instanceof ProtocolViolationError)) throw error;
        }
      }),
      { seed, numRuns: 2_000 },
    );
  });
});
