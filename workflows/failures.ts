/** Turns a failed step into the measurement's failure fields: a code from the catalogue
 *  (lib/failures.ts), the step that failed, and the detail. */
import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';
import { FAILURES, isFailureCode, type FailureFields } from '../lib/failures';
import type { ArtefactRef } from '../lib/types';

export interface StepFailure extends FailureFields {
  failure: NonNullable<FailureFields['failure']>;
  failedOperation: string;
  detail: string;
  /** A new attempt cannot help (the catalogue says the code ends the measurement). */
  endsMeasurement: boolean;
  /** What the failed step left as evidence (failure screenshot, UI dump), for the attempt's record. */
  artefacts?: ArtefactRef[];
}

function of(step: string, failure: StepFailure['failure'], detail: string): StepFailure {
  return { failure, failedOperation: step, detail, endsMeasurement: FAILURES[failure].endsMeasurement };
}

/** At most this many artefacts per failure are kept (a step leaves a few, never more). */
const MAX_FAILURE_ARTEFACTS = 32;

/**
 * The artefacts a failed step names in its failure's details (activities/steps/failures.ts puts
 * `[{ artefacts: [{ kind, path }] }]` there). Anything of another shape is ignored: details come
 * from outside the workflow and must not break the record.
 */
export function failureArtefacts(details: readonly unknown[] | undefined | null): ArtefactRef[] {
  const first = details?.[0];
  if (typeof first !== 'object' || first === null || !Array.isArray((first as { artefacts?: unknown }).artefacts)) return [];
  const list = (first as { artefacts: unknown[] }).artefacts;
  return list
    .filter((a): a is ArtefactRef => typeof a === 'object' && a !== null && typeof (a as ArtefactRef).kind === 'string' && typeof (a as ArtefactRef).path === 'string')
    .slice(0, MAX_FAILURE_ARTEFACTS)
    .map((a) => ({ kind: a.kind, path: a.path }));
}

export function classifyStepFailure(step: string, err: unknown): StepFailure {
  let cause: unknown = err;
  if (err instanceof ActivityFailure && err.cause) cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? '';
    // A type outside the catalogue (a bug, or a library's own error type) keeps its name in the detail.
    const failure = isFailureCode(type) ? of(step, type, cause.message) : of(step, 'activity_error', `${type || cause.name}: ${cause.message}`);
    const artefacts = failureArtefacts(cause.details);
    return artefacts.length > 0 ? { ...failure, artefacts } : failure;
  }
  if (cause instanceof TimeoutFailure) return of(step, 'timeout', `${cause.timeoutType ?? 'unknown'} timeout`);
  if (cause instanceof CancelledFailure) return of(step, 'cancelled', cause.message);
  return of(step, 'activity_error', cause instanceof Error ? cause.message : String(cause));
}

/** The failure fields alone (what attempts, steps, records and outcomes carry). */
export function failureFields(f: StepFailure): FailureFields {
  return { failure: f.failure, failedOperation: f.failedOperation, detail: f.detail };
}
