/**
 * The failure codes the router and node drivers report, a subset of the failure catalogue
 * (lib/failures.ts, where each is explained). ooni style: a network failure in a measurement step
 * is a typed result carrying one of these, not an exception.
 */
import { SSH_FAILURES, type FailureCode } from '../../lib/failures';

export const DRIVER_FAILURES = [
  ...SSH_FAILURES,
  'config_invalid',
  'tunnel_failed',
  'capture_failed',
  'capture_fetch_failed',
  'traceroute_failed',
  'tool_missing',
] as const satisfies readonly FailureCode[];

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
