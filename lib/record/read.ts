/**
 * Records as older `matador.measurement/v1` exports and result stores hold them. Before the
 * failure catalogue, a failure was one string `<code>: <step>: <detail>` in `failure` (of the
 * record, its attempts and their steps); since, `failure` is the code alone with
 * `failedOperation` and `detail` beside it. `readableRecord` gives an old record the new fields
 * (a new record is returned as it is), so reports and comparisons read both.
 */
import { parseFailureString } from '../failures';
import type { MeasurementRecord } from '../types';

type WithFailure = { failure?: unknown; failedOperation?: unknown; detail?: unknown };

/** A failure written as one string, and not yet split: split it in place of a copy. */
function split<T extends WithFailure>(v: T): T {
  if (typeof v.failure !== 'string' || v.failedOperation !== undefined) return v;
  return { ...v, ...parseFailureString(v.failure) };
}

export function isLegacyRecord(record: MeasurementRecord): boolean {
  return typeof record.failure === 'string' && record.failedOperation === undefined;
}

export function readableRecord(record: MeasurementRecord): MeasurementRecord {
  if (!Array.isArray(record.attempts) && !isLegacyRecord(record)) return record;
  const attempts = Array.isArray(record.attempts)
    ? (record.attempts as Array<WithFailure & { steps?: unknown }>).map((a) => {
        const steps = Array.isArray(a.steps) ? (a.steps as WithFailure[]).map(split) : a.steps;
        return { ...split(a), ...(steps !== undefined ? { steps } : {}) };
      })
    : record.attempts;
  return { ...split(record), ...(attempts !== undefined ? { attempts } : {}) };
}
