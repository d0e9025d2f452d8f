import { CancelledFailure, Context } from '@temporalio/activity';

/** How long a cancelled step's work may take to notice and end before the step ends anyway. */
const CANCEL_GRACE_MS = 10_000;

const noop = (): void => undefined;

/**
 * Wraps a step so it heartbeats while it runs: a worker that dies mid-step is then noticed after
 * the step's heartbeat timeout instead of its (much longer) start-to-close timeout. Drivers may
 * heartbeat themselves with progress details as well; the SDK throttles the calls.
 *
 * Heartbeats are also how a cancellation reaches an activity: when the workflow cancels the step
 * (its campaign was cancelled or terminated), the wrapper ends the activity with the cancellation
 * once the step's work has stopped (its waits use `cancellableSleep`/`throwIfCancelled`) or after
 * a short grace, and the workflow's cleanup (abortCapture, teardown) runs.
 */
export function heartbeating<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const ctx = Context.current();
    const timeoutMs = ctx.info.heartbeatTimeoutMs;
    if (!timeoutMs) return fn(...args);
    const timer = setInterval(() => ctx.heartbeat(), Math.max(200, Math.min(1000, Math.floor(timeoutMs / 3))));
    const work = fn(...args);
    work.catch(() => undefined);
    try {
      return await Promise.race([work, ctx.cancelled]);
    } catch (err) {
      if (!ctx.cancellationSignal.aborted) throw err;
      // Cancelled: the step's own waits (cancellableSleep, throwIfCancelled) end it soon; a driver
      // call under way is given a short grace to finish, so the cleanup that follows (the
      // workflow waits for this activity to end) does not race it. Then the cancellation stands.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([work.then(noop, noop), new Promise<void>((res) => (grace = setTimeout(res, Math.min(CANCEL_GRACE_MS, timeoutMs / 2))))]);
      clearTimeout(grace);
      throw err;
    } finally {
      clearInterval(timer);
    }
  };
}

/** The activity's cancellation signal (none outside an activity: unit tests, the CLI). */
function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

function cancellationReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledFailure('cancelled');
}

/** Throws the activity's cancellation if it has been cancelled: for loops between their rounds. */
export function throwIfCancelled(): void {
  const signal = cancellationSignal();
  if (signal?.aborted) throw cancellationReason(signal);
}

/**
 * Waits `ms`, or rejects with the activity's cancellation when it is cancelled first. Outside an
 * activity (unit tests, the CLI) it is a plain timer.
 */
export function cancellableSleep(ms: number): Promise<void> {
  const signal = cancellationSignal();
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(cancellationReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancellationReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
