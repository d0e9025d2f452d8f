/**
 * Closed list of failure strings of the phone driver (ooni style: a failing step is a typed
 * result carrying one of these plus a human detail, never an exception).
 */
export const PHONE_FAILURES = [
  'adb_unreachable', // adb server down, `adb connect` refused, device not listed / offline / gone
  'adb_timeout', // an adb call did not finish within its timeout
  'app_not_installed', // package missing (pm/dumpsys/am/monkey say so)
  'app_start_failed', // am start / monkey reported an error for an installed package
  'ui_element_not_found', // a tap target is not on the screen (uiautomator dump)
  'input_rejected', // the device refused typed text (e.g. `input text` cannot type it)
  'shell_error', // a device command exited non-zero or printed an error where no more specific failure applies
  'sync_error', // pull/push over the sync service failed
  'invalid_argument', // a value given to the driver is unusable (checked before any I/O)
] as const;

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
