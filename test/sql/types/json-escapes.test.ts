// json-escapes.ts: the checks PostgreSQL 15's json lexer makes while it de-escapes a string, with
// its SQLSTATEs and DETAIL lines (the logic file json-escapes.slt holds the codes and messages
// PostgreSQL gives; its runner does not compare DETAIL, so the DETAILs are checked here).
import { describe, expect, it } from 'vitest';
import { checkJsonStringEscapes } from '../../../sql/types/json-escapes.js';
import { parseJson } from '../../../sql/types/json-text.js';

function refusal(token: string): { sqlState: string; message: string; detail: string } | undefined {
  try {
    checkJsonStringEscapes(token);
    return undefined;
  } catch (error) {
    const { sqlState, message, detail } = error as { sqlState: string; message: string; detail: string };
    return { sqlState, message, detail };
  }
}

const lowExpected = { sqlState: '22P02', message: 'invalid input syntax for type json', detail: 'Unicode low surrogate must follow a high surrogate.' };

describe('checkJsonStringEscapes', () => {
  it('accepts strings whose escapes de-escape to text', () => {
    for (const token of ['""', '"abc"', '"\\n\\t\\"\\\\\\/"', '"\\u0041"', '"\\ud83d\\ude00"', '"\\\\u0000"', '"x\\uD83D\\uDE00y"']) expect(refusal(token), token).toBeUndefined();
  });

  it('refuses \\u0000 with 22P05 and its DETAIL', () => {
    expect(refusal('"a\\u0000"')).toEqual({ sqlState: '22P05', message: 'unsupported Unicode escape sequence', detail: '\\u0000 cannot be converted to text.' });
  });

  it('refuses lone surrogates with 22P02 and the DETAIL PostgreSQL gives', () => {
    expect(refusal('"\\ud83d"')).toEqual(lowExpected);
    expect(refusal('"\\ude00"')).toEqual(lowExpected);
    expect(refusal('"\\ud83dx"')).toEqual(lowExpected);
    expect(refusal('"\\ud83d\\n"')).toEqual(lowExpected);
    expect(refusal('"\\ud83d\\u0041"')).toEqual(lowExpected);
    expect(refusal('"\\ud83d\\ud83d"')).toEqual({ ...lowExpected, detail: 'Unicode high surrogate must not follow a high surrogate.' });
  });

  it('stops at the first bad escape of the document, in document order', () => {
    expect(() => parseJson('["\\ud83d", "\\u0000"]')).toThrow(expect.objectContaining({ sqlState: '22P02' }) as Error);
    expect(() => parseJson('["\\u0000", "\\ud83d"]')).toThrow(expect.objectContaining({ sqlState: '22P05' }) as Error);
    expect(() => parseJson('{"\\u0000": 1}')).toThrow(expect.objectContaining({ sqlState: '22P05' }) as Error);
  });

  it('is not applied where PostgreSQL does not de-escape (json input, json_typeof)', () => {
    expect(parseJson('["\\u0000", "\\ud83d"]', false).kind).toBe('array');
  });
});
