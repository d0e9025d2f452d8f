/**
 * How a measurement step fails. ooni style: a network failure that leaves the measurement usable
 * (one traceroute, one undelivered message) is a typed result inside the record; a failure that
 * makes the step impossible (no world, tunnel cannot come up, tcpdump died) fails the activity
 * with an ApplicationFailure whose `type` is a failure string from the closed lists of the
 * drivers (drivers/ssh/failures.ts, drivers/phone/failures.ts) or STEP_FAILURES below. The
 * workflow turns it into `<type>: <step>: <detail>` in the attempt record.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { DriverFailure } from '../../drivers/ssh/failures';
import type { PhoneFailure } from '../../drivers/phone/failures';

export const STEP_FAILURES = [
  'world_not_up', // an emulated testbed's world is not up (no state.json, or status != up)
  'testbed_unknown', // the campaign's testbeds config or the world does not know the testbed / node
  'testbed_incomplete', // the world or config lacks something the step needs (no ssh endpoint, no phone)
  'message_not_received', // the receiving phone never showed the message (recorded per message)
  'capture_missing', // fetch/classify found no capture file where the earlier step put it
] as const;
export type StepFailureType = (typeof STEP_FAILURES)[number];

export type FailureType = StepFailureType | DriverFailure | PhoneFailure;

/** Transport problems a retry of the same activity may fix (the retry policy decides how often). */
const TRANSIENT: ReadonlySet<string> = new Set(['ssh_unreachable', 'ssh_timeout', 'ssh_connection_lost', 'adb_unreachable', 'adb_timeout']);

export function stepFailure(type: FailureType, detail: string): ApplicationFailure {
  return TRANSIENT.has(type) ? ApplicationFailure.retryable(detail, type) : ApplicationFailure.nonRetryable(detail, type);
}

/** A driver result: its value, or the activity fails with the driver's failure string. */
export function must<T extends object>(
  r: ({ ok: true } & T) | { ok: false; failure: FailureType; detail: string; operation?: string },
  what: string,
): { ok: true } & T {
  if (r.ok) return r;
  throw stepFailure(r.failure, `${what}${r.operation ? ` (${r.operation})` : ''}: ${r.detail}`);
}

/** The failure string a step keeps in the record for a failure it tolerates. */
export function failureString(r: { failure: string; detail: string; operation?: string }): string {
  return `${r.failure}: ${r.operation ? `${r.operation}: ` : ''}${r.detail}`;
}
