import { Context } from '@temporalio/activity';

/**
 * Wraps a step so it heartbeats while it runs: a worker that dies mid-step is then noticed after
 * the step's heartbeat timeout instead of its (much longer) start-to-close timeout. Drivers may
 * heartbeat themselves with progress details as well; the SDK throttles the calls.
 */
export function heartbeating<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const ctx = Context.current();
    const timeoutMs = ctx.info.heartbeatTimeoutMs;
    if (!timeoutMs) return fn(...args);
    const timer = setInterval(() => ctx.heartbeat(), Math.max(200, Math.min(5000, Math.floor(timeoutMs / 3))));
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
