import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/common';
import { formatFailure } from '../lib/failures';
import { attemptBackoffSeconds } from './measurement';
import { classifyStepFailure, failureArtefacts, failureFields } from './failures';

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

  it('keeps the evidence a failed step names in its details (failure screenshot, UI dump)', () => {
    const shot = { kind: 'screenshot', path: 'artefacts/c/threema/a/b/attempt-1/screenshots/open-A-01-tap-failed.png' };
    const dump = { kind: 'ui-dump', path: 'artefacts/c/threema/a/b/attempt-1/screenshots/open-A-01-tap-failed.xml' };
    const f = classifyStepFailure('startCapture', activityFailure(ApplicationFailure.nonRetryable('side A: open chat', 'ui_element_not_found', { artefacts: [shot, dump] })));
    expect(f).toMatchObject({ failure: 'ui_element_not_found', failedOperation: 'startCapture', artefacts: [shot, dump] });
    expect(failureFields(f)).toEqual({ failure: 'ui_element_not_found', failedOperation: 'startCapture', detail: 'side A: open chat' });
    expect(classifyStepFailure('startCapture', activityFailure(ApplicationFailure.nonRetryable('x', 'shell_error')))).not.toHaveProperty('artefacts');
  });

  it('ignores details of another shape and keeps only kind and path', () => {
    expect(failureArtefacts(undefined)).toEqual([]);
    expect(failureArtefacts(['text'])).toEqual([]);
    expect(failureArtefacts([{ artefacts: 'x' }])).toEqual([]);
    expect(failureArtefacts([{ artefacts: [{ kind: 'screenshot', path: 'a.png', extra: 1 }, { kind: 3, path: 'b' }, null] }])).toEqual([{ kind: 'screenshot', path: 'a.png' }]);
    expect(failureArtefacts([{ artefacts: Array.from({ length: 100 }, (_, i) => ({ kind: 'screenshot', path: `${i}.png` })) }])).toHaveLength(32);
  });
});

describe('attemptBackoffSeconds', () => {
  const policy = { maxAttempts: 5, initialIntervalSeconds: 30, backoffCoefficient: 2, maxIntervalSeconds: 100 };
  it('grows from the initial interval and stops at the maximum', () => {
    expect([2, 3, 4, 5].map((n) => attemptBackoffSeconds(policy, n))).toEqual([30, 60, 100, 100]);
    expect(attemptBackoffSeconds(undefined, 2)).toBe(0);
  });
});
