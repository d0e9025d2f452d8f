/** Turns a failed step into the measurement's failure fields: a code from the catalogue
 *  (lib/failures.ts), the step that failed, and the detail. */
import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';
import { FAILURES, isFailureCode, type FailureFields } from '../lib/failures';

export interface StepFailure extends FailureFields {
  failure: NonNullable<FailureFields['failure']>;
  failedOperation: string;
  detail: string;
  /** A new attempt cannot help (the catalogue says the code ends the measurement). */
  endsMeasurement: boolean;
}

function of(step: string, failure: StepFailure['failure'], detail: string): StepFailure {
  return { failure, failedOperation: step, detail, endsMeasurement: FAILURES[failure].endsMeasurement };
}

export function classifyStepFailure(step: string, err: unknown): StepFailure {
  let cause: unknown = err;
  if (err instanceof ActivityFailure && err.cause) cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? '';
    // A type outside the catalogue (a bug, or a library's own error type) keeps its name in the detail.
    return isFailureCode(type) ? of(step, type, cause.message) : of(step, 'activity_error', `${type || cause.name}: ${cause.message}`);
  }
  if (cause instanceof TimeoutFailure) return of(step, 'timeout', `${cause.timeoutType ?? 'unknown'} timeout`);
  if (cause instanceof CancelledFailure) return of(step, 'cancelled', cause.message);
  return of(step, 'activity_error', cause instanceof Error ? cause.message : String(cause));
}

/** The failure fields alone (what attempts, steps, records and outcomes carry). */
export function failureFields(f: StepFailure): FailureFields {
  return { failure: f.failure, failedOperation: f.failedOperation, detail: f.detail };
}
