import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { isRunning, serverArgs, uiConfig, writePrivateFile } from './services';
import { clusterTlsFiles } from './tls';

test('the server reads <root>/config/matador.yaml and starts every service', () => {
  expect(serverArgs('/d/temporal')).toEqual(['--root', '/d/temporal', '--config', 'config', '--env', 'matador', '--allow-no-auth', 'start']);
});

test('the Web UI talks to the frontend with the client certificate when the cluster serves TLS', () => {
  const plain = parse(uiConfig({ ip: '198.18.0.1', uiPort: 8080, address: '198.18.0.1:7233', namespace: 'default', tls: null }));
  expect(plain).toMatchObject({ temporalGrpcAddress: '198.18.0.1:7233', host: '198.18.0.1', port: 8080, enableUi: true });
  expect(plain.tls).toBeUndefined();
  const t = clusterTlsFiles('/d/tls');
  const withTls = parse(uiConfig({ ip: '127.0.0.1', uiPort: 8080, address: '127.0.0.1:7233', namespace: 'default', tls: t }));
  expect(withTls.tls).toEqual({ caFile: t.ca, certFile: t.clientCert, keyFile: t.clientKey, serverName: 'localhost', enableHostVerification: true });
});

test('config files are 0600, also when they existed with a wider mode', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-svc-'));
  try {
    const file = path.join(dir, 'config', 'x.yaml');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    writePrivateFile(file, 'password: secret\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe('password: secret\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a pid only counts as the server while it still runs that binary', () => {
  expect(isRunning(process.pid, process.execPath)).toBe(fs.readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath);
  expect(isRunning(process.pid, '/nonexistent/temporal-server')).toBe(false);
  expect(isRunning(null, '/x')).toBe(false);
});
