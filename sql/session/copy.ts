/**
 * COPY's data formats, text and CSV, as PostgreSQL writes and reads them (`COPY … FROM STDIN`,
 * `COPY … TO STDOUT`): pure functions from a whole input to rows of fields (a field is its
 * text, or null for SQL NULL) and from fields to one output line. The session turns fields into
 * datums with the target columns' input functions.
 *
 * Text format: one row per line, fields separated by the delimiter (tab), `\N` for NULL,
 * backslash escapes (`\t`, `\n`, `\\`, octal `\123`, hex `\x41`), an optional `\.` end marker.
 * CSV: fields separated by the delimiter (comma), double-quoted when they hold the delimiter,
 * a quote or a line break (quotes doubled inside), an unquoted empty field is NULL, a quoted
 * empty field is the empty string; an optional header line.
 */
import { SessionError } from './errors.js';

export type CopyFormat = 'text' | 'csv';

export interface CopyOptions {
  readonly format: CopyFormat;
  readonly delimiter: string;
  readonly nullString: string;
  readonly header: boolean;
}

export function copyOptions(format: 'text' | 'csv' | 'binary', delimiter: string | null, nullString: string | null, header: boolean): CopyOptions {
  if (format === 'binary') throw new SessionError('0A000', 'unimplemented: COPY in binary format is not supported');
  const resolvedDelimiter = delimiter ?? (format === 'csv' ? ',' : '\t');
  if (resolvedDelimiter.length !== 1) throw new SessionError('22023', 'COPY delimiter must be a single one-byte character');
  return Object.freeze({ format, delimiter: resolvedDelimiter, nullString: nullString ?? (format === 'csv' ? '' : '\\N'), header });
}

function badCopy(message: string, line: number): SessionError {
  return new SessionError('22P04', message, 'input', `COPY line ${line}`);
}

/** Parses a whole COPY input into rows of fields. Throws 22P04 (bad_copy_file_format). */
export function parseCopyData(input: string, options: CopyOptions): (string | null)[][] {
  return options.format === 'csv' ? parseCsv(input, options) : parseText(input, options);
}

function parseText(input: string, options: CopyOptions): (string | null)[][] {
  const rows: (string | null)[][] = [];
  const lines = input.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = options.header ? 1 : 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '\\.') break;
    rows.push(line.split(options.delimiter).map((raw) => (raw === options.nullString ? null : unescapeText(raw, i + 1))));
  }
  return rows;
}

function unescapeText(raw: string, line: number): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    if (e === undefined) throw badCopy('end-of-copy marker corrupt', line);
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 1));
        if (hex === null) { out += 'x'; break; }
        out += String.fromCharCode(parseInt(hex[0], 16));
        i += hex[0].length;
        break;
      }
      default: {
        const octal = /^[0-7]{1,3}/.exec(raw.slice(i));
        if (octal !== null) {
          out += String.fromCharCode(parseInt(octal[0], 8) & 0xff);
          i += octal[0].length - 1;
        } else out += e;
      }
    }
  }
  return out;
}

function parseCsv(input: string, options: CopyOptions): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let fields: (string | null)[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let atLineStart = true;
  const endField = (): void => {
    fields.push(!quoted && field === options.nullString ? null : field);
    field = '';
    quoted = false;
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (input[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else field += c;
      continue;
    }
    if (atLineStart && input.startsWith('\\.', i) && /^\\\.\r?(\n|$)/.test(input.slice(i, i + 4))) break;
    atLineStart = false;
    if (c === '"') { inQuotes = true; quoted = true; }
    else if (c === options.delimiter) endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endField();
      rows.push(fields);
      fields = [];
      atLineStart = true;
    } else field += c;
  }
  if (inQuotes) throw badCopy('unterminated CSV quoted field', rows.length + 1);
  if (!atLineStart) { endField(); rows.push(fields); }
  return options.header ? rows.slice(1) : rows;
}

/** One output line (with its newline) for `fields`. */
export function formatCopyLine(fields: readonly (string | null)[], options: CopyOptions): string {
  const parts = fields.map((field) => {
    if (field === null) return options.nullString;
    return options.format === 'csv' ? quoteCsv(field, options) : escapeText(field, options.delimiter);
  });
  return `${parts.join(options.delimiter)}\n`;
}

function escapeText(field: string, delimiter: string): string {
  let out = '';
  for (const c of field) {
    switch (c) {
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      default: out += c === delimiter ? `\\${c}` : c;
    }
  }
  return out;
}

function quoteCsv(field: string, options: CopyOptions): string {
  const needsQuotes = field === '' || field === options.nullString || field.includes(options.delimiter) || /["\r\n]/.test(field) || field === '\\.';
  return needsQuotes ? `"${field.replace(/"/g, '""')}"` : field;
}
