/**
 * TLS for Temporal connections (client, workers, CLI, `cluster up`'s own registration): which
 * files, read and checked before any connection, so that a wrong file is one line naming it
 * (missing, not PEM, a key that does not belong to the certificate) and not a gRPC error later.
 * The option and variable names are the temporal CLI's (TEMPORAL_TLS_CERT, ...).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as tls from 'tls';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

export interface TlsFiles {
  cert?: string;
  key?: string;
  ca?: string;
  serverName?: string;
}

export const TLS_ENV = { cert: 'TEMPORAL_TLS_CERT', key: 'TEMPORAL_TLS_KEY', ca: 'TEMPORAL_TLS_CA', serverName: 'TEMPORAL_TLS_SERVER_NAME' } as const;
export const TLS_FLAGS = { cert: '--tls-cert', key: '--tls-key', ca: '--tls-ca', serverName: '--tls-server-name' } as const;

/** Flags win over the environment, per item. Empty strings count as unset. */
export function resolveTlsFiles(flags: TlsFiles, env: NodeJS.ProcessEnv = process.env): TlsFiles {
  const pick = (k: keyof TlsFiles): string | undefined => (flags[k] || env[TLS_ENV[k]] || undefined);
  return { cert: pick('cert'), key: pick('key'), ca: pick('ca'), serverName: pick('serverName') };
}

export class TlsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsFileError';
  }
}

function readPem(file: string, what: string, flag: string): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TlsFileError(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  if (!data.toString('latin1').includes('-----BEGIN ')) throw new TlsFileError(`${flag} ${file}: not a PEM ${what}`);
  return data;
}

/**
 * The SDK's TLS settings for these files, or undefined when none is set (plain connection).
 * A certificate needs its key and the other way round; a CA alone gives server-verified TLS
 * without a client certificate (a mutual-TLS server refuses it).
 */
export function loadTlsConfig(files: TlsFiles): TLSConfig | undefined {
  if (!files.cert && !files.key && !files.ca && !files.serverName) return undefined;
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw new TlsFileError(files.cert ? `${TLS_FLAGS.cert} is set but ${TLS_FLAGS.key} is not (or ${TLS_ENV.key})` : `${TLS_FLAGS.key} is set but ${TLS_FLAGS.cert} is not (or ${TLS_ENV.cert})`);
  }
  const tls: TLSConfig = {};
  if (files.serverName) tls.serverNameOverride = files.serverName;
  if (files.ca) {
    const ca = readPem(files.ca, 'CA certificate', TLS_FLAGS.ca);
    parseCert(ca, files.ca, TLS_FLAGS.ca, 'CA certificate');
    tls.serverRootCACertificate = ca;
  }
  if (files.cert && files.key) {
    const crt = readPem(files.cert, 'certificate', TLS_FLAGS.cert);
    const key = readPem(files.key, 'private key', TLS_FLAGS.key);
    const cert = parseCert(crt, files.cert, TLS_FLAGS.cert, 'certificate');
    let privateKey: crypto.KeyObject;
    try {
      privateKey = crypto.createPrivateKey(key);
    } catch {
      throw new TlsFileError(`${TLS_FLAGS.key} ${files.key}: not a PEM private key`);
    }
    if (!cert.checkPrivateKey(privateKey)) throw new TlsFileError(`${TLS_FLAGS.key} ${files.key}: does not match the certificate ${files.cert}`);
    tls.clientCertPair = { crt, key };
  }
  return tls;
}

function parseCert(pem: Buffer, file: string, flag: string, what: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(pem);
  } catch {
    throw new TlsFileError(`${flag} ${file}: not a PEM ${what}`);
  }
}

/**
 * One line for a TLS failure seen while connecting (the handshake errors of tonic/rustls and
 * grpc-js are long and nested), or null when the error is not about TLS. Such a failure does
 * not heal by retrying: the certificate or the address has to change.
 */
export function describeTlsFailure(message: string, tls: boolean, files: Pick<TlsFiles, 'cert' | 'ca'> = {}): string | null {
  const m = message.toLowerCase();
  // The file to replace, where the line is about one (a hint without it when it is not known).
  const named = (flag: 'cert' | 'ca'): string => (files[flag] ? ` (${TLS_FLAGS[flag]} ${files[flag]})` : '');
  if (/certificate required|certificaterequired|bad certificate|badcertificate|unknown ca|unknownca|handshake|tls|ssl|x509|certificate/.test(m)) {
    if (!tls) return 'the server requires TLS: pass --tls-cert, --tls-key and --tls-ca (or TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA)';
    if (/certificate required|certificaterequired/.test(m)) return 'the server requires a client certificate: pass --tls-cert and --tls-key (or TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY)';
    if (/unknown ca|unknownca|bad certificate|badcertificate|expired/.test(m)) return `the server refused the client certificate${named('cert')}: not signed by its CA, or expired`;
    if (/name|not valid for|notvalidforname|subject/.test(m)) return 'the server certificate does not name this address: pass --tls-server-name NAME (a name in the certificate)';
    if (/unknownissuer|unknown issuer|self.signed|verify/.test(m)) return `the server certificate is not signed by the CA given${named('ca') || ' with --tls-ca'}`;
    return `TLS handshake failed (${message.split('\n')[0].slice(0, 200)})`;
  }
  return null;
}

/**
 * Whether a TLS server listens at host:port: a plain gRPC client only sees a closed stream
 * there ("transport error", "broken pipe"), which looks like a server that is down. A handshake
 * without verification tells the two apart; it sends no certificate and nothing else.
 */
export function speaksTls(address: string, timeoutMs = 2000): Promise<boolean> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'], servername: isIpLiteral(host) ? undefined : host });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    // A TLS alert (e.g. "certificate required") is a TLS server too; a refused or reset TCP connection is not.
    socket.once('error', (err: NodeJS.ErrnoException) => done(/alert|ssl|tls/i.test(`${err.code ?? ''} ${err.message}`) && err.code !== 'ECONNRESET'));
  });
}

function isIpLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}
