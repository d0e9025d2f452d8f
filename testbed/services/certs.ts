/** Self-signed TLS certificates for the service emulators (openssl CLI, argv only, no shell). */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as path from 'path';

const execFileAsync = promisify(execFile);

export interface CertFiles {
  certFile: string;
  keyFile: string;
}

/** Create (or reuse) a self-signed ECDSA certificate for `names` in `dir`. */
export async function ensureSelfSignedCert(dir: string, names: string[]): Promise<CertFiles> {
  if (names.length === 0) throw new Error('ensureSelfSignedCert: no DNS names given');
  for (const n of names) {
    if (!/^[A-Za-z0-9.*-]+$/.test(n)) throw new Error(`ensureSelfSignedCert: invalid DNS name '${n}'`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) return { certFile, keyFile };
  await execFileAsync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    '-keyout', keyFile, '-out', certFile,
  ], { timeout: 30_000 });
  return { certFile, keyFile };
}
