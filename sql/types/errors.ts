/**
 * The SQL errors of the type layer, each with PostgreSQL's SQLSTATE and its exact wording, so a
 * client (and an ORM matching on codes) cannot tell rangedb's answer from PostgreSQL's. They are
 * user-input errors (`errorClass = 'input'`): bad text, a value out of range, a division by zero.
 */
import { RangedbError } from '../../src/base/errors.js';

/** The base of every SQL data error: `sqlState` is the code a client sees. */
export abstract class SqlDataError extends RangedbError {
  readonly errorClass = 'input';
}

/** 22P02 invalid_text_representation: `invalid input syntax for type integer: "abc"`. */
export class InvalidTextRepresentationError extends SqlDataError {
  readonly code = 'INVALID_TEXT_REPRESENTATION';
  override readonly sqlState = '22P02';
}

/** 22003 numeric_value_out_of_range: `integer out of range`, `smallint out of range`. */
export class NumericValueOutOfRangeError extends SqlDataError {
  readonly code = 'NUMERIC_VALUE_OUT_OF_RANGE';
  override readonly sqlState = '22003';
}

/** 22012 division_by_zero: `division by zero`. */
export class DivisionByZeroError extends SqlDataError {
  readonly code = 'DIVISION_BY_ZERO';
  override readonly sqlState = '22012';
  constructor() {
    super('division by zero');
  }
}

/** 22001 string_data_right_truncation: `value too long for type character varying(3)`. */
export class StringDataRightTruncationError extends SqlDataError {
  readonly code = 'STRING_DATA_RIGHT_TRUNCATION';
  override readonly sqlState = '22001';
}

/** 22007 invalid_datetime_format: `invalid input syntax for type date: "x"`. */
export class InvalidDatetimeFormatError extends SqlDataError {
  readonly code = 'INVALID_DATETIME_FORMAT';
  override readonly sqlState = '22007';
}

/** 22008 datetime_field_overflow: `date/time field value out of range: "2000-13-01"`, `timestamp out of range`. */
export class DatetimeFieldOverflowError extends SqlDataError {
  readonly code = 'DATETIME_FIELD_OVERFLOW';
  override readonly sqlState = '22008';
}

/** 22023 invalid_parameter_value. */
export class InvalidParameterValueError extends SqlDataError {
  readonly code = 'INVALID_PARAMETER_VALUE';
  override readonly sqlState = '22023';
}

/** 22025 invalid_escape_sequence (LIKE): `LIKE pattern must not end with escape character`. */
export class InvalidEscapeSequenceError extends SqlDataError {
  readonly code = 'INVALID_ESCAPE_SEQUENCE';
  override readonly sqlState = '22025';
}

/** 22009 invalid_time_zone_displacement_value: `time zone displacement out of range: "…"`. */
export class InvalidTimeZoneDisplacementError extends SqlDataError {
  readonly code = 'INVALID_TIME_ZONE_DISPLACEMENT';
  override readonly sqlState = '22009';
}

/** 22015 interval_field_overflow: `interval field value out of range: "…"`. */
export class IntervalFieldOverflowError extends SqlDataError {
  readonly code = 'INTERVAL_FIELD_OVERFLOW';
  override readonly sqlState = '22015';
}

/** 22P05 untranslatable_character: `unsupported Unicode escape sequence`. */
export class UntranslatableCharacterError extends SqlDataError {
  readonly code = 'UNTRANSLATABLE_CHARACTER';
  override readonly sqlState = '22P05';
}

/** 22P03 invalid_binary_representation: a malformed binary-format parameter. */
export class InvalidBinaryRepresentationError extends SqlDataError {
  readonly code = 'INVALID_BINARY_REPRESENTATION';
  override readonly sqlState = '22P03';
}

/** 42704 undefined_object: `type "foo" does not exist`. */
export class UndefinedTypeError extends RangedbError {
  readonly code = 'UNDEFINED_TYPE';
  readonly errorClass = 'input';
  override readonly sqlState = '42704';
}

/** 42846 cannot_coerce: `cannot cast type boolean to date`. */
export class CannotCoerceError extends RangedbError {
  readonly code = 'CANNOT_COERCE';
  readonly errorClass = 'input';
  override readonly sqlState = '42846';
}

/** 54000 program_limit_exceeded: `number of array dimensions (7) exceeds the maximum allowed (6)`. */
export class ProgramLimitExceededError extends SqlDataError {
  readonly code = 'PROGRAM_LIMIT_EXCEEDED';
  override readonly sqlState = '54000';
}

/** 42883 undefined_function: `operator does not exist: text + integer`. */
export class UndefinedFunctionError extends RangedbError {
  readonly code = 'UNDEFINED_FUNCTION';
  readonly errorClass = 'input';
  override readonly sqlState = '42883';
}

/** 0A000 feature_not_supported. */
export class FeatureNotSupportedError extends RangedbError {
  readonly code = 'FEATURE_NOT_SUPPORTED';
  readonly errorClass = 'input';
  override readonly sqlState = '0A000';
}

/** The PostgreSQL wording of a text input failure: `invalid input syntax for type integer: "abc"`. */
export function invalidSyntax(typeName: string, text: string): InvalidTextRepresentationError {
  return new InvalidTextRepresentationError(`invalid input syntax for type ${typeName}: "${text}"`);
}

/** The error's DETAIL line, for errors that have one (PostgreSQL sends it as a separate field). */
export function withDetail<E extends Error>(error: E, detail: string): E & { readonly detail: string } {
  return Object.assign(error, { detail });
}
