import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureClusterTls, serverSans } from './tls';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-tls-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

test('makes a CA, a server certificate for the ip and a client certificate, keys 0600, both verify against the CA', async () => {
  const t = await ensureClusterTls(path.join(dir, 'tls'), '198.18.0.1');
  for (const key of [t.caKey, t.serverKey, t.clientKey]) expect(fs.statSync(key).mode & 0o777).toBe(0o600);
  expect(openssl('verify', '-CAfile', t.ca, t.serverCert, t.clientCert)).toContain(`${t.serverCert}: OK`);
  const sans = openssl('x509', '-in', t.serverCert, '-noout', '-ext', 'subjectAltName');
  expect(sans).toContain('IP Address:198.18.0.1');
  expect(sans).toContain('IP Address:127.0.0.1');
  expect(sans).toContain('DNS:localhost');
  expect(openssl('x509', '-in', t.clientCert, '-noout', '-ext', 'extendedKeyUsage')).toContain('TLS Web Client Authentication');
});

test('a second run keeps every file; another ip only renews the server certificate', async () => {
  const t = await ensureClusterTls(path.join(dir, 'tls'), '127.0.0.1');
  const read = (): Record<string, string> => Object.fromEntries(Object.entries(t).map(([k, f]) => [k, fs.readFileSync(f, 'utf8')]));
  const first = read();
  await ensureClusterTls(path.join(dir, 'tls'), '127.0.0.1');
  expect(read()).toEqual(first);
  await ensureClusterTls(path.join(dir, 'tls'), '198.18.0.9');
  const third = read();
  expect(third.serverCert).not.toBe(first.serverCert);
  expect({ ...third, serverCert: '' }).toEqual({ ...first, serverCert: '' });
  expect(openssl('x509', '-in', t.serverCert, '-noout', '-ext', 'subjectAltName')).toContain('IP Address:198.18.0.9');
});

test('the SANs name the ip once', () => {
  expect(serverSans('127.0.0.1')).toEqual(['IP:127.0.0.1', 'DNS:localhost']);
});
