/**
 * Assertions, kept on in production (TigerBeetle's habit): a failed assertion means the program
 * is wrong, so it throws an `AssertionError` that nothing may catch and recover from. Operating
 * errors (bad input, a busy peer, a full disk) are never assertions: they are `RangedbError`s.
 *
 * Assert arguments, results and invariants, one condition per call, so the failing line says
 * which condition broke.
 */

/** Thrown only by the helpers below. Never catch it to continue: let the process crash. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Asserts `condition`; the message is built lazily so a hot path pays nothing for it. */
export function assert(condition: unknown, message?: string | (() => string)): asserts condition {
  if (!condition) {
    const text = typeof message === 'function' ? message() : message;
    throw new AssertionError(text ?? 'assertion failed');
  }
}

/** Asserts `a === b`, printing both sides on failure. */
export function assertEqual<T>(a: T, b: T, what = 'values'): void {
  if (a !== b) throw new AssertionError(`${what} differ: ${String(a)} !== ${String(b)}`);
}

/** Asserts a value is neither undefined nor null and returns it narrowed. */
export function defined<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new AssertionError(`${what} is ${String(value)}`);
  return value;
}

/** Exhaustiveness check for discriminated unions: `default: return assertNever(x)`. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
}

/** Marks a code path that must be unreachable. */
export function unreachable(why: string): never {
  throw new AssertionError(`unreachable: ${why}`);
}
