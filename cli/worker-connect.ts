/**
 * A worker's connection to the frontend. Workers are started before, after or while the server
 * restarts, so a frontend that does not answer is retried with capped backoff (1 s doubling to
 * 30 s), one line per retry, until it answers or Ctrl-C / SIGTERM ends the wait. A TLS refusal
 * (no or wrong client certificate, wrong CA, a server that wants TLS) does not heal by waiting:
 * it ends the worker with one line that says what is wrong.
 */
import { NativeConnection } from '@temporalio/worker';
import { CliError } from './errors';
import { connectFailure, type TemporalTarget } from './temporal-client';

export const BACKOFF = { firstMs: 1000, maxMs: 30_000 } as const;

/** The wait before retry number `attempt` (1-based). */
export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * NativeConnection.connect checks the server with one call, so a refused handshake shows here.
 * Returns null when a signal (or `abort`) stopped the wait.
 */
export async function connectWorker(
  target: TemporalTarget,
  log: (line: string) => void,
  o: { signals?: NodeJS.Signals[]; abort?: AbortSignal } = {},
): Promise<NativeConnection | null> {
  const signals = o.signals ?? ['SIGINT', 'SIGTERM'];
  let stopped = false;
  let wake: () => void = () => undefined;
  const onSignal = (): void => {
    stopped = true;
    wake();
  };
  for (const s of signals) process.once(s, onSignal);
  o.abort?.addEventListener('abort', onSignal);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const connection = await NativeConnection.connect({ address: target.address, tls: target.tls });
        if (!stopped) return connection;
        await connection.close();
        return null;
      } catch (err) {
        if (stopped) return null;
        const failure = await connectFailure(target, err);
        if (failure.tls) throw new CliError(failure.line);
        const wait = backoffMs(attempt);
        log(`${failure.line}; retry ${attempt} in ${wait / 1000} s`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (stopped) return null;
      }
    }
  } finally {
    for (const s of signals) process.removeListener(s, onSignal);
    o.abort?.removeEventListener('abort', onSignal);
  }
}
