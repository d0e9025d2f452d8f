/**
 * Phone side of the emulated apps: starts each app as its own process in the phone namespace
 * under the app's uid (ip netns exec + setpriv), and exchanges JSON lines with it over a unix
 * socket in the phone's state directory.
 */
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { onJsonLines, writeJsonLine } from '../services/jsonl';
import { nodeEntryArgv } from '../services/node-entry';
import { stopChild } from '../services/index';
import type { ServiceShape } from '../services/catalogue';
import type { AppProcessConfig } from './app-main';

export interface AppStatus {
  state: string; // 'stopped' | 'starting' | 'connecting' | 'connected' | 'error' | 'api-error'
  at: string;
  pid?: number;
  [extra: string]: unknown;
}

export interface AppEvents {
  onReceived(app: string, msg: { id: string; from: string; text: string; sentAt: string; receivedAt: string }): void;
  onSent(app: string, id: string, ackedAt: string): void;
}

interface Running {
  child: ChildProcess;
  socket: net.Socket | null;
  pendingSends: Array<Record<string, unknown>>;
}

/**
 * An app process's environment: what Android gives one (a PATH, no home), not the lab host's.
 * The host's variables are not the phone's, and some cost every start: NODE_EXTRA_CA_CERTS, set
 * on some hosts, makes each app's Node parse a CA bundle (~30 ms CPU per start; the apps do not
 * verify the emulated services' certificates, app-main.ts).
 */
export function appEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/nonexistent' };
}

export class AppHost {
  private server: net.Server | null = null;
  private running = new Map<string, Running>();
  readonly status = new Map<string, AppStatus>();
  readonly socketPath: string;

  constructor(
    private readonly opts: { netns: string; stateDir: string; account: string; dnsServers?: string[]; keepAliveMs?: number; location: () => string | null },
    private readonly events: AppEvents,
  ) {
    this.socketPath = path.join(opts.stateDir, 'run', 'apps.sock');
  }

  async start(): Promise<void> {
    // The app processes run as uids 10061.. and must reach the run directory: every parent of
    // stateDir needs search permission for "other".
    for (let dir = path.dirname(path.resolve(this.opts.stateDir)); ; dir = path.dirname(dir)) {
      if ((fs.statSync(dir).mode & 0o001) === 0) {
        throw new Error(`virtual phone state dir ${this.opts.stateDir}: parent directory ${dir} is not searchable by app uids (mode ${(fs.statSync(dir).mode & 0o777).toString(8)}); use chmod o+x or another stateDir`);
      }
      if (dir === path.dirname(dir)) break;
    }
    const runDir = path.dirname(this.socketPath);
    fs.mkdirSync(runDir, { recursive: true });
    fs.chmodSync(this.opts.stateDir, 0o755);
    fs.chmodSync(runDir, 0o755);
    fs.rmSync(this.socketPath, { force: true });
    this.server = net.createServer((sock) => this.onConnection(sock));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.socketPath, () => resolve());
    });
    fs.chmodSync(this.socketPath, 0o666);
  }

  private onConnection(sock: net.Socket): void {
    let app: string | null = null;
    sock.on('error', () => undefined);
    onJsonLines(sock, (value) => {
      const m = value as Record<string, unknown> & { type: string };
      if (m.type === 'register' && typeof m.app === 'string') {
        app = m.app;
        const r = this.running.get(app);
        if (!r) return;
        r.socket = sock;
        for (const p of r.pendingSends.splice(0)) writeJsonLine(sock, p);
      } else if (!app) {
        return;
      } else if (m.type === 'status') {
        const { type: _t, ...rest } = m;
        this.status.set(app, { ...(rest as AppStatus), pid: this.running.get(app)?.child.pid });
      } else if (m.type === 'received') {
        this.events.onReceived(app, m as never);
      } else if (m.type === 'sent') {
        this.events.onSent(app, String(m.id), String(m.ackedAt));
      }
    });
  }

  isRunning(app: string): boolean {
    return this.running.has(app);
  }

  launch(shape: ServiceShape): void {
    if (this.running.has(shape.app)) return;
    const cfg: AppProcessConfig = {
      app: shape.app,
      account: this.opts.account,
      controlSocket: this.socketPath,
      dnsServers: this.opts.dnsServers,
      keepAliveMs: this.opts.keepAliveMs,
      location: this.opts.location(),
    };
    const cfgFile = path.join(path.dirname(this.socketPath), `${shape.app}.json`);
    fs.writeFileSync(cfgFile, JSON.stringify(cfg), { mode: 0o644 });
    const uid = String(shape.uid);
    const argv = ['netns', 'exec', this.opts.netns, 'setpriv', '--reuid', uid, '--regid', uid, '--clear-groups', ...nodeEntryArgv(__dirname, 'app-main'), cfgFile];
    const logFd = fs.openSync(path.join(path.dirname(this.socketPath), `${shape.app}.log`), 'a');
    const child = spawn('ip', argv, { stdio: ['ignore', logFd, logFd], env: appEnvironment() });
    fs.closeSync(logFd);
    const entry: Running = { child, socket: null, pendingSends: [] };
    this.running.set(shape.app, entry);
    this.status.set(shape.app, { state: 'starting', at: new Date().toISOString(), pid: child.pid });
    child.on('exit', (code, signal) => {
      if (this.running.get(shape.app) === entry) this.running.delete(shape.app);
      this.status.set(shape.app, { state: 'stopped', at: new Date().toISOString(), exitCode: code, signal });
    });
  }

  send(app: string, msg: { id: string; to: string; text: string; sentAt: string }): boolean {
    const r = this.running.get(app);
    if (!r) return false;
    const wire = { type: 'send', ...msg };
    if (r.socket) writeJsonLine(r.socket, wire);
    else r.pendingSends.push(wire);
    return true;
  }

  async forceStop(app: string): Promise<void> {
    const r = this.running.get(app);
    if (!r) return;
    this.running.delete(app);
    await stopChild(r.child, 2000);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.keys()].map((a) => this.forceStop(a)));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }
}
