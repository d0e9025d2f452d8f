/**
 * Where a cluster keeps its things: binaries (.tools, built by scripts/setup; each overridable
 * by environment) and the files under its data folder (`<data>/cluster` by default).
 */
import * as fs from 'fs';
import * as path from 'path';
import { dataDir, projectRoot, toolsBinDir } from '../../lib/project-paths';
import { CLUSTER } from './declaration';
import { DEFAULT_PG_BIN_DIR } from './postgres';
import type { ClusterTlsFiles } from './tls';

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  /** The Web UI server; optional (`cluster status` says when it is missing). */
  ui: string;
  schemaRoot: string;
  pgBinDir: string;
}

export function defaultClusterBinaries(env: NodeJS.ProcessEnv = process.env): ClusterBinaries {
  return {
    server: env.MATADOR_TEMPORAL_SERVER_BIN ?? path.join(toolsBinDir, 'temporal-server'),
    sqlTool: env.MATADOR_TEMPORAL_SQL_TOOL ?? path.join(toolsBinDir, 'temporal-sql-tool'),
    ui: env.MATADOR_TEMPORAL_UI_BIN ?? path.join(toolsBinDir, 'temporal-ui-server'),
    schemaRoot: env.MATADOR_TEMPORAL_SCHEMA_DIR ?? path.join(projectRoot, '.tools', 'temporal-schema', `v${CLUSTER.serverVersion}`),
    pgBinDir: env.MATADOR_PG_BIN_DIR ?? DEFAULT_PG_BIN_DIR,
  };
}

export const defaultClusterDir = (): string => path.join(dataDir, 'cluster');

export function clusterFiles(dir: string) {
  return {
    state: path.join(dir, 'cluster.json'),
    tlsDir: path.join(dir, 'tls'),
    serverRoot: path.join(dir, 'temporal'),
    serverConfig: path.join(dir, 'temporal', 'config', 'matador.yaml'),
    serverLog: path.join(dir, 'temporal.log'),
    uiRoot: path.join(dir, 'ui'),
    uiConfig: path.join(dir, 'ui', 'config', 'matador.yaml'),
    uiLog: path.join(dir, 'ui.log'),
  };
}

/** What `cluster up` writes once everything answers; `status` and `down` read it. */
export interface ClusterState {
  ip: string;
  port: number;
  uiPort: number;
  pgPort: number;
  address: string;
  uiUrl: string | null;
  tls: ClusterTlsFiles | null;
  serverPid: number;
  uiPid: number | null;
  pgPid: number;
  binaries: ClusterBinaries;
  startedAt: string;
  /** False while `up` is still starting (the pids so far are recorded for `down`). */
  complete: boolean;
}

export function readClusterState(dir: string): ClusterState | null {
  try {
    return JSON.parse(fs.readFileSync(clusterFiles(dir).state, 'utf8')) as ClusterState;
  } catch {
    return null;
  }
}

export function writeClusterState(dir: string, state: ClusterState): void {
  fs.writeFileSync(clusterFiles(dir).state, `${JSON.stringify(state, null, 2)}\n`);
}
