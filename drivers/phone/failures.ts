/**
 * The failure codes the phone driver reports, a subset of the failure catalogue
 * (lib/failures.ts, where each is explained). ooni style: a failing step is a typed result
 * carrying one of these plus the operation and a human detail, never an exception.
 */
import { PHONE_FAILURES } from '../../lib/failures';

export { PHONE_FAILURES };
export type PhoneFailure = (typeof PHONE_FAILURES)[number];

/** Result of a phone driver step: value fields or a failure with the operation that failed. */
export type PhoneResult<T extends object = object> = ({ ok: true } & T) | PhoneFailed;
export interface PhoneFailed {
  ok: false;
  failure: PhoneFailure;
  operation: string;
  detail: string;
}

export function phoneFail(failure: PhoneFailure, operation: string, detail: string): PhoneFailed {
  return { ok: false, failure, operation, detail };
}

/** Map an adbkit / socket error to a failure string. */
export function classifyAdbError(err: unknown): PhoneFailure {
  const text = err instanceof Error ? `${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}` : String(err);
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return 'adb_timeout';
  if (/ECONNREFUSED|ECONNRESET|EPIPE|not found|offline|unable to connect|failed to connect|cannot connect|no devices|closed|unauthorized|Premature end/i.test(text)) return 'adb_unreachable';
  return 'shell_error';
}
