/**
 * The Temporal frontend of a several-hosts session (./session.ts), on the central host:
 *   dev          the CLI's dev server (SQLite) on the central host's loopback, published on the
 *                LAN by ./network.ts publishFrontend (it cannot serve one non-loopback address);
 *   cluster      `matador cluster` (ops/cluster: Temporal server 1.29.1 on the project's own
 *                PostgreSQL) listening on the LAN address itself, its data folder inside the
 *                central host's data folder (the testbed hosts never see it);
 *   cluster-tls  the same with mutual TLS: the testbed hosts get copies of the client files
 *                (client.pem, client.key 0600, ca.pem) in their own folder, as a lab copies them.
 * `outage(ms)` stops the cluster's PostgreSQL (pg_ctl stop -m fast) for that long, then starts it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { clusterDown, clusterUp, preflight, type ClusterUpOptions } from '../../ops/cluster/cluster';
import { MAX_FRONTEND_PORT } from '../../ops/cluster/declaration';
import { defaultClusterBinaries } from '../../ops/cluster/paths';
import { postgresPaths, startPostgres, stopPostgres } from '../../ops/cluster/postgres';
import { freePort, startDevServer } from '../../ops/dev-server';
import { temporalBinary } from '../../lib/project-paths';
import { CENTRAL_ADDRESS, publishFrontend } from './network';

export const FRONTEND_KINDS = ['dev', 'cluster', 'cluster-tls'] as const;
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

/** A frontend port whose block is free on the LAN address (preflight checks every port). */
async function clusterOptions(dir: string, tls: boolean): Promise<ClusterUpOptions> {
  let lastProblem = '';
  for (let attempt = 0; attempt < 30; attempt++) {
    const port = 20000 + 10 * Math.floor(Math.random() * ((MAX_FRONTEND_PORT - 20010) / 10));
    const o: ClusterUpOptions = { dir, ip: CENTRAL_ADDRESS, port, uiPort: port + 8, pgPort: port + 9, tls, binaries: defaultClusterBinaries() };
    try {
      await preflight(o);
      return o;
    } catch (err) {
      lastProblem = (err as Error).message;
      if (!/already in use/.test(lastProblem)) throw err;
    }
  }
  throw new Error(`no free port block for the cluster on ${CENTRAL_ADDRESS}: ${lastProblem}`);
}

/** Starts the frontend of `kind` for hosts whose central data folder is `centralDir`. */
export async function startFrontend(kind: FrontendKind, o: { centralDir: string; logsDir: string }): Promise<HostsFrontend> {
  if (kind === 'dev') {
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
  const dir = path.join(o.centralDir, 'cluster');
  // The postgres system user passes through the hosts' root (mkdtemp makes it 0700) and the
  // central folder to its own.
  for (const d of [path.dirname(o.centralDir), o.centralDir]) fs.chmodSync(d, fs.statSync(d).mode | 0o711);
  const options = await clusterOptions(dir, kind === 'cluster-tls');
  const stop = async (): Promise<void> => {
    await clusterDown(dir, options.binaries.pgBinDir, { purge: true });
  };
  let up: Awaited<ReturnType<typeof clusterUp>>;
  try {
    up = await clusterUp(options);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  const files = up.state.tls;
  const pg = postgresPaths(dir, options.binaries.pgBinDir);
  return {
    kind,
    centralAddress: up.state.address,
    hostsAddress: up.state.address,
    namespace: 'default',
    tls: files ? { cert: files.clientCert, key: files.clientKey, ca: files.ca } : null,
    async outage(ms) {
      await stopPostgres(pg);
      try {
        await new Promise((r) => setTimeout(r, ms));
      } finally {
        await startPostgres(pg);
      }
    },
    stop,
  };
}
