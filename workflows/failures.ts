/** Turns a failed step into the measurement's `failure` string: `<type>: <step>: <message>`
 *  with `type` from a closed list, or `not_implemented: <step>` for steps without a driver. */
import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';
import { ATTEMPT_FATAL_FAILURE_TYPES, FAILURE_TYPES } from '../temporal/conventions';

export interface StepFailure {
  step: string;
  type: string;
  message: string;
  /** A new attempt cannot help (the step has no driver, the config is bad). */
  fatal: boolean;
}

export function classifyStepFailure(step: string, err: unknown): StepFailure {
  let cause: unknown = err;
  if (err instanceof ActivityFailure && err.cause) cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? 'activity_error';
    return { step, type, message: cause.message, fatal: ATTEMPT_FATAL_FAILURE_TYPES.includes(type) };
  }
  if (cause instanceof TimeoutFailure) return { step, type: 'timeout', message: `${cause.timeoutType ?? 'unknown'} timeout`, fatal: false };
  if (cause instanceof CancelledFailure) return { step, type: 'cancelled', message: cause.message, fatal: true };
  const message = cause instanceof Error ? cause.message : String(cause);
  return { step, type: 'activity_error', message, fatal: false };
}

export function formatStepFailure(f: StepFailure): string {
  if (f.type === FAILURE_TYPES.notImplemented) return `${FAILURE_TYPES.notImplemented}: ${f.step}`;
  return `${f.type}: ${f.step}: ${f.message}`;
}
