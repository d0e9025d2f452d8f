/** The webhook POST against a real local HTTP server (node http). */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { startReceiver, type Receiver } from '../../test/support/http-receiver';
import { postJson, redactUrl, webhookUrlProblem } from './webhook';

let receiver: Receiver;
let base = '';

beforeAll(async () => {
  receiver = await startReceiver((url) => (url.startsWith('/fail') ? 503 : 204));
  base = receiver.base;
});
afterAll(() => receiver.close());

it('accepts http and https URLs only, without quoting the URL', () => {
  expect(webhookUrlProblem('https://hooks.example.org/x?token=s3cret')).toBeNull();
  expect(webhookUrlProblem('http://127.0.0.1:8080/')).toBeNull();
  const ftp = webhookUrlProblem('ftp://user:s3cret@example.org/');
  expect(ftp).toContain('expected an http:// or https:// URL, not "ftp:"');
  expect(ftp).not.toContain('s3cret');
  expect(webhookUrlProblem('not a url s3cret')).not.toContain('s3cret');
});

it('redacts everything after the host', () => {
  expect(redactUrl('https://user:pw@hooks.example.org/services/T0/B0/XyZ?token=s3cret#x')).toBe('https://hooks.example.org/...');
  expect(redactUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
  expect(redactUrl('::')).toBe('(an invalid URL)');
});

it('POSTs JSON, and rejects a non-2xx answer or a refused connection with the URL redacted', async () => {
  await expect(postJson(`${base}/ok?token=s3cret`, { alerts: [1] })).resolves.toBe(204);
  expect(receiver.received[0]).toEqual({ url: '/ok?token=s3cret', contentType: 'application/json', body: { alerts: [1] } });
  const failed = await postJson(`${base}/fail?token=s3cret`, {}).catch((e: Error) => e.message);
  expect(failed).toBe(`webhook ${base}/...: POST answered HTTP 503`);
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = await postJson(`http://127.0.0.1:${port}/x?token=s3cret`, {}).catch((e: Error) => e.message);
  expect(refused).toBe(`webhook http://127.0.0.1:${port}/...: POST failed: ECONNREFUSED`);
});
