import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureClusterTls, type ClusterTlsFiles } from './cluster/tls';
import { describeTlsFailure, loadTlsConfig, resolveTlsFiles, speaksTls } from './temporal-tls';

let dir: string;
let t: ClusterTlsFiles;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-tls-'));
  t = await ensureClusterTls(path.join(dir, 'tls'), '127.0.0.1');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('flags win over the environment, item by item; empty values count as unset', () => {
  const env = { TEMPORAL_TLS_CERT: '/env/cert', TEMPORAL_TLS_KEY: '/env/key', TEMPORAL_TLS_CA: '', TEMPORAL_TLS_SERVER_NAME: 'env-name' };
  expect(resolveTlsFiles({ cert: '/flag/cert' }, env)).toEqual({ cert: '/flag/cert', key: '/env/key', ca: undefined, serverName: 'env-name' });
  expect(resolveTlsFiles({}, {})).toEqual({ cert: undefined, key: undefined, ca: undefined, serverName: undefined });
});

test('no TLS setting: a plain connection', () => {
  expect(loadTlsConfig({})).toBeUndefined();
});

test('a certificate, its key and the CA give mutual TLS settings with the file contents', () => {
  const tls = loadTlsConfig({ cert: t.clientCert, key: t.clientKey, ca: t.ca, serverName: 'localhost' })!;
  expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe(fs.readFileSync(t.clientCert, 'utf8'));
  expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe(fs.readFileSync(t.ca, 'utf8'));
  expect(tls.serverNameOverride).toBe('localhost');
});

test.each([
  [{ cert: 'CLIENT' }, '--tls-cert is set but --tls-key is not (or TEMPORAL_TLS_KEY)'],
  [{ key: 'CLIENT_KEY' }, '--tls-key is set but --tls-cert is not (or TEMPORAL_TLS_CERT)'],
  [{ cert: 'MISSING', key: 'CLIENT_KEY' }, '--tls-cert MISSING: no such file'],
  [{ cert: 'CLIENT', key: 'CLIENT_KEY', ca: 'CA_KEY' }, '--tls-ca CA_KEY: not a PEM CA certificate'],
  [{ cert: 'CLIENT_KEY', key: 'CLIENT_KEY' }, '--tls-cert CLIENT_KEY: not a PEM certificate'],
  [{ cert: 'CLIENT', key: 'NOT_PEM' }, '--tls-key NOT_PEM: not a PEM private key'],
  [{ cert: 'CLIENT', key: 'SERVER_KEY' }, '--tls-key SERVER_KEY: does not match the certificate CLIENT'],
])('%o: %s', (files, message) => {
  const names: Record<string, string> = { CLIENT: t.clientCert, CLIENT_KEY: t.clientKey, CA_KEY: t.caKey, SERVER_KEY: t.serverKey, MISSING: path.join(dir, 'missing.pem'), NOT_PEM: t.ca.replace('ca.pem', 'ca.srl') };
  const real = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, names[v]]));
  let expected = message;
  for (const [name, file] of Object.entries(names).sort((a, b) => b[0].length - a[0].length)) expected = expected.split(name).join(file);
  expect(() => loadTlsConfig(real)).toThrow(expected);
});

test('handshake failures are named; other errors are not TLS', () => {
  expect(describeTlsFailure('peer sent alert: CertificateRequired', true)).toMatch(/requires a client certificate/);
  expect(describeTlsFailure('invalid peer certificate: UnknownIssuer', true)).toMatch(/not signed by the CA given with --tls-ca/);
  expect(describeTlsFailure('received fatal alert: BadCertificate', true)).toMatch(/refused the client certificate/);
  expect(describeTlsFailure('received fatal alert: BadCertificate', true, { cert: '/lab/client.pem' })).toBe('the server refused the client certificate (--tls-cert /lab/client.pem): not signed by its CA, or expired');
  expect(describeTlsFailure('invalid peer certificate: UnknownIssuer', true, { ca: '/lab/ca.pem' })).toBe('the server certificate is not signed by the CA given (--tls-ca /lab/ca.pem)');
  expect(describeTlsFailure('tls handshake eof', false)).toMatch(/^the server requires TLS/);
  expect(describeTlsFailure('Connection refused', true)).toBeNull();
});

test('speaksTls: no for a closed port', async () => {
  expect(await speaksTls('127.0.0.1:1')).toBe(false);
});
