/**
 * The failure catalogue: every failure code a measurement step, a driver or the measurement
 * workflow may report, declared once (ooni style: a closed list of failure strings). A code says
 * what failed; the failed operation (which step) and a human detail travel beside it, never
 * inside it. Pure data: drivers, activities, workflows, records and reports all read this table.
 *
 * - `retryable`: a retry of the same activity may help (Temporal's retry policy decides how often);
 *   otherwise the activity fails at once.
 * - `endsMeasurement`: a new whole attempt cannot help either (the operator must fix something,
 *   then `matador campaign rerun-failed`); otherwise the measurement's attempt is retried.
 */

export interface FailureInfo {
  meaning: string;
  retryable: boolean;
  endsMeasurement: boolean;
}

const transient = (meaning: string): FailureInfo => ({ meaning, retryable: true, endsMeasurement: false });
const attemptFails = (meaning: string): FailureInfo => ({ meaning, retryable: false, endsMeasurement: false });
const measurementEnds = (meaning: string): FailureInfo => ({ meaning, retryable: false, endsMeasurement: true });

export const FAILURES = {
  // ---- SSH to routers and vantage nodes (drivers/ssh) ----
  ssh_unreachable: transient('TCP connect refused, no route, or reset before the SSH handshake'),
  ssh_auth_failed: attemptFails('the SSH server refused our key'),
  ssh_host_key_mismatch: attemptFails('the host key is not pinned, or differs from the pinned key'),
  ssh_timeout: transient('SSH connect/handshake or a remote command exceeded its timeout'),
  ssh_connection_lost: transient('the SSH connection dropped after it was established'),
  ssh_command_failed: attemptFails('a remote command exited non-zero where no more specific failure applies'),
  privilege_denied: measurementEnds("a command that needs root could not get it: the login is not root and `sudo -n` refused (password required, not in sudoers, requiretty, no sudo) or the host's sudo mode is never: someone must fix the host's sudoers"),
  // ---- routers and nodes (drivers/router, drivers/node) ----
  tunnel_failed: attemptFails('a tunnel between router and node could not be set up, checked or removed'),
  capture_failed: attemptFails('tcpdump did not start, died mid-capture or did not stop cleanly'),
  capture_fetch_failed: attemptFails('a capture file could not be copied from the router'),
  capture_corrupt: attemptFails('a fetched capture differed in size or checksum from the file on the router, also when fetched again'),
  tool_missing: measurementEnds('a router or node lacks a tool the drivers need, or has a version that cannot do the job (the detail names the package to install)'),
  traceroute_failed: attemptFails('the traceroute tool failed or printed nothing readable'),
  // ---- phones (drivers/phone) ----
  adb_unreachable: transient('adb server down, `adb connect` refused, device not listed, offline or gone'),
  adb_timeout: transient('an adb call did not finish within its timeout'),
  adb_unauthorized: measurementEnds("the phone does not trust this controller's adb key (`adb devices`: unauthorized): someone must accept its USB debugging prompt"),
  app_not_installed: measurementEnds('the app package is missing on the phone'),
  app_version_mismatch: measurementEnds('the app on the phone is another version than the campaign pins'),
  screen_locked: measurementEnds('the phone screen is off or locked (keyguard with a PIN, pattern or password), so taps cannot reach the app'),
  location_provider_missing: measurementEnds('the mock-location provider app (Appium Settings, or the testbed\'s provider package) is missing on the phone'),
  app_start_failed: attemptFails('am start / monkey reported an error for an installed package'),
  ui_element_not_found: attemptFails('a tap target is not on the screen (uiautomator dump)'),
  input_rejected: attemptFails('the device refused typed text'),
  shell_error: attemptFails('a device command exited non-zero or printed an error where no more specific failure applies'),
  sync_error: attemptFails('pull/push over the adb sync service failed'),
  invalid_argument: attemptFails('a value given to the phone driver is unusable (checked before any I/O)'),
  clock_skew: measurementEnds("a phone's clock is further from the controller's than the bound (message times would not line up with the capture)"),
  // ---- configuration and lab ----
  config_invalid: measurementEnds('a config value (campaign, address, interface, port, path) does not load or validate'),
  plan_changed: measurementEnds('the campaign config changed between loading the plan and reading a page of it'),
  world_not_up: measurementEnds("an emulated testbed's world is not up"),
  testbed_unknown: measurementEnds('the testbeds config or the world does not know the testbed or node'),
  testbed_incomplete: measurementEnds('the testbed lacks something the step needs (an SSH endpoint, a phone)'),
  // ---- measurement steps ----
  message_not_received: attemptFails('the receiving phone never showed the message (recorded per message)'),
  capture_missing: attemptFails('no capture file where the earlier step put it'),
  // ---- artefact shipping (testbed data folder -> central artefact folder, workflows/artefacts.ts) ----
  artefact_missing: attemptFails("the record lists an artefact the testbed's data folder does not hold (or holds as something other than a file)"),
  artefact_transfer_failed: transient("an artefact's chunk could not be read on the testbed or written centrally, or the central copy differed in size or sha256 from the testbed's manifest"),
  // ---- chaos and the workflow's own ----
  injected_fault: transient('a fault injected on purpose (MATADOR_INJECT_FAULTS, chaos tests)'),
  timeout: transient('an activity exceeded its start-to-close or heartbeat timeout'),
  activity_error: transient('a step threw an error that is not in this catalogue (a bug: see the detail)'),
  undeclared_failure: attemptFails("a step reported a failure its declaration (lib/measurement/steps.ts) does not list"),
  cancelled: measurementEnds('the measurement was cancelled'),
  already_running: measurementEnds('another run of this measurement is in progress'),
  measurement_failed: measurementEnds('the measurement ended failed after all its attempts (the measurement workflow\'s failure type)'),
} as const satisfies Record<string, FailureInfo>;

