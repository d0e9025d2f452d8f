/**
 * How a measurement step fails. ooni style: a network failure that leaves the measurement usable
 * (one traceroute, one undelivered message) is a typed result inside the record; a failure that
 * makes the step impossible (no world, tunnel cannot come up, tcpdump died) fails the activity
 * with an ApplicationFailure whose `type` is a code of the failure catalogue (lib/failures.ts),
 * which also says whether Temporal retries the activity. The workflow records the code, the step
 * and the detail as separate fields.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURES, type FailureCode } from '../../lib/failures';

export function stepFailure(code: FailureCode, detail: string): ApplicationFailure {
  return FAILURES[code].retryable ? ApplicationFailure.retryable(detail, code) : ApplicationFailure.nonRetryable(detail, code);
}

/** A driver result: its value, or the activity fails with the driver's failure code. */
export function must<T extends object>(
  r: ({ ok: true } & T) | { ok: false; failure: FailureCode; detail: string; operation?: string },
  what: string,
): { ok: true } & T {
  if (r.ok) return r;
  throw stepFailure(r.failure, `${what}${r.operation ? ` (${r.operation})` : ''}: ${r.detail}`);
}

/** One line for a failure a step tolerates or folds into another's detail: `<code>: [<op>: ]<detail>`. */
export function failureString(r: { failure: string; detail: string; operation?: string }): string {
  return `${r.failure}: ${r.operation ? `${r.operation}: ` : ''}${r.detail}`;
}
