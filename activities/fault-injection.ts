/**
 * Chaos testing (issue 5 part 7): make a share of measurement-step calls fail with a transient,
 * retryable failure BEFORE the real step runs, so retries, saga clean-up and whole-attempt
 * retries are exercised on every layer. Enabled in a worker with MATADOR_INJECT_FAULTS=<rate>
 * (0 < rate < 1); off by default. The draw is seeded so a failing chaos run can be repeated.
 *
 * Only the measurement steps are wrapped: the plan activities (a config error must stay a
 * config error) and persistRecord (the record of a finished measurement) are left alone.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { FailureCode } from '../lib/failures';
import { FAULTABLE_STEPS, type MatadorActivities } from '../lib/measurement/steps';
import { seededRandom } from '../lib/seeded-random';

/** ApplicationFailure.type of an injected fault (retryable: not in any non-retryable list). */
export const INJECTED_FAULT_TYPE = 'injected_fault' satisfies FailureCode;
export const INJECT_FAULTS_ENV = 'MATADOR_INJECT_FAULTS';
export const INJECT_FAULTS_SEED_ENV = 'MATADOR_INJECT_FAULTS_SEED';


export interface FaultInjectionOptions {
  /** Probability in [0, 1) that one call fails before the real step. */
  rate: number;
  /** Seed of the pseudo-random draw (same seed + same call order = same faults). */
  seed: number;
  /** Told about every injected fault (tests count them). */
  onFault?: (step: string) => void;
}


export function withInjectedFaults<T extends Partial<MatadorActivities>>(activities: T, o: FaultInjectionOptions): T {
  if (!Number.isFinite(o.rate) || o.rate < 0 || o.rate >= 1) {
    throw new Error(`fault injection: rate must be a number in [0, 1), got ${JSON.stringify(o.rate)}`);
  }
  if (o.rate === 0) return activities;
  const random = seededRandom(o.seed);
  const wrapped: Record<string, unknown> = { ...activities };
  for (const step of FAULTABLE_STEPS) {
    const fn = (activities as Record<string, unknown>)[step];
    if (typeof fn !== 'function') continue;
    wrapped[step] = async (...args: unknown[]): Promise<unknown> => {
      if (random() < o.rate) {
        o.onFault?.(step);
        throw ApplicationFailure.retryable(`${step}: injected transient fault (rate ${o.rate})`, INJECTED_FAULT_TYPE);
      }
      return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return wrapped as T;
}

/**
 * Reads MATADOR_INJECT_FAULTS (rate) and MATADOR_INJECT_FAULTS_SEED (default: the pid, so
 * restarted workers do not replay the same faults). Unset or empty = no injection.
 */
export function faultInjectionFromEnv(env: NodeJS.ProcessEnv = process.env): { rate: number; seed: number } | null {
  const raw = env[INJECT_FAULTS_ENV];
  if (raw === undefined || raw.trim() === '') return null;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate < 0 || rate >= 1) {
    throw new Error(`${INJECT_FAULTS_ENV}: expected a rate in [0, 1) such as 0.1, got ${JSON.stringify(raw)}`);
  }
  const seedRaw = env[INJECT_FAULTS_SEED_ENV];
  const seed = seedRaw === undefined || seedRaw.trim() === '' ? process.pid : Number(seedRaw);
  if (!Number.isInteger(seed)) throw new Error(`${INJECT_FAULTS_SEED_ENV}: expected an integer, got ${JSON.stringify(seedRaw)}`);
  return rate === 0 ? null : { rate, seed };
}

/** The one call a worker makes: wraps when MATADOR_INJECT_FAULTS is set, else returns as is. */
export function maybeInjectFaults<T extends Partial<MatadorActivities>>(activities: T, env: NodeJS.ProcessEnv = process.env): T {
  const cfg = faultInjectionFromEnv(env);
  return cfg ? withInjectedFaults(activities, cfg) : activities;
}
