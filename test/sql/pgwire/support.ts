import { serialize } from 'pg-protocol';
import { FrontendMessageReader } from '../../../sql/pgwire/reader.js';
import type { FrontendMessage } from '../../../sql/pgwire/frontend-messages.js';

/** A reader already past the startup phase (fed a StartupMessage for user `u`). */
export function readerInMessagesPhase(): FrontendMessageReader {
  const reader = new FrontendMessageReader();
  reader.push(serialize.startup({ user: 'u' }));
  const startup = reader.next();
  if (startup?.kind !== 'StartupMessage') throw new Error('expected a StartupMessage');
  return reader;
}

/** Every message that can be pulled from `reader` right now. */
export function drain(reader: FrontendMessageReader): FrontendMessage[] {
  const messages: FrontendMessage[] = [];
  for (let message = reader.next(); message !== undefined; message = reader.next()) messages.push(message);
  return messages;
}

/** Pushes each chunk and drains after it, as a socket handler does. */
export function readChunks(reader: FrontendMessageReader, chunks: readonly Uint8Array[]): FrontendMessage[] {
  const messages: FrontendMessage[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    messages.push(...drain(reader));
  }
  return messages;
}

/** A message with byte views as hex and maps as objects, for `toEqual`. */
export function plain(message: FrontendMessage): unknown {
  return JSON.parse(
    JSON.stringify(message, (_key, value: unknown) => {
      if (value instanceof Uint8Array) return { hex: Buffer.from(value).toString('hex') };
      if (value instanceof Map) return Object.fromEntries(value);
      if (value !== null && typeof value === 'object' && 'type' in value && (value as { type: unknown }).type === 'Buffer') {
        return { hex: Buffer.from((value as unknown as { data: number[] }).data).toString('hex') };
      }
      return value;
    }),
  );
}

export function hex(text: string): { hex: string } {
  return { hex: Buffer.from(text).toString('hex') };
}

/** A typed frame built by hand: type byte, int32 length (counting itself), body. */
export function frame(type: string, body: Uint8Array = new Uint8Array(0), length = body.length + 4): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(length, 1);
  return Buffer.concat([header, body]);
}

export function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text), Buffer.from([0])]);
}

export function int32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

export function int16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeInt16BE(value);
  return bytes;
}
