/**
 * `castContext` against PostgreSQL 15's `pg_cast` catalog (testdata/pg15.json, `pgCast`): every
 * catalog cast among rangedb's types has PostgreSQL's context, and the I/O-conversion rules
 * cover the rest (to a string type: assignment; from one: explicit).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canCast, castContext, castContextCode, int4Type, numericType, textType, typeOfOid, unknownType, arrayType, int8Type, boolType, dateType } from '../../../sql/types/index.js';

const golden = JSON.parse(readFileSync(new URL('./testdata/pg15.json', import.meta.url), 'utf8')) as {
  pgCast: { source: number; target: number; context: 'i' | 'a' | 'e' }[];
};

describe('castContext matches pg_cast', () => {
  for (const row of golden.pgCast) {
    const source = typeOfOid(row.source)!;
    const target = typeOfOid(row.target)!;
    it(`${source.kind} → ${target.kind}: ${row.context}`, () => {
      expect(castContextCode(castContext(source, target)!)).toBe(row.context);
    });
  }

  it('applies PostgreSQL rules beyond the catalog', () => {
    expect(castContext(dateType, textType)).toBe('assignment');
    expect(castContext(textType, dateType)).toBe('explicit');
    expect(castContext(unknownType, dateType)).toBe('implicit');
    expect(castContext(boolType, dateType)).toBeUndefined();
    expect(castContext(arrayType(int4Type), arrayType(int8Type))).toBe('implicit');
    expect(canCast(numericType(), int4Type, 'implicit')).toBe(false);
    expect(canCast(numericType(), int4Type, 'assignment')).toBe(true);
  });
});
