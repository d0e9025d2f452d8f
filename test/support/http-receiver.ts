/**
 * A local HTTP server that records every request (a webhook receiver for the drift tests):
 * `status(url)` decides each answer (e.g. 500 on the first try, then 200).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface Received {
  url: string;
  contentType: string | undefined;
  body: unknown;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  base: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(status: (url: string) => number): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const url = req.url ?? '';
      received.push({ url, contentType: req.headers['content-type'], body: JSON.parse(text || 'null') });
      res.statusCode = status(url);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Answers 500 under /down always and under /flaky the first time, else 200. */
export function downOrFlaky(): (url: string) => number {
  let flaky = 0;
  return (url) => (url.startsWith('/down') || (url.startsWith('/flaky') && flaky++ === 0) ? 500 : 200);
}
