import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ensureClusterTls } from '../ops/cluster/tls';
import { CliError } from './errors';
import { connectFailure, DEFAULT_ADDRESS, temporalTarget } from './temporal-client';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-target-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('address, namespace and TLS from flags, else TEMPORAL_* variables, else the dev server without TLS', async () => {
  expect(temporalTarget({}, {})).toEqual({ address: DEFAULT_ADDRESS, namespace: 'default', tls: undefined });
  const t = await ensureClusterTls(path.join(dir, 'tls'), '127.0.0.1');
  const env = { TEMPORAL_ADDRESS: '198.18.0.1:7233', TEMPORAL_TLS_CERT: t.clientCert, TEMPORAL_TLS_KEY: t.clientKey, TEMPORAL_TLS_CA: t.ca };
  const fromEnv = temporalTarget({}, env);
  expect(fromEnv.address).toBe('198.18.0.1:7233');
  expect(fromEnv.tls?.clientCertPair).toBeDefined();
  const fromFlags = temporalTarget({ address: '127.0.0.1:1', tlsServerName: 'localhost' }, env);
  expect(fromFlags).toMatchObject({ address: '127.0.0.1:1', tls: { serverNameOverride: 'localhost' } });
});

test('a wrong TLS file is a CliError naming it', () => {
  const missing = path.join(dir, 'nope.pem');
  expect(() => temporalTarget({ tlsCa: missing }, {})).toThrow(new CliError(`--tls-ca ${missing}: no such file`));
});

test('a refused connection is one line saying nothing answers there, not a TLS problem', async () => {
  const f = await connectFailure({ address: '127.0.0.1:1' }, new Error('tcp connect error: Connection refused (os error 111)'));
  expect(f).toEqual({ tls: false, line: 'cannot reach Temporal at 127.0.0.1:1 (connection refused); start it with "matador server" or "matador cluster up", or pass --address' });
});

test('a plain listener that drops the connection is not called a TLS problem, and is retried', async () => {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  try {
    const f = await connectFailure({ address }, new Error('Failed to call GetSystemInfo: transport error: connection closed before message completed'));
    expect(f).toEqual({ tls: false, line: `cannot reach Temporal at ${address} (the connection was closed: is a Temporal frontend listening there?); start it with "matador server" or "matador cluster up", or pass --address` });
  } finally {
    server.close();
  }
});
