/** Activity options per step: named timeouts and retry policies from temporal/, scaled. */
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { MIN_TIMEOUT_SECONDS, STEP_TIMEOUTS, type StepName } from '../temporal/conventions';

export function scaledSeconds(seconds: number, scale: number): number {
  return Math.max(MIN_TIMEOUT_SECONDS, Math.round(seconds * scale));
}

export function stepOptions(step: StepName, opts: { taskQueue: string; retry: RetryPolicy; timeoutScale?: number }): ActivityOptions {
  const scale = opts.timeoutScale ?? 1;
  const timeouts: { startToCloseSeconds: number; heartbeatSeconds?: number } = STEP_TIMEOUTS[step];
  return {
    taskQueue: opts.taskQueue,
    retry: opts.retry,
    startToCloseTimeout: `${scaledSeconds(timeouts.startToCloseSeconds, scale)}s`,
    ...(timeouts.heartbeatSeconds !== undefined ? { heartbeatTimeout: `${scaledSeconds(timeouts.heartbeatSeconds, scale)}s` } : {}),
  };
}
