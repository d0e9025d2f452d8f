/**
 * `matador cluster up --tls`: mutual TLS on the frontend with the certificates the project
 * makes. The generated client certificate works (SDK, worker, temporal CLI); a worker without
 * a certificate, with one from another CA, or with a wrong file ends with one line.
 * Heavy: run under the shared lock (flock /tmp/matador-heavy.lock npx jest test/cluster/cluster-tls.test.ts).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot, temporalBinary } from '../../lib/project-paths';
import { connectClient, withClient } from '../../cli/temporal-client';
import { startTestCluster, type TestCluster } from '../support/cluster';
import { matador, runCmd } from '../support/matador-cli';

let cluster: TestCluster;
let otherCa: { cert: string; key: string };

beforeAll(async () => {
  cluster = await startTestCluster({ tls: true });
  // A client certificate the cluster's CA did not sign (self-signed).
  const cert = path.join(cluster.dir, '..', 'other.pem');
  const key = path.join(cluster.dir, '..', 'other.key');
  const r = await runCmd(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=stranger', '-days', '1']);
  expect(r.code).toBe(0);
  otherCa = { cert, key };
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

/** The environment without any TEMPORAL_* a developer may have set. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  return { ...env, ...extra };
}

const workerArgs = (): string[] => ['worker', '--role', 'central', '--address', cluster.address, '--results', path.join(cluster.dir, '..', 'results.db')];

test('the keys are 0600 and status prints the client files and the export lines', async () => {
  for (const key of [cluster.state.tls!.caKey, cluster.state.tls!.serverKey, cluster.clientTls!.key]) expect(fs.statSync(key).mode & 0o777).toBe(0o600);
  const r = await matador(['cluster', 'status', ...cluster.cliArgs]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`${cluster.address} (mutual TLS)`);
  expect(r.stdout).toContain(`export TEMPORAL_TLS_CERT=${cluster.clientTls!.cert}`);
  expect(r.stdout).toContain(`export TEMPORAL_TLS_KEY=${cluster.clientTls!.key}`);
  expect(r.stdout).toContain(`export TEMPORAL_TLS_CA=${cluster.clientTls!.ca}`);
});

test('the generated client certificate works: SDK, and the temporal CLI with a search-attribute query', async () => {
  const info = await withClient(cluster.target(), (client) => client.workflowService.getSystemInfo({}));
  expect(info.capabilities).toBeTruthy();
  const t = cluster.clientTls!;
  const cli = await runCmd([temporalBinary, 'workflow', 'list', '--address', cluster.address, '--tls-cert-path', t.cert, '--tls-key-path', t.key, '--tls-ca-path', t.ca, '--query', 'MatadorCampaign="none"']);
  expect(cli).toMatchObject({ code: 0, stderr: '' });
});

test('a worker with the TEMPORAL_TLS_* variables connects', async () => {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'matador'), ...workerArgs()], { cwd: projectRoot, env: cleanEnv(cluster.env()), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    while (!out.includes('matador worker (central)') && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain(`matador worker (central) on ${cluster.address}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test.each([
  ['no TLS at all', [], /^matador: cannot connect to Temporal at .*: the server requires TLS: pass --tls-cert, --tls-key and --tls-ca/, []],
  ['a CA but no client certificate', ['--tls-ca', 'CA'], /^matador: cannot connect to Temporal at .*: the server requires a client certificate/, []],
  ['a certificate from another CA', ['--tls-cert', 'OTHER_CERT', '--tls-key', 'OTHER_KEY', '--tls-ca', 'CA'], /^matador: cannot connect to Temporal at .*: the server refused the client certificate \(--tls-cert /, ['OTHER_CERT']],
])('a worker with %s is refused in one line, without retrying', async (_what, flags, line, named) => {
  const subst = (f: string): string => ({ CA: cluster.clientTls!.ca, OTHER_CERT: otherCa.cert, OTHER_KEY: otherCa.key })[f] ?? f;
  const r = await matador([...workerArgs(), ...flags.map(subst)], { env: cleanEnv(), timeoutMs: 60_000 });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(line);
  // The refused certificate is named by its file (the line says which one to replace).
  for (const f of named) expect(r.stderr).toContain(`(--tls-cert ${subst(f)})`);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
});

test('an SDK client without a certificate is refused with one line', async () => {
  await expect(connectClient({ address: cluster.address })).rejects.toThrow(/^cannot connect to Temporal at .*: the server requires TLS/);
});

test.each([
  ['a missing certificate', ['--tls-cert', 'MISSING', '--tls-key', 'KEY'], (f: Record<string, string>) => `matador: --tls-cert ${f.MISSING}: no such file`],
  ['a CA that is not PEM', ['--tls-cert', 'CERT', '--tls-key', 'KEY', '--tls-ca', 'NOT_PEM'], (f: Record<string, string>) => `matador: --tls-ca ${f.NOT_PEM}: not a PEM CA certificate`],
  ['a key of another certificate', ['--tls-cert', 'CERT', '--tls-key', 'OTHER_KEY'], (f: Record<string, string>) => `matador: --tls-key ${f.OTHER_KEY}: does not match the certificate ${f.CERT}`],
])('%s is one line naming the file', async (_what, flags, expected) => {
  const files: Record<string, string> = {
    MISSING: path.join(cluster.dir, 'tls', 'missing.pem'),
    KEY: cluster.clientTls!.key,
    CERT: cluster.clientTls!.cert,
    NOT_PEM: path.join(cluster.dir, 'temporal.log'),
    OTHER_KEY: otherCa.key,
  };
  const r = await matador([...workerArgs(), ...flags.map((f) => files[f] ?? f)], { env: cleanEnv() });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(`${expected(files)}\n`);
});
