/**
 * `matador cluster up|down|status`: the production-shaped Temporal (server 1.29.1 on the
 * project's own PostgreSQL, optional mutual TLS) that workers on several hosts connect to.
 * ops/cluster/ does the work; this file parses options and prints.
 */
import * as path from 'path';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { serverAnswers } from '../temporal-client';
import { loadTlsConfig, TLS_ENV } from '../../ops/temporal-tls';
import { clusterDown, clusterProcesses, clusterUp } from '../../ops/cluster/cluster';
import { CLUSTER } from '../../ops/cluster/declaration';
import { defaultClusterBinaries, defaultClusterDir, type ClusterState } from '../../ops/cluster/paths';

interface UpOptions {
  ip: string;
  port: string;
  uiPort: string;
  pgPort: string;
  dataDir?: string;
  pgBinDir?: string;
  tls?: boolean;
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new CliError(`${flag}: expected a port number (1-65535), got ${JSON.stringify(value)}`);
  return port;
}

const dirOf = (o: { dataDir?: string }): string => path.resolve(o.dataDir ?? defaultClusterDir());

function binaries(o: { pgBinDir?: string }) {
  const b = defaultClusterBinaries();
  return o.pgBinDir ? { ...b, pgBinDir: path.resolve(o.pgBinDir) } : b;
}

function describe(state: ClusterState, dir: string): string {
  const lines = [
    `  gRPC:       ${state.address}${state.tls ? ' (mutual TLS)' : ' (plain, no TLS)'}`,
    `  Web UI:     ${state.uiUrl ?? `not available (${state.binaries.ui} was not built; see README "Running on several hosts")`}`,
    `  PostgreSQL: 127.0.0.1:${state.pgPort} (pid ${state.pgPid})`,
    `  namespace:  ${CLUSTER.namespace} (retention ${CLUSTER.retention.text}), search attributes ${CLUSTER.searchAttributes.map((s) => s.name).join(', ')}`,
    `  data:       ${dir} (logs: temporal.log, postgres.log${state.uiUrl ? ', ui.log' : ''})`,
  ];
  if (state.tls) {
    lines.push(
      `  client certificate: ${state.tls.clientCert}`,
      `  client key:         ${state.tls.clientKey}`,
      `  CA:                 ${state.tls.ca}`,
      '  for workers and the CLI (copy the three files to other hosts):',
      `    export TEMPORAL_ADDRESS=${state.address}`,
      `    export ${TLS_ENV.cert}=${state.tls.clientCert}`,
      `    export ${TLS_ENV.key}=${state.tls.clientKey}`,
      `    export ${TLS_ENV.ca}=${state.tls.ca}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function up(o: UpOptions): Promise<void> {
  const dir = dirOf(o);
  let result;
  try {
    result = await clusterUp({
      dir,
      ip: o.ip,
      port: parsePort(o.port, '--port'),
      uiPort: parsePort(o.uiPort, '--ui-port'),
      pgPort: parsePort(o.pgPort, '--pg-port'),
      tls: Boolean(o.tls),
      binaries: binaries(o),
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cluster up: ${(err as Error).message}`);
  }
  if (result.already) {
    process.stdout.write(`Temporal cluster already running (server pid ${result.state.serverPid}, since ${result.state.startedAt})\n${describe(result.state, dir)}`);
    if (Boolean(o.tls) !== Boolean(result.state.tls)) process.stdout.write(`  note: it runs ${result.state.tls ? 'with' : 'without'} TLS; "matador cluster down" first to change that\n`);
    return;
  }
  process.stdout.write(`Temporal cluster running (server pid ${result.state.serverPid})\n${describe(result.state, dir)}Stop it with "matador cluster down".\n`);
}

