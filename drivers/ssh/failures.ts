/**
 * Closed list of failure strings of the router and node drivers (ooni style: a network failure in
 * a measurement step is a typed result carrying one of these, not an exception).
 */
export const DRIVER_FAILURES = [
  'ssh_unreachable', // TCP connect refused / no route / reset before the SSH handshake
  'ssh_auth_failed', // server refused our key
  'ssh_host_key_mismatch', // host key unknown (not pinned) or different from the pinned key
  'ssh_timeout', // connect/handshake or a remote command exceeded its timeout
  'ssh_connection_lost', // connection dropped after it was established
  'ssh_command_failed', // a remote command exited non-zero where no more specific failure applies
  'config_invalid', // a config value (address, interface, port, path) failed validation
  'tunnel_failed',
  'capture_failed',
  'capture_fetch_failed',
  'traceroute_failed',
] as const;

export type DriverFailure = (typeof DRIVER_FAILURES)[number];

/** Result of a driver step: value or a failure from the closed list with a human detail. */
export type DriverResult<T> = ({ ok: true } & T) | { ok: false; failure: DriverFailure; detail: string };

export function fail<F extends DriverFailure>(failure: F, detail: string): { ok: false; failure: F; detail: string } {
  return { ok: false, failure, detail };
}

/** Thrown only for programming/config errors caught before any I/O; converted by callers. */
export class DriverConfigError extends Error {
  readonly failure = 'config_invalid' as const;
}
