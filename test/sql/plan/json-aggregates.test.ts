// jsonb_agg / jsonb_object_agg accumulators (sql/plan/expr/aggregates.ts) driven directly: the
// SQL-level behaviour is golden in test/logic/testdata/jsonb-functions.slt; here the edges that
// a property states best — any sequence of values aggregates to the array of their to_jsonb
// forms, in input order, NULLs included — and the key rules of jsonb_object_agg.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newAccumulator, type AggregateCall } from '../../../sql/plan/expr/aggregates.js';
import { constantExpr, type EvalContext } from '../../../sql/plan/expr/compiled.js';
import { SqlError } from '../../../sql/catalog/errors.js';
import { defaultTextContext } from '../../../sql/types/text-io.js';
import { arrayType, int4Type, jsonbType, textType, type SqlType } from '../../../sql/types/sql-type.js';

const ctx = { textContext: defaultTextContext } as EvalContext;

function call(name: string, types: readonly SqlType[]): AggregateCall {
  return { name, star: false, distinct: false, args: types.map((type) => constantExpr(type, null)), filter: null, type: jsonbType };
}

function errorOf(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SqlError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('jsonb_agg', () => {
  it('is the JSON array of its inputs in order, NULL as null; no input is SQL NULL', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -2147483648, max: 2147483647 }))), (values) => {
        const accumulator = newAccumulator(call('jsonb_agg', [int4Type]), ctx);
        for (const value of values) accumulator.add([value]);
        expect(accumulator.result()).toBe(values.length === 0 ? null : `[${values.map((value) => (value === null ? 'null' : String(value))).join(', ')}]`);
      }),
    );
  });

  it('writes text as JSON strings and arrays as nested arrays', () => {
    const text = newAccumulator(call('json_agg', [textType]), ctx);
    text.add(['a"b\n']);
    text.add([null]);
    expect(text.result()).toBe('["a\\"b\\n", null]');
    const arrays = newAccumulator(call('jsonb_agg', [arrayType(int4Type)]), ctx);
    arrays.add([[1, null]]);
    arrays.add([[]]);
    expect(arrays.result()).toBe('[[1, null], []]');
  });
});

describe('jsonb_object_agg', () => {
  it('keeps the last value of a repeated key and prints keys in jsonb order', () => {
    const accumulator = newAccumulator(call('jsonb_object_agg', [textType, int4Type]), ctx);
    for (const [key, value] of [['bb', 1], ['a', 2], ['bb', 3], ['c', null]] as const) accumulator.add([key, value]);
    expect(accumulator.result()).toBe('{"a": 2, "c": null, "bb": 3}');
  });

  it('is NULL over no rows', () => {
    expect(newAccumulator(call('jsonb_object_agg', [textType, int4Type]), ctx).result()).toBeNull();
  });

  it('refuses a NULL key and a non-scalar key with 22023, as PostgreSQL 15', () => {
    const nullKey = errorOf(() => newAccumulator(call('jsonb_object_agg', [textType, int4Type]), ctx).add([null, 1]));
    expect([nullKey.sqlState, nullKey.message]).toEqual(['22023', 'field name must not be null']);
    const jsonbKey = errorOf(() => newAccumulator(call('jsonb_object_agg', [jsonbType, int4Type]), ctx).add(['"k"', 1]));
    expect([jsonbKey.sqlState, jsonbKey.message]).toEqual(['22023', 'key value must be scalar, not array, composite, or json']);
    const arrayKey = errorOf(() => newAccumulator(call('jsonb_object_agg', [arrayType(int4Type), int4Type]), ctx).add([[1], 1]));
    expect(arrayKey.sqlState).toBe('22023');
  });
});
