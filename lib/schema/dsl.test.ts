import { array, integer, nullable, object, oneOf, string } from './dsl';

interface Sample {
  id: string;
  note?: string;
  count: number | null;
  [extra: string]: unknown;
}

describe('schema builder', () => {
  it('writes properties and required keys; objects stay open', () => {
    expect(object<Sample>()({ id: string(), note: string('why'), count: nullable(integer()) }, ['id', 'count'])).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, note: { type: 'string', description: 'why' }, count: { type: ['integer', 'null'] } },
      required: ['id', 'count'],
    });
  });

  it('nullable: a type list, an enum with null, or anyOf for a reference', () => {
    expect(nullable(oneOf(['a', 'b']))).toEqual({ enum: ['a', 'b', null] });
    expect(nullable({ $ref: '#/$defs/X', description: 'd' })).toEqual({ description: 'd', anyOf: [{ $ref: '#/$defs/X' }, { type: 'null' }] });
    expect(nullable(array(integer()))).toEqual({ type: ['array', 'null'], items: { type: 'integer' } });
  });

  it('a key the type requires may be left optional only when named lenient', () => {
    expect(object<Sample>()({ id: string(), note: string(), count: integer() }, ['id'], { lenient: ['count'] }).required).toEqual(['id']);
  });

  it('tsc refuses a schema that does not follow its type (these lines must stay errors)', () => {
    // @ts-expect-error a key of the type without a schema
    object<Sample>()({ id: string(), count: integer() }, ['id', 'count']);
    // @ts-expect-error a required key of the type not listed as required
    object<Sample>()({ id: string(), note: string(), count: integer() }, ['id']);
    // @ts-expect-error a schema for a key the type lacks
    object<Sample>()({ id: string(), note: string(), count: integer(), other: string() }, ['id', 'count']);
    expect(true).toBe(true);
  });
});
