import { CancelledFailure, Context } from '@temporalio/activity';

/**
 * Wraps a step so it heartbeats while it runs: a worker that dies mid-step is then noticed after
 * the step's heartbeat timeout instead of its (much longer) start-to-close timeout. Drivers may
 * heartbeat themselves with progress details as well; the SDK throttles the calls.
 *
 * Heartbeats are also how a cancellation reaches an activity: when the workflow cancels the step
 * (its campaign was cancelled or terminated), the wrapper rejects at once with the cancellation,
 * so the activity ends and the workflow's cleanup (abortCapture, teardown) runs without waiting
 * for the step's own work to finish. Long waits inside steps may also pass
 * `Context.current().cancellationSignal` (see `cancellableSleep`) so they stop as well.
 */
export function heartbeating<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const ctx = Context.current();
    const timeoutMs = ctx.info.heartbeatTimeoutMs;
    if (!timeoutMs) return fn(...args);
    const timer = setInterval(() => ctx.heartbeat(), Math.max(200, Math.min(5000, Math.floor(timeoutMs / 3))));
    try {
      const work = fn(...args);
      // The step's own promise keeps running (it cannot be stopped from here) but is no longer waited for.
      work.catch(() => undefined);
      return await Promise.race([work, ctx.cancelled]);
    } finally {
      clearInterval(timer);
    }
  };
}

/**
 * Waits `ms`, or rejects with the activity's cancellation when it is cancelled first. Outside an
 * activity (unit tests, the CLI) it is a plain timer.
 */
export function cancellableSleep(ms: number): Promise<void> {
  let signal: AbortSignal | undefined;
  try {
    signal = Context.current().cancellationSignal;
  } catch {
    signal = undefined;
  }
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new CancelledFailure('cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new CancelledFailure('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
