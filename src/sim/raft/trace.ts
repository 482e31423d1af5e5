/**
 * The run's trace: a running hash of every event (so two runs of one seed can be compared in
 * O(1) memory) and a ring buffer of the most recent events, rendered as text only when a
 * violation needs a readable tail. Rendering is lazy because a run records tens of thousands of
 * events and almost never fails.
 */
import { assert } from '../../base/assert.js';

/** How many recent events a failure report shows. */
export const traceTailLength = 400;

export class Trace {
  private lane0 = 0x811c9dc5;
  private lane1 = 0x6a09e667;
  private readonly tail: (string | (() => string))[] = [];
  private next = 0;
  private count = 0;

  /** `sink`, if given, receives every line as it happens (the CLI's `--trace`). */
  constructor(private readonly sink?: (line: string) => void) {}

  /** Events recorded so far. */
  get events(): number {
    return this.count;
  }

  /** Mixes one integer (any safe integer, negative allowed) into the running hash. */
  mix(value: number): void {
    assert(Number.isSafeInteger(value), () => `trace values are integers: ${value}`);
    const low = value | 0;
    const high = Math.floor(value / 0x1_0000_0000) | 0;
    this.lane0 = mix32(this.lane0, low);
    this.lane0 = mix32(this.lane0, high);
    this.lane1 = mix32(this.lane1 ^ this.lane0, low ^ 0x5bd1e995);
  }

  /** Mixes a byte string (a command payload) into the running hash. */
  mixBytes(bytes: Uint8Array): void {
    this.mix(bytes.length);
    let word = 0;
    for (let i = 0; i < bytes.length; i++) {
      word = (Math.imul(word, 31) + bytes[i]!) | 0;
    }
    this.mix(word);
  }

  /** Records an event: its integer fields go into the hash; `describe` renders it on failure. */
  record(time: number, fields: readonly number[], describe: () => string): void {
    this.mix(time);
    for (const field of fields) this.mix(field);
    this.count++;
    this.remember(() => `${String(time).padStart(7)} ${describe()}`);
  }

  /** Records an event in the hash only (ticks: too many to be worth a line of the tail). */
  recordQuietly(time: number, fields: readonly number[]): void {
    this.mix(time);
    for (const field of fields) this.mix(field);
    this.count++;
  }

  /**
   * Adds a line to the tail without hashing it (the Raft core's own log: it follows from the
   * hashed events, and is the most useful reading when a run fails).
   */
  note(time: number, line: string): void {
    this.remember(`${String(time).padStart(7)}   | ${line}`);
  }

  private remember(line: string | (() => string)): void {
    if (this.sink !== undefined) this.sink(typeof line === 'string' ? line : line());
    if (this.tail.length < traceTailLength) this.tail.push(line);
    else this.tail[this.next] = line;
    this.next = (this.next + 1) % traceTailLength;
  }

  /** The running hash as 16 hex digits. */
  hash(): string {
    return hex32(fmix32(this.lane0)) + hex32(fmix32(this.lane1 ^ this.count));
  }

  /** The most recent events, oldest first, one per line. */
  renderTail(): string {
    const ordered = this.tail.length < traceTailLength ? this.tail : [...this.tail.slice(this.next), ...this.tail.slice(0, this.next)];
    return ordered.map((line) => (typeof line === 'string' ? line : line())).join('\n');
  }
}

function mix32(h: number, value: number): number {
  let k = Math.imul(value, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let x = h ^ k;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
