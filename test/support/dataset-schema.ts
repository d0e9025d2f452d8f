/**
 * Validators of the published dataset schemas (`matador dataset schema`), with ajv's draft
 * 2020-12 build in strict mode (no plugin: what a user gets from `npm install ajv`), for the
 * tests that check exports against them.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { measurementRecordSchema, MEASUREMENT_SCHEMA_ID } from '../../lib/record/schema';
import { reportSchema } from '../../lib/report/schema';

export interface SchemaValidators {
  record: ValidateFunction;
  report: ValidateFunction;
  /** A definition of the record schema, e.g. 'Trace' or 'Hop' (for partial fixtures). */
  recordDef(name: string): ValidateFunction;
}

export function schemaValidators(): SchemaValidators {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const record = ajv.compile(measurementRecordSchema());
  const report = ajv.compile(reportSchema());
  return {
    record,
    report,
    recordDef: (name) => {
      const fn = ajv.getSchema(`${MEASUREMENT_SCHEMA_ID}#/$defs/${name}`);
      if (!fn) throw new Error(`no $defs/${name} in the record schema`);
      return fn;
    },
  };
}

/** One line per error, `<instancePath> <message>` (what a failing expect shows). */
export function errorLines(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Validates each value; returns the failures as `<label>: <errors>` (empty when all pass). */
export function invalidOf(validate: ValidateFunction, items: Array<{ label: string; value: unknown }>): string[] {
  return items.flatMap(({ label, value }) => (validate(value) ? [] : [`${label}: ${errorLines(validate.errors).join('; ')}`]));
}