export type FailureCode = keyof typeof FAILURES;

export const FAILURE_CODES = Object.keys(FAILURES) as FailureCode[];

/** What the SSH transport to routers and nodes reports (drivers/ssh). */
export const SSH_FAILURES = [
  'ssh_unreachable',
  'ssh_auth_failed',
  'ssh_host_key_mismatch',
  'ssh_timeout',
  'ssh_connection_lost',
  'ssh_command_failed',
  'privilege_denied',
] as const satisfies readonly FailureCode[];

/** What the phone driver reports (drivers/phone). */
export const PHONE_FAILURES = [
  'adb_unreachable',
  'adb_timeout',
  'adb_unauthorized',
  'app_not_installed',
  'app_version_mismatch',
  'screen_locked',
  'location_provider_missing',
  'app_start_failed',
  'ui_element_not_found',
  'input_rejected',
  'shell_error',
  'sync_error',
  'invalid_argument',
] as const satisfies readonly FailureCode[];

export function isFailureCode(value: unknown): value is FailureCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(FAILURES, value);
}

/** Codes whose activity fails at once (the retry policies' nonRetryableErrorTypes). */
export const NON_RETRYABLE_FAILURES: readonly FailureCode[] = FAILURE_CODES.filter((c) => !FAILURES[c].retryable);

/** A failure as records, attempts, steps and outcomes carry it: three fields, no parsing. */
export interface FailureFields {
  failure: FailureCode | null;
  /** The step (or workflow operation) that failed, e.g. `configurePhones`, `sendMessage#2`. */
  failedOperation: string | null;
  /** What happened, for people: the driver's words with the values involved. */
  detail: string | null;
}

export const NO_FAILURE: FailureFields = { failure: null, failedOperation: null, detail: null };

/** One line for people: `<code>: <operation>: <detail>` (what records carried before v1.1). */
export function formatFailure(f: Partial<FailureFields> & { failure: string | null }): string {
  if (!f.failure) return '';
  return [f.failure, f.failedOperation, f.detail].filter((p): p is string => typeof p === 'string' && p !== '').join(': ');
}

/** Codes older exports used for what the catalogue now calls otherwise. */
const LEGACY_CODES: Record<string, FailureCode> = { invalid_config: 'config_invalid' };

/**
 * Reads a failure as older `matador.measurement/v1` exports wrote it — one string
 * `<code>: <step>: <detail>` — into the three fields. A string that does not start with a known
 * code is kept whole as the detail of an `activity_error`.
 */
export function parseFailureString(text: string | null | undefined): FailureFields {
  if (text === null || text === undefined || text === '') return { ...NO_FAILURE };
  const [written, ...rest] = text.split(': ');
  const code = LEGACY_CODES[written] ?? written;
  if (!isFailureCode(code)) return { failure: 'activity_error', failedOperation: null, detail: text };
  if (rest.length === 0) return { failure: code, failedOperation: null, detail: null };
  if (rest.length === 1) return { failure: code, failedOperation: rest[0], detail: null };
  return { failure: code, failedOperation: rest[0], detail: rest.slice(1).join(': ') };
}
