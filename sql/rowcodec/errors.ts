/**
 * `RowDecodeError`: stored bytes that do not decode as a row of the table — a value whose
 * encoding is malformed, or a key or value entry of the wrong kind for its column. It is data
 * corruption (or a schema mismatch), reported with PostgreSQL's `data_corrupted` SQLSTATE.
 */
import { RangedbError } from '../../src/base/errors.js';

export class RowDecodeError extends RangedbError {
  readonly code = 'ROW_DECODE';
  readonly errorClass = 'internal';
  override readonly sqlState = 'XX001'; // data_corrupted
}
