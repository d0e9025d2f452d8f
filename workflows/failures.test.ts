import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/common';
import { formatFailure } from '../lib/failures';
import { attemptBackoffSeconds } from './measurement';
import { classifyStepFailure, failureFields } from './failures';

function activityFailure(cause: Error): ActivityFailure {
  return new ActivityFailure('Activity task failed', 'provisionTunnels', '1', 'RETRY_STATE_NON_RETRYABLE_FAILURE' as never, 'worker', cause);
}

describe('step failures', () => {
  it('keeps a catalogue code, the step and the detail apart; the catalogue says whether it ends the measurement', () => {
    const f = classifyStepFailure('configurePhones', activityFailure(ApplicationFailure.nonRetryable('whatsapp is not installed on phone tb2-pa', 'app_not_installed')));
    expect(failureFields(f)).toEqual({ failure: 'app_not_installed', failedOperation: 'configurePhones', detail: 'whatsapp is not installed on phone tb2-pa' });
    expect(f.endsMeasurement).toBe(true);
    expect(formatFailure(f)).toBe('app_not_installed: configurePhones: whatsapp is not installed on phone tb2-pa');
  });

  it('a transport failure is worth another attempt', () => {
    const f = classifyStepFailure('sendMessage#2', activityFailure(ApplicationFailure.retryable('adb device offline', 'adb_unreachable')));
    expect(failureFields(f)).toEqual({ failure: 'adb_unreachable', failedOperation: 'sendMessage#2', detail: 'adb device offline' });
    expect(f.endsMeasurement).toBe(false);
  });

  it('timeouts, cancellations and errors outside the catalogue get codes of their own', () => {
    const t = classifyStepFailure('traceroutes', activityFailure(new TimeoutFailure('timed out', undefined, 'HEARTBEAT')));
    expect(failureFields(t)).toEqual({ failure: 'timeout', failedOperation: 'traceroutes', detail: 'HEARTBEAT timeout' });
    const c = classifyStepFailure('teardown', activityFailure(new CancelledFailure('cancelled by the user')));
    expect(c).toMatchObject({ failure: 'cancelled', endsMeasurement: true });
    const u = classifyStepFailure('classifyFlows', activityFailure(ApplicationFailure.retryable('boom', 'SomeLibraryError')));
    expect(failureFields(u)).toEqual({ failure: 'activity_error', failedOperation: 'classifyFlows', detail: 'SomeLibraryError: boom' });
    expect(u.endsMeasurement).toBe(false);
  });
});

describe('attemptBackoffSeconds', () => {
  const policy = { maxAttempts: 5, initialIntervalSeconds: 30, backoffCoefficient: 2, maxIntervalSeconds: 100 };
  it('grows from the initial interval and stops at the maximum', () => {
    expect([2, 3, 4, 5].map((n) => attemptBackoffSeconds(policy, n))).toEqual([30, 60, 100, 100]);
    expect(attemptBackoffSeconds(undefined, 2)).toBe(0);
  });
});
