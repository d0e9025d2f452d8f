import { NON_RETRYABLE_FAILURES } from '../lib/failures';
import { STEP_NAMES, STEPS } from '../lib/measurement/steps';
import { MIN_TIMEOUT_SECONDS, stepOptions } from './activity-options';

describe('activity options from the step table', () => {
  it('send testbed steps to the testbed queue and the rest to matador-central, with the declared timeouts', () => {
    for (const name of STEP_NAMES) {
      const d: { queue: string; startToCloseSeconds: number; heartbeatSeconds?: number } = STEPS[name];
      const o = stepOptions(name, { testbed: 'tb7' });
      expect(o.taskQueue).toBe(d.queue === 'testbed' ? 'testbed-tb7' : 'matador-central');
      expect(o.startToCloseTimeout).toBe(`${d.startToCloseSeconds}s`);
      expect(o.heartbeatTimeout).toBe(d.heartbeatSeconds === undefined ? undefined : `${d.heartbeatSeconds}s`);
      expect(o.retry?.nonRetryableErrorTypes).toEqual(NON_RETRYABLE_FAILURES);
    }
  });

  it('scale timeouts, never below the floor', () => {
    expect(stepOptions('traceroutes', { testbed: 'tb1', timeoutScale: 0.1 })).toMatchObject({ startToCloseTimeout: '90s', heartbeatTimeout: '3s' });
    expect(stepOptions('loadCampaign', { timeoutScale: 0.001 }).startToCloseTimeout).toBe(`${MIN_TIMEOUT_SECONDS}s`);
  });

  it('take the declared retry policy', () => {
    expect(stepOptions('teardown', { testbed: 'tb1' }).retry).toMatchObject({ maximumAttempts: 5, maximumInterval: '30s' });
    expect(stepOptions('sendMessage', { testbed: 'tb1' }).retry).toMatchObject({ maximumAttempts: 3, maximumInterval: '10s' });
  });

  it('refuse a testbed step without a testbed', () => {
    expect(() => stepOptions('sendMessage', {})).toThrow('step sendMessage runs on a testbed\'s queue: stepOptions needs the testbed');
  });
});
