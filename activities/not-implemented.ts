import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../temporal/conventions';

/** A step whose driver comes in a later issue: fail for good, naming the step. Never fake data. */
export function notImplemented(step: string): never {
  throw ApplicationFailure.nonRetryable(`${FAILURE_TYPES.notImplemented}: ${step} has no driver yet`, FAILURE_TYPES.notImplemented);
}
