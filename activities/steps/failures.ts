/**
 * How a measurement step fails. ooni style: a network failure that leaves the measurement usable
 * (one traceroute, one undelivered message) is a typed result inside the record; a failure that
 * makes the step impossible (no world, tunnel cannot come up, tcpdump died) fails the activity
 * with an ApplicationFailure whose `type` is a code of the failure catalogue (lib/failures.ts),
 * which also says whether Temporal retries the activity. The workflow records the code, the step
 * and the detail as separate fields. What a failed step leaves as evidence (the screenshot and
 * UI dump of a failed UI step) travels as the failure's details `[{ artefacts }]`, which the
 * workflow keeps in the failed attempt's record (workflows/failures.ts failureArtefacts).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURES, type FailureCode } from '../../lib/failures';
import type { ArtefactRef } from '../../lib/types';

export function stepFailure(code: FailureCode, detail: string, artefacts: readonly ArtefactRef[] = []): ApplicationFailure {
  const details = artefacts.length > 0 ? [{ artefacts: [...artefacts] }] : [];
  return FAILURES[code].retryable ? ApplicationFailure.retryable(detail, code, ...details) : ApplicationFailure.nonRetryable(detail, code, ...details);
}

/** A driver result: its value, or the activity fails with the driver's failure code (and the evidence it left). */
export function must<T extends object>(
  r: ({ ok: true } & T) | { ok: false; failure: FailureCode; detail: string; operation?: string },
  what: string,
  artefacts: readonly ArtefactRef[] = [],
): { ok: true } & T {
  if (r.ok) return r;
  throw stepFailure(r.failure, `${what}${r.operation ? ` (${r.operation})` : ''}: ${r.detail}`, artefacts);
}

/** One line for a failure a step tolerates or folds into another's detail: `<code>: [<op>: ]<detail>`. */
export function failureString(r: { failure: string; detail: string; operation?: string }): string {
  return `${r.failure}: ${r.operation ? `${r.operation}: ` : ''}${r.detail}`;
}
