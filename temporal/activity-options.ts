/**
 * Activity options and proxies derived from the step table (lib/measurement/steps.ts): task
 * queue, retry policy and timeouts (scaled by the campaign's timeoutScale). Workflow code.
 */
import { ActivityCancellationType, proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURES } from '../lib/failures';
import { RETRY_POLICIES, STEP_NAMES, STEPS, type MatadorActivities, type RetryPolicyName, type StepName } from '../lib/measurement/steps';
import { CENTRAL_TASK_QUEUE, testbedTaskQueue } from './conventions';

/** No activity timeout is scaled below this (seconds). */
export const MIN_TIMEOUT_SECONDS = 2;

export function scaledSeconds(seconds: number, scale: number): number {
  return Math.max(MIN_TIMEOUT_SECONDS, Math.round(seconds * scale));
}

/** A declared retry policy as Temporal takes it; failures the catalogue marks non-retryable end
 *  the activity at once. */
export function retryPolicy(name: RetryPolicyName): RetryPolicy {
  const r = RETRY_POLICIES[name];
  return {
    initialInterval: `${r.initialIntervalSeconds}s`,
    backoffCoefficient: r.backoffCoefficient,
    maximumInterval: `${r.maximumIntervalSeconds}s`,
    maximumAttempts: r.maximumAttempts,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
  };
}

/** Options of one step: the testbed's own queue for testbed steps, else matador-central. */
export function stepOptions(step: StepName, o: StepProxyOptions): ActivityOptions {
  const d: { queue: string; retry: RetryPolicyName; startToCloseSeconds: number; heartbeatSeconds?: number } = STEPS[step];
  const scale = o.timeoutScale ?? 1;
  if (d.queue === 'testbed' && o.testbed === undefined) throw new Error(`step ${step} runs on a testbed's queue: stepOptions needs the testbed`);
  return {
    taskQueue: d.queue === 'testbed' ? testbedTaskQueue(o.testbed as string) : CENTRAL_TASK_QUEUE,
    retry: retryPolicy(d.retry),
    startToCloseTimeout: `${scaledSeconds(d.startToCloseSeconds, scale)}s`,
    ...(d.heartbeatSeconds !== undefined
      ? {
          heartbeatTimeout: `${scaledSeconds(d.heartbeatSeconds, scale)}s`,
          // A heartbeating step learns of a cancellation and stops (activities/heartbeat.ts): the
          // workflow waits for that before its cleanup, so teardown never races the step's work.
          cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        }
      : {}),
  };
}

export interface StepProxyOptions {
  /** The testbed whose queue testbed steps go to (central steps need none). */
  testbed?: string;
  /** Multiplies every timeout (tests shrink them). */
  timeoutScale?: number;
}

/** The proxy of one step, with its declared options. */
export function stepProxy<K extends StepName>(step: K, o: StepProxyOptions): MatadorActivities[K] {
  return proxyActivities<MatadorActivities>(stepOptions(step, o))[step];
}

/** One proxy per step, each with its own declared options. */
export function stepProxies(o: StepProxyOptions & { testbed: string }): MatadorActivities {
  return Object.fromEntries(STEP_NAMES.map((name) => [name, stepProxy(name, o)])) as MatadorActivities;
}
