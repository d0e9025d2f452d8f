/**
 * The certificates `matador cluster up --tls` serves mutual TLS with, made once with openssl in
 * `<cluster data>/tls/`: a CA, a server certificate (SANs: the listen ip, 127.0.0.1, localhost)
 * and a client certificate for workers and the CLI. Keys are 0600. Existing files are kept (a
 * second `up` reuses them); a server certificate that lacks the listen ip is made again from
 * the same CA, so copied client certificates stay valid.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

export interface ClusterTlsFiles {
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function clusterTlsFiles(tlsDir: string): ClusterTlsFiles {
  const f = (name: string): string => path.join(tlsDir, name);
  return {
    ca: f('ca.pem'),
    caKey: f('ca.key'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

const DAYS = '3650';

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { maxBuffer: 1024 * 1024 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed (apt-get install openssl): needed for cluster up --tls');
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

async function newKey(file: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  fs.chmodSync(file, 0o600);
}

/** Signs a certificate for `cn` with the CA; `ext` lines go into an extension file. */
async function signed(t: ClusterTlsFiles, key: string, cert: string, cn: string, ext: string[]): Promise<void> {
  const csr = `${cert}.csr`;
  const extFile = `${cert}.ext`;
  try {
    await openssl(['req', '-new', '-key', key, '-subj', `/CN=${cn}`, '-out', csr]);
    fs.writeFileSync(extFile, `${ext.join('\n')}\n`);
    await openssl(['x509', '-req', '-in', csr, '-CA', t.ca, '-CAkey', t.caKey, '-CAcreateserial', '-days', DAYS, '-sha256', '-extfile', extFile, '-out', cert]);
  } finally {
    fs.rmSync(csr, { force: true });
    fs.rmSync(extFile, { force: true });
  }
}

/** The SANs the server certificate must carry for this listen ip. */
export function serverSans(ip: string): string[] {
  return [...new Set([`IP:${ip}`, 'IP:127.0.0.1', 'DNS:localhost'])];
}

async function certHasSans(cert: string, sans: string[]): Promise<boolean> {
  try {
    const { stdout } = await run('openssl', ['x509', '-in', cert, '-noout', '-ext', 'subjectAltName']);
    const text = stdout.replace(/IP Address:/g, 'IP:');
    return sans.every((san) => text.includes(san));
  } catch {
    return false;
  }
}

/** Makes what is missing; returns the files. */
export async function ensureClusterTls(tlsDir: string, ip: string): Promise<ClusterTlsFiles> {
  fs.mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const t = clusterTlsFiles(tlsDir);
  if (!fs.existsSync(t.ca) || !fs.existsSync(t.caKey)) {
    for (const f of Object.values(t)) fs.rmSync(f, { force: true }); // a new CA invalidates everything
    await newKey(t.caKey);
    await openssl(['req', '-x509', '-new', '-key', t.caKey, '-subj', '/CN=matador-cluster-ca', '-days', DAYS, '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', t.ca]);
  }
  const sans = serverSans(ip);
  if (!fs.existsSync(t.serverKey) || !(await certHasSans(t.serverCert, sans))) {
    if (!fs.existsSync(t.serverKey)) await newKey(t.serverKey);
    await signed(t, t.serverKey, t.serverCert, 'matador-temporal', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${sans.join(',')}`,
    ]);
  }
  if (!fs.existsSync(t.clientKey) || !fs.existsSync(t.clientCert)) {
    if (!fs.existsSync(t.clientKey)) await newKey(t.clientKey);
    await signed(t, t.clientKey, t.clientCert, 'matador-worker', ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth']);
  }
  return t;
}
