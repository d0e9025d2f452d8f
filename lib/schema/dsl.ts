/**
 * A small typed builder for the JSON Schemas (draft 2020-12) that `matador dataset schema`
 * publishes. The TypeScript interfaces of lib/types.ts and lib/measurement/payloads.ts are the
 * declaration; `object<T>()` takes one schema per known key of T and the list of required keys,
 * and tsc refuses it when a key of T has no schema, a schema names a key T lacks, or a key T
 * requires is not listed as required (unless it is named in `lenient` with the reason old exports
 * lack it). So a field added to an interface cannot be forgotten in the published schema.
 *
 * Objects are open (`additionalProperties` left at its default, true): `matador.measurement/v1`
 * grows by optional fields (DESIGN 4.1 "more fields are welcome"), so a v1 file written by a
 * newer matador still validates against an older published schema; the known fields are typed.
 */

export type JsonSchema = { [key: string]: unknown };

/** The named keys of T, without an index signature (`[extra: string]: unknown`). */
export type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : symbol extends K ? never : K]: T[K] };

/** The named keys of T that are not optional. */
export type RequiredKeys<T> = { [K in KnownKeys<T>]-?: object extends Pick<T, K> ? never : K }[KnownKeys<T>];

export const string = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
/** A string that is not empty (ids and names the analysis keys on). */
export const nonEmpty = (description?: string): JsonSchema => ({ type: 'string', minLength: 1, ...(description ? { description } : {}) });
export const number = (description?: string): JsonSchema => ({ type: 'number', ...(description ? { description } : {}) });
export const integer = (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) });
export const boolean = (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const constant = (value: string, description?: string): JsonSchema => ({ const: value, ...(description ? { description } : {}) });
export const oneOf = (values: readonly (string | number | boolean | null)[], description?: string): JsonSchema => ({ enum: [...values], ...(description ? { description } : {}) });
export const array = (items: JsonSchema, description?: string): JsonSchema => ({ type: 'array', items, ...(description ? { description } : {}) });
/** ISO 8601 date-time as the records write it (`2015-10-01T12:00:00Z`, with or without fractions,
 *  Z or an offset). A pattern, not `format: date-time`: any validator checks it without a format
 *  plugin (ajv refuses an unknown format by default; others only annotate). */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
export const dateTime = (description?: string): JsonSchema => ({ type: 'string', pattern: DATE_TIME_PATTERN, description: description ?? 'ISO 8601 date-time (UTC Z or an offset)' });
/** An ISO 3166-1 alpha-2 code (or XK, which geolocation databases use for Kosovo). */
export const country = (description?: string): JsonSchema => ({ type: 'string', pattern: '^[A-Z]{2}$', ...(description ? { description } : {}) });
/** A map with string keys and values of one schema. */
export const record = (values: JsonSchema, description?: string): JsonSchema => ({ type: 'object', additionalProperties: values, ...(description ? { description } : {}) });
/** An object whose fields are not described further (kept open on purpose; say why). */
export const anyObject = (description: string): JsonSchema => ({ type: 'object', description });

/** The schema or null. */
export function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.enum)) return { ...schema, enum: [...(schema.enum as unknown[]), null] };
  const { description, ...rest } = schema;
  return { ...(description !== undefined ? { description } : {}), anyOf: [rest, { type: 'null' }] };
}

/** Any of the schemas (e.g. a side summary or the full side classification). */
export const anyOf = (schemas: JsonSchema[], description?: string): JsonSchema => ({ anyOf: schemas, ...(description ? { description } : {}) });

type MissingRequired<T, R, L> = Exclude<RequiredKeys<T>, R | L>;

/**
 * The schema of an object of type T: `properties` must name every known key of T, `required`
 * every key T requires except those in `lenient` (keys T requires that exports written before
 * them lack).
 */
export function object<T>() {
  return <R extends RequiredKeys<T>, L extends RequiredKeys<T> = never>(
    properties: { [K in KnownKeys<T>]-?: JsonSchema },
    required: readonly R[] & ([MissingRequired<T, R, L>] extends [never] ? unknown : { missingRequired: MissingRequired<T, R, L> }),
    options: { description?: string; lenient?: readonly L[] } = {},
  ): JsonSchema => ({
    type: 'object',
    ...(options.description ? { description: options.description } : {}),
    properties,
    ...(required.length > 0 ? { required: [...required] } : {}),
  });
}
