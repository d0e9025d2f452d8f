import { backoffMs, BACKOFF, connectWorker } from './worker-connect';
import { freePort } from '../ops/dev-server';

test('the backoff doubles from 1 s and stays at 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  expect(BACKOFF.maxMs).toBe(30_000);
});

test('an unreachable frontend: one line per retry, and stopping ends the wait without a connection', async () => {
  const port = await freePort(); // nothing listens there
  const lines: string[] = [];
  const stop = new AbortController(); // stands in for Ctrl-C / SIGTERM (jest's sandboxed process gets no signals)
  const result = connectWorker({ address: `127.0.0.1:${port}`, namespace: 'default' }, (line) => {
    lines.push(line);
    if (lines.length === 2) stop.abort();
  }, { signals: [], abort: stop.signal });
  await expect(result).resolves.toBeNull();
  expect(lines).toEqual([
    `cannot reach Temporal at 127.0.0.1:${port} (connection refused); start it with "matador server" or "matador cluster up", or pass --address; retry 1 in 1 s`,
    `cannot reach Temporal at 127.0.0.1:${port} (connection refused); start it with "matador server" or "matador cluster up", or pass --address; retry 2 in 2 s`,
  ]);
});
