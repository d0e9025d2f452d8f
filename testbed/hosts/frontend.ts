/**
 * The Temporal frontend of a several-hosts session (./session.ts), on the central host:
 *   dev          the CLI's dev server (SQLite) on the central host's loopback, published on the
 *                LAN by ./network.ts publishFrontend (it cannot serve one non-loopback address);
 * `cluster` and `cluster-tls` (`matador cluster`, Temporal server + PostgreSQL, mutual TLS; with
 * `outage(ms)`: PostgreSQL stopped for that long) join when `matador cluster` is on main.
 */
import * as path from 'path';
import { freePort, startDevServer } from '../../ops/dev-server';
import { temporalBinary } from '../../lib/project-paths';
import { CENTRAL_ADDRESS, publishFrontend } from './network';

export const FRONTEND_KINDS = ['dev'] as const;
export type FrontendKind = (typeof FRONTEND_KINDS)[number];

export interface ClientTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface HostsFrontend {
  kind: FrontendKind;
  /** Where the central host's worker and clients connect. */
  centralAddress: string;
  /** Where the testbed hosts connect (over their veth). */
  hostsAddress: string;
  namespace: string;
  /** The client certificate files on the central host (cluster-tls), else null. */
  tls: ClientTlsFiles | null;
  /** Stops PostgreSQL for `ms`, then starts it again (cluster only). */
  outage?(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the frontend of `kind` for hosts whose central data folder is `centralDir`. */
export async function startFrontend(kind: FrontendKind, o: { centralDir: string; logsDir: string }): Promise<HostsFrontend> {
  const port = await freePort();
  const server = await startDevServer({ binary: temporalBinary, port, uiPort: await freePort(), headless: true, output: { logFile: path.join(o.logsDir, 'temporal.log') }, logLevel: 'error' });
  try {
    await publishFrontend(port);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { kind, centralAddress: server.address, hostsAddress: `${CENTRAL_ADDRESS}:${port}`, namespace: 'default', tls: null, stop: () => server.stop() };
}
