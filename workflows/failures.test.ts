import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { attemptBackoffSeconds } from './measurement';
import { classifyStepFailure, formatStepFailure } from './failures';

function activityFailure(cause: Error): ActivityFailure {
  return new ActivityFailure('Activity task failed', 'provisionTunnels', '1', 'RETRY_STATE_NON_RETRYABLE_FAILURE' as never, 'worker', cause);
}

describe('step failures', () => {
  it('names not_implemented steps as not_implemented: <step>, fatal for the measurement', () => {
    const f = classifyStepFailure('provisionTunnels', activityFailure(ApplicationFailure.nonRetryable('not_implemented: provisionTunnels has no driver yet', 'not_implemented')));
    expect(f).toEqual({ step: 'provisionTunnels', type: 'not_implemented', message: 'not_implemented: provisionTunnels has no driver yet', fatal: true });
    expect(formatStepFailure(f)).toBe('not_implemented: provisionTunnels');
  });

  it('formats other failures as <type>: <step>: <message>, worth another attempt', () => {
    const f = classifyStepFailure('sendMessage#2', activityFailure(ApplicationFailure.nonRetryable('adb device offline', 'phone_unreachable')));
    expect(formatStepFailure(f)).toBe('phone_unreachable: sendMessage#2: adb device offline');
    expect(f.fatal).toBe(false);
    const t = classifyStepFailure('traceroutes', activityFailure(new TimeoutFailure('timed out', undefined, 'HEARTBEAT')));
    expect(formatStepFailure(t)).toBe('timeout: traceroutes: HEARTBEAT timeout');
  });
});

describe('attemptBackoffSeconds', () => {
  const policy = { maxAttempts: 5, initialIntervalSeconds: 30, backoffCoefficient: 2, maxIntervalSeconds: 100 };
  it('grows from the initial interval and stops at the maximum', () => {
    expect([2, 3, 4, 5].map((n) => attemptBackoffSeconds(policy, n))).toEqual([30, 60, 100, 100]);
    expect(attemptBackoffSeconds(undefined, 2)).toBe(0);
  });
});
