/**
 * `matador server`: the Temporal CLI dev server from .tools/bin with the Matador search
 * attributes, persisting to .matador/temporal.db. Detached by default (pid + log in .matador/),
 * `--foreground` keeps it on this terminal, `--status` / `--stop` manage a detached one.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { serverAnswers } from '../temporal-client';
import { dataDir, temporalBinary } from '../../lib/project-paths';
import { SEARCH_ATTRIBUTE_NAMES } from '../../temporal/conventions';
import { CliError } from '../errors';
import {
  DEFAULT_GRPC_PORT,
  DEFAULT_UI_PORT,
  DEV_SERVER_TIMER_SHIFT,
  defaultServerDbFile,
  removeServerPidFile,
  runningServer,
  serverLogFilePath,
  startDevServer,
  stopDetachedServer,
  TIMER_SHIFT_KEY,
  timerDynamicConfig,
  writeServerPidFile,
} from '../../ops/dev-server';

interface ServerOptions {
  port: string;
  uiPort: string;
  ip: string;
  db?: string;
  headless?: boolean;
  foreground?: boolean;
  status?: boolean;
  stop?: boolean;
  timerShift: string;
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`${flag}: expected a port number (1-65535), got ${JSON.stringify(value)}`);
  return port;
}

/** `--timer-shift`: a Go duration in ms or s (`100ms`, `0.5s`), or `default` (Temporal's own, 1 s). */
export function timerShiftConfig(value: string): Record<string, string | number> {
  if (value !== 'default' && !/^\d+(\.\d+)?(ms|s)$/.test(value)) throw new CliError(`--timer-shift: expected a duration such as 100ms or 0.5s, or "default", got ${JSON.stringify(value)}`);
  return timerDynamicConfig(value);
}

async function status(): Promise<void> {
  const info = runningServer();
  if (!info) {
    process.stdout.write('Temporal dev server: not running\n');
    process.exitCode = 3;
    return;
  }
  const ok = await serverAnswers(info.address);
  process.stdout.write(
    `Temporal dev server: running (pid ${info.pid}, since ${info.startedAt})${ok ? '' : ' but not answering yet'}\n` +
      `  gRPC:   ${info.address}\n  Web UI: ${info.uiUrl ?? '(headless)'}\n  db:     ${info.dbFile}\n  log:    ${info.logFile ?? '(terminal)'}\n`,
  );
  if (!ok) process.exitCode = 1;
}

async function stop(): Promise<void> {
  const info = runningServer();
  if (!info) {
    process.stdout.write('Temporal dev server: not running\n');
    return;
  }
  await stopDetachedServer(info);
  process.stdout.write(`Temporal dev server stopped (pid ${info.pid})\n`);
}

async function start(o: ServerOptions): Promise<void> {
  const already = runningServer();
  if (already) throw new CliError(`the Temporal dev server is already running (pid ${already.pid}, ${already.address}); "matador server --stop" stops it`);
  const port = parsePort(o.port, '--port');
  const uiPort = parsePort(o.uiPort, '--ui-port');
  const dynamicConfig = timerShiftConfig(o.timerShift);
  fs.mkdirSync(dataDir, { recursive: true });
  const dbFile = path.resolve(o.db ?? defaultServerDbFile());
  const logFile = o.foreground ? null : serverLogFilePath();
  let server;
  try {
    server = await startDevServer({
      binary: temporalBinary,
      dbFile,
      ip: o.ip,
      port,
      uiPort,
      headless: o.headless,
      output: logFile ? { logFile } : 'inherit',
      detached: !o.foreground,
      dynamicConfig,
    });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  writeServerPidFile({ pid: server.pid, address: server.address, uiUrl: server.uiUrl, dbFile, logFile, startedAt: new Date().toISOString() });
  process.stdout.write(
    `Temporal dev server running (pid ${server.pid})\n  gRPC:   ${server.address}\n  Web UI: ${server.uiUrl ?? '(headless)'}\n` +
      `  db:     ${dbFile}\n  search attributes: ${SEARCH_ATTRIBUTE_NAMES.join(', ')}\n`,
  );
  if (!o.foreground) {
    process.stdout.write(`  log:    ${logFile}\nStop it with "matador server --stop".\n`);
    return;
  }
  const onSignal = (): void => void server.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  removeServerPidFile();
}

export function register(program: Command): void {
  program
    .command('server')
    .description(
      'Run the Temporal dev server (.tools/bin/temporal) that campaigns run on, with the\n' +
        'Matador search attributes registered (also on an existing database).\n' +
        'Persists to .matador/temporal.db. Detached by default: pid in\n' +
        '.matador/temporal.pid, log in .matador/temporal.log.',
    )
    .option('--port <port>', 'gRPC port of the frontend', String(DEFAULT_GRPC_PORT))
    .option('--ui-port <port>', 'port of the Web UI', String(DEFAULT_UI_PORT))
    .option('--ip <address>', 'address to listen on', '127.0.0.1')
    .option('--db <file>', 'SQLite database file (default: .matador/temporal.db)')
    .option('--headless', 'no Web UI')
    .option(
      '--timer-shift <duration>',
      `${TIMER_SHIFT_KEY}: no workflow timer fires sooner than this after it starts; "default" is Temporal's 1s (README "Timers on the dev server")`,
      DEV_SERVER_TIMER_SHIFT,
    )
    .option('--foreground', 'stay attached to this terminal (Ctrl-C stops the server)')
    .option('--status', 'show whether the detached server runs, and where')
    .option('--stop', 'stop the detached server')
    .action(async (o: ServerOptions) => {
      if (o.status && o.stop) throw new CliError('--status and --stop exclude each other');
      if (o.status) return status();
      if (o.stop) return stop();
      return start(o);
    });
}
