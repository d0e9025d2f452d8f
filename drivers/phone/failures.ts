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

/** A failure from an adbkit / socket error on this phone; an unauthorised phone's detail says what to do. */
export function adbErrorFail(err: unknown, operation: string, serial: string, map: (f: PhoneFailure) => PhoneFailure = (f) => f): PhoneFailed {
  const failure = classifyAdbError(err);
  const message = err instanceof Error ? err.message : String(err);
  if (failure === 'adb_unauthorized') return phoneFail(failure, operation, `${unauthorizedDetail(serial)} (adb: ${message.split('\n')[0]})`);
  return phoneFail(map(failure), operation, `${serial}: ${message}`);
}

/**
 * What to do about an unauthorised phone: accept its prompt, or install this controller's key.
 * The adb server's error ("device unauthorized. This adb server's $ADB_VENDOR_KEYS is not
 * set...") does not say which phone or which file.
 */
export function unauthorizedDetail(serial: string): string {
  return `${serial} is unauthorized: accept the USB debugging prompt on ${serial} (or add this controller's ~/.android/adbkey.pub to /data/misc/adb/adb_keys on the phone)`;
}

/** Map an adbkit / socket error to a failure string. */
export function classifyAdbError(err: unknown): PhoneFailure {
  const text = err instanceof Error ? `${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}` : String(err);
  // Before the timeout test: `adb connect` says "failed to authenticate to <serial>".
  if (/unauthorized|failed to authenticate/i.test(text)) return 'adb_unauthorized';
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return 'adb_timeout';
  if (/ECONNREFUSED|ECONNRESET|EPIPE|not found|offline|unable to connect|failed to connect|cannot connect|no devices|closed|Premature end/i.test(text)) return 'adb_unreachable';
  return 'shell_error';
}