async function status(o: { dataDir?: string }): Promise<void> {
  const dir = dirOf(o);
  const { state, server, ui, postgres } = clusterProcesses(dir);
  if (!state || (!server && !postgres)) {
    process.stdout.write(`Temporal cluster: not running (data ${dir})\n`);
    process.exitCode = 3;
    return;
  }
  const tls = state.tls ? loadTlsConfig({ cert: state.tls.clientCert, key: state.tls.clientKey, ca: state.tls.ca, serverName: 'localhost' }) : undefined;
  const answers = server && (await serverAnswers(state.address, tls));
  process.stdout.write(
    `Temporal cluster: ${server && postgres ? 'running' : 'partly running ("matador cluster down" then "up")'}\n` +
      `  Temporal server: ${server ? `pid ${state.serverPid}${answers ? '' : ', not answering'}` : 'not running'}\n` +
      `  Web UI server:   ${state.uiPid ? (ui ? `pid ${state.uiPid}` : 'not running') : 'not available'}\n` +
      `  PostgreSQL:      ${postgres ? `pid ${postgres}` : 'not running'}\n` +
      describe({ ...state, pgPid: postgres ?? state.pgPid }, dir), // PostgreSQL may have been restarted since up
  );
  if (!(server && postgres && answers)) process.exitCode = 1;
}

async function down(o: { dataDir?: string; purge?: boolean; pgBinDir?: string }): Promise<void> {
  const dir = dirOf(o);
  const stopped = await clusterDown(dir, binaries(o).pgBinDir, { purge: o.purge });
  process.stdout.write(stopped.length ? `Stopped: ${stopped.join(', ')}\n` : 'Temporal cluster: not running\n');
  if (o.purge) process.stdout.write(`Removed ${dir}\n`);
}

export function register(program: Command): void {
  const cluster = program
    .command('cluster')
    .description(
      `A production-shaped Temporal for workers on several hosts: Temporal server ${CLUSTER.serverVersion} (all services in one process) ` +
        `on PostgreSQL ${CLUSTER.postgresMajor} started by the project in its own data folder, port and socket, with SQL advanced visibility, ` +
        'the namespace and the Matador search attributes, and the Web UI when scripts/setup could build it. ' +
        'Detached: pids and logs in the data folder. See README "Running on several hosts".',
    );
  const dataDirOption = `cluster data folder (default: .matador/cluster, or $MATADOR_DATA_DIR/cluster)`;
  cluster
    .command('up')
    .description(
      'Start the cluster (already running: says so, exit 0; the data of an earlier run is kept). ' +
        'The frontend uses --port and the 7 ports after it (history, matching, worker, membership), all below 32768. ' +
        'With --tls a CA, a server and a client certificate are made once in <data>/tls/ and the frontend serves mutual TLS; ' +
        '"cluster status" prints the client files. Binaries from .tools/bin (scripts/setup), or $MATADOR_TEMPORAL_SERVER_BIN, ' +
        '$MATADOR_TEMPORAL_SQL_TOOL, $MATADOR_TEMPORAL_UI_BIN, $MATADOR_TEMPORAL_SCHEMA_DIR.',
    )
    .option('--ip <address>', 'address to listen on and advertise (this host\'s address for other hosts)', CLUSTER.defaults.ip)
    .option('--port <port>', 'gRPC port of the frontend', String(CLUSTER.defaults.port))
    .option('--ui-port <port>', 'port of the Web UI', String(CLUSTER.defaults.uiPort))
    .option('--pg-port <port>', 'port of the cluster\'s PostgreSQL (127.0.0.1 only)', String(CLUSTER.defaults.pgPort))
    .option('--data-dir <dir>', dataDirOption)
    .option('--pg-bin-dir <dir>', 'PostgreSQL binaries (default: $MATADOR_PG_BIN_DIR or /usr/lib/postgresql/15/bin)')
    .option('--tls', 'serve mutual TLS with certificates made in <data>/tls/')
    .action((o: UpOptions) => up(o));
  cluster
    .command('status')
    .description('Show each process, the addresses, TLS files and data folder (exit 3 when not running).')
    .option('--data-dir <dir>', dataDirOption)
    .action((o: { dataDir?: string }) => status(o));
  cluster
    .command('down')
    .description('Stop the Web UI and Temporal server, then PostgreSQL. The data stays unless --purge.')
    .option('--data-dir <dir>', dataDirOption)
    .option('--pg-bin-dir <dir>', 'PostgreSQL binaries (as for up)')
    .option('--purge', 'also remove the data folder (database, certificates, logs)')
    .action((o: { dataDir?: string; purge?: boolean; pgBinDir?: string }) => down(o));
}
