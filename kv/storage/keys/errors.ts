/**
 * `KeyDecodeError`: the bytes handed to the key decoder are not a well-formed key encoding.
 *
 * Decoding never crashes and never returns a wrong value: every byte sequence either decodes to
 * the values whose canonical encoding it is, or produces this error. Keys reach the decoder from
 * storage, from peers and (through admin statements) from users, so a malformed key is an
 * operating error of class `input`, not an assertion.
 */
import { RangedbError } from '../../../src/base/errors.js';

export class KeyDecodeError extends RangedbError {
  readonly code = 'KEY_DECODE';
  readonly errorClass = 'input';
  override readonly sqlState = '22P03'; // invalid_binary_representation

  constructor(
    /** The byte offset in the decoded input where the problem was found. */
    readonly offset: number,
    /** What was wrong, e.g. `truncated int`. */
    readonly reason: string,
  ) {
    super(`malformed key at byte ${offset}: ${reason}`);
  }
}
