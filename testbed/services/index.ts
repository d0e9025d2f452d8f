/**
 * Service emulators (backends) for the emulated messaging apps.
 *
 * API (used by the world builder):
 *
 *   const backend = await startServiceBackend({
 *     app: 'threema',                 // 'textsecure' | 'threema' | 'wechat' | 'whatsapp'
 *     netns: 'mt-svc-threema-ch',     // namespace the server process runs in (must exist)
 *     addresses: ['198.18.50.10'],    // shorthand: every endpoint port of the app on these addresses
 *     // or listen: [{ host, port, tls, kind: 'chat' | 'https' | 'http' | 'http-dns' }]
 *     stateDir: '/tmp/x',             // config, certificate, log (created)
 *     name: 'threema-ch',             // optional instance name
 *     httpDns: [{ name: 'long.weixin.qq.com', answers: [{ clientPrefix: '198.18.1.0/24', addresses: [...] }, { addresses: [...] }] }],
 *     federation: { listen: { host, port }, peers: [{ host, port }] },  // optional, multi-instance services
 *   });
 *   backend.pid; backend.logFile; await backend.stop();
 *
 * The server runs detached (own process group, no pipes after it printed `ready`), so it
 * outlives a CLI that started it: stop it with `stop()` or SIGTERM to `pid`. Its log
 * (`backend.log`: hello/deliver/queue/first keep-alive/close per connection, HTTP requests)
 * and stderr (`backend.stderr`) are in stateDir.
 *
 * DNS is not served here: the world's resolver must map the app's names (see
 * `serviceDnsNames(app)` / catalogue.ts) to the backend addresses. The process is a real node
 * server inside the namespace: TLS with a self-signed certificate where the real service used TLS,
 * plain TCP where it used its own framing (Threema 5222, WhatsApp 443, WeChat 8080).
 */
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendConfig, BackendListen, HttpDnsEntry } from './backend-config';
import { serviceShape, ServiceApp } from './catalogue';
import { ensureSelfSignedCert } from './certs';
import { nodeEntryArgv } from './node-entry';

export type { BackendConfig, BackendListen, HttpDnsEntry } from './backend-config';
export { SERVICE_SHAPES, SERVICE_APPS, serviceShape } from './catalogue';
export type { ServiceApp, ServiceShape } from './catalogue';

export interface StartServiceBackendOptions {
  app: ServiceApp;
  netns: string;
  stateDir: string;
  addresses?: string[];
  listen?: BackendListen[];
  name?: string;
  httpDns?: HttpDnsEntry[];
  federation?: BackendConfig['federation'];
  startTimeoutMs?: number;
}

export interface ServiceBackend {
  app: ServiceApp;
  name: string;
  pid: number;
  listen: BackendListen[];
  logFile: string;
  stop(): Promise<void>;
}

/** DNS names the app resolves; the world's resolver must answer them. */
export function serviceDnsNames(app: ServiceApp): string[] {
  return serviceShape(app).endpoints.map((e) => e.name);
}

export async function startServiceBackend(opts: StartServiceBackendOptions): Promise<ServiceBackend> {
  const shape = serviceShape(opts.app);
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.netns)) throw new Error(`startServiceBackend: invalid netns name '${opts.netns}'`);
  const listen: BackendListen[] =
    opts.listen ?? (opts.addresses ?? []).flatMap((host) => shape.endpoints.map((e) => ({ host, port: e.port, tls: e.tls, kind: e.kind })));
  if (listen.length === 0) throw new Error(`startServiceBackend(${opts.app}): give 'addresses' or 'listen'`);
  fs.mkdirSync(opts.stateDir, { recursive: true });
  const name = opts.name ?? `${opts.app}-${opts.netns}`;
  const needsTls = listen.some((l) => l.tls);
  const tls = needsTls ? await ensureSelfSignedCert(path.join(opts.stateDir, 'tls'), serviceDnsNames(opts.app)) : undefined;
  const logFile = path.join(opts.stateDir, 'backend.log');
  const config: BackendConfig = { app: opts.app, name, listen, tls, httpDns: opts.httpDns, federation: opts.federation, logFile };
  const configFile = path.join(opts.stateDir, 'backend.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));

  const argv = ['netns', 'exec', opts.netns, ...nodeEntryArgv(__dirname, 'backend-main'), configFile];
  // Own process group and no pipe after `ready`: the server outlives a CLI that started it
  // (the world records the pid and stops it); stderr goes to a file, never to a dead pipe.
  const errFile = path.join(opts.stateDir, 'backend.stderr');
  const errFd = fs.openSync(errFile, 'a');
  const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', errFd], detached: true });
  fs.closeSync(errFd);
  try {
    await waitReady(child, opts.startTimeoutMs ?? 30_000, `${opts.app} backend in ${opts.netns}`, errFile);
  } finally {
    child.stdout?.destroy();
  }
  child.unref();
  return {
    app: opts.app,
    name,
    pid: child.pid ?? -1,
    listen,
    logFile,
    stop: () => stopChild(child),
  };
}

export function waitReady(child: ChildProcess, timeoutMs: number, what: string, stderrFile?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let stdout = '';
    let settled = false;
    const fileErr = (): string => (stderrFile && fs.existsSync(stderrFile) ? fs.readFileSync(stderrFile, 'utf8').slice(-2000) : '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: not ready after ${timeoutMs} ms; stderr: ${(stderr || fileErr()).trim()}`));
    }, timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('ready\n')) {
        clearTimeout(timer);
        settled = true;
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      clearTimeout(timer);
      reject(new Error(`${what}: exited early (code ${code}, signal ${signal}); stderr: ${(stderr || fileErr()).trim()}`));
    });
  });
}

export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
