/** Connecting the CLI and workers to Temporal: --address / --namespace, else TEMPORAL_ADDRESS /
 *  TEMPORAL_NAMESPACE, else the local dev server (`matador server`); TLS from --tls-cert,
 *  --tls-key, --tls-ca, --tls-server-name, else TEMPORAL_TLS_CERT, ... (lib/temporal-tls.ts).
 *  Every connection of the CLI goes through here. */
import type { Command } from 'commander';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { CliError } from './errors';
import { describeTlsFailure, loadTlsConfig, resolveTlsFiles, speaksTls, TlsFileError, type TlsFiles } from '../ops/temporal-tls';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** undefined: a plain connection. */
  tls?: TLSConfig;
  /** The files `tls` was read from, so that a refused certificate is named in the error line. */
  tlsFiles?: Pick<TlsFiles, 'cert' | 'ca'>;
}

export interface TemporalCliOptions {
  address?: string;
  namespace?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsServerName?: string;
}

export function addTemporalOptions(cmd: Command): Command {
  return cmd
    .option('--address <host:port>', `Temporal frontend (default: $TEMPORAL_ADDRESS or ${DEFAULT_ADDRESS})`)
    .option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or "default")')
    .option('--tls-cert <file>', 'client certificate (PEM) for mutual TLS (default: $TEMPORAL_TLS_CERT)')
    .option('--tls-key <file>', 'its private key (PEM) (default: $TEMPORAL_TLS_KEY)')
    .option('--tls-ca <file>', 'CA certificate that signed the server\'s (default: $TEMPORAL_TLS_CA)')
    .option('--tls-server-name <name>', 'name in the server certificate when it differs from the address (default: $TEMPORAL_TLS_SERVER_NAME)');
}

/** The target of these options; a wrong TLS file is a one-line CliError naming it. */
export function temporalTarget(o: TemporalCliOptions, env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  let tls: TLSConfig | undefined;
  const files = resolveTlsFiles({ cert: o.tlsCert, key: o.tlsKey, ca: o.tlsCa, serverName: o.tlsServerName }, env);
  try {
    tls = loadTlsConfig(files);
  } catch (err) {
    if (err instanceof TlsFileError) throw new CliError(err.message);
    throw err;
  }
  return {
    address: o.address ?? env.TEMPORAL_ADDRESS ?? DEFAULT_ADDRESS,
    namespace: o.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default',
    tls,
    ...(tls ? { tlsFiles: { cert: files.cert, ca: files.ca } } : {}),
  };
}

export interface ConnectFailure {
  line: string;
  /** A TLS problem: retrying with the same settings cannot help. */
  tls: boolean;
}

/**
 * One line for a failed connection: what is wrong with TLS, or that nothing answers there. A
 * plain client at a TLS server only sees a closed stream, so that case is probed (speaksTls).
 */
export async function connectFailure(target: Pick<TemporalTarget, 'address' | 'tls' | 'tlsFiles'>, err: unknown): Promise<ConnectFailure> {
  const message = (err as Error)?.message ?? String(err);
  const fail = (reason: string): ConnectFailure => ({ line: `cannot connect to Temporal at ${target.address}: ${reason}`, tls: true });
  const tls = describeTlsFailure(message, Boolean(target.tls), target.tlsFiles);
  if (tls) return fail(tls);
  const refused = /connection refused|ECONNREFUSED/i.test(message);
  if (!refused) {
    // Something listens there: a plain client at a TLS server sees a dropped stream or a timeout.
    const serverTls = await speaksTls(target.address);
    if (serverTls && !target.tls) return fail(describeTlsFailure('tls', false) as string);
    if (/closed|broken pipe|cancel|reset|EOF/i.test(message)) {
      if (serverTls && !target.tls?.clientCertPair) return fail(describeTlsFailure('certificate required', true) as string);
      // A server that ends the handshake after seeing our certificate refused it.
      if (serverTls) return fail(describeTlsFailure('bad certificate', true, target.tlsFiles) as string);
      if (target.tls) return fail('the server does not speak TLS there (drop --tls-* / TEMPORAL_TLS_*, or check --address)');
    }
  }
  // A plain client at a plain listener that drops the stream: not Temporal there (or not yet).
  const closed = !refused && !target.tls && /closed|broken pipe|reset|EOF/i.test(message);
  const reason = refused ? 'connection refused' : closed ? 'the connection was closed: is a Temporal frontend listening there?' : /timed? ?out|deadline/i.test(message) ? 'no answer (timeout)' : message.split('\n')[0].replace(/^Failed to call GetSystemInfo: /, '').slice(0, 160);
  return { line: `cannot reach Temporal at ${target.address} (${reason}); start it with "matador server" or "matador cluster up", or pass --address`, tls: false };
}

/**
 * A connection that has answered one call: grpc-js connects lazily, so a refused TLS handshake
 * would otherwise only show at the first real request.
 */
export async function connectClient(target: Pick<TemporalTarget, 'address' | 'tls' | 'tlsFiles'>, connectTimeout = 5000): Promise<Connection> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: target.address, tls: target.tls, connectTimeout });
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (err) {
    await connection?.close().catch(() => undefined);
    throw new CliError((await connectFailure(target, err)).line);
  }
}

/** Runs `fn` with a client; a server that does not answer is one line, not a stack trace. */
export async function withClient<T>(target: TemporalTarget, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await connectClient(target);
  try {
    return await fn(new Client({ connection, namespace: target.namespace }));
  } finally {
    await connection.close();
  }
}

/** Whether a Temporal frontend answers at this address (within about two seconds). */
export async function serverAnswers(address: string, tls?: TLSConfig): Promise<boolean> {
  try {
    const connection = await connectClient({ address, tls }, 2000);
    await connection.close();
    return true;
  } catch {
    return false;
  }
}
